"""The evaluation stage (#27): worked examples with hand-computed answers, every check at its
limit, bad input located, the agreement statistics against known values, and a property test
(permuting members or bids changes nothing but order)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procure.evaluation.model import EvaluationFile
from procure.evaluation.scoring import Evaluation, evaluate
from procure.evaluation.stats import chi2_sf, kendall_w
from procure.inputs.yamlio import dump_yaml

from .conftest import ROOT, run

EXAMPLE = ROOT / "scenarios" / "evaluation" / "prefecture-lot1.yaml"
EXAMPLE_XLSX = ROOT / "scenarios" / "evaluation" / "prefecture-lot1.xlsx"


def base(**over: Any) -> dict[str, Any]:
    """Three bids, five members (four experts), one lot: price 30 points, one objective factor
    of 20 and one subjective of 50. Every member gives every bid 10 and 40 unless edited."""
    data: dict[str, Any] = {
        "format": "procure/evaluation@1",
        "project": "test",
        "procedure": "open_tender",
        "method": "comprehensive",
        "category": "services",
        "notice_date": "2025-09-15",
        "sme_deduction": 0.10,
        "lots": [
            {
                "id": "lot1",
                "name": "lot one",
                "price_weight": 0.30,
                "factors": [
                    {"id": "cert", "name": "certificates", "max": 20, "kind": "objective"},
                    {"id": "plan", "name": "plan", "max": 50, "kind": "subjective"},
                ],
            }
        ],
        "bids": [
            {"id": "a", "name": "A", "price_cny": 100.0, "size": "large"},
            {"id": "b", "name": "B", "price_cny": 120.0, "size": "medium"},
            {"id": "c", "name": "C", "price_cny": 90.0, "size": "medium"},
        ],
        "committee": [
            {"id": f"m{k}", "name": f"M{k}", "role": "expert" if k < 5 else "buyer"}
            for k in range(1, 6)
        ],
    }
    data["scores"] = {
        m["id"]: {b["id"]: {"cert": 10, "plan": 40} for b in data["bids"]}
        for m in data["committee"]
    }
    data.update(over)
    return data


def result(data: dict[str, Any]) -> Evaluation:
    return evaluate(EvaluationFile.model_validate(data))


def bid(res: Evaluation, bid_id: str) -> Any:
    return next(b for b in res.lots[0].bids if b.bid == bid_id)


def fired(res: Evaluation, check: str) -> list[str]:
    return [f.en for f in res.findings if f.check == check]


# --- the price formula (87号令 art. 55) and the SME deduction (财库〔2022〕19号) ---------------


def test_price_score_by_hand_without_a_deduction() -> None:
    """Base price 90 (C): A 90/100 x 100 x 0.30 = 27; B 90/120 x 30 = 22.5; C 30. Totals add
    the factor means 10 + 40 = 50."""
    res = result(base())
    assert res.lots[0].base_price_cny == 90
    assert [bid(res, x).price_points for x in "abc"] == [27.0, 22.5, 30.0]
    assert [bid(res, x).total for x in "abc"] == [77.0, 72.5, 80.0]
    assert [bid(res, x).rank for x in "cab"] == [1, 2, 3]
    assert res.lots[0].candidates == ["c", "a", "b"]


def test_price_score_by_hand_with_the_small_enterprise_deduction() -> None:
    """B is small: evaluated at 120 x (1 - 0.20) = 96, so 90/96 x 30 = 28.125; its contract
    price stays 120."""
    data = base(sme_deduction=0.20)
    data["bids"][1]["size"] = "small"
    b = bid(result(data), "b")
    assert b.evaluated_price_cny == 96.0
    assert b.price_points == 28.125
    assert b.price_cny == 120.0


def test_a_deducted_price_can_become_the_base_price() -> None:
    """B small at 120 with 25% off is evaluated at 90 = C's price: both score the full 30."""
    data = base(sme_deduction=0.25)
    data["bids"][1]["size"] = "small"
    res = result(data)
    assert bid(res, "b").price_points == 30.0 and bid(res, "c").price_points == 30.0


