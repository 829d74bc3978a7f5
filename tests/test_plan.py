"""The procurement plan (issue #24): each legal rule at and around its limit, with its article;
the working-day calendar on known holidays; `procure plan` through the real CLI on every
example, in English and in Chinese."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from procure.advice.assess import assess
from procure.advice.knowledge import knowledge
from procure.award.instance import build_instance, evaluate
from procure.award.optimizer import optimize
from procure.inputs.load import load_inputs
from procure.inputs.scenario import Scenario
from procure.plan.build import (
    Qualification,
    approval,
    build_plan,
    consultation_cases,
    decide_method,
    evaluation_plan,
    open_threshold,
    qualification_check,
    schedule,
    sme_terms,
)
from procure.plan.lots import Scope, ceiling, estimates, scopes
from procure.plan.rules import plan_knowledge
from procure.plan.workdays import WorkCalendar

from .conftest import EXAMPLES, example, run
from .test_terminal_language import english_runs, user_words

KB = plan_knowledge()
ROUTES = knowledge().routes
FORBIDDEN = ("winner", "bidder", "price to win", "中标", "投标人")


def scenario_with(path: Path, **procurement: Any) -> Scenario:
    s = load_inputs(path).scenario
    return s.model_copy(update={"procurement": s.procurement.model_copy(update=procurement)})


def whole(s: Scenario) -> Scope:
    return Scope("lot-1", KB.methods["open_tender"].name, tuple(str(x.id) for x in s.systems), ())


# ---- the open-tender threshold (国办发〔2019〕55号; no silent default) ----


def test_a_central_unit_uses_the_central_threshold_and_says_so() -> None:
    """国办发〔2019〕55号: central units' services threshold is 2 M CNY, stated with its date."""
    s = load_inputs(example("prefecture-binzhou")).scenario
    central = s.model_copy(update={"agency": s.agency.model_copy(update={"level": "central"})})
    value, basis, missing = open_threshold(central, KB)
    assert (value, missing) == (2_000_000, False)
    assert "国办发〔2019〕55号" in basis.en and "2020-01-01" in basis.en


def test_a_local_unit_uses_its_own_figure_or_is_told_to_give_it() -> None:
    """A local unit follows its province's figure: the scenario's, named; with none, the
    lowest known figure is used and the plan says so as a finding (never a silent default)."""
    given = scenario_with(example("prefecture-binzhou"), open_tender_threshold_cny=4_000_000.0)
    value, basis, missing = open_threshold(given, KB)
    assert (value, missing) == (4_000_000, False)
    # named as the scenario's own figure, in the reader's words (the key is the technical
    # annex's business, #26)
    assert "4.00 M CNY, the local figure the scenario gives" in basis.en
    assert "400.00万元，情景填写的本地标准" in basis.zh
    assert "open_tender_threshold_cny" not in basis.en + basis.zh
    bare = scenario_with(example("prefecture-binzhou"), open_tender_threshold_cny=None)
    value, basis, missing = open_threshold(bare, KB)
    assert missing and value == KB.threshold_for("central").value  # type: ignore[union-attr]


@pytest.mark.parametrize("delta, above", [(-1.0, False), (0.0, True), (1.0, True)])
def test_approval_of_a_non_open_method_from_the_threshold(delta: float, above: bool) -> None:
    """GPL art. 27; 214号 art. 4 (consultation) and 财政部令第74号 art. 4 (single source):
    approval at or above (达到) the threshold, none just below; decided on the lot's budget."""
    s = scenario_with(example("county-joins-prefecture"), open_tender_threshold_cny=3_000_000.0)
    budget = 3_000_000.0 + delta
    _, reasons = decide_method(s, whole(s), budget, 3_000_000.0, {}, {}, KB, ROUTES)
    said = "at or above" if above else "below"
    assert f"is {said} the open-tender threshold" in reasons[0].en
    consult = approval("competitive_consultation", budget >= 3_000_000.0, KB)
    single = approval("single_source", budget >= 3_000_000.0, KB)
    assert consult is not None and single is not None
    assert ("214号）第四条" in consult.zh) is above
    assert ("第74号）第四条" in single.zh) is above
    assert approval("open_tender", above, KB) is None


# ---- single source for an add-on: only the incumbent, within 10% (GPL art. 31(3), 49) ----


def expansion(original: float, prior: float = 0.0) -> Scenario:
    return scenario_with(
        example("expansion-incumbent"),
        original_contract_cny=original,
        prior_add_ons_cny=prior,
        expansion_value_cny=None,
    )


