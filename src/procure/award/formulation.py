r"""The vendor-mix MILP, built two ways: award systems and cross-cutting layers to a general
integrator and subcontractors.

Sets: systems S, vendors V, eligible triples E = {(s, v, m)} (model m allowed for s by the
assessment and offered by v; v certified for s's MLPS level, offers s's layers, has capacity,
passes 信创 and exclusions; when several vendors must win, an MLPS-4 system's triples are only
those of bidders that may lead, see `placements`), cross-cutting layers L = {security, ops}
with eligible vendors V_l, bidders G that may lead (`leaders`: may act as integrator, have an
option for every MLPS-4 system, offer every key layer, have the capacity for the MLPS-4
systems together).

Variables: x_svm in {0,1} for (s,v,m) in E; z_lv in {0,1}; y_v in {0,1} (v wins anything);
g_v in {0,1} for v in G (v is general integrator); u in {0,1} (more than one vendor wins);
f >= 0 (fee).

Cost C = sum_E c_svm x_svm + sum_lv k_lv z_lv + sum_v setup_v y_v + f + e (sum_v y_v - 1),
value Q = sum_E a_s q_svm x_svm (0..100), objective:

    max (1 - w) Q / 100 + w (2 - C / R)

with w the cost weight and R the cost reference (`award.cost_reference`): the cost floor
(`award.cost_floor`), the cheaper of the cheapest award by one vendor and a bound on any award
by several (each system's cheapest option, each layer's cheapest provider, the two smallest
setup fees, one coordination cost, the fee), a figure the bids fix and no award undercuts. The solver's relative gap is measured
on this score; it is at most 1 (C >= R) and negative only for awards dearer than 2 R.

Why this cost term. The buyer's cost weight is the evaluation scheme's price weight, and the
law scores price against the other prices, not against the budget: price score = lowest
valid price / this price x weight (财政部令第87号 art. 55); the budget is only a ceiling (a
bid above it is invalid: 87号令 art. 63, an assumption, that article's text was not read here). The former term w (1 - C / B) scored cost as the share of
the budget left unspent: with a budget 50 times the award, cost moved the score by at most
w / 50 and price stopped mattering (a loser 99.9% cheaper still lost). Here:
  - w R / C is the law's score with R in the place of the lowest price. It is not linear in
    C, so the model takes its tangent at C = R: w (2 - C / R). The two agree at C = R (full
    price points for the cheapest) and in slope there; since R / C is convex the tangent lies
    below it elsewhere, and the gap grows as (C - R)^2 / (C R): an award 10% over R scores
    0.9 w here against 0.909 w by the law; at 2 R, 0 against 0.5 w. So the model weighs price
    more than the law for awards well above R (it never prefers a dearer award of equal
    value, and the ranking of two awards of equal value is the law's).
  - R is the floor, not the cheapest award that keeps every rule (the law's "lowest valid
    price"): that would take a MILP solve of its own and could not be checked independently
    (`award.evaluate` computes the floor in one pass). The floor is at most that award's
    cost, so the slope w / R is a little steeper than the law's at its lowest price. On the
    bundled examples the awards cost 1.00 to 1.10 R (measured), where the tangent is within
    0.01 w of the law's score.
  - Neither R nor the score depends on the budget B: multiplying B leaves every coefficient
    but the budget row's right-hand side unchanged, and a cheaper award of equal value scores
    w (C' - C) / R higher. When a bidder cuts its prices R follows them, as the law's lowest
    price does.

Constraints (named as in `--write-lp`):
  assign_s:      sum_{v,m} x_svm = 1
  link_s_v:      sum_m x_svm <= y_v
  layer_l:       sum_v z_lv = 1;           zlink_l_v: z_lv <= y_v
  active_v:      y_v <= sum_{s,m} x_svm + sum_l z_lv
  count_min / count_max:  min <= sum_v y_v <= max
  multi_def:     sum_v y_v - 1 <= (|V| - 1) u
  integrator_needed: sum_v g_v >= u;  one_integrator: sum_v g_v <= 1;  glink_v: g_v <= y_v
  fee_def:       f >= r H - M (1 - u), H = hosting cost, M = r max H
  lead_v:        value_v <= L;  leader_i: L <= value_i + M (1 - g_i)
                 the integrator earns at least every subcontractor (L: the lead's value)
  key_s_v:       sum_m x_svm <= g_v + (1 - u)       an MLPS-4 system is the integrator's
  keylayer_l_v:  z_lv <= g_v + (1 - u)               so is the security layer
  (政府采购法 art. 48, 财政部令第87号 art. 35: subcontractors do only non-main, non-key work.
  With structure `parallel` there is no integrator: no g and none of these three rows; the
  fee r is then the buyer's own cost of integrating the parallel contracts.)
  capacity_v:    sum_{s,m} vcpu_s x_svm <= cap_v
  contract_value_def: T = sum_E c_svm x_svm + sum_lv k_lv z_lv + sum_v setup_v y_v
  share_v:       q value_v <= p T   (T: the contract value without fee and coordination;
                 the cap p / q as written, 0.35 = 7 / 20: `share_ratio`, integral form)
  budget:        C <= B
  twin_a_b:      y_a >= y_b   for consecutive bidders a, b of a class of interchangeable ones
  congruence_a_b: y_a + y_b - sum_{o not a, b} y_o <= 1   with the cap exactly 1/2, for bidders a, b
                 whose amounts differ modulo the fen prices they can win: they never split an
                 award exactly 50/50, so they never win alone (`award.congruence`: the proof)

The money rows (contract_value_def, fee_def, share, lead, leader, budget) take each priced line
rounded to the fen, as `award.evaluate` checks the rules (`MoneyRows`); the objective takes the
amounts as computed. Neither the rows nor the LP file carry any margin: an award exactly at a
limit (a 50/50 split, a lead tied, the budget spent to the fen) is feasible.

The twin rows remove no optimum. Proof: bidders of one class (`interchangeable`) have the same
options at the same costs, hosting, values, layer prices, setup fee, capacity and integrator
flag, and every row above treats bidders alike (each bidder's rows are the same function of
its own columns; no row names a bidder otherwise). So for an award A and a permutation p of a
class, the award p(A) that gives each bidder's work to its image satisfies exactly the rows A
satisfies and has the same cost, value and score. Take the p that sends the class's winners
in A, in order, onto the class's first members: p(A) satisfies the twin rows. Every award, the
optimal ones included, thus has an image of the same score that the twin rows keep. The proof
needs the rows to be the same for every member of a class: a repair therefore excludes an
award together with its images (`twin_images`), and no repair moves a row's limit
(`optimizer.solve_exact`). The exact re-split of a slipped award (`award.rebalance`) keeps the
winners, so an award the twin rows keep stays kept. tests/test_hard_cases.py checks it against
brute force.

Two builds of the same model: `Model` (PuLP), the model of record for `--write-lp`, `--solver
cbc` and the elastic diagnosis, and `ArrayModel`, built straight from the `Instance` as arrays
for HiGHS (no PuLP objects): the same columns and rows under the same names (PuLP's spelling)
and the same coefficients. tests/test_formulation.py checks that the two builds are equal,
array for array, on every example and on generated instances, and reach the same optimum.
"""

from __future__ import annotations

import itertools
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

import numpy as np
import pulp

from procure.award import mip, watchdog
from procure.award.congruence import obstructed_pairs
from procure.award.instance import (
    CROSS_LAYERS,
    Instance,
    as_written,
    cost_reference,
    fen,
    score,
    score_ceiling,
)
from procure.errors import ProcureError

_WARNINGS = threading.Lock()
GAP = 1e-4
PRECISE_PER_CNY = 1e-3  # row units per yuan in the precise build (see `MoneyRows`)
BRANCH_MIN_TRIPLES = 2000  # below this HiGHS alone is quicker than branching on vendors first

# an award as the model reads it: system -> (vendor, model), layer -> vendor, the integrator
Choice = tuple[dict[str, tuple[str, str]], dict[str, str], str | None]