def test_a_tie_in_score_is_broken_by_the_lower_price() -> None:
    """A (price 100: 27 points) gets 3 more factor points than C (90: 30 points): both total
    80, and C, the lower price, ranks first (87号令 art. 57)."""
    data = base()
    for m in data["scores"]:
        data["scores"][m]["a"]["plan"] = 43
    res = result(data)
    assert bid(res, "a").total == bid(res, "c").total == 80.0
    assert (bid(res, "c").rank, bid(res, "a").rank) == (1, 2)
    assert not bid(res, "c").tied


def test_same_score_and_price_are_left_tied() -> None:
    """B small at 120 less 25% = 90, as C: same price points, same factor scores: tied first."""
    data = base(sme_deduction=0.25)
    data["bids"][1]["size"] = "small"
    res = result(data)
    assert (bid(res, "b").rank, bid(res, "c").rank) == (1, 1)
    assert bid(res, "b").tied and bid(res, "c").tied
    assert bid(res, "a").rank == 3


def test_lowest_evaluated_price_ranks_the_responsive_bids_by_evaluated_price() -> None:
    data = base(method="lowest_price")
    data["scores"] = {}
    data["bids"][1]["size"] = "micro"  # 120 x 0.9 = 108
    data["bids"][2]["responsive"] = False
    data["bids"][2]["reason"] = "no licence"
    data["bids"].append({"id": "d", "name": "D", "price_cny": 105.0, "size": "large"})
    res = result(data)
    assert [b.bid for b in res.lots[0].bids if b.rank] == ["a", "d", "b"]
    assert res.lots[0].candidates == ["a", "d", "b"]


# --- each check, firing and not firing at its limit -------------------------------------------


@pytest.mark.parametrize(("stated", "fires"), [(50.005, False), (50.006, True)])
def test_a_members_total_that_is_not_the_sum(stated: float, fires: bool) -> None:
    data = base()
    data["scores"]["m2"]["a"]["total"] = stated
    assert bool(fired(result(data), "sum_mismatch")) is fires


@pytest.mark.parametrize(("score", "fires"), [(10, False), (9.5, True)])
def test_an_objective_factor_scored_differently(score: float, fires: bool) -> None:
    data = base()
    data["scores"]["m3"]["b"]["cert"] = score
    found = fired(result(data), "objective_disagreement")
    assert bool(found) is fires
    if fires:
        assert "M3 9.5" in found[0]


@pytest.mark.parametrize(("score", "fires"), [(25, False), (24.99, True), (50, False)])
def test_an_extreme_score_at_the_stated_fraction(score: float, fires: bool) -> None:
    """The test: more than 30% of the factor's 50 points (15) from the other members' mean
    (40): 25 is 15 below, 24.99 is 15.01 below; 50 is 10 above."""
    data = base()
    data["scores"]["m1"]["a"]["plan"] = score
    found = fired(result(data), "extreme_score")
    assert bool(found) is fires
    if fires:
        assert "15.01 points below" in found[0]


@pytest.mark.parametrize(("price", "fires"), [(80.0, False), (79.99, True)])
def test_an_abnormally_low_bid_at_the_stated_share(price: float, fires: bool) -> None:
    """A and B at 100, the third at `price`: the test is below 80% of the others' mean (100)."""
    data = base()
    data["bids"][1]["price_cny"] = 100.0
    data["bids"][2]["price_cny"] = price
    found = fired(result(data), "abnormally_low")
    assert bool(found) is fires
    if fires:
        assert "written explanation" in found[0]