@pytest.mark.parametrize(
    "estimate, method",
    [(999_999.99, "single_source"), (1_000_000.0, "single_source"), (1_000_000.02, "open_tender")],
)
def test_single_source_add_on_at_the_ten_percent_limit(estimate: float, method: str) -> None:
    """GPL art. 31(3) and art. 49: the add-on, with earlier ones, within 10% of the original
    contract (exactly 10% is within); a cent above is competed."""
    s = expansion(10_000_000.0, prior=0.0)
    inc = str(s.procurement.incumbent)
    got, reasons = decide_method(s, whole(s), 5e6, 2e6, {inc: estimate}, {}, KB, ROUTES)
    expected = method if method == "single_source" else got  # competed: tender or consultation
    assert got == expected
    if method == "single_source":
        assert "第三十一条第（三）项" in reasons[0].zh
        assert any("31(1)" in r.en for r in reasons)  # the notice is the art. 31(1) case's
    else:
        assert got != "single_source" and "Not an add-on case" in reasons[0].en


def test_single_source_never_goes_to_another_supplier() -> None:
    """GPL art. 31(3): only the original supplier. When it is not eligible for the whole lot,
    the lot is competed, even if another candidate is cheapest."""
    s = expansion(100_000_000.0)
    got, reasons = decide_method(s, whole(s), 5e6, 2e6, {"someone-else": 1.0}, {}, KB, ROUTES)
    assert got != "single_source"
    assert "not eligible for the whole lot" in reasons[0].en


def test_the_incumbents_single_source_lot_is_capped_at_its_own_estimate() -> None:
    """The expansion example's lot goes single source to the incumbent, and its ceiling is the
    incumbent's estimate (no three-way competition to price against)."""
    plan = plan_for(example("expansion-incumbent"))
    lot = plan.lots[0]
    assert lot.method == "single_source"
    inc = next(c for c in plan.internal[0].candidates if c.vendor == "telecom-a")
    assert ceiling([inc.estimate_cny], lot.estimated_value_cny, KB) == lot.ceiling_cny


# ---- consultation only in a case of 214号 art. 3; evaluation per 87号令 art. 54 ----


def test_consultation_grounds_are_named_and_paas_alone_is_none() -> None:
    """财库〔2014〕214号 art. 3: case (三) for an unknown quantity (high elasticity), case (二)
    for a new bespoke SaaS system; a migrated PaaS system at medium elasticity is no case."""
    base = load_inputs(example("county-joins-prefecture")).scenario
    sys0 = base.systems[0]

    def with_system(**kw: Any) -> Scenario:
        return base.model_copy(update={"systems": [sys0.model_copy(update=kw)]})

    paas = with_system(layers=["iaas", "paas"], elasticity="medium", legacy=True)
    assert consultation_cases(paas, whole(paas), KB) == []
    method, _ = decide_method(paas, whole(paas), 5e6, 2e6, {}, {}, KB, ROUTES)
    assert method == "open_tender"
    elastic = with_system(layers=["iaas"], elasticity="high")
    [case] = consultation_cases(elastic, whole(elastic), KB)
    assert "第三条（三）" in case.zh
    bespoke = with_system(layers=["iaas", "saas"], elasticity="low", legacy=False)
    [case] = consultation_cases(bespoke, whole(bespoke), KB)
    assert "第三条（二）" in case.zh
    method, reasons = decide_method(bespoke, whole(bespoke), 5e6, 2e6, {}, {}, KB, ROUTES)
    assert method == "competitive_consultation" and "（二）" in reasons[1].zh


def test_uniform_iaas_is_lowest_price_and_anything_else_is_scored() -> None:
    """财政部令第87号 art. 54: uniform standards (IaaS resources at unit prices) are evaluated
    by lowest evaluated price in an open tender; with PaaS, or in a consultation (214号 art.
    23), comprehensive scoring, its price weight in the legal range for services."""
    base = load_inputs(example("county-joins-prefecture")).scenario
    weights = assess(base, load_inputs(example("county-joins-prefecture")).vendors).weights.weights
    iaas = base.model_copy(
        update={"systems": [s.model_copy(update={"layers": ["iaas"]}) for s in base.systems]}
    )
    ev = evaluation_plan("open_tender", iaas, whole(iaas), weights, KB, ROUTES)
    assert ev.method == "lowest_price" and "第五十四条" in ev.basis
    ev = evaluation_plan("competitive_consultation", iaas, whole(iaas), weights, KB, ROUTES)
    assert ev.method == "comprehensive_scoring" and ev.price_range == (0.10, 0.30)
    assert sum(r.points for r in ev.table) == 100
    price = next(r.points for r in ev.table if r.factor.en == "Price")
    assert 10 <= price <= 30
    paas = base.model_copy(
        update={
            "systems": [s.model_copy(update={"layers": ["iaas", "paas"]}) for s in base.systems]
        }
    )
    ev = evaluation_plan("open_tender", paas, whole(paas), weights, KB, ROUTES)
    assert ev.method == "comprehensive_scoring" and ev.price_range == (0.10, 1.0)
    with_layers = Scope("lot-1", whole(iaas).name, whole(iaas).systems, ("security", "ops"))
    ev = evaluation_plan("open_tender", iaas, with_layers, weights, KB, ROUTES)
    assert ev.method == "comprehensive_scoring"


