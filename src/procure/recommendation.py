"""One Recommendation object: every number and explanation the brief shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from procure.advice.assess import Assessment, assess, spend_basis
from procure.advice.deployment import Placement
from procure.advice.knowledge import MarketFigure, knowledge
from procure.advice.route import (
    RouteAdvice,
    advise_route,
    evaluation_scheme,
    minimum_days,
    months_to_service,
)
from procure.advice.route import timeline as route_timeline
from procure.analysis import AWARD_DRAWS
from procure.analysis.cashflow import LABELS, Comparison, compare_modes
from procure.analysis.explain import LISTED, BidderOutcome, explain, skipped_note, too_large
from procure.analysis.sensitivity import CRITERION_ZH, Sensitivity, analyse
from procure.award.budget import TIME_BUDGET, Budget
from procure.award.formulation import GAP, TIME_LIMIT
from procure.award.optimizer import HEURISTIC_NONZEROS, Award, optimize
from procure.award.parallel import both
from procure.catalog import catalog
from procure.errors import InfeasibleError, ProcureError
from procure.inputs.record import BriefRecord
from procure.inputs.record import today as record_today
from procure.inputs.scenario import Scenario, scenario_to_data
from procure.inputs.vendors import Vendor, catalog_for
from procure.money import fmt_money, fmt_pct
from procure.plan import Plan, plan_and_estimate
from procure.plan.build import Lot
from procure.text import Text, fmt_date, lift_citations


class Provenance(BaseModel):
    """One number or rule the run relied on, and whether it is cited or assumed."""

    item: Text
    kind: str  # source | assumption | scenario
    text: Text


class StructureOption(BaseModel):
    """The award under one contract structure, for the side-by-side comparison."""

    structure: str  # integrator | parallel
    name: Text
    total_cost_cny: float | None  # None: no award under this structure
    value: float | None
    vendors: int
    chosen: bool
    # the award's proven relative gap when it is not proven optimal (the other structure on a
    # tender this large is a first estimate: `other_structure`), else None
    gap: float | None = None


STRUCTURE_NAMES = {
    "integrator": Text(
        en="General integrator with subcontractors", zh="总集成商加分包商（总集成模式）"
    ),
    "parallel": Text(en="Parallel contracts, no integrator", zh="多家服务商平行签约（无总集成商）"),
}


class Recommendation(BaseModel):
    scenario_name: str
    language: str
    scenario: dict[str, Any]
    assessment: Assessment
    award: Award | None
    infeasible: Text | None
    comparison: Comparison
    robustness: Sensitivity | None
    market: list[MarketFigure]
    summary: list[Text]
    sources: list[str]
    assumptions: list[Provenance]
    vendors: list[Vendor]
    deviations: list[Text] = []  # systems whose awarded model is not their best fit
    vendor_names: dict[str, Text] = {}  # every bidder's name in both languages, by id
    structures: list[StructureOption] = []  # integrator vs parallel contracts, side by side
    award_note: Text | None = None  # how to read the award (e.g. as the JV company's build)
    record: BriefRecord | None = None  # versions, date and input fingerprints (the CLI sets it)
    bidders: list[BidderOutcome] = []  # why each candidate is in the estimate or not (内部测算)
    plan: Plan | None = None  # the procurement plan (采购实施计划), the brief's first chapter


EXPLAIN_SECONDS = 30.0  # the bidder explanations' share of a brief's time (large tenders)
SIDE_BY_SIDE = 1.0  # seconds: an award solved faster has its analyses run side by side


def recommend(
    scenario: Scenario,
    base_dir: Path,
    solver: str = "highs",
    vendors: list[Vendor] | None = None,
    time_limit: float = TIME_LIMIT,
    time_budget: float | None = TIME_BUDGET,
    today: date | None = None,
) -> Recommendation:
    """Assess, optimise and compare; gather provenance; write the five-line summary.
    `vendors`: the catalog already loaded (`procure.inputs.load`), else read from the scenario.
    `time_limit`: the award's own solve; `time_budget`: seconds that everything around it
    (extras, robustness, explanations) shares, from now; None for no limit. `today`: the
    plan's start when the scenario gives none, the brief record's date (so `procure verify`
    re-renders the same dates on another day); default: the record's date rule."""
    budget = Budget(time_budget)
    kb = knowledge()
    if vendors is None:
        vendors = catalog_for(scenario.vendors, base_dir)
    assessment = assess(scenario, vendors)

    def award_for(**options: Any) -> Award:
        return optimize(
            scenario,
            assessment.deployment,
            assessment.weights.weights,
            vendors,
            kb.costs,
            solver=solver,
            time_limit=time_limit,
            budget=budget,
            **options,
        )

    def solve_award() -> Award | Text:
        try:
            return award_for()
        except InfeasibleError as exc:
            return Text(en=str(exc), zh=exc.text("zh"))

    def robustness_of(solved: Award | Text) -> Sensitivity:
        if isinstance(solved, Award) and solved.nonzeros >= HEURISTIC_NONZEROS:
            # a tender this large: the award's re-solves are shortened searches, never proven
            # optimal, which the analysis does not compare (on the province each took about
            # 15 s CPU and the budget's last 25 s of wall time, for intervals of 35%-35%)
            solved.cautions.append(UNTESTED)
            return untested(
                analyse(
                    scenario,
                    assessment.deployment,
                    assessment.weights.weights,
                    vendors,
                    award_draws=0,
                    award_intervals=False,
                    solver=solver,
                    base_award=solved,
                    budget=budget,
                )
            )
        return analyse(  # re-solves start from the award; with none, none are run
            scenario,
            assessment.deployment,
            assessment.weights.weights,
            vendors,
            award_draws=AWARD_DRAWS if isinstance(solved, Award) else 0,
            award_intervals=isinstance(solved, Award),
            solver=solver,
            base_award=solved if isinstance(solved, Award) else None,
            budget=budget,
        )

    def bidders_of(solved: Award | Text) -> list[BidderOutcome]:
        if not isinstance(solved, Award):
            return []
        if too_large(solved):  # the searches are not started (`explain`): said once, here
            solved.cautions.append(skipped_note(solved))
        return explain(
            scenario,
            assessment.deployment,
            assessment.weights.weights,
            vendors,
            kb.costs,
            solved,
            solver=solver,
            seconds=max(0.0, min(EXPLAIN_SECONDS, budget.left())),
        )

    def award_and_analyses() -> tuple[Award | Text, Sensitivity, list[BidderOutcome]]:
        """The award, then its robustness and the bidders' explanations: side by side when
        the award solved in under SIDE_BY_SIDE seconds (both need only the award, their
        re-solves are many small MILPs, and each keeps the other's idle core busy; HiGHS
        releases the GIL while it solves); else one after the other, the explanations
        getting what the robustness analysis leaves of the time budget (a province's
        re-solves each run to their time limit: side by side, they took cores from the
        robustness re-solves and still ended unknown)."""
        solved = solve_award()
        if isinstance(solved, Award) and solved.seconds < SIDE_BY_SIDE:
            robustness, bidders = both(lambda: robustness_of(solved), lambda: bidders_of(solved))
            return solved, robustness, bidders
        robustness = robustness_of(solved)
        return solved, robustness, bidders_of(solved)

    def other_structure() -> Award | None:
        """The award under the other contract structure, for comparison: part of the analysis
        around the award, so it gets what is left of the time budget (at most --time-limit);
        none when too little is left or it finds none in that time (the table then shows no
        figures for it). On a model past HEURISTIC_NONZEROS (a province) it is not searched
        (`search=0`): the heuristic's award, improved with its winners fixed, against the whole
        LP's bound, its gap stated beside the comparison (`structure_note`). It is a
        comparison, not the award: a full search ran to its time limit (60 s on the province,
        beside the award's) and ended about 2% from proven all the same."""
        other = "parallel" if scenario.procurement.structure == "integrator" else "integrator"
        seconds = budget.limit(time_limit)
        if seconds is None:
            return None
        try:
            return optimize(
                scenario,
                assessment.deployment,
                assessment.weights.weights,
                vendors,
                kb.costs,
                solver=solver,
                time_limit=max(1.0, seconds),
                extras=False,
                structure=other,
                search=0.0,
            )
        except InfeasibleError:
            return None
        except ProcureError:  # no award within the time it had
            return None

    # the other contract structure is independent: solved beside the award and its analysis
    (solved, robustness, bidders), alternative = both(award_and_analyses, other_structure)
    award = solved if isinstance(solved, Award) else None
    infeasible = solved if isinstance(solved, Text) else None
    plan = None
    if award is not None:  # the route's value is the award's, once there is one
        plan, estimate = plan_and_estimate(
            scenario,
            award,
            assessment.deployment,
            assessment.weights.weights,
            vendors,
            kb.costs,
            kb.routes,
            today or date.fromisoformat(record_today()),
            solver=solver,
            time_limit=time_limit,
            budget=budget,
        )
        if estimate is not award:  # the brief follows the change the plan adopts
            award, robustness = adopted_estimate(plan, award, estimate, robustness)
        route = advise_route(
            scenario,
            award.total_cost_cny,
            kb.routes,
            assessment.weights.weights,
            from_award=True,
            vendors=vendors,
        )
        route = route_from_plan(route, plan, assessment.weights.weights)
        assessment = assessment.model_copy(update={"route": route})
    years = scenario.procurement.contract_years
    spend, one_off, basis = spend_basis(assessment, award, years)
    comparison = compare_modes(
        scenario,
        assessment.partnership,
        kb.cashflow,
        spend,
        one_off,
        basis,
        route=assessment.route,
    )
    note = jv_note(comparison) if award is not None else None
    if comparison.recommended == "join_parent_cloud":
        note, joined = parent_note(scenario)
        route = assessment.route
        assessment = assessment.model_copy(
            update={"route": route.model_copy(update={"reasons": [joined, *route.reasons]})}
        )
    elif note is not None:  # the route section says how the JV's partner is chosen
        route = assessment.route
        partner = Text(
            en="With a joint venture, this procurement chooses the JV company's partner (the "
            "core enterprise) competitively; the company, not the agency, then contracts the "
            "suppliers it builds and operates with.",
            zh="采用合资公司模式时，本次采购以竞争方式选定合资公司的合作方（核心企业）；此后由合资公司"
            "而非本机构与建设运营所需的供应商签约。",
        )
        assessment = assessment.model_copy(
            update={"route": route.model_copy(update={"reasons": [*route.reasons, partner]})}
        )
    used = [v for v in vendors if award and v.id in {w.vendor for w in award.vendors}]
    options = structures(scenario, award, alternative)
    said = structure_note(alternative, options)
    if award is not None and said is not None:
        award.cautions.append(said)
    return Recommendation(
        plan=plan,
        bidders=bidders,
        scenario_name=scenario.name,
        language=scenario.language,
        scenario=scenario_to_data(scenario),
        assessment=assessment,
        award=award,
        infeasible=infeasible,
        comparison=comparison,
        robustness=robustness,
        market=kb.market.figures,
        summary=summary(assessment, award, infeasible, comparison, plan),
        sources=sources(),
        assumptions=assumptions(comparison, used, plan),
        vendors=used,
        deviations=deviations(assessment, award, vendors),
        structures=options,
        award_note=note,
        vendor_names={v.id: Text(en=v.name, zh=v.name_zh or v.name) for v in vendors},
    )


