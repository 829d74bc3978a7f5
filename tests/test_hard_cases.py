"""Small cases that once ran away or broke a rule: interchangeable bidders (8 identical bids),
and a budget at the cost of a feasible award. Each answers within its time limit with an
award that meets every rule exactly, or says that it found none."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from procure.assess import assess
from procure.award import build_instance, evaluate
from procure.errors import ProcureError
from procure.formulation import interchangeable
from procure.knowledge import knowledge
from procure.optimizer import optimize
from procure.scenario import Scenario
from procure.vendors import Vendor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import capable, scenario, vendors, with_budget


def check(s: Scenario, bidders: list[Vendor], limit: float) -> None:
    a = assess(s, bidders)
    try:
        award = optimize(
            s,
            a.deployment,
            a.weights.weights,
            bidders,
            knowledge().costs,
            extras=False,
            time_limit=limit,
        )
    except ProcureError as exc:  # allowed only as "no award within the time limit"
        assert "found no award within" in str(exc)
        return
    assert award.status in ("Optimal", "Time limit")
    if award.status == "Time limit":
        assert award.gap is not None and "time limit" in award.cautions[0].en
    inst = build_instance(s, a.deployment, a.weights.weights, bidders, knowledge().costs)
    choice = (
        {x.system: (x.vendor, x.model) for x in award.systems},
        {layer: v.vendor for v in award.vendors for layer in v.layers},
        award.integrator,
    )
    ev = evaluate(inst, *choice)
    assert not ev.violations, ev.violations
    assert award.total_cost_cny <= s.procurement.budget_cny * (1 + 1e-9)
    base = sum(ev.vendor_value.values())
    assert max(ev.vendor_value.values()) <= s.procurement.max_vendor_share * base * (1 + 1e-9)


def test_identical_bidders_are_ordered_and_solved_within_the_rules() -> None:
    twin = capable(vendors(8, 1)[0], integrator=True)
    twins = [twin.model_copy(update={"id": f"twin-{i}", "name": f"Twin {i}"}) for i in range(8)]
    s = scenario(40, twins, 3)
    s = with_budget(s, s.procurement.budget_cny * 3)
    a = assess(s, twins)
    inst = build_instance(s, a.deployment, a.weights.weights, twins, knowledge().costs)
    assert interchangeable(inst) == [sorted(t.id for t in twins)]
    check(s, twins, limit=30)


@pytest.mark.parametrize("seed", [2])
def test_a_budget_at_a_feasible_awards_cost_answers_in_bounded_time(seed: int) -> None:
    bidders = [capable(v) for v in vendors(8, seed)]
    s = scenario(40, bidders, seed)
    s = with_budget(s, s.procurement.budget_cny * 3)  # roomy, to find a feasible award
    a = assess(s, bidders)
    roomy = optimize(
        s,
        a.deployment,
        a.weights.weights,
        bidders,
        knowledge().costs,
        extras=False,
        time_limit=30,
    )
    check(with_budget(s, roomy.total_cost_cny), bidders, limit=5)  # exactly that cost


def test_integrator_rules_that_block_only_together_are_named_together() -> None:
    """The integrator keeps the main and key work (GPL art. 48; MOF Order 87 art. 35). The
    generated 100x10 tender has no award: no bidder that may lead can both keep the MLPS-4
    systems and provide the security layer. At the limit: dropping any one rule alone gives
    no award; dropping them together does, and the diagnosis names them together."""
    from dataclasses import replace

    from procure.formulation import Model
    from procure.optimizer import diagnose

    catalog = vendors(10, seed=100)
    s = scenario(100, catalog, seed=101)
    a = assess(s, catalog)
    inst = build_instance(s, a.deployment, a.weights.weights, catalog, knowledge().costs)
    singles = [
        replace(inst, lead_share=False),
        replace(inst, integrator_systems=[]),
        replace(inst, integrator_layers=[]),
    ]
    assert all(Model(x, elastic=True).solve()[0] == "Infeasible" for x in singles)
    together = replace(inst, lead_share=False, integrator_systems=[], integrator_layers=[])
    assert Model(together).solve()[0] == "Optimal"
    why = diagnose(inst)
    assert "integrator rules together" in why.en and "GPL art. 48" in why.en
    assert "procurement.integrator_rules.mlps4_with_integrator" in why.en
    assert "同时满足以下总集成规则" in why.zh and "第四十八条" in why.zh
