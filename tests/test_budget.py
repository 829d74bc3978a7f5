"""The analysis's time budget (--time-budget): past it, nothing is guessed. The award is still
solved (it has its own --time-limit); what the budget left out is said in the output."""

from __future__ import annotations

import time

import pytest

from procure.advice.assess import assess
from procure.advice.knowledge import knowledge
from procure.award.budget import MIN_SOLVE, Budget
from procure.award.optimizer import optimize
from procure.inputs.load import load_inputs
from procure.recommendation import recommend
from procure.text import Text

from .conftest import example, run

ENOUGH = 3600.0


def test_a_budget_gives_each_solve_its_cap_or_what_is_left() -> None:
    assert Budget().limit(10) == 10  # no budget: the cap
    roomy = Budget(100)
    assert roomy.limit(10) == 10
    assert 0 < (roomy.limit(1000) or 0) <= 100
    spent = Budget(MIN_SOLVE / 10)
    time.sleep(MIN_SOLVE / 5)
    assert spent.limit(10) is None and spent.left() < 0
    assert spent.said() is None  # nothing left out yet
    child = spent.child()
    what = Text(en="the frontier", zh="前沿")
    child.cut(what)
    child.cut(what)
    assert spent.cuts == [] and child.cuts == [what]  # once, and per stage
    said = child.said()
    assert said is not None and "--time-budget" in said.en and "--time-budget" in said.zh


def test_extras_past_the_budget_are_said_not_guessed() -> None:
    inputs = load_inputs(example("county-west"))
    s, vendors = inputs.scenario, inputs.vendors
    a = assess(s, vendors)
    kb = knowledge()
    full = optimize(s, a.deployment, a.weights.weights, vendors, kb.costs, budget=Budget(ENOUGH))
    assert full.rule_costs and full.frontier and full.alternatives
    cut = optimize(s, a.deployment, a.weights.weights, vendors, kb.costs, budget=Budget(0.001))
    # the award is the same: the budget bounds what surrounds it, not the award itself
    assert cut.total_cost_cny == full.total_cost_cny and cut.status == "Optimal"
    assert cut.rule_costs == [] and cut.frontier == [] and cut.alternatives == []
    said = " ".join(c.en for c in cut.cautions)
    assert "Left out for lack of time" in said and "vendor count" in said
    assert "--time-budget" in said and "frontier" in said and "next-best mixes (0 of 3" in said
    assert "时间预算" in " ".join(c.zh for c in cut.cautions)


def test_a_brief_past_its_budget_states_what_it_left_out() -> None:
    inputs = load_inputs(example("county-west"))
    s, vendors = inputs.scenario, inputs.vendors
    rec = recommend(s, inputs.base_dir, vendors=vendors, time_budget=0.001)
    assert rec.award is not None and rec.award.status == "Optimal"
    assert rec.robustness is not None and rec.robustness.budget_note is not None
    assert rec.robustness.acceptability.award_draws == 0
    assert all(b.unknown for b in rec.bidders if b.outcome == "lost")
    roomy = recommend(s, inputs.base_dir, vendors=vendors, time_budget=ENOUGH)
    assert roomy.robustness is not None and roomy.robustness.budget_note is None
    assert roomy.robustness.acceptability.award_draws > 0
    assert all(c.precision <= 0.01 for c in roomy.robustness.criteria)


@pytest.mark.parametrize("command", ["brief", "optimize", "sensitivity"])
def test_time_budget_is_an_option_with_limits(command: str) -> None:
    result = run(command, str(example("county-west")), "--time-budget", "0")
    assert result.exit_code == 2 and "--time-budget" in result.stderr


def test_an_extra_cut_short_by_its_solve_limit_is_said_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The next-best mixes and the frontier stop at a re-solve that runs out of its own time
    limit: that stop depends on the machine's speed, so the award says it (and `procure verify`
    reads it as a brief cut short) instead of listing fewer mixes as if the rules ended it."""
    import procure.award.optimizer as optimizer
    from procure.documents.verify import OUT_OF_TIME

    inputs = load_inputs(example("prefecture-binzhou"))
    a = assess(inputs.scenario, inputs.vendors)
    args = (inputs.scenario, a.deployment, a.weights.weights, inputs.vendors, knowledge().costs)
    award = optimize(*args, extras=False)
    real = optimizer.solve_exact
    calls = {"n": 0}

    def slow(model: object, *rest: object, **kw: object) -> tuple[str, float]:
        calls["n"] += 1
        if calls["n"] == 1:
            return real(model, *rest, **kw)  # type: ignore[arg-type]
        return "Time limit", 10.0

    monkeypatch.setattr(optimizer, "solve_exact", slow)
    monkeypatch.setattr(optimizer, "_neighbour", lambda *_: None)  # every mix by a solve
    budget = Budget(ENOUGH)
    model = optimizer.model_for(optimizer.build_instance(*args), "highs")
    alternatives = optimizer.alternatives(model, optimizer.choice_of(award), "highs", budget=budget)
    assert len(alternatives) == 1  # the first, then a solve that ran out of time
    said = budget.said()
    assert said is not None and "次优方案" in said.zh
    assert any(mark in said.en for mark in OUT_OF_TIME)
    assert "(1 of 3 found)" in said.en


def test_the_analyses_side_by_side_or_one_after_the_other_agree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quick award has its robustness analysis and bidder explanations run side by side, a
    slow one (a province's) one after the other: with time enough both ways give the same
    recommendation, so the choice changes only where the time goes."""
    import procure.recommendation as module

    inputs = load_inputs(example("county-west"))
    s, vendors = inputs.scenario, inputs.vendors
    side = recommend(s, inputs.base_dir, vendors=vendors, time_budget=ENOUGH)
    assert side.award is not None and side.award.seconds < module.SIDE_BY_SIDE
    assert any(b.price_to_win is not None for b in side.bidders)
    monkeypatch.setattr(module, "SIDE_BY_SIDE", 0.0)  # every award counts as slow
    after = recommend(s, inputs.base_dir, vendors=vendors, time_budget=ENOUGH)
    assert after.model_dump_json() == side.model_dump_json()