ORIGINAL_BASIS = Text(  # the same words in every section still on the original estimate
    en="computed on the estimated mix under the original requirement, before the plan's change",
    zh="按调整前要求下的测算组合计算，早于采购实施计划的调整",
)


def adopted_estimate(
    plan: Plan, original: Award, estimate: Award, robustness: Sensitivity
) -> tuple[Award, Sensitivity]:
    """The estimated mix the brief shows once the plan adopts a relaxation (a requirement of
    the whole procurement made a preference) and solves the estimate again under it: the
    re-solved mix, so the plan, the summary, the route and the cash flow tell one figure. Its
    own caution says so, and what was not computed again (the rules' costs, alternative mixes
    and frontier); the sections still computed on the original mix (the candidate suppliers'
    explanations, the other contract structure, the robustness analysis) say so in the same
    words (ORIGINAL_BASIS)."""
    [change] = [a.change for a in plan.adjustments if a.estimate_after_cny is not None][:1] or [
        Text(en="a relaxed requirement", zh="放宽要求")
    ]
    before, after = original.total_cost_cny, estimate.total_cost_cny
    caution = Text(
        en=f"The procurement plan adopts a change ({change.en}): the estimated mix shown is "
        f"solved again under it, {fmt_money(after, 'en')} in total "
        f"({fmt_money(before, 'en')} under the original requirement); the rules' costs, "
        "alternative mixes and the frontier were not computed again under it. The candidate "
        f"suppliers' explanations and the other contract structure's figures are "
        f"{ORIGINAL_BASIS.en}.",
        zh=f"采购实施计划已采用调整（{change.zh}）：所列测算组合为按调整后要求重新求解的结果，"
        f"总额{fmt_money(after, 'zh')}（调整前{fmt_money(before, 'zh')}）；规则代价、备选组合和"
        f"成本—价值前沿未按调整后要求重新计算。候选供应商入选原因及另一种合同结构的数据"
        f"{ORIGINAL_BASIS.zh}。",
    )
    note = Text(
        en=f"The robustness analysis is {ORIGINAL_BASIS.en}.",
        zh=f"稳健性分析{ORIGINAL_BASIS.zh}。",
    )
    if robustness.budget_note is not None:
        note = Text(
            en=f"{note.en} {robustness.budget_note.en}", zh=note.zh + robustness.budget_note.zh
        )
    shown = estimate.model_copy(update={"cautions": [caution, *estimate.cautions]})
    return shown, robustness.model_copy(update={"budget_note": note})