@pytest.mark.parametrize(
    "budget, reserved", [(1_999_999.0, True), (2_000_000.0, True), (2_000_001.0, False)]
)
def test_sme_terms_at_the_two_million_line(budget: float, reserved: bool) -> None:
    """财库〔2020〕46号 art. 8: services of 2 M CNY or less reserved for SMEs; above, at least
    30% of the suitable parts; price deduction 10-20% (财库〔2022〕19号, from 1 July 2022)."""
    terms = sme_terms("open_tender", budget, KB)
    assert ("专门面向中小企业采购" in terms[0].zh) is reserved
    assert ("30%以上" in terms[0].zh) is not reserved
    assert "10%至20%" in terms[1].zh and "财库〔2022〕19号" in terms[1].zh
    assert "财库〔2020〕46号）第八条" in terms[0].zh
    assert "不适用" in sme_terms("single_source", budget, KB)[0].zh


# ---- competition depth and ceilings (GPL art. 36) ----


@pytest.mark.parametrize("n", [2, 3, 4])
def test_ceiling_leaves_three_candidates_under_it(n: int) -> None:
    """GPL art. 36: an open tender needs three responsive suppliers; the ceiling is the third
    lowest estimate (all, when fewer), never below the lot's value, rounded up to 10,000."""
    costs = [1_000_000.0, 1_234_567.0, 1_500_001.0, 2_000_000.0][:n]
    top = ceiling(costs, 900_000.0, KB)
    assert top is not None and top % 10_000 == 0
    assert sum(c <= top for c in costs) >= min(n, 3)
    assert top - 10_000 < sorted(costs)[min(n, 3) - 1] <= top
    assert ceiling(costs, 5_000_000.0, KB) == 5_000_000.0  # never below the lot's value
    assert ceiling([], 1.0, KB) is None


@pytest.fixture(scope="module")
def binzhou() -> tuple[Any, ...]:
    inputs = load_inputs(example("prefecture-binzhou"))
    a = assess(inputs.scenario, inputs.vendors)
    kb = knowledge()
    award = optimize(
        inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, kb.costs, extras=False
    )
    return inputs, a, award


def test_whole_lot_estimates_match_the_independent_evaluator(binzhou: tuple[Any, ...]) -> None:
    """Each candidate counted eligible can take the whole lot alone under the award's rules, at
    the estimate the plan gives (checked by `award.evaluate`, not the plan's own arithmetic);
    every other candidate breaks a rule whatever platform it offers."""
    inputs, a, award = binzhou
    s = inputs.scenario
    inst = build_instance(s, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs)
    inst.min_vendors = 1  # a sole supplier: the vendor-count rule is not an eligibility rule
    inst.budget = 1e15
    inst.max_share = 1.0  # nor the share cap, which splits an award among several
    [scope] = scopes(s, award)
    found = estimates(inst, scope)
    for vid in inst.vendors:
        layers = dict.fromkeys(scope.layers, vid)
        choices = {
            sid: min(
                ((sid2, v, m) for sid2, v, m in inst.triples if sid2 == sid and v == vid),
                key=lambda k: inst.cost[k],
                default=None,
            )
            for sid in scope.systems
        }
        if any(c is None for c in choices.values()):
            assert vid not in found
            continue
        ev = evaluate(inst, {sid: (c[1], c[2]) for sid, c in choices.items() if c}, layers, vid)
        if ev.violations:
            assert vid not in found, ev.violations
        else:
            assert found[vid] == pytest.approx(ev.total_cost, abs=0.01)


def test_fewer_than_three_is_never_planned_as_a_competition(
    binzhou: tuple[Any, ...],
) -> None:
    """GPL art. 36; 214号 art. 6: the prefecture's single lot has one eligible candidate, so the
    plan adopts the cheapest change that gives three (its per-lot checks, the brute force and
    the blocked case: tests/test_plan_competition.py): every lot has its method's minimum, and
    the candidates counted are the internal estimate's."""
    inputs, a, award = binzhou
    plan = build_plan(
        inputs.scenario,
        award,
        a.deployment,
        a.weights.weights,
        inputs.vendors,
        knowledge().costs,
        ROUTES,
        date(2026, 3, 2),
    )
    assert len(plan.lots) == 2 and len(plan.adjustments) == 1
    for lot, internal in zip(plan.lots, plan.internal, strict=True):
        assert lot.eligible == len(internal.candidates) >= 3
        law = KB.minimum(lot.method)
        assert law is not None and lot.eligible >= law.min_suppliers
        assert not lot.risks and lot.adjustment == plan.adjustments[0].note


