"""Winner sets that no exact award can have, by the fen: congruence rows for the share cap.

Every amount is a whole number of fen (`award.fen`, as `award.evaluate` counts it). A bidder v's
contract value is its setup fee plus the lines it wins (systems at a deployment model, layers),
so whatever it wins

    value_v = setup_v (mod g_v),   g_v = the gcd of the fen prices of every line v may win.

When the cap is exactly 1 / k (as written: `as_written(max_share)`, 0.5 = 1 / 2) and exactly k
bidders win, the share rows force every winner to exactly T / k: each value_w <= T / k, and the
k values sum to T (the contract value is the winners' values together), so none can be below.
Two winners a and b then need value_a - value_b = 0, which is impossible when

    setup_a - setup_b != 0 (mod gcd(g_a, g_b)).

Such a pair can never be the only two winners of an award that meets the cap exactly, whatever
the lines, the deployment models or the integrator. The row

    congruence_a_b:   y_a + y_b - sum_{o not a, b} y_o <= 1

(a and b do not win alone) therefore removes only awards that break the cap, and no award that
meets the rules: the optimum and every bound stay those of the rules as stated. The solver, which
checks the share rows to a tolerance of a millionth of the award's size, does not see this: on
the hard 100x10 case (`benchmarks/data/hard-100x10-budget-min`, the two cheapest bidders
b003/b005, fees of 1,000,000 and 1,400,000 CNY, prices in multiples of 0.12 and 0.48 CNY) the
two would differ by 0.04 CNY plus a multiple of 0.12 (8 fen modulo 12), never 0; HiGHS stopped
at a split 50 CNY apart and every exact re-solve then searched an empty set of splits until
its time limit.

The rows treat bidders alike (each is a function of the pair's own fees and prices), so a class
of interchangeable bidders (`formulation.interchangeable`) has the same residues and the twin
rows' proof (`formulation`) still holds: a permutation within a class maps the rows onto
themselves.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from procure.award.instance import Instance, as_written, fen


def residues(inst: Instance) -> dict[str, tuple[int, int]]:
    """Each bidder's (g_v, setup_v mod g_v) in fen: every value it can be awarded is congruent
    to its setup fee modulo g_v (g_v = 0: the fee is all it can be awarded)."""
    modulus = dict.fromkeys(inst.vendors, 0)
    for (_, v, _), price in inst.cost.items():
        modulus[v] = math.gcd(modulus[v], fen(price))
    for (_, v), price in inst.layer_cost.items():
        if v in modulus:
            modulus[v] = math.gcd(modulus[v], fen(price))
    out = {}
    for v, g in modulus.items():
        fee = fen(inst.setup[v])
        out[v] = (g, fee % g if g else fee)
    return out


def forced_equal(inst: Instance, winners: int) -> bool:
    """Whether the share cap, with exactly `winners` bidders winning, leaves each exactly its
    equal part (the cap as written is 1 / winners)."""
    return inst.max_share < 1 and as_written(inst.max_share) * winners == Fraction(1)


def apart(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two bidders with residues a and b can never be awarded the same amount."""
    g = math.gcd(a[0], b[0])
    difference = a[1] - b[1]
    return difference % g != 0 if g else difference != 0


def obstructed(inst: Instance, winners: list[str]) -> bool:
    """Whether no award with exactly these winners can meet the share cap exactly."""
    if not forced_equal(inst, len(winners)):
        return False
    r = residues(inst)
    return any(apart(r[a], r[b]) for a, b in itertools.combinations(winners, 2))


def obstructed_pairs(inst: Instance) -> list[tuple[str, str]]:
    """The pairs of bidders that cannot be an award's only two winners (the rows
    `congruence_a_b`), in name order; none unless the cap is exactly 1/2 and two may win."""
    if not forced_equal(inst, 2) or not inst.min_vendors <= 2 <= inst.max_vendors:
        return []
    r = residues(inst)
    return [(a, b) for a, b in itertools.combinations(sorted(inst.vendors), 2) if apart(r[a], r[b])]