REQUIREMENTS = {  # the requirements a plan may relax, as the brief names them
    "domestic_stack": Text(en="the domestic (Xinchuang) stack", zh="信创要求"),
    "security_assessment": Text(
        en="the cloud-service security assessment", zh="云计算服务安全评估"
    ),
}
LEVELS = {
    "required": Text(en="required", zh="必须满足"),
    "preferred": Text(en="preferred", zh="优先考虑"),
    "any": Text(en="not required", zh="不作要求"),
}


def relaxed_requirements(plan: Plan | None) -> dict[str, tuple[Text, Text]]:
    """Each requirement of the scenario the plan made a preference (`Plan.relaxed`), by its
    place in the scenario: the short note the inputs table adds to the value the user gave,
    and the whole statement for the assumptions (the original requirement, the change the plan
    adopts for the whole procurement, and why: the lots it gives the competition their
    methods need, with the law). The scenario and its sealed copy stay as the user wrote them."""
    if plan is None or not plan.relaxed:
        return {}
    from procure.plan.rules import plan_knowledge

    kb = plan_knowledge()
    changed = {i for a in plan.adjustments if a.estimate_before_cny is not None for i in a.lots}
    lots = [lot for lot in plan.lots if lot.id in changed]
    cites = list(
        dict.fromkeys(m.cite() for lot in lots if (m := kb.minimum(lot.method)) is not None)
    )
    names = Text(
        en=" and ".join(f'the lot "{lot.name.en}"' for lot in lots) or "its lots",
        zh="、".join(f"采购包“{lot.name.zh}”" for lot in lots) or "各采购包",
    )
    law = (
        Text(en=f" ({'; '.join(cites)})", zh=f"（{'；'.join(cites)}）")
        if cites
        else Text(en="", zh="")
    )
    out: dict[str, tuple[Text, Text]] = {}
    for field, value in plan.relaxed.items():
        what, to = REQUIREMENTS[field], LEVELS[value]
        short = Text(
            en=f"the procurement plan makes it {to.en} for the whole procurement, so that "
            f"every lot has the competition its method needs{law.en}; see the Assumptions annex",
            zh=f"采购实施计划将其改为“{to.zh}”，整个项目统一适用，以使各采购包具备其采购方式所需的"
            f"竞争{law.zh}；见“假设”附件",
        )
        whole = Text(
            en=f"The scenario makes {what.en} {LEVELS['required'].en}; the procurement "
            f"plan makes it {to.en} for the whole procurement so that {names.en} "
            f"{'has' if len(lots) == 1 else 'have'} the competition {'its' if len(lots) == 1 else 'their'} "
            f"method needs{law.en}. Every lot's qualifications and candidate suppliers, and the "
            "estimated mix the brief shows, follow the change; the scenario as given (and its "
            "copy attached to the brief) is unchanged.",
            zh=f"情景中{what.zh}为“{LEVELS['required'].zh}”；采购实施计划将其改为“{to.zh}”，"
            f"整个项目统一适用，以使{names.zh}具备其采购方式所需的竞争{law.zh}。各采购包的资格条件"
            "和合格候选供应商以及简报所列测算组合均按调整后的要求确定；情景原文（及简报所附副本）"
            "未作改动。",
        )
        out[f"procurement.{field}"] = (short, whole)
    return out


ROLE_EN = {
    "integrator": "general integrator",
    "subcontractor": "subcontractor",
    "sole": "sole contractor",
    "parallel": "direct contractor",
}
ROLE_ZH = {
    "integrator": "总集成商",
    "subcontractor": "分包商",
    "sole": "独家承接",
    "parallel": "平行签约服务商",
}