def test_a_rejected_explanation_makes_the_bid_invalid() -> None:
    data = base()
    data["bids"][2]["price_cny"] = 50.0
    data["bids"][2]["price_explanation"] = "rejected"
    data["bids"].append({"id": "d", "name": "D", "price_cny": 110.0, "size": "large"})
    for m in data["scores"]:
        data["scores"][m]["d"] = {"cert": 10, "plan": 40}
    res = result(data)
    c = bid(res, "c")
    assert c.rank is None and not c.responsive and "第六十条" in (c.reason or "")
    assert res.lots[0].base_price_cny == 100.0


@pytest.mark.parametrize(("responsive", "status"), [(3, "ok"), (2, "failed")])
def test_fewer_than_three_responsive_bids_fail_an_open_tender(responsive: int, status: str) -> None:
    data = base()
    for b in data["bids"][responsive:]:
        b["responsive"] = False
        b["reason"] = "x"
    lot = result(data).lots[0]
    assert lot.status == status
    assert bool(lot.candidates) is (status == "ok")


@pytest.mark.parametrize(
    ("purchase", "responsive", "status"),
    [(True, 2, "ok"), (True, 1, "terminated"), (False, 2, "terminated")],
)
def test_a_consultation_for_services_may_go_on_with_two(
    purchase: bool, responsive: int, status: str
) -> None:
    data = base(procedure="competitive_consultation", services_purchase=purchase)
    for b in data["bids"][responsive:]:
        b["responsive"] = False
        b["reason"] = "x"
    assert result(data).lots[0].status == status


@pytest.mark.parametrize(
    ("members", "experts", "budget", "fires"),
    [
        (5, 4, None, False),
        (5, 3, None, True),  # 3 < 2/3 of 5
        (6, 6, None, True),  # even
        (3, 3, None, True),  # fewer than five
        (5, 4, 9_999_999, False),
        (5, 4, 10_000_000, True),  # 10 M CNY and above: seven
        (7, 5, 10_000_000, False),
    ],
)
def test_the_committee_size_and_make_up(
    members: int, experts: int, budget: float | None, fires: bool
) -> None:
    data = base(budget_cny=budget)
    data["committee"] = [
        {"id": f"m{k}", "name": f"M{k}", "role": "expert" if k <= experts else "buyer"}
        for k in range(1, members + 1)
    ]
    data["scores"] = {
        m["id"]: {b["id"]: {"cert": 10, "plan": 40} for b in data["bids"]}
        for m in data["committee"]
    }
    assert bool(fired(result(data), "committee")) is fires


@pytest.mark.parametrize(("weight", "fires"), [(0.10, False), (0.09, True)])
def test_the_price_weight_against_its_legal_range(weight: float, fires: bool) -> None:
    data = base()
    data["lots"][0]["price_weight"] = weight
    data["lots"][0]["factors"][1]["max"] = 100 - 20 - weight * 100
    assert bool(fired(result(data), "price_weight")) is fires


@pytest.mark.parametrize(
    ("date", "deduction", "fires"),
    [("2022-07-01", 0.10, False), ("2022-07-01", 0.08, True), ("2022-06-30", 0.08, False)],
)
def test_the_sme_deduction_against_the_rule_in_force(
    date: str, deduction: float, fires: bool
) -> None:
    """财库〔2022〕19号 (10%-20%) from 2022-07-01; 46号 (6%-10%) before."""
    res = result(base(notice_date=date, sme_deduction=deduction))
    assert bool(fired(res, "sme_deduction")) is fires


# --- agreement and safety --------------------------------------------------------------------


def test_chi_square_survival_against_known_values() -> None:
    """The 5% critical values of the chi-square table, and df = 2 where sf(x) = exp(-x/2)."""
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, abs=1e-9)
    assert chi2_sf(11.070497693516351, 5) == pytest.approx(0.05, abs=1e-9)
    assert chi2_sf(18.307038053275146, 10) == pytest.approx(0.05, abs=1e-9)
    assert chi2_sf(6.634896601021214, 1) == pytest.approx(0.01, abs=1e-9)
    for x in (0.1, 1.0, 5.0, 40.0):
        assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)
    assert chi2_sf(0, 3) == 1.0