# Every solve answers in bounded time. The award's own solve gets TIME_LIMIT seconds (the
# --time-limit option); the solves behind a diagnosis or an extra (rule costs, alternatives,
# the frontier) get at most EXTRA_LIMIT each and are reported as unknown when they run out.
TIME_LIMIT = 120.0
EXTRA_LIMIT = 10.0
TINY_BUDGET = 1e-9  # CNY: a smaller budget is weighed as this in the elastic model (1 / B)


def alone_name(winners: list[str]) -> str:
    """The row saying that `winners` never win alone: congruence_a_b(_c ...)."""
    return pulp_name("congruence_" + "_".join(sorted(winners)))


def branch_first(triples: int, congruent: bool) -> bool:
    """Whether to branch on the vendors first (`mip`): on large models, and on any model with
    congruence rows (`award.congruence`), where which bidders win decides whether the share
    cap can be met exactly. The hard 100x10 (1,722 triples, 31 such rows): 2.7 s CPU and 4 nodes
    branching first, 8.5 s and 6,352 nodes by HiGHS alone on the same model."""
    return triples >= BRANCH_MIN_TRIPLES or congruent


def per_system(inst: Instance, amounts: dict[Triple, float], pick: Any) -> dict[str, float]:
    """`pick` (min or max) of `amounts` over each system's eligible options, in one pass (a
    scan of every option per system took 0.5 s at 500 systems x 30 bidders)."""
    seen: dict[str, list[float]] = {}
    for t in inst.triples:
        seen.setdefault(t[0], []).append(amounts[t])
    return {s: pick(seen.get(s, ()), default=0.0) for s in inst.systems}


def money_unit(inst: Instance) -> float:
    """The money unit of the model: the cost reference R of the score (`cost_reference`, a
    floor on the award's cost that the budget does not move), so the objective's cost is C / R
    and an award's cost is a few units whatever the budget."""
    return cost_reference(inst)


@dataclass
class MoneyRows:
    """The amounts of the money rows (contract value, fee, share, lead, budget): each priced
    line rounded to the fen first (`award.fen`, as `award.evaluate` counts it), then in row
    units, `per_cny` of them to the yuan; and the big-M bounds built from them.

    The rows count money units (`money_unit`, the award's own size), as the objective does.
    Counting them in fen instead, so that a tolerance of a millionth of a row unit could not
    pass a broken cap, asks the simplex for 1e-15 of a row's activity, below double precision:
    HiGHS then took over 100 s on the 40x8 identical-bidder case it solves in 7 s in money
    units (there the exact problem is a partition to the fen, which the tolerance makes easy).
    Exactness comes from the check and the repairs instead (`optimizer.solve_exact`): an exact
    re-split of the slipped award (`award.rebalance`), exclusion cuts, and last the same rows
    counted in thousands of yuan (`PRECISE_PER_CNY`: the tolerance is then a tenth of a fen,
    below the whole fen by which the integral rows' sides differ; slower, but it passes no
    broken rule and refuses no award exactly at a limit)."""

    per_cny: float
    cost: dict[tuple[str, str, str], float]
    hosting: dict[tuple[str, str, str], float]
    layer: dict[tuple[str, str], float]
    setup: dict[str, float]
    extra: float
    most_hosting: float  # every system's dearest hosting
    most_awarded: float  # every system's dearest option, every layer and every setup fee

    def __init__(self, inst: Instance, unit: float, per_cny: float | None = None) -> None:
        self.per_cny = per_cny or 1.0 / unit
        per_fen = self.per_cny / 100
        self.cost = {t: fen(c) * per_fen for t, c in inst.cost.items()}
        self.hosting = {t: fen(c) * per_fen for t, c in inst.hosting.items()}
        self.layer = {key: fen(c) * per_fen for key, c in inst.layer_cost.items()}
        self.setup = {v: fen(c) * per_fen for v, c in inst.setup.items()}
        self.extra = fen(inst.extra_vendor_cost) * per_fen
        self.most_hosting = sum(per_system(inst, self.hosting, max).values())
        self.most_awarded = (
            sum(per_system(inst, self.cost, max).values())
            + sum(self.layer.values())
            + sum(self.setup.values())
        )


def interchangeable(inst: Instance) -> list[list[str]]:
    """Groups of bidders that the award cannot tell apart (the same options at the same costs,
    values, fees and capacity): any award can swap them, so the model may order them and the
    solver need not search each permutation (8 identical bids took 68 s before)."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    offers: dict[str, list[tuple[Any, ...]]] = {}
    for t in inst.triples:
        offers.setdefault(t[1], []).append(
            (t[0], t[2], inst.cost[t], inst.hosting[t], inst.value[t])
        )
    for vid in sorted(inst.vendors):
        v = inst.vendors[vid]
        options = tuple(offers.get(vid, ()))
        layers = tuple(
            (layer, inst.layer_cost[(layer, vid)])
            for layer, vids in sorted(inst.layer_options.items())
            if vid in vids
        )
        key = (options, layers, inst.setup[vid], v.capacity_vcpu, v.integrator)
        groups.setdefault(key, []).append(vid)
    return [g for g in groups.values() if len(g) > 1]


def twin_images(inst: Instance, choice: Choice, most: int = 24) -> list[Choice]:
    """The award `choice` and the awards the `twin_` rows also allow that swap its winners
    among interchangeable bidders (the winners of a class permuted among themselves): each
    breaks the rules exactly as `choice` does, so a repair cut excludes them all. At most
    `most` of them, `choice` first."""
    assignment, layers, integrator = choice
    won = {v for v, _ in assignment.values()} | set(layers.values())
    classes = [[v for v in group if v in won] for group in interchangeable(inst)]
    classes = [c for c in classes if len(c) > 1]
    out: list[Choice] = []
    for perms in itertools.product(*(itertools.permutations(c) for c in classes)):
        rename = {
            a: b for c, p in zip(classes, perms, strict=True) for a, b in zip(c, p, strict=True)
        }
        out.append(
            (
                {s: (rename.get(v, v), m) for s, (v, m) in assignment.items()},
                {layer: rename.get(v, v) for layer, v in layers.items()},
                rename.get(integrator, integrator) if integrator is not None else None,
            )
        )
        if len(out) >= most:
            break
    return out


SHARE_DENOMINATOR = 10_000  # a cap with a longer decimal is stated as written, not scaled


def share_ratio(inst: Instance) -> tuple[float, float]:
    """The share cap as written, p / q (0.35 is 7 / 20), for the share rows in integral form
    q value_v <= p T: every amount is a whole number of fen, so at an award the row's two
    sides differ by a whole fen or more, and the precise build's tolerance (a tenth of a fen)
    cannot pass a broken cap nor refuse one met exactly. A cap whose written form needs a
    denominator above SHARE_DENOMINATOR is used as it is (q = 1); the exact check still holds."""
    cap = as_written(inst.max_share)
    if cap.denominator > SHARE_DENOMINATOR:
        return inst.max_share, 1.0
    return float(cap.numerator), float(cap.denominator)


def several_win(inst: Instance) -> bool:
    """Whether the rules make several vendors win (a vendor count or a share cap)."""
    return inst.min_vendors >= 2 or inst.max_share < 1


def leaders(inst: Instance, elastic: bool = False) -> set[str]:
    """The bidders that may be general integrator: those with an integrator column g_v. The
    integrator keeps the MLPS-4 systems and the key layers (政府采购法 art. 48, 财政部令第87号
    art. 35: the `key_` and `keylayer_` rows), so a bidder may lead only if it may act as one
    (`integrator: true`), has an option for every MLPS-4 system, offers every key layer and,
    unless the capacity rows are elastic, has the capacity for the MLPS-4 systems together.

    This removes no award: an award led by v gives v every MLPS-4 system and key layer within
    its capacity; an award with one winner gives it everything, so that winner passes too
    (and with one winner g is free and not read by any rule). It tightens the relaxation,
    which otherwise shares the lead among bidders that cannot take it: on the generated
    500x30 (one bidder of 13 may lead) the root LP scored 0.7736 with g = 0.88 on a bidder
    whose capacity is below the MLPS-4 systems' vCPU, the optimum 0.7513."""
    if inst.structure == "parallel":
        return set()
    offers: dict[str, set[str]] = {}
    for s, v, _ in inst.triples:
        offers.setdefault(v, set()).add(s)
    key = set(inst.integrator_systems)
    load = sum(inst.vcpu[s] for s in key)
    return {
        v
        for v, vendor in inst.vendors.items()
        if vendor.integrator
        and key <= offers.get(v, set())
        and all(v in inst.layer_options.get(layer, ()) for layer in inst.integrator_layers)
        and (elastic or load <= vendor.capacity_vcpu)
    }