def route_from_plan(route: RouteAdvice, plan: Plan, weights: dict[str, float]) -> RouteAdvice:
    """The route chapter tells the plan's conclusion: the method the plan decides on each lot's
    budget (the largest lot's when the lots differ, of the lots that can proceed), the plan's
    threshold, its reasons and approval, and that method's evaluation scheme and timeline. One
    conclusion, not two. When no lot can proceed (too few eligible candidate suppliers), it
    says so, and the evaluation and timeline are those of the method the budget calls for."""
    kb = knowledge().routes
    lot = route_lot(plan)
    blocked = lot.method == "none"
    method = (lot.intended or "open_tender") if blocked else lot.method
    above = (lot.budget_cny or lot.estimated_value_cny) >= plan.threshold_cny
    label = Text(en=f"Lot {lot.id.removeprefix('lot-')}", zh=f"采购包{lot.id.removeprefix('lot-')}")
    reasons = [
        Text(
            en=f"The method is decided per lot on the lot's budget in the procurement plan; "
            f"{label.en}: {lot.method_name.en.lower()}.",
            zh=f"采购方式按各采购包的预算在采购实施计划中确定；{label.zh}：{lot.method_name.zh}。",
        ),
        *lot.method_reasons,
        *([lot.adjustment] if lot.adjustment is not None else []),
        *lot.risks,
    ]
    if blocked:
        name = kb.method(method).name
        reasons.append(
            Text(
                en=f"The evaluation and the timeline below are those of {name.en.lower()}, the "
                "method the budget calls for once the lot has the competition it needs.",
                zh=f"下列评审方法和时间安排为采购包具备所需竞争条件后按预算应采用的{name.zh}"
                "的安排。",
            )
        )
    others = [x for x in plan.lots if x.method != lot.method]
    if others:
        reasons.append(
            Text(
                en="Other lots: "
                + "; ".join(
                    f"lot {x.id.removeprefix('lot-')} {x.method_name.en.lower()}" for x in others
                )
                + ".",
                zh="其他采购包："
                + "；".join(f"采购包{x.id.removeprefix('lot-')}{x.method_name.zh}" for x in others)
                + "。",
            )
        )
    # the route's own approval and single-source notice cautions rest on its threshold and
    # method; the plan's approval (on the lot's budget, with its article) replaces them
    cautions = [c for c in route.cautions if "公示" not in c.zh and "公开招标数额标准" not in c.zh]
    if lot.approval is not None and above and not blocked:
        cautions.append(lot.approval)
    lifted = [lift_citations(x) for x in [*reasons, *cautions]]  # citations go to Sources
    reasons = [x for x, _ in lifted[: len(reasons)]]
    cautions = [x for x, _ in lifted[len(reasons) :]]
    cited = [c for _, found in lifted for c in found]
    # the plan's single source is an add-on to the original supplier (GPL art. 31(3)): the
    # notice of the only-one-supplier case (art. 31(1)) is not scheduled for it
    steps = [s for s in route_timeline(method, above, kb) if s.id != "single_source_notice"]
    evaluation = evaluation_scheme(method, weights, kb)
    return route.model_copy(
        update={
            "method": lot.method,
            "name": lot.method_name,
            "threshold_cny": plan.threshold_cny,
            "approval_required": method != "open_tender" and above and not blocked,
            "reasons": reasons,
            "cautions": cautions,
            "timeline": steps,
            "minimum_days": minimum_days(steps),
            "months_to_service": months_to_service(steps, kb),
            "evaluation": evaluation,
            "sources": sorted({*route.sources, evaluation.source, *cited}),
        }
    )


def route_lot(plan: Plan) -> Lot:
    """The lot whose method the route chapter tells: the largest by budget of those that can
    proceed, else the largest."""
    proceeding = [x for x in plan.lots if x.method != "none"] or plan.lots
    return max(proceeding, key=lambda x: x.budget_cny or x.estimated_value_cny)


def plan_lines(plan: Plan) -> list[Text]:
    """The plan's conclusions for the summary: method per lot, candidate suppliers, ceilings
    and budget (or, for an agency joining the cloud above, the joining plan first)."""
    lots_en = "; ".join(
        f"lot {lot.id.removeprefix('lot-')} {lot.method_name.en.lower()} "
        f"({lot.evaluation.name.en.lower()}, {lot.eligible} eligible candidate suppliers)"
        for lot in plan.lots
    )
    lots_zh = "；".join(
        f"采购包{lot.id.removeprefix('lot-')}{lot.method_name.zh}"
        f"（{lot.evaluation.name.zh}，合格候选供应商{lot.eligible}家）"
        for lot in plan.lots
    )
    for a in plan.adjustments:  # the change adopted so that each lot has its competition
        sign = "+" if a.ceiling_delta_cny >= 0 else "-"
        lots_en += (
            f"; adjusted for competition: {a.change.en} (ceilings "
            f"{sign}{fmt_money(abs(a.ceiling_delta_cny), 'en')})"
        )
        lots_zh += f"；为保证竞争已{a.change.zh}（最高限价{sign}{fmt_money(abs(a.ceiling_delta_cny), 'zh')}）"
        if a.estimate_after_cny is not None:  # the estimated mix the brief shows follows it
            lots_en += f", the estimated mix solved again under it: {fmt_money(a.estimate_after_cny, 'en')}"
            lots_zh += (
                f"，按调整后要求重新求解的测算组合总额{fmt_money(a.estimate_after_cny, 'zh')}"
            )
    total = plan.total_ceiling_cny
    money_en = (
        f"ceilings in total {fmt_money(total, 'en')} against a budget of "
        f"{fmt_money(plan.budget_cny, 'en')}"
        if total is not None
        else "no ceiling for a lot no candidate can supply whole"
    )
    money_zh = (
        f"最高限价合计{fmt_money(total, 'zh')}，预算{fmt_money(plan.budget_cny, 'zh')}"
        if total is not None
        else "有采购包无候选供应商能整体承担，无法设定最高限价"
    )
    j = plan.joining
    if j is not None:  # in the route chapter's words: no procurement of its own
        own = {lang: catalog(lang)["no_own_procurement"] for lang in ("en", "zh")}
        return [
            Text(
                en=f"Procurement: join the {j.parent.en}; the agency {own['en']}; its fees "
                f"estimated at {fmt_money(j.total_cny, 'en')} over {j.years} years, first "
                f"service on {fmt_date(j.first_service, 'en')} (the joining plan).",
                zh=f"采购方式：接入{j.parent.zh}，本机构{own['zh']}；{j.years}年服务费估算"
                f"{fmt_money(j.total_cny, 'zh')}，{fmt_date(j.first_service, 'zh')}开始提供服务"
                "（见接入方案）。",
            ),
            Text(
                en=f"Buying alone, the compared alternative: {lots_en}; {money_en}.",
                zh=f"比较方案（单独采购）：{lots_zh}；{money_zh}。",
            ),
        ]
    return [
        Text(
            en=f"Procurement: {len(plan.lots)} lot{'s' if len(plan.lots) > 1 else ''}: "
            f"{lots_en}; {money_en} (the procurement plan).",
            zh=f"采购方式：{len(plan.lots)}个采购包：{lots_zh}；{money_zh}（见采购实施计划）。",
        )
    ]