def test_kendall_w_by_hand() -> None:
    """Three members rank A, B, C as (1,2,3), (1,3,2), (2,1,3): rank sums 4, 6, 8, S = 8,
    W = 12 x 8 / (9 x 24) = 4/9; chi2 = 3 x 2 x 4/9; p = exp(-chi2/2)."""
    w, chi2, p, df = kendall_w([[3, 2, 1], [3, 1, 2], [2, 3, 1]])
    assert w == pytest.approx(4 / 9)
    assert chi2 == pytest.approx(8 / 3)
    assert df == 2
    assert p == pytest.approx(math.exp(-4 / 3))
    assert kendall_w([[3, 2, 1]] * 4)[0] == pytest.approx(1.0)


def test_leave_one_out_names_the_member_who_decides_first_place() -> None:
    """m1 and m2 give A the full 50 on the plan: A's mean is 44, its total 27 + 54 = 81 against
    C's 80. Leave out m1 or m2 and A's mean is 42.5 (79.5): C is first again."""
    data = base()
    data["scores"]["m1"]["a"]["plan"] = 50
    data["scores"]["m2"]["a"]["plan"] = 50
    res = result(data)
    assert res.lots[0].safety is not None and res.lots[0].safety.leader == ["a"]
    changes = {d.member: d.changes for d in res.lots[0].agreement.leave_one_out}  # type: ignore[union-attr]
    assert changes == {"m1": True, "m2": True, "m3": False, "m4": False, "m5": False}


def test_safety_states_the_points_and_price_cut_that_change_first_place() -> None:
    """C 80 vs A 77: one member must move 5 x (3 + 0.01) = 15.05 subjective points (a tie
    goes to C, the lower price). A ties C at a price of 90 (30 price points) and, as the lower
    price below that, wins: a cut of just over 10%."""
    safety = result(base()).lots[0].safety
    assert safety is not None
    assert safety.leader == ["c"] and safety.challenger == "a"
    assert safety.subjective_points == pytest.approx(15.05)
    assert safety.price_challenger == "a"
    assert safety.price_cut == pytest.approx(0.10, abs=1e-4)


# --- the property: permuting members or bids changes nothing but order ------------------------


def canonical(res: Evaluation) -> str:
    doc = json.loads(res.model_dump_json())
    doc.pop("committee")
    for lot in doc["lots"]:
        if lot["agreement"]:
            lot["agreement"]["leave_one_out"].sort(key=lambda d: d["member"])
        if lot["safety"]:
            lot["safety"]["subjective_members"].sort()
    return json.dumps(doc, sort_keys=True)


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(
        st.lists(st.tuples(st.integers(0, 20), st.integers(0, 100)), min_size=4, max_size=4),
        min_size=5,
        max_size=5,
    ),
    prices=st.lists(st.integers(50, 200), min_size=4, max_size=4),
    data=st.data(),
)
def test_permuting_members_or_bids_changes_nothing_but_order(
    scores: list[list[tuple[int, int]]], prices: list[int], data: st.DataObject
) -> None:
    doc = base()
    doc["bids"] = [
        {
            "id": f"b{i}",
            "name": f"B{i}",
            "price_cny": float(p),
            "size": "small" if i == 0 else "large",
        }
        for i, p in enumerate(prices)
    ]
    doc["scores"] = {
        f"m{k + 1}": {f"b{i}": {"cert": 10, "plan": s[1] / 2} for i, s in enumerate(row)}
        for k, row in enumerate(scores)
    }
    for k, row in enumerate(scores):  # disagreement on the objective factor, sometimes
        doc["scores"][f"m{k + 1}"]["b1"]["cert"] = float(row[0][0])
    shuffled = copy.deepcopy(doc)
    shuffled["committee"] = data.draw(st.permutations(doc["committee"]))
    shuffled["bids"] = data.draw(st.permutations(doc["bids"]))
    shuffled["scores"] = dict(data.draw(st.permutations(list(doc["scores"].items()))))
    assert canonical(result(doc)) == canonical(result(shuffled))


