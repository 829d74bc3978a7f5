"""Solve a MILP given as arrays (or a PuLP model) with HiGHS (through highspy), optionally
branching on chosen variables first.

HiGHS has no branching priorities. On the vendor-mix model its LP relaxation is tight once the
set of winning vendors (and the integrator) is integral, yet HiGHS spends most of its time in
primal heuristics looking for that set (500 systems x 30 vendors: 25-52 s). So `solve_arrays`
can run a branch and bound of its own on `priority` variables (the vendor and integrator
indicators):

- every node is the LP relaxation with some priority variables fixed and the bounds those
  fixings imply for other columns (`_Propagation`), solved by HiGHS's simplex from its
  parent's basis; its bound is a dual bound (`_Relaxation._dual_bound`), valid whatever the
  simplex's tolerances. The relaxation keeps a working set: rows named with a
  `lazy` prefix join only when a solution breaks them, and of each `neighbourhood` group (a
  system's options) only the best few columns start in, others joining when their reduced
  cost says they would improve it. It returns only when neither finds anything, so its value
  is the relaxation of the whole model;
- where the priority variables come out integral, a RENS-style rounding (integral values
  fixed, the groups holding fractional ones and the smallest groups left free) gives an award.
  If that is not within the gap of the node's bound, HiGHS solves the node as a MIP when
  best-first search reaches it, so a better award found meanwhile closes it unsolved;
- nodes are explored depth first until an award exists, then best bound first, and closed
  once their bound is within the gap of the incumbent;
- `one_of` (the integrator indicators, of which a row keeps at most one at 1) is branched on
  first and as a whole: a node whose relaxation splits the lead between several bidders gets a
  child per bidder that may still lead (its indicator fixed to 1, the others to 0) and one with
  none (`_choices`). With the lead fixed, the rows that tie the lead and the key work to the
  integrator are linear and strong; binary branching on one indicator left the 0 branch
  splitting the lead among the others again.

Every bound is a dual bound of a node's LP or a HiGHS MIP bound over a node's whole region,
so the gap reported is proven. Small models go to HiGHS directly.
"""

from __future__ import annotations

import heapq
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pulp

from procure.award import watchdog

INF = math.inf
INTEGRAL = 1e-6
PRESOLVE_SHARE = 0.1  # of a cold branching solve's time limit, for HiGHS's presolve first
# Presolve first only on models this large (nonzeros): the generated province has 1.0 M and a
# root LP of 22 s CPU; the 1000 x 40 of the #25 targets has 0.54 M (presolve 3.3 s CPU, on top
# of a 10 s target) and 500 x 30 0.21 M (1.0 s on a 2 s target): below, the branching's own
# node LPs say "Infeasible" sooner than presolve would cost.
PRESOLVE_NONZEROS = 750_000
# A hint on a model this large is improved with its winners fixed before the root LP, for
# at most this share of the time left: the province's root LP took over 85 s CPU
IMPROVE_NONZEROS = PRESOLVE_NONZEROS
IMPROVE_SHARE = 0.25
FREE_MIN = 100  # the rounding always frees at least this many groups (all, in small models)
# The rounding is a heuristic: its search stops after this many nodes with the best award
# found (a poor leaf of a generated 150x12 took 3,971 nodes, 5.5 s, to prove its rounding)
RENS_NODES = 200
# A solve built from scratch runs in a child (`watchdog.isolated`, killed if HiGHS does not come
# back) on a model of this many nonzeros or more, else from a thread (`watchdog.threaded`). A
# fork costs about 12 ms of CPU with a 100 MB process (the fork, and the child's first touch of
# the pages it writes): 2.5-4% of the generated 500x30 award (0.21 M nonzeros, two such solves
# in 1.0 s; measured +4.4% CPU, medians of 5), half of a 20 ms solve of the prefecture brief,
# under 1% at 1000x40 (0.54 M, solves of 3-7 s) and on a province (1.0 M, minutes)
ISOLATE_NONZEROS = 300_000
# A solve without a time limit (`solve_arrays(time_limit=None)`) still ends: after a day
UNLIMITED = 86_400.0
# HiGHS's cut pool is kept this small on a MIP of fewer nonzeros than TINY_NONZEROS: the
# prefecture brief's 122 re-solves (115 columns x 117 rows, about 1,000 nonzeros) close at the
# root, where most of HiGHS's time went to separating cuts into a pool of up to 10,000 (its
# default) and re-separating them each round (perf: cut generation, the transformed LP and
# the clique table's extraction from cuts). With a pool of 1: 18.3 -> 14.4 ms CPU a solve (the
# 122 as the brief hands them, starts included; medians of 3), the same optima and the same
# nodes (111 in all); where awards tie exactly, HiGHS may return the other one. The bound is
# HiGHS's dual bound either way, valid whatever cuts it keeps. The bundled examples' models
# have 495-1,337 nonzeros (the municipality briefs: -28 to -31% CPU); the identical bidders of
# #29 (9,245, branched, its RENS and leaf MIPs hard) and larger keep HiGHS's default pool.
TINY_NONZEROS = 5_000
TINY_POOL = 1


# a start (columns, values) from the LP relaxation's solution, or None (`solve_arrays`)
Guide = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray] | None"]


@dataclass
class Result:
    status: str  # Optimal (proven within the gap) | Infeasible | Time limit | Not solved
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    nodes: int = 0
    leaf_mips: int = 0
    values: np.ndarray | None = field(default=None, repr=False)


@dataclass
class Arrays:
    """A MILP as arrays: columns named in `names`, rows in `row_names`, the matrix as
    (row, column, value) triplets. Built from a PuLP problem (`arrays_of`) or straight from
    the award's data (`procure.award.formulation.build`)."""

    names: list[str]
    cost: np.ndarray
    offset: float
    maximize: bool
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_names: list[str]
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray


def arrays_of(problem: pulp.LpProblem) -> tuple[Arrays, list[Any], dict[int, int]]:
    """The problem as arrays, with its variables in column order and id(variable) -> column."""
    variables = problem.variables()
    col = {id(v): i for i, v in enumerate(variables)}
    n = len(variables)
    cost = np.zeros(n)
    for var, coef in problem.objective.items():
        cost[col[id(var)]] = coef
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    names: list[str] = []
    for r, constraint in enumerate(problem.constraints()):
        terms = [(var, coef) for var, coef in constraint.expr.items() if coef]
        rows.extend([r] * len(terms))
        cols.extend([col[id(var)] for var, _ in terms])
        vals.extend([coef for _, coef in terms])
        rhs = -constraint.constant
        sense = constraint.sense
        lower.append(rhs if sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ) else -INF)
        upper.append(rhs if sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ) else INF)
        names.append(constraint.name or "")
    a = Arrays(
        names=[v.name for v in variables],
        cost=cost,
        offset=float(problem.objective.constant),
        maximize=problem.sense == pulp.LpMaximize,
        col_lower=np.array([-INF if v.lowBound is None else v.lowBound for v in variables]),
        col_upper=np.array([INF if v.upBound is None else v.upBound for v in variables]),
        integer=np.array([v.cat == pulp.LpInteger for v in variables], dtype=bool),
        row_lower=np.asarray(lower, dtype=float),
        row_upper=np.asarray(upper, dtype=float),
        row_names=names,
        rows=np.asarray(rows, dtype=np.int64),
        cols=np.asarray(cols, dtype=np.int64),
        vals=np.asarray(vals, dtype=float),
    )
    return a, variables, col


