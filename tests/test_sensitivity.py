"""Robustness: flip points re-checked on the real assessment, SMAA on hand-built cases."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from procure.advice.assess import Assessment, assess
from procure.advice.deployment import assess_deployment
from procure.advice.knowledge import knowledge
from procure.analysis.sensitivity import (
    UNKNOWN,
    FitModel,
    Sensitivity,
    analyse,
    award_interval,
    first_rank_acceptability,
    shifted,
)
from procure.inputs.scenario import CRITERIA, Scenario
from procure.inputs.vendors import DEPLOYMENT_MODELS, builtin_catalog

from .conftest import EXAMPLES, load

CATALOG = builtin_catalog().vendors


@cache
def case(name: str) -> tuple[Scenario, Assessment, Sensitivity]:
    s = load(name)
    a = assess(s, CATALOG)
    return s, a, analyse(s, a.deployment, a.weights.weights, CATALOG, draws=4000, award_draws=6)


def recommended(s: Scenario, weights: dict[str, float]) -> dict[str, str]:
    kb = knowledge()
    placed = assess_deployment(s, weights, kb.deployment, kb.rules)
    return {p.system: p.recommended for p in placed.placements}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_vectorised_fits_agree_with_the_assessment(path: object) -> None:
    s = load(path.stem)  # type: ignore[attr-defined]
    a = assess(s, CATALOG)
    fm = FitModel(s, a.deployment, knowledge().deployment)
    w = np.array([[a.weights.weights[c] for c in CRITERIA]])
    best = fm.best(w)[0]
    assert [DEPLOYMENT_MODELS[i] for i in best] == [p.recommended for p in a.deployment.placements]


@pytest.mark.parametrize("name", ["prefecture-binzhou", "municipality-multivendor"])
def test_flip_points_verified_just_below_and_above(name: str) -> None:
    s, a, result = case(name)
    checked = 0
    for c in result.criteria:
        for flip in c.flips:
            eps = 1e-4
            below = recommended(s, shifted(a.weights.weights, c.criterion, flip.at - eps))
            above = recommended(s, shifted(a.weights.weights, c.criterion, flip.at + eps))
            assert below[flip.system] == flip.before, flip
            assert above[flip.system] == flip.after, flip
            checked += 1
    assert checked >= 5


def test_award_interval_on_a_known_step() -> None:
    """An award that changes exactly at cost weight 0.42 and 0.1: the interval is found."""
    weights = {"security": 0.35, "flexibility": 0.2, "scalability": 0.15, "cost": 0.3}

    def award_at(w: dict[str, float]) -> str:
        return "A" if 0.1 < w["cost"] <= 0.42 else "B"

    low, high, precision = award_interval(award_at, weights, "cost")
    assert 0 < precision <= 0.01  # the last halving's width
    assert low == pytest.approx(0.1, abs=0.011) and low > 0.1
    assert high == pytest.approx(0.42, abs=0.011) and high <= 0.42


def test_an_interval_search_out_of_time_says_how_far_its_ends_may_be() -> None:
    """The same step, but the budget runs out after a few solves: the interval reported is
    where the search stopped, and the precision covers the true ends."""
    weights = {"security": 0.35, "flexibility": 0.2, "scalability": 0.15, "cost": 0.3}
    calls = 0

    def award_at(w: dict[str, float]) -> str:
        nonlocal calls
        calls += 1
        if calls > 4:
            return UNKNOWN
        return "A" if 0.1 < w["cost"] <= 0.42 else "B"

    low, high, precision = award_interval(award_at, weights, "cost")
    assert precision > 0.01
    assert low - precision <= 0.1 < low or low == pytest.approx(0.1, abs=0.011)
    assert high <= 0.42 <= high + precision
    # a search that reaches the scale's ends is exact there
    low, high, precision = award_interval(lambda w: "A", weights, "cost")
    assert (low, high, precision) == (0.0, 1.0, 0.0)


def test_robustness_under_a_spent_budget_says_what_it_left_out() -> None:
    s, a, _ = case("prefecture-binzhou")
    from procure.award.budget import Budget
    from procure.award.optimizer import optimize

    kb = knowledge()
    base = optimize(s, a.deployment, a.weights.weights, CATALOG, kb.costs, extras=False)
    spent = Budget(0.001)
    result = analyse(
        s, a.deployment, a.weights.weights, CATALOG, award_draws=5, base_award=base, budget=spent
    )
    assert result.acceptability.award_draws == 0
    assert result.budget_note is not None
    assert "0 of 5" in result.budget_note.en and "5次" in result.budget_note.zh
    for c in result.criteria:  # nothing re-solved: each end may lie anywhere up to the scale
        assert c.award_interval == (c.base, c.base)
        assert c.precision == pytest.approx(max(c.base, 1 - c.base), abs=1e-4)
        assert "time budget ran out" in c.verdict.en and "时间预算已用完" in c.verdict.zh
    assert "within" in result.budget_note.en


def test_award_holds_inside_its_reported_interval() -> None:
    s, a, result = case("prefecture-binzhou")
    from procure.award.optimizer import optimize

    kb = knowledge()

    def mix(w: dict[str, float]) -> set[tuple[str, str]]:
        placed = assess_deployment(s, w, kb.deployment, kb.rules)
        award = optimize(s, placed, w, CATALOG, kb.costs, extras=False)
        return {(v.vendor, v.role) for v in award.vendors}

    base = mix(a.weights.weights)
    for c in result.criteria:
        assert c.award_interval is not None
        lo, hi = c.award_interval
        assert lo <= c.base <= hi
        for t in (lo, hi):
            assert mix(shifted(a.weights.weights, c.criterion, t)) == base
        assert c.verdict.en.startswith(("robust", "sensitive"))


def _hand_built(profile: list[list[float]], allowed: list[bool]) -> FitModel:
    fm = FitModel.__new__(FitModel)
    fm.systems = ["s1"]
    fm.profile = np.array(profile, dtype=float)
    fm.mod = np.ones((1, len(CRITERIA)))
    fm.adjust = np.zeros((1, len(DEPLOYMENT_MODELS)))
    fm.allowed = np.array([allowed])
    return fm


def test_dominant_option_is_always_first() -> None:
    fm = _hand_built(
        [[90, 90, 90, 90], [50, 60, 70, 80], [10, 20, 30, 40], [89, 89, 89, 89]],
        [True, True, True, True],
    )
    weights = dict(zip(CRITERIA, (0.25,) * 4, strict=True))
    shares = first_rank_acceptability(fm, weights, 5000, seed=1, spread=None)["s1"]
    assert shares["private"] == 1.0


def test_symmetric_options_split_evenly() -> None:
    """Two mirror-image models under uniform weights: 50/50 within sampling error."""
    fm = _hand_built(
        [[100, 0, 50, 50], [0, 100, 50, 50], [0, 0, 0, 0], [0, 0, 0, 0]], [True, True, False, False]
    )
    weights = dict(zip(CRITERIA, (0.25,) * 4, strict=True))
    draws = 20_000
    shares = first_rank_acceptability(fm, weights, draws, seed=3, spread=None)["s1"]
    sigma = (0.25 / draws) ** 0.5
    assert abs(shares["private"] - 0.5) < 4 * sigma
    assert shares["private"] + shares["dedicated"] == pytest.approx(1.0)


def test_acceptability_is_reproducible() -> None:
    s, a, _ = case("county-west")
    fm = FitModel(s, a.deployment, knowledge().deployment)
    one = first_rank_acceptability(fm, a.weights.weights, 3000, seed=9, spread=0.2)
    two = first_rank_acceptability(fm, a.weights.weights, 3000, seed=9, spread=0.2)
    assert one == two


def test_award_acceptability_counts_the_draws_it_used() -> None:
    _, _, result = case("prefecture-binzhou")
    acc = result.acceptability
    assert acc.award_draws == 6
    assert all(0 < share <= 1 for share in acc.vendor_in_mix.values())


def test_a_verdict_names_a_dozen_flipping_systems_and_counts_the_rest() -> None:
    from procure.analysis.sensitivity import NAMED, Flip, _verdict

    flips = [Flip(system=f"s{i:02d}", at=0.3, before="private", after="public") for i in range(20)]
    names = {f"s{i:02d}": f"系统{i}" for i in range(20)}
    text = _verdict("cost", 0.3, (0.2, 0.4), flips, names)
    assert "系统11" in text.zh and "系统12" not in text.zh and "等20个系统" in text.zh
    assert f"and {20 - NAMED} more flip" in text.en
    few = _verdict("cost", 0.3, (0.2, 0.4), flips[:3], names)
    assert "more" not in few.en and "等" not in few.zh and "系统2" in few.zh
