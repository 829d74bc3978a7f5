"""Mend a slipped award without moving any rule: re-split the work of two winners exactly.

The solver checks the money rows (share cap, the integrator's lead) to a tolerance, so near a
tie it may answer with an award that breaks a cap by a few yuan. With a 50% cap and the lead
rule, any two-vendor award must split exactly 50/50 (a partition problem), and the solver stops
at the nearest split its tolerance accepts; a MIP solver is poor at exact partitions (the
reproducer's precise build found no better award in 90 s), while the split itself is a subset
sum that meet-in-the-middle solves exactly in whole fen.

`rebalance` searches a neighbourhood of the slipped award for awards that meet every rule
exactly (`award.evaluate`, in fen), with the same set of winners and integrator:

- for two winners a and b, each line (a system with its deployment model, or a layer) either
  of them may take moves between them; with the other lines fixed, a's amount minus b's is
  D = D0 + the sum, over the lines given to a, of (a's price + b's price). The rules bound D
  (exactly so for identical bidders and for a 50% cap or the lead between two winners, where
  they read A <= B, B <= A or A >= B); every subset of the `FREE` smallest movable lines with D
  in those bounds is found by meet in the middle (2 x 2^(FREE/2) sums) and checked exactly;
- before the split, the deployment model of one or two lines may change, cheapest loss of score
  first: a split exact to the fen may need a line of another price (amounts are often whole
  multiples of a few yuan, the slip is not).

Moving work between identical bidders (`interchangeable`) changes neither cost nor value: the
award then scores what the solver's award scored, and the solver's bound and gap hold for it
(the bound is valid for the rules as stated: the tolerance only admits more awards). Otherwise
the award found is exact but may score a little less; the caller (`optimizer.solve_exact`)
reports its gap against that bound and says when it is not proven optimal.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from procure.award.formulation import Choice, interchangeable
from procure.award.instance import Evaluation, Instance, as_written, evaluate, fen

FREE = 36  # lines freed in one split: two halves of 2^18 sums, a few ms
TRIES = 64  # candidate splits checked exactly per pair
SINGLES = 120  # model changes of one line tried, least loss first
DOUBLES = 12  # of which the best this many are also tried in pairs
SPLITS = 150  # re-splits of a pair at most: 1-70 ms each (the identical-bidders case: 18)
Line = tuple[str, str]  # ("system", id) or ("layer", name)


def rebalance(inst: Instance, choice: Choice, splits: int = SPLITS) -> Choice | None:
    """The best award found near `choice` that meets every rule exactly, with the same winners
    and integrator; `choice` itself if it does; None if none is found in `splits` re-splits
    of a pair (a count, not seconds: the answer is the same on a loaded machine, which
    `procure verify` relies on)."""
    ev = evaluate(inst, *choice)
    if not ev.violations:
        return choice
    if not _mendable(ev):
        return None
    pairs = _pairs(inst, choice, ev)
    for config in _configs(inst, choice, ev.objective):
        found: list[tuple[float, Choice]] = []
        for a, b in pairs:
            if splits <= 0:
                return None
            splits -= 1
            found += _split(inst, config, a, b, ev.used)
        if found:
            return max(found, key=lambda item: item[0])[1]
    return None


def _mendable(ev: Evaluation) -> bool:
    """Only share and lead rows broken: a re-split can mend those."""
    rows = ev.overshoot
    return (
        bool(rows)
        and len(rows) == len(ev.violations)
        and all(row.startswith(("share_", "lead_")) for row in rows)
    )


def _pairs(inst: Instance, choice: Choice, ev: Evaluation) -> list[tuple[str, str]]:
    """Pairs of winners whose re-split may mend the broken rows: a vendor of a broken row
    with every other winner, identical bidders first."""
    broken = {row.split("_", 1)[1] for row in ev.overshoot}
    if any(row.startswith("lead_") for row in ev.overshoot) and choice[2] is not None:
        broken.add(choice[2])
    twins = {v: i for i, group in enumerate(interchangeable(inst)) for v in group}
    pairs = {
        tuple(sorted((a, b))) for a in sorted(broken) for b in ev.used if a != b and a in ev.used
    }
    return sorted(pairs, key=lambda p: (twins.get(p[0], -1) != twins.get(p[1], -2), p))  # type: ignore[arg-type]


def _configs(inst: Instance, choice: Choice, objective: float) -> list[Choice]:
    """`choice`, then the same award with one line's deployment model changed, then two,
    least loss of score first."""
    assignment, layers, integrator = choice
    singles: list[tuple[float, str, str]] = []
    for s, v, m in inst.triples:
        if s in assignment and assignment[s][0] == v and assignment[s][1] != m:
            other = ({**assignment, s: (v, m)}, layers, integrator)
            singles.append((objective - evaluate(inst, *other).objective, s, m))
    singles.sort()
    singles = singles[:SINGLES]
    out = [choice]
    out += [({**assignment, s: (assignment[s][0], m)}, layers, integrator) for _, s, m in singles]
    doubles = []
    for (l1, s1, m1), (l2, s2, m2) in itertools.combinations(singles[:DOUBLES], 2):
        if s1 != s2:
            changed = {**assignment, s1: (assignment[s1][0], m1), s2: (assignment[s2][0], m2)}
            doubles.append((l1 + l2, (changed, layers, integrator)))
    doubles.sort(key=lambda item: item[0])
    return out + [c for _, c in doubles]


def _lines(inst: Instance, choice: Choice, a: str, b: str) -> list[tuple[Line, int, int]]:
    """The lines of a and b that either may take, with a's and b's price in fen: not the
    integrator's key systems and layers, which stay where they are."""
    assignment, layers, integrator = choice
    keep = set(inst.integrator_systems) | set(inst.integrator_layers) if integrator else set()
    out = []
    for s, (v, m) in sorted(assignment.items()):
        if v in (a, b) and s not in keep and (s, a, m) in inst.cost and (s, b, m) in inst.cost:
            out.append((("system", s), fen(inst.cost[(s, a, m)]), fen(inst.cost[(s, b, m)])))
    for layer, v in sorted(layers.items()):
        both = (layer, a) in inst.layer_cost and (layer, b) in inst.layer_cost
        if v in (a, b) and layer not in keep and both:
            price_a, price_b = inst.layer_cost[(layer, a)], inst.layer_cost[(layer, b)]
            out.append((("layer", layer), fen(price_a), fen(price_b)))
    return out