# --- bad input: exit 2, located, nothing written ----------------------------------------------


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "eval.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _scored_by_some(d: dict[str, Any]) -> None:
    del d["scores"]["m4"]["b"]


def _factor_missing(d: dict[str, Any]) -> None:
    del d["scores"]["m2"]["c"]["plan"]


def _over_max(d: dict[str, Any]) -> None:
    d["scores"]["m3"]["a"]["plan"] = 50.5


def _member_twice(d: dict[str, Any]) -> None:
    d["committee"].append({"id": "m2", "name": "again", "role": "expert"})


def _price_zero(d: dict[str, Any]) -> None:
    d["bids"][1]["price_cny"] = 0.0


def _price_negative(d: dict[str, Any]) -> None:
    d["bids"][1]["price_cny"] = -5.0


def _no_such_lot(d: dict[str, Any]) -> None:
    d["bids"][2]["lot"] = "lot9"


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_scored_by_some, "not by m4"),
        (_factor_missing, "factor 'plan'"),
        (_over_max, "outside 0..50"),
        (_member_twice, "listed twice"),
        (_price_zero, "price_cny"),
        (_price_negative, "price_cny"),
        (_no_such_lot, "lot9"),
    ],
)
def test_bad_input_is_exit_2_located_and_writes_nothing(
    tmp_path: Path, edit: Any, words: str
) -> None:
    data = base()
    edit(data)
    path = write(tmp_path, data)
    out = tmp_path / "report.json"
    res = run("evaluate", str(path), "-o", str(out))
    assert res.exit_code == 2, res.output
    assert words in res.stderr
    assert f"{path}:" in res.stderr and "Traceback" not in res.stderr
    located = res.stderr.split(f"{path}:")[1].split(":")[0]
    assert located.isdigit() and int(located) > 1
    assert not out.exists()


def test_a_score_over_max_is_located_at_its_line(tmp_path: Path) -> None:
    data = base()
    data["scores"]["m3"]["a"]["plan"] = 50.5
    path = write(tmp_path, data)
    res = run("evaluate", str(path))
    assert f"{path}:{line_of(path, 'plan: 50.5')}:" in res.stderr
    assert "第六十四条" in res.stderr


# --- the example, the CLI, the workbook, the report and verify ---------------------------------