def placements(inst: Instance, elastic: bool = False) -> list[tuple[str, str, str]]:
    """The placements the model may choose: the eligible triples, less those of an MLPS-4
    system with a bidder that cannot lead (`leaders`) when several vendors must win: the
    integrator keeps the key work (GPL art. 48; MOF Order 87 art. 35), so the key row would
    hold them at 0. Left in, they made the branching solver's first working set infeasible
    and its LP stall (generated 500x30: no award in 120 s)."""
    if inst.structure == "parallel" or not inst.integrator_systems or not several_win(inst):
        return inst.triples
    key = set(inst.integrator_systems)
    lead = leaders(inst, elastic)
    return [t for t in inst.triples if t[0] not in key or t[1] in lead]


class Model:
    """A built PuLP model with handles on its variables."""

    def __init__(
        self,
        inst: Instance,
        *,
        naive: bool = False,
        elastic: bool = False,
        time_limit: float | None = None,
    ) -> None:
        self.inst = inst
        self.elastic = elastic
        self.time_limit = time_limit or (EXTRA_LIMIT if elastic else TIME_LIMIT)
        p = pulp.LpProblem("vendor_mix", pulp.LpMaximize)
        self.problem = p
        vids = sorted(inst.vendors)
        triples = placements(inst, elastic)
        if naive:  # every triple gets a variable; ineligible ones are fixed to 0 by constraints
            triples = [
                (s, v, m)
                for s in inst.systems
                for v in vids
                for m in ("private", "dedicated", "public", "hybrid")
            ]
        self.x = {t: p.add_variable(f"x_{t[0]}_{t[1]}_{t[2]}", cat="Binary") for t in triples}
        self.y = {v: p.add_variable(f"y_{v}", cat="Binary") for v in vids}
        parallel = inst.structure == "parallel"
        may_lead = leaders(inst, elastic)
        self.g = {v: p.add_variable(f"g_{v}", cat="Binary") for v in vids if v in may_lead}
        self.z = {
            (layer, v): p.add_variable(f"z_{layer}_{v}", cat="Binary")
            for layer in CROSS_LAYERS
            for v in inst.layer_options[layer]
        }
        self.u = p.add_variable("multi", cat="Binary")
        self.f = p.add_variable("fee", lowBound=0)  # in fen, like every money row below
        # Two money scales. The objective counts money in units of the cost reference R (the
        # award's own size, whatever the budget), so the cost term is w (2 - C). The money rows (contract value, fee,
        # share, lead, budget) count it in whole fen, the unit `award.evaluate` checks them in:
        # each line's coefficient is its amount rounded to the fen, so an award's activity is
        # a sum of whole fen and the solver's tolerance (a millionth of a row's unit) cannot
        # pass a cap broken by a fen. An award exactly at a cap (a 50/50 split) stays in.
        self.unit = unit = money_unit(inst)
        k = 1.0 / self.unit
        cost = {t: k * inst.cost.get(t, 0.0) for t in self.x}
        by_sv: dict[tuple[str, str], list[Any]] = {}
        by_s: dict[str, list[Any]] = {}
        by_v: dict[str, list[tuple[Any, str, str]]] = {}
        for t, var in self.x.items():
            by_sv.setdefault((t[0], t[1]), []).append(var)
            by_s.setdefault(t[0], []).append(var)
            by_v.setdefault(t[1], []).append((var, t[0], t[2]))
            if naive and t not in inst.cost:
                p += var == 0, f"ineligible_{t[0]}_{t[1]}_{t[2]}"
        aff = pulp.LpAffineExpression
        hosting = aff([(var, k * inst.hosting.get(t, 0.0)) for t, var in self.x.items()])
        layer_cost = {key: k * c for key, c in inst.layer_cost.items()}
        setup = {v: k * inst.setup[v] for v in vids}
        money = MoneyRows(inst, unit)
        hosting_rows = aff([(var, money.hosting.get(t, 0.0)) for t, var in self.x.items()])
        layer_terms: dict[str, list[tuple[Any, float]]] = {}
        for key, zv in self.z.items():
            layer_terms.setdefault(key[1], []).append((zv, money.layer[key]))
        vendor_value = {  # in row units, like every money row
            v: aff(
                [(var, money.cost[(s, v, m)]) for var, s, m in by_v.get(v, [])]
                + layer_terms.get(v, [])
                + [(self.y[v], money.setup[v])]
            )
            for v in vids
        }
        base = aff(
            [(var, cost[t]) for t, var in self.x.items()]
            + [(zv, layer_cost[key]) for key, zv in self.z.items()]
            + [(self.y[v], setup[v]) for v in vids]
        )
        base_fen = aff(
            [(var, money.cost[t]) for t, var in self.x.items()]
            + [(zv, money.layer[key]) for key, zv in self.z.items()]
            + [(self.y[v], money.setup[v]) for v in vids]
        )
        # T carries the contract value once, so each share row stays sparse
        self.t = p.add_variable("contract_value", lowBound=0)
        p += self.t == base_fen, "contract_value_def"
        n_used = pulp.lpSum(self.y.values())
        extra = k * inst.extra_vendor_cost * (n_used - 1)
        fee_fixed = several_win(inst)  # so the fee is fixed
        # sparse: for the budget row
        self.total_cost = self.t + self.f + money.extra * (n_used - 1)
        # the cost spelled out on the placements, in money units, for objectives: through T
        # and f alone the placements carry no cost, and the simplex stalled on the dual
        # degeneracy
        fee_cost = inst.integrator_rate * hosting if fee_fixed else self.f * (k / money.per_cny)
        self.cost = base + fee_cost + extra
        self.value = aff(
            [(var, inst.size[t[0]] * inst.value.get(t, 0.0)) for t, var in self.x.items()]
        )
        self.slack: dict[str, Any] = {}
        self.repairs: list[tuple[Choice, str, bool]] = []  # `exclude` cuts, for the LP file
        self.alone: list[list[str]] = []  # winner sets `exclude_winners` ruled out
        self.unproven = False  # set by `optimizer.solve_exact`: the award is not the solver's
        self.chosen: Choice | None = None  # an exact award `solve_exact` put in its place
        self.per_cny = 1.0 / self.unit  # the money rows' units per yuan (`MoneyRows`)
        self.key = set(inst.integrator_systems) if inst.structure == "integrator" else set()
        self.score = score(
            self.value, self.cost, cost_reference(inst) / self.unit, inst.cost_weight
        )
        # system sizes, smallest first: the branching solver's rounding frees small systems
        self.groups = [
            by_s.get(s, []) for s in sorted(inst.systems, key=lambda s: (inst.vcpu[s], s))
        ]
        self.result: mip.Result | None = None
        for s in inst.systems:
            p += pulp.lpSum(by_s.get(s, [])) == 1, f"assign_{s}"
        for (s, v), vs in by_sv.items():  # built term by term: these rows are most of the model
            link = aff([(var, 1.0) for var in vs] + [(self.y[v], -1.0)])
            p.addConstraint(pulp.LpConstraint(link, pulp.LpConstraintLE, rhs=0.0), f"link_{s}_{v}")
        for layer in CROSS_LAYERS:
            p += (
                pulp.lpSum(self.z[(layer, v)] for v in inst.layer_options[layer]) == 1,
                f"layer_{layer}",
            )
            for v in inst.layer_options[layer]:
                p += self.z[(layer, v)] <= self.y[v], f"zlink_{layer}_{v}"
        for v in vids:
            wins = [var for var, _, _ in by_v.get(v, [])] + [zv for zv, _ in layer_terms.get(v, [])]
            p += self.y[v] <= pulp.lpSum(wins), f"active_{v}"
        smin, smax = self._slack("count_min", 1.0), self._slack("count_max", 1.0)
        p += n_used + smin >= inst.min_vendors, "count_min"
        p += n_used - smax <= inst.max_vendors, "count_max"
        p += n_used - 1 <= (len(vids) - 1) * self.u, "multi_def"
        if not parallel:
            p += pulp.lpSum(self.g.values()) >= self.u, "integrator_needed"
            p += pulp.lpSum(self.g.values()) <= 1, "one_integrator"
        for v, gv in self.g.items():
            p += gv <= self.y[v], f"glink_{v}"
        if fee_fixed:
            p += self.u == 1, "multi_fixed"
            p += self.f == inst.integrator_rate * hosting_rows, "fee_def"
        else:  # f >= r H when several vendors win; big M = the largest possible r H
            big_m = inst.integrator_rate * money.most_hosting
            p += self.f >= inst.integrator_rate * hosting_rows - big_m * (1 - self.u), "fee_def"
        self._integrator_rows(vendor_value, by_v, money)
        for v in vids:
            load = [(var, inst.vcpu[s]) for var, s, _ in by_v.get(v, [])]
            if load:
                cap_slack = self._slack(f"capacity_{v}", 1.0 / inst.vendors[v].capacity_vcpu)
                p += aff(load) - cap_slack <= inst.vendors[v].capacity_vcpu, f"capacity_{v}"
            if inst.max_share < 1:  # the slack (elastic model) in money units
                share_slack = self._slack(f"share_{v}", 1.0)
                num, den = share_ratio(inst)  # integral form: q value_v <= p T
                p += (
                    den * vendor_value[v] - den * money.per_cny * self.unit * share_slack
                    <= num * self.t,
                    f"share_{v}",
                )
        for twins in interchangeable(inst):  # identical bidders: use the first ones first
            for first, second in itertools.pairwise(twins):
                p += self.y[first] >= self.y[second], f"twin_{first}_{second}"
        # valid only while the share rows hold exactly (`award.congruence`)
        self.congruent = [] if elastic else obstructed_pairs(inst)
        for a, b in self.congruent:
            others = pulp.lpSum(y for v, y in self.y.items() if v not in (a, b))
            p += self.y[a] + self.y[b] - others <= 1, f"congruence_{a}_{b}"
        # penalty per budget; a budget below TINY_BUDGET is weighed as that (1e-320 CNY, a
        # valid positive number, made the weight inf and the elastic model unbuildable: exit 1)
        budget_slack = self._slack("budget", self.unit / max(inst.budget, TINY_BUDGET))
        p += (
            self.total_cost - money.per_cny * self.unit * budget_slack
            <= money.per_cny * inst.budget,
            "budget",
        )
        if elastic:
            penalty = pulp.lpSum(var * w for var, w in self.slack.values())
            p += -penalty * 1000 + self.score * 1e-3
        else:
            p += self.score
        self.problem = p

    def _integrator_rows(
        self,
        vendor_value: dict[str, Any],
        by_v: dict[str, list[tuple[Any, str, str]]],
        money: MoneyRows,
    ) -> None:
        """The integrator keeps the main and key work (see the module docstring)."""
        inst, p = self.inst, self.problem
        if inst.lead_share and self.g:
            # big M: no vendor can be awarded more than every system's dearest option, every
            # layer and every setup fee together (fen)
            big = money.most_awarded
            # one variable for the lead, so each vendor's earnings appear in two rows, not in
            # one row per (integrator, vendor) pair: 30 bidders made 870 pair rows of ~1,500
            # terms each and left HiGHS's root LP unsolved after 60 s at 500 systems. The rows
            # project onto exactly the pair rows (value_v <= lead <= value_i + M (1 - g_i)),
            # so the relaxation and the optimum are the same.
            lead = p.add_variable("lead_value", lowBound=0)
            for v in vendor_value:
                p += vendor_value[v] - lead <= 0, f"lead_{v}"
            for i, gi in self.g.items():
                p += lead - vendor_value[i] <= big * (1 - gi), f"leader_{i}"
        key = self.key
        for v, placed in by_v.items():
            for s in sorted({s for _, s, _ in placed if s in key}):
                xs = [var for var, s2, _ in placed if s2 == s]
                g = self.g.get(v, 0)
                p += pulp.lpSum(xs) <= g + 1 - self.u, f"key_{s}_{v}"
        for layer in inst.integrator_layers:
            for v in inst.layer_options[layer]:
                g = self.g.get(v, 0)
                p += self.z[(layer, v)] <= g + 1 - self.u, f"keylayer_{layer}_{v}"

    @property
    def size(self) -> tuple[int, int]:
        """(variables, constraints)"""
        return self.problem.numVariables(), self.problem.numConstraints()

    def _slack(self, name: str, weight: float) -> Any:
        if not self.elastic:
            return 0
        var = self.problem.add_variable(f"slack_{name}", lowBound=0)
        self.slack[name] = (var, weight)
        return var

    def make_precise(self) -> bool:
        """Only the array model has a precise build (`ArrayModel.make_precise`)."""
        return False

    def record(self) -> Any:
        """The model of record for the LP file: the rules as stated and the repair cuts (each
        excludes only an award that breaks them). No row's limit is ever moved."""
        return self.problem

    def exclude(self, choice: Choice, name: str, integrator: bool) -> None:
        """A repair cut named `name`: the next solution must differ from the award `choice` in
        a placement or a layer (or, with `integrator`, in the integrator). It removes that one
        award, which the solver's tolerance let break a money rule, and no other."""
        terms = award_columns(choice, self.x, self.z, self.g if integrator else {})
        self.problem += pulp.lpSum(terms) <= len(terms) - 1, name
        self.repairs.append((choice, name, integrator))

    def exclude_winners(self, winners: list[str]) -> bool:
        """A congruence row (`award.congruence`): these bidders never win alone, for no award
        with exactly them as winners meets the share cap exactly. False if the row is there."""
        name = alone_name(winners)
        if name in {row.name for row in self.problem.constraints()}:
            return False
        inside = pulp.lpSum(self.y[v] for v in winners)
        others = pulp.lpSum(y for v, y in self.y.items() if v not in winners)
        self.problem += inside - others <= len(winners) - 1, name
        self.alone.append(sorted(winners))
        return True

    def forbid(self, chosen: list[tuple[str, str, str]], index: int) -> None:
        """A no-good cut: the next solution must differ in at least one placement."""
        self.problem += (
            pulp.lpSum(self.x[t] for t in chosen) <= len(chosen) - 1,
            f"nogood_{index}",
        )

    def solve(
        self,
        solver: str = "highs",
        time_limit: float | None = None,
        branching: bool | None = None,
        start: Choice | None = None,
        gap: float = GAP,
    ) -> tuple[str, float]:
        """Solve; returns (status, seconds). `branching` (default: by size) makes HiGHS
        branch on the vendor indicators first; see `procure.award.mip`. `start`, an award of a
        similar model, is offered to HiGHS as a first solution. `time_limit` (default: the
        model's) bounds the solve: "Time limit" then means an award without proof of
        optimality, "Not solved" none found. `gap`: the relative optimality gap to prove."""
        time_limit = self.time_limit if time_limit is None else time_limit
        self.chosen = None
        if solver == "highs":
            if branching is None:
                branching = branch_first(len(self.x), bool(self.congruent)) and not self.elastic
            self.result = mip.solve(
                self.problem,
                gap=gap,
                time_limit=time_limit,
                priority=[*self.y.values(), *self.g.values()] if branching else (),
                neighbourhood=self.groups,
                lazy=("link_",),
                hint=self.hint(start) if start is not None else (),
                # an MLPS-4 system may only go to the integrator: all its options stay in
                inside=[var for t, var in self.x.items() if t[0] in self.key],
                one_of=list(self.g.values()),  # the one_integrator row: at most one leads
            )
            return self.result.status, self.result.seconds
        if solver == "cbc":
            # PuLP 3 flags its bundled CBC for removal in 4.0; the warning filters are global,
            # so solves in other threads must not swap them at the same time
            with _WARNINGS, warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                engine: Any = pulp.PULP_CBC_CMD(msg=False, gapRel=gap, timeLimit=time_limit)
        else:  # pragma: no cover - guarded by the CLI's choices
            raise ProcureError(f"unknown solver {solver!r}")
        began = time.perf_counter()
        status = _cbc(self.problem, engine, began + time_limit)
        return pulp.LpStatus[status], time.perf_counter() - began

    def hint(self, choice: Choice) -> list[tuple[Any, float]]:
        """The placement, layer, vendor and integrator variables' values in an award given as
        `choice()` gives it; none if this model cannot express that award."""
        return hint_values(self.inst, choice, self.x, self.z, self.y, self.g) or []

    def choice(self) -> Choice:
        if self.chosen is not None:
            return self.chosen
        assignment = {t[0]: (t[1], t[2]) for t, var in self.x.items() if (var.value() or 0) > 0.5}
        layers = {k[0]: k[1] for k, var in self.z.items() if (var.value() or 0) > 0.5}
        integrator = next((v for v, var in self.g.items() if (var.value() or 0) > 0.5), None)
        return assignment, layers, integrator