def _amounts(inst: Instance, choice: Choice) -> dict[str, int]:
    """Each winner's contract value in fen, as `award.evaluate` counts it."""
    assignment, layers, _ = choice
    out: dict[str, int] = {}
    for s, (v, m) in assignment.items():
        out[v] = out.get(v, 0) + fen(inst.cost[(s, v, m)])
    for layer, v in layers.items():
        out[v] = out.get(v, 0) + fen(inst.layer_cost[(layer, v)])
    return {v: amount + fen(inst.setup[v]) for v, amount in out.items()}


def _window(inst: Instance, choice: Choice, a: str, b: str) -> tuple[int, int]:
    """Bounds on D = a's amount - b's that the rules set with the pair's total as it is now
    (exact when the total does not move, as between identical bidders, or when the rules
    compare a and b alone: a 50% cap between two winners, the lead)."""
    integrator = choice[2]
    amounts = _amounts(inst, choice)
    pair = amounts[a] + amounts[b]
    total = sum(amounts.values())
    lo, hi = Fraction(0), Fraction(pair)  # bounds on a's amount
    if inst.max_share < 1:
        cap = as_written(inst.max_share) * total
        hi, lo = min(hi, cap), max(lo, pair - cap)
    if inst.lead_share and inst.structure == "integrator" and integrator is not None:
        others = max((x for v, x in amounts.items() if v not in (a, b)), default=0)
        if integrator == a:  # a >= b and a >= every other
            lo = max(lo, Fraction(pair, 2), Fraction(others))
        elif integrator == b:
            hi = min(hi, Fraction(pair, 2), Fraction(pair - others))
        else:
            lead = amounts.get(integrator, 0)
            hi, lo = min(hi, Fraction(lead)), max(lo, Fraction(pair - lead))
    return math.ceil(2 * lo - pair), math.floor(2 * hi - pair)