def summary(
    a: Assessment,
    award: Award | None,
    infeasible: Text | None,
    c: Comparison,
    plan: Plan | None = None,
) -> list[Text]:
    """The decisions in five lines (plus top risks). The deployment line counts the award's
    models when there is an award, so the summary and the award tell one story."""
    mix, basis_key = model_mix(a, award)
    mix_en = ", ".join(f"{n} {m}" for m, n in mix.items() if n)
    model_zh: dict[str, str] = {p.id: p.name.zh for p in knowledge().deployment.models}
    mix_zh = "，".join(f"{model_zh[m]} {n}个" for m, n in mix.items() if n)
    basis = (catalog("en")[basis_key], catalog("zh")[basis_key])
    lines = [
        Text(
            en=f"Deployment: {mix_en} (systems by model, {basis[0]}).",
            zh=f"部署模式：{mix_zh}（按部署模式统计系统数，{basis[1]}）。",
        )
    ]
    if plan is not None:
        lines += plan_lines(plan)
    else:
        lines.append(
            Text(
                en=f"Estimate: no mix of candidate suppliers is feasible. "
                f"{infeasible.en if infeasible else ''}",
                zh=f"测算：候选供应商无可行组合。{infeasible.zh if infeasible else ''}",
            )
        )
    names = c.qualitative.mode_names
    lines.append(
        Text(
            en=f"Partnership: {names[c.recommended].en.lower()}. {c.reasons[0].en}",
            zh=f"合作模式：{names[c.recommended].zh}。{c.reasons[0].zh}",
        )
    )
    chosen = {"direct_purchase": c.direct, "joint_venture": c.jv, "join_parent_cloud": c.parent}
    mode = chosen.get(c.recommended) or c.direct
    lines.append(timing(plan, mode.months_to_service, names[c.recommended]))
    r = a.readiness
    lines.append(
        Text(
            en=f"Readiness: {r.overall:.0f}/100, grade {r.grade} ({r.grade_label.en}); "
            f"weakest factor: {r.weakest}.",
            zh=f"上云准备度：{r.overall:.0f}分，等级{r.grade}（{r.grade_label.zh}）；"
            f"最弱因素：{next(f.name.zh for f in r.factors if f.id == r.weakest)}。",
        )
    )
    risks_en, risks_zh = [], []
    close = [p for p in a.deployment.placements if p.margin is not None and p.margin < 3]
    if close:  # by the names the user gave, never the ids; a province's: the closest few
        named = close_calls(close)
        more_en = more_zh = ""
        if len(named) < len(close):
            more_en = (
                f" and {len(close) - len(named)} more (every system's fit by model is in "
                "systems.csv)"
            )
            more_zh = f"等{len(close)}个系统"
        risks_en.append(f"close deployment calls for {', '.join(named)}{more_en}")
        risks_zh.append(
            f"{'、'.join(named)}{more_zh}的部署模式差距较小"
            + ("（全部系统的各模式适配得分见附件 systems.csv）" if more_zh else "")
        )
    p_other = c.risk.probability_cheaper["jv" if c.cheaper == "direct_purchase" else "direct"]
    if p_other > 0.25:
        risks_en.append(f"the cheaper partnership mode flips in {p_other:.0%} of draws")
        risks_zh.append(f"{p_other:.0%}的抽样中合作模式成本优劣反转")
    thin = [lot for lot in plan.lots if lot.method == "none"] if plan is not None else []
    if thin:
        risks_en.append(
            "too few eligible candidate suppliers for "
            + ", ".join(f"lot {x.id.removeprefix('lot-')}" for x in thin)
            + ": no competitive method can proceed as planned and no change tried gives "
            "enough (the plan says what the buyer must do)"
        )
        risks_zh.append(
            "、".join(f"采购包{x.id.removeprefix('lot-')}" for x in thin)
            + "的合格候选供应商不足，竞争性采购方式无法按计划进行，所试调整均不能补足"
            "（采购实施计划列出采购人须采取的措施）"
        )
    if award is not None and award.binding:
        risks_en.append(
            "rules the estimated mix presses against: " + "; ".join(b.en for b in award.binding)
        )
        risks_zh.append("起约束作用的规则：" + "；".join(b.zh for b in award.binding))
    if risks_en:
        lines.append(
            Text(
                en="Top risks: " + "; ".join(risks_en) + ".",
                zh="主要风险：" + "；".join(risks_zh) + "。",
            )
        )
    return lines


def close_calls(close: list[Placement]) -> list[str]:
    """The names of the close deployment calls the summary names: all of them, or past LISTED
    (a province's 3,000 systems had 2.5 pages of them) the LISTED closest, in the scenario's
    order."""
    if len(close) <= LISTED:
        return [p.name for p in close]
    closest = {id(p) for p in sorted(close, key=lambda p: p.margin or 0.0)[:LISTED]}
    return [p.name for p in close if id(p) in closest]