CBC_GRACE = 5.0  # seconds past its time limit before CBC is killed (it counts CPU seconds)


def _cbc(problem: pulp.LpProblem, engine: Any, deadline: float) -> int:
    """Solve `problem` with CBC through PuLP, in a child killed with CBC at `deadline` plus
    `CBC_GRACE` (`watchdog.isolated`), its temporary files in a folder removed after; PuLP's
    status, the variables' values written back. Killed: "Not Solved", no values."""
    import tempfile

    variables = problem.variables()
    with tempfile.TemporaryDirectory(prefix="procure-cbc-") as folder:
        engine.tmpDir = folder

        def task(_: watchdog.Send) -> tuple[int, list[float | None]]:
            problem.solve(engine)  # msg=False: PuLP sends CBC's output to os.devnull
            return problem.status, [v.varValue for v in variables]

        answer, _ = watchdog.isolated(task, deadline, grace=CBC_GRACE)
    status, values = answer if answer is not None else (pulp.LpStatusNotSolved, None)
    for var, value in zip(variables, values or [None] * len(variables), strict=True):
        var.varValue = value
    problem.status = status
    return status


# PuLP's name translation (LpElement.trans): the arrays name rows and columns as PuLP does
_TRANS = str.maketrans("-+[] ->/", "________")

