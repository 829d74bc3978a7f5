"""Why each bidder won or lost, for the evaluation report (评审说明).

For a bidder that no rule lets win anything: the rules, by system. For an eligible bidder
that did not win: its price to win, the smallest uniform cut in all its prices (unit prices,
layer prices, setup fee) at which the award gives it anything, found by re-solves of the
award's own model that bracket it (placed where the bracketing awards' scores meet), and what
it would then win; if none up to 99.9% off, the rules that stop it (each dropped alone lets it
win), never the budget. For a winner: how far its prices could
rise before it loses a system.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel

from procure.advice.deployment import Deployment
from procure.advice.knowledge import CostRates
from procure.award.formulation import EXTRA_LIMIT, Choice, model_for
from procure.award.instance import Instance, build_instance, evaluate
from procure.award.optimizer import EXTRAS_NONZEROS, Award, choice_of, solve_exact
from procure.award.parallel import pmap
from procure.catalog import strings
from procure.inputs.scenario import Scenario
from procure.inputs.vendors import Vendor
from procure.money import fmt_pct
from procure.text import Text

TOLERANCE = 0.0005  # the bisection stops when the cut is known to within 0.05 points
EPS = TOLERANCE / 4  # a verifying re-solve's distance from a predicted change: the two
# either side leave a bracket of half the tolerance, never a rounding error over it
MAX_CUT = 0.999  # a bidder that does not win at 99.9% off cannot win on price
MAX_RISE = 10.0  # a winner that keeps its systems at +1000% is not contested on price
MISSES = 4  # predicted changes a search may miss before it only halves
EXACT = 1e-9  # re-solves near a threshold must be optimal, not within the award's 0.01% gap
# From this many nonzeros in the award's model (`Award.nonzeros`) the searches are not started
# (`skipped`, said once: `skipped_note`): each is a re-solve of the award's whole MILP to EXACT
# within EXTRA_LIMIT, and on the generated province (3,000 x 40 bidders, 0.88 M nonzeros) the
# award's LP relaxation alone takes most of that limit: a brief spent 10 s on searches that all
# came out unknown. The extras' size (`optimizer.EXTRAS_NONZEROS`): 1,000 x 40 (0.54 M) still
# gets both.
EXPLAIN_NONZEROS = EXTRAS_NONZEROS


class BidderOutcome(BaseModel):
    vendor: str
    outcome: Literal["won", "lost", "ineligible"]
    won: list[str] = []  # systems (ids) and layers it is awarded
    ineligible: list[Text] = []  # the rules that keep it from systems or from everything
    price_to_win: float | None = None  # a loser's smallest winning cut, as a fraction
    blocked_by: list[Text] = []  # a loser that no cut makes win: the rules that stop it
    blocked_together: bool = False  # those rules stop it only together
    would_win: list[str] = []  # what it wins at that cut
    headroom: float | None = None  # a winner's largest rise that keeps all its systems
    would_lose: list[str] = []  # what it loses just above that rise
    unknown: bool = False  # a re-solve ran out of time: the figure is left out
    skipped: bool = False  # not searched: the tender is past EXPLAIN_NONZEROS (`skipped_note`)


def _model_zh(model: str) -> str:
    return strings()[f"model_{model}"]["zh"]


def _fits(deployment: Deployment) -> dict[str, set[str]]:
    """The deployment models the rules allow each system (by id), looked up once: a lookup a
    system and bidder (`Deployment.placement` scans the list) took 7.2 s of the province's
    9 s of explanations, with no search run."""
    return {
        p.system: {f.model for f in p.fits if f.score is not None} for p in deployment.placements
    }


def _eligibility(
    scenario: Scenario, fits: dict[str, set[str]], vendor: Vendor
) -> tuple[list[Text], set[str]]:
    """The rules that keep `vendor` from systems (by name), and the systems it may win;
    `fits`: the models each system may take (`_fits`)."""
    p = scenario.procurement
    if vendor.id in p.exclude_vendors:
        return [
            Text(
                en="excluded by the buyer (procurement.exclude_vendors)",
                zh="采购人已将其排除（procurement.exclude_vendors）",
            )
        ], set()
    if p.domestic_stack == "required" and not vendor.domestic_stack:
        return [
            Text(
                en="a domestic (Xinchuang) stack is required and this supplier's is not fully domestic",
                zh="本项目要求信创，该供应商不是全栈国产化",
            )
        ], set()
    if p.security_assessment == "required" and not vendor.security_assessed:
        return [
            Text(
                en="the cloud-service security assessment is required and "
                "it has not declared passing it",
                zh="本项目要求通过云计算服务安全评估，该供应商未声明已通过",
            )
        ], set()
    reasons: list[Text] = []
    eligible: set[str] = set()
    for s in scenario.systems:
        sid = str(s.id)
        fit = fits[sid]
        why_en: list[str] = []
        why_zh: list[str] = []
        for m in vendor.models:
            missing = [x for x in s.layers if x not in vendor.layers]
            if m not in fit:
                model_en = strings()[f"model_{m}"]["en"].lower()
                why_en.append(f"{model_en} cloud is excluded for it by the deployment rules")
                why_zh.append(f"部署规则不允许其采用{_model_zh(m)}")
            elif vendor.mlps_max < s.mlps_level:
                why_en.append(
                    f"it needs MLPS {s.mlps_level}, the supplier is certified to {vendor.mlps_max}"
                )
                why_zh.append(f"需等保{s.mlps_level}级，该供应商为{vendor.mlps_max}级")
            elif missing:
                layers = [strings()[f"layer_{x}"] for x in missing]  # words, not enum values
                why_en.append(f"the supplier does not offer {', '.join(x['en'] for x in layers)}")
                why_zh.append(f"该供应商不提供{'、'.join(x['zh'] + '服务' for x in layers)}")
            elif s.vcpu > vendor.capacity_vcpu:
                why_en.append(
                    f"it needs {s.vcpu:,.0f} vCPU, the supplier has {vendor.capacity_vcpu:,}"
                )
                why_zh.append(f"需{s.vcpu:,.0f}个vCPU，该供应商容量为{vendor.capacity_vcpu:,}")
            else:
                eligible.add(sid)
                break
        if sid not in eligible:
            reasons.append(
                Text(
                    en=f"{s.name}: " + "; ".join(dict.fromkeys(why_en)),
                    zh=f"{s.name}：" + "；".join(dict.fromkeys(why_zh)),
                )
            )
    return reasons, eligible


def _scaled(inst: Instance, vid: str, factor: float) -> Instance:
    """`inst` with every price of `vid` multiplied by `factor` (migration is the buyer's)."""
    cost = dict(inst.cost)
    hosting = dict(inst.hosting)
    for key, host in inst.hosting.items():
        if key[1] == vid:
            cost[key] = inst.cost[key] - host + host * factor
            hosting[key] = host * factor
    layer_cost = {k: c * factor if k[1] == vid else c for k, c in inst.layer_cost.items()}
    setup = {v: c * factor if v == vid else c for v, c in inst.setup.items()}
    return replace(inst, cost=cost, hosting=hosting, layer_cost=layer_cost, setup=setup)


def _won(
    inst: Instance,
    vid: str,
    factor: float,
    solver: str,
    start: Choice | None,
    deadline: float | None = None,
) -> tuple[set[str], Choice] | None:
    """What `vid` wins (system ids, layer names) with its prices times `factor`, and the
    award; None when the re-solve did not finish. `start`: a nearby award, as a first
    solution for the solver."""
    if deadline is not None and time.monotonic() > deadline:
        return None  # the explanations' time budget is spent: unknown, not guessed
    model = model_for(_scaled(inst, vid, factor), solver, time_limit=EXTRA_LIMIT)
    status, _ = solve_exact(model, solver, gap=EXACT, start=start)
    if status != "Optimal":
        return None
    choice = model.choice()
    assignment, layers, integrator = choice
    out = {sid for sid, (v, _) in assignment.items() if v == vid}
    out |= {layer for layer, v in layers.items() if v == vid}
    if integrator == vid and not out:
        out.add("integrator")
    return out, choice


def _score(inst: Instance, vid: str, factor: float, choice: Choice) -> float:
    """The award score of `choice` with `vid`'s prices times `factor`."""
    return evaluate(_scaled(inst, vid, factor), *choice).objective


def _crossing(
    inst: Instance, vid: str, sign: int, low: Choice, high: Choice, lo: float, hi: float
) -> float | None:
    """Where the scores of the awards `low` (chosen at t = lo) and `high` (at t = hi) meet
    between lo and hi, on their exact scores (no solve: `evaluate`); None when they do not
    meet there. Found by regula falsi (Illinois variant) to a hundredth of TOLERANCE: the
    scores are not linear in t (the cost reference moves with the bidder's prices), and a
    straight line through the ends placed the change up to 0.1 short of it."""

    def gap(t: float) -> float:
        return _score(inst, vid, 1 + sign * t, low) - _score(inst, vid, 1 + sign * t, high)

    a, b, fa, fb = lo, hi, gap(lo), gap(hi)
    if fa == fb or fa < 0 or fb > 0:
        return None
    kept = 0  # which end the last step kept: its value is halved if it is kept again
    for _ in range(60):
        if b - a <= TOLERANCE / 100 or fa == fb:
            break
        c = (a * fb - b * fa) / (fb - fa)
        fc = gap(c)
        if fc == 0:
            return c
        if fc > 0:
            a, fa = c, fc
            fb = fb / 2 if kept == 1 else fb
            kept = 1
        else:
            b, fb = c, fc
            fa = fa / 2 if kept == -1 else fa
            kept = -1
    return (a + b) / 2


def _bisect(
    inst: Instance,
    vid: str,
    solver: str,
    wins: Callable[[set[str]], bool],
    top: float,
    sign: int,
    start: Choice,
    deadline: float | None = None,
) -> tuple[float, float, set[str]] | None:
    """The change of `vid`'s prices (factor 1 + sign * t, t in [0, top]) at which `wins`
    turns true, to TOLERANCE: (t below, t above, what it wins above); None if it does not
    at `top`, or a solve ran out of time (then the caller says unknown).

    A bracket [lo, hi] is kept with `wins` false at lo (first the award `start`, at t = 0)
    and true at hi, as in bisection, so the answer is as exact; but the re-solves are placed
    where the scores of the two bracketing awards meet (`_crossing`, on their exact scores):
    a quarter of TOLERANCE (EPS) past that point, then as far before it, so a change between
    two awards is found in two re-solves, not the 11-15 halvings of [0, top] to TOLERANCE.
    (At half a TOLERANCE either side the bracket came out a rounding error wider than
    TOLERANCE, and a third re-solve halved it: 10 of the prefecture example's 65.)
    A probe on the unexpected side has met a third award, which the next crossing uses; past
    MISSES of them the bracket is only halved, so a search never runs away."""
    at_top = _won(inst, vid, 1 + sign * top, solver, start, deadline)
    if at_top is None or not wins(at_top[0]):
        return None if at_top is None else (top, top, set())
    lo, hi, won_hi, near, below = 0.0, top, at_top[0], at_top[1], start
    misses = 0  # probes on the other side of a predicted change than predicted
    while hi - lo > TOLERANCE:
        crossing = None if misses > MISSES else _crossing(inst, vid, sign, below, near, lo, hi)
        expect = None  # whether the crossing predicts `wins` at the probe
        if crossing is not None and hi - crossing > TOLERANCE:
            probe, expect = crossing + EPS, True  # just past the change
        elif crossing is not None and crossing - lo > TOLERANCE:
            probe, expect = crossing - EPS, False  # just before it
        else:
            probe = (lo + hi) / 2
        now = _won(inst, vid, 1 + sign * probe, solver, near, deadline)
        if now is None:
            return None
        if wins(now[0]):
            hi, won_hi, near = probe, now[0], now[1]
        else:
            lo, below = probe, now[1]
        misses += expect is not None and expect != wins(now[0])
    return lo, hi, won_hi


# What may keep a bidder from winning at any price, each with the instance that drops it: the
# budget is never among them (a cut only lowers the cost), and the score counts cost against
# the bids, not the budget (`award.score`), so a near-free bid wins unless one of these stops it.
RULES: list[tuple[Text, Callable[[Instance], Instance]]] = [
    (
        Text(
            en="the fewest and most suppliers in the mix",
            zh="方案中供应商数量的上下限",
        ),
        lambda i: replace(i, min_vendors=1, max_vendors=max(i.max_vendors, len(i.vendors))),
    ),
    (
        Text(
            en="the integrator keeps the main and key work (Government Procurement Law "
            "art. 48; Ministry of Finance Order No. 87 art. 35)",
            zh="主体、关键性工作由总集成商承担（《政府采购法》第四十八条；财政部令第87号第三十五条）",
        ),
        lambda i: replace(i, lead_share=False, integrator_systems=[], integrator_layers=[]),
    ),
    (
        Text(
            en="the cap on one supplier's share",
            zh="单一供应商份额上限",
        ),
        lambda i: replace(i, max_share=1.0),
    ),
    (
        Text(
            en="the cost of one more vendor, which its cut cannot offset (coordination and "
            "integration fee at the knowledge base's rates)",
            zh="增加一家供应商的协调费和集成费（按知识库费率）超过其降价所省",
        ),
        lambda i: replace(i, extra_vendor_cost=0.0, integrator_rate=0.0),
    ),
]


def _blocked_by(
    inst: Instance, vid: str, solver: str, deadline: float | None
) -> tuple[list[Text], bool] | None:
    """The rules that stop `vid` at MAX_CUT off: those each of which, dropped alone, lets it
    win; else the smallest group that does together (all listed, and True); None if a
    re-solve did not finish; empty when none does (its scores decide)."""
    for size in range(1, len(RULES) + 1):
        out: list[Text] = []
        for group in itertools.combinations(RULES, size):
            dropped = inst
            for _, drop in group:
                dropped = drop(dropped)
            now = _won(dropped, vid, 1 - MAX_CUT, solver, None, deadline)
            if now is None:
                return None
            if now[0]:
                out += [rule for rule, _ in group]
                if size > 1:
                    return out, True
        if out:
            return out, False
    return [], False


def _price_to_win(
    inst: Instance, vid: str, solver: str, base: Choice, deadline: float | None = None
) -> BidderOutcome:
    found = _bisect(inst, vid, solver, bool, MAX_CUT, -1, base, deadline)
    if found is None:
        return BidderOutcome(vendor=vid, outcome="lost", unknown=True)
    _, hi, won = found
    if not won:  # not even at MAX_CUT: say which rule stops it
        blocked = _blocked_by(inst, vid, solver, deadline)
        if blocked is None:
            return BidderOutcome(vendor=vid, outcome="lost", unknown=True)
        rules, together = blocked
        return BidderOutcome(
            vendor=vid, outcome="lost", blocked_by=rules, blocked_together=together
        )
    return BidderOutcome(vendor=vid, outcome="lost", price_to_win=hi, would_win=sorted(won))


def _headroom(
    inst: Instance,
    vid: str,
    won: set[str],
    solver: str,
    base: Choice,
    deadline: float | None = None,
) -> BidderOutcome:
    systems = {s for s in won if s in inst.systems}
    out = BidderOutcome(vendor=vid, outcome="won", won=sorted(won))
    if not systems:  # a layer or the integrator's role only: no system to lose
        return out
    found = _bisect(inst, vid, solver, lambda now: not systems <= now, MAX_RISE, 1, base, deadline)
    if found is None:
        return out.model_copy(update={"unknown": True})
    lo, _, now = found
    if lo >= MAX_RISE:  # keeps them all even at the top
        return out.model_copy(update={"headroom": MAX_RISE})
    return out.model_copy(update={"headroom": lo, "would_lose": sorted(systems - now)})


def explain(
    scenario: Scenario,
    deployment: Deployment,
    weights: dict[str, float],
    vendors: list[Vendor],
    rates: CostRates,
    award: Award,
    solver: str = "highs",
    only: str | None = None,
    seconds: float | None = None,
) -> list[BidderOutcome]:
    """Every bidder's outcome (or `only` that one's), in catalog order. `seconds`: a time
    budget for the searches; bidders not reached in it are marked unknown (their rules of
    ineligibility are still given)."""
    deadline = time.monotonic() + seconds if seconds is not None else None
    skip = too_large(award)
    inst = build_instance(scenario, deployment, weights, vendors, rates, structure=award.structure)
    won: dict[str, set[str]] = {}
    for s in award.systems:
        won.setdefault(s.vendor, set()).add(s.system)
    for v in award.vendors:
        won.setdefault(v.vendor, set()).update(v.layers if v.layers else [])
        if not won[v.vendor]:
            won[v.vendor].add("integrator")

    base = choice_of(award)
    fits = _fits(deployment)

    def one(vendor: Vendor) -> BidderOutcome:
        reasons, eligible = _eligibility(scenario, fits, vendor)
        layers = [x for x in ("security", "ops") if vendor.id in inst.layer_options.get(x, [])]
        searched = vendor.id in won or (vendor.id in inst.vendors and (eligible or layers))
        if skip and searched:  # not started: `skipped_note` says why, once
            outcome = "won" if vendor.id in won else "lost"
            out = BidderOutcome(
                vendor=vendor.id, outcome=outcome, won=sorted(won.get(vendor.id, [])), skipped=True
            )
        elif deadline is not None and time.monotonic() > deadline and searched:
            outcome = "won" if vendor.id in won else "lost"
            out = BidderOutcome(
                vendor=vendor.id, outcome=outcome, won=sorted(won.get(vendor.id, [])), unknown=True
            )
        elif vendor.id in won:
            out = _headroom(inst, vendor.id, won[vendor.id], solver, base, deadline)
        elif vendor.id not in inst.vendors or (not eligible and not layers):
            out = BidderOutcome(vendor=vendor.id, outcome="ineligible")
        else:
            out = _price_to_win(inst, vendor.id, solver, base, deadline)
        return out.model_copy(update={"ineligible": reasons})

    chosen = [v for v in vendors if only is None or v.id == only]
    return pmap(one, chosen)


def too_large(award: Award) -> bool:
    """Whether the searches are skipped up front: the award's model has EXPLAIN_NONZEROS
    nonzeros or more."""
    return award.nonzeros >= EXPLAIN_NONZEROS


def skipped_note(award: Award) -> Text:
    """What the brief says once when the searches were skipped (`too_large`)."""
    return Text(
        en=f"Not computed for a tender this large (a model of {award.nonzeros:,} coefficients, "
        f"past {EXPLAIN_NONZEROS:,}): each candidate supplier's cut to enter the mix, and how "
        "far a winner's prices could rise; each is a series of new searches of the whole mix, "
        f"none of which can finish within its {EXTRA_LIMIT:g} s. Run them on a part of the "
        "tender (fewer systems or candidate suppliers).",
        zh=f"本次采购规模过大（模型含{award.nonzeros:,}个系数，超过{EXPLAIN_NONZEROS:,}个），"
        "未计算各候选供应商入选所需降价及已入选者价格可上涨的幅度：每一项都须对整个方案多次"
        f"重新搜索，每次均无法在{EXTRA_LIMIT:g}秒的时限内完成。可对部分系统或部分候选供应商"
        "单独测算。",
    )


LISTED = 12  # in a large brief, at most this many systems named per list (the rest counted)


def describe(o: BidderOutcome, names: dict[str, str], lang: str, most: int | None = None) -> str:
    """One bidder's outcome as a sentence in `lang`; `names`: system and vendor ids -> names;
    `most`: name at most this many systems per list (what it wins or loses, the systems it
    is not eligible for) and count the rest (large briefs)."""
    zh = lang == "zh"
    layer = {
        "security": ("security layer", "安全服务层"),
        "ops": ("operations", "运维服务"),
        "integrator": ("the integrator's role", "总集成商角色"),
    }

    def things(ids: list[str]) -> str:
        words = [layer[i][zh] if i in layer else names.get(i, i) for i in ids]
        rest = len(words) - most if most is not None and len(words) > most else 0
        text = ("、" if zh else ", ").join(words[: len(words) - rest])
        if rest:
            text += (
                f"等，另有{rest}项（见附件 systems.csv）"
                if zh
                else f" and {rest} more (systems.csv)"
            )
        return text

    reasons = [r(lang) for r in o.ineligible]  # one a system: cut as `things` cuts lists
    rest = len(reasons) - most if most is not None and len(reasons) > most else 0
    why = ("；" if zh else "; ").join(reasons[: len(reasons) - rest])
    if rest:
        why += (
            f"；另有{rest}个系统（全部原因见附件 brief.json）"
            if zh
            else f"; and {rest} more systems (every reason is in brief.json)"
        )
    if o.outcome == "ineligible":
        return f"任何价格下都无法入选：{why}。" if zh else f"Not in the mix at any price: {why}."
    if o.outcome == "won":
        text = f"测算中承担{things(o.won)}。" if zh else f"In the estimate for {things(o.won)}."
        if o.unknown or o.skipped:
            return text
        if o.headroom is not None and not o.would_lose:
            text += (
                f"价格上涨{fmt_pct(o.headroom, 0)}仍不会失去任何系统。"
                if zh
                else f" It keeps every system even {fmt_pct(o.headroom, 0)} dearer."
            )
        elif o.headroom is not None:
            text += (
                f"价格上涨超过{fmt_pct(o.headroom, 2)}将失去{things(o.would_lose)}。"
                if zh
                else f" Its prices could rise {fmt_pct(o.headroom, 2)} before it loses "
                f"{things(o.would_lose)}."
            )
        return text
    if o.skipped:  # why is said once, in the award's cautions (`skipped_note`)
        return "未计算（原因见注意事项）。" if zh else "Not computed (see the cautions)."
    if o.unknown:
        return (
            "入选所需降价的计算超时，未能得出。"
            if zh
            else "The price-to-win search ran out of time."
        )
    if o.price_to_win is None and o.blocked_by:
        together = o.blocked_together
        if zh:
            rules = ("；" if together else "；或").join(r(lang) for r in o.blocked_by)
            how = "以下规则共同限制" if together else "受以下规则限制"
            return f"即使降价{fmt_pct(MAX_CUT, 1)}也无法入选，{how}：{rules}。"
        rules = ("; and " if together else "; or ").join(r(lang) for r in o.blocked_by)
        how = "What stops it, together" if together else "What stops it"
        return f"It would not win even {fmt_pct(MAX_CUT, 1)} cheaper. {how}: {rules}."
    if o.price_to_win is None:
        return (
            f"即使降价{fmt_pct(MAX_CUT, 1)}也无法入选（由其评分决定）。"
            if zh
            else f"It would not win even {fmt_pct(MAX_CUT, 1)} cheaper (its scores decide)."
        )
    text = (
        f"所有价格统一降低{fmt_pct(o.price_to_win, 2)}即可入选，届时可获{things(o.would_win)}。"
        if zh
        else f"A uniform cut of {fmt_pct(o.price_to_win, 2)} in all its prices would win "
        f"it {things(o.would_win)}."
    )
    if why:
        text += f"（不符合条件的系统：{why}）" if zh else f" (Not eligible for: {why}.)"
    return text