def timing(plan: Plan | None, months: float, path: Text) -> Text:
    """By when: the plan's dated steps (contract, delivery, acceptance) when there is a tender
    plan, the joining plan's first service when the agency joins, else the recommended path's
    lead time as the partnership comparison gives it."""
    if plan is not None and plan.joining is not None:
        day = plan.joining.first_service
        return Text(
            en=f"Timing: first service on {fmt_date(day, 'en')} (the joining plan's timeline).",
            zh=f"时间：{fmt_date(day, 'zh')}开始提供服务（见接入方案时间表）。",
        )
    blocked = [x for x in plan.lots if x.method == "none"] if plan is not None else []
    dated = plan_dates(plan)
    if blocked:
        en = ", ".join(f"lot {x.id.removeprefix('lot-')}" for x in blocked)
        zh = "、".join(f"采购包{x.id.removeprefix('lot-')}" for x in blocked)
        if dated is None:
            return Text(
                en=f"Timing: none set: the competitive method of {en} cannot proceed as "
                "planned (the procurement plan).",
                zh=f"时间：暂不安排：{zh}的竞争性采购方式无法按计划进行（见采购实施计划）。",
            )
        return Text(
            en=dated.en.removesuffix(".") + f"; none set for {en}, which cannot proceed.",
            zh=dated.zh.removesuffix("。") + f"；{zh}无法按计划进行，暂不安排。",
        )
    if dated is not None:
        return dated
    m = f"{round(months, 1):g}"  # as the route section gives it: 5.7, 3
    return Text(
        en=f"Timing: first service about {m} months after the project is approved "
        f"({path.en.lower()}).",
        zh=f"时间：{path.zh}，自立项起约{m}个月可提供服务。",
    )


def plan_dates(plan: Plan | None) -> Text | None:
    """By when every lot is contracted, delivered and accepted: the latest end of each step
    over the plan's dated timelines (the summary's and the route chapter's one timing)."""
    ends: dict[str, str] = {}  # ISO dates: their order is the calendar's
    for step in (s for sc in (plan.schedules if plan else []) for s in sc.steps):
        ends[step.id] = max(ends.get(step.id, step.end), step.end)
    if not all(k in ends for k in ("contract", "delivery", "acceptance")):
        return None
    c, d, a = (fmt_date(ends[k], "en") for k in ("contract", "delivery", "acceptance"))
    cz, dz, az = (fmt_date(ends[k], "zh") for k in ("contract", "delivery", "acceptance"))
    return Text(
        en=f"Timing: contract by {c}, delivery by {d}, acceptance by {a} (the plan's "
        "timeline, in working days).",
        zh=f"时间：{cz}前签订合同，{dz}前完成交付，{az}前完成验收（见采购实施计划时间表，"
        "按工作日计算）。",
    )


def model_mix(a: Assessment, award: Award | None) -> tuple[dict[str, int], str]:
    """Systems by deployment model, and the catalog key of its basis: as in the recommended
    award when there is one, else by best fit. The one count the summary, the award and the
    terminal's `compare` all print."""
    mix = dict(a.deployment.mix)
    if award is None:
        return mix, "mix_basis_best_fit"
    return {m: sum(1 for s in award.systems if s.model == m) for m in mix}, "mix_basis_award"


def structures(
    scenario: Scenario, award: Award | None, alternative: Award | None
) -> list[StructureOption]:
    """The award under the scenario's contract structure and under the other one."""
    chosen = scenario.procurement.structure
    other = "parallel" if chosen == "integrator" else "integrator"
    out = []
    for structure, a in ((chosen, award), (other, alternative)):
        out.append(
            StructureOption(
                structure=structure,
                name=STRUCTURE_NAMES[structure],
                total_cost_cny=a.total_cost_cny if a else None,
                value=a.value if a else None,
                vendors=len(a.vendors) if a else 0,
                chosen=structure == chosen,
                gap=a.gap if a and a.status != "Optimal" else None,
            )
        )
    return out


UNTESTED = Text(
    en="Not tested for a tender this large: how far each weight can move before the "
    "estimated mix changes. Each test is a new search of the whole mix, which at this size "
    "stops short of proof (see above), so no two mixes could be compared; the placements' "
    "changes with the weights and the first-rank acceptability are given.",
    zh="本次采购规模过大，未检验各项权重变动多少会改变测算组合：每次检验都须对整个方案重新搜索，"
    "而在此规模下搜索无法得到最优证明（见上文），无从比较两个方案；各系统部署模式随权重的变化及"
    "首位可接受度仍照常给出。",
)


def untested(robustness: Sensitivity) -> Sensitivity:
    """The analysis with each criterion's verdict saying that the award was not re-solved on
    a tender this large (`UNTESTED`, said once in the award's cautions)."""
    criteria = [
        c.model_copy(
            update={
                "verdict": Text(
                    en=f"{c.criterion} weight: not tested on a tender this large (see the "
                    "cautions)",
                    zh=f"{CRITERION_ZH[c.criterion]}权重：采购规模过大，未检验（见注意事项）",
                )
            }
        )
        for c in robustness.criteria
    ]
    return robustness.model_copy(update={"criteria": criteria})


def structure_note(alternative: Award | None, options: list[StructureOption]) -> Text | None:
    """What the comparison of contract structures says of the other structure's figures when
    they are not proven optimal (`alternative`, its award): on a tender this large a first
    estimate (`other_structure`), else a solve stopped by its time limit; with its gap."""
    other = next((o for o in options if not o.chosen), None)
    if alternative is None or other is None or other.gap is None:
        return None
    gap = fmt_pct(other.gap, 2)
    if alternative.nonzeros >= HEURISTIC_NONZEROS:
        how = Text(
            en="a first estimate on a tender this large (the better of a heuristic's mix "
            "improved by the solver with its winners fixed and a rounding of the linear "
            "relaxation, not searched further)",
            zh="本次采购规模较大，为初步测算（取启发式算法方案经求解器在入选供应商不变的前提下"
            "改进所得与线性松弛解取整所得中较好者，未再进一步搜索）",
        )
    else:
        how = Text(
            en="the best mix found before the solver's time limit",
            zh="为求解器在时间上限内找到的最好方案",
        )
    return Text(
        en=f"Contract structure comparison: the figures for {other.name.en.lower()} are "
        f"{how.en}, proven within {gap} of the best possible score under that structure, not "
        "proven optimal; every rule is checked exactly on them.",
        zh=f"合同结构对比：{other.name.zh}的数字{how.zh}，已证明与该结构下最优得分相差不超过"
        f"{gap}，但未证明最优；该方案已逐项精确核验全部规则。",
    )