def _model(
    a: Arrays,
    *,
    cols: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    integer: bool = True,
) -> Any:
    """A HiGHS instance holding columns `cols` and rows `rows` of the problem (all by default),
    numbered in that order, with the given column bounds; a MIP unless `integer` is False."""
    import highspy

    cols = np.arange(len(a.cost)) if cols is None else cols
    rows = np.arange(len(a.row_lower)) if rows is None else rows
    col_pos = np.full(len(a.cost), -1, dtype=np.int64)
    row_pos = np.full(len(a.row_lower), -1, dtype=np.int64)
    col_pos[cols] = np.arange(len(cols))
    row_pos[rows] = np.arange(len(rows))
    inner = (row_pos[a.rows] >= 0) & (col_pos[a.cols] >= 0)
    starts, index, value = _csc(
        row_pos[a.rows[inner]], col_pos[a.cols[inner]], a.vals[inner], len(cols)
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cols), len(rows)
    lp.col_cost_ = a.cost[cols]
    lp.offset_ = a.offset
    lp.sense_ = highspy.ObjSense.kMaximize if a.maximize else highspy.ObjSense.kMinimize
    lp.col_lower_ = (a.col_lower if lower is None else lower)[cols]
    lp.col_upper_ = (a.col_upper if upper is None else upper)[cols]
    lp.row_lower_, lp.row_upper_ = a.row_lower[rows], a.row_upper[rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, index, value
    if integer:
        kinds = [highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger]
        lp.integrality_ = [kinds[int(b)] for b in a.integer[cols]]
    h = _engine()
    h.passModel(lp)
    return h


def _spans(starts: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The positions starts[i] .. starts[i + 1] - 1 of every i in `ids`, concatenated."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(starts[i], starts[i + 1]) for i in ids])


_first_engine = threading.Lock()
_banner_shown = False


def _banner() -> None:
    """The process's first HiGHS instance prints HiGHS's banner to fd 1: made here, silenced
    (before a fork too, so no child makes it again)."""
    import highspy

    global _banner_shown
    if not _banner_shown:
        with _first_engine:
            if not _banner_shown:
                with _quiet_stdout():
                    highspy.Highs()  # type: ignore[no-untyped-call]
                _banner_shown = True


def _engine() -> Any:
    """A quiet, single-threaded, seeded HiGHS instance."""
    import highspy

    _banner()
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 1)
    # feasibility jump took 100 of a 130 ms solve on a 5-system award and found nothing the
    # other heuristics did not; on 120-500 system awards it made no difference either way
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    return h


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence output written straight to file descriptor 1, past sys.stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _csc(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Column-wise (starts, index, value) of triplets over n columns."""
    order = np.argsort(cols, kind="stable")
    starts = np.searchsorted(cols[order], np.arange(n + 1))
    return starts.astype(np.int64), rows[order].astype(np.int32), vals[order]


@dataclass(frozen=True)
class Basis:
    """A node relaxation's optimal basis (a HiGHS basis) over the working set as it was then:
    its first `cols` columns and `rows` rows."""

    basis: Any
    cols: int
    rows: int


class _Trouble(Exception):
    """The relaxation could not be solved (HiGHS failed, or the time ran out)."""


class _Relaxation:
    """The LP relaxation over a working set of rows and columns that grows as needed.

    Rows named with a `lazy` prefix start outside and join when a solution breaks them (row
    generation). Of each neighbourhood group only the `start_cols` best columns by objective
    start inside; others join when their reduced cost says they would improve the LP (column
    generation). `solve` returns only when neither finds anything, so its value is the
    relaxation of the whole model.
    """

    def __init__(
        self,
        a: Arrays,
        lazy: Sequence[str],
        groups: Sequence[np.ndarray],
        start_cols: int = 3,
        inside: np.ndarray | None = None,
        box: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        a = _row_scaled(a)
        self.a = a
        n, m = len(a.cost), len(a.row_lower)
        # finite bounds every solution meets (`_Propagation.box`), for the dual bound
        self.box = box if box is not None else (a.col_lower, a.col_upper)
        self.sign = 1.0 if a.maximize else -1.0
        self.lazy = np.array([bool(lazy) and r.startswith(tuple(lazy)) for r in a.row_names])
        self.group_of = np.full(n, -1, dtype=np.int64)
        self.rank = np.zeros(n, dtype=np.int64)  # a column's rank by objective in its group
        for k, g in enumerate(groups):
            self.group_of[g] = k
            self.rank[g[np.argsort(-self.sign * a.cost[g], kind="stable")]] = np.arange(len(g))
        inside_mask = self.rank < start_cols
        if inside is not None:
            inside_mask[inside] = True
        self.row_pos = np.full(m, -1, dtype=np.int64)
        self.col_pos = np.full(n, -1, dtype=np.int64)
        self.rows_in = np.flatnonzero(~self.lazy)
        self.cols_in = np.flatnonzero(inside_mask)
        self.row_pos[self.rows_in] = np.arange(len(self.rows_in))
        self.col_pos[self.cols_in] = np.arange(len(self.cols_in))
        by_row = np.argsort(a.rows, kind="stable")
        self.r_rows, self.r_cols, self.r_vals = a.rows[by_row], a.cols[by_row], a.vals[by_row]
        self.r_starts = np.searchsorted(self.r_rows, np.arange(m + 1))
        by_col = np.argsort(a.cols, kind="stable")
        self.c_rows, self.c_cols, self.c_vals = a.rows[by_col], a.cols[by_col], a.vals[by_col]
        self.c_starts = np.searchsorted(self.c_cols, np.arange(n + 1))

        h = _model(a, cols=self.cols_in, rows=self.rows_in, integer=False)
        # HiGHS's presolve spends longer on the few dense rows (contract value, fee) than the
        # dual simplex needs for the whole relaxation; later solves start from the last basis
        h.setOptionValue("presolve", "off")
        # The relaxation is dual degenerate (many placements of equal reduced cost): the dual
        # simplex's cost perturbation made up to 1,473 of them dual infeasible on a warm start
        # after rows joined, and each re-solve took thousands of pivots (a node of 1000x40:
        # 32,000 pivots, 2.0 s; 0.5 s without it). Stalls are caught as before (`solve`)
        h.setOptionValue("dual_simplex_cost_perturbation_multiplier", 0.0)
        self.h = h
        self.watch = watchdog.Watch(h)
        self.cold: float | None = None  # the longest cold solve so far, seconds
        self.lower, self.upper = a.col_lower, a.col_upper  # the node's column bounds

    def solve(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        deadline: float,
        basis: Basis | None = None,
    ) -> tuple[float, np.ndarray, Basis] | None:
        """Solve with every column's bounds set to `lower`, `upper` (a node's), from `basis`
        (a node's, as this returns it) if given, else from the last solve's; (value, full
        solution, its basis), or None when infeasible. Raises _Trouble when HiGHS fails or
        time runs out. A column outside the working set is at 0: one whose lower bound is
        above joins first."""
        self.lower, self.upper = lower, upper
        forced = np.flatnonzero((self.col_pos < 0) & (lower > 0))
        if len(forced):
            self._add_cols(forced)
        inside = np.arange(len(self.cols_in), dtype=np.int32)
        self.h.changeColsBounds(len(inside), inside, lower[self.cols_in], upper[self.cols_in])
        if basis is not None:
            self._start_from(basis)
        primal = False  # new bounds or rows leave the basis dual feasible: dual simplex
        retried = cold_retry = False
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise _Trouble("time limit")
            # new columns leave it primal feasible instead: primal simplex
            self.h.setOptionValue("simplex_strategy", 4 if primal else 1)
            # A warm start is usually quick, but now and then the simplex stalls on it (one
            # node of 1000x40 took 23-40 s): past a few times the cold solve's time, the
            # node is solved again from scratch with presolve (cold: up to the deadline)
            warm = self.cold is not None and not cold_retry
            allowed = min(remaining, max(1.0, 5 * (self.cold or 0.0))) if warm else remaining
            began = time.perf_counter()
            # the watchdog's thread: a run that does not come back is given up (`watchdog`)
            status = self.watch.run_guarded(allowed)
            if status == "Not solved" and time.perf_counter() - began > allowed:
                raise _Trouble("time limit")  # this instance is still in HiGHS's hands
            if not warm and status == "Optimal":
                self.cold = max(self.cold or 0.0, time.perf_counter() - began)
            if cold_retry:
                self.h.setOptionValue("presolve", "off")
                cold_retry = False
            if warm and status == "Time limit" and allowed < remaining:
                self.h.clearSolver()
                self.h.setOptionValue("presolve", "on")
                cold_retry = True
                continue
            if status == "Infeasible":
                # columns outside may restore feasibility. The whole LP, solved cold with
                # presolve, says whether any can and which: the columns its solution uses
                # join. (Adding columns blindly until all were in left HiGHS's warm dual
                # simplex 5-8 s per node on 500x30 with the integrator rules.)
                if len(self.cols_in) == len(self.a.cost):
                    return None
                entering = self._farkas_columns()
                if entering is None:  # no certificate to price with: ask the whole LP
                    entering = self._feasible_columns(remaining)
                if entering is None or not len(entering):
                    return None
                self._add_cols(entering)
                primal = False
                continue
            if status != "Optimal":  # numerical trouble: once more from scratch, then give up
                if retried or status == "Time limit":
                    raise _Trouble("time limit" if status == "Time limit" else status)
                retried = True
                self.h.clearSolver()
                continue
            solution = self.h.getSolution()
            x = np.zeros(len(self.a.cost))
            x[self.cols_in] = np.asarray(solution.col_value)
            if self._separate(x):
                primal = False
                continue
            row_dual = np.asarray(solution.row_dual)
            if self._price(row_dual):
                primal = True
                continue
            saved = Basis(self.h.getBasis(), len(self.cols_in), len(self.rows_in))
            return self._dual_bound(row_dual), x, saved

    def _dual_bound(self, row_dual: np.ndarray) -> float:
        """A bound on the node's whole LP, so on every solution under the node (larger is
        better), from the relaxation's row duals y by weak duality: for any y,
        c x = (c - A'y) x + y (A x) <= sum_j max over x_j's bounds of d_j x_j + sum_i max over
        row i's bounds of y_i r_i, every row and column of the whole model counted. It holds
        whatever the simplex's tolerances: a dual of the wrong sign for a row's infinite side
        is dropped (y_i = 0, still a bound), and infinite column bounds are replaced by
        finite ones every solution meets (`_Propagation.box`). The simplex's own optimum is
        not a bound: a dual of -5.7e-9 on a capacity row of 33,009 vCPU (within its 1e-7
        tolerance) left a node of 1000x40 0.011% below its LP optimum; 0.11% on another."""
        a, n = self.a, len(self.a.cost)
        y = np.zeros(len(self.row_pos))
        y[self.rows_in] = self.sign * row_dual  # in the larger-is-better sense
        y[(y > 0) & ~np.isfinite(a.row_upper)] = 0.0
        y[(y < 0) & ~np.isfinite(a.row_lower)] = 0.0
        d = self.sign * a.cost - np.bincount(a.cols, weights=a.vals * y[a.rows], minlength=n)
        lower = np.where(np.isfinite(self.lower), self.lower, self.box[0])
        upper = np.where(np.isfinite(self.upper), self.upper, self.box[1])
        columns = _most(d, lower, upper)
        rows = _most(y, a.row_lower, a.row_upper)
        return float(columns + rows + self.sign * a.offset)

    def include(self, x: np.ndarray) -> None:
        """The columns a solution of the whole LP uses (`x`) join the working set: the root
        relaxation then has the whole LP's optimum among its own, instead of pricing its
        columns in a group's best at a time (on the province the working set's root took
        5-22 s CPU past the whole LP's 7 s). The relaxation is the same; only where its
        column generation starts changes."""
        entering = np.flatnonzero((self.col_pos < 0) & (np.abs(x) > INTEGRAL))
        if len(entering):
            self._add_cols(entering)

    def _start_from(self, saved: Basis) -> None:
        """Start the next solve from a node's optimal basis. A child differs from its parent
        by one bound, so the dual simplex needs few pivots from the parent's basis; from the
        last node solved, which best-first search may have taken anywhere in the tree, one
        node of 1000x40 took 7.9 s (a cold solve 2 s). Columns and rows that joined the
        working set since are nonbasic at their lower bound and basic: a valid basis."""
        import highspy

        basis = saved.basis
        new_cols = len(self.cols_in) - saved.cols
        new_rows = len(self.rows_in) - saved.rows
        if new_cols or new_rows:
            status = highspy.HighsBasisStatus
            grown = highspy.HighsBasis()
            grown.col_status = [*basis.col_status, *[status.kLower] * new_cols]
            grown.row_status = [*basis.row_status, *[status.kBasic] * new_rows]
            grown.valid = True
            basis = grown
        self.h.setBasis(basis)

    def _farkas_columns(self) -> np.ndarray | None:
        """Farkas pricing: HiGHS's dual ray y proves the working set infeasible when y A x,
        over the columns' bounds, cannot reach what the rows' bounds demand of y r. The
        outside columns that could close that distance join (the best of each group); none
        if none could, for then the ray proves the whole LP infeasible (rows outside the
        working set only remove more). None when the ray proves nothing to a clear margin:
        the whole LP is then asked (`_feasible_columns`, a cold solve: 1.5 s a node on
        1000x40)."""
        _, has_ray, values = self.h.getDualRay()
        if not has_ray:
            return None
        a = self.a
        ray = np.zeros(len(self.row_pos))
        ray[self.rows_in] = np.asarray(values)
        lower = np.where(np.isfinite(self.lower), self.lower, self.box[0])
        upper = np.where(np.isfinite(self.upper), self.upper, self.box[1])
        inside = self.col_pos >= 0
        outside = ~inside & (upper > lower)
        for sign in (1.0, -1.0):  # the orientation in which the ray is a proof
            # y r >= its least over the rows' bounds: an entry whose side is infinite (noise
            # of the wrong sign) is dropped, which leaves a valid, if weaker, combination
            y = sign * ray
            y[(y > 0) & ~np.isfinite(a.row_lower)] = 0.0
            y[(y < 0) & ~np.isfinite(a.row_upper)] = 0.0
            d = np.bincount(a.cols, weights=a.vals * y[a.rows], minlength=len(a.cost))
            reach = _most(d[inside], lower[inside], upper[inside])
            demand = -_most(-y, a.row_lower, a.row_upper)  # the least y r allows
            margin = 1e-6 * (1.0 + abs(reach) + abs(demand))
            if not reach < demand - margin:
                continue
            helps = outside & (d > 0)
            if reach + float(np.sum(d[helps] * upper[helps])) < demand - margin:
                return np.zeros(0, dtype=np.int64)  # the whole LP is infeasible
            entering = np.flatnonzero(helps)
            entering = entering[np.argsort(-d[entering], kind="stable")]
            group = self.group_of[entering]
            _, first = np.unique(group, return_index=True)
            return np.sort(
                np.concatenate([entering[group < 0], entering[first[group[first] >= 0]]])
            )
        return None

    def _feasible_columns(self, seconds: float) -> np.ndarray | None:
        """The outside columns a solution of the whole LP (the node's bounds) uses; None if
        the whole LP is infeasible. Raises _Trouble if HiGHS cannot tell in time. A model of
        its own with presolve, so run under the watchdog (`_isolated`)."""
        a, lower, upper = self.a, self.lower, self.upper
        deadline = time.perf_counter() + seconds

        def task(_: watchdog.Send) -> tuple[str, np.ndarray | None]:
            h = _model(a, lower=lower, upper=upper, integer=False)
            status = watchdog.Watch(h).run(deadline - time.perf_counter())
            return status, np.asarray(h.getSolution().col_value) if status == "Optimal" else None

        answer, _ = _isolated(task, deadline, a)
        status, x = answer if answer is not None else ("Time limit", None)
        if status == "Infeasible":
            return None
        if status != "Optimal" or x is None:
            raise _Trouble("time limit" if status == "Time limit" else status)
        entering = np.flatnonzero((self.col_pos < 0) & (np.abs(x) > INTEGRAL))
        if not len(entering):  # pragma: no cover - the working set alone was feasible after all
            entering = np.flatnonzero(self.col_pos < 0)
        return entering

    def _separate(self, x: np.ndarray, tol: float = 1e-7) -> int:
        waiting = np.flatnonzero(self.lazy & (self.row_pos < 0))
        if not len(waiting):
            return 0
        activity = np.bincount(
            self.a.rows, weights=self.a.vals * x[self.a.cols], minlength=len(self.lazy)
        )[waiting]
        broken = waiting[
            (activity > self.a.row_upper[waiting] + tol)
            | (activity < self.a.row_lower[waiting] - tol)
        ]
        if not len(broken):
            return 0
        take = _spans(self.r_starts, broken)
        take = take[self.col_pos[self.r_cols[take]] >= 0]
        row_of = self.r_rows[take]
        starts = np.searchsorted(row_of, broken)
        self.h.addRows(
            len(broken),
            self.a.row_lower[broken],
            self.a.row_upper[broken],
            len(take),
            starts.astype(np.int32),
            self.col_pos[self.r_cols[take]].astype(np.int32),
            self.r_vals[take],
        )
        self.row_pos[broken] = len(self.rows_in) + np.arange(len(broken))
        self.rows_in = np.concatenate([self.rows_in, broken])
        return len(broken)

    def _price(self, row_dual: np.ndarray, tol: float = 1e-9) -> int:
        outside = self.col_pos < 0
        if not outside.any():
            return 0
        dual = np.zeros(len(self.row_pos))
        dual[self.rows_in] = row_dual
        reduced = self.a.cost - np.bincount(
            self.a.cols, weights=self.a.vals * dual[self.a.rows], minlength=len(self.a.cost)
        )
        entering = np.flatnonzero(outside & (self.sign * reduced > tol) & (self.upper > 0))
        if not len(entering):
            return 0
        # partial pricing: the best column of each group per round keeps the LP small
        entering = entering[np.argsort(-self.sign * reduced[entering], kind="stable")]
        group = self.group_of[entering]
        _, first = np.unique(group, return_index=True)
        entering = np.sort(
            np.concatenate([entering[group < 0], entering[first[group[first] >= 0]]])
        )
        self._add_cols(entering)
        return len(entering)

    def _add_cols(self, cols: np.ndarray) -> None:
        take = _spans(self.c_starts, cols)
        take = take[self.row_pos[self.c_rows[take]] >= 0]
        starts = np.searchsorted(self.c_cols[take], cols)
        self.h.addCols(
            len(cols),
            self.a.cost[cols],
            self.lower[cols],
            self.upper[cols],
            len(take),
            starts.astype(np.int32),
            self.row_pos[self.c_rows[take]].astype(np.int32),
            self.c_vals[take],
        )
        self.col_pos[cols] = len(self.cols_in) + np.arange(len(cols))
        self.cols_in = np.concatenate([self.cols_in, cols])


def _most(coef: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """The largest sum(coef * v) over lower <= v <= upper (infinite if unbounded)."""
    nonzero = coef != 0
    side = np.where(coef > 0, upper, lower)[nonzero]
    return float(np.sum(coef[nonzero] * side))


def _row_scaled(a: Arrays) -> Arrays:
    """The same problem with each row divided by its largest finite bound (when above 1): the
    capacity rows count up to 200,000 vCPU against an objective of about 1, and the simplex's
    absolute tolerances then let their duals err by more than the gap is worth."""
    sides = np.where(np.isfinite(a.row_lower), np.abs(a.row_lower), 0.0)
    sides = np.maximum(sides, np.where(np.isfinite(a.row_upper), np.abs(a.row_upper), 0.0))
    scale = 1.0 / np.maximum(sides, 1.0)
    return replace(
        a,
        vals=a.vals * scale[a.rows],
        row_lower=a.row_lower * scale,
        row_upper=a.row_upper * scale,
    )


class _Propagation:
    """Bounds a node's fixings imply for the other integer columns, row by row (domain
    propagation, as a MIP presolve does): with y_v = 0 every x_svm <= y_v is 0, with g_i = 1
    every other g is 0. The relaxation then holds them at their bound; left to the lazy
    `link_` rows, a vendor closed by the branching kept its work in the LP until its rows
    joined a few dozen at a time (one node of 1000x40: 15 re-solves, 3.5 s). A bound is
    tightened only past a tolerance (`slack`), so no integral point the rows allow within
    the solver's tolerance is lost: the node's LP stays a bound on its region."""

    ROUNDS = 20  # passes over the rows at most; each only tightens, so this bounds the time
    slack = 1e-6  # of a row's bound (at least 1): activity allowed past it before a cut

    def __init__(self, a: Arrays) -> None:
        keep = a.integer[a.cols] & (
            np.isfinite(a.row_upper[a.rows]) | np.isfinite(a.row_lower[a.rows])
        )
        used = np.unique(a.rows[keep])  # rows holding an integer column, with a finite side
        take = np.isin(a.rows, used)
        self.rows, self.cols, self.vals = a.rows[take], a.cols[take], a.vals[take]
        self.integer = a.integer[self.cols]
        self.m = len(a.row_lower)
        upper = a.row_upper[self.rows]
        lower = a.row_lower[self.rows]
        self.upper = upper + self.slack * np.maximum(1.0, np.abs(upper))
        self.lower = lower - self.slack * np.maximum(1.0, np.abs(lower))

    def tighten(self, lo: np.ndarray, up: np.ndarray) -> bool:
        """Tighten the integer columns' bounds `lo`, `up` in place; False if a row cannot
        be met within them (the node is infeasible)."""
        cols, vals = self.cols, self.vals
        pos = vals > 0
        for _ in range(self.ROUNDS):
            lc, uc = lo[cols], up[cols]
            least = np.where(pos, vals * lc, vals * uc)  # each term's least and most
            most = np.where(pos, vals * uc, vals * lc)
            rest_least = self._rest(least, -1.0)
            rest_most = self._rest(most, 1.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                below = (self.upper - rest_least) / vals  # vals x <= upper - the rest
                above = (self.lower - rest_most) / vals  # vals x >= lower - the rest
            new_up = np.where(pos, below, above)
            new_lo = np.where(pos, above, below)
            new_up = np.floor(new_up + INTEGRAL)
            new_lo = np.ceil(new_lo - INTEGRAL)
            tight_up = self.integer & (new_up < uc)
            tight_lo = self.integer & (new_lo > lc)
            if not tight_up.any() and not tight_lo.any():
                return True
            np.minimum.at(up, cols[tight_up], new_up[tight_up])
            np.maximum.at(lo, cols[tight_lo], new_lo[tight_lo])
            if np.any(lo[cols[tight_up | tight_lo]] > up[cols[tight_up | tight_lo]]):
                return False
        return True

    def box(self, lo: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bounds every solution within `lo`, `up` meets, finite where the rows imply it
        (the contract value by its definition, the fee by the budget, the lead by the
        leader rows): for the dual bound (`_Relaxation._dual_bound`), which needs finite
        ones. One pass over the rows, every column."""
        cols, vals, pos = self.cols, self.vals, self.vals > 0
        lc, uc = lo[cols], up[cols]
        rest_least = self._rest(np.where(pos, vals * lc, vals * uc), -1.0)
        rest_most = self._rest(np.where(pos, vals * uc, vals * lc), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            below = (self.upper - rest_least) / vals
            above = (self.lower - rest_most) / vals
        new_up = np.where(pos, below, above)
        new_lo = np.where(pos, above, below)
        lower, upper = lo.copy(), up.copy()
        np.minimum.at(upper, cols, new_up)
        np.maximum.at(lower, cols, new_lo)
        return lower, upper

    def _rest(self, terms: np.ndarray, sign: float) -> np.ndarray:
        """For every term, the row's least (sign -1) or most (sign 1) activity without it;
        infinite where another term is."""
        infinite = np.isinf(terms)
        finite = np.where(infinite, 0.0, terms)
        total = np.bincount(self.rows, weights=finite, minlength=self.m)[self.rows] - finite
        others = np.bincount(self.rows, weights=infinite, minlength=self.m)[self.rows] - infinite
        return np.where(others > 0, sign * INF, total)


_status = watchdog.status


def _isolated(
    task: Callable[[watchdog.Send], watchdog.T], deadline: float, a: Arrays
) -> tuple[watchdog.T | None, watchdog.Progress]:
    """`watchdog.guarded`: in a child on a model of `ISOLATE_NONZEROS` or more, else from a
    thread; HiGHS's banner silenced here first (so no child makes it). The task counts its
    time to `deadline` (perf_counter seconds), model building included."""
    _banner()
    return watchdog.guarded(task, deadline, apart=len(a.vals) >= ISOLATE_NONZEROS)


def _rel_gap(incumbent: float, bound: float) -> float:
    return abs(bound - incumbent) / max(abs(incumbent), 1e-9)


def solve(
    problem: pulp.LpProblem,
    *,
    gap: float,
    time_limit: float | None = None,
    priority: Sequence[Any] = (),
    neighbourhood: Sequence[Sequence[Any]] = (),
    free_share: float = 0.2,
    lazy: Sequence[str] = (),
    hint: Sequence[tuple[Any, float]] = (),
    inside: Sequence[Any] = (),
    one_of: Sequence[Any] = (),
) -> Result:
    """`solve_arrays` on a PuLP problem, its variables named by PuLP objects; writes the values
    into the problem's variables."""
    start = time.perf_counter()
    a, variables, column = arrays_of(problem)

    def index(vs: Sequence[Any]) -> np.ndarray:
        return np.array([column[id(v)] for v in vs], dtype=np.int64)

    result = solve_arrays(
        a,
        gap=gap,
        time_limit=None if time_limit is None else time_limit - (time.perf_counter() - start),
        priority=index(priority),
        neighbourhood=[index(g) for g in neighbourhood],
        free_share=free_share,
        lazy=lazy,
        hint=(index([v for v, _ in hint]), np.array([x for _, x in hint], dtype=float))
        if hint
        else None,
        inside=index(inside),
        one_of=index(one_of),
    )
    result.seconds = time.perf_counter() - start
    if result.values is not None:
        for var, value in zip(variables, result.values, strict=True):
            var.varValue = float(value)
    problem.status = {"Optimal": 1, "Infeasible": -1}.get(result.status, 0)
    return result


def solve_arrays(
    a: Arrays,
    *,
    gap: float,
    time_limit: float | None = None,
    priority: np.ndarray | None = None,
    neighbourhood: Sequence[np.ndarray] = (),
    free_share: float = 0.2,
    lazy: Sequence[str] = (),
    hint: tuple[np.ndarray, np.ndarray] | None = None,
    inside: np.ndarray | None = None,
    one_of: np.ndarray | None = None,
    search: float | None = None,
    guide: Guide | None = None,
) -> Result:
    """Solve to a proven relative gap; columns are given by index.

    With `priority` (the columns to branch on first), rows whose names start with a `lazy`
    prefix are left out of the node relaxations and added back only when a relaxation's
    solution breaks them. `hint` (columns, values) gives values of some variables (say, the
    integers of a known award) to complete into a first solution: HiGHS completes it, or,
    when branching, an LP with the hinted integers fixed does, and the result is the first
    incumbent. A hint that cannot be completed is dropped. `inside`: columns the node relaxations
    always hold (those a rule ties to a branching variable, which the best few of a group
    may miss, leaving the first working set infeasible). `one_of`: priority columns of which
    the model's rows keep at most one at 1 (the caller's promise: the integrator indicators
    and the `one_integrator` row), branched on as one choice (`_choices`). `search`: seconds
    the branching may go on, on a large model started from a hint, once it has the hint's
    award (improved), the whole LP's bound and `guide`'s award: then it stops with its
    proven gap (None: up to the time limit; 0: those awards against that bound, no
    branching). `guide`: on a large model started from a hint, maps the whole LP
    relaxation's solution to another start (columns, values), completed and improved as the
    hint is; None when it has none."""
    start = time.perf_counter()
    limit = INF if time_limit is None else time_limit
    cold = priority is not None and len(priority) and hint is None  # re-solves start warm
    big = len(a.vals) >= PRESOLVE_NONZEROS
    if cold and big and _presolve_infeasible(a, PRESOLVE_SHARE * limit):
        result = Result(status="Infeasible")
    elif priority is not None and len(priority):
        keep = np.zeros(0, dtype=np.int64) if inside is None else inside
        result = _branch(
            a,
            gap,
            start + limit,
            priority.astype(np.int32),
            neighbourhood,
            free_share,
            lazy,
            keep,
            hint,
            _positions(priority, one_of),
            search,
            guide,
        )
    else:
        sparse = None
        if hint is not None:
            sparse = hint[0].astype(np.int32), hint[1].astype(float)
        result = _mip(a, gap, limit, None, None, None, sparse)
    result.seconds = time.perf_counter() - start
    return result


def _presolve_infeasible(a: Arrays, seconds: float = INF) -> bool:
    """Whether HiGHS's MIP presolve proves the problem infeasible. The branching solver's node
    LPs see only the relaxation, which may be feasible where no integral point is: a generated
    province (3,000 systems x 40 bidders, `benchmarks/generate.py`) that presolve refutes in
    3 s CPU kept the branching at its first node for 900 s. Presolve works on the model as
    given, so its proof holds for the rules (their tolerance only admits more awards). It costs
    1.0 s CPU at 500 x 30, 3.3 s at 1,000 x 40 and 9.5-15 s on feasible-looking provinces, so
    only a cold solve (no start from a nearby award) runs it, for at most `seconds`
    (PRESOLVE_SHARE of the solve's limit): cut short, it proves nothing and the branching
    goes on as before, so the clock decides only how soon "Infeasible" is said, not an award."""

    deadline = time.perf_counter() + min(seconds, UNLIMITED)

    def task(_: watchdog.Send) -> bool:
        import highspy

        h = _model(a)
        h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
        h.presolve()
        return bool(h.getModelStatus() == highspy.HighsModelStatus.kInfeasible)

    # a presolve, where HiGHS's loops are (`watchdog`): run apart, killed past its time
    proven, _ = _isolated(task, deadline, a)
    return bool(proven)


# The rounding MIP (`_branch`) runs without HiGHS's restarts: HiGHS 1.16 looped past its time
# limit in the presolve of a second restart of one (generated 150x12 seed 1, branching forced:
# 60-150 s on a 20 s limit; without restarts it solved in 0.4 s). The watchdog now ends such a
# loop at the deadline (`watchdog`), but at the cost of all the time left, and restarts bought
# nothing measurable: 500x30 seeds 1000-1002 4.32 / 1.09 / 1.69 s CPU without, 4.53 / 1.40 /
# 1.71 with; 1000x40 5.49 / 2.88 / 6.62 without, 5.07 / 2.96 / 6.44 with (one run each, load
# 7 on 2 cores, `benchmarks/run.py child`), awards equal within the 0.01% gap. So they stay
# off; HiGHS's other MIPs (a leaf's region, the start's completion) keep its default (on).
RENS_RESTART = False


def _mip(
    a: Arrays,
    gap: float,
    limit: float,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
    start_values: np.ndarray | None,
    hint: tuple[np.ndarray, np.ndarray] | None = None,
    max_nodes: int | None = None,
) -> Result:
    """HiGHS's MIP over the region `lower`..`upper` (the model's bounds if None), from a start
    (`start_values`, a whole solution, or `hint`, some columns), for at most `limit` seconds.
    Run apart (`watchdog.isolated`): if HiGHS does not come back, the award and bound it found
    before the deadline are kept ("Time limit"), else "Not solved"."""
    began = time.perf_counter()
    deadline = began + min(limit, UNLIMITED)

    def task(send: watchdog.Send) -> Result:
        import highspy

        h = _model(a, lower=lower, upper=upper)
        h.setOptionValue("mip_rel_gap", gap)
        if len(a.vals) < TINY_NONZEROS:
            h.setOptionValue("mip_pool_soft_limit", TINY_POOL)
        if max_nodes is not None:  # the rounding (`_branch`), a heuristic
            h.setOptionValue("mip_max_nodes", max_nodes)
            h.setOptionValue("mip_allow_restart", RENS_RESTART)
        if start_values is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(start_values)
            sol.value_valid = True
            h.setSolution(sol)
        elif hint is not None:
            h.setSolution(len(hint[0]), hint[0], hint[1])
        watch = watchdog.Watch(h, send)
        status = watch.run(deadline - time.perf_counter())
        info = h.getInfo()
        found = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        return Result(
            status="Not solved" if status == "Time limit" and not found else status,
            objective=float(info.objective_function_value) if found else None,
            bound=float(info.mip_dual_bound) if found else None,
            gap=float(info.mip_gap) if found else None,
            nodes=int(info.mip_node_count),
            values=np.array(h.getSolution().col_value) if found else None,
        )

    answer, progress = _isolated(task, deadline, a)
    result = answer if answer is not None else _sent(a, progress)
    values = result.values
    if values is not None and (start_values is not None or hint is not None):
        # HiGHS 1.16 can map a start into its presolved model, improve it there, report the
        # improved objective and return the start's values unchanged. Values that do not
        # give the objective reported are not trusted: solve again without the start.
        objective = float(result.objective)  # type: ignore[arg-type]
        if abs(float(a.cost @ values) + a.offset - objective) > 1e-9 * max(1.0, abs(objective)):
            return _mip(a, gap, limit - (time.perf_counter() - began), lower, upper, None)
    return result


def _sent(a: Arrays, progress: watchdog.Progress) -> Result:
    """The answer of a MIP whose run did not come back: the best award it sent, if its values
    give the objective sent, with the last bound sent ("Time limit"), else "Not solved"."""
    values, objective = progress.values, progress.objective
    if values is None or objective is None or len(values) != len(a.cost):
        return Result(status="Not solved")
    if abs(float(a.cost @ values) + a.offset - objective) > 1e-9 * max(1.0, abs(objective)):
        return Result(status="Not solved")
    bound = progress.bound
    return Result(
        status="Time limit",
        objective=objective,
        bound=bound,
        gap=_rel_gap(objective, bound) if bound is not None else None,
        values=values,
    )


def _branch(
    a: Arrays,
    gap: float,
    deadline: float,
    prio: np.ndarray,
    groups: Sequence[np.ndarray],
    free_share: float,
    lazy: Sequence[str],
    inside: np.ndarray,
    hint: tuple[np.ndarray, np.ndarray] | None = None,
    one_of: np.ndarray | None = None,
    search: float | None = None,
    guide: Guide | None = None,
) -> Result:
    choice = np.zeros(0, dtype=np.int64) if one_of is None else one_of
    propagation = _Propagation(a)
    root_lo, root_up = a.col_lower.copy(), a.col_upper.copy()
    if not propagation.tighten(root_lo, root_up):
        return Result(status="Infeasible")
    box = propagation.box(root_lo, root_up)
    relaxation = _Relaxation(a, lazy, groups, inside=inside, box=box)
    group_of = relaxation.group_of
    always_free = np.isin(group_of, np.arange(max(int(len(groups) * free_share), FREE_MIN)))
    sign = relaxation.sign  # work in "larger is better" internally

    def node_lp(
        fixed: dict[int, float], basis: Basis | None = None
    ) -> tuple[float, np.ndarray, Basis] | None:
        lo, up = a.col_lower.copy(), a.col_upper.copy()
        for k, val in fixed.items():
            lo[prio[k]] = up[prio[k]] = val
        if not propagation.tighten(lo, up):
            return None
        return relaxation.solve(lo, up, deadline, basis)

    best: Result = Result(status="Infeasible")
    incumbent = -INF
    open_bounds: list[float] = []  # bounds of leaves the time limit left open
    # open nodes: (-bound, order, fixed priority values, relaxation's solution, its basis)
    heap: list[tuple[float, int, dict[int, float], np.ndarray, Basis]] = []
    stack: list[tuple[float, int, dict[int, float], np.ndarray, Basis]] = []
    counter = 0
    nodes = leaf_mips = 0
    waiting: dict[int, np.ndarray | None] = {}  # queued leaves (by order): their rounding

    settled = -INF  # the largest bound of a node closed by the gap rather than by the incumbent

    def closed(bound: float) -> bool:
        nonlocal settled
        if bound <= incumbent:
            return True
        if incumbent > -INF and _rel_gap(incumbent, bound) <= gap:
            settled = max(settled, bound)
            return True
        return False

    def leaf(bound: float, x: np.ndarray, fixed: dict[int, float], basis: Basis) -> None:
        """A node whose relaxation has integral priority values: round it, and if the
        rounding is not within the gap of the node's bound, queue the node to be solved as a
        MIP when best-first search reaches it (`leaf_region`): a leaf far below the best
        bound is then closed by a better award found meanwhile, not solved (the first dive of
        a generated 150x12 ended at a leaf 7% below the root, whose MIP ran 13 s to the time
        limit while the optimum was 0.7 s of branching away)."""
        nonlocal counter
        # RENS: keep the integral values, free the groups holding a fractional column and
        # the always-free groups
        integral = a.integer & (np.abs(x - np.round(x)) <= INTEGRAL)
        free_groups = np.unique(group_of[np.flatnonzero(a.integer & ~integral)])
        keep = integral & ~np.isin(group_of, free_groups[free_groups >= 0]) & ~always_free
        rens_lo, rens_up = a.col_lower.copy(), a.col_upper.copy()
        rens_lo[keep] = rens_up[keep] = np.round(x[keep])
        rounded = _mip(
            a, gap / 4, deadline - time.perf_counter(), rens_lo, rens_up, None, None, RENS_NODES
        )
        offer(rounded)
        if closed(bound):
            return
        counter += 1
        waiting[counter] = rounded.values
        heapq.heappush(heap, (-bound, counter, fixed, x, basis))

    def leaf_region(bound: float, fixed: dict[int, float], start: np.ndarray | None) -> None:
        """Solve a leaf's whole region as a MIP, from its rounding (`start`)."""
        nonlocal leaf_mips, settled
        # the node's whole region, not just this rounding's vendor set: only the branching
        # fixes priority variables, so the MIP's bound is valid for everything under the node
        leaf_mips += 1
        lower, upper = a.col_lower.copy(), a.col_upper.copy()
        for k, val in fixed.items():
            lower[prio[k]] = upper[prio[k]] = val
        exact = _mip(a, gap, deadline - time.perf_counter(), lower, upper, start)
        offer(exact)
        if exact.status == "Optimal" and exact.bound is not None:
            settled = max(settled, sign * exact.bound)
        elif exact.status != "Infeasible":
            open_bounds.append(sign * exact.bound if exact.bound is not None else bound)

    def offer(candidate: Result) -> None:
        nonlocal incumbent, best
        if candidate.values is not None and sign * candidate.objective > incumbent:  # type: ignore[operator]
            incumbent = sign * candidate.objective  # type: ignore[operator]
            best = candidate

    def expand(bound: float, fixed: dict[int, float], x: np.ndarray, basis: Basis) -> None:
        nonlocal counter, nodes
        nodes += 1
        values = x[prio]
        frac = np.flatnonzero(np.abs(values - np.round(values)) > INTEGRAL)
        if frac.size == 0:
            leaf(bound, x, fixed, basis)
            return
        split = np.intersect1d(frac, choice)
        if split.size:  # the lead is split: one child per bidder that may lead, and none
            children = _choices(fixed, choice)
        else:
            k = int(frac[np.argmin(np.abs(values[frac] - 0.5))])
            children = [{**fixed, k: 0.0}, {**fixed, k: 1.0}]
        entries = []
        for child in children:
            solved = node_lp(child, basis)
            if solved is None:
                continue
            counter += 1
            entries.append((-solved[0], counter, child, solved[1], solved[2]))
        if split.size:  # the dive takes the best bound first (pushed last)
            entries.sort(key=lambda e: (-e[0], -e[1]))
        for entry in entries:  # binary: the up branch last, so the dive opens vendors
            if incumbent == -INF:
                stack.append(entry)
            else:
                heapq.heappush(heap, entry)

    def completed(start: tuple[np.ndarray, np.ndarray], improve: bool = True) -> bool:
        """Offer an award near `start` (columns, values: a nearby award's) completed by fixing
        its integers; on a large model, improved with only its winners fixed (`improved`)
        unless `improve` is False. Whether it gave an award."""
        lo, up = a.col_lower.copy(), a.col_upper.copy()
        fixed = start[0][a.integer[start[0]]]
        lo[fixed] = up[fixed] = np.round(start[1][a.integer[start[0]]])
        first = _mip(a, gap, deadline - time.perf_counter(), lo, up, None)
        offer(first)
        if first.values is None or len(a.vals) < IMPROVE_NONZEROS:
            return first.values is not None
        if improve:
            improved(first.values)
        return True

    def improved(values: np.ndarray) -> None:
        """Offer the award `values` improved with only its winners fixed (the placements are
        then a MIP HiGHS solves quickly, `award.heuristic`, where the root LP may take
        minutes), in IMPROVE_SHARE of the time left."""
        lo, up = a.col_lower.copy(), a.col_upper.copy()
        lo[prio] = up[prio] = np.round(values[prio])
        seconds = IMPROVE_SHARE * (deadline - time.perf_counter())
        offer(_mip(a, gap, seconds, lo, up, values))

    lp_bound: float | None = None  # the whole LP relaxation's, larger is better
    lp_x: np.ndarray | None = None  # and its solution
    large = len(a.vals) >= IMPROVE_NONZEROS
    # With a guide the hint's award is improved only if the LP's rounding gives none: the LP
    # and its rounding first (the province's parallel contracts: the hint's improvement ran
    # out its share, 20 s of wall time, and in the brief under load left the LP, so the
    # rounding and the bound, out of time; where both came, the rounding's award was better)
    later = guide is not None
    if hint is not None and completed(hint, improve=not later) and large:
        hinted = best.values
        # and a bound: the whole LP relaxation by HiGHS with presolve (7 s CPU on the
        # province, where the working-set relaxation below took 5-22 s more)
        relaxed = _lp_bound(a, deadline - time.perf_counter(), box)
        rounded = False
        if relaxed is not None:
            lp_bound, lp_x = sign * relaxed[0], relaxed[1]
            if closed(lp_bound):
                return _result(best, incumbent, lp_bound, gap, 0, 0, sign)
            # an award whose winners follow the relaxation's (`guide`: on the province
            # 0.7345, 0.2% from the LP's 0.7360, where the hint's improved award was 0.7217
            # and 12 nodes of branching reached no leaf)
            near = guide(relaxed[1]) if guide is not None else None
            rounded = near is not None and completed(near)
            if rounded and closed(lp_bound):
                return _result(best, incumbent, lp_bound, gap, 0, 0, sign)
        if later and not rounded and hinted is not None:
            improved(hinted)
            if lp_bound is not None and closed(lp_bound):
                return _result(best, incumbent, lp_bound, gap, 0, 0, sign)
    if search is not None and hint is not None and len(a.vals) >= IMPROVE_NONZEROS:
        deadline = min(deadline, time.perf_counter() + search)  # the branching's share

    timed_out = False
    current: float | None = None  # the bound of the node being expanded
    root_solved = False
    if lp_x is not None and time.perf_counter() < deadline:
        relaxation.include(lp_x)  # the root starts where the whole LP ended
    try:
        root = node_lp({})
        if root is None:
            return Result(status="Infeasible")
        root_solved = True
        stack.append((-root[0], 0, {}, root[1], root[2]))
        while stack or heap:
            if time.perf_counter() > deadline:
                timed_out = True
                break
            if stack and incumbent == -INF:
                neg, _, fixed, x, basis = stack.pop()
            else:
                if stack:  # an award exists now: the dive's leftovers join the best-first queue
                    heap.extend(stack)
                    stack.clear()
                    heapq.heapify(heap)
                neg, order, fixed, x, basis = heapq.heappop(heap)
                if order in waiting:  # a leaf whose region is left to a MIP
                    start = waiting.pop(order)
                    if not closed(-neg):
                        current = -neg
                        leaf_region(-neg, fixed, start)
                        current = None
                    continue
            if closed(-neg):
                continue
            current = -neg
            expand(-neg, fixed, x, basis)
            current = None
    except _Trouble as trouble:
        if str(trouble) != "time limit":  # HiGHS could not solve a relaxation: let it do all
            fallback = _mip(a, gap, deadline - time.perf_counter(), None, None, best.values)
            fallback.nodes += nodes
            fallback.leaf_mips += leaf_mips
            return fallback
        timed_out = True
        if current is not None:
            open_bounds.append(current)
    remaining = [-e[0] for e in heap + stack]
    bound = max([incumbent, settled, *remaining, *open_bounds])
    if best.values is None:
        status = "Not solved" if timed_out or open_bounds else "Infeasible"
        return Result(status=status, nodes=nodes, leaf_mips=leaf_mips)
    if not root_solved:  # an award from the hint, but no bound from the branching
        if lp_bound is None:  # nothing is proven
            return Result(
                status="Time limit",
                objective=best.objective,
                values=best.values,
                nodes=nodes,
                leaf_mips=leaf_mips,
            )
        bound = lp_bound
    elif lp_bound is not None:  # both bound every award: the tighter holds
        bound = min(bound, lp_bound)
    return _result(best, incumbent, bound, gap, nodes, leaf_mips, sign)


def _positions(priority: np.ndarray, columns: np.ndarray | None) -> np.ndarray:
    """The positions in `priority` of `columns` (those not in it are left out)."""
    if columns is None or not len(columns):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.isin(priority, columns)).astype(np.int64)


def _choices(fixed: dict[int, float], choice: np.ndarray) -> list[dict[int, float]]:
    """The children of a node whose relaxation splits the lead: for each member k of
    `choice` (positions in the priority list) not fixed yet, k fixed to 1 and every other
    member to 0; and every member fixed to 0.

    Exact: the model keeps at most one member at 1 (`one_of`), so every integral point of the
    node has either none at 1 or exactly one, k, and lies in that child; a member fixed to 0
    at the node stays 0, and if one were fixed to 1 the others would be 0 and the lead not
    split. The children's regions cover the node's, so each child is a node like any other:
    its bound a dual bound of its LP (`_Relaxation`), closed only by the incumbent or within
    the gap, and the search's gap and status hold as before. A child whose fixings the rows
    refute (`_Propagation`: a bidder without the capacity for the key work, or none when
    several must win) is dropped as an infeasible node is. Leaders are thus pruned only by a
    bound that cannot beat the incumbent by more than the gap."""
    open_ = [int(k) for k in choice if int(k) not in fixed]
    base = {**fixed, **{k: 0.0 for k in open_}}
    return [{**base, k: 1.0} for k in open_] + [base]


def _result(
    best: Result,
    incumbent: float,
    bound: float,
    gap: float,
    nodes: int,
    leaf_mips: int,
    sign: float,
) -> Result:
    """The branching's answer: its best award (`best`, scoring `incumbent`, larger is better
    internally, `sign` the model's sense) against `bound`, "Optimal" only when proven within
    `gap`."""
    proven = _rel_gap(incumbent, bound) <= gap + 1e-12 or bound <= incumbent
    return Result(
        status="Optimal" if proven else "Time limit",
        objective=sign * incumbent,
        bound=sign * max(bound, incumbent),
        gap=_rel_gap(incumbent, max(bound, incumbent)),
        nodes=nodes,
        leaf_mips=leaf_mips,
        values=best.values,
    )


def _lp_bound(
    a: Arrays, seconds: float, box: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[float, np.ndarray] | None:
    """A bound on the LP relaxation's optimum, so on every award, in the model's own sense,
    and the relaxation's solution; None if HiGHS does not solve it within `seconds`. HiGHS's
    dual simplex with presolve, single-threaded, on the rows scaled as the node relaxations
    are (`_row_scaled`): on the generated province 7.1 s CPU, where its interior point
    method (ipx) took 23.4 s with crossover (#25, measured side by side). The bound is taken
    from HiGHS's row duals by weak duality, as a node's is (`_Relaxation._dual_bound`), over
    `box` (finite bounds every solution meets; `_Propagation.box` by default), so it holds
    whatever the simplex's tolerances, never HiGHS's objective value itself."""
    if seconds <= 0:
        return None
    deadline = time.perf_counter() + seconds
    scaled = _row_scaled(a)
    if box is None:
        box = _Propagation(a).box(a.col_lower, a.col_upper)

    def task(_: watchdog.Send) -> tuple[np.ndarray, np.ndarray] | None:
        h = _model(scaled, integer=False)
        h.setOptionValue("solver", "simplex")
        if watchdog.Watch(h).run(deadline - time.perf_counter()) != "Optimal":
            return None
        solution = h.getSolution()
        return np.asarray(solution.row_dual), np.asarray(solution.col_value)

    found, _ = _isolated(task, deadline, a)
    if found is None:
        return None
    row_dual, col_value = found
    bound = _weak_dual(scaled, row_dual, box)  # larger is better
    return (bound if a.maximize else -bound), col_value


def _weak_dual(a: Arrays, row_dual: np.ndarray, box: tuple[np.ndarray, np.ndarray]) -> float:
    """max over the box of c x (larger is better: the model's sense times its sign) is at most
    sum_j max over x_j's bounds of d_j x_j + sum_i max over row i's bounds of y_i r_i, with y
    the duals in that sense and d = c - A'y: weak duality, valid for any y. A dual of the
    wrong sign for a row's infinite side is dropped (y_i = 0: still a bound)."""
    sign = 1.0 if a.maximize else -1.0
    y = sign * row_dual
    y[(y > 0) & ~np.isfinite(a.row_upper)] = 0.0
    y[(y < 0) & ~np.isfinite(a.row_lower)] = 0.0
    d = sign * a.cost - np.bincount(a.cols, weights=a.vals * y[a.rows], minlength=len(a.cost))
    lower = np.where(np.isfinite(a.col_lower), a.col_lower, box[0])
    upper = np.where(np.isfinite(a.col_upper), a.col_upper, box[1])
    return float(_most(d, lower, upper) + _most(y, a.row_lower, a.row_upper) + sign * a.offset)
