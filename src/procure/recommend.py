"""One Recommendation object: every number and explanation the brief shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from procure.assess import Assessment, assess, spend_basis
from procure.award import TOLERANCE
from procure.cashflow import Comparison, compare_modes
from procure.errors import InfeasibleError
from procure.knowledge import MarketFigure, Text, knowledge
from procure.money import fmt_money
from procure.optimizer import GAP, Award, optimize
from procure.parallel import both
from procure.route import advise_route
from procure.scenario import Scenario, scenario_to_data
from procure.sensitivity import Sensitivity, analyse
from procure.vendors import Vendor, catalog_for


class Provenance(BaseModel):
    """One number or rule the run relied on, and whether it is cited or assumed."""

    item: str
    kind: str  # source | assumption
    text: str


class StructureOption(BaseModel):
    """The award under one contract structure, for the side-by-side comparison."""

    structure: str  # integrator | parallel
    name: Text
    total_cost_cny: float | None  # None: no award under this structure
    value: float | None
    vendors: int
    chosen: bool


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
    infeasible: str | None
    comparison: Comparison
    robustness: Sensitivity | None
    market: list[MarketFigure]
    summary: list[Text]
    sources: list[str]
    assumptions: list[Provenance]
    vendors: list[Vendor]
    deviations: list[Text] = []  # systems whose awarded model is not their best fit
    structures: list[StructureOption] = []  # integrator vs parallel contracts, side by side
    award_note: Text | None = None  # how to read the award (e.g. as the JV company's build)


AWARD_DRAWS = 10  # award re-solves in the brief's robustness section (bounded for speed)


def recommend(
    scenario: Scenario,
    base_dir: Path,
    solver: str = "highs",
    vendors: list[Vendor] | None = None,
) -> Recommendation:
    """Assess, optimise and compare; gather provenance; write the five-line summary.
    `vendors`: the catalog already loaded (`procure.inputs`), else read from the scenario."""
    kb = knowledge()
    if vendors is None:
        vendors = catalog_for(scenario.vendors, base_dir)
    assessment = assess(scenario, vendors)

    def solve_award() -> Award | str:
        try:
            return optimize(
                scenario,
                assessment.deployment,
                assessment.weights.weights,
                vendors,
                kb.costs,
                solver=solver,
            )
        except InfeasibleError as exc:
            return str(exc)

    def robustness_of_award() -> Sensitivity:  # skips the award tests itself if there is no award
        return analyse(
            scenario,
            assessment.deployment,
            assessment.weights.weights,
            vendors,
            award_draws=AWARD_DRAWS,
            solver=solver,
        )

    def other_structure() -> Award | None:
        other = "parallel" if scenario.procurement.structure == "integrator" else "integrator"
        try:
            return optimize(
                scenario,
                assessment.deployment,
                assessment.weights.weights,
                vendors,
                kb.costs,
                solver=solver,
                extras=False,
                structure=other,
            )
        except InfeasibleError:
            return None

    # independent solves: run them side by side
    (solved, robustness), alternative = both(
        lambda: both(solve_award, robustness_of_award), other_structure
    )
    award = solved if isinstance(solved, Award) else None
    infeasible = solved if isinstance(solved, str) else None
    if award is not None:  # the route's value is the award's, once there is one
        route = advise_route(
            scenario, award.total_cost_cny, kb.routes, assessment.weights.weights, from_award=True
        )
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
    return Recommendation(
        scenario_name=scenario.name,
        language=scenario.language,
        scenario=scenario_to_data(scenario),
        assessment=assessment,
        award=award,
        infeasible=infeasible,
        comparison=comparison,
        robustness=robustness,
        market=kb.market.figures,
        summary=summary(assessment, award, infeasible, comparison),
        sources=sources(),
        assumptions=assumptions(comparison, used),
        vendors=used,
        deviations=deviations(assessment, award, vendors),
        structures=structures(scenario, award, alternative),
        award_note=note,
    )


ROLE_ZH = {
    "integrator": "总集成商",
    "subcontractor": "分包商",
    "sole": "独家承接",
    "parallel": "平行签约服务商",
}


def summary(
    a: Assessment, award: Award | None, infeasible: str | None, c: Comparison
) -> list[Text]:
    """The decisions in five lines (plus top risks). The deployment line counts the award's
    models when there is an award, so the summary and the award tell one story."""
    mix = dict(a.deployment.mix)
    if award is not None:
        mix = {m: sum(1 for s in award.systems if s.model == m) for m in mix}
    mix_en = ", ".join(f"{n} {m}" for m, n in mix.items() if n)
    model_zh: dict[str, str] = {p.id: p.name.zh for p in knowledge().deployment.models}
    mix_zh = "，".join(f"{model_zh[m]} {n}个" for m, n in mix.items() if n)
    basis = ("as awarded", "按授标结果") if award is not None else ("by best fit", "按最佳适配")
    lines = [
        Text(
            en=f"Deployment: {mix_en} (systems by model, {basis[0]}).",
            zh=f"部署模式：{mix_zh}（按部署模式统计系统数，{basis[1]}）。",
        )
    ]
    if award is not None:
        roles = ", ".join(f"{v.name} [{v.vendor}], {v.role}" for v in award.vendors)
        roles_zh = "；".join(f"{v.name} [{v.vendor}]，{ROLE_ZH[v.role]}" for v in award.vendors)
        lines.append(
            Text(
                en=f"Vendor award: {roles}; total {fmt_money(award.total_cost_cny, 'en')} over "
                f"{len(award.cost_by_year)} years against a budget of "
                f"{fmt_money(award.budget_cny, 'en')}.",
                zh=f"供应商组合：{roles_zh}；合同期{len(award.cost_by_year)}年总成本"
                f"{fmt_money(award.total_cost_cny, 'zh')}，预算{fmt_money(award.budget_cny, 'zh')}。",
            )
        )
    else:
        lines.append(
            Text(
                en=f"Vendor award: none is feasible. {infeasible}",
                zh=f"供应商组合：无可行方案。{infeasible}",
            )
        )
    names = c.qualitative.mode_names
    lines.append(
        Text(
            en=f"Partnership: {names[c.recommended].en.lower()}. {c.reasons[0].en}",
            zh=f"合作模式：{names[c.recommended].zh}。{c.reasons[0].zh}",
        )
    )
    lines.append(
        Text(
            en=f"Procurement route: {a.route.name.en.lower()}.", zh=f"采购方式：{a.route.name.zh}。"
        )
    )
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
    close = [p.system for p in a.deployment.placements if p.margin is not None and p.margin < 3]
    if close:
        risks_en.append(f"close deployment calls for {', '.join(close)}")
        risks_zh.append(f"{'、'.join(close)}的部署模式差距较小")
    p_other = c.risk.probability_cheaper["jv" if c.cheaper == "direct_purchase" else "direct"]
    if p_other > 0.25:
        risks_en.append(f"the cheaper partnership mode flips in {p_other:.0%} of draws")
        risks_zh.append(f"{p_other:.0%}的抽样中合作模式成本优劣反转")
    if award is not None and award.binding:
        risks_en.append("binding rules: " + "; ".join(b.en for b in award.binding))
        risks_zh.append("紧约束：" + "；".join(b.zh for b in award.binding))
    if risks_en:
        lines.append(
            Text(
                en="Top risks: " + "; ".join(risks_en) + ".",
                zh="主要风险：" + "；".join(risks_zh) + "。",
            )
        )
    return lines


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
            )
        )
    return out


def jv_note(c: Comparison) -> Text | None:
    """With a joint venture recommended, the award is what the company builds and operates."""
    if c.recommended != "joint_venture":
        return None
    partner = knowledge().partnership.jv_partner
    return Text(
        en="A joint venture is recommended: read this award as what the JV company builds and "
        "operates, as the one builder-operator, with the vendors below as its partners and "
        f"suppliers. {(partner.assumption or '').capitalize()}.",
        zh="建议采用合资公司模式：本授标结果应理解为合资公司作为唯一的建设运营主体，与下列厂商作为"
        "合作伙伴和供应商共同建设运营的方案。核心企业（战略合作方）应在组建公司前通过竞争性方式"
        "选定，公司组建后负责平台建设和运营。",
    )


def parent_note(scenario: Scenario) -> tuple[Text, Text]:
    """Joining the cloud above: the award prices the alternative; no procurement of its own."""
    level = {"prefecture": ("prefecture", "地市"), "province": ("provincial", "省级")}
    en, zh = level[scenario.agency.parent_cloud]
    note = Text(
        en=f"Joining the {en} unified cloud is recommended: the award below prices the same "
        "resources bought alone, as the comparison the decision rests on.",
        zh=f"建议接入{zh}统建政务云：下列授标结果为单独采购同等资源的测算，仅作比较依据。",
    )
    route = Text(
        en=f"If the agency joins the {en} unified cloud, it buys no platform of its own: units "
        "covered by the unified procurement of the level above sign service agreements with its "
        "winning providers directly (iResearch 2020, ch.2). The method below applies only if it "
        "procures alone.",
        zh=f"如接入{zh}统建政务云，本机构无需单独组织平台采购：纳入上级统一采购范围的单位可直接与"
        "中标厂商签署云服务协议（iResearch 2020，第二章）。以下采购方式仅适用于单独采购的情形。",
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
                f"no bidder offers {models[best].en.lower()}",
                f"没有供应商提供{models[best].zh}",
            )
            if not offered
            else (
                "the award as a whole scores higher this way (its cost, the vendors' quality "
                "and the rules of the award together)",
                "从整体授标看这样得分更高（综合成本、供应商质量与授标规则）",
            )
        )
        out.append(
            Text(
                en=f"{placement.name}: awarded {models[s.model].en.lower()} (fit "
                f"{fit[s.model]:.1f}) rather than its best fit, {models[best].en.lower()} "
                f"(fit {fit[best]:.1f}): {why[0]}.",
                zh=f"{placement.name}：授标为{models[s.model].zh}（适配度{fit[s.model]:.1f}），"
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


def assumptions(c: Comparison, vendors: list[Vendor]) -> list[Provenance]:
    """Every assumption the run used, with its reason."""
    kb = knowledge()
    out = [
        Provenance(item=f"deployment profile: {m.id}", kind="assumption", text=m.assumption or "")
        for m in kb.deployment.models
    ]
    out.append(
        Provenance(
            item="system weight modifiers",
            kind="assumption",
            text=kb.deployment.modifiers.assumption,
        )
    )
    for f in kb.readiness.factors:
        for i in f.indicators:
            out.append(
                Provenance(item=f"readiness: {i.id}", kind="assumption", text=i.assumption or "")
            )
    out.append(
        Provenance(item="readiness grades", kind="assumption", text=kb.readiness.grades_assumption)
    )
    for rule in kb.rules.deployment + kb.rules.partnership:
        if rule.assumption:
            out.append(Provenance(item=f"rule {rule.id}", kind="assumption", text=rule.assumption))
    costs = kb.costs
    for name in (
        "migration",
        "integrator_fee",
        "parallel_integration",
        "multicloud",
        "per_extra_vendor",
        "domestic_preference",
        "incumbent_bonus",
        "local_presence",
        "service_score_weight",
    ):
        text = getattr(costs, f"{name}_assumption")
        out.append(Provenance(item=f"cost rate: {name}", kind="assumption", text=text))
    for p in c.inputs.parameters.values():
        kind = "scenario" if p.provenance == "scenario" else "assumption"
        out.append(
            Provenance(
                item=f"cash flow: {p.name} = {p.value:g}",
                kind=kind,
                text=p.provenance.removeprefix("assumption: "),
            )
        )
    out.append(
        Provenance(
            item="solver tolerances",
            kind="assumption",
            text=(
                f"awards are optimal to within {GAP:.2%} of the award score (a proven gap); "
                f"budget, share and capacity rules hold to within {TOLERANCE:g} of the budget, "
                "the solver's feasibility tolerance, so a share cap can be exceeded by that "
                "much: tighter tolerances made large awards take minutes instead of seconds"
            ),
        )
    )
    for entry, item in (
        (kb.compliance.integrator_main_work, "integrator keeps the main and key work"),
        (kb.compliance.security_assessment, "cloud-service security assessment"),
    ):
        out.append(Provenance(item=item, kind="assumption", text=entry.assumption or ""))
    for step in kb.routes.steps:
        out.append(
            Provenance(
                item=f"timeline: {step.id} days", kind="assumption", text=step.assumption or ""
            )
        )
    threshold = kb.routes.open_tender_threshold_cny
    out.append(
        Provenance(item="open-tender threshold", kind="assumption", text=threshold.assumption or "")
    )
    out.append(
        Provenance(
            item="single-source notice",
            kind="assumption",
            text=kb.routes.single_source_notice.assumption or "",
        )
    )
    for v in vendors:
        out.append(
            Provenance(
                item=f"vendor {v.id} prices and scores",
                kind="source" if v.source else "assumption",
                text=v.source or v.assumption or "",
            )
        )
    return out
