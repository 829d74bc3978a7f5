"""The branching solver's parts (`procure.award.mip`): the bounds a node's fixings imply never
cut off an award that meets those fixings (brute force), every node's bound is at least its
whole LP's optimum (HiGHS on the whole model, same bounds) and close to it, and the branching
ends at brute force's optimum."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procure.award import mip, watchdog
from procure.award.formulation import (
    ArrayModel,
    Choice,
    Layout,
    build,
    hint_values,
    interchangeable,
    several_win,
)
from procure.award.instance import CROSS_LAYERS, Instance, evaluate
from procure.award.optimizer import solve_exact

from .test_formulation import generated, led_instances
from .test_optimizer import _vendor, brute_force, feasible_awards, instances


def columns_of(inst: Instance, lay: Layout, n: int, choice: Choice) -> np.ndarray | None:
    """The award's integer columns (placements, layers, winners, the integrator, `multi`) as
    the model reads them, NaN elsewhere; None if the twin rows leave it out."""
    assignment, layers, integrator = choice
    winners = {v for v, _ in assignment.values()} | set(layers.values())
    several = len(winners) > 1 or several_win(inst)
    lead = integrator if several and inst.structure == "integrator" else None
    pairs = hint_values(inst, (assignment, layers, lead), lay.x, lay.z, lay.y, lay.g)
    if pairs is None:
        return None
    x = np.full(n, np.nan)
    for c, value in pairs:
        x[c] = value
    return x


def multi_column(a: mip.Arrays) -> int:
    return a.names.index("multi")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=st.one_of(instances(), led_instances()), data=st.data())
def test_the_bounds_a_nodes_fixings_imply_keep_every_award_meeting_them(
    inst: Instance, data: Any
) -> None:
    """Brute force: fix some vendor and integrator columns (as the branching does), tighten
    the other columns' bounds; every award meeting the rules and the fixings keeps its
    columns within the tightened bounds, and where no bound is left an award meets none."""
    a, lay = build(inst)
    priority = [*lay.y.values(), *lay.g.values()]
    fixed: dict[int, float] = data.draw(
        st.dictionaries(st.sampled_from(priority), st.sampled_from([0.0, 1.0]), max_size=3)
    )
    lo, up = a.col_lower.copy(), a.col_upper.copy()
    for c, value in fixed.items():
        lo[c] = up[c] = value
    consistent = mip._Propagation(a).tighten(lo, up)
    twin_pairs = [pair for group in interchangeable(inst) for pair in itertools.pairwise(group)]
    for choice, _ in feasible_awards(inst):
        x = columns_of(inst, lay, len(a.names), choice)
        if x is None or any(x[c] != value for c, value in fixed.items()):
            continue
        if any(x[lay.y[v]] < x[lay.y[w]] for v, w in twin_pairs):
            continue  # an image the twin rows leave out (the model keeps its ordered twin)
        winners = sum(x[c] for c in lay.y.values())
        x[multi_column(a)] = 1.0 if winners > 1 or several_win(inst) else 0.0
        assert consistent, f"{choice} meets {fixed} yet the fixings were called infeasible"
        known = ~np.isnan(x)
        assert np.all(x[known] >= lo[known]) and np.all(x[known] <= up[known]), choice


def test_contradictory_fixings_are_infeasible_without_a_solve() -> None:
    """Every bidder closed: no system can be placed, and the rows say so at once; with
    none closed, this instance has an award and the rows allow it."""
    inst = generated(30, 6, 1, all_capable=True)
    a, lay = build(inst)
    lo, up = a.col_lower.copy(), a.col_upper.copy()
    for c in lay.y.values():
        lo[c] = up[c] = 0.0
    assert not mip._Propagation(a).tighten(lo, up)
    lo, up = a.col_lower.copy(), a.col_upper.copy()
    assert mip._Propagation(a).tighten(lo, up)


@pytest.fixture(scope="module")
def mid_size() -> tuple[Instance, mip.Arrays, Layout]:
    inst = generated(200, 16, 1)  # has an award (seeds 2-4 have none)
    a, lay = build(inst)
    return inst, a, lay


def whole_lp(a: mip.Arrays, lo: np.ndarray, up: np.ndarray) -> float | None:
    h = mip._model(a, lower=lo, upper=up, integer=False)
    # from a thread, as the solver's own runs are (`award.watchdog`): a plain HiGHS run of
    # another test on this worker's main thread set its task scheduler to two threads, and a
    # one-thread model there then fails to start (kError)
    status = watchdog.Watch(h).run_guarded(120.0)
    if status == "Infeasible":
        return None
    assert status == "Optimal"
    return float(h.getInfo().objective_function_value)


def test_every_node_bound_is_at_least_its_whole_lp(
    mid_size: tuple[Instance, mip.Arrays, Layout],
) -> None:
    """Dives of random fixings, each node started from its parent's basis (after the working
    set grew at other nodes), as the branching runs them: the bound is never below HiGHS's
    optimum of the whole LP at the same bounds and at most 1e-6 above, and a node is
    infeasible exactly when that LP is."""
    _, a, lay = mid_size
    priority = np.array([*lay.y.values(), *lay.g.values()])
    propagation = mip._Propagation(a)
    root_lo, root_up = a.col_lower.copy(), a.col_upper.copy()
    assert propagation.tighten(root_lo, root_up)
    relaxation = mip._Relaxation(
        a, ("link_",), lay.groups, inside=lay.inside, box=propagation.box(root_lo, root_up)
    )
    rng = np.random.default_rng(3)
    deadline = time.perf_counter() + 300
    root = relaxation.solve(root_lo, root_up, deadline)
    assert root is not None
    checked = 0
    for _ in range(4):  # dives from the root
        fixed: dict[int, float] = {}
        basis = root[2]
        for _ in range(4):
            c = int(rng.choice(priority))
            fixed[c] = float(rng.integers(0, 2))
            lo, up = a.col_lower.copy(), a.col_upper.copy()
            for col, value in fixed.items():
                lo[col] = up[col] = value
            if not propagation.tighten(lo, up):  # no award meets them (tested above)
                break
            expected = whole_lp(a, lo, up)
            node = relaxation.solve(lo, up, deadline, basis)
            if expected is None:
                assert node is None, fixed
                break
            assert node is not None, fixed
            assert node[0] >= expected - 1e-9
            assert node[0] <= expected + 1e-6 * max(1.0, abs(expected))
            checked += 1
            basis = node[2]
    assert checked >= 8


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=led_instances())
def test_branching_on_vendors_matches_brute_force_where_the_lead_decides(inst: Instance) -> None:
    """The vendor-first branching (forced on these small models) on instances where only some
    bidders may lead: the optimum is brute force's and the bound is never below it."""
    expected = brute_force(inst)
    model = ArrayModel(inst)
    status, _ = solve_exact(model, branching=True)
    if expected is None:
        assert status == "Infeasible"
        return
    assert status == "Optimal"
    assert model.result is not None and model.result.bound is not None
    assert model.result.bound >= expected - 1e-9
    ev = evaluate(inst, *model.choice())
    assert not ev.violations
    assert ev.objective == pytest.approx(expected, abs=2e-4 * max(1.0, abs(expected)))


