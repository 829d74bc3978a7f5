"""Recommendations that follow the report and the law: placement, what the integrator keeps,
parallel contracts, joining the cloud of the level above, the JV as one builder-operator, and
the compliance gates. Each test names its slide or article."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from procure.advice.assess import assess
from procure.advice.knowledge import knowledge
from procure.analysis.cashflow import compare_modes
from procure.inputs.vendors import builtin_catalog

from .conftest import ROOT, brief, cli_stdout, example, load, run

CATALOG = builtin_catalog().vendors


def brief_json(path: Path, tmp_path: Path) -> dict[str, Any]:
    if path.parent == ROOT / "scenarios":  # a bundled example's: written once, shared
        return json.loads(brief(path.stem, ".json"))
    out = tmp_path / f"{path.stem}.json"
    result = run("brief", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("sensitivity", "facing", "reason", "public_allowed"),
    [
        ("low", True, None, True),
        ("medium", False, None, False),
        ("medium", True, None, False),
        ("medium", False, "the application is an open-data mirror", True),
        ("high", False, "any reason", False),
    ],
)
def test_public_cloud_only_for_non_sensitive_systems(
    sensitivity: str, facing: bool, reason: str | None, public_allowed: bool
) -> None:
    """iResearch 2020, ch.2, "政务云的部署模式": governments keep services within their
    jurisdiction; public cloud is for non-sensitive systems that deal with the public often. A
    scenario may allow a medium-sensitivity system with a stated reason; never a high one."""
    s = load("county-west")
    system = s.systems[1].model_copy(
        update={"sensitivity": sensitivity, "public_facing": facing, "public_cloud_reason": reason}
    )
    s = s.model_copy(update={"systems": [system]})
    placement = assess(s, CATALOG).deployment.placements[0]
    public = next(f for f in placement.fits if f.model == "public")
    assert (public.score is not None) is public_allowed
    if reason and public_allowed:
        assert any(reason in r.en for r in placement.reasons)


def test_a_classified_system_is_refused_naming_the_rule(variant: Callable[..., Path]) -> None:
    """Classified (涉密) systems follow the Law on Guarding State Secrets, not this procurement."""
    path = variant(lambda d: d["systems"][0].update(classified=True))
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "systems[0].classified" in result.stderr and "保守国家秘密法" in result.stderr


def test_security_assessment_required_excludes_undeclared_platforms(
    variant: Callable[..., Path],
) -> None:
    """《云计算服务安全评估办法》 and ch.5 "中国政务云发展挑战及建议（3/3）": required excludes
    platforms that do not declare the assessment, with the reason named (exit 3)."""
    path = variant(lambda d: d["procurement"].update(security_assessment="required"))
    result = run("optimize", str(path))
    assert result.exit_code == 3 and "security assessment required" in result.stderr


def test_security_assessment_preferred_cautions_each_undeclared_winner(
    variant: Callable[..., Path], tmp_path: Path
) -> None:
    award = json.loads(run("optimize", "--json", str(example("prefecture-binzhou"))).stdout)
    assert len(award["cautions"]) == 1
    names = [v["name"] for v in award["vendors"]]
    assert all(n in award["cautions"][0]["en"] for n in names)
    quiet = variant(lambda d: d["procurement"].update(security_assessment="any"))
    assert json.loads(run("optimize", "--json", str(quiet)).stdout)["cautions"] == []
    bids = ROOT / "scenarios" / "vendors" / "bids-example.yaml"
    text = bids.read_text(encoding="utf-8").replace(
        "    domestic_stack: true", "    domestic_stack: true\n    security_assessed: true"
    )
    (tmp_path / "bids.yaml").write_text(text, encoding="utf-8")
    assessed = variant(
        lambda d: (
            d.update(vendors="bids.yaml"),
            d["procurement"].update(security_assessment="required"),
        ),
        base=ROOT / "tests" / "data" / "hardening" / "base.yaml",
    )
    result = run("optimize", "--json", str(assessed))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["cautions"] == []


def test_integrator_rules_are_switches_priced_in_rule_costs(variant: Callable[..., Path]) -> None:
    """政府采购法 art. 48; 财政部令第87号 art. 35: subcontractors do only non-main, non-key work.
    Each of the three readings is a rule with a switch, and its cost is reported."""
    award = json.loads(run("optimize", "--json", str(example("province-integrated-jv"))).stdout)
    rules = {r["rule"] for r in award["rule_costs"]}
    assert {"lead_share", "mlps4_with_integrator", "security_with_integrator"} <= rules
    lead = next(v for v in award["vendors"] if v["role"] == "integrator")
    assert all(v["share"] <= lead["share"] + 1e-4 for v in award["vendors"])
    assert "security" in lead["layers"]
    assert (
        next(s for s in award["systems"] if s["system"] == "emergency")["vendor"] == lead["vendor"]
    )
    off = variant(
        lambda d: d["procurement"].update(
            integrator_rules={
                "lead_share": False,
                "mlps4_with_integrator": False,
                "security_with_integrator": False,
            }
        ),
        base=example("province-integrated-jv"),
    )
    loose = json.loads(run("optimize", "--json", str(off)).stdout)
    assert not {"lead_share", "mlps4_with_integrator", "security_with_integrator"} & {
        r["rule"] for r in loose["rule_costs"]
    }
    assert loose["total_cost_cny"] <= award["total_cost_cny"] + 1


def test_parallel_contracts_have_no_integrator_and_are_compared(tmp_path: Path) -> None:
    """The report's Beijing case (ch.4-1, "北京：北京市政务云"): providers side by side."""
    path = example("municipality-parallel")
    award = json.loads(cli_stdout("optimize", "--json", str(path)))  # shared with test_language
    assert award["integrator"] is None and award["structure"] == "parallel"
    assert {v["role"] for v in award["vendors"]} == {"parallel"}
    rate = knowledge().costs.parallel_integration_rate
    hosting = award["cost_breakdown"]["hosting"]
    assert award["cost_breakdown"]["integrator_fee"] == pytest.approx(rate * hosting, abs=1)
    both = json.loads(run("optimize", "--json", "--structure", "both", str(path)).stdout)
    assert set(both) == {"integrator", "parallel"}
    assert both["parallel"]["total_cost_cny"] == award["total_cost_cny"]
    rec = brief_json(path, tmp_path)
    options = {o["structure"]: o for o in rec["structures"]}
    assert options["parallel"]["chosen"] and not options["integrator"]["chosen"]
    assert options["integrator"]["total_cost_cny"] == both["integrator"]["total_cost_cny"]