# ---- working days and the dated timeline ----


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # 国庆 1-7 Oct 2026
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # Saturday 10 Oct is a working day
        (date(2026, 9, 29), 7, date(2026, 10, 14)),  # a challenge period across 国庆
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Saturday 14 Feb, before 春节, works
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # 春节 15-23 Feb 2026
    ],
)
def test_working_days_on_the_2026_holiday_calendar(start: date, n: int, expected: date) -> None:
    """GPL art. 52: the 7-working-day challenge period counts working days on the State
    Council's 2026 holiday calendar (adjusted weekend working days included)."""
    cal = WorkCalendar()
    assert cal.add_working_days(start, n) == expected
    assert not cal.guessed


def test_years_past_the_calendar_fall_back_to_weekends_and_say_so() -> None:
    cal = WorkCalendar()
    assert cal.add_working_days(date(2030, 10, 4), 1) == date(2030, 10, 7)  # Fri -> Mon
    assert cal.guessed == {2030}


@pytest.mark.parametrize("start", [date(2026, 1, 5), date(2026, 8, 31), date(2026, 9, 1)])
def test_the_intent_is_public_thirty_days_before_the_documents(start: date) -> None:
    """财库〔2020〕10号: the procurement intent is published at least 30 days before the
    procurement starts; every step ends on a working day (Civil Code art. 203); the contract
    follows the 7-working-day challenge period (GPL art. 52) within 30 days (art. 46)."""
    cal = WorkCalendar()
    for method in ("open_tender", "competitive_consultation", "single_source"):
        steps = {s.id: s for s in schedule(method, True, start, cal, KB)}  # type: ignore[arg-type]
        publish = date.fromisoformat(steps["intent_notice"].start)
        first = "negotiation" if method == "single_source" else "issue"
        issued = date.fromisoformat(steps[first].start)
        assert issued - publish >= timedelta(days=30)
        assert issued - publish < timedelta(days=30) + timedelta(days=12)  # no idle month
        for s in steps.values():
            assert cal.is_workday(date.fromisoformat(s.end)), s
        notice = date.fromisoformat(steps["challenge"].start)
        assert date.fromisoformat(steps["challenge"].end) == cal.add_working_days(notice, 7)
        signed = date.fromisoformat(steps["contract"].end)
        assert signed > date.fromisoformat(steps["challenge"].end)
        assert signed - notice <= timedelta(days=30)
    # a 30th day on a holiday: 2 Sept + 30 days = 2 Oct (国庆): documents go out on 8 Oct
    steps = {s.id: s for s in schedule("open_tender", False, date(2026, 9, 2), cal, KB)}
    assert steps["issue"].start == "2026-10-08"
    assert steps["bidding_period"].end == "2026-10-28"  # 20 days, a Wednesday


def test_qualifications_refuse_a_forbidden_condition() -> None:
    """财政部令第87号 art. 17; implementing regulations art. 20: no size, capital, ownership or
    location condition; a qualification that is not a lawful rule is refused."""
    ok = Qualification(id="mlps", text=KB.qualifications.rules[0].name, basis="x")
    assert "第十七条" in qualification_check([ok], KB).zh
    bad = Qualification(id="registered_capital", text=ok.text, basis="x")
    with pytest.raises(ValueError, match="registered_capital"):
        qualification_check([ok, bad], KB)


def test_every_threshold_figure_is_dated_and_cited() -> None:
    for law in KB.thresholds:
        assert law.document and law.article and law.effective_date() <= date(2026, 12, 5)
        assert law.source or law.assumption
    assert KB.threshold_for(KB.fallback_threshold.level) is not None