def test_the_rounding_mip_ends_within_its_time_limit() -> None:
    """Regression: on a generated 150x12 (seed 1) HiGHS 1.16 looped past the time limit in
    the branching's rounding MIP after a second restart (60 s and more on a 20 s limit). In a
    child process, so a loop fails the test instead of hanging the run."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from tests.test_formulation import generated\n"
        "from procure.award.formulation import ArrayModel\n"
        "model = ArrayModel(generated(150, 12, 1))\n"
        "print(model.solve(time_limit=20, branching=True)[0])\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=45
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "Optimal"


@settings(max_examples=300, deadline=None)
@given(
    members=st.integers(0, 5),
    data=st.data(),
)
def test_the_lead_choice_children_cover_the_node_once(members: int, data: Any) -> None:
    """`mip._choices`: every point a node allows with at most one integrator at 1 (the
    `one_integrator` row) lies in exactly one child, and every child's point is the node's:
    no leader is left out, none counted twice."""
    choice = np.array(
        sorted(data.draw(st.sets(st.integers(0, 9), min_size=members, max_size=members)))
    )
    others = [k for k in range(10) if k not in set(choice.tolist())]
    fixed: dict[int, float] = data.draw(
        st.dictionaries(st.sampled_from([*choice.tolist(), *others]), st.just(0.0), max_size=3)
    )
    children = mip._choices(fixed, choice)
    for lead in [None, *choice.tolist()]:  # the point: this member leads (None: none does)
        point = {int(k): 1.0 if k == lead else 0.0 for k in choice}
        if any(point.get(k, value) != value for k, value in fixed.items()):
            continue  # the node's fixings exclude it
        holding = [c for c in children if all(point.get(k, v) == v for k, v in c.items())]
        assert len(holding) == 1, (lead, fixed, children)
    for child in children:
        assert all(child[k] == value for k, value in fixed.items())
        assert sum(child.get(int(k), 0.0) for k in choice) <= 1


@st.composite
def led_by_many(draw: Any) -> Instance:
    """`instances` where several bidders may lead: every bidder may act as integrator with
    room for everything, the integrator's rules on, and several winners required (as the rule
    cost of MLPS-4 work with the integrator: the relaxation then splits the lead)."""
    inst = draw(instances())
    room = int(sum(inst.vcpu.values())) + draw(st.integers(0, 5))
    vendors = {
        v: d.model_copy(update={"integrator": True, "capacity_vcpu": room})
        for v, d in inst.vendors.items()
    }
    return replace(
        inst,
        structure="integrator",
        lead_share=True,
        integrator_systems=inst.systems[: draw(st.integers(0, 1))],
        vendors=vendors,
        budget=1e6,
        min_vendors=2,
        max_vendors=len(vendors),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=led_by_many())
def test_branching_on_the_lead_matches_brute_force_when_many_may_lead(inst: Instance) -> None:
    """Branching on the integrator choice (forced on these small models) where several
    bidders may lead: brute force's optimum, a bound never below it."""
    expected = brute_force(inst)
    model = ArrayModel(inst)
    status, _ = solve_exact(model, branching=True)
    if expected is None:
        assert status == "Infeasible"
        return
    assert status == "Optimal"
    assert model.result is not None and model.result.bound is not None
    assert model.result.bound >= expected - 1e-9
    ev = evaluate(inst, *model.choice())
    assert not ev.violations
    assert ev.objective == pytest.approx(expected, abs=2e-4 * max(1.0, abs(expected)))


