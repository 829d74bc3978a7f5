"""Robustness: flip points re-checked on the real assessment, SMAA on hand-built cases."""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
    first_overtaking,
    first_rank_acceptability,
    shifted,
)
from procure.inputs.scenario import CRITERIA, Scenario
from procure.inputs.vendors import DEPLOYMENT_MODELS, builtin_catalog

from .conftest import EXAMPLES, load, quick_examples

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


def test_fits_in_chunks_of_draws_equal_the_fits_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`FitModel.best` bounds its memory by chunks of draws (a province's draws took 2 GB at
    once); every chunking gives the same answer as one pass."""
    from procure.analysis import sensitivity

    s = load("municipality-multivendor")
    a = assess(s, CATALOG)
    fm = FitModel(s, a.deployment, knowledge().deployment)
    w = np.random.default_rng(7).dirichlet(np.ones(len(CRITERIA)), size=257)
    whole = fm.best(w)
    for cells in (1, len(s.systems) * 5 * 3, 10**9):
        monkeypatch.setattr(sensitivity, "CHUNK_CELLS", cells)
        assert np.array_equal(fm.best(w), whole)
    assert whole.shape == (257, len(s.systems))


@pytest.mark.parametrize("name", ["prefecture-binzhou", "municipality-multivendor"])
def test_flip_points_verified_just_below_and_above(name: str) -> None:
    s = load(name)
    a = assess(s, CATALOG)  # the flips are the placements': no award re-solve needed
    result = analyse(
        s, a.deployment, a.weights.weights, CATALOG, draws=100, award_draws=0, award_intervals=False
    )
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


def _step(calls: list[float]) -> tuple[dict[str, float], object]:
    """The award of test_award_interval_on_a_known_step, counting its solves in `calls`."""
    weights = {"security": 0.35, "flexibility": 0.2, "scalability": 0.15, "cost": 0.3}

    def award_at(w: dict[str, float]) -> str:
        calls.append(w["cost"])
        return "A" if 0.1 < w["cost"] <= 0.42 else "B"

    return weights, award_at


@pytest.mark.parametrize(
    "predict",
    [
        lambda a, b: next((x for x in (0.1, 0.42) if min(a, b) < x <= max(a, b)), None),
        lambda a, b: (a + b) / 2 + 0.003,  # always wrong: verified, then halved
        lambda a, b: None,  # nothing known: the far end, then halvings
        lambda a, b: 0.6 if max(a, b) >= 0.6 else None,  # a change that is not there
    ],
    ids=["right", "wrong", "none", "phantom"],
)
def test_a_predicted_interval_is_verified_by_solves(predict: object) -> None:
    """Whatever the predictions say, the ends are those of the award itself, to the
    tolerance, and a right prediction costs two solves an end against the grid's ten."""
    calls: list[float] = []
    weights, award_at = _step(calls)
    low, high, precision = award_interval(award_at, weights, "cost", predict=predict)  # type: ignore[arg-type]
    assert 0 < precision <= 0.01
    assert 0.1 < low <= 0.11 and 0.41 <= high <= 0.42
    grid: list[float] = []
    award_interval(_step(grid)[1], weights, "cost")  # type: ignore[arg-type]
    if predict is not None and calls and predict(0.3, 0.0) == 0.1:  # type: ignore[operator]
        assert len(calls) <= 5 < len(grid)


def test_first_overtaking_finds_where_two_linear_scores_cross() -> None:
    """Base 1 - t, rival 0.5 + t: they cross at 0.25; a rival ahead from the start is left
    out (the solver kept the base there); no rival at all: none."""

    def score(t: float) -> tuple[float | None, list[float | None]]:
        return 1 - t, [0.5 + t, 2.0, None]

    assert first_overtaking(score, 0.0, 1.0) == pytest.approx(0.25)
    assert first_overtaking(score, 0.9, 0.0) is None  # downwards the rival falls behind
    assert first_overtaking(lambda t: (1 - t, []), 0.0, 1.0) is None
    # the base's known awards infeasible from 0.5 on: a change is predicted there
    at = first_overtaking(lambda t: (None if t >= 0.5 else 1.0, [0.0]), 0.0, 1.0)
    assert at == pytest.approx(0.5)