Triple = tuple[str, str, str]
H = TypeVar("H")  # a handle on a column: a PuLP variable or an index


def hint_values(
    inst: Instance,
    choice: Choice,
    x: dict[Triple, H],
    z: dict[tuple[str, str], H],
    y: dict[str, H],
    g: dict[str, H],
) -> list[tuple[H, float]] | None:
    """The placement, layer, vendor and integrator values of an award given as `choice()`
    gives it, against either build's handles (PuLP variables or columns); None if the model
    cannot express that award. Not `multi`: some rules fix it to 1 even for one vendor, and
    the solver completes it."""
    assignment, layers, integrator = choice
    if inst.structure == "parallel":  # parallel contracts name no integrator
        integrator = None
    chosen = {(s, v, m) for s, (v, m) in assignment.items()}
    won = set(layers.items())
    used = {v for v, _ in assignment.values()} | set(layers.values())
    if not chosen <= x.keys() or not won <= z.keys() or not used <= y.keys():
        return None
    if integrator is not None and integrator not in g:
        if len(used) > 1:
            return None
        integrator = None  # one winner: no rule reads the integrator (`leaders`)
    return [
        *((h, float(t in chosen)) for t, h in x.items()),
        *((h, float(k in won)) for k, h in z.items()),
        *((h, float(v in used)) for v, h in y.items()),
        *((h, float(v == integrator)) for v, h in g.items()),
    ]


def award_columns(
    choice: Choice,
    x: dict[Triple, H],
    z: dict[tuple[str, str], H],
    g: dict[str, H],
) -> list[H]:
    """The placement and layer columns set to 1 by an award given as `choice()` gives it, and
    its integrator's column if `g` has it."""
    assignment, layers, integrator = choice
    out = [x[(s, v, m)] for s, (v, m) in sorted(assignment.items())]
    out += [z[(layer, v)] for layer, v in sorted(layers.items())]
    if integrator is not None and integrator in g:
        out.append(g[integrator])
    return out


def pulp_name(name: str) -> str:
    return name.translate(_TRANS)


@dataclass
class _Rows:
    """Rows gathered one by one: (name, lower, upper) and their triplets."""

    names: list[str] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)

    def add(self, name: str, terms: list[tuple[int, float]], lower: float, upper: float) -> None:
        r = len(self.names)
        terms = [(c, v) for c, v in terms if v]  # PuLP drops zero coefficients
        self.rows.extend([r] * len(terms))
        self.cols.extend(c for c, _ in terms)
        self.vals.extend(v for _, v in terms)
        self.names.append(pulp_name(name))
        self.lower.append(lower)
        self.upper.append(upper)


INF = float("inf")


@dataclass
class Layout:
    """Which column is which."""

    x: dict[Triple, int]
    y: dict[str, int]
    g: dict[str, int]
    z: dict[tuple[str, str], int]
    value: np.ndarray  # the award's value (0-100 points x size) per column
    cost: np.ndarray  # its cost (money units) per column, as the objective reads it
    cost_constant: float  # and the cost's constant term
    unit: float  # CNY per money unit
    reference: float  # the score's cost reference (`cost_reference`) in money units
    groups: list[np.ndarray]  # each system's placements, smallest system first
    inside: np.ndarray  # placements the node relaxations always hold (MLPS-4 systems)


def objective(layout: Layout, cost_weight: float) -> tuple[np.ndarray, float]:
    """The award score's coefficients and constant: value on its 0-100 scale, cost scored as
    w (2 - C / R) against the cost reference R (`award.score`), computed as PuLP's expressions
    compute it."""
    w, r = cost_weight, layout.reference
    coef = ((1 - w) * layout.value) / 100 + (-(layout.cost / r)) * w
    constant = w * (-(layout.cost_constant / r) + 2)
    return coef, constant


