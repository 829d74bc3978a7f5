"""Solve a MILP given as arrays (or a PuLP model) with HiGHS (through highspy), optionally
branching on chosen variables first.

HiGHS has no branching priorities. On the vendor-mix model its LP relaxation is tight once the
set of winning vendors (and the integrator) is integral, yet HiGHS spends most of its time in
primal heuristics looking for that set (500 systems x 30 vendors: 25-52 s). So `solve_arrays`
can run a branch and bound of its own on `priority` variables (the vendor and integrator
indicators):

- every node is the LP relaxation with some priority variables fixed, solved by HiGHS's
  simplex from the previous basis. The relaxation keeps a working set: rows named with a
  `lazy` prefix join only when a solution breaks them, and of each `neighbourhood` group (a
  system's options) only the best few columns start in, others joining when their reduced
  cost says they would improve it. It returns only when neither finds anything, so its value
  is the relaxation of the whole model;
- where the priority variables come out integral, a RENS-style rounding (integral values
  fixed, the groups holding fractional ones and the smallest groups left free) gives an award.
  If that is not within the gap of the node's bound, HiGHS solves the node as a MIP;
- nodes are explored depth first until an award exists, then best bound first, and closed
  once their bound is within the gap of the incumbent.

Every bound is an LP bound or a HiGHS MIP bound over a node's whole region, so the gap
reported is proven. Small models go to HiGHS directly.
"""

from __future__ import annotations

import heapq
import math
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

INF = math.inf
INTEGRAL = 1e-6
PRESOLVE_SHARE = 0.1  # of a cold branching solve's time limit, for HiGHS's presolve first
# Presolve first only on models this large (nonzeros): the generated province has 1.0 M and a
# root LP of 22 s CPU; the 1000 x 40 of the #25 targets has 0.54 M (presolve 3.3 s CPU, on top
# of a 10 s target) and 500 x 30 0.21 M (1.0 s on a 2 s target): below, the branching's own
# node LPs say "Infeasible" sooner than presolve would cost.
PRESOLVE_NONZEROS = 750_000
FREE_MIN = 100  # the rounding always frees at least this many groups (all, in small models)


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


def _engine() -> Any:
    """A quiet, single-threaded, seeded HiGHS instance."""
    import highspy

    global _banner_shown
    if not _banner_shown:
        with _first_engine:  # the process's first instance prints HiGHS's banner to fd 1
            if not _banner_shown:
                with _quiet_stdout():
                    highspy.Highs()  # type: ignore[no-untyped-call]
                _banner_shown = True
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
    ) -> None:
        self.a = a
        n, m = len(a.cost), len(a.row_lower)
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
        self.h = h
        self.cold: float | None = None  # the longest cold solve so far, seconds

    def solve(
        self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray, deadline: float
    ) -> tuple[float, np.ndarray] | None:
        """Solve with the bounds of `cols` (always inside) set; (value, full solution), or
        None when infeasible. Raises _Trouble when HiGHS fails or time runs out."""
        self.h.changeColsBounds(len(cols), self.col_pos[cols].astype(np.int32), lower, upper)
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
            # HiGHS (1.x) measures its time limit on the instance's clock, which runs on
            # across calls (ERGO-Code/HiGHS#1331): the limit is set past the time used so far
            self.h.setOptionValue("time_limit", self.h.getRunTime() + allowed)
            began = time.perf_counter()
            self.h.run()
            status = _status(self.h)
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
                entering = self._feasible_columns(cols, lower, upper, remaining)
                if entering is None:
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
            if self._price(np.asarray(solution.row_dual)):
                primal = True
                continue
            return self.sign * self.h.getInfo().objective_function_value, x

    def _feasible_columns(
        self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray, seconds: float
    ) -> np.ndarray | None:
        """The outside columns a solution of the whole LP (these bounds on `cols`) uses; None
        if the whole LP is infeasible. Raises _Trouble if HiGHS cannot tell in time."""
        lo, up = self.a.col_lower.copy(), self.a.col_upper.copy()
        lo[cols], up[cols] = lower, upper
        h = _model(self.a, lower=lo, upper=up, integer=False)
        h.setOptionValue("time_limit", max(seconds, 0.01))
        h.run()
        status = _status(h)
        if status == "Infeasible":
            return None
        if status != "Optimal":
            raise _Trouble("time limit" if status == "Time limit" else status)
        x = np.asarray(h.getSolution().col_value)
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
        entering = np.flatnonzero(outside & (self.sign * reduced > tol))
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
            self.a.col_lower[cols],
            self.a.col_upper[cols],
            len(take),
            starts.astype(np.int32),
            self.row_pos[self.c_rows[take]].astype(np.int32),
            self.c_vals[take],
        )
        self.col_pos[cols] = len(self.cols_in) + np.arange(len(cols))
        self.cols_in = np.concatenate([self.cols_in, cols])


