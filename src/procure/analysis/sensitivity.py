r"""How sure is the recommendation? Weight intervals, flip points and rank acceptability.

Weight sensitivity: vary one criterion's weight t in [0, 1], the others rescaled in proportion
(w_k(t) = w_k (1 - t) / (1 - w_c)). Each system's recommended deployment model is traced over t
on a fine grid (vectorised) and every change is pinned down by bisection; the award's interval
(which vendors win, in which role) is found by re-solving the MILP on a coarse grid, then
bisecting towards the base weight.

Rank acceptability (SMAA-2, Lahdelma & Salminen 2001): weights drawn uniformly from the simplex
(Dirichlet(1,...,1)) or around the given weights (Dirichlet(kappa * w), kappa = 1 / spread^2);
for each system the share of draws in which each model ranks first; for the award, the share of
a bounded number of re-solved draws in which each vendor is in the winning mix, with vendor
prices and scores drawn from their stated uncertainty when a vendor file gives it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from pydantic import BaseModel

from procure.advice.deployment import Deployment, Placement
from procure.advice.knowledge import DeploymentKnowledge
from procure.analysis import AWARD_DRAWS
from procure.award.budget import Budget
from procure.award.parallel import run_all
from procure.inputs.scenario import CRITERIA, Scenario
from procure.inputs.vendors import DEPLOYMENT_MODELS, Vendor
from procure.text import Text

GRID = 1001
CHUNK_CELLS = 4_000_000  # floats per intermediate array of `FitModel.best` (32 MB)


class Flip(BaseModel):
    """At weight `at` the system's recommended model changes from one model to another."""

    system: str
    at: float
    before: str
    after: str


class CriterionSensitivity(BaseModel):
    criterion: str
    base: float
    placements: dict[str, list[tuple[float, float, str]]]  # system -> [(from, to, model)]
    flips: list[Flip]
    award_interval: tuple[float, float] | None
    verdict: Text
    # how far either end of the interval may lie past the one given: the search's last step
    # (at most 0.01), 0 at the scale's end, more when the time budget ran out
    precision: float = 0.0


class Acceptability(BaseModel):
    draws: int
    seed: int
    spread: float | None  # None = uniform over the simplex
    first_rank: dict[str, dict[str, float]]  # system -> model -> share of draws
    award_draws: int
    vendor_in_mix: dict[str, float]


class Sensitivity(BaseModel):
    weights: dict[str, float]
    criteria: list[CriterionSensitivity]
    acceptability: Acceptability
    # what was left out, if anything: by the time budget, or every re-solve of the award on a
    # tender past the size (`too_large`, said here once)
    budget_note: Text | None = None


def shifted(weights: dict[str, float], criterion: str, t: float) -> dict[str, float]:
    """Weights with `criterion` set to t and the others rescaled in proportion."""
    rest = 1.0 - weights[criterion]
    out: dict[str, float] = {}
    for c in CRITERIA:
        if c == criterion:
            out[c] = t
        elif rest > 0:
            out[c] = weights[c] * (1.0 - t) / rest
        else:  # the criterion held all the weight: share the rest evenly
            out[c] = (1.0 - t) / (len(CRITERIA) - 1)
    return out