def _split(
    inst: Instance, choice: Choice, a: str, b: str, used: list[str]
) -> list[tuple[float, Choice]]:
    """Awards that re-split a's and b's movable lines and meet every rule exactly, with their
    scores."""
    lines = _lines(inst, choice, a, b)
    if not lines:
        return []
    assignment, layers, integrator = choice
    lo, hi = _window(inst, choice, a, b)
    if lo > hi:
        return []

    def owner(line: Line) -> str:
        return assignment[line[1]][0] if line[0] == "system" else layers[line[1]]

    ordered = sorted(lines, key=lambda item: (item[1] + item[2], item[0]))
    free, kept = ordered[:FREE], ordered[FREE:]
    amounts = _amounts(inst, choice)
    # D with every free line at b, the kept lines where they are
    base = amounts[a] - amounts[b]
    for line, price_a, price_b in free:
        if owner(line) == a:
            base -= price_a + price_b
    weights = [pa + pb for _, pa, pb in free]
    step = math.gcd(*weights)  # every subset sum is a multiple of it
    if step and (hi - base) // step < -((base - lo) // step):
        return []  # no multiple of the step in the window: no split of these lines
    out = []
    for mask in _subsets(weights, lo - base, hi - base):
        to_a = {line for (line, _, _), bit in zip(free, mask, strict=True) if bit}
        to_a |= {line for line, _, _ in kept if owner(line) == a}
        moved = _apply(choice, [line for line, _, _ in lines], to_a, a, b)
        ev = evaluate(inst, *moved)
        if not ev.violations and ev.used == used and moved[2] == integrator:
            out.append((ev.objective, moved))
    return out


def _apply(choice: Choice, lines: list[Line], to_a: set[Line], a: str, b: str) -> Choice:
    assignment, layers, integrator = choice
    new_assignment, new_layers = dict(assignment), dict(layers)
    for line in lines:
        vendor = a if line in to_a else b
        if line[0] == "system":
            new_assignment[line[1]] = (vendor, assignment[line[1]][1])
        else:
            new_layers[line[1]] = vendor
    return new_assignment, new_layers, integrator


def _sums(values: list[int]) -> np.ndarray:
    """The sums of every subset of `values`, subset i holding value j when bit j of i is set."""
    sums = np.zeros(1, dtype=np.int64)
    for x in values:
        sums = np.concatenate([sums, sums + x])
    return sums


def _subsets(values: list[int], lo: int, hi: int) -> list[tuple[bool, ...]]:
    """Up to TRIES subsets of `values` whose sum lies in [lo, hi] (meet in the middle)."""
    half = len(values) // 2
    left, right = values[:half], values[half:]
    sums_l, sums_r = _sums(left), _sums(right)
    order = np.argsort(sums_r, kind="stable")
    sorted_r = sums_r[order]
    at = np.searchsorted(sorted_r, lo - sums_l, side="left")
    inside = at < len(sorted_r)
    hit = np.zeros(len(sums_l), dtype=bool)
    hit[inside] = sorted_r[at[inside]] <= hi - sums_l[inside]
    out = []
    for i in np.flatnonzero(hit)[:TRIES]:
        j = int(order[at[i]])
        bits_l = tuple(bool((int(i) >> k) & 1) for k in range(len(left)))
        bits_r = tuple(bool((j >> k) & 1) for k in range(len(right)))
        out.append(bits_l + bits_r)
    return out
