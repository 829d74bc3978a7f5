"""Lots bought by methods other than open tender count together against the open-tender
threshold (GPL art. 28; implementing regulations art. 28, `kb.splitting`): a lot below the
threshold alone needs its method's approval when the project's non-open lots reach it, so that
splitting a lot (as the competition rule may) never evades the approval. At and around the
limit, and through a real plan's timeline."""

from __future__ import annotations

import pytest

from procure.plan.build import Lot, Plan, approval, counted_together
from procure.plan.rules import plan_knowledge

from .conftest import example, run

KB = plan_knowledge()
THRESHOLD = 2_000_000.0


@pytest.fixture(scope="module")
def binzhou() -> Plan:
    result = run("plan", str(example("prefecture-binzhou")), "--json")
    assert result.exit_code == 0, result.stderr
    return Plan.model_validate_json(result.stdout)


def lots_of(base: Lot, *budgets: tuple[str, float]) -> list[Lot]:
    return [
        base.model_copy(
            update={
                "id": f"lot-{i + 1}",
                "method": method,
                "budget_cny": budget,
                "approval": approval(method, budget >= THRESHOLD, KB),  # as the plan sets it
            }
        )
        for i, (method, budget) in enumerate(budgets)
    ]


def consultation(binzhou: Plan) -> Lot:
    lot = next(x for x in binzhou.lots if x.method == "competitive_consultation")
    assert lot.approval is not None  # the method has an approval rule at all
    return lot


@pytest.mark.parametrize(
    ("second", "together"),
    [(899_999.99, False), (900_000.0, True), (900_000.01, True)],
)
def test_below_alone_counted_together_at_the_threshold(
    binzhou: Plan, second: float, together: bool
) -> None:
    lots = lots_of(
        consultation(binzhou),
        ("competitive_consultation", 1_100_000.0),
        ("competitive_consultation", second),
    )
    out, ids = counted_together(lots, THRESHOLD, KB)
    assert ids == ({"lot-1", "lot-2"} if together else set())
    for lot in out:  # each below the threshold alone
        assert lot.approval is not None
        said = "应合并计算" in lot.approval.zh and KB.splitting.cite() in lot.approval.zh
        assert said is together, lot.approval.zh
        assert ("报经财政部门批准" in lot.approval.zh) is together


def test_open_tender_lots_do_not_count(binzhou: Plan) -> None:
    lots = lots_of(
        consultation(binzhou),
        ("competitive_consultation", 1_100_000.0),
        ("open_tender", 5_000_000.0),
    )
    out, ids = counted_together(lots, THRESHOLD, KB)
    assert ids == set() and out == lots


def test_a_lot_above_alone_keeps_its_own_approval(binzhou: Plan) -> None:
    lots = lots_of(
        consultation(binzhou),
        ("competitive_consultation", 2_500_000.0),
        ("competitive_consultation", 300_000.0),
    )
    out, ids = counted_together(lots, THRESHOLD, KB)
    assert ids == {"lot-2"}
    assert out[0] == lots[0]  # its approval is its own, at or above the threshold
    assert out[1].approval is not None and "应合并计算" in out[1].approval.zh


def test_the_law_is_data() -> None:
    law = KB.splitting
    assert "第二十八条" in law.article and law.effective == "2015-03-01"
    assert law.assumption is not None or law.source is not None


def test_every_plan_schedules_the_approval_of_lots_counted_together(binzhou: Plan) -> None:
    """On a real plan: a non-open lot needing approval (alone or together) has the approval
    step in its timeline; a lot that needs none has none."""
    for schedule in binzhou.schedules:
        steps = " ".join(s.name.zh for s in schedule.steps)
        for lot in (x for x in binzhou.lots if x.id in schedule.lots):
            needs = lot.approval is not None and "报经财政部门批准" in lot.approval.zh
            assert ("批准" in steps) is needs, (lot.id, steps)