class FitModel:
    """Deployment fits for many weight vectors at once, consistent with `place_system`."""

    def __init__(self, scenario: Scenario, deployment: Deployment, kb: DeploymentKnowledge):
        self.systems = [str(s.id) for s in scenario.systems]
        self.profile = np.array(
            [[kb.profile(m).scores[c] for c in CRITERIA] for m in DEPLOYMENT_MODELS]
        )  # models x criteria
        mods = []
        adjust = []
        allowed = []
        for s in scenario.systems:
            mod = np.ones(len(CRITERIA))
            mod[CRITERIA.index("security")] = kb.modifiers.security_by_sensitivity[s.sensitivity]
            mod[CRITERIA.index("scalability")] = kb.modifiers.scalability_by_elasticity[
                s.elasticity
            ]
            mods.append(mod)
            placement: Placement = deployment.placement(str(s.id))
            adjust.append([sum(float(a.effect) for a in f.adjustments) for f in placement.fits])
            allowed.append([f.score is not None for f in placement.fits])
        self.mod = np.array(mods)  # systems x criteria
        self.adjust = np.array(adjust)  # systems x models
        self.allowed = np.array(allowed)

    def best(self, weights: np.ndarray) -> np.ndarray:
        """Index of the recommended model: weights (draws x criteria) -> (draws x systems).
        In chunks of draws, so the intermediate draws x systems x models arrays stay near
        `CHUNK_CELLS` floats (a 3,000-system province's draws took 2 GB at once); each row is
        computed as alone, so the answer does not depend on the chunking."""
        per_draw = max(1, self.mod.shape[0] * max(self.profile.shape[0], self.mod.shape[1]))
        step = max(1, CHUNK_CELLS // per_draw)
        if len(weights) <= step:
            return self._best(weights)
        return np.concatenate(
            [self._best(weights[i : i + step]) for i in range(0, len(weights), step)], axis=0
        )

    def _best(self, weights: np.ndarray) -> np.ndarray:
        ws = weights[:, None, :] * self.mod[None, :, :]
        ws = ws / ws.sum(axis=2, keepdims=True)
        fits = np.einsum("dsc,mc->dsm", ws, self.profile) + self.adjust[None, :, :]
        fits = np.clip(fits, 0.0, 100.0)
        fits = np.where(self.allowed[None, :, :], fits, -np.inf)
        return np.asarray(np.argmax(fits, axis=2))

    def best_each(self, weights: np.ndarray, systems: np.ndarray) -> np.ndarray:
        """Index of the recommended model of system systems[k] at weights[k], for every k:
        the arithmetic of `best`, row by row."""
        ws = weights[:, None, :] * self.mod[systems][:, None, :]
        ws = ws / ws.sum(axis=2, keepdims=True)
        fits = np.einsum("dsc,mc->dsm", ws, self.profile) + self.adjust[systems][:, None, :]
        fits = np.clip(fits, 0.0, 100.0)
        fits = np.where(self.allowed[systems][:, None, :], fits, -np.inf)
        return np.asarray(np.argmax(fits, axis=2))[:, 0]


def _weights_array(weights: dict[str, float], criterion: str, ts: np.ndarray) -> np.ndarray:
    rest = 1.0 - weights[criterion]
    cols = []
    for c in CRITERIA:
        if c == criterion:
            cols.append(ts)
        elif rest > 0:
            cols.append(weights[c] * (1.0 - ts) / rest)
        else:
            cols.append((1.0 - ts) / (len(CRITERIA) - 1))
    return np.stack(cols, axis=1)


def placement_trace(
    fm: FitModel, weights: dict[str, float], criterion: str
) -> tuple[dict[str, list[tuple[float, float, str]]], list[Flip]]:
    """Recommended model per system over t in [0, 1], with every change point bisected (all
    change points at once, each on its own system: one at a time over every system took
    17 s for 1,000 systems)."""
    ts = np.linspace(0.0, 1.0, GRID)
    best = fm.best(_weights_array(weights, criterion, ts))  # grid x systems
    changes = [
        (j, i)
        for j in range(len(fm.systems))
        for i in range(1, GRID)
        if best[i, j] != best[i - 1, j]
    ]
    at: dict[tuple[int, int], float] = {}
    if changes:
        js = np.array([j for j, _ in changes])
        before = np.array([best[i - 1, j] for j, i in changes])
        lo = np.array([ts[i - 1] for _, i in changes], dtype=float)
        hi = np.array([ts[i] for _, i in changes], dtype=float)
        for _ in range(40):
            mid = (lo + hi) / 2
            same = fm.best_each(_weights_array(weights, criterion, mid), js) == before
            lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
        at = {c: float(x) for c, x in zip(changes, (lo + hi) / 2, strict=True)}
    segments: dict[str, list[tuple[float, float, str]]] = {}
    flips = []
    for j, sid in enumerate(fm.systems):
        column = best[:, j]
        start = 0.0
        for i in range(1, GRID):
            if column[i] != column[i - 1]:
                point = at[(j, i)]
                before_model = DEPLOYMENT_MODELS[int(column[i - 1])]
                segments.setdefault(sid, []).append((start, point, before_model))
                flips.append(
                    Flip(
                        system=sid,
                        at=point,
                        before=before_model,
                        after=DEPLOYMENT_MODELS[int(column[i])],
                    )
                )
                start = point
        segments.setdefault(sid, []).append((start, 1.0, DEPLOYMENT_MODELS[int(column[-1])]))
    return segments, flips


AwardKey = Callable[[dict[str, float]], Any]


NAMED = 12  # a verdict names at most this many systems whose placement flips nearby
INTERVAL_TOLERANCE = 0.01  # the brief shows weights to two decimals
UNKNOWN = "unknown"  # an award key: no solve within the time budget, or none proven optimal


Predict = Callable[[float, float], float | None]


def award_interval(
    award_at: AwardKey,
    weights: dict[str, float],
    criterion: str,
    steps: int = 5,
    tolerance: float = INTERVAL_TOLERANCE,
    predict: Predict | None = None,
) -> tuple[float, float, float]:
    """The interval of t around the base weight where `award_at` gives the same award, and
    the precision reached: (low, high, precision).

    Each end is found to within `tolerance` (the brief shows weights to two decimals). Without
    `predict`, by a coarse grid of `steps` towards the scale's end, then halvings: every
    probe costs one MILP solve. With it, parametrically: `predict(a, b)` says the first t
    past a, up to b, at which an award already known (of another mix) is expected to overtake
    the base's (the score of a fixed award is a function of the weights alone, no solve
    needed), and two solves, just before and just after that t, verify the end; a probe that
    meets an award not yet known teaches it to `predict` (through `award_at`), and where no
    known award explains a change the bracket is halved, as before. When `award_at` answers
    UNKNOWN (the time budget is spent), the search stops there and the precision says how
    far the end may lie beyond the one reported; an end that reaches the scale's end is
    exact."""
    base_t = weights[criterion]
    base = award_at(weights)

    def same(t: float) -> bool | None:
        key = award_at(shifted(weights, criterion, t))
        return None if key == UNKNOWN else bool(key == base)

    def halve(inner: float, outer: float) -> tuple[float, float]:
        while abs(outer - inner) > tolerance:
            mid = (inner + outer) / 2
            holds = same(mid)
            if holds is None:
                break
            if holds:
                inner = mid
            else:
                outer = mid
        return inner, abs(outer - inner)

    def end(points: list[float], limit: float, inner: float = base_t) -> tuple[float, float]:
        """(the furthest t known to give the same award, how far past it the change may be)"""
        for t in points:
            holds = same(t)
            if holds is None:
                return inner, abs(limit - inner)
            if not holds:
                return halve(inner, t)
            inner = t
        return inner, 0.0

    def predicted_end(limit: float) -> tuple[float, float]:
        assert predict is not None
        eps = tolerance / 4  # the verifying probes' distance from a predicted change
        inner, outer = base_t, None
        for _ in range(PROBES):
            far = limit if outer is None else outer
            if outer is not None and abs(outer - inner) <= tolerance:
                return inner, abs(outer - inner)
            if inner == limit:
                return inner, 0.0
            toward = 1.0 if far > inner else -1.0
            change = predict(inner, far)
            if change is None:  # nothing known explains a change: the far end, or halve
                probe = limit if outer is None else (inner + outer) / 2
            elif abs(change - inner) <= 2 * eps:  # just before it is known: just after
                probe = change + toward * eps
                probe = min(probe, far) if toward > 0 else max(probe, far)
            else:
                probe = change - toward * eps
            holds = same(probe)
            if holds is None:
                return inner, abs(far - inner)
            if holds:
                inner = probe
            else:
                outer = probe
        if outer is None:  # a change kept eluding the predictions: the grid from here
            rest = abs(limit - inner)
            if rest == 0:
                return inner, 0.0
            points = [inner + (limit - inner) * k / steps for k in range(1, steps + 1)]
            return end(points, limit, inner)
        return halve(inner, outer)

    if predict is None:
        low, low_open = end([base_t - base_t * k / steps for k in range(1, steps + 1)], 0.0)
        high, high_open = end(
            [base_t + (1.0 - base_t) * k / steps for k in range(1, steps + 1)], 1.0
        )
    else:
        low, low_open = predicted_end(0.0)
        high, high_open = predicted_end(1.0)
    return (round(low, 4), round(high, 4), round(max(low_open, high_open), 4))


PROBES = 12  # solves per end of a predicted search before it falls back to the grid
SCAN = 0.05  # the step at which a prediction scans the known awards' scores
RELATIVE_GAP = 1e-4  # the award's gap: an award ahead by less is not predicted to win


def _gap(score: float) -> float:
    return RELATIVE_GAP * max(1.0, abs(score))


def first_overtaking(
    score: Callable[[float], tuple[float | None, list[float | None]]], a: float, b: float
) -> float | None:
    """The first t past a, up to b, at which one of the known awards of another mix scores
    above the best known award of the base mix (by more than the award's gap); None if none
    does there. `score(t)`: (the best score of the base mix at t, None if none of its known
    awards is feasible there; the score of each other known award, None where infeasible).
    Scanned in steps of at most SCAN, the crossing placed by the secant between the last two
    scans (each award's score is nearly linear in one weight); awards already ahead at a are
    left out (they are within the gap there, or the solver has ruled them out)."""
    base_a, others_a = score(a)
    if base_a is None:
        return None
    ahead = [o is not None and o > base_a + _gap(base_a) for o in others_a]

    def lead(best: float, others: list[float | None]) -> float:
        """How far the best known award of another mix (not ahead at a) leads the base's."""
        rivals = [o for o, skip in zip(others, ahead, strict=True) if o is not None and not skip]
        return max(rivals, default=-math.inf) - best

    # a fixed grid (multiples of SCAN) between a and b, then b: scores met in one scan are
    # met again in the next, from a nearer a, and `score` may keep them
    lo, hi = sorted((a, b))
    grid = [k * SCAN for k in range(int(lo / SCAN) + 1, int(np.ceil(hi / SCAN)))]
    grid = [t for t in grid if lo + 1e-9 < t < hi - 1e-9]
    prev_t, prev_lead = a, lead(base_a, others_a)
    t: float
    for t in [*(grid if b > a else reversed(grid)), b]:
        best, others = score(t)
        if best is None:  # no known award of the base mix is feasible here
            return t
        now, gap = lead(best, others), 0.0
        if now > gap:
            if math.isfinite(prev_lead) and prev_lead <= gap:  # the secant's crossing
                return prev_t + (t - prev_t) * (gap - prev_lead) / (now - prev_lead)
            return t
        prev_t, prev_lead = t, now
    return None


CRITERION_ZH = {
    "security": "安全性",
    "flexibility": "灵活性",
    "scalability": "可扩展性",
    "cost": "成本",
}


ROBUST_MARGIN = 0.10  # a weight whose nearest flip is closer than this is called sensitive


def too_large(award: Any) -> bool:
    """Whether the award's re-solves are skipped: its model is past the size from which a
    solve is a shortened search (`optimizer.HEURISTIC_NONZEROS`, the brief's rule), never
    proven optimal, so no two re-solved mixes could be compared (on the province each came
    back unknown after its time limit)."""
    from procure.award import optimizer

    return bool(award is not None and award.nonzeros >= optimizer.HEURISTIC_NONZEROS)


def large_note(award: Any) -> Text:
    """What the analysis says once when the award's re-solves were skipped (`too_large`)."""
    from procure.award import optimizer

    size, past = f"{award.nonzeros:,}", f"{optimizer.HEURISTIC_NONZEROS:,}"
    return Text(
        en=f"Not tested for a tender this large (a model of {size} coefficients, past {past}): "
        "how far each weight can move before the estimated mix changes, and the mix under "
        "drawn weights and prices. Each test is a new search of the whole mix, which at this "
        "size stops short of proof, so no two mixes could be compared; the placements' changes "
        "with the weights and the first-rank acceptability are given. Run it on a part of the "
        "tender (fewer systems or candidate suppliers).",
        zh=f"本次采购规模过大（模型含{size}个系数，超过{past}个），未检验各项权重变动多少会改变测算"
        "组合，也未在抽样的权重与价格下重新求解：每次检验都须对整个方案重新搜索，而在此规模下搜索"
        "无法得到最优证明，无从比较两个方案；各系统部署模式随权重的变化及首位可接受度仍照常给出。"
        "可对部分系统或部分候选供应商单独分析。",
    )


def _verdict(
    criterion: str,
    base: float,
    interval: tuple[float, float] | None,
    flips: list[Flip],
    names: dict[str, str] | None = None,
    precision: float = 0.0,
    untested: bool = False,
    large: bool = False,
) -> Text:
    """The criterion's verdict in the reader's terms: how far the weight can move before the
    award (or a system's placement) changes, and 'sensitive' when that distance is under
    ROBUST_MARGIN. `names`: system ids -> the names the user gave; `precision`: how far an end
    may lie past the one given (said when coarser than the search's step)."""
    names = names or {}
    near = [f for f in flips if abs(f.at - base) < 0.05]
    zh_name = CRITERION_ZH[criterion]
    margin_en, margin_zh = f"{ROBUST_MARGIN:.0%}", f"{ROBUST_MARGIN * 100:.0f}个百分点"
    if interval is None and large:
        en = f"{criterion} weight: not tested on a tender this large (see the note)"
        zh = f"{zh_name}权重：采购规模过大，未检验（见说明）"
    elif interval is None and untested:
        en = f"{criterion} weight: not tested (the time budget ran out)"
        zh = f"{zh_name}权重：未检验（时间预算已用完）"
    elif interval is None:
        en = f"{criterion} weight: no estimate to test"
        zh = f"{zh_name}权重：无可行方案可供检验"
    else:
        lo, hi = interval
        ends = [abs(base - lo)] if lo > 0 else []
        ends += [abs(hi - base)] if hi < 1 else []
        ends += [abs(f.at - base) for f in flips]
        nearest = min(ends) if ends else None
        robust = nearest is None or nearest >= ROBUST_MARGIN
        word_en, word_zh = ("robust", "稳健") if robust else ("sensitive", "敏感")
        en = (
            f"{word_en}: the estimated mix holds while the {criterion} weight stays between {lo:.0%} and "
            f"{hi:.0%} (now {base:.0%})"
        )
        zh = f"{word_zh}：{zh_name}权重在{lo:.0%}至{hi:.0%}之间（当前{base:.0%}）时推荐的供应商组合不变"
        if nearest is None:
            en += "; no change anywhere on the scale"
            zh += "；在整个取值范围内均不改变"
        else:
            en += (
                f"; the nearest change (of the estimated mix or a system's model) is {nearest:.0%} of "
                "weight away "
                f"({'at least' if robust else 'under'} the {margin_en} margin)"
            )
            zh += (
                f"；距最近的改变点（供应商组合或某系统的部署模式）{nearest * 100:.0f}个百分点"
                f"（{'不低于' if robust else '低于'}{margin_zh}的稳健界限）"
            )
        if precision > INTERVAL_TOLERANCE:
            en += f" (ends to within {precision:.0%}: the time budget ran out)"
            zh += f"（端点精度{precision * 100:.0f}个百分点：时间预算已用完）"
    if near:
        ids = sorted({f.system for f in near})
        shown = [names.get(i, i) for i in ids[:NAMED]]
        more_en = f" and {len(ids) - NAMED} more" if len(ids) > NAMED else ""
        more_zh = f"等{len(ids)}个系统" if len(ids) > NAMED else ""
        en += f"; placements of {', '.join(shown)}{more_en} flip within 5 points of it"
        zh += f"；{'、'.join(shown)}{more_zh}的部署模式在当前权重上下5个百分点内会改变"
    return Text(en=en, zh=zh)


def first_rank_acceptability(
    fm: FitModel, weights: dict[str, float], draws: int, seed: int, spread: float | None
) -> dict[str, dict[str, float]]:
    """Share of weight draws in which each model ranks first, per system (vectorised)."""
    rng = np.random.default_rng(seed)
    if spread is None:
        sample = rng.dirichlet(np.ones(len(CRITERIA)), size=draws)
    else:
        kappa = 1.0 / spread**2
        alpha = np.maximum(np.array([weights[c] for c in CRITERIA]) * kappa, 1e-3)
        sample = rng.dirichlet(alpha, size=draws)
    best = fm.best(sample)
    out: dict[str, dict[str, float]] = {}
    for j, sid in enumerate(fm.systems):
        counts = np.bincount(best[:, j], minlength=len(DEPLOYMENT_MODELS))
        out[sid] = {m: round(float(counts[i]) / draws, 4) for i, m in enumerate(DEPLOYMENT_MODELS)}
    return out


def perturbed_vendors(vendors: list[Vendor], rng: np.random.Generator) -> list[Vendor]:
    """Vendors with prices and scores drawn from their stated uncertainty (uniform)."""
    out = []
    for v in vendors:
        if not v.price_uncertainty and not v.score_uncertainty:
            out.append(v)
            continue
        factor = 1 + rng.uniform(-v.price_uncertainty, v.price_uncertainty)
        prices = {m: p.scaled(factor) for m, p in v.prices.items()}
        scores = v.scores.model_copy(
            update={
                c: float(
                    np.clip(
                        getattr(v.scores, c)
                        + rng.uniform(-v.score_uncertainty, v.score_uncertainty),
                        0,
                        100,
                    )
                )
                for c in ("security", "flexibility", "scalability", "service")
            }
        )
        out.append(v.model_copy(update={"prices": prices, "scores": scores}))
    return out


def analyse(
    scenario: Scenario,
    deployment: Deployment,
    weights: dict[str, float],
    vendors: list[Vendor],
    *,
    draws: int = 10_000,
    award_draws: int = AWARD_DRAWS,
    seed: int = 20201,
    spread: float | None = 0.15,
    award_intervals: bool = True,
    solver: str = "highs",
    progress: Callable[[int, int], None] | None = None,
    base_award: Any = None,
    budget: Budget | None = None,
    predicted: bool = True,
) -> Sensitivity:
    """Weight sensitivity per criterion and rank acceptability for one scenario.
    `base_award`: the award at the given weights when the caller has solved it already.
    `budget`: the time the re-solves share; past it, interval searches stop where they are
    (their precision says so) and draws are not re-solved (counted as left out).
    `predicted`: the intervals' ends predicted from the awards met and verified by solves
    (`award_interval`); False: found by the grid and halvings alone."""
    from procure.advice.deployment import assess_deployment
    from procure.advice.knowledge import knowledge
    from procure.award.formulation import TIME_LIMIT, Choice
    from procure.award.instance import Instance, build_instance, evaluate
    from procure.award.optimizer import Award, choice_of, optimize
    from procure.errors import InfeasibleError, ProcureError

    kb = knowledge()
    fm = FitModel(scenario, deployment, kb.deployment)
    budget = (budget or Budget()).child()

    def solve_at(
        w: dict[str, float], pool: list[Vendor], start: Award | None
    ) -> Award | str | None:
        seconds = budget.limit(TIME_LIMIT)
        if seconds is None:
            return UNKNOWN
        placed = assess_deployment(scenario, w, kb.deployment, kb.rules)
        try:
            award = optimize(
                scenario,
                placed,
                w,
                pool,
                kb.costs,
                solver=solver,
                extras=False,
                start=start,
                time_limit=seconds,
            )
        except InfeasibleError:
            return None
        except ProcureError:  # no award found in the time left
            return UNKNOWN
        return award if award.status == "Optimal" else UNKNOWN  # unproven: not compared

    def mix(award: Award | str | None) -> Any:
        if award is None or isinstance(award, str):
            return award
        return frozenset((v.vendor, v.role) for v in award.vendors)

    # the award at the given weights; with none there is nothing to test: no intervals, no
    # draws. Every re-solve is offered it as a first solution.
    solved_base = (
        base_award
        if base_award is not None
        else (solve_at(weights, vendors, None) if award_intervals or award_draws > 0 else None)
    )
    base = solved_base if isinstance(solved_base, Award) else None
    # past the size every re-solve is a shortened search: none is started, said once
    large = (award_draws > 0 or award_intervals) and too_large(base)
    if large:
        award_draws, award_intervals = 0, False
    has_award = base is not None
    untested = solved_base == UNKNOWN  # the award itself was not re-solved in time
    if untested:
        budget.cut(Text(en="the estimate's re-solves", zh="测算方案的重新求解"))
    # every award met, with its mix: solved at the scenario's vendors (memo) and the choice
    # it made, so the interval searches can score it at other weights without a solve
    Known = tuple[Any, Choice]  # (mix, choice)
    memo: dict[tuple[float, ...], Any] = {
        tuple(weights[c] for c in CRITERIA): (mix(base), choice_of(base) if base else None)
    }

    def solved_at(w: dict[str, float], pool: list[Vendor]) -> tuple[Any, Choice | None]:
        key = tuple(w[c] for c in CRITERIA)
        if pool is vendors and key in memo:
            return memo[key]  # type: ignore[no-any-return]
        award = solve_at(w, pool, base)
        found = (mix(award), choice_of(award) if isinstance(award, Award) else None)
        if pool is vendors and found[0] != UNKNOWN:
            memo[key] = found
        return found

    award_draws = award_draws if has_award else 0
    rng = np.random.default_rng(seed + 1)
    draws_at = []  # drawn in order before any solve, so the draws do not depend on scheduling
    for _ in range(award_draws):
        if spread is None:
            w_vec = rng.dirichlet(np.ones(len(CRITERIA)))
        else:
            w_vec = rng.dirichlet(
                np.maximum(np.array([weights[c] for c in CRITERIA]) / spread**2, 1e-3)
            )
        w: dict[str, float] = {c: float(x) for c, x in zip(CRITERIA, w_vec, strict=True)}
        draws_at.append((w, perturbed_vendors(vendors, rng)))
    done = 0
    lock = threading.Lock()

    def draw(k: int) -> tuple[Any, Choice | None]:
        nonlocal done
        found = solved_at(*draws_at[k])
        with lock:
            done += 1
            if progress is not None:
                progress(done, award_draws)
        return found

    # the draws first: the awards they meet seed the interval searches' predictions (each
    # search then learns only from its own solves, so nothing depends on scheduling)
    drawn = run_all([partial(draw, k) for k in range(award_draws)])
    keys = [key for key, _ in drawn]
    seeds: list[Known] = []
    for key, choice in [memo[tuple(weights[c] for c in CRITERIA)], *drawn]:
        if choice is not None and (key, choice) not in seeds:
            seeds.append((key, choice))

    def interval(c: str) -> tuple[float, float, float] | None:
        if base is None or not award_intervals:
            return None
        known = list(seeds)
        instances: dict[float, Instance] = {}
        scores: dict[tuple[float, int], float | None] = {}  # (t, known award) -> its score

        def award_at(w: dict[str, float]) -> Any:
            key, choice = solved_at(w, vendors)
            if choice is not None and (key, choice) not in known:
                known.append((key, choice))
            return key

        def score(t: float) -> tuple[float | None, list[float | None]]:
            if t not in instances:
                w = shifted(weights, c, t)
                placed = assess_deployment(scenario, w, kb.deployment, kb.rules)
                instances[t] = build_instance(scenario, placed, w, vendors, kb.costs)
            best: float | None = None
            others: list[float | None] = []
            for k, (key, choice) in enumerate(known):
                if (t, k) not in scores:
                    ev = evaluate(instances[t], *choice)
                    scores[(t, k)] = None if ev.violations else ev.objective
                value = scores[(t, k)]
                if key != mix(base):
                    others.append(value)
                elif value is not None:
                    best = value if best is None else max(best, value)
            return best, others

        def predict(a: float, b: float) -> float | None:
            if budget.limit(TIME_LIMIT) is None:
                # no solve can verify a prediction now (the budget only shrinks), so the next
                # probe ends the search wherever it lies: scan nothing (each scanned weight
                # builds an instance, about 2 s at a province's size: minutes for no figure)
                return None
            return first_overtaking(score, a, b)

        if not predicted:  # the grid and halvings alone (kept to check the predictions)
            return award_interval(award_at, weights, c)
        return award_interval(award_at, weights, c, predict=predict)

    # the four interval searches are independent solves: run them side by side
    intervals = run_all([partial(interval, c) for c in CRITERIA])
    criteria = []
    for c, found in zip(CRITERIA, intervals, strict=True):
        segments, flips = placement_trace(fm, weights, c)
        span = None if found is None else (found[0], found[1])
        precision = 0.0 if found is None else found[2]
        criteria.append(
            CriterionSensitivity(
                criterion=c,
                base=weights[c],
                placements=segments,
                flips=flips,
                award_interval=span,
                precision=precision,
                verdict=_verdict(
                    c,
                    weights[c],
                    span,
                    flips,
                    {str(x.id): x.name for x in scenario.systems},
                    precision,
                    untested,
                    large,
                ),
            )
        )
    coarse = max((c.precision for c in criteria), default=0.0)
    if coarse > INTERVAL_TOLERANCE:
        budget.cut(
            Text(
                en=f"the estimate intervals' ends are found to within {coarse:.2f}, not "
                f"{INTERVAL_TOLERANCE:.2f}",
                zh=f"测算组合区间的端点精度为{coarse:.2f}，而非{INTERVAL_TOLERANCE:.2f}",
            )
        )
    first = first_rank_acceptability(fm, weights, draws, seed, spread)
    in_mix: dict[str, int] = {}
    solved = 0
    for key in keys:
        if key is not None and key != UNKNOWN:
            solved += 1
            for vendor in {v for v, _ in key}:
                in_mix[vendor] = in_mix.get(vendor, 0) + 1
    share = {v: round(n / solved, 4) for v, n in sorted(in_mix.items())} if solved else {}
    skipped = sum(1 for key in keys if key == UNKNOWN)
    if skipped:
        budget.cut(
            Text(
                en=f"{award_draws - skipped} of {award_draws} weight-and-price draws were "
                "re-solved",
                zh=f"{award_draws}次权重与价格抽样中仅{award_draws - skipped}次重新求解了测算方案",
            )
        )
    return Sensitivity(
        weights=weights,
        criteria=criteria,
        acceptability=Acceptability(
            draws=draws,
            seed=seed,
            spread=spread,
            first_rank=first,
            award_draws=solved,
            vendor_in_mix=share,
        ),
        budget_note=_joined(large_note(base) if large else None, budget.said()),
    )


def _joined(*notes: Text | None) -> Text | None:
    """The notes given, one after the other (None if none)."""
    said = [n for n in notes if n is not None]
    if not said:
        return None
    return Text(en=" ".join(n.en for n in said), zh="".join(n.zh for n in said))