def jv_note(c: Comparison) -> Text | None:
    """With a joint venture recommended, the award is what the company builds and operates."""
    if c.recommended != "joint_venture":
        return None
    partner = knowledge().partnership.jv_partner
    return Text(
        en="A joint venture is recommended: read this estimate as what the JV company builds and "
        "operates, as the one builder-operator, with the vendors below as its partners and "
        f"suppliers. {partner.assumption.en.capitalize() if partner.assumption else ''}.",
        zh="建议采用合资公司模式：本测算结果应理解为合资公司作为唯一的建设运营主体，与下列厂商作为"
        "合作伙伴和供应商共同建设运营的方案。核心企业（战略合作方）应在组建公司前通过竞争性方式"
        "选定，公司组建后负责平台建设和运营。",
    )


def parent_note(scenario: Scenario) -> tuple[Text, Text]:
    """Joining the cloud above: the award prices the alternative; no procurement of its own."""
    level = {"prefecture": ("prefecture", "地市"), "province": ("provincial", "省级")}
    en, zh = level[scenario.agency.parent_cloud]
    note = Text(
        en=f"Joining the {en} unified cloud is recommended: the estimate below prices the same "
        "resources bought alone, as the comparison the decision rests on.",
        zh=f"建议接入{zh}统建政务云：下列内部测算为单独采购同等资源的金额，仅作比较依据。",
    )
    own = {lang: catalog(lang)["no_own_procurement"] for lang in ("en", "zh")}
    route = Text(
        en=f"If the agency joins the {en} unified cloud, it {own['en']}: units "
        "covered by the unified procurement of the level above sign service agreements with its "
        "providers that procurement chose directly (iResearch 2020, ch.2). The method below applies only if it "
        "procures alone.",
        zh=f"如接入{zh}统建政务云，本机构{own['zh']}：纳入上级统一采购范围的单位可直接与"
        "上级选定的云服务商签署云服务协议（艾瑞咨询《中国政务云行业研究报告》（2020）第2章）。"
        "以下采购方式仅适用于单独采购的情形。",
    )
    return note, route


def deviations(a: Assessment, award: Award | None, vendors: list[Vendor]) -> list[Text]:
    """Every system whose awarded model is not its best fit, and why."""
    if award is None:
        return []
    out = []
    models: dict[str, Text] = {p.id: p.name for p in knowledge().deployment.models}
    for s in award.systems:
        placement = a.deployment.placement(s.system)
        best = placement.recommended
        if s.model == best:
            continue
        fit = {f.model: f.score or 0.0 for f in placement.fits}
        offered = [v for v in vendors if best in v.models]
        why = (
            (
                f"no candidate supplier offers {models[best].en.lower()}",
                f"没有供应商提供{models[best].zh}",
            )
            if not offered
            else (
                "the estimate as a whole scores higher this way (its cost, the candidate "
                "suppliers' quality and the rules of the estimate together)",
                "从整体测算看这样得分更高（综合成本、候选供应商质量与测算规则）",
            )
        )
        out.append(
            Text(
                en=f"{placement.name}: estimated on {models[s.model].en.lower()} (fit "
                f"{fit[s.model]:.1f}) rather than its best fit, {models[best].en.lower()} "
                f"(fit {fit[best]:.1f}): {why[0]}.",
                zh=f"{placement.name}：测算为{models[s.model].zh}（适配度{fit[s.model]:.1f}），"
                f"而非最佳适配的{models[best].zh}（适配度{fit[best]:.1f}）：{why[1]}。",
            )
        )
    return out


def sources() -> list[str]:
    """Every citation in the knowledge base, sorted."""
    kb = knowledge()
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, BaseModel):
            src = getattr(node, "source", None)
            if isinstance(src, str) and src:
                found.add(src)
            for name in type(node).model_fields:
                walk(getattr(node, name))
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    walk(kb)
    found.add(kb.costs.multicloud_source)
    return sorted(found)


COST_RATES = {
    "migration": Text(en="cost rate: migration", zh="成本参数：迁移成本"),
    "integrator_fee": Text(en="cost rate: integrator fee", zh="成本参数：总集成费率"),
    "parallel_integration": Text(
        en="cost rate: the buyer's integration of parallel contracts",
        zh="成本参数：平行签约时采购人自行集成的成本",
    ),
    "multicloud": Text(en="cost rate: hybrid management", zh="成本参数：混合云管理费率"),
    "per_extra_vendor": Text(
        en="cost rate: coordination per extra vendor", zh="成本参数：每增加一家供应商的协调成本"
    ),
    "domestic_preference": Text(en="value: domestic-stack preference", zh="评分参数：信创优先加分"),
    "incumbent_bonus": Text(en="value: incumbent continuity", zh="评分参数：现有服务商连续性加分"),
    "local_presence": Text(en="value: local presence", zh="评分参数：本地化加分"),
    "service_score_weight": Text(en="value: weight of service", zh="评分参数：服务得分权重"),
}


def parameter_text(name: str, value: float, lang: str) -> str:
    """A cash-flow parameter as the reader reads it: money in 万元, months and years counted,
    a multiple as such, a rate as a percentage (never 5e+06 or 0.51)."""
    zh = lang == "zh"
    if name.endswith("_cny"):
        return fmt_money(value, lang)
    if name.endswith("_months"):
        return f"{value:g}个月" if zh else f"{value:g} months"
    if name.endswith("_years"):
        return f"{value:g}年" if zh else f"{value:g} years"
    if name.endswith("_multiple"):
        return f"{value:g}倍" if zh else f"{value:g} times"
    return fmt_pct(value, 0 if round(value * 100, 6).is_integer() else 1)