def _mix_at(s: Scenario, a: Assessment, c: str, t: float, start: object) -> object:
    from procure.award.optimizer import optimize

    kb = knowledge()
    w = shifted(a.weights.weights, c, t)
    placed = assess_deployment(s, w, kb.deployment, kb.rules)
    return optimize(s, placed, w, CATALOG, kb.costs, extras=False, start=start)  # type: ignore[arg-type]


@cache
def both_searches(name: str) -> tuple[Scenario, Assessment, object, Sensitivity, Sensitivity]:
    from procure.award.optimizer import optimize

    s = load(name)
    a = assess(s, CATALOG)
    base = optimize(s, a.deployment, a.weights.weights, CATALOG, knowledge().costs, extras=False)
    run = [
        analyse(
            s,
            a.deployment,
            a.weights.weights,
            CATALOG,
            draws=100,
            award_draws=10,
            base_award=base,
            predicted=predicted,
        )
        for predicted in (False, True)
    ]
    return s, a, base, run[0], run[1]


@pytest.mark.parametrize("path", quick_examples())
def test_predicted_intervals_equal_the_halvings(path: Path) -> None:
    """On the bundled examples the predicted ends equal the grid-and-halvings' to within its
    0.01, or the two disagree only where the mixes tie within the award's gap (0.01%): there
    the award of the base mix found at the further end scores, where the other search met
    another mix, at least that mix's score less the gap (so either answer is right)."""
    from procure.award.instance import build_instance, evaluate
    from procure.award.optimizer import Award, choice_of

    s, a, base, old, new = both_searches(path.stem)
    assert isinstance(base, Award)
    kb = knowledge()
    mix = {(v.vendor, v.role) for v in base.vendors}
    for was, now in zip(old.criteria, new.criteria, strict=True):
        assert was.award_interval is not None and now.award_interval is not None
        assert 0 <= now.precision <= 0.01
        for side in (0, 1):
            t_old, t_new = was.award_interval[side], now.award_interval[side]
            if abs(t_old - t_new) <= 0.0101:
                continue
            sign = 1 if side else -1
            further = max(t_old, t_new) if side else min(t_old, t_new)
            other = was if further == t_new else now  # the search that stopped sooner
            seen = other.award_interval[side] + sign * other.precision  # type: ignore[index]
            held = _mix_at(s, a, now.criterion, further, base)
            rival = _mix_at(s, a, now.criterion, seen, base)
            assert isinstance(held, Award) and isinstance(rival, Award)
            assert {(v.vendor, v.role) for v in held.vendors} == mix
            w = shifted(a.weights.weights, now.criterion, seen)
            inst = build_instance(
                s, assess_deployment(s, w, kb.deployment, kb.rules), w, CATALOG, kb.costs
            )
            there = evaluate(inst, *choice_of(held))
            assert not there.violations
            assert there.objective >= rival.objective - 1e-4 * abs(rival.objective), (
                now.criterion,
                side,
                t_old,
                t_new,
            )


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


def test_a_spent_budget_scans_no_prediction(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the budget spent no solve can verify a predicted end, so no weight is scanned
    (each scan builds an instance: minutes at a province's size, #25): no instance is built,
    and the intervals are those of the grid-and-halvings search under the same spent budget."""
    import procure.award.instance as instance
    from procure.award.budget import Budget
    from procure.award.optimizer import optimize

    s, a, _ = case("prefecture-binzhou")
    kb = knowledge()
    base = optimize(s, a.deployment, a.weights.weights, CATALOG, kb.costs, extras=False)
    builds = 0
    real = instance.build_instance

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal builds
        builds += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(instance, "build_instance", counted)
    results = [
        analyse(
            s,
            a.deployment,
            a.weights.weights,
            CATALOG,
            draws=100,
            award_draws=3,
            base_award=base,
            budget=Budget(0.001),
            predicted=predicted,
        )
        for predicted in (True, False)
    ]
    assert builds == 0
    predicted, grid = results
    for now, was in zip(predicted.criteria, grid.criteria, strict=True):
        assert now.award_interval == was.award_interval
        assert now.precision == was.precision


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