def _status(h: Any) -> str:
    import highspy

    s = h.getModelStatus()
    status = highspy.HighsModelStatus
    if s == status.kOptimal:
        return "Optimal"
    if s in (status.kInfeasible, status.kUnboundedOrInfeasible):
        return "Infeasible"
    if s == status.kTimeLimit:
        return "Time limit"
    return "Not solved"


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
) -> Result:
    """Solve to a proven relative gap; columns are given by index.

    With `priority` (the columns to branch on first), rows whose names start with a `lazy`
    prefix are left out of the node relaxations and added back only when a relaxation's
    solution breaks them. `hint` (columns, values) gives values of some variables (say, the
    integers of a known award) to complete into a first solution: HiGHS completes it, or,
    when branching, an LP with the hinted integers fixed does, and the result is the first
    incumbent. A hint that cannot be completed is dropped. `inside`: columns the node relaxations
    always hold (those a rule ties to a branching variable, which the best few of a group
    may miss, leaving the first working set infeasible)."""
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
    import highspy

    h = _model(a)
    if seconds < INF:
        h.setOptionValue("time_limit", max(seconds, 0.01))
    h.presolve()
    return bool(h.getModelStatus() == highspy.HighsModelStatus.kInfeasible)


def _mip(
    a: Arrays,
    gap: float,
    limit: float,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
    start_values: np.ndarray | None,
    hint: tuple[np.ndarray, np.ndarray] | None = None,
) -> Result:
    import highspy

    h = _model(a, lower=lower, upper=upper)
    h.setOptionValue("mip_rel_gap", gap)
    if limit < INF:
        h.setOptionValue("time_limit", max(limit, 0.01))
    if start_values is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start_values)
        sol.value_valid = True
        h.setSolution(sol)
    elif hint is not None:
        h.setSolution(len(hint[0]), hint[0], hint[1])
    began = time.perf_counter()
    h.run()
    status = _status(h)
    info = h.getInfo()
    found = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    values = np.array(h.getSolution().col_value) if found else None
    if status == "Time limit" and values is None:
        status = "Not solved"
    if values is not None and (start_values is not None or hint is not None):
        # HiGHS 1.16 can map a start into its presolved model, improve it there, report the
        # improved objective and return the start's values unchanged. Values that do not
        # give the objective reported are not trusted: solve again without the start.
        objective = float(info.objective_function_value)
        if abs(float(a.cost @ values) + a.offset - objective) > 1e-9 * max(1.0, abs(objective)):
            return _mip(a, gap, limit - (time.perf_counter() - began), lower, upper, None)
    return Result(
        status=status,
        objective=float(info.objective_function_value) if found else None,
        bound=float(info.mip_dual_bound) if found else None,
        gap=float(info.mip_gap) if found else None,
        nodes=int(info.mip_node_count),
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
) -> Result:
    relaxation = _Relaxation(a, lazy, groups, inside=inside)
    group_of = relaxation.group_of
    always_free = np.isin(group_of, np.arange(max(int(len(groups) * free_share), FREE_MIN)))
    sign = relaxation.sign  # work in "larger is better" internally

    def node_lp(fixed: dict[int, float]) -> tuple[float, np.ndarray] | None:
        lo, up = a.col_lower[prio].copy(), a.col_upper[prio].copy()
        for k, val in fixed.items():
            lo[k] = up[k] = val
        return relaxation.solve(prio, lo, up, deadline)

    best: Result = Result(status="Infeasible")
    incumbent = -INF
    open_bounds: list[float] = []  # bounds of leaves the time limit left open
    heap: list[tuple[float, int, dict[int, float], np.ndarray]] = []
    stack: list[tuple[float, int, dict[int, float], np.ndarray]] = []
    counter = 0
    nodes = leaf_mips = 0

    settled = -INF  # the largest bound of a node closed by the gap rather than by the incumbent

    def closed(bound: float) -> bool:
        nonlocal settled
        if bound <= incumbent:
            return True
        if incumbent > -INF and _rel_gap(incumbent, bound) <= gap:
            settled = max(settled, bound)
            return True
        return False

    def leaf(bound: float, x: np.ndarray, fixed: dict[int, float]) -> None:
        """A node whose relaxation has integral priority values: round it, and if the
        rounding is not within the gap of the node's bound, solve the node as a MIP."""
        nonlocal leaf_mips, settled
        # RENS: keep the integral values, free the groups holding a fractional column and
        # the always-free groups
        integral = a.integer & (np.abs(x - np.round(x)) <= INTEGRAL)
        free_groups = np.unique(group_of[np.flatnonzero(a.integer & ~integral)])
        keep = integral & ~np.isin(group_of, free_groups[free_groups >= 0]) & ~always_free
        rens_lo, rens_up = a.col_lower.copy(), a.col_upper.copy()
        rens_lo[keep] = rens_up[keep] = np.round(x[keep])
        rounded = _mip(a, gap / 4, deadline - time.perf_counter(), rens_lo, rens_up, None)
        offer(rounded)
        if closed(bound):
            return
        # the node's whole region, not just this rounding's vendor set: only the branching
        # fixes priority variables, so the MIP's bound is valid for everything under the node
        leaf_mips += 1
        lower, upper = a.col_lower.copy(), a.col_upper.copy()
        for k, val in fixed.items():
            lower[prio[k]] = upper[prio[k]] = val
        exact = _mip(a, gap, deadline - time.perf_counter(), lower, upper, rounded.values)
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

    def expand(bound: float, fixed: dict[int, float], x: np.ndarray) -> None:
        nonlocal counter, nodes
        nodes += 1
        values = x[prio]
        frac = np.flatnonzero(np.abs(values - np.round(values)) > INTEGRAL)
        if frac.size == 0:
            leaf(bound, x, fixed)
            return
        k = int(frac[np.argmin(np.abs(values[frac] - 0.5))])
        for branch in (0.0, 1.0):  # the up branch is pushed last, so the dive opens vendors
            child = dict(fixed)
            child[k] = branch
            solved = node_lp(child)
            if solved is None:
                continue
            counter += 1
            entry = (-solved[0], counter, child, solved[1])
            if incumbent == -INF:
                stack.append(entry)
            else:
                heapq.heappush(heap, entry)

    if hint is not None:  # a nearby award, completed by fixing its integers: a first incumbent
        lo, up = a.col_lower.copy(), a.col_upper.copy()
        fixed = hint[0][a.integer[hint[0]]]
        lo[fixed] = up[fixed] = np.round(hint[1][a.integer[hint[0]]])
        offer(_mip(a, gap, deadline - time.perf_counter(), lo, up, None))

    timed_out = False
    current: float | None = None  # the bound of the node being expanded
    try:
        root = node_lp({})
        if root is None:
            return Result(status="Infeasible")
        stack.append((-root[0], 0, {}, root[1]))
        while stack or heap:
            if time.perf_counter() > deadline:
                timed_out = True
                break
            if stack and incumbent == -INF:
                neg, _, fixed, x = stack.pop()
            else:
                if stack:  # an award exists now: the dive's leftovers join the best-first queue
                    heap.extend(stack)
                    stack.clear()
                    heapq.heapify(heap)
                neg, _, fixed, x = heapq.heappop(heap)
            if closed(-neg):
                continue
            current = -neg
            expand(-neg, fixed, x)
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
    proven = _rel_gap(incumbent, bound) <= gap + 1e-12 or bound <= incumbent
    return Result(
        status="Optimal" if proven else "Time limit",
        objective=sign * incumbent,
        bound=sign * bound,
        gap=_rel_gap(incumbent, max(bound, incumbent)),
        nodes=nodes,
        leaf_mips=leaf_mips,
        values=best.values,
    )