@pytest.fixture(scope="module")
def example_json() -> dict[str, Any]:
    res = run("evaluate", str(EXAMPLE), "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_the_example_has_what_the_issue_asks(example_json: dict[str, Any]) -> None:
    lot = example_json["lots"][0]
    assert len(example_json["committee"]) == 5 and len(lot["bids"]) == 6
    assert [b["size"] for b in lot["bids"]].count("small") == 1
    checks = {f["check"] for f in example_json["findings"]}
    assert {"objective_disagreement", "abnormally_low"} <= checks
    assert lot["candidates"] == ["a", "b", "d"]


def test_yaml_and_workbook_give_byte_identical_json() -> None:
    from_yaml = run("evaluate", str(EXAMPLE), "--json")
    from_xlsx = run("evaluate", str(EXAMPLE_XLSX), "--json")
    assert from_yaml.exit_code == from_xlsx.exit_code == 0, from_xlsx.output
    assert from_yaml.stdout == from_xlsx.stdout


def test_a_workbook_error_names_sheet_row_and_column(tmp_path: Path) -> None:
    from procure.evaluation.workbook import workbook_from
    from procure.inputs.yamlio import read_yaml

    data = read_yaml(EXAMPLE).data
    data["scores"]["m2"]["c"]["tech"] = 26
    path = tmp_path / "eval.xlsx"
    path.write_bytes(workbook_from(data, "zh"))
    res = run("evaluate", str(path), "--lang", "zh")
    assert res.exit_code == 2
    assert f"{path}:m2:4:B:" in res.stderr  # sheet m2, row 4 (bid c), column B (tech)


def test_the_template_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "eval.xlsx"
    assert run("evaluate", "--template", str(path), "--lang", "zh").exit_code == 0
    book = load_workbook(path)
    assert book.sheetnames[:4] == ["项目", "评审因素", "投标", "评标委员会"]
    assert "m1" in book.sheetnames
    assert book["投标"].data_validations.dataValidation  # drop-downs and number checks
    assert run("evaluate", "--template", str(path)).exit_code == 2  # never overwritten


def test_the_terminal_speaks_chinese_first() -> None:
    res = run("evaluate", str(EXAMPLE))
    assert res.exit_code == 0
    assert "评审得分" in res.stdout and "中标候选人" in res.stdout and "投标人" in res.stdout
    english = run("evaluate", str(EXAMPLE), "--lang", "en")
    assert "Recommended candidates" in english.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_pdf_and_verify(tmp_path: Path, lang: str) -> None:
    from pypdf import PdfReader

    out = tmp_path / f"report-{lang}.pdf"
    res = run("evaluate", str(EXAMPLE), "-o", str(out), "--lang", lang)
    assert res.exit_code == 0, res.output
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    if lang == "zh":
        assert "评审报告" in text and "中标候选人" in text and "第六十四条" in text
        from .test_language import ENGLISH_RUN

        rest = " ".join(text.split())
        for word in ("prefecture-lot1.yaml", "lot1", "procure verify"):  # the user's, the tool's
            rest = rest.replace(word, " ")
        assert not ENGLISH_RUN.findall(rest), ENGLISH_RUN.findall(rest)[:5]
    else:
        assert "Evaluation report" in text and "Kendall" in text
    assert set(PdfReader(out).attachments) == {"prefecture-lot1.yaml", "evaluation.json"}
    verified = run("verify", str(out))
    assert verified.exit_code == 0, verified.output
    edited = tmp_path / "prefecture-lot1.yaml"
    edited.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("price_cny: 7450000", "price_cny: 7550000"),
        encoding="utf-8",
    )
    changed = run("verify", str(out), "--against", str(edited))
    assert changed.exit_code == 4
    assert "price_cny" in changed.stdout or "total" in changed.stdout


def test_errors_speak_the_language_the_file_states(tmp_path: Path) -> None:
    bad = tmp_path / "eval.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("price_cny: 7450000", "price_cny: 0"),
        encoding="utf-8",
    )
    res = run("evaluate", str(bad))
    assert res.exit_code == 2
    assert "错误" in res.stderr and "应大于或等于 0.01" in res.stderr and f"{bad}:27:" in res.stderr


def test_a_consultation_speaks_its_own_terms(tmp_path: Path) -> None:
    """214号: 供应商, 磋商基准价 and 成交候选供应商, not 投标人 and 中标候选人."""
    data = base(procedure="competitive_consultation", language="zh")
    res = run("evaluate", str(write(tmp_path, data)))
    assert res.exit_code == 0, res.output
    assert "磋商基准价" in res.stdout and "成交候选供应商" in res.stdout
    assert "中标候选人" not in res.stdout and "投标人" not in res.stdout


def test_the_legal_figures_with_their_dates() -> None:
    """财库〔2020〕46号 art. 9 (6%-10%) until 2022-06-30; 财库〔2022〕19号 (10%-20%) from
    2022-07-01; nothing known before 2021-01-01. Every rule says where it was read or why it
    is assumed, and its Chinese side is Chinese."""
    import re

    from pydantic import BaseModel

    from procure.evaluation.law import Rule, law

    kb = law()
    assert kb.sme_rule("2022-06-30").range == (0.06, 0.10)  # type: ignore[union-attr]
    assert kb.sme_rule("2022-07-01").range == (0.10, 0.20)  # type: ignore[union-attr]
    assert kb.sme_rule("2020-12-31") is None
    assert kb.committee.open_tender.min_members == 5
    assert kb.committee.open_tender.large_budget_cny == 10_000_000
    rules: list[Rule] = []

    def walk(node: Any) -> None:
        if isinstance(node, Rule):
            rules.append(node)
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(kb)
    assert len(rules) >= 14
    for rule in rules:
        assert rule.read or rule.assumption, rule
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rule.effective), rule
        assert rule.document.startswith("《") and re.search(r"[\u3400-\u9fff]", rule.zh), rule


