"""The exact re-split of a slipped award (`award.rebalance`) against brute force: on tiny
tenders with identical bidders and amounts in odd fen, every award that breaks only a share
cap or the integrator's lead is mended exactly whenever some re-split of the same lines
between the same winners meets every rule, and never otherwise claimed mended."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procure.award.formulation import Choice
from procure.award.instance import CROSS_LAYERS, Instance, evaluate
from procure.award.rebalance import _subsets, rebalance

from .test_optimizer import _vendor


@st.composite
def slipped(draw: Any) -> tuple[Instance, Choice]:
    """Two identical bidders (and perhaps a third, dearer one that wins a layer), systems
    priced in odd fen, a 50% or 60% cap, the lead rule on or off; an award to the twins."""
    n_sys = draw(st.integers(2, 7))
    third = draw(st.booleans())
    vendors = {f"v{j}": _vendor(j, True, 1000, 0.0) for j in range(2 + int(third))}
    systems = [f"s{i}" for i in range(n_sys)]
    triples, cost, value = [], {}, {}
    for s in systems:
        price = draw(st.integers(100, 5_000)) / 100  # whole fen, rarely whole yuan
        quality = float(draw(st.integers(20, 100)))
        for v in vendors:
            triples.append((s, v, "private"))
            cost[(s, v, "private")] = price if v != "v2" else price + 1.0
            value[(s, v, "private")] = quality
    layer_cost = {
        (layer, v): 1.0 + 0.01 * j for j, layer in enumerate(CROSS_LAYERS) for v in vendors
    }
    inst = Instance(
        structure="integrator",
        lead_share=draw(st.booleans()),
        systems=systems,
        vcpu={s: 1.0 for s in systems},
        size={s: 1 / n_sys for s in systems},
        vendors=vendors,
        triples=triples,
        cost=cost,
        hosting=dict(cost),
        value=value,
        layer_options={layer: sorted(vendors) for layer in CROSS_LAYERS},
        layer_cost=layer_cost,
        years=3,
        budget=1e6,
        min_vendors=2,
        max_vendors=len(vendors),
        max_share=draw(st.sampled_from([0.5, 0.6])),
        cost_weight=0.3,
        integrator_rate=0.06,
        extra_vendor_cost=0.0,
    )
    sides = draw(st.lists(st.sampled_from(["v0", "v1"]), min_size=n_sys, max_size=n_sys))
    assignment = {s: (v, "private") for s, v in zip(systems, sides, strict=True)}
    ops = "v2" if third and draw(st.booleans()) else draw(st.sampled_from(["v0", "v1"]))
    layers = {"security": draw(st.sampled_from(["v0", "v1"])), "ops": ops}
    return inst, (assignment, layers, draw(st.sampled_from(["v0", "v1"])))


def resplits(inst: Instance, choice: Choice) -> list[Choice]:
    """Every award that gives the twins' lines (systems and layers) to either twin."""
    assignment, layers, integrator = choice
    lines = [("system", s) for s, (v, _) in assignment.items() if v in ("v0", "v1")]
    lines += [("layer", x) for x, v in layers.items() if v in ("v0", "v1")]
    out = []
    for sides in itertools.product(["v0", "v1"], repeat=len(lines)):
        a, la = dict(assignment), dict(layers)
        for (kind, key), v in zip(lines, sides, strict=True):
            if kind == "system":
                a[key] = (v, "private")
            else:
                la[key] = v
        out.append((a, la, integrator))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=slipped())
def test_a_slipped_award_is_resplit_exactly_when_a_resplit_exists(
    case: tuple[Instance, Choice],
) -> None:
    inst, choice = case
    ev = evaluate(inst, *choice)
    mendable = ev.violations and all(r.startswith(("share_", "lead_")) for r in ev.overshoot)
    if not mendable or len(ev.overshoot) != len(ev.violations):
        return
    exact = [
        c
        for c in resplits(inst, choice)
        if not (e := evaluate(inst, *c)).violations and e.used == ev.used
    ]
    mended = rebalance(inst, choice)
    if mended is None:
        assert not exact, "a re-split that meets every rule exists"
        return
    after = evaluate(inst, *mended)
    assert not after.violations
    assert after.used == ev.used and mended[2] == choice[2]  # same winners, same integrator
    if exact:  # between identical bidders the score is kept, to rounding
        assert abs(after.objective - ev.objective) <= 1e-12
    else:  # found only with another deployment model: never better than a kept score
        assert after.objective <= ev.objective + 1e-12


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(1, 10**6), min_size=0, max_size=12),
    lo=st.integers(-10, 3 * 10**6),
    width=st.integers(0, 1000),
)
def test_meet_in_the_middle_finds_exactly_the_subsets_in_the_window(
    values: list[int], lo: int, width: int
) -> None:
    hi = lo + width
    found = _subsets(values, lo, hi)
    for mask in found:
        assert lo <= sum(v for v, bit in zip(values, mask, strict=True) if bit) <= hi
    every = [
        mask
        for mask in itertools.product([False, True], repeat=len(values))
        if lo <= sum(v for v, bit in zip(values, mask, strict=True) if bit) <= hi
    ]
    assert (len(found) > 0) == (len(every) > 0)
    assert len(set(found)) == len(found)