def _cited(node: object) -> list[Any]:
    """Every entry of the plan knowledge that says where it comes from."""
    from pydantic import BaseModel

    from procure.advice.knowledge import Cited

    found: list[Any] = []
    if isinstance(node, Cited):
        found.append(node)
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += _cited(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            found += _cited(item)
    elif isinstance(node, dict):
        for item in node.values():
            found += _cited(item)
    return found


def test_a_law_read_says_where_it_was_read() -> None:
    """A legal figure marked `source:` was read: the entry names the place (a site or a public
    repository) and the reading ('read...'); a report citation names chapter and slide. Anything
    else is an `assumption:` naming the document."""
    entries = _cited(KB)
    assert len(entries) > 40
    read = [e for e in entries if e.source and not e.source.startswith("iResearch 2020, ch.")]
    assert len(read) >= 12
    for e in read:
        assert e.source.startswith("read"), e.source
        assert "." in e.source.split(":", 1)[1] or "GitHub" in e.source, e.source
    unread = [e for e in entries if e.assumption and not e.source]
    for e in unread:
        assert e.assumption.en.strip() and e.assumption.zh.strip()


def test_the_central_threshold_is_the_one_read_in_55() -> None:
    """国办发〔2019〕55号 part 四: goods or services of 200万元 or more are openly tendered, from
    2020-01-01; the article is part 四 (earlier knowledge said 第三条)."""
    central = KB.threshold_for("central")
    assert central is not None and central.source
    assert central.value == 2_000_000 and central.effective == "2020-01-01"
    assert central.article.startswith("四") and "200万元" in central.source


# ---- procure plan through the real CLI ----


def plan_for(path: Path) -> Any:
    from procure.plan.build import Plan

    result = run("plan", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return Plan.model_validate_json(result.stdout)


@pytest.fixture(scope="module")
def outputs() -> dict[tuple[str, str], Any]:
    """Each example once per language, on a wide terminal (so that no user's name is folded
    across table lines, which would hide it from the language check)."""
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "400")
        for path in EXAMPLES:
            for lang in ("en", "zh"):
                out[(path.stem, lang)] = run("plan", str(path), "--lang", lang)
            out[(path.stem, "json")] = run("plan", str(path), "--json")
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_procure_plan_on_every_example(path: Path, outputs: dict[tuple[str, str], Any]) -> None:
    """Every example plans in both languages; Chinese output has no run of English words
    outside the user's names; no output names a winner, a bidder or a price to win; the lots
    themselves name no supplier (the per-supplier figures are under `internal` only)."""
    for lang in ("en", "zh"):
        result = outputs[(path.stem, lang)]
        assert result.exit_code == 0, result.stderr
        text = result.stdout.lower()
        assert not [w for w in FORBIDDEN if w in text], path
    zh = outputs[(path.stem, "zh")].stdout
    assert "内部测算，不公开" in zh and "年" in zh
    runs = english_runs(zh, user_words(path))
    assert not runs, runs[:10]  # (a user's name is replaced before the check)
    assert "Internal estimate, not for publication" in outputs[(path.stem, "en")].stdout
    data = json.loads(outputs[(path.stem, "json")].stdout)
    inputs = load_inputs(path)
    lots_text = json.dumps(data["lots"], ensure_ascii=False)
    for v in inputs.vendors:
        if v.id != inputs.scenario.procurement.incumbent:  # the add-on names its supplier
            assert f'"{v.id}"' not in lots_text
    assert {lot["id"] for lot in data["lots"]} == {i["lot"] for i in data["internal"]}


def test_plan_json_is_deterministic_and_dated_from_the_scenario(variant: Any) -> None:
    path = variant(
        lambda d: d["procurement"].update(start="2026-09-02"), example("county-joins-prefecture")
    )
    first, second = run("plan", str(path), "--json"), run("plan", str(path), "--json")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["start"] == "2026-09-02"
    zh = run("plan", str(path), "--lang", "zh").stdout
    assert "2026年9月2日" in zh


@pytest.mark.parametrize("bad", ["2026-13-01", "next week", "2026-2-3"])
def test_a_bad_start_date_is_bad_input(bad: str, variant: Any) -> None:
    path = variant(lambda d: d["procurement"].update(start=bad), example("county-joins-prefecture"))
    result = run("plan", str(path))
    assert result.exit_code == 2
    assert "procurement.start" in result.stderr or "start" in result.stderr
    assert "Traceback" not in result.stderr


def test_contract_and_acceptance_follow_the_lot() -> None:
    """合同管理安排 and 履约验收方案: pricing by the lot's layers (iResearch 2020, ch.3, "中国政务云
    行业的商业模式"); acceptance on the CAICT dimensions (ch.4, "政务云应用成果评价思路"): the
    migration item only for a lot with existing systems, response times only for a lot with
    security or operations services, the MLPS test at the lot's highest level; every line has a
    citation or a stated assumption."""
    from procure.plan.contract import contract_plan
    from procure.text import Text

    s = load_inputs(example("county-joins-prefecture")).scenario
    ids = [str(x.id) for x in s.systems]
    capacity = Text(en="some", zh="若干")
    full = contract_plan(s, ids, ["iaas", "security", "ops"], capacity, KB)
    legacy = [x.name for x in s.systems if x.legacy]
    assert legacy  # the example migrates existing systems
    texts = [t.text.zh for t in full.acceptance]
    assert any("迁移完成" in t and all(n in t for n in legacy) for t in texts)
    assert any("响应时限" in t for t in texts)
    level = max(x.mlps_level for x in s.systems)
    assert any(f"等保第{level}级" in t for t in texts)
    assert len(full.pricing) == 2  # resources, and the security and operations fee
    new_only = [str(x.id) for x in s.systems if not x.legacy]
    assert new_only
    bare = contract_plan(s, new_only, ["iaas"], capacity, KB)
    assert not any("迁移完成" in t.text.zh or "响应时限" in t.text.zh for t in bare.acceptance)
    assert [p.text.en for p in bare.pricing] == [full.pricing[0].text.en]
    for term in [full.type, *full.pricing, *full.clauses, *full.acceptance]:
        assert term.basis.en and term.basis.zh
        assert "iResearch" not in term.basis.zh


def test_an_unquoted_yaml_date_is_the_start_date(tmp_path: Path) -> None:
    """`start: 2026-09-02` (a YAML timestamp, unquoted) reads as the date's text, not an error
    about YAML tags; other explicit tags stay refused."""
    text = example("county-joins-prefecture").read_text(encoding="utf-8")
    path = tmp_path / "dated.yaml"
    path.write_text(
        text.replace("procurement:\n", "procurement:\n  start: 2026-09-02\n", 1), "utf-8"
    )
    result = run("plan", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["start"] == "2026-09-02"


def test_an_infeasible_scenario_exits_3_without_a_plan(variant: Any) -> None:
    """As every command: no award within the budget is exit 3 with the diagnosis, no traceback."""
    path = variant(lambda d: d["procurement"].update(budget_cny=1000), example("county-west"))
    result = run("plan", str(path))
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr and not result.stdout


def test_a_figure_not_yet_in_force_is_a_caution(binzhou: tuple[Any, ...]) -> None:
    """The plan warns when a figure's effective date is after the plan starts (财库〔2022〕19号
    took effect on 1 July 2022: a plan starting the day before is cautioned, the day after not)."""
    inputs, a, award = binzhou

    def cautions(start: str) -> list[str]:
        s = inputs.scenario
        s = s.model_copy(update={"procurement": s.procurement.model_copy(update={"start": start})})
        plan = build_plan(
            s,
            award,
            a.deployment,
            a.weights.weights,
            inputs.vendors,
            knowledge().costs,
            ROUTES,
            date(2026, 1, 1),
        )
        return [c.zh for c in plan.cautions]

    assert any("财库〔2022〕19号" in c for c in cautions("2022-06-30"))
    assert not any("财库〔2022〕19号" in c for c in cautions("2022-07-01"))


def test_parallel_iaas_lots_are_lowest_price_end_to_end(variant: Any) -> None:
    """财政部令第87号 art. 54 through the CLI: parallel contracts for IaaS-only systems of known
    quantity give platform lots of uniform resources (open tender, lowest evaluated price); the
    security and operations lot is scored."""

    def iaas(d: dict[str, Any]) -> None:
        for s in d["systems"]:
            s["layers"] = ["iaas"]
            s["elasticity"] = "medium"

    data = plan_for(variant(iaas, example("municipality-parallel")))
    platform = [lot for lot in data.lots if lot.systems]
    services = [lot for lot in data.lots if not lot.systems]
    assert platform and services
    for lot in platform:
        assert lot.method == "open_tender" and lot.evaluation.method == "lowest_price", lot.id
        assert not lot.evaluation.table
    assert all(lot.evaluation.method == "comprehensive_scoring" for lot in services)


def test_a_budget_below_the_ceilings_is_a_finding(binzhou: tuple[Any, ...]) -> None:
    """A ceiling may not exceed the budget: a scenario budget a yuan below the lots' ceilings
    is a finding naming the shortfall; a budget equal to them is not."""
    inputs, a, award = binzhou

    def findings(budget: float | None) -> tuple[float, list[str]]:
        s = inputs.scenario
        if budget is not None:
            s = s.model_copy(
                update={"procurement": s.procurement.model_copy(update={"budget_cny": budget})}
            )
        plan = build_plan(
            s,
            award,
            a.deployment,
            a.weights.weights,
            inputs.vendors,
            knowledge().costs,
            ROUTES,
            date(2026, 3, 2),
        )
        return plan.total_ceiling_cny or 0.0, [f.en for f in plan.findings]

    total, _ = findings(None)
    assert total > 0
    _, at = findings(total)
    assert not any("below the ceilings" in f for f in at)
    _, under = findings(total - 1)
    assert any("below the ceilings" in f and "1 CNY" in f for f in under)


# ---- provincial thresholds (河南省政府集中采购目录及标准（2020年版）), by level ----


def agency_in(path: Path, level: str, province: str | None, **procurement: Any) -> Scenario:
    s = scenario_with(path, **procurement)
    agency = s.agency.model_copy(update={"level": level, "province": province})
    return s.model_copy(update={"agency": agency})


@pytest.mark.parametrize(
    "level, province, value",
    [
        ("province", "henan", 4_000_000),  # 省级
        ("prefecture", "henan", 2_000_000),  # 市级（不含郑州市）
        ("prefecture", "henan-zhengzhou", 4_000_000),  # 郑州市本级
        ("county", "henan", 2_000_000),  # 县级
    ],
)
def test_a_henan_unit_uses_its_provinces_figure_for_its_level(
    level: str, province: str, value: float
) -> None:
    """GPL art. 27: a local unit's threshold is its province's; Henan's 2020 catalogue sets
    400万元 for provincial and Zhengzhou city-level units, 200万元 for other cities and counties.
    The basis names the document, not the scenario; a scenario figure that differs is not used
    and is said so."""
    s = agency_in(example("prefecture-binzhou"), level, province, open_tender_threshold_cny=None)
    got, basis, missing = open_threshold(s, KB)
    assert (got, missing) == (value, False)
    assert "河南省政府集中采购目录及标准" in basis.zh and "2020年3月9日" in basis.zh
    other = agency_in(
        example("prefecture-binzhou"), level, province, open_tender_threshold_cny=value + 1
    )
    got, basis, _ = open_threshold(other, KB)
    assert got == value and "未采用情景填写" in basis.zh


@pytest.mark.parametrize("delta, above", [(-1.0, False), (0.0, True), (1.0, True)])
def test_the_henan_provincial_threshold_at_its_limit(delta: float, above: bool) -> None:
    """GPL art. 27 with Henan's 400万元 for provincial units: a consultation lot whose budget
    reaches (达到) it needs approval (财库〔2014〕214号 art. 4); one yuan below, none."""
    s = agency_in(example("prefecture-binzhou"), "province", "henan")
    threshold, _, _ = open_threshold(s, KB)
    assert threshold == 4_000_000
    needs = approval("competitive_consultation", 4_000_000 + delta >= threshold, KB)
    assert needs is not None
    assert ("214号）第四条" in needs.zh) is above


def test_an_unsourced_province_asks_for_it_and_uses_the_central_figure() -> None:
    """No figure could be read for this province: the plan does not invent one. It asks for
    agency.province (naming the sourced ones) or the scenario's figure, and uses the central
    200万元 as a finding."""
    s = agency_in(example("prefecture-binzhou"), "prefecture", "shandong")
    value, basis, missing = open_threshold(s, KB)
    assert missing and value == 2_000_000
    assert "province" in basis.en and "Henan" in basis.en  # the setting's key: technical annex
    assert "河南省" in basis.zh and "henan" not in basis.zh
    given = agency_in(
        example("prefecture-binzhou"), "prefecture", "shandong", open_tender_threshold_cny=3e6
    )
    assert open_threshold(given, KB)[:3:2] == (3e6, False)


def test_a_bad_province_key_is_bad_input(variant: Any) -> None:
    """agency.province is a key of the knowledge's regions: text that cannot be one is refused
    with the field named and exit 2."""

    def edit(d: dict[str, Any]) -> None:
        d["agency"]["province"] = "Henan Province!"

    result = run("plan", str(variant(edit)))
    assert result.exit_code == 2
    assert "agency.province" in result.stderr and "Traceback" not in result.stderr


# ---- 采购意向公开 by level (财库〔2020〕10号) ----


@pytest.mark.parametrize(
    "level, day, required",
    [
        ("central", date(2020, 6, 30), False),
        ("central", date(2020, 7, 1), True),
        ("province", date(2020, 12, 31), False),
        ("province", date(2021, 1, 1), True),
        ("prefecture", date(2021, 12, 31), False),
        ("county", date(2022, 1, 1), True),
    ],
)
def test_the_intent_notice_applies_from_each_levels_date(
    level: str, day: date, required: bool
) -> None:
    """财库〔2020〕10号: central units publish intents for procurements from 1 July 2020,
    provincial units from 1 January 2021, units below the province from 1 January 2022; before
    its date a level's plan has no intent step."""
    from procure.plan.build import intent_required

    assert intent_required(level, day, KB) is required
    steps = [s.id for s in schedule("open_tender", False, day, WorkCalendar(), KB, required)]
    assert ("intent_notice" in steps) is required


# ---- a figure in force, not yet, or no longer; the knowledge date ----


def test_a_figure_out_of_force_on_the_start_day_is_a_caution() -> None:
    """A figure applies from its effective date through its `until` date: the day before it
    starts, and the day after it ends, are cautions; its first and last days are not."""
    from procure.plan.build import in_force_cautions

    law = KB.sme.deduction.model_copy(update={"until": "2030-06-30"})
    assert in_force_cautions([law], date(2022, 6, 30))
    assert not in_force_cautions([law], date(2022, 7, 1))
    assert not in_force_cautions([law], date(2030, 6, 30))
    late = in_force_cautions([law], date(2030, 7, 1))
    assert late and "2030年6月30日" in late[0].zh


def test_a_plan_after_the_knowledge_date_says_to_check_the_figures(
    binzhou: tuple[Any, ...],
) -> None:
    """The brief prints the date its legal figures were checked; a plan that starts later
    says to check them for changes, one that starts on it does not."""
    inputs, a, award = binzhou

    def plan_from(start: str) -> Any:
        s = inputs.scenario
        s = s.model_copy(update={"procurement": s.procurement.model_copy(update={"start": start})})
        return build_plan(
            s,
            award,
            a.deployment,
            a.weights.weights,
            inputs.vendors,
            knowledge().costs,
            ROUTES,
            date(2026, 1, 1),
        )

    known = date.fromisoformat(KB.knowledge_date)
    on = plan_from(known.isoformat())
    after = plan_from((known + timedelta(days=1)).isoformat())
    assert not any("法规数据截至" in c.zh for c in on.cautions)
    assert any("法规数据截至" in c.zh for c in after.cautions)
    assert on.knowledge_date == KB.knowledge_date


# ---- the joining plan (an agency that joins its parent's cloud) ----


@pytest.fixture(scope="module")
def county() -> tuple[Any, ...]:
    inputs = load_inputs(example("county-joins-prefecture"))
    a = assess(inputs.scenario, inputs.vendors)
    award = optimize(
        inputs.scenario,
        a.deployment,
        a.weights.weights,
        inputs.vendors,
        knowledge().costs,
        extras=False,
    )
    plan = build_plan(
        inputs.scenario,
        award,
        a.deployment,
        a.weights.weights,
        inputs.vendors,
        knowledge().costs,
        ROUTES,
        date(2026, 3, 2),
    )
    return inputs, award, plan


def test_a_county_joining_its_parents_cloud_gets_a_joining_plan(county: tuple[Any, ...]) -> None:
    """A small county under a unified prefecture cloud joins it (the partnership rule): its
    plan is a joining plan (what to request, the services and fees, the parent's terms, dated
    steps); buying alone stays as the compared alternative, the lots."""
    inputs, award, plan = county
    s = inputs.scenario
    j = plan.joining
    assert plan.kind == "join" and j is not None and plan.lots
    assert [x.system for x in j.services] == [x.name for x in s.systems]
    rate = knowledge().cashflow.parameters["parent_fee_rate"].value
    assert j.total_cny == pytest.approx(rate * award.total_cost_cny, abs=0.01)
    assert sum(x.fee_cny for x in j.services) == pytest.approx(j.total_cny, abs=0.05)
    assert j.alone_cny == award.total_cost_cny
    assert any("等保第3级" in r.text.zh for r in j.requests)  # the highest level it needs
    cal = WorkCalendar()
    ends = [date.fromisoformat(x.end) for x in j.steps]
    assert all(cal.is_workday(d) for d in ends) and ends == sorted(ends)
    months = knowledge().cashflow.parameters["parent_onboarding_months"].value
    first = date.fromisoformat(j.first_service)
    assert first == cal.on_or_after(date(2026, 3, 2) + timedelta(days=round(months * 30.4375)))


def test_an_agency_that_does_not_join_gets_a_tender_plan(binzhou: tuple[Any, ...]) -> None:
    """A prefecture with no cloud above to join: a tender plan, no joining plan."""
    inputs, a, award = binzhou
    plan = build_plan(
        inputs.scenario,
        award,
        a.deployment,
        a.weights.weights,
        inputs.vendors,
        knowledge().costs,
        ROUTES,
        date(2026, 3, 2),
    )
    assert plan.kind == "tender" and plan.joining is None


def test_verify_re_renders_the_plans_dates_on_another_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's timeline starts, when the scenario gives no start, on the brief record's
    date, not on the day it is read: a brief verified a year later re-renders the same dates
    and passes (exit 0)."""
    from .conftest import brief_file

    pdf = brief_file("county-west", ".pdf", "--lang", "en")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1764374400 + 365 * 86400))
    result = run("verify", str(pdf))
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_henan_prefecture_plan_states_its_provinces_figure_end_to_end(variant: Any) -> None:
    """GPL art. 27 through the CLI: a prefecture that names its province (agency.province:
    henan) gets Henan's 200万元 for cities other than Zhengzhou, said with its document and
    taken from the knowledge (no finding asks for it); a central unit naming a province still
    follows 国办发〔2019〕55号."""

    def henan(d: dict[str, Any]) -> None:
        d["agency"]["province"] = "henan"
        d["procurement"].pop("open_tender_threshold_cny", None)

    result = run("plan", str(variant(henan)), "--json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["threshold_cny"] == 2_000_000 and plan["threshold_from"] == "source"
    assert "河南省政府集中采购目录及标准" in plan["threshold_basis"]["zh"]
    assert not any("未给出公开招标数额标准" in f["zh"] for f in plan["findings"])
    central = agency_in(example("prefecture-binzhou"), "central", "henan")
    value, basis, missing = open_threshold(central, KB)
    assert (value, missing) == (2_000_000, False) and "国办发〔2019〕55号" in basis.zh