def test_the_evaluation_schema_validates_the_example() -> None:
    import jsonschema

    from procure.inputs.yamlio import read_yaml

    res = run("schema", "--evaluation")
    assert res.exit_code == 0
    schema = json.loads(res.stdout)
    jsonschema.validate(read_yaml(EXAMPLE).data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**read_yaml(EXAMPLE).data, "method": "lottery"}, schema)


def test_a_hostile_workbook_is_refused_located(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from procure.evaluation.workbook import workbook_from
    from procure.inputs.yamlio import read_yaml

    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a zip")
    res = run("evaluate", str(fake), "--lang", "en")
    assert res.exit_code == 2 and "not an .xlsx workbook" in res.stderr
    path = tmp_path / "eval.xlsx"
    path.write_bytes(workbook_from(read_yaml(EXAMPLE).data, "zh"))
    book = load_workbook(path)
    book["投标"]["B3"] = "齐鲁\u202e公司"  # a right-to-left override in a bidder's name
    book.save(path)
    res = run("evaluate", str(path), "--lang", "en")
    assert res.exit_code == 2
    assert f"{path}:投标:3:B:" in res.stderr and "U+202E" in res.stderr


def test_two_lots_are_evaluated_apart() -> None:
    """Lot 2 has its own factor and its own base price: B's 120 is its lot's lowest."""
    data = base()
    data["lots"].append(
        {
            "id": "lot2",
            "name": "lot two",
            "price_weight": 0.40,
            "factors": [{"id": "ops", "name": "operations", "max": 60, "kind": "subjective"}],
        }
    )
    for b in data["bids"]:
        b["lot"] = "lot1"
    data["bids"].append(
        {"id": "d", "name": "D", "price_cny": 150.0, "size": "large", "lot": "lot2"}
    )
    data["bids"].append(
        {"id": "e", "name": "E", "price_cny": 120.0, "size": "large", "lot": "lot2"}
    )
    data["bids"].append(
        {"id": "g", "name": "G", "price_cny": 200.0, "size": "large", "lot": "lot2"}
    )
    for m in data["scores"]:
        for x in "deg":
            data["scores"][m][x] = {"ops": 30}
    res = result(data)
    lot1, lot2 = res.lots
    assert lot1.base_price_cny == 90 and lot2.base_price_cny == 120
    e = next(b for b in lot2.bids if b.bid == "e")
    assert e.price_points == 40.0 and e.total == 70.0 and e.rank == 1
    assert [b.bid for b in lot1.bids] == ["c", "a", "b"]


def test_lowest_price_safety_is_the_runner_up_cut() -> None:
    """Lowest evaluated price: A 100 first, D 105 second; D must go below 100 (a 4.76% cut)."""
    data = base(method="lowest_price")
    data["scores"] = {}
    data["bids"] = [
        {"id": "a", "name": "A", "price_cny": 100.0, "size": "large"},
        {"id": "d", "name": "D", "price_cny": 105.0, "size": "large"},
        {"id": "g", "name": "G", "price_cny": 130.0, "size": "large"},
    ]
    safety = result(data).lots[0].safety
    assert safety is not None and safety.leader == ["a"]
    assert safety.price_challenger == "d"
    assert safety.price_cut == pytest.approx(1 - 99.995 / 105, abs=1e-4)  # under 100.00 to the fen


def test_standard_input(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from procure.cli import app

    res = CliRunner().invoke(app, ["evaluate", "-", "--json"], input=EXAMPLE.read_text("utf-8"))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["lots"][0]["candidates"] == ["a", "b", "d"]