def assumptions(c: Comparison, vendors: list[Vendor], plan: Plan | None = None) -> list[Provenance]:
    """Every assumption the run used, with its reason, in both languages."""
    kb = knowledge()

    def a(en: str, zh: str, text: Text | None, kind: str = "assumption") -> Provenance:
        return Provenance(item=Text(en=en, zh=zh), kind=kind, text=text or Text(en="", zh=""))

    out = [  # the requirements the plan changed: what the scenario asks, the change and why
        Provenance(
            item=Text(
                en=f"requirement: {REQUIREMENTS[key.removeprefix('procurement.')].en}",
                zh=f"采购需求：{REQUIREMENTS[key.removeprefix('procurement.')].zh}",
            ),
            kind="scenario",
            text=whole,
        )
        for key, (_, whole) in relaxed_requirements(plan).items()
    ]
    out += [
        a(f"deployment profile: {m.name.en}", f"部署模式评分：{m.name.zh}", m.assumption)
        for m in kb.deployment.models
    ]
    out.append(a("system weight modifiers", "系统权重修正系数", kb.deployment.modifiers.assumption))
    for f in kb.readiness.factors:
        out.append(a(f"readiness: {f.name.en}", f"上云准备度：{f.name.zh}", f.assumption))
        for i in f.indicators:
            out.append(a(f"readiness: {i.name.en}", f"上云准备度：{i.name.zh}", i.assumption))
    out.append(a("readiness grades", "上云准备度分级", kb.readiness.grades_assumption))
    for rule in kb.rules.deployment + kb.rules.partnership:
        if rule.assumption:
            out.append(
                Provenance(
                    item=Text(en=f"rule: {rule.reason.en}", zh=f"规则：{rule.reason.zh}"),
                    kind="assumption",
                    text=rule.assumption,
                )
            )
    for name, label in COST_RATES.items():
        out.append(
            Provenance(item=label, kind="assumption", text=getattr(kb.costs, f"{name}_assumption"))
        )
    for p in c.inputs.parameters.values():
        label = LABELS[
            p.name
        ]  # its unit goes with the value: "筹备期为18个月", not "（月）为18个月"
        en = label.en.removesuffix(", months").removesuffix(", years")
        zh = label.zh.removesuffix("（月）").removesuffix("（年）")
        out.append(
            Provenance(
                item=Text(
                    en=f"cash flow: {en}: {parameter_text(p.name, p.value, 'en')}",
                    zh=f"现金流参数：{zh}为{parameter_text(p.name, p.value, 'zh')}",
                ),
                kind="scenario" if p.provenance == "scenario" else "assumption",
                text=p.reason or Text(en="given in the scenario", zh="情景中给定"),
            )
        )
    out.append(
        a(
            "solver tolerances",
            "求解器容差",
            Text(
                en=f"estimated mixes are optimal to within {GAP:.2%} of the mix's score (a proven gap), "
                "which keeps large ones to seconds; budget, share, capacity and integrator "
                "rules are checked exactly on the mix itself (in whole fen, each priced line "
                "rounded to the fen); a mix the solver's tolerance let slip past a rule is "
                "never reported: its work is re-split exactly to the fen, or it is excluded and "
                "the model solved again (last with a tolerance below a fen). No rule's limit is "
                "moved, so a mix exactly at a limit (a 50/50 split) is kept; a mix not "
                "proven optimal says so, with its gap",
                zh=f"测算方案与最优解的差距不超过方案得分的{GAP:.2%}（已证明的最优间隙），以使大规模测算"
                "在数秒内完成；预算、份额、容量和总集成规则在测算方案上逐项精确核验（以分为单位，每个计价项"
                "先四舍五入到分）；求解器容差放过的超限方案绝不作为结果输出：或按分精确地重新划分其工作，"
                "或将其排除后重新求解（最后以低于一分的容差求解）。任何规则的限额都不被移动，因此恰好达到"
                "限额的方案（如五五分成）予以保留；未证明最优的方案会注明，并给出其间隙",
            ),
        )
    )
    out.append(
        a(
            "integrator keeps the main and key work",
            "主体和关键性工作由总集成商承担",
            kb.compliance.integrator_main_work.assumption,
        )
    )
    out.append(
        a(
            "cloud-service security assessment",
            "云计算服务安全评估",
            kb.compliance.security_assessment.assumption,
        )
    )
    for step in kb.routes.steps:
        if step.assumption:
            out.append(a(f"timeline: {step.name.en}", f"时间表：{step.name.zh}", step.assumption))
    if plan is None:
        out.append(
            a(
                "open-tender threshold",
                "公开招标数额标准",
                kb.routes.open_tender_threshold_cny.assumption,
            )
        )
    else:  # the figure the plan and the route used, and why
        out.append(
            Provenance(
                item=Text(en="open-tender threshold", zh="公开招标数额标准"),
                kind=plan.threshold_from,
                text=plan.threshold_basis,
            )
        )
    out.append(a("single-source notice", "单一来源公示", kb.routes.single_source_notice.assumption))
    out.append(
        a("parent cloud: who joins", "接入上级统建云的条件", kb.partnership.parent_cloud.assumption)
    )
    out.append(
        a("JV partner selection", "合资公司合作方的选定", kb.partnership.jv_partner.assumption)
    )
    for v in vendors:
        text = v.source or v.assumption or ""
        zh = v.assumption_zh if (v.assumption_zh and not v.source) else text
        out.append(
            Provenance(
                item=Text(
                    en=f"vendor {v.name}: prices and scores",
                    zh=f"供应商{v.name_zh or v.name}：价格与评分",
                ),
                kind="source" if v.source else "assumption",
                text=Text(en=text, zh=zh),
            )
        )
    return out