def test_a_small_county_joins_its_prefecture_cloud(tmp_path: Path) -> None:
    """ch.3 "中国政务云市场结构及预测": few counties build their own integrated cloud;
    ch.4-1: the Binzhou prefecture cloud carries 33 county units."""
    path = example("county-joins-prefecture")
    a = json.loads(run("assess", "--json", str(path)).stdout)
    assert a["partnership"]["recommended"] == "join_parent_cloud"
    rec = brief_json(path, tmp_path)
    c = rec["comparison"]
    assert c["recommended"] == "join_parent_cloud" and c["parent"] is not None
    assert c["parent"]["npv_cny"] < c["direct"]["npv_cny"]  # a fee, no build, no re-tender
    assert len(c["parent"]["flows"]) == rec["scenario"]["partnership"]["horizon_years"]
    richer = load("county-joins-prefecture")
    richer = richer.model_copy(
        update={
            "agency": richer.agency.model_copy(
                update={"tech_staff": 40, "annual_it_budget_cny": 50_000_000}
            )
        }
    )
    assert assess(richer, CATALOG).partnership.recommended != "join_parent_cloud"


def test_the_jv_saving_is_net_of_the_company_margin() -> None:
    """ch.2 "中国政务云的政企合作模式": the enterprise carries the commercial risk, so the JV
    company charges a margin that the government pays."""
    s = load("province-integrated-jv")
    a = assess(s, CATALOG)
    kb = knowledge()

    def jv_npv(margin: float) -> float:
        p = s.partnership.model_copy(update={"jv_margin": margin})
        c = compare_modes(
            s.model_copy(update={"partnership": p}), a.partnership, kb.cashflow, 1e8, 0, "test"
        )
        return c.jv.npv_cny

    assert jv_npv(0.08) > jv_npv(0.0)
    assert jv_npv(0.08) - jv_npv(0.0) == pytest.approx(
        (jv_npv(0.16) - jv_npv(0.0)) / 2, rel=1e-9
    )  # linear in the margin


def test_a_recommended_jv_reads_as_one_builder_operator(tmp_path: Path) -> None:
    """ch.2 "中国政务云的政企合作模式": in the JV model the company builds and operates."""
    rec = brief_json(example("province-jv-operator"), tmp_path)
    assert rec["comparison"]["recommended"] == "joint_venture"
    assert "builder-operator" in rec["award_note"]["en"]
    assert any("partner" in r["en"] for r in rec["assessment"]["route"]["reasons"])
    other = brief_json(example("prefecture-binzhou"), tmp_path)
    assert other["award_note"] is None


def test_the_summary_counts_the_awarded_models_and_names_deviations(
    variant: Callable[..., Path], tmp_path: Path
) -> None:
    """The summary and the award tell one story; a system off its best fit is named."""
    rec = brief_json(example("county-west"), tmp_path)
    line = rec["summary"][0]["en"]
    for model in ("private", "dedicated", "public", "hybrid"):
        n = sum(1 for s in rec["award"]["systems"] if s["model"] == model)
        assert (f"{n} {model}" in line) is (n > 0)
    public = [v.id for v in CATALOG if "public" in v.models]
    no_public = variant(
        lambda d: d["procurement"].update(exclude_vendors=public, budget_cny=5_000_000),
        base=example("county-west"),
    )
    rec = brief_json(no_public, tmp_path)
    assert any(
        "County service portal" in d["en"] and "public" in d["en"] for d in rec["deviations"]
    )