def build(inst: Instance, per_cny: float | None = None) -> tuple[mip.Arrays, Layout]:
    """The award MILP of `inst` (the rows of this module's docstring) as arrays; `per_cny`:
    the money rows' units per yuan (`MoneyRows`; default: money units)."""
    vids = sorted(inst.vendors)
    triples = placements(inst)
    parallel = inst.structure == "parallel"
    # columns, named as the PuLP model names them; PuLP orders columns by name
    named: list[tuple[str, Any]] = [(f"x_{t[0]}_{t[1]}_{t[2]}", ("x", t)) for t in triples]
    named += [(f"y_{v}", ("y", v)) for v in vids]
    may_lead = leaders(inst)
    gids = [v for v in vids if v in may_lead]
    named += [(f"g_{v}", ("g", v)) for v in gids]
    zkeys = [(layer, v) for layer in CROSS_LAYERS for v in inst.layer_options[layer]]
    named += [(f"z_{k[0]}_{k[1]}", ("z", k)) for k in zkeys]
    named += [("multi", ("u", None)), ("fee", ("f", None)), ("contract_value", ("t", None))]
    key = set(inst.integrator_systems) if not parallel else set()
    lead_rule = inst.lead_share and bool(gids)
    if lead_rule:
        named.append(("lead_value", ("lead", None)))
    named = [(pulp_name(n), what) for n, what in named]
    named.sort(key=lambda item: item[0])
    col: dict[Any, int] = {what: i for i, (_, what) in enumerate(named)}
    n = len(named)
    x = {t: col[("x", t)] for t in triples}
    y = {v: col[("y", v)] for v in vids}
    g = {v: col[("g", v)] for v in gids}
    z = {k: col[("z", k)] for k in zkeys}
    u, f, t_col = col[("u", None)], col[("f", None)], col[("t", None)]

    unit = money_unit(inst)
    k = 1.0 / unit
    cost = {tr: k * inst.cost.get(tr, 0.0) for tr in triples}
    hosting = {tr: k * inst.hosting.get(tr, 0.0) for tr in triples}
    layer_cost = {key_: k * c for key_, c in inst.layer_cost.items()}
    setup = {v: k * inst.setup[v] for v in vids}
    by_sv: dict[tuple[str, str], list[int]] = {}
    by_s: dict[str, list[int]] = {}
    by_v: dict[str, list[tuple[int, str, str]]] = {}
    for tr in triples:
        c = x[tr]
        by_sv.setdefault((tr[0], tr[1]), []).append(c)
        by_s.setdefault(tr[0], []).append(c)
        by_v.setdefault(tr[1], []).append((c, tr[0], tr[2]))
    money = MoneyRows(inst, unit, per_cny)  # the money rows' amounts (see `MoneyRows`)
    layer_terms: dict[str, list[tuple[int, float]]] = {}
    for key_ in zkeys:
        layer_terms.setdefault(key_[1], []).append((z[key_], money.layer[key_]))
    vendor_value = {
        v: [(c, money.cost[(s, v, m)]) for c, s, m in by_v.get(v, [])]
        + layer_terms.get(v, [])
        + [(y[v], money.setup[v])]
        for v in vids
    }
    base = (
        [(x[tr], cost[tr]) for tr in triples]
        + [(z[key_], layer_cost[key_]) for key_ in zkeys]
        + [(y[v], setup[v]) for v in vids]
    )
    base_fen = (
        [(x[tr], money.cost[tr]) for tr in triples]
        + [(z[key_], money.layer[key_]) for key_ in zkeys]
        + [(y[v], money.setup[v]) for v in vids]
    )
    fee_fixed = several_win(inst)
    evc = k * inst.extra_vendor_cost

    # the objective's parts: cost = base + (r H if the fee is fixed, else f) + evc (sum y - 1)
    value = np.zeros(n)
    cost_vec = np.zeros(n)
    for tr in triples:
        value[x[tr]] = inst.size[tr[0]] * inst.value.get(tr, 0.0)
    for c, amount in base:
        cost_vec[c] = amount
    if fee_fixed:
        for tr in triples:
            cost_vec[x[tr]] = cost[tr] + inst.integrator_rate * hosting[tr]
    else:
        cost_vec[f] = k / money.per_cny  # the fee column counts row units
    for v in vids:
        cost_vec[y[v]] = setup[v] + evc * 1.0

    rows = _Rows()
    rows.add("contract_value_def", [(t_col, 1.0)] + [(c, -a) for c, a in base_fen], 0.0, 0.0)
    for s in inst.systems:
        rows.add(f"assign_{s}", [(c, 1.0) for c in by_s.get(s, [])], 1.0, 1.0)
    for (s, v), cs in by_sv.items():
        rows.add(f"link_{s}_{v}", [(c, 1.0) for c in cs] + [(y[v], -1.0)], -INF, 0.0)
    for layer in CROSS_LAYERS:
        rows.add(f"layer_{layer}", [(z[(layer, v)], 1.0) for v in inst.layer_options[layer]], 1, 1)
        for v in inst.layer_options[layer]:
            rows.add(f"zlink_{layer}_{v}", [(z[(layer, v)], 1.0), (y[v], -1.0)], -INF, 0.0)
    for v in vids:
        wins = [c for c, _, _ in by_v.get(v, [])] + [c for c, _ in layer_terms.get(v, [])]
        rows.add(f"active_{v}", [(y[v], 1.0)] + [(c, -1.0) for c in wins], -INF, 0.0)
    used = [(y[v], 1.0) for v in vids]
    rows.add("count_min", used, inst.min_vendors, INF)
    rows.add("count_max", used, -INF, inst.max_vendors)
    rows.add("multi_def", [*used, (u, -(len(vids) - 1.0))], -INF, 1.0)
    if not parallel:
        rows.add("integrator_needed", [(g[v], 1.0) for v in gids] + [(u, -1.0)], 0.0, INF)
        rows.add("one_integrator", [(g[v], 1.0) for v in gids], -INF, 1.0)
    for v in gids:
        rows.add(f"glink_{v}", [(g[v], 1.0), (y[v], -1.0)], -INF, 0.0)
    rate = inst.integrator_rate
    fee_terms = [(f, 1.0)] + [(x[tr], -(rate * money.hosting[tr])) for tr in triples]
    if fee_fixed:
        rows.add("multi_fixed", [(u, 1.0)], 1.0, 1.0)
        rows.add("fee_def", fee_terms, 0.0, 0.0)
    else:
        big_m = rate * money.most_hosting
        rows.add("fee_def", [*fee_terms, (u, -big_m)], -big_m, INF)
    if lead_rule:
        big = money.most_awarded
        lead = col[("lead", None)]
        for v in vids:
            rows.add(f"lead_{v}", vendor_value[v] + [(lead, -1.0)], -INF, 0.0)
        for i in gids:
            terms = [(lead, 1.0)] + [(c, -a) for c, a in vendor_value[i]] + [(g[i], big)]
            rows.add(f"leader_{i}", terms, -INF, big)
    for v, placed in by_v.items():
        for s in sorted({s for _, s, _ in placed if s in key}):
            terms = [(c, 1.0) for c, s2, _ in placed if s2 == s]
            terms += ([(g[v], -1.0)] if v in g else []) + [(u, 1.0)]
            rows.add(f"key_{s}_{v}", terms, -INF, 1.0)
    for layer in inst.integrator_layers:
        for v in inst.layer_options[layer]:
            terms = [(z[(layer, v)], 1.0)] + ([(g[v], -1.0)] if v in g else []) + [(u, 1.0)]
            rows.add(f"keylayer_{layer}_{v}", terms, -INF, 1.0)
    for v in vids:
        load = [(c, inst.vcpu[s]) for c, s, _ in by_v.get(v, [])]
        if load:
            rows.add(f"capacity_{v}", load, -INF, inst.vendors[v].capacity_vcpu)
        if inst.max_share < 1:
            num, den = share_ratio(inst)  # integral form: q value_v <= p T
            terms = [(c, den * a) for c, a in vendor_value[v]] + [(t_col, -num)]
            rows.add(f"share_{v}", terms, -INF, 0.0)
    for twins in interchangeable(inst):
        for first, second in itertools.pairwise(twins):
            rows.add(f"twin_{first}_{second}", [(y[first], 1.0), (y[second], -1.0)], 0.0, INF)
    for a, b in obstructed_pairs(inst):  # a and b never win alone (`award.congruence`)
        terms = [(y[v], 1.0 if v in (a, b) else -1.0) for v in vids]
        rows.add(f"congruence_{a}_{b}", terms, -INF, 1.0)
    evc_fen = money.extra
    rows.add(
        "budget",
        [(t_col, 1.0), (f, 1.0)] + [(y[v], evc_fen) for v in vids],
        -INF,
        money.per_cny * inst.budget + evc_fen,
    )

    lower = np.zeros(n)
    upper = np.ones(n)
    integer = np.ones(n, dtype=bool)
    for c in (f, t_col) + ((col[("lead", None)],) if lead_rule else ()):
        upper[c] = INF
        integer[c] = False
    layout = Layout(
        x=x,
        y=y,
        g=g,
        z=z,
        value=value,
        cost=cost_vec,
        cost_constant=-evc,
        unit=unit,
        reference=cost_reference(inst) / unit,
        groups=[
            np.array(by_s.get(s, []), dtype=np.int64)
            for s in sorted(inst.systems, key=lambda s: (inst.vcpu[s], s))
        ],
        inside=np.array([c for tr, c in x.items() if tr[0] in key], dtype=np.int64),
    )
    coef, constant = objective(layout, inst.cost_weight)
    arrays = mip.Arrays(
        names=[name for name, _ in named],
        cost=coef,
        offset=constant,
        maximize=True,
        col_lower=lower,
        col_upper=upper,
        integer=integer,
        row_lower=np.asarray(rows.lower, dtype=float),
        row_upper=np.asarray(rows.upper, dtype=float),
        row_names=rows.names,
        rows=np.asarray(rows.rows, dtype=np.int64),
        cols=np.asarray(rows.cols, dtype=np.int64),
        vals=np.asarray(rows.vals, dtype=float),
    )
    return arrays, layout