def led_by(k: int) -> Instance:
    """Four bidders that may all lead (the MLPS-4 rule dropped, room for everything), the
    security layer the integrator's (GPL art. 48), a 40% cap so several win; bidder v{k}
    sells the security layer for 5 against 12 and its hosting 6 below the others: the best
    award is led by v{k} alone (brute force says so in the test), yet the relaxation splits
    the lead between several bidders."""
    systems = [f"s{i}" for i in range(4)]
    vcpu = {s: 4.0 + i for i, s in enumerate(systems)}
    vendors = {f"v{j}": _vendor(j, True, 100, 10.0) for j in range(4)}
    triples = [(s, v, "private") for s in systems for v in vendors]
    hosting = {
        t: 40.0 + 7 * ((int(t[0][1]) + 2 * int(t[1][1])) % 5) - (6.0 if t[1] == f"v{k}" else 0.0)
        for t in triples
    }
    total = sum(vcpu.values())
    return Instance(
        structure="integrator",
        lead_share=True,
        integrator_systems=[],
        integrator_layers=["security"],
        systems=systems,
        vcpu=vcpu,
        size={s: vcpu[s] / total for s in systems},
        vendors=vendors,
        triples=triples,
        cost=dict(hosting),
        hosting=hosting,
        value={t: 60.0 + 5 * ((int(t[0][1]) * 3 + int(t[1][1])) % 4) for t in triples},
        layer_options={layer: sorted(vendors) for layer in CROSS_LAYERS},
        layer_cost={
            (layer, v): (5.0 if v == f"v{k}" else 12.0) if layer == "security" else 10.0
            for layer in CROSS_LAYERS
            for v in vendors
        },
        years=3,
        budget=1e6,
        min_vendors=2,
        max_vendors=4,
        max_share=0.4,
        cost_weight=0.5,
        integrator_rate=0.06,
        extra_vendor_cost=5.0,
    )


