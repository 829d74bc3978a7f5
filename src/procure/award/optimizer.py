"""The award and what surrounds it: solve the vendor-mix MILP (`procure.award.formulation` builds it),
check the award exactly and mend what the solver's tolerance let slip, say why no award exists,
and the extras: what each business rule costs, the next best awards, the cost/value frontier."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from procure.advice.deployment import Deployment
from procure.advice.knowledge import CostRates
from procure.award import diagnosis, mip
from procure.award.budget import Budget
from procure.award.congruence import obstructed
from procure.award.formulation import (
    BRANCH_MIN_TRIPLES,
    EXTRA_LIMIT,
    GAP,
    TIME_LIMIT,
    AnyModel,
    ArrayModel,
    Choice,
    Model,
    model_for,
    twin_images,
)
from procure.award.heuristic import first_award, from_relaxation
from procure.award.instance import (
    RULE_FIELDS,
    Instance,
    build_instance,
    cost_floor,
    cost_reference,
    evaluate,
    score,
    score_ceiling,
    without_rule,
)
from procure.award.parallel import pmap, run_all
from procure.award.rebalance import rebalance
from procure.catalog import strings
from procure.errors import InfeasibleError, ProcureError
from procure.inputs.scenario import Scenario
from procure.inputs.vendors import Vendor
from procure.money import fmt_pct
from procure.text import Text


class SystemAward(BaseModel):
    system: str
    name: str = ""  # the system's name, as the scenario gives it
    vendor: str
    model: str
    cost_cny: float
    value: float


class VendorAward(BaseModel):
    vendor: str
    name: str
    name_zh: str | None = None  # the vendor's Chinese name, when the catalog gives one
    role: str  # integrator | subcontractor | sole | parallel (a direct contract, no integrator)
    systems: list[str]
    layers: list[str]
    cost_cny: float
    share: float


class RuleCost(BaseModel):
    """What a business rule costs: the award re-solved without it, within EXTRA_GAP of the
    best award without it. `distinguishable` false: no award without the rule was found to
    score better than the award by more than that gap, so its cost is not told apart from
    nothing, and the deltas are None rather than a figure of false precision."""

    rule: str
    description: Text
    delta_cost_cny: float | None
    delta_value: float | None
    feasible: bool
    distinguishable: bool = True


class Alternative(BaseModel):
    rank: int
    total_cost_cny: float
    value: float
    objective: float
    assignment: dict[str, str]


class Award(BaseModel):
    status: str
    solver: str
    gap: float | None
    seconds: float = Field(0.0, exclude=True)  # shown in the terminal; kept out of JSON so
    # the same input gives the same JSON, byte for byte
    objective: float
    total_cost_cny: float
    value: float
    budget_cny: float
    cost_by_year: list[float]
    cost_breakdown: dict[str, float]
    systems: list[SystemAward]
    vendors: list[VendorAward]
    integrator: str | None
    structure: str = "integrator"  # integrator | parallel
    binding: list[Text]
    cautions: list[Text] = []  # e.g. a winner without the cloud-service security assessment
    rule_costs: list[RuleCost] = []
    alternatives: list[Alternative] = []
    frontier: list[Alternative] = []
    extras_gap: float | None = None  # the extras' proven relative gap (EXTRA_GAP), if any ran
    variables: int = 0
    constraints: int = 0
    # the array model's nonzeros (0 for PuLP's): what decides that the analyses are skipped
    # past a size (`EXTRAS_NONZEROS`, `explain.EXPLAIN_NONZEROS`); kept out of JSON as
    # `seconds` is, so the bundled examples' JSON is as before
    nonzeros: int = Field(0, exclude=True)


def choice_of(award: Award) -> Choice:
    layers = {layer: v.vendor for v in award.vendors for layer in v.layers}
    return {a.system: (a.vendor, a.model) for a in award.systems}, layers, award.integrator


# From this many nonzeros (the generated province: 1.0 M) a cold award starts from
# `award.heuristic`'s: with no incumbent its branching found nothing in 900 s
HEURISTIC_NONZEROS = mip.IMPROVE_NONZEROS
# ... and its branching stops this many seconds past the first award (the heuristic's, improved
# with its winners fixed, then the rounding of the whole LP relaxation) and that LP's bound
# (`ArrayModel.search`), the award then given with its proven gap. On the province (seed 1000)
# the rounding came within 0.17% of the LP bound; the branching after it reached no leaf in 12
# nodes (50 s CPU) and moved the bound by 0.1% in 85 s: it is not worth a brief's minute.
# A user who gives more than the default time (`--time-limit` above TIME_LIMIT) gets the
# branching in it instead (`search_after`), from those awards and that bound.
SEARCH_SECONDS = 0.0
REPAIRS = 4  # tolerant re-solves allowed to exclude awards that broke a rule
MIN_REPAIR = 0.5  # seconds: a repair re-solve is not started with less
EXCLUSIONS = 2  # of which by exclusion cuts, before the precise build
FIRST = 0.7  # of the time limit, for the first solve: the rest is kept for the exact repairs
# The extras (what each rule costs, the next-best mixes, the cost/value frontier) are proven
# within this relative gap of the best score, the award itself within GAP (issue #25: "extras
# and robustness re-solves may stop at a stated gap; the award stays at 0.01% and says its
# gap"). At 500 systems x 30 bidders a re-solve at GAP took 1.7-10 s CPU (two rules and one end
# of the frontier ran out of their 10 s); at this gap, from the award, most stop at the root.
# The award's JSON says it (`extras_gap`), the brief beside the rule costs; a rule whose cost
# is within it is said to be not distinguishable, not given as a number.
EXTRA_GAP = 5e-3
# ... on models the branching solver takes (`formulation.branch_first`: this many placements
# or more, as the generated 500 x 30's 60,000); smaller ones are solved in a fraction of a
# second at GAP, so their extras stay exact (the bundled examples: a share cap's cost of
# 3.45 M CNY at GAP was within EXTRA_GAP of nothing)
LOOSE_PLACEMENTS = BRANCH_MIN_TRIPLES
# From this many nonzeros the extras are not started (and a caution says so): on the
# generated province (3,000 x 40: 1.0 M nonzeros) each re-solve ran into its EXTRA_LIMIT with
# nothing proven (about 30 s CPU for no figure); 1,000 x 40 (0.54 M) still gets them
EXTRAS_NONZEROS = 750_000


def solve_exact(
    model: AnyModel,
    solver: str = "highs",
    *,
    start: Choice | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    branching: bool | None = None,
) -> tuple[str, float]:
    """Solve, then check the award exactly (`award.evaluate`, in whole fen), and mend what the
    solver's tolerance (a millionth of the award's size on the money rows) let slip, without
    ever moving a row's limit: no repair removes an award that meets the rules exactly.

    The first solve gets FIRST of the time limit; the rest is kept for what follows.

    0. If no award with the slipped award's winners can meet the cap exactly (a cap of exactly
       1 / k between k winners whose amounts differ modulo their prices: `award.congruence`),
       a congruence row rules that set of winners out and the model is solved again.
    1. A slipped award is re-split exactly (`award.rebalance`): the work of two winners
       redistributed, in fen, so that every rule holds. Between identical bidders this keeps
       the award's score, and the solver's bound and status stand for it.
    2. A repair cut excludes the slipped award and its images among interchangeable bidders
       (`twin_images`) and the model is solved again with half the time left (at most
       EXCLUSIONS times, and only while the solves finish): a cut removes only awards that
       break the rules, so the re-solve's bound still holds.
    3. The array model (HiGHS): if no exact award is in hand yet, a scout (`_scout`, half the
       time left) solves a copy with the broken rows' limits lowered past the tolerance, for a
       first exact award; that copy is only a search heuristic (it may miss awards exactly at
       a limit), its bound is never used and the model's own rows are never moved. Then, in
       the time left (also when the first solve's own answer was exact but not proven in its
       time), the precise build (`ArrayModel.make_precise`: money rows in thousands of yuan,
       share rows in integral form; the tolerance is a tenth of a fen, below the whole fen by
       which the rows' two sides differ) is solved from the best exact award; it searches
       every award that meets the rules, and its bound holds. (The PuLP model, for CBC, has
       neither: its repairs end with step 2.)

    The best exact award found is the answer. Its gap is measured against the tightest bound
    of these solves, each valid for the rules as stated (the tolerance only admits more
    awards): "Optimal" only when that gap is within the one asked for, else "Time limit"
    (`model.unproven` set when the award is not the solver's own). All re-solves share the
    time limit. Returns (status, seconds); an award that breaks a rule is never returned."""
    limit = model.time_limit if time_limit is None else time_limit
    options: dict[str, Any] = {"branching": branching}
    if gap is not None:
        options["gap"] = gap
    wanted = GAP if gap is None else gap
    began = time.perf_counter()
    status, _ = model.solve(solver, start=start, time_limit=FIRST * limit, **options)
    bound = _bound(model, None)
    best: tuple[float, Choice] | None = None  # the best exact award so far, with its score
    own = False  # whether `best` is the solver's own answer (its status and gap stand)
    slip: dict[str, float] | None = None  # the rows the last slipped award broke, CNY over
    for attempt in range(1, REPAIRS + 1):
        if status not in ("Optimal", "Time limit"):
            break
        choice = model.choice()
        ev = evaluate(model.inst, *choice)
        if not ev.violations:
            best, own = _better(best, (ev.objective, choice)), True
            break
        if not ev.overshoot:  # pragma: no cover - a rule the model does not encode: a bug
            raise ProcureError(f"the solver's award breaks the rules: {ev.violations}")
        slip = ev.overshoot
        left = limit - (time.perf_counter() - began)
        if obstructed(model.inst, ev.used) and model.exclude_winners(ev.used):
            # no exact award has these winners (`award.congruence`): nothing to re-split; the
            # row removes only awards that break the cap, so the re-solve's bound holds
            if left < MIN_REPAIR:
                break
            status, _ = model.solve(solver, time_limit=left * FIRST, **options)
            bound = _bound(model, bound)
            continue
        mended = rebalance(model.inst, choice)  # bounded in work, not in seconds
        if mended is not None:
            best = _better(best, (evaluate(model.inst, *mended).objective, mended))
            if _gap_of(best, bound) <= wanted:  # proven against the solver's own bound
                break
        if attempt > EXCLUSIONS or status != "Optimal":
            break  # a re-solve that ran out of time once would again
        # the share and budget rules hold or break whoever leads; the lead rule does not
        lead_only = all(row.startswith("lead_") for row in ev.overshoot)
        for image in twin_images(model.inst, choice):
            model.exclude(image, f"repair_{len(model.repairs) + 1}", integrator=lead_only)
        left = limit - (time.perf_counter() - began)
        if left < MIN_REPAIR:
            break
        status, _ = model.solve(solver, time_limit=left / 2, **options)
        bound = _bound(model, bound)
    if own and status == "Optimal":  # the solver's own answer, exact and proven
        model.unproven = False
        return status, time.perf_counter() - began
    if status == "Infeasible" and best is None:
        return status, time.perf_counter() - began
    if best is None and slip is not None:  # nothing exact yet: a scout for a first award
        best = _scout(model, solver, slip, limit - (time.perf_counter() - began), options)
    # the time kept back: the precise build, from `best`; not for the solver's own exact award
    # on a province's path (`ArrayModel.rounding`, its search cut short on purpose or at the
    # time limit): on the province it redid the first award and the LP bound (10 s CPU) and
    # found the same award
    searched = isinstance(model, ArrayModel) and model.rounding is not None
    if _gap_of(best, bound) > wanted and not (own and searched):
        found = _precise(model, solver, best, limit - (time.perf_counter() - began), options)
        if found is not None:
            best, bound = _better(best, found[0]), _tighter(bound, found[1])
            if found[2] and best is None:
                return "Infeasible", time.perf_counter() - began
    seconds = time.perf_counter() - began
    if best is None:
        return "Not solved", seconds
    model.chosen = best[1]
    status = _proven(model, best[0], bound, wanted)
    model.unproven = not own and status != "Optimal"  # said: a slip, not only the clock
    return status, seconds


def _gap_of(best: tuple[float, Choice] | None, bound: float | None) -> float:
    """The relative gap of the award `best` against `bound` (infinite when either is None)."""
    if best is None or bound is None:
        return float("inf")
    return max(0.0, bound - best[0]) / max(abs(best[0]), 1e-9)


SCOUTS = 3  # scout solves at most, each lowering the limits the last one's award passed


def _scout(
    model: AnyModel, solver: str, slip: dict[str, float], left: float, options: dict[str, Any]
) -> tuple[float, Choice] | None:
    """A first award that meets every rule exactly where the solver keeps slipping past a
    cap between near-ties (distinct bidders: `rebalance` keeps the winners and may find
    none): a copy of the model with the broken rows' limits lowered past the tolerance
    (`ArrayModel.scout`), given at most half the time left. Only a search heuristic: it can
    miss awards exactly at a limit, so its award only starts the precise build, which searches
    them all, and its bound is never used."""
    if not isinstance(model, ArrayModel):
        return None
    deadline = time.perf_counter() + left / 2
    over: dict[str, float] = {}
    for _ in range(SCOUTS):
        seconds = deadline - time.perf_counter()
        if seconds < MIN_REPAIR:
            return None
        for row, cny in slip.items():  # past the solver's tolerance (a millionth of the unit)
            over[row] = over.get(row, 0.0) + cny + 2e-6 * model.unit
        scout = model.scout(over)
        status, _ = scout.solve(solver, time_limit=seconds, **options)
        if status not in ("Optimal", "Time limit"):
            return None
        choice = scout.choice()
        ev = evaluate(model.inst, *choice)
        if not ev.violations:
            return ev.objective, choice
        if not ev.overshoot:  # pragma: no cover - a rule the model does not encode: a bug
            return None
        slip = ev.overshoot
    return None


def _better(
    best: tuple[float, Choice] | None, other: tuple[float, Choice] | None
) -> tuple[float, Choice] | None:
    if other is None:
        return best
    return other if best is None or other[0] > best[0] else best


def _tighter(bound: float | None, other: float | None) -> float | None:
    if other is None:
        return bound
    return other if bound is None else min(bound, other)


def _precise(
    model: AnyModel,
    solver: str,
    best: tuple[float, Choice] | None,
    left: float,
    options: dict[str, Any],
) -> tuple[tuple[float, Choice] | None, float | None, bool] | None:
    """Step 3 of `solve_exact`: the precise build, from the best exact award, in the time
    left. Returns (an exact award it found and its score, its bound, whether it proved that
    no award exists), or None if it could not run. The model is left as it was."""
    if left < MIN_REPAIR or not isinstance(model, ArrayModel):
        return None
    saved = model.snapshot()
    model.make_precise()
    status, _ = model.solve(solver, start=best[1] if best else None, time_limit=left, **options)
    found = None
    if status in ("Optimal", "Time limit"):
        choice = model.choice()
        ev = evaluate(model.inst, *choice)
        if not ev.violations:
            found = (ev.objective, choice)
    bound = _bound(model, None)
    model.restore(saved)
    return found, bound, status == "Infeasible"


def _bound(model: AnyModel, before: float | None) -> float | None:
    """The tighter of `before` and the last solve's bound on the score (None: unknown)."""
    result = model.result
    if result is None or result.bound is None or result.status not in ("Optimal", "Time limit"):
        return before
    return result.bound if before is None else min(before, result.bound)


def _proven(model: AnyModel, objective: float, bound: float | None, gap: float) -> str:
    """The status of an exact award that is not the solver's own: its gap against a bound
    that holds for the rules as stated, "Optimal" only if that gap is within `gap`."""
    proven = None if bound is None else _gap_of((objective, ({}, {}, None)), bound)
    if model.result is not None:
        model.result.gap = proven
        model.result.bound = bound
        model.result.objective = objective
    return "Optimal" if proven is not None and proven <= gap else "Time limit"


def optimize(
    scenario: Scenario,
    deployment: Deployment,
    weights: dict[str, float],
    vendors: list[Vendor],
    rates: CostRates,
    *,
    solver: str = "highs",
    extras: bool = True,
    lp: list[str] | None = None,
    start: Award | None = None,
    structure: str | None = None,
    time_limit: float = TIME_LIMIT,
    budget: Budget | None = None,
    search: float | None = None,
) -> Award:
    """Solve the award; raise InfeasibleError with a diagnosis when no award exists.

    `start`: the award of a similar scenario (other weights or prices), offered to the solver
    as a first solution; re-solves in the robustness analysis take about a third less time.
    `lp`: a list that receives the model in LP format, once an award is found.
    `structure`: integrator or parallel, instead of the scenario's.
    `time_limit`: seconds for the award's solve; when it runs out with an award in hand, that
    award is returned with its proven gap and a caution saying so. `budget`: the time the
    extras share (each solve also has at most EXTRA_LIMIT); what it leaves out is said.
    `search`: on a model past HEURISTIC_NONZEROS (a province), the seconds the branching goes
    on past the heuristic's award, improved, and the whole LP's bound (`ArrayModel.search`;
    default SEARCH_SECONDS; 0: none, the brief's comparison of the other contract structure);
    the award then stops with its proven gap, said in a caution."""
    inst = build_instance(scenario, deployment, weights, vendors, rates, structure=structure)
    _precheck(inst, scenario)

    def infeasible() -> InfeasibleError:
        parallel = None
        if inst.structure == "integrator":
            parallel = build_instance(
                scenario, deployment, weights, vendors, rates, structure="parallel"
            )
        why = diagnose(inst, solver, parallel)
        return InfeasibleError(why.en, why.zh)

    if cost_floor(inst) > inst.budget * (1 + 1e-9):  # no award can fit: said so
        raise infeasible()  # before a model scaled to a budget of, say, 1e-9 CNY is solved
    model = model_for(inst, solver, time_limit=time_limit)
    first = choice_of(start) if start else None
    large = isinstance(model, ArrayModel) and len(model.a.vals) >= HEURISTIC_NONZEROS
    if first is None and large:
        first = first_award(inst)  # a province: the branching starts from an award (#25)
    if large and isinstance(model, ArrayModel):
        model.search = search_after(time_limit) if search is None else search
        model.rounding = lambda wins, leads: from_relaxation(inst, wins, leads)
    status, seconds = solve_exact(model, solver, start=first)
    if status == "Infeasible":
        raise infeasible()
    only = status == "Not solved" and large and first is not None
    if only and first is not None:
        status = _heuristic_only(model, first)  # the award in hand, before any solve
    if status not in ("Optimal", "Time limit"):
        raise ProcureError(
            f"the {solver} solver found no mix within {seconds:.0f} s (status {status}); "
            "raise --time-limit, or simplify the scenario",
            f"求解器 {solver} 在{seconds:.0f}秒内未找到测算方案（状态：{status}）；"
            "请提高 --time-limit，或简化情景",
        )
    award = _award(model, scenario, status, solver, seconds)
    if model.unproven and status == "Time limit":
        gap = fmt_pct(award.gap, 2) if award.gap is not None else None
        within = f", proven within {gap} of the best possible score" if gap else ""
        within_zh = f"，已证明与最优得分相差不超过{gap}" if gap else ""
        award.cautions.insert(
            0,
            Text(
                en="Not proven optimal within the time limit: the solver's best mixes passed a "
                "money rule (a share cap or the integrator's lead) by a few yuan within its "
                "tolerance. This mix, "
                "found by an exact search (work re-split to the fen, or the model solved again "
                f"with the tolerance below a fen), meets every rule exactly{within}. "
                "Give more time with --time-limit to close the gap.",
                zh="在时间上限内未证明最优：求解器在其容差范围内给出的最优方案以数元之差越过了金额规则（份额上限或"
                "总集成商份额）。本方案经精确搜索得到（按分重新划分工作，或以低于一分的容差重新求解），"
                f"精确满足全部规则{within_zh}。可用 --time-limit 给出更多时间以缩小差距。",
            ),
        )
    elif status == "Time limit" and only:
        award.cautions.insert(0, _unsolved(award, time_limit))
    elif status == "Time limit" and isinstance(model, ArrayModel) and model.search is not None:
        award.cautions.insert(0, _searched(award, model.search))
    elif status == "Time limit":
        gap = fmt_pct(award.gap or 0.0, 2)
        award.cautions.insert(
            0,
            Text(
                en=f"The solver stopped at its time limit ({time_limit:g} s): this is the best "
                f"mix it found, proven within {gap} of the best possible score, not proven "
                "optimal. Give more time with --time-limit to close the gap.",
                zh=f"求解器达到时间上限（{time_limit:g}秒）后停止：这是已找到的最好方案，"
                f"已证明与最优得分相差不超过{gap}，但未证明最优。可用 --time-limit 给出更多时间。",
            ),
        )
    if lp is not None:
        lp.append(lp_text(model.record(), [name for _, name, _ in model.repairs]))
    if extras and _too_large(model):
        award.cautions.append(_skipped(model))
    elif extras:  # three independent searches, side by side, each from the award
        left = (budget or Budget()).child()
        loose = extras_gap(model)
        jobs: list[Callable[[], list[Any]]] = [
            lambda: rule_costs(
                scenario, deployment, weights, vendors, rates, award, solver, left, loose, model
            ),
            lambda: alternatives(model, choice_of(award), solver, budget=left, gap=loose),
            lambda: frontier(
                inst, solver, budget=left, start=choice_of(award), gap=loose, model=model
            ),
        ]
        costs, award.alternatives, award.frontier = run_all(jobs)
        award.extras_gap = loose
        award.rule_costs = [c for c in costs if isinstance(c, RuleCost)]
        cut = [c for c in costs if isinstance(c, Text)]
        if cut:  # said, not silently dropped
            award.cautions.append(
                Text(
                    en="Left out for lack of time (each re-solve has "
                    f"{EXTRA_LIMIT:g} s): what these rules cost: " + "; ".join(x.en for x in cut),
                    zh=f"因时间所限（每次重新求解限{EXTRA_LIMIT:g}秒）未能算出以下规则的代价："
                    + "；".join(x.zh for x in cut),
                )
            )
        said = left.said()
        if said is not None:
            award.cautions.append(said)
    return award


def search_after(time_limit: float) -> float | None:
    """The seconds a province's branching goes on past its first awards and the whole LP's
    bound (`ArrayModel.search`): SEARCH_SECONDS at the default time limit or less (the
    brief's minute), else none set (None): the branching runs in the time the user gave
    (its first solve's share, `FIRST`), and the award says the gap it reached."""
    return SEARCH_SECONDS if time_limit <= TIME_LIMIT else None


def _searched(award: Award, search: float) -> Text:
    """The caution of an award whose search stopped on purpose (`ArrayModel.search`)."""
    gap = fmt_pct(award.gap, 2) if award.gap is not None else None
    within = f", proven within {gap} of the best possible score" if gap else ""
    within_zh = f"，已证明与最优得分相差不超过{gap}" if gap else ""
    how = (
        (f", then a search of at most {search:g} s", f"，再搜索至多{search:g}秒")
        if search > 0
        else ("", "")
    )
    return Text(
        en="Not proven optimal: on a tender this large the mix is the best of a shortened "
        "search (a heuristic's mix improved by the solver with its winners fixed, and a "
        f"rounding of the linear relaxation of the whole model{how[0]}), bounded by that "
        f"relaxation{within}. Every rule is checked exactly on it.",
        zh="未证明最优：本次采购规模较大，本方案为缩短搜索所得的最好方案（启发式算法给出的方案在"
        "入选供应商不变的前提下由求解器改进，以及对整个模型线性松弛解的取整"
        f"{how[1]}），并以该线性松弛为界{within_zh}。本方案已逐项精确核验全部规则。",
    )


def _unsolved(award: Award, time_limit: float) -> Text:
    """The caution of the heuristic's award given when no solve finished (`_heuristic_only`)."""
    gap = fmt_pct(award.gap, 2) if award.gap is not None else None
    within = f", proven within {gap} of the best possible score" if gap else ""
    within_zh = f"，已证明与最优得分相差不超过{gap}" if gap else ""
    return Text(
        en=f"Not proven optimal: within the time limit ({time_limit:g} s) no solve of this "
        "large tender finished, so this is the mix a heuristic built before the solve, "
        "bounded without a solve (each system at its best option, the rules that couple "
        f"systems dropped){within}. Every rule is checked exactly on it. Give more time "
        "with --time-limit for a better mix and a tighter bound.",
        zh=f"未证明最优：在时间上限（{time_limit:g}秒）内，本次规模较大的采购未能完成任何一次求解，"
        "本方案为求解前由启发式算法构造的方案，其界限无须求解得出（各系统取其最优选项，"
        f"略去联系各系统的规则）{within_zh}。本方案已逐项精确核验全部规则。"
        "可用 --time-limit 给出更多时间，以得到更好的方案和更紧的界限。",
    )


def _heuristic_only(model: AnyModel, first: Choice) -> str:
    """When no solve gave anything in the time limit on a province, the heuristic's award
    (`first_award`, made before the solve) is the award in hand, if it meets every rule
    exactly: given with the bound that needs no solve (`score_ceiling`), its gap stated as
    any time-limited award's; else "Not solved" stands."""
    ev = evaluate(model.inst, *first)
    if ev.violations:
        return "Not solved"
    model.chosen, model.unproven = first, False
    if model.result is None:
        model.result = mip.Result(status="Time limit")
    return _proven(model, ev.objective, score_ceiling(model.inst), GAP)


def extras_gap(model: AnyModel) -> float:
    """The gap the extras are proven to: EXTRA_GAP on models of LOOSE_PLACEMENTS placements
    or more (array model), else the award's GAP."""
    large = isinstance(model, ArrayModel) and len(model.layout.x) >= LOOSE_PLACEMENTS
    return EXTRA_GAP if large else GAP


def _too_large(model: AnyModel) -> bool:
    """Whether the extras are skipped up front: a model past EXTRAS_NONZEROS (the array
    model's count; the PuLP model's is not counted, CBC's models stay small)."""
    return isinstance(model, ArrayModel) and len(model.a.vals) >= EXTRAS_NONZEROS


def _skipped(model: AnyModel) -> Text:
    """The caution for extras skipped on a model this large (`_too_large`)."""
    size = len(model.a.vals) if isinstance(model, ArrayModel) else 0
    return Text(
        en=f"Not computed for a tender this large (a model of {size:,} coefficients, past "
        f"{EXTRAS_NONZEROS:,}): what each rule costs, the next-best mixes and the cost/value "
        f"frontier; each would be a new search of the whole mix that cannot finish within "
        f"its {EXTRA_LIMIT:g} s. Run them on a part of the tender (fewer systems or candidate suppliers).",
        zh=f"本次采购规模过大（模型含{size:,}个系数，超过{EXTRAS_NONZEROS:,}个），未计算各项规则的"
        f"代价、次优方案和成本—价值前沿：每一项都须对整个方案重新搜索，无法在每次{EXTRA_LIMIT:g}秒"
        "的时限内完成。可对部分系统或部分候选供应商单独测算。",
    )


def lp_text(problem: Any, repairs: list[str] | None = None) -> str:
    """The PuLP model in LP format, written through a private temporary directory. LP files
    have no objective constant and PuLP drops it: a comment at the top gives it, so that a
    reviewer who solves the file can add it and get the award score the JSON reports. The
    rows are the model of record (the module docstring of `procure.award.formulation`); `repairs`
    names the extra rows the exact check added (`solve_exact`), each said in a comment."""
    import tempfile

    constant = float(problem.objective.constant) if problem.objective is not None else 0.0
    with tempfile.TemporaryDirectory(prefix="procure-lp-") as tmp:
        path = Path(tmp) / "award.lp"
        problem.writeLP(str(path))
        text = path.read_text(encoding="utf-8")
    head = (
        f"\\ procure: the objective below omits its constant term {constant!r}; the award "
        "score (the JSON's objective) is the optimal value plus this constant.\n"
    )
    for name in (row.name for row in problem.constraints()):
        if name.startswith("congruence_"):
            head += (
                f"\\ procure: row {name} is not a rule: these bidders' amounts differ modulo "
                "the fen prices they can win, so they can never split the award into the equal "
                "parts the share cap demands when they win alone; it excludes no award that "
                "meets the rules (procure.award.congruence).\n"
            )
    for name in repairs or []:
        head += (
            f"\\ procure: row {name} is not a rule: it excludes one award that the solver's "
            "tolerance let break a money rule (checked exactly, in fen); it excludes no award "
            "that meets the rules.\n"
        )
    return head + text


PRECHECK_LISTED = 12  # systems named one by one; past that, named by reason, a dozen each


def _ineligible_systems(inst: Instance) -> tuple[list[str], list[str]]:
    """Each system no vendor and model may take, with why (en, zh); past PRECHECK_LISTED
    such systems, one line per reason naming the first PRECHECK_LISTED and a count (a
    province with 信创 required had every one of its 3,000 systems on a 540 KB line)."""
    items = [
        (inst.system_name(sid), "; ".join(w.en for w in why), "；".join(w.zh for w in why))
        for sid, why in inst.ineligible.items()
    ]
    if len(items) <= PRECHECK_LISTED:
        return (
            [f"system {n}: no eligible vendor and model ({en})" for n, en, _ in items],
            [f"系统“{n}”：没有符合条件的供应商和部署模式（{zh}）" for n, _, zh in items],
        )
    groups: dict[tuple[str, str], list[str]] = {}
    for name, en, zh in items:
        groups.setdefault((en, zh), []).append(name)
    out_en, out_zh = [], []
    for (en, zh), names in groups.items():
        shown, more = names[:PRECHECK_LISTED], len(names) - PRECHECK_LISTED
        out_en.append(
            f"{len(names):,} systems ({', '.join(shown)}{f' and {more:,} more' if more > 0 else ''})"
            f": no eligible vendor and model ({en})"
        )
        out_zh.append(
            f"{'、'.join(f'“{n}”' for n in shown)}{'等' if more > 0 else ''}{len(names)}个系统："
            f"没有符合条件的供应商和部署模式（{zh}）"
        )
    return out_en, out_zh


def _precheck(inst: Instance, scenario: Scenario) -> None:
    domestic = scenario.procurement.domestic_stack == "required"
    mlps = max(s.mlps_level for s in scenario.systems)
    en, zh = _ineligible_systems(inst)
    empty = [layer for layer, vids in inst.layer_options.items() if not vids]
    en += [
        f"layer {layer}: no eligible vendor offers it at MLPS {mlps}"
        + (" with a domestic stack" if domestic else "")
        for layer in empty
    ]
    zh += [
        f"{strings()[f'layer_{layer}']['zh']}服务层：没有合格供应商能在等保{mlps}级"
        + ("且全栈信创" if domestic else "")
        + "条件下提供"
        for layer in empty
    ]
    several = inst.min_vendors >= 2 or inst.max_share < 1
    if (
        inst.structure == "integrator"
        and several
        and not any(v.integrator for v in inst.vendors.values())
    ):
        en.append(
            "several vendors must be in the mix (min_vendors or max_vendor_share), and with "
            "procurement.structure: integrator one of them must lead as general integrator, "
            "but no eligible candidate supplier may act as one (integrator: true); add one, or use "
            "procurement.structure: parallel"
        )
        zh.append(
            "按 min_vendors 或 max_vendor_share 须由多家供应商入选，而 procurement.structure: "
            "integrator 要求其中一家担任总集成商，但没有符合条件的候选供应商可担任（integrator: true）；"
            "请增加可任总集成商的候选供应商，或改用 procurement.structure: parallel"
        )
    if en:
        raise InfeasibleError(
            "no mix of candidate suppliers is possible: "
            + "; ".join(en)
            + ". Relax the rule named, add a qualified vendor, or remove "
            "the system from this procurement.",
            "无法测算：" + "；".join(zh) + "。请放宽所指出的规则、增加合格的供应商，"
            "或将该系统移出本次采购。",
        )


def diagnose(inst: Instance, solver: str = "highs", parallel: Instance | None = None) -> Text:
    """Why no award exists: changes that each restore one, each checked by solving again
    (`procure.award.diagnosis`); `parallel`: the tender with parallel contracts, to check that too."""

    def solve(model: AnyModel, solver: str, time_limit: float, gap: float | None) -> str:
        return solve_exact(model, solver, time_limit=time_limit, gap=gap)[0]

    return diagnosis.diagnose(inst, solver, solve, parallel)


def _award(model: AnyModel, scenario: Scenario, status: str, solver: str, seconds: float) -> Award:
    inst = model.inst
    assignment, layers, integrator = model.choice()
    ev = evaluate(inst, assignment, layers, integrator)
    if ev.violations:  # pragma: no cover - would be a modelling bug
        raise RuntimeError(f"solver award breaks rules: {ev.violations}")
    names = {str(x.id): x.name for x in scenario.systems}
    systems = [
        SystemAward(
            system=s,
            name=names[s],
            vendor=assignment[s][0],
            model=assignment[s][1],
            cost_cny=round(inst.cost[(s, *assignment[s])], 2),
            value=round(inst.value[(s, *assignment[s])], 2),
        )
        for s in inst.systems
    ]
    base = sum(ev.vendor_value.values())
    multi = len(ev.used) > 1
    vendor_rows = []
    for vid in ev.used:
        role = (
            "sole"
            if not multi
            else "parallel"
            if inst.structure == "parallel"
            else "integrator"
            if vid == integrator
            else "subcontractor"
        )
        vendor_rows.append(
            VendorAward(
                vendor=vid,
                name=inst.vendors[vid].name,
                name_zh=inst.vendors[vid].name_zh,
                role=role,
                systems=[s for s, (v, _) in assignment.items() if v == vid],
                layers=sorted(x for x, v in layers.items() if v == vid),
                cost_cny=round(ev.vendor_value[vid] + (ev.fee if vid == integrator else 0.0), 2),
                share=round(ev.vendor_value[vid] / base, 6),  # 4 places hid overruns
            )
        )
    setup = sum(inst.setup[v] for v in ev.used)
    migration = sum(
        inst.cost[(s, *assignment[s])] - inst.hosting[(s, *assignment[s])] for s in inst.systems
    )
    hosting = sum(inst.hosting[(s, *assignment[s])] for s in inst.systems)
    layer_total = sum(inst.layer_cost[(x, v)] for x, v in layers.items())
    coordination = inst.extra_vendor_cost * max(0, len(ev.used) - 1)
    annual = (hosting + layer_total + ev.fee + coordination) / inst.years
    by_year = [round(annual + (setup + migration if y == 0 else 0.0), 2) for y in range(inst.years)]
    gap = _gap(model)
    binding = _binding(inst, ev, assignment)
    cautions = []
    unassessed = [inst.vendors[v] for v in ev.used if not inst.vendors[v].security_assessed]
    if scenario.procurement.security_assessment == "preferred" and unassessed:
        cautions.append(
            Text(
                en=f"{', '.join(v.name for v in unassessed)}: no declaration that the platform "
                "passed the cloud-service security assessment; ask for the result before "
                "signing, or make the assessment required in the scenario.",
                zh=f"{'、'.join(v.name_zh or v.name for v in unassessed)}：未声明其平台通过云计算服务"
                "安全评估；签约前应要求提供评估结果，或在情景中将云计算服务安全评估设为必须满足。",
            )
        )
    return Award(
        status=status,
        solver=solver,
        gap=gap,
        seconds=round(seconds, 3),
        objective=round(ev.objective, 6),
        total_cost_cny=round(ev.total_cost, 2),
        value=round(ev.value, 3),
        budget_cny=inst.budget,
        cost_by_year=by_year,
        cost_breakdown={
            "hosting": round(hosting, 2),
            "security_ops": round(layer_total, 2),
            "setup": round(setup, 2),
            "migration": round(migration, 2),
            "integrator_fee": round(ev.fee, 2),
            "coordination": round(coordination, 2),
        },
        systems=systems,
        vendors=vendor_rows,
        integrator=integrator if multi else None,
        binding=binding,
        cautions=cautions,
        structure=inst.structure,
        variables=model.size[0],
        constraints=model.size[1],
        nonzeros=len(model.a.vals) if isinstance(model, ArrayModel) else 0,
    )


def _gap(model: AnyModel) -> float | None:
    return model.result.gap if model.result is not None else None


def _binding(inst: Instance, ev: Any, assignment: dict[str, tuple[str, str]]) -> list[Text]:
    """Rules the award presses against (within 1%)."""
    out = []
    if ev.total_cost >= 0.99 * inst.budget:
        used = ev.total_cost / inst.budget
        out.append(Text(en=f"budget: {used:.1%} used", zh=f"预算：已使用{used:.1%}"))
    n = len(ev.used)
    if n == inst.max_vendors:
        out.append(
            Text(en=f"most vendors allowed: {n} in the mix", zh=f"供应商数量上限：{n}家入选")
        )
    if n == inst.min_vendors and inst.min_vendors > 1:
        out.append(
            Text(
                en=f"fewest vendors allowed: exactly {n} in the mix",
                zh=f"供应商数量下限：恰好{n}家入选",
            )
        )
    base = sum(ev.vendor_value.values())
    for vid, amount in ev.vendor_value.items():
        v = inst.vendors[vid]
        en_name, zh_name = v.name, v.name_zh or v.name
        if inst.max_share < 1 and amount >= (inst.max_share - 0.01) * base:
            share = amount / base
            out.append(
                Text(
                    en=f"share cap: {en_name} at {share:.1%}",
                    zh=f"单家份额上限：{zh_name}占{share:.1%}",
                )
            )
        load = sum(inst.vcpu[s] for s, (v, _) in assignment.items() if v == vid)
        cap = inst.vendors[vid].capacity_vcpu
        if load >= 0.99 * cap:
            out.append(
                Text(
                    en=f"capacity: {en_name} at {load:,.0f} of {cap:,} vCPU",
                    zh=f"容量：{zh_name}已用{load:,.0f}/{cap:,}个vCPU",
                )
            )
    return out


def _resolve(
    inst: Instance,
    solver: str,
    start: Choice,
    seconds: float = EXTRA_LIMIT,
    gap: float = GAP,
    model: AnyModel | None = None,
) -> tuple[float, float, bool] | str:
    """(cost, value, whether it is told apart from the award `start`) of an award of `inst`
    proven within `gap` of its best, from `start` (feasible when a rule is dropped); else its
    status ("Infeasible", or a time limit's: then the rule's cost is unknown, not zero and
    not infinite). `model`: the model of `inst` if one is in hand (`ArrayModel.variant`)."""
    model = model or model_for(inst, solver, time_limit=seconds)
    status, _ = solve_exact(model, solver, start=start, gap=gap)
    if status != "Optimal":
        return status
    ev = evaluate(inst, *model.choice())
    return ev.total_cost, ev.value, gap <= GAP or _beats(inst, ev.objective, start, gap)


def _beats(inst: Instance, objective: float, other: Choice, gap: float) -> bool:
    """Whether an award of `inst` scoring `objective` is better than the award `other` by
    more than `gap` (scored in `inst`: an award that breaks its rules is beaten). At the
    award's own GAP every figure is given, as the award's are."""
    ev = evaluate(inst, *other)
    if ev.violations:
        return True
    return objective - ev.objective > gap * max(abs(objective), 1e-9)


def dropped_rules(
    scenario: Scenario, bidders: int, structure: str
) -> list[tuple[str, Text, dict[str, Any]]]:
    """The business rules `rule_costs` prices, each as (name, description, the
    `build_instance` overrides that drop it) under the contract `structure`; `bidders`: the
    candidate suppliers (the vendor count's upper limit once dropped)."""
    p = scenario.procurement
    variants: list[tuple[str, Text, dict[str, Any]]] = [
        (
            "vendor_count",
            Text(
                en=f"vendor count {p.min_vendors}-{p.max_vendors}",
                zh=f"供应商数量{p.min_vendors}-{p.max_vendors}家",
            ),
            {"min_vendors": 1, "max_vendors": bidders},
        ),
    ]
    if p.max_vendor_share < 1:
        variants.append(
            (
                "share_cap",
                Text(
                    en=f"share cap {p.max_vendor_share:.0%}",
                    zh=f"单家份额上限{p.max_vendor_share:.0%}",
                ),
                {"max_share": 1.0},
            )
        )
    if p.domestic_stack != "any":
        level = {"required": ("required", "强制"), "preferred": ("preferred", "优先")}
        en, zh = level[p.domestic_stack]
        variants.append(
            (
                "xinchuang",
                Text(en=f"domestic (Xinchuang) stack {en}", zh=f"信创{zh}"),
                {"domestic": "any"},
            )
        )
    if p.security_assessment != "any":
        level = {"required": ("required", "强制"), "preferred": ("preferred", "优先")}
        en, zh = level[p.security_assessment]
        variants.append(
            (
                "security_assessment",
                Text(en=f"cloud-service security assessment {en}", zh=f"云计算服务安全评估{zh}"),
                {"security_assessment": "any"},
            )
        )
    if structure == "integrator":  # the award's, which --structure may have chosen
        rules = p.integrator_rules
        for rule, on, en, zh in (
            (
                "lead_share",
                rules.lead_share,
                "the integrator's share is at least every subcontractor's",
                "总集成商份额不低于任一分包商",
            ),
            (
                "mlps4_with_integrator",
                rules.mlps4_with_integrator and any(s.mlps_level >= 4 for s in scenario.systems),
                "MLPS level 4 systems stay with the integrator",
                "等保四级系统由总集成商承担",
            ),
            (
                "security_with_integrator",
                rules.security_with_integrator,
                "the security layer stays with the integrator",
                "安全层由总集成商承担",
            ),
        ):
            if on:
                variants.append((rule, Text(en=en, zh=zh), {rule: False}))
    if p.incumbent:
        variants.append(
            (
                "incumbent",
                Text(
                    en="incumbent continuity bonus and migration waiver",
                    zh="现有服务商连续性加分与免迁移",
                ),
                {"incumbent": False},
            )
        )
    return variants


def rule_costs(
    scenario: Scenario,
    deployment: Deployment,
    weights: dict[str, float],
    vendors: list[Vendor],
    rates: CostRates,
    award: Award,
    solver: str,
    budget: Budget | None = None,
    gap: float = GAP,
    model: AnyModel | None = None,
) -> list[RuleCost | Text]:
    """Re-solve without each business rule, from the award, to `gap` (`extras_gap`), and
    report the change in cost and value (none where, at a gap looser than the award's, the
    best award without the rule is not told apart from the award; exactly nothing where
    dropping it leaves the model as it was, with no solve); each under the award's contract
    structure; a rule whose re-solve runs out of time comes back as its description (to be
    said, not guessed).

    `model`: the award's own model. A rule that only sets the instance's rule fields is then
    dropped from its instance (`without_rule`) instead of the scenario being read again, and
    its model is the award's arrays less the rule's rows (`ArrayModel.variant`) where the
    change reaches no other row; else it is built (#25: about 0.3 s CPU a build at 500 x 30,
    under the GIL beside the other extras' solves)."""
    variants = dropped_rules(scenario, len(vendors), award.structure)

    def cost_of(variant: tuple[str, Text, dict[str, Any]]) -> RuleCost | Text:
        rule, description, overrides = variant
        seconds = (budget or Budget()).limit(EXTRA_LIMIT)
        if seconds is None:  # the time budget is spent: said, not guessed
            return description
        if set(overrides) <= RULE_FIELDS:
            inst = without_rule(base, **overrides)
        else:
            inst = build_instance(
                scenario,
                deployment,
                weights,
                vendors,
                rates,
                structure=award.structure,
                **overrides,
            )
        if inst == base:  # the rule does not change the model (say, an assessment preferred)
            return RuleCost(
                rule=rule,
                description=description,
                delta_cost_cny=0.0,
                delta_value=0.0,
                feasible=True,
            )
        if inst.ineligible:
            result: tuple[float, float, bool] | str = "Infeasible"
        else:
            dropped = model.variant(inst, seconds) if isinstance(model, ArrayModel) else None
            result = _resolve(inst, solver, choice_of(award), seconds, gap, dropped)
        if isinstance(result, str) and result != "Infeasible":  # out of time: not guessed
            return description
        if isinstance(result, str):
            return RuleCost(
                rule=rule,
                description=description,
                delta_cost_cny=None,
                delta_value=None,
                feasible=False,
            )
        cost, value, beats = result
        if not beats:  # within the gap of the award: no figure of false precision
            return RuleCost(
                rule=rule,
                description=description,
                delta_cost_cny=None,
                delta_value=None,
                feasible=True,
                distinguishable=False,
            )
        return RuleCost(
            rule=rule,
            description=description,
            delta_cost_cny=round(award.total_cost_cny - cost, 2),
            delta_value=round(award.value - value, 3),
            feasible=True,
        )

    if model is not None and model.inst.structure == award.structure:
        base = model.inst
    else:
        base = build_instance(
            scenario, deployment, weights, vendors, rates, structure=award.structure
        )
    return pmap(cost_of, variants)


def alternatives(
    model: AnyModel,
    award: Choice,
    solver: str,
    count: int = 3,
    budget: Budget | None = None,
    gap: float = GAP,
) -> list[Alternative]:
    """The next best distinct awards, by no-good cuts on the placements, each proven within
    `gap` (`extras_gap`) of the best award the earlier ones leave.

    Each starts from the previous award's least costly change of one placement
    (`_neighbour`). Every bound a solve of this model proved holds for the awards the later
    cuts leave (they only remove awards), so when that change meets every rule exactly and
    scores within `gap` of the tightest such bound (the award's own, to begin with), it is
    the next alternative, proven, without a solve."""
    out: list[Alternative] = []
    previous = award
    chosen = [(s, v, m) for s, (v, m) in award[0].items()]
    bound = _bound(model, None)  # the award's: no award of this model scores more
    for rank in range(1, count + 1):
        seconds = (budget or Budget()).limit(EXTRA_LIMIT)
        if seconds is None:
            (budget or Budget()).cut(
                Text(
                    en=f"the next-best mixes ({len(out)} of {count} found)",
                    zh=f"次优方案（仅找到{count}个中的{len(out)}个）",
                )
            )
            break
        model.forbid(chosen, rank)
        near = _neighbour(model, previous)
        if near is not None and _gap_of(near, bound) <= gap:
            previous = near[1]  # proven by the bound already in hand
        else:
            start = near[1] if near is not None else None
            status, _ = solve_exact(model, solver, start=start, time_limit=seconds, gap=gap)
            if status != "Optimal":
                if status != "Infeasible":  # the solve's limit, not the rules, ended the list
                    (budget or Budget()).stop(
                        Text(
                            en=f"the next-best mixes ({len(out)} of {count} found)",
                            zh=f"次优方案（仅找到{count}个中的{len(out)}个）",
                        )
                    )
                break
            bound = _tighter(bound, _bound(model, None))
            previous = model.choice()
        assignment, layers, integrator = previous
        ev = evaluate(model.inst, assignment, layers, integrator)
        out.append(
            Alternative(
                rank=rank + 1,
                total_cost_cny=round(ev.total_cost, 2),
                value=round(ev.value, 3),
                objective=round(ev.objective, 6),
                assignment={s: f"{v}/{m}" for s, (v, m) in assignment.items()},
            )
        )
        chosen = [(s, v, m) for s, (v, m) in assignment.items()]
    return out


NEIGHBOURS = 8  # one-placement changes checked exactly (`evaluate`: about 20 ms each at 500)


def _neighbour(model: AnyModel, choice: Choice) -> tuple[float, Choice] | None:
    """The best of `choice`'s least costly changes of one placement (to another option of a
    vendor it already has, by the objective's placement coefficients) that meets every rule
    exactly (`award.evaluate`, the NEIGHBOURS first that pass `_fits`) and that no no-good
    cut excludes, with its exact score; None if none does (or the model is PuLP's)."""
    if not isinstance(model, ArrayModel):
        return None
    inst = model.inst
    assignment, layers, integrator = choice
    now = evaluate(inst, *choice)
    winners = set(now.used)
    x, coef = model.layout.x, model.a.cost
    sign = 1.0 if model.a.maximize else -1.0
    excluded = [frozenset(chosen) for chosen, _ in model.cuts]
    placed = frozenset((s, v, m) for s, (v, m) in assignment.items())
    moves = sorted(
        (sign * (coef[col] - coef[x[(s, *assignment[s])]]), s, v, m)
        for (s, v, m), col in x.items()
        if v in winners and (v, m) != assignment.get(s)
    )
    best: tuple[float, Choice] | None = None
    tried = 0
    for _, s, v, m in reversed(moves):
        if tried >= NEIGHBOURS:
            break
        if not _fits(inst, now, choice, s, (v, m)):
            continue
        if (placed - {(s, *assignment[s])}) | {(s, v, m)} in excluded:
            continue
        tried += 1
        moved: Choice = ({**assignment, s: (v, m)}, layers, integrator)
        ev = evaluate(inst, *moved)
        if not ev.violations:
            best = _better(best, (ev.objective, moved))
    return best


def _fits(inst: Instance, now: Any, choice: Choice, system: str, to: tuple[str, str]) -> bool:
    """A quick screen (in floats, `evaluate` has the last word): whether moving `system` to
    `to` keeps the share cap, the integrator's lead and its key work, and the capacity."""
    assignment, _, integrator = choice
    v0, m0 = assignment[system]
    v = to[0]
    if v0 == integrator and v != integrator:  # the integrator's work may be key work
        return False
    amount = dict(now.vendor_value)
    old, new = inst.cost[(system, v0, m0)], inst.cost[(system, *to)]
    amount[v0] -= old
    amount[v] += new
    if any(a > inst.max_share * sum(amount.values()) for a in amount.values()):
        return False
    if integrator is not None and len(amount) > 1 and inst.structure == "integrator":
        lead = amount[integrator]
        if any(a > lead for u, a in amount.items() if u != integrator):
            return False
    if v != v0:
        load = sum(inst.vcpu[s] for s, (u, _) in assignment.items() if u == v)
        return load + inst.vcpu[system] <= inst.vendors[v].capacity_vcpu
    return True


@dataclass
class _Point:
    shown: Alternative
    choice: Choice
    cost: float  # exact, CNY
    value: float  # exact, 0-100

    def score(self, w: float, reference: float) -> float:
        return score(self.value, self.cost, reference, w)

    def same(self, other: _Point, reference: float) -> bool:
        return (
            abs(self.cost - other.cost) <= 1e-9 * reference
            and abs(self.value - other.value) <= 1e-9
        )


END_WEIGHT = 1e-3  # the ends: (almost) all weight on cost or on value; the rest breaks ties


def value_end(inst: Instance, reference: float) -> float:
    """The cost weight of the frontier's value end: cost scored against `reference` R moves
    the score by w C / R, and an award may cost up to the budget B, so a fixed END_WEIGHT let
    cost outweigh up to END_WEIGHT B / R of value (a third of a value point where B is 3.6 R:
    the value end was then a cheaper award of less value, and the best value was missing from
    the frontier). END_WEIGHT R / B keeps cost's whole span within END_WEIGHT of the score
    (a tenth of a value point), as when cost was scored against the budget."""
    return END_WEIGHT * min(1.0, reference / inst.budget) if inst.budget > 0 else END_WEIGHT


def frontier(
    inst: Instance,
    solver: str,
    points: int = 7,
    budget: Budget | None = None,
    start: Choice | None = None,
    gap: float = GAP,
    model: AnyModel | None = None,
) -> list[Alternative]:
    """The cost/value frontier: awards that are best for some weight on cost (the supported
    Pareto points), by non-inferior set estimation (Cohon, Church & Sheer 1979).

    Both ends first (nearly all weight on cost, then on value); then, for two neighbouring
    points, the weight at which they score the same: an award scoring better there lies
    between them and splits the segment, otherwise the segment is done. Every solve is the
    award problem itself with another cost weight, proven within `gap` (`extras_gap`), from
    `start` (the award: it meets the same rules) at the ends and from the cheaper neighbour
    between them, and segments are solved side by side. A point splits a segment only if it
    scores better by more than twice that gap. Stops at `points` points. `model`: the
    award's model of `inst`, whose arrays as built (`ArrayModel.variant`) are re-weighted
    instead of a new build."""
    budget = budget or Budget()
    if budget.limit(EXTRA_LIMIT) is None:
        budget.cut(Text(en="the cost/value frontier", zh="成本—价值前沿"))
        return []
    # built once (or the award's, as built), re-weighted per solve
    reused = model.variant(inst, EXTRA_LIMIT) if isinstance(model, ArrayModel) else None
    base = reused or model_for(inst, solver, time_limit=EXTRA_LIMIT)
    ref = cost_reference(inst)  # what the score counts cost against
    cheap, rich = pmap(
        lambda w: _best_at(base, solver, w, start, budget, gap),
        [1 - END_WEIGHT, value_end(inst, ref)],
    )
    if cheap is None or rich is None:
        return []
    found = [cheap] if rich.same(cheap, ref) else [cheap, rich]
    segments = [(cheap, rich)] if len(found) == 2 else []
    while segments and len(found) < points:
        if budget.limit(EXTRA_LIMIT) is None:
            budget.cut(
                Text(
                    en=f"the cost/value frontier ({len(found)} points found)",
                    zh=f"成本—价值前沿（已找到{len(found)}个点）",
                )
            )
            break
        weights = [_tie(a, b, ref) for a, b in segments]
        solved = pmap(
            lambda job: _best_at(base, solver, job[0], job[1].choice, budget, gap),
            [(w, a) for w, (a, _) in zip(weights, segments, strict=True)],
        )
        split = []
        for w, (a, b), point in zip(weights, segments, solved, strict=True):
            if point is None or len(found) >= points:
                continue
            tolerance = 2 * gap * max(abs(a.score(w, ref)), 1.0)
            beats = point.score(w, ref) > a.score(w, ref) + tolerance
            if beats and not any(point.same(q, ref) for q in found):
                found.append(point)
                split += [(a, point), (point, b)]
        segments = split
    out = [p.shown for p in sorted(found, key=lambda p: p.cost)]
    for rank, alt in enumerate(out, start=1):
        alt.rank = rank
    return out


def _tie(a: _Point, b: _Point, reference: float) -> float:
    """The cost weight at which a (cheaper, less value) and b score the same."""
    dv, dc = (b.value - a.value) / 100, (b.cost - a.cost) / reference
    return dv / (dv + dc) if dv + dc > 0 else 0.5


def _best_at(
    base: AnyModel,
    solver: str,
    weight: float,
    start: Choice | None,
    budget: Budget,
    gap: float = GAP,
) -> _Point | None:
    """The best award when cost carries `weight` (None: none, or out of time)."""
    seconds = budget.limit(EXTRA_LIMIT)
    if seconds is None:
        return None
    inst = base.inst
    model = (
        base.reweighted(weight)
        if isinstance(base, ArrayModel)
        else Model(replace(inst, cost_weight=weight), time_limit=EXTRA_LIMIT)
    )
    status, _ = solve_exact(model, solver, start=start, time_limit=seconds, gap=gap)
    if status != "Optimal":
        if status != "Infeasible":  # the solve's limit, not the rules, left the point out
            budget.stop(Text(en="the cost/value frontier", zh="成本—价值前沿"))
        return None
    choice = model.choice()
    assignment, layers, integrator = choice
    ev = evaluate(inst, assignment, layers, integrator)
    shown = Alternative(
        rank=0,
        total_cost_cny=round(ev.total_cost, 2),
        value=round(ev.value, 3),
        objective=round(ev.objective, 6),
        assignment={s: f"{v}/{m}" for s, (v, m) in assignment.items()},
    )
    return _Point(shown, choice, ev.total_cost, ev.value)