class ArrayModel:
    """The award MILP as arrays (`build`), solved by HiGHS through `procure.award.mip`, with the
    handles `Model` offers: solve, exclude or forbid an award, read the award back."""

    elastic = False

    def __init__(
        self,
        inst: Instance,
        *,
        time_limit: float | None = None,
        built: tuple[mip.Arrays, Layout] | None = None,
    ) -> None:
        self.inst = inst
        self.time_limit = time_limit or TIME_LIMIT
        self.a, self.layout = built or build(inst)
        # the arrays as built, before any cut or repair (`variant` starts from them); the
        # cuts replace `a`'s arrays and lists, never write into them
        self.built = (replace(self.a), self.layout)
        self._shape: tuple[Any, ...] | None = None  # `_shape` of `inst`, for `variant`
        self.unit = self.layout.unit
        self.result: mip.Result | None = None
        self.repairs: list[tuple[Choice, str, bool]] = []  # `exclude` cuts, for the LP file
        self.alone: list[list[str]] = []  # winner sets `exclude_winners` ruled out
        self.unproven = False  # set by `optimizer.solve_exact`: the award is not the solver's
        self.chosen: Choice | None = None  # an exact award `solve_exact` put in its place
        # seconds the branching goes on past a first award from a start and its LP bound, then
        # stops with its proven gap (`mip.solve_arrays`); None: to the time limit
        self.search: float | None = None
        # an award from the LP relaxation's values of the vendor (y) and integrator (g)
        # columns, by vendor (`heuristic.from_relaxation`), offered once that LP is solved
        self.rounding: Callable[[dict[str, float], dict[str, float]], Choice | None] | None = None
        self.per_cny = 1.0 / self.unit  # the money rows' units per yuan (`MoneyRows`)
        self.cuts: list[tuple[list[Triple], int]] = []
        self._row = {name: i for i, name in enumerate(self.a.row_names)}
        self.congruent = any(name.startswith("congruence_") for name in self.a.row_names)

    @property
    def size(self) -> tuple[int, int]:
        """(variables, constraints)"""
        return len(self.a.names), len(self.a.row_names)

    def scout(self, over: dict[str, float]) -> ArrayModel:
        """A copy whose rows named in `over` (row -> CNY) have their limits lowered by that
        much, for `optimizer.solve_exact` to look for a first award that meets the rules where
        the solver's tolerance keeps slipping past them. The copy is a search heuristic only:
        its awards are checked exactly, its bound is never used, and this model (the one whose
        bound and LP file count) keeps every limit as stated."""
        other = ArrayModel.__new__(ArrayModel)
        other.__dict__.update(self.__dict__)
        other.a = replace(self.a, row_upper=self.a.row_upper.copy())
        _, den = share_ratio(self.inst)
        for row, cny in over.items():
            scale = den if row.startswith("share_") else 1.0  # share rows: q value <= p T
            other.a.row_upper[self._row[pulp_name(row)]] -= scale * cny * self.per_cny
        other.result = None
        other.chosen = None
        return other

    def variant(self, inst: Instance, time_limit: float | None = None) -> ArrayModel | None:
        """The model of `inst`, this model's instance with a rule dropped (`optimizer.rule_costs`),
        from this model's arrays as built (none of its cuts or repairs) instead of a new build:
        the dropped rule's rows removed (lead, key work, share cap, congruence) with the lead's
        column, the vendor count's limits moved, the objective re-valued. The same arrays, row
        for row and bit for bit, as `build(inst)` (tests/test_formulation.py). None where the
        change reaches other rows or columns (the bidders that may lead, the placements, the
        cost reference, a share cap changed but kept, interchangeable bidders): then build."""
        old, (a, lay) = self.inst, self.built
        changed = {
            f.name
            for f in fields(Instance)
            if f.compare and getattr(old, f.name) != getattr(inst, f.name)
        }
        if not changed <= VARIANT_FIELDS:
            return None
        if self._shape is None:  # the award's, once (rule costs ask for several variants)
            self._shape = _shape(old)
        if self._shape != _shape(inst) or not _same_rows(old, inst, changed):
            return None
        vids = sorted(old.vendors)
        had, has = old.lead_share and bool(lay.g), inst.lead_share and bool(lay.g)
        old_key, key = set(old.integrator_systems), set(inst.integrator_systems)
        old_layers, layers = set(old.integrator_layers), set(inst.integrator_layers)
        old_pairs, pairs = set(obstructed_pairs(old)), set(obstructed_pairs(inst))
        if has > had or not (key <= old_key and layers <= old_layers and pairs <= old_pairs):
            return None
        gone = [f"lead_{v}" for v in vids if had and not has]
        gone += [f"leader_{v}" for v in lay.g if had and not has]
        gone += [f"key_{s}_{v}" for s in old_key - key for v in vids]
        gone += [f"keylayer_{layer}_{v}" for layer in old_layers - layers for v in vids]
        gone += [f"share_{v}" for v in vids if inst.max_share >= 1 > old.max_share]
        gone += [f"congruence_{p}_{q}" for p, q in old_pairs - pairs]
        drop = {pulp_name(name) for name in gone}
        keep_row = np.array([name not in drop for name in a.row_names], dtype=bool)
        keep_col = np.array([not (name == "lead_value" and not has) for name in a.names])
        new_row = np.cumsum(keep_row) - 1
        new_col = np.cumsum(keep_col) - 1
        entries = keep_row[a.rows] & keep_col[a.cols]
        row_names = [name for name, kept in zip(a.row_names, keep_row, strict=True) if kept]
        row_lower, row_upper = a.row_lower[keep_row], a.row_upper[keep_row]
        row_lower[row_names.index("count_min")] = inst.min_vendors
        row_upper[row_names.index("count_max")] = inst.max_vendors
        x = {t: int(new_col[c]) for t, c in lay.x.items()}
        value = lay.value[keep_col]
        if "value" in changed:  # as `build` computes it
            for t, c in x.items():
                value[c] = inst.size[t[0]] * inst.value.get(t, 0.0)
        layout = replace(
            lay,
            x=x,
            y={v: int(new_col[c]) for v, c in lay.y.items()},
            g={v: int(new_col[c]) for v, c in lay.g.items()},
            z={k: int(new_col[c]) for k, c in lay.z.items()},
            value=value,
            cost=lay.cost[keep_col],
            groups=[new_col[group] for group in lay.groups],
            inside=np.array(
                [c for t, c in x.items() if t[0] in key and inst.structure != "parallel"],
                dtype=np.int64,
            ),  # as `build`: parallel contracts keep no key work
        )
        coef, constant = objective(layout, inst.cost_weight)
        arrays = mip.Arrays(
            names=[name for name, kept in zip(a.names, keep_col, strict=True) if kept],
            cost=coef,
            offset=constant,
            maximize=a.maximize,
            col_lower=a.col_lower[keep_col],
            col_upper=a.col_upper[keep_col],
            integer=a.integer[keep_col],
            row_lower=row_lower,
            row_upper=row_upper,
            row_names=row_names,
            rows=new_row[a.rows[entries]],
            cols=new_col[a.cols[entries]],
            vals=a.vals[entries],
        )
        limit = self.time_limit if time_limit is None else time_limit
        return ArrayModel(inst, time_limit=limit, built=(arrays, layout))

    def reweighted(self, cost_weight: float) -> ArrayModel:
        """The same model with another weight on cost: only the objective changes, so the
        rows are shared, not rebuilt (the frontier re-solves one instance at several weights)."""
        other = ArrayModel.__new__(ArrayModel)
        other.__dict__.update(self.__dict__)
        other.inst = replace(self.inst, cost_weight=cost_weight)
        cost, offset = objective(self.layout, cost_weight)
        other.a = replace(self.a, cost=cost, offset=offset)
        other.result = None
        other.chosen = None
        return other

    def make_precise(self) -> bool:
        """Count the money rows in thousands of yuan (`MoneyRows`), keeping every cut."""
        self.a, self.layout = build(self.inst, PRECISE_PER_CNY)
        self.per_cny = PRECISE_PER_CNY
        self._row = {name: i for i, name in enumerate(self.a.row_names)}
        repairs, cuts, alone = self.repairs, self.cuts, self.alone
        self.repairs, self.cuts, self.alone = [], [], []
        for choice, name, integrator in repairs:
            self.exclude(choice, name, integrator)
        for winners in alone:
            self.exclude_winners(winners)
        for chosen, index in cuts:
            self.forbid(chosen, index)
        return True

    def snapshot(self) -> tuple[Any, ...]:
        """The model and its last answer, to `restore` after a trial (`make_precise`)."""
        keep = ("a", "layout", "per_cny", "_row", "repairs", "cuts", "alone", "result", "chosen")
        return tuple((name, getattr(self, name)) for name in keep)

    def restore(self, saved: tuple[Any, ...]) -> None:
        for name, value in saved:
            setattr(self, name, value)

    def record(self) -> Any:
        """As `Model.record`: the PuLP twin (`problem`), in money units, with the repair cuts."""
        return self.problem

    def exclude(self, choice: Choice, name: str, integrator: bool) -> None:
        """As `Model.exclude`."""
        lay = self.layout
        cols = award_columns(choice, lay.x, lay.z, lay.g if integrator else {})
        self._add_row(name, cols)
        self.repairs = [*self.repairs, (choice, name, integrator)]

    def exclude_winners(self, winners: list[str]) -> bool:
        """As `Model.exclude_winners`."""
        name = alone_name(winners)
        if name in self._row:
            return False
        y = self.layout.y
        cols = list(y.values())
        self._append(name, cols, [1.0 if v in winners else -1.0 for v in y], len(winners) - 1.0)
        self.alone = [*self.alone, sorted(winners)]
        return True

    def forbid(self, chosen: list[Triple], index: int) -> None:
        """A no-good cut: the next solution must differ in at least one placement."""
        self._add_row(f"nogood_{index}", [self.layout.x[t] for t in chosen])
        self.cuts = [*self.cuts, (chosen, index)]

    def _add_row(self, name: str, columns: list[int]) -> None:
        """sum(columns) <= len(columns) - 1"""
        self._append(name, columns, [1.0] * len(columns), len(columns) - 1.0)

    def _append(self, name: str, columns: list[int], values: list[float], upper: float) -> None:
        """The row sum(values . columns) <= upper."""
        a = self.a
        r = len(a.row_names)
        cols = np.array(columns, dtype=np.int64)
        a.rows = np.concatenate([a.rows, np.full(len(cols), r, dtype=np.int64)])
        a.cols = np.concatenate([a.cols, cols])
        a.vals = np.concatenate([a.vals, np.asarray(values, dtype=float)])
        a.row_lower = np.append(a.row_lower, -INF)
        a.row_upper = np.append(a.row_upper, upper)
        # new lists, not appends: a reweighted copy may share the old ones
        a.row_names = [*a.row_names, name]
        self._row = {**self._row, name: r}

    def solve(
        self,
        solver: str = "highs",
        time_limit: float | None = None,
        branching: bool | None = None,
        start: Choice | None = None,
        gap: float = GAP,
    ) -> tuple[str, float]:
        """As `Model.solve`, with HiGHS only."""
        if solver != "highs":  # pragma: no cover - `model_for` gives PuLP the other solvers
            raise ProcureError(f"the array model is solved by HiGHS, not {solver!r}")
        time_limit = self.time_limit if time_limit is None else time_limit
        self.chosen = None
        if branching is None:
            branching = branch_first(len(self.layout.x), self.congruent)
        priority = np.array([*self.layout.y.values(), *self.layout.g.values()], dtype=np.int64)
        self.result = mip.solve_arrays(
            self.a,
            gap=gap,
            time_limit=time_limit,
            priority=priority if branching else None,
            neighbourhood=self.layout.groups,
            lazy=("link_",),
            hint=self.hint(start) if start is not None else None,
            inside=self.layout.inside,
            one_of=np.array(list(self.layout.g.values()), dtype=np.int64),  # one_integrator
            search=self.search,
            guide=self._guide if self.rounding is not None else None,
        )
        result = self.result
        if result.values is not None and result.objective is not None and result.bound is None:
            # an award but no bound in time (the province's root LP): the bound that needs
            # no solve, so the gap is still stated (and "Optimal" only if it is within `gap`)
            result.bound = max(score_ceiling(self.inst), result.objective)
            result.gap = mip._rel_gap(result.objective, result.bound)
            if result.gap <= gap:
                result.status = "Optimal"
        return result.status, result.seconds

    def _guide(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """`rounding`'s award from the relaxation's solution `x`, as a hint (`mip.Guide`)."""
        lay = self.layout
        if self.rounding is None:
            return None
        choice = self.rounding(
            {v: float(x[c]) for v, c in lay.y.items()}, {v: float(x[c]) for v, c in lay.g.items()}
        )
        return None if choice is None else self.hint(choice)

    def hint(self, choice: Choice) -> tuple[np.ndarray, np.ndarray] | None:
        """Column values of an award given as `choice()` gives it; None if this model cannot
        express it."""
        lay = self.layout
        pairs = hint_values(self.inst, choice, lay.x, lay.z, lay.y, lay.g)
        if pairs is None:
            return None
        return (
            np.array([c for c, _ in pairs], dtype=np.int64),
            np.array([x for _, x in pairs], dtype=float),
        )

    def choice(self) -> Choice:
        if self.chosen is not None:
            return self.chosen
        values = self.result.values if self.result is not None else None
        if values is None:
            return {}, {}, None
        lay = self.layout
        assignment = {t[0]: (t[1], t[2]) for t, c in lay.x.items() if values[c] > 0.5}
        layers = {k[0]: k[1] for k, c in lay.z.items() if values[c] > 0.5}
        integrator = next((v for v, c in lay.g.items() if values[c] > 0.5), None)
        return assignment, layers, integrator

    @property
    def problem(self) -> Any:
        """The same model in PuLP, with this one's repair and no-good cuts (the LP file)."""
        twin = Model(self.inst, time_limit=self.time_limit)
        for choice, name, integrator in self.repairs:
            twin.exclude(choice, name, integrator)
        for winners in self.alone:
            twin.exclude_winners(winners)
        for chosen, index in self.cuts:
            twin.forbid(chosen, index)
        return twin.problem


AnyModel = Model | ArrayModel

# What a rule dropped may change in the instance for `ArrayModel.variant` to carry it over to
# the arrays as built: the vendor count, the share cap, the integrator's rules, the values (a
# preference dropped); any other change is built afresh
VARIANT_FIELDS = frozenset(
    {
        "min_vendors",
        "max_vendors",
        "max_share",
        "lead_share",
        "integrator_systems",
        "integrator_layers",
        "value",
    }
)


def _shape(inst: Instance) -> tuple[Any, ...]:
    """What fixes the columns and the rows a dropped rule does not name: whether several
    must win (the fee rows), the bidders that may lead, the placements, the cost reference
    (every money row's unit)."""
    return several_win(inst), leaders(inst), placements(inst), cost_reference(inst)


def _same_rows(old: Instance, new: Instance, changed: set[str]) -> bool:
    """With the same `_shape`: whether the share rows' ratio (or none) and the
    interchangeable bidders (their twin rows) are the same for `new` as for `old`."""
    if "max_share" in changed and new.max_share < 1:
        return False  # the share rows' coefficients change
    return "value" not in changed or interchangeable(old) == interchangeable(new)


def model_for(inst: Instance, solver: str, *, time_limit: float | None = None) -> AnyModel:
    """The model a solver reads: arrays for HiGHS, PuLP for the others."""
    if solver == "highs":
        return ArrayModel(inst, time_limit=time_limit)
    return Model(inst, time_limit=time_limit)