@pytest.mark.parametrize("k", range(4))
def test_the_lead_is_branched_on_and_no_leader_is_lost(
    k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the relaxation splits the lead, the branching splits it by leader (`_choices`:
    a child for each of the four, one for none) and ends at brute force's optimum, led by
    v{k}, whichever k: a leader's branch dropped or wrongly pruned loses the instance that
    leader wins."""
    splits: list[int] = []
    inner = mip._choices

    def spy(fixed: dict[int, float], choice: np.ndarray) -> list[dict[int, float]]:
        children = inner(fixed, choice)
        splits.append(len(children))
        return children

    monkeypatch.setattr(mip, "_choices", spy)
    inst = led_by(k)
    awards = list(feasible_awards(inst))
    best = max(ev.objective for _, ev in awards)
    leads = {c[2] for c, ev in awards if ev.objective > best - 1e-9}
    assert leads == {f"v{k}"}  # the instance is what it says: only v{k} leads a best award
    model = ArrayModel(inst)
    assert solve_exact(model, branching=True)[0] == "Optimal"
    assert model.result is not None and model.result.bound is not None
    assert model.result.bound >= best - 1e-9
    ev = evaluate(inst, *model.choice())
    assert not ev.violations
    assert ev.objective == pytest.approx(best, abs=2e-4 * abs(best))
    assert model.choice()[2] == f"v{k}"
    assert 5 in splits  # the lead was split four ways (and none)


def a_leader_third_by_its_bound() -> Instance:
    """Found by search (hypothesis `find` over `led_by_many`): four bidders may lead (no
    MLPS-4 or key-layer rule; v1 has no option and cannot win), and the best award's leader,
    v3, has only the third-best LP bound of the four leads. A search that kept only the
    leaders of the best bounds, instead of closing a lead by its bound against the incumbent,
    loses it."""
    vendors = {f"v{j}": _vendor(j, True, 4, setup) for j, setup in enumerate([0.0, 0.0, 9.0, 27.0])}
    options = {  # (system, bidder, model): (cost, hosting, value)
        ("s0", "v0", "private"): (40.0, 40.0, 22.0),
        ("s0", "v0", "hybrid"): (21.0, 21.0, 55.0),
        ("s1", "v0", "private"): (29.0, 29.0, 46.0),
        ("s1", "v2", "hybrid"): (35.0, 35.0, 45.0),
        ("s1", "v3", "dedicated"): (31.0, 16.0, 67.0),
        ("s2", "v3", "private"): (10.0, 10.0, 20.0),
    }
    systems = ["s0", "s1", "s2"]
    return Instance(
        structure="integrator",
        lead_share=True,
        integrator_systems=[],
        integrator_layers=[],
        systems=systems,
        vcpu=dict.fromkeys(systems, 1.0),
        size=dict.fromkeys(systems, 1 / 3),
        vendors=vendors,
        triples=list(options),
        cost={t: c for t, (c, _, _) in options.items()},
        hosting={t: h for t, (_, h, _) in options.items()},
        value={t: v for t, (_, _, v) in options.items()},
        layer_options={layer: ["v0"] for layer in CROSS_LAYERS},
        layer_cost={(layer, "v0"): 5.0 for layer in CROSS_LAYERS},
        years=3,
        budget=1e6,
        min_vendors=2,
        max_vendors=4,
        max_share=0.6,
        cost_weight=0.0,
        integrator_rate=0.06,
        extra_vendor_cost=0.0,
    )


def test_a_leader_behind_others_by_its_bound_is_not_pruned() -> None:
    """The leaders are searched in the order of their bounds but closed only by the
    incumbent: here the best award's leader is third by its LP bound (checked below, not
    assumed), and the branching still ends at brute force's optimum, led by it."""
    inst = a_leader_third_by_its_bound()
    awards = list(feasible_awards(inst))
    best = max(ev.objective for _, ev in awards)
    (lead,) = {c[2] for c, ev in awards if ev.objective > best - 1e-9}
    a, lay = build(inst)
    bounds = {}
    for v in lay.g:
        lo, up = a.col_lower.copy(), a.col_upper.copy()
        for w, c in lay.g.items():
            lo[c] = up[c] = 1.0 if w == v else 0.0
        bound = whole_lp(a, lo, up)
        if bound is not None:
            bounds[v] = bound
    assert sorted(bounds, key=lambda v: -bounds[v]).index(lead) >= 2
    model = ArrayModel(inst)
    assert solve_exact(model, branching=True)[0] == "Optimal"
    assert model.choice()[2] == lead
    assert evaluate(inst, *model.choice()).objective == pytest.approx(best, abs=2e-4 * best)


@pytest.fixture(scope="module")
def prefecture_model() -> ArrayModel:
    """The prefecture example's award model (115 columns, about 1,000 nonzeros): the size of
    every re-solve of its brief."""
    from procure.advice.assess import assess
    from procure.advice.knowledge import knowledge
    from procure.award.instance import build_instance
    from procure.inputs.load import load_inputs

    from .conftest import example

    inputs = load_inputs(example("prefecture-binzhou"))
    s, catalog = inputs.scenario, inputs.vendors
    a = assess(s, catalog)
    return ArrayModel(
        build_instance(s, a.deployment, a.weights.weights, catalog, knowledge().costs)
    )


@pytest.mark.parametrize("weight", [0.001, 0.15, 0.3, 0.45, 0.6, 0.999])
def test_a_tiny_mip_with_a_small_cut_pool_has_highs_defaults_optimum(
    prefecture_model: ArrayModel, weight: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tiny-model setting (`mip.TINY_POOL`, HiGHS's cut pool kept small below
    `TINY_NONZEROS`) finds the optimum HiGHS finds with its defaults, to 1e-9, at cost weights
    across the scale (the frontier's and the robustness re-solves' kind), and its bound holds."""
    model = prefecture_model.reweighted(weight)
    assert len(model.a.vals) < mip.TINY_NONZEROS  # the path under test
    tiny = mip.solve_arrays(model.a, gap=1e-9, time_limit=20)
    monkeypatch.setattr(mip, "TINY_NONZEROS", 0)
    default = mip.solve_arrays(model.a, gap=1e-9, time_limit=20)
    assert tiny.status == default.status == "Optimal"
    assert tiny.objective is not None and default.objective is not None
    assert tiny.objective == pytest.approx(default.objective, rel=1e-9, abs=1e-12)
    assert tiny.bound is not None and tiny.bound >= default.objective - 1e-9
