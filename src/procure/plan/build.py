"""The plan (`Plan`): lots, ceilings, competition depth, method, evaluation, SME terms and
qualifications per lot, and the dated timeline. Pure functions over the scenario, the award
estimate and the knowledge data; the per-supplier figures stay in `internal` (内部测算，不公开).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel

from procure.advice.deployment import Deployment
from procure.advice.knowledge import CostRates, RouteKnowledge
from procure.advice.route import add_on_check, evaluation_scheme
from procure.analysis.explain import LISTED
from procure.award.budget import Budget
from procure.award.instance import Instance, build_instance
from procure.award.optimizer import Award, optimize
from procure.errors import ProcureError
from procure.inputs import size
from procure.inputs.scenario import Scenario
from procure.inputs.vendors import Vendor
from procure.money import fmt_money, fmt_pct
from procure.plan.contract import ContractPlan, contract_plan
from procure.plan.joining import JoiningPlan, joining_plan, joins
from procure.plan.lots import (
    MODEL_NAMES,
    Change,
    Scope,
    ceiling,
    depth_text,
    estimated_value,
    estimates,
    mix_cost,
    priced,
    scopes,
    split_changes,
    within,
)
from procure.plan.names import name_list
from procure.plan.rules import Law, Minimum, PlanKnowledge, Threshold, plan_knowledge
from procure.plan.workdays import WorkCalendar, known_years
from procure.text import Text, fmt_date

LAYER_NAMES = {
    "iaas": Text(en="IaaS", zh="基础设施服务"),
    "paas": Text(en="PaaS", zh="平台服务"),
    "saas": Text(en="SaaS", zh="应用服务"),
    "security": Text(en="security services", zh="安全服务"),
    "ops": Text(en="operations services", zh="运维服务"),
}
Method = Literal["open_tender", "competitive_consultation", "single_source", "none"]
RESOLVE_LIMIT = 30.0  # seconds for the estimate solved again under an adopted relaxation (it
# starts from the original estimate, a valid mix, so it always has one)
# "none": the lot's competitive method cannot proceed (too few eligible candidate suppliers
# and no change tried gives enough); `Lot.intended` is the method its budget would call for


class ScoreRow(BaseModel):
    factor: Text
    points: int


class EvaluationPlan(BaseModel):
    method: Literal["lowest_price", "comprehensive_scoring", "negotiation", "none"]
    name: Text
    reason: Text
    basis: str
    price_range: tuple[float, float] | None = None
    table: list[ScoreRow] = []
    formula: Text | None = None


class Qualification(BaseModel):
    id: str
    text: Text
    basis: str


class Lot(BaseModel):
    id: str
    name: Text
    systems: list[str]  # the systems' names, as the scenario gives them
    layers: list[str]
    vcpu: float
    memory_gb: float
    storage_tb: float
    estimated_value_cny: float
    value_basis: Text  # the basis of the estimate, the ceiling and the candidates' estimates
    eligible: int
    without_cheapest_cny: float | None  # the lowest estimate once the cheapest is removed
    ceiling_cny: float | None
    ceiling_rule: Text
    budget_cny: float | None
    method: Method
    method_name: Text
    method_reasons: list[Text]
    intended: Method | None = None  # method "none": the method the lot's budget calls for
    adjustment: Text | None = None  # the change adopted so that the lot has the competition
    # its method needs (the statement of `Plan.adjustments`)
    approval: Text | None
    evaluation: EvaluationPlan
    sme: list[Text]
    qualifications: list[Qualification]
    qualification_check: Text
    subcontracting: Text | None
    contract: ContractPlan
    risks: list[Text]


class Step(BaseModel):
    id: str
    name: Text
    start: str  # ISO dates: the JSON is plain data
    end: str
    basis: str | None
    note: Text | None = None


class Schedule(BaseModel):
    method: Method
    lots: list[str]
    steps: list[Step]


class Adjustment(BaseModel):
    """A change of lots adopted so that every lot has the competition its method needs."""

    change: Text  # what was changed ('buy the security and operations services in a lot ...')
    note: Text  # the change, why and its cost, in short: each of its lots' tables
    lots: list[str]  # the lots it gave
    ceiling_delta_cny: float  # what it costs: the ceilings after, less before
    # a relaxation: the estimated mix's total on the original requirement, and solved again
    # under the change (None: it could not be, the lots' values are the original estimate's),
    # and how that solve ended (optimal; time_limit: stopped at it with a mix, not proven
    # optimal; not_solved: no mix in time; no_time: the time budget left too little to start)
    estimate_before_cny: float | None = None
    estimate_after_cny: float | None = None
    estimate_resolve: Literal["optimal", "time_limit", "not_solved", "no_time"] | None = None
    text: Text  # the whole statement: which change, why, what it costs


class Candidate(BaseModel):
    vendor: str
    name: str
    name_zh: str | None
    estimate_cny: float


class InternalLot(BaseModel):
    lot: str
    candidates: list[Candidate]


class Plan(BaseModel):
    scenario: str
    kind: Literal["tender", "join"] = "tender"  # join: the lots are the compared alternative
    joining: JoiningPlan | None = None  # what an agency joining the cloud above does instead
    knowledge_date: str
    start: str
    start_basis: Text
    threshold_cny: float
    threshold_basis: Text
    threshold_from: Literal["source", "scenario", "assumption"] = "source"  # knowledge, the
    # scenario's own figure, or the central one assumed for a province not sourced
    lots: list[Lot]
    adjustments: list[Adjustment] = []  # changes adopted for competition: why, what they cost
    relaxed: dict[str, str] = {}  # requirements an adopted change made preferences (procurement
    # field: value), for the whole procurement: every lot follows them
    total_ceiling_cny: float | None
    budget_cny: float
    schedules: list[Schedule]
    findings: list[Text]
    cautions: list[Text]
    internal: list[InternalLot]  # 内部测算，不公开: per-supplier estimates, never published


def cite(law: Law) -> str:
    return law.cite()


def chinese_citation(source: str) -> str:
    """The route knowledge's 'citation (English gloss)': the citation alone."""
    return source.split(" (", 1)[0]


def open_threshold(scenario: Scenario, kb: PlanKnowledge) -> tuple[float, Text, bool]:
    """The open-tender threshold used, why, and whether the scenario must still give it: the
    figure for the agency's level when the knowledge has one (central: 国办发〔2019〕55号), else
    the scenario's local figure, else the lowest known figure, said as a finding."""
    own = threshold_law(scenario, kb)
    given = scenario.procurement.open_tender_threshold_cny
    if own is not None:
        where = (
            Text(en="central units'", zh="中央预算单位")
            if own.region is None
            else Text(
                en=f"{kb.regions[own.region].en} {own.level}-level units'",
                zh=f"{kb.regions[own.region].zh}{LEVEL_ZH[own.level]}单位",
            )
        )
        basis = Text(
            en=f"{fmt_money(own.value, 'en')} for services, the {where.en} figure "
            f"({cite(own)}, in force since {own.effective})",
            zh=f"服务类{fmt_money(own.value, 'zh')}，{where.zh}标准（{cite(own)}，"
            f"自{fmt_date(own.effective_date(), 'zh')}起执行）",
        )
        if given is not None and given != own.value:
            basis = Text(
                en=basis.en + f"; the scenario's {fmt_money(given, 'en')} is not used",
                zh=basis.zh + f"；未采用情景填写的{fmt_money(given, 'zh')}",
            )
        return own.value, basis, False
    if given is not None:
        return (
            given,
            Text(
                en=f"{fmt_money(given, 'en')}, the local figure the scenario gives "
                "(set in the scenario)",
                zh=f"{fmt_money(given, 'zh')}，情景填写的本地标准",
            ),
            False,
        )
    fallback = kb.threshold_for(kb.fallback_threshold.level)
    assert fallback is not None  # the knowledge's own consistency, checked by a test
    reason = kb.fallback_threshold.reason
    regions = sorted({t.region for t in kb.thresholds if t.region})
    return (
        fallback.value,
        Text(
            en=reason.en.format(regions=", ".join(kb.regions[r].en for r in regions)),
            zh=reason.zh.format(regions="、".join(kb.regions[r].zh for r in regions)),
        ),
        True,
    )


LEVEL_ZH = {"central": "中央", "province": "省级", "prefecture": "市级", "county": "县级"}


def threshold_law(scenario: Scenario, kb: PlanKnowledge) -> Threshold | None:
    """The sourced figure for the agency's level and province (agency.province), if any."""
    return kb.threshold_for(scenario.agency.level, scenario.agency.province)


def consultation_cases(scenario: Scenario, scope: Scope, kb: PlanKnowledge) -> list[Text]:
    """The cases of 财库〔2014〕214号 art. 3 that the scenario shows for this lot, each named."""
    systems = [s for s in scenario.systems if str(s.id) in scope.systems]
    holds = {
        "complex": any("saas" in s.layers and not s.legacy for s in systems),
        "quantity": any(s.elasticity == "high" for s in systems),
    }
    law = kb.consultation_cases
    return [
        Text(
            en=f"{cite(law)}{c.item}: {c.name.en} — {c.check.en}",
            zh=f"{cite(law)}{c.item}：{c.name.zh}——{c.check.zh}",
        )
        for c in law.cases
        if holds.get(c.id)
    ]


def decide_method(
    scenario: Scenario,
    scope: Scope,
    budget: float,
    threshold: float,
    costs: dict[str, float],
    vendors: dict[str, Vendor],
    kb: PlanKnowledge,
    routes: RouteKnowledge,
) -> tuple[Method, list[Text]]:
    """The lot's method from its budget (never from the award): single source for an add-on
    only from the incumbent, eligible for the whole lot and within 10% (GPL art. 31(3), 49);
    competitive consultation only in a case of 214号 art. 3; else open tender. At or above the
    threshold a non-open method needs approval, under its own article."""
    p = scenario.procurement
    reasons: list[Text] = []
    above = budget >= threshold
    if p.expansion and p.incumbent is not None:
        inc = vendors[p.incumbent].label("en") if p.incumbent in vendors else p.incumbent
        inc_zh = vendors[p.incumbent].label("zh") if p.incumbent in vendors else p.incumbent
        law = kb.add_on
        if p.incumbent not in costs:
            reasons.append(
                Text(
                    en=f"Not an add-on case ({cite(law)}): the original supplier, {inc}, is not "
                    "eligible for the whole lot, and single source for an add-on may only go to "
                    "the original supplier.",
                    zh=f"不属于添购情形（{cite(law)}）：原供应商{inc_zh}不能承担整个采购包，"
                    "而添购的单一来源采购只能向原供应商采购。",
                )
            )
        else:
            check = add_on_check(scenario, costs[p.incumbent], False, routes)
            if check.within:
                method: Method = "single_source"
                reasons.append(
                    Text(
                        en=f"An add-on from the original supplier, {inc} ({cite(law)}): all "
                        f"add-ons {fmt_money(check.total_cny, 'en')} are within "
                        f"{fmt_pct(law.limit, 0)} of the original contract "
                        f"({fmt_money(check.limit_cny or 0.0, 'en')}).",
                        zh=f"向原供应商{inc_zh}添购（{cite(law)}）：全部添购金额"
                        f"{fmt_money(check.total_cny, 'zh')}不超过原合同金额的"
                        f"{fmt_pct(law.limit, 0)}（{fmt_money(check.limit_cny or 0.0, 'zh')}）。",
                    )
                )
                reasons.append(law.notice)
                return method, reasons
            why = (
                Text(
                    en="the original contract's value is not given",
                    zh="未填写原合同金额",
                )
                if check.within is None
                else Text(
                    en=f"all add-ons, {fmt_money(check.total_cny, 'en')}, exceed "
                    f"{fmt_pct(law.limit, 0)} of the original contract",
                    zh=f"全部添购金额{fmt_money(check.total_cny, 'zh')}超过原合同金额的"
                    f"{fmt_pct(law.limit, 0)}",
                )
            )
            reasons.append(
                Text(
                    en=f"Not an add-on case ({cite(law)}): {why.en}; the lot is competed.",
                    zh=f"不属于添购情形（{cite(law)}）：{why.zh}；该采购包须竞争采购。",
                )
            )
    cases = consultation_cases(scenario, scope, kb)
    budget_text = Text(
        en=f"the lot's budget {fmt_money(budget, 'en')} is "
        f"{'at or above' if above else 'below'} the open-tender threshold "
        f"{fmt_money(threshold, 'en')}",
        zh=f"采购包预算{fmt_money(budget, 'zh')}{'达到' if above else '低于'}公开招标数额标准"
        f"{fmt_money(threshold, 'zh')}",
    )
    if cases:
        method = "competitive_consultation"
        reasons.append(
            Text(
                en=f"Competitive consultation: {budget_text.en}, and the lot is a case of "
                f"{kb.consultation_cases.document}{kb.consultation_cases.article}:",
                zh=f"竞争性磋商：{budget_text.zh}，且属于{kb.consultation_cases.document}"
                f"{kb.consultation_cases.article}规定的情形：",
            )
        )
        reasons += cases
    else:
        method = "open_tender"
        tender = kb.methods["open_tender"]
        reasons.append(
            Text(
                en=f"Open tender: {budget_text.en}; no case of "
                f"{kb.consultation_cases.document}{kb.consultation_cases.article} holds for the "
                f"lot, so no other method is open to it ({tender.document}{tender.article}).",
                zh=f"公开招标：{budget_text.zh}；该采购包不属于{kb.consultation_cases.document}"
                f"{kb.consultation_cases.article}规定的任何情形，不采用其他方式"
                f"（{tender.document}{tender.article}）。",
            )
        )
    return method, reasons


def approval(method: Method, above: bool, kb: PlanKnowledge) -> Text | None:
    law = kb.methods[method]
    where = law.approval()
    if method == "open_tender" or where is None:
        return None
    if not above:
        return Text(
            en="Below the open-tender threshold: no approval of the method is needed.",
            zh="低于公开招标数额标准：采购方式无需报批。",
        )
    return Text(
        en=f"At or above the open-tender threshold: the finance department approves "
        f"{law.name.en.lower()} before procurement starts ({where}).",
        zh=f"达到公开招标数额标准：采用{law.name.zh}须在采购活动开始前报经财政部门批准"
        f"（{where}）。",
    )


def uniform(scenario: Scenario, scope: Scope) -> bool:
    """Standard IaaS resources only (vCPU, memory, storage at unit prices): uniform standards."""
    systems = [s for s in scenario.systems if str(s.id) in scope.systems]
    return bool(systems) and not scope.layers and all(s.layers == ["iaas"] for s in systems)


def evaluation_plan(
    method: Method,
    scenario: Scenario,
    scope: Scope,
    weights: dict[str, float],
    kb: PlanKnowledge,
    routes: RouteKnowledge,
) -> EvaluationPlan:
    """最低评标价法 for an open tender of uniform resources (87号令 art. 54); else the legal
    scheme of the method: comprehensive scoring with its table, or a negotiated price."""
    if method == "open_tender" and uniform(scenario, scope):
        law = kb.evaluation.lowest_price
        return EvaluationPlan(
            method="lowest_price",
            name=law.name,
            reason=Text(
                en="standard IaaS resources priced per unit: technical and service standards "
                "are uniform",
                zh="按单价计量的标准基础设施资源：技术、服务等标准统一",
            ),
            basis=cite(law),
        )
    scheme = evaluation_scheme(method, weights, routes)
    if scheme.method == "negotiation":
        return EvaluationPlan(
            method="negotiation",
            name=scheme.name,
            reason=Text(
                en="single source: the price is agreed, not scored",
                zh="单一来源采购：商定价格，不评分",
            ),
            basis=chinese_citation(scheme.source),
            formula=scheme.formula,
        )
    law = kb.evaluation.scoring
    reason = Text(
        en="the lot is not of uniform standards (it includes platform, application, security "
        "or operations services)"
        if method == "open_tender"
        else "a consultation is evaluated by comprehensive scoring",
        zh="该采购包的技术、服务标准不统一（含平台、应用、安全或运维服务）"
        if method == "open_tender"
        else "竞争性磋商采用综合评分法",
    )
    return EvaluationPlan(
        method="comprehensive_scoring",
        name=law.name,
        reason=reason,
        basis=chinese_citation(scheme.source),
        price_range=scheme.price_range,
        table=[ScoreRow(factor=c.name, points=round(c.weight * 100)) for c in scheme.criteria],
        formula=scheme.formula,
    )


def sme_terms(method: Method, budget: float, kb: PlanKnowledge) -> list[Text]:
    """SME terms (财库〔2020〕46号 art. 8; price deduction as raised by 财库〔2022〕19号)."""
    sme = kb.sme
    if method == "single_source":
        return [
            Text(
                en="Single source: no reservation or price deduction applies (no competition).",
                zh="单一来源采购：不适用预留份额和价格扣除（无竞争）。",
            )
        ]
    d = sme.deduction
    deduction = Text(
        en=f"Price deduction for small and micro enterprises: {fmt_pct(d.low, 0)}-"
        f"{fmt_pct(d.high, 0)} of the price for evaluation (the documents fix the figure); "
        f"{fmt_pct(d.consortium_low, 0)}-{fmt_pct(d.consortium_high, 0)} for a consortium with, "
        f"or subcontracting to, small and micro enterprises ({cite(d)}, in force since "
        f"{d.effective}).",
        zh=f"对小微企业的价格扣除：评审价格扣除{fmt_pct(d.low, 0)}至{fmt_pct(d.high, 0)}"
        f"（具体比例在采购文件中确定）；大中型企业与小微企业组成联合体或向小微企业分包的，"
        f"扣除{fmt_pct(d.consortium_low, 0)}至{fmt_pct(d.consortium_high, 0)}"
        f"（{cite(d)}，自{fmt_date(d.effective_date(), 'zh')}起执行）。",
    )
    r = sme.reserve
    if budget <= sme.reserve_limit:
        return [
            Text(
                en=f"Budget within {fmt_money(sme.reserve_limit, 'en')}: reserved for small and "
                "medium enterprises where they can supply it; otherwise the documents say why "
                f"({cite(r)}, in force since {r.effective}).",
                zh=f"预算不超过{fmt_money(sme.reserve_limit, 'zh')}：适宜由中小企业提供的，"
                f"专门面向中小企业采购；不适宜的在采购文件中说明理由（{cite(r)}，"
                f"自{fmt_date(r.effective_date(), 'zh')}起执行）。",
            ),
            deduction,
        ]
    return [
        Text(
            en=f"Budget above {fmt_money(sme.reserve_limit, 'en')}: reserve at least "
            f"{fmt_pct(sme.reserve_share, 0)} of the budget of the parts small and medium "
            "enterprises can supply (a reserved lot, a consortium or subcontracting term), or "
            f"say why not ({cite(r)}, in force since {r.effective}).",
            zh=f"预算超过{fmt_money(sme.reserve_limit, 'zh')}：适宜由中小企业提供的部分，预留该"
            f"部分预算总额的{fmt_pct(sme.reserve_share, 0)}以上面向中小企业（预留采购包、联合体"
            f"或分包条款），不预留的说明理由（{cite(r)}，自{fmt_date(r.effective_date(), 'zh')}"
            "起执行）。",
        ),
        deduction,
    ]


def qualifications(scenario: Scenario, scope: Scope, kb: PlanKnowledge) -> list[Qualification]:
    """The conditions a supplier must meet for the whole lot: those the award enforces."""
    rules = {r.id: r for r in kb.qualifications.rules}
    p = scenario.procurement
    systems = [s for s in scenario.systems if str(s.id) in scope.systems]
    out: list[Qualification] = []
    if systems:
        level = max(s.mlps_level for s in systems)
        r = rules["mlps"]
        out.append(
            Qualification(
                id="mlps",
                text=Text(en=r.name.en.format(level=level), zh=r.name.zh.format(level=level)),
                basis=cite(r),
            )
        )
    if p.domestic_stack == "required":
        r = rules["domestic"]
        out.append(Qualification(id="domestic", text=r.name, basis=cite(r)))
    if p.security_assessment == "required":
        r = rules["assessment"]
        out.append(Qualification(id="assessment", text=r.name, basis=cite(r)))
    layers = lot_layers(scenario, scope)
    r = rules["layers"]
    out.append(
        Qualification(
            id="layers",
            text=Text(
                en=r.name.en.format(layers=", ".join(LAYER_NAMES[x].en for x in layers)),
                zh=r.name.zh.format(layers="、".join(LAYER_NAMES[x].zh for x in layers)),
            ),
            basis=cite(r),
        )
    )
    return out


def qualification_check(quals: list[Qualification], kb: PlanKnowledge) -> Text:
    """None of the conditions is one the law forbids (size, capital, ownership, location: 87号令
    art. 17; implementing regulations art. 20): only the rules the knowledge lists as lawful
    conditions are used. Raises ValueError on any other."""
    lawful = {r.id for r in kb.qualifications.rules}
    bad = [q.id for q in quals if q.id not in lawful]
    if bad:
        raise ValueError(f"qualification(s) {bad} are not lawful conditions in the knowledge")
    names = [f.name for f in kb.qualifications.forbidden]
    where = "; ".join(cite(f) for f in kb.qualifications.forbidden)
    return Text(
        en="None of these is a condition the law forbids: "
        + "; ".join(n.en for n in names)
        + f" ({where}). Local presence, which the estimate credits, is neither a qualification "
        "nor a scoring factor.",
        zh="以上条件均不属于法律禁止的条件："
        + "；".join(n.zh for n in names)
        + f"（{where}）。内部测算中计入的本地服务能力既不作为资格条件，也不作为评分因素。",
    )


def lot_layers(scenario: Scenario, scope: Scope) -> list[str]:
    used: set[str] = {x for s in scenario.systems if str(s.id) in scope.systems for x in s.layers}
    used |= set(scope.layers)
    return [x for x in LAYER_NAMES if x in used]


def subcontracting(inst: Instance, scope: Scope, kb: PlanKnowledge) -> Text | None:
    """With a general integrator: what the tender lets the supplier subcontract (non-main,
    non-key work), never a named subcontractor."""
    if inst.structure != "integrator" or not scope.systems:
        return None
    kept_en = ["the platform's integration and overall delivery"]
    kept_zh = ["平台集成及总体交付"]
    if inst.integrator_systems:
        names = [inst.system_name(s) for s in inst.integrator_systems if s in scope.systems]
        if names:
            listed = name_list(names, len(inst.systems))
            kept_en.append(f"the MLPS level 4 systems ({listed.en})")
            kept_zh.append(f"等保四级系统（{listed.zh}）")
    if any(x in scope.layers for x in inst.integrator_layers):  # when the lot buys them
        kept_en.append("the security services")
        kept_zh.append("安全服务")
    law = kb.subcontracting
    return Text(
        en="Subcontracting terms of the documents: the supplier keeps "
        + "; ".join(kept_en)
        + "; it may subcontract other, non-main and non-key parts, as the documents allow "
        f"and its response states ({cite(law)}). No subcontractor is named in advance.",
        zh="采购文件的分包条款：供应商自行承担"
        + "；".join(kept_zh)
        + f"；其他非主体、非关键性工作可按采购文件规定并在响应文件中载明后分包（{cite(law)}）。"
        "不预先指定分包供应商。",
    )


RELAXATIONS: list[tuple[str, str, Text]] = [
    (
        "domestic_stack",
        "preferred",
        Text(
            en="make the domestic (Xinchuang) stack preferred instead of required",
            zh="将信创要求由“必须”改为“优先”",
        ),
    ),
    (
        "security_assessment",
        "preferred",
        Text(
            en="make the security assessment preferred instead of required",
            zh="将云计算服务安全评估由“必须”改为“优先”",
        ),
    ),
]


Relax = tuple[tuple[str, str], ...]  # procurement fields made preferences, and their values


def relax_options(scenario: Scenario) -> list[tuple[Relax, Text]]:
    """Requirements the law does not impose on every project that may be made preferences:
    each alone, then all of them together (there are two). Each is a requirement of the whole
    procurement (the scenario sets it once), so a relaxation, once adopted, holds for every
    lot."""
    p = scenario.procurement
    each: list[tuple[Relax, Text]] = [
        (((f, to),), text) for f, to, text in RELAXATIONS if getattr(p, f) == "required"
    ]
    if len(each) > 1:
        each.append(
            (
                tuple(r for relax, _ in each for r in relax),
                Text(
                    en=", and ".join(t.en for _, t in each),
                    zh="，并".join(t.zh for _, t in each),
                ),
            )
        )
    return each


def combined(changes: list[Change]) -> Change:
    """The changes made together: the last one's lots, every requirement relaxed."""
    return Change(
        text=Text(
            en=", and ".join(c.text.en for c in changes),
            zh="，并".join(c.text.zh for c in changes),
        ),
        parts=changes[-1].parts,
        relax=tuple(r for c in changes for r in c.relax),
    )


def relaxed(scenario: Scenario, relax: Relax) -> Scenario:
    if not relax:
        return scenario
    p = scenario.procurement.model_copy(update=dict(relax))
    return scenario.model_copy(update={"procurement": p})


@dataclass
class Draft:
    """A lot before it is written out: its scope, estimates, ceiling and method."""

    scenario: Scenario  # with the change's requirements relaxed, if any
    inst: Instance
    scope: Scope
    value: float
    costs: dict[str, float]
    top: float | None
    method: Method
    reasons: list[Text]
    mix: float  # the estimate's own cost of the scope, before `value` is kept within `costs`

    @property
    def budget(self) -> float:
        return self.top if self.top is not None else self.value


Resolve = Literal["optimal", "time_limit", "not_solved", "no_time"]


@dataclass
class Market:
    """What a lot is drafted from: the estimate's inputs and the instances per relaxation.
    `solver`, `time_limit` (--solver, --time-limit) and `budget` (the time the analysis around
    the estimate shares, if any) bound the estimate solved again under a relaxation."""

    scenario: Scenario
    deployment: Deployment
    weights: dict[str, float]
    vendors: list[Vendor]
    rates: CostRates
    award: Award
    threshold: float
    kb: PlanKnowledge
    routes: RouteKnowledge
    instances: dict[Relax, Instance] = field(default_factory=dict)
    awards: dict[Relax, Award | None] = field(default_factory=dict)
    resolved: dict[Relax, tuple[Resolve, float]] = field(default_factory=dict)
    solver: str = "highs"
    time_limit: float = RESOLVE_LIMIT
    budget: Budget | None = None
    oversized: list[Text] = field(default_factory=list)  # relaxations not tried: too large

    def fits(self, relax: Relax, text: Text) -> bool:
        """Whether the award model under `relax` stays within the size procure solves
        (`inputs.size`): a requirement made a preference lets every bidder in, and a tender
        accepted with 信创 required (a few bidders) may be far past it relaxed (2,000 systems
        and 500 bidders: gigabytes). One that does not is not tried, and said
        (`oversized`)."""
        if not size.estimate(relaxed(self.scenario, relax), self.vendors).too_large:
            return True
        if text not in self.oversized:
            self.oversized.append(text)
        return False

    def relaxed_award(self, relax: Relax) -> Award | None:
        """The award estimate solved again with `relax`'s requirements made preferences (from
        the original estimate, which stays a valid mix), within --time-limit, RESOLVE_LIMIT and
        what the time budget leaves; None if no mix is found in time, or no time is left."""
        if not relax:
            return self.award
        if relax not in self.awards:
            seconds: float | None = min(self.time_limit, RESOLVE_LIMIT)
            if self.budget is not None and seconds is not None:
                seconds = self.budget.limit(seconds)
            if seconds is None:
                self.awards[relax] = None
                self.resolved[relax] = ("no_time", 0.0)
                assert self.budget is not None
                self.budget.cut(RESOLVE_WHAT)
                return None
            try:
                award = optimize(
                    relaxed(self.scenario, relax),
                    self.deployment,
                    self.weights,
                    self.vendors,
                    self.rates,
                    solver=self.solver,
                    extras=False,
                    start=self.award,
                    structure=self.award.structure,
                    time_limit=seconds,
                )
            except ProcureError:
                self.awards[relax] = None
                self.resolved[relax] = ("not_solved", seconds)
                if self.budget is not None:
                    self.budget.stop(RESOLVE_WHAT)
                return None
            stopped = award.status == "Time limit"
            self.awards[relax] = award
            self.resolved[relax] = ("time_limit" if stopped else "optimal", seconds)
            if stopped and self.budget is not None:
                self.budget.stop(RESOLVE_WHAT)
        return self.awards[relax]

    def instance(self, relax: Relax) -> Instance:
        if relax not in self.instances:
            self.instances[relax] = build_instance(
                relaxed(self.scenario, relax),
                self.deployment,
                self.weights,
                self.vendors,
                self.rates,
                structure=self.award.structure,
            )
        return self.instances[relax]

    def draft(self, scope: Scope, value: float, relax: Relax = ()) -> Draft:
        scenario, inst = relaxed(self.scenario, relax), self.instance(relax)
        costs = estimates(inst, scope)
        mix, value = value, round(within(value, list(costs.values())), 2)
        top = ceiling(list(costs.values()), value, self.kb)
        budget = top if top is not None else value
        by_id = {v.id: v for v in self.vendors}
        method, reasons = decide_method(
            scenario, scope, budget, self.threshold, costs, by_id, self.kb, self.routes
        )
        return Draft(scenario, inst, scope, value, costs, top, method, reasons, mix)


RESOLVE_WHAT = Text(
    en="the estimated mix solved again under the relaxed requirement the plan adopts",
    zh="按采购实施计划采用的放宽后要求重新求解测算组合",
)


def short_of(d: Draft, kb: PlanKnowledge) -> Minimum | None:
    """The competition the draft's method needs by law, when it has fewer eligible candidates."""
    law = kb.minimum(d.method)
    return law if law is not None and len(d.costs) < law.min_suppliers else None


@dataclass(frozen=True)
class Settled:
    """One lot of the original estimate under a relaxation (none: as the scenario asks): the
    lots it becomes and the change adopted for it (None: it needed none, or none tried gives
    enough). `origin`: the lot under the scenario's own requirements; `law`: the competition
    its method lacked there."""

    origin: Draft
    drafts: list[Draft]
    change: Change | None
    law: Minimum | None


@dataclass(frozen=True)
class Option:
    """The whole plan's lots under one relaxation (none: as the scenario asks), each lot short
    of competition given the cheapest change that gives every resulting lot enough."""

    relax: Relax
    text: Text | None  # the relaxation's words
    lots: list[Settled]
    award: Award  # the estimate the lots are valued on (solved again under the relaxation)

    @property
    def blocked(self) -> int:
        return sum(1 for s in self.lots if s.law is not None and s.change is None)

    @property
    def total(self) -> float | None:
        tops = [d.top for s in self.lots for d in s.drafts]
        return None if any(t is None for t in tops) else sum(t or 0.0 for t in tops)

    def key(self) -> tuple[int, float, int, str]:
        tops = sum(d.top or 0.0 for s in self.lots for d in s.drafts)
        return (self.blocked, tops, len(self.relax), self.text.en if self.text else "")


def option(
    market: Market,
    origins: list[Draft],
    relax: Relax,
    text: Text | None,
    names: dict[str, str],
    levels: dict[str, int],
    dry: bool = False,
) -> Option:
    """Every lot under `relax` (valued on the estimate solved again under it, else, or for a
    `dry` run, on the original), and for each lot the original requirements leave short of competition, the
    cheapest of: the lot as it is under the relaxation (none: not a change), or one of the
    splits tried, whose every lot has the competition its own method needs."""
    award = (None if dry else market.relaxed_award(relax)) or market.award
    inst = market.instance(relax)
    out: list[Settled] = []
    for o in regrouped(market, origins, award):
        law = short_of(o, market.kb)
        d = market.draft(o.scope, estimated_value(inst, award, o.scope), relax) if relax else o
        if law is None:
            out.append(Settled(o, [d], None, None))
            continue
        splits = split_changes(
            d.scope,
            d.mix,
            lambda part: (mix_cost(inst, award, part), priced(inst, award, part)),
            names,
            levels,
        )
        changes = splits
        if relax and text is not None:
            alone = Change(text=text, parts=((d.scope, d.mix),), relax=relax)
            changes = [alone] + [combined([alone, s]) for s in splits]
        found: list[tuple[float, str, Change, list[Draft]]] = []
        for change in changes:
            drafts = [market.draft(scope, value, relax) for scope, value in change.parts]
            if any(x.top is None or short_of(x, market.kb) for x in drafts):
                continue
            found.append((sum(x.top or 0.0 for x in drafts), change.text.en, change, drafts))
        if not found:
            out.append(Settled(o, [d], None, law))
            continue
        _, _, change, drafts = min(found, key=lambda f: (f[0], f[1]))
        out.append(Settled(o, drafts, change, law))
    return Option(relax, text, out, award)


def regrouped(market: Market, origins: list[Draft], award: Award) -> list[Draft]:
    """The lots as `award` groups them (parallel lots: one per platform its mix uses), each
    drafted under the scenario's own requirements and valued on the original estimate: the
    `origins` when its grouping is theirs; else the lots of the mix the plan adopts (solved
    again under a relaxation, it may move a system to another platform), so that the lots
    the brief publishes follow the estimated mix it shows."""
    groups = scopes(market.scenario, award)
    if [(g.model, g.systems) for g in groups] == [
        (o.scope.model, o.scope.systems) for o in origins
    ]:
        return origins
    inst = market.instance(())
    return [market.draft(g, estimated_value(inst, market.award, g)) for g in groups]


def adopted_option(
    market: Market, origins: list[Draft], names: dict[str, str], levels: dict[str, int]
) -> Option:
    """The plan's lots: as drafted when every lot has the competition its method needs; else
    the cheapest way to give the lots short of it their competition: for each relaxation tried
    (none, each, all), every lot under it and each short lot's cheapest split, or the lot as
    it is once relaxed. A relaxation is adopted only when it gives some short lot its
    competition and leaves no more lots without it than none does; then the fewest lots
    without a method, the lowest ceilings in total (the cheapest also keeps the ceilings within
    the budget whenever any option does: both go by the same total), the fewest relaxations."""
    plain = option(market, origins, (), None, names, levels)
    if not any(s.law is not None for s in plain.lots):
        return plain
    short = sum(1 for s in plain.lots if s.law is not None)
    found = [plain]
    for relax, text in relax_options(market.scenario):
        if not market.fits(relax, text):
            continue
        # the candidates do not depend on the estimate: solve again only when it helps
        if option_helps(market, origins, relax, (plain.blocked, short), names, levels):
            tried = option(market, origins, relax, text, names, levels)
            # adopted for a lot it gives its competition (regrouped by the mix solved again,
            # a lot short under the scenario's own requirement may be one no longer)
            needed = any(s.change is not None for s in tried.lots)
            if needed and tried.blocked < short and tried.blocked <= plain.blocked:
                found.append(tried)
    return min(found, key=lambda o: o.key())


def option_helps(
    market: Market,
    origins: list[Draft],
    relax: Relax,
    counts: tuple[int, int],
    names: dict[str, str],
    levels: dict[str, int],
) -> bool:
    """Whether `relax` could give a short lot its competition, on the original estimate's
    values (eligibility does not depend on them), before the estimate is solved again."""
    dry = option(market, origins, relax, Text(en="", zh=""), names, levels, dry=True)
    blocked, short = counts
    return dry.blocked < short and dry.blocked <= blocked


@dataclass(frozen=True)
class Estimate:
    """The estimate's total on the original requirements (`before`) and solved again under the
    adopted relaxation (`after`, None: it could not be), how that solve ended and its seconds."""

    before: float
    after: float | None
    resolve: Resolve | None
    seconds: float
    others: tuple[float, float] | None = None  # the other lots' ceilings before and after it


def settle(
    market: Market, chosen: Option
) -> list[tuple[Draft, Adjustment | None, Text | None, list[Text]]]:
    """Each of the adopted option's lots with the adjustment that gave it (its statement: the
    change, why, what it costs), its own note (a lot that only follows a relaxation adopted for
    another says so) and its risks (a lot with no competitive method: what the buyer must
    do)."""
    kb = market.kb
    total = chosen.total
    fits = None if total is None else total <= market.scenario.procurement.budget_cny + 0.005
    resolve, seconds = market.resolved.get(chosen.relax, (None, 0.0))
    solved = market.awards.get(chosen.relax) if chosen.relax else None
    rest = [s for s in chosen.lots if s.change is None]
    tops = [s.origin.top for s in rest], [d.top for s in rest for d in s.drafts]
    others = (
        (sum(t or 0.0 for t in tops[0]), sum(t or 0.0 for t in tops[1]))
        if chosen.relax and rest and None not in tops[0] + tops[1]
        else None
    )
    est = Estimate(
        market.award.total_cost_cny,
        solved.total_cost_cny if solved else None,
        resolve,
        seconds,
        others,
    )
    needing = [s.origin.scope.name for s in chosen.lots if s.change is not None]
    changed = [s for s in chosen.lots if s.change is not None and s.law is not None]
    moved = regroup_text(market, chosen)
    once = (
        plan_wide(changed, chosen, est, fits, moved)
        if chosen.relax and chosen.text is not None and (len(changed) > 1 or moved)
        else None
    )
    out: list[tuple[Draft, Adjustment | None, Text | None, list[Text]]] = []
    for s in chosen.lots:
        if s.change is None or s.law is None:
            note = follows(chosen.text, needing) if chosen.text is not None else None
            for d in s.drafts:
                law = short_of(d, kb)
                out.append((d, None, note, [shortfall_text(d, law, kb)] if law else []))
            continue
        if once is not None:  # one relaxation for several lots: said once, each lot's effect
            out += [(x, once, once.note, []) for x in s.drafts]
            continue
        d, law, change = s.origin, s.law, s.change
        top = sum(x.top or 0.0 for x in s.drafts)
        adjusted = Adjustment(
            change=change.text,
            lots=[],  # numbered when the plan's lots are
            ceiling_delta_cny=round(top - (d.top or 0.0), 2),
            estimate_before_cny=est.before if change.relax else None,
            estimate_after_cny=est.after if change.relax else None,
            estimate_resolve=est.resolve if change.relax else None,
            note=adjustment_note(d, law, change, top, est),
            text=adjustment_text(d, law, change, [len(x.costs) for x in s.drafts], top, est, fits),
        )
        out += [(x, adjusted, adjusted.note, []) for x in s.drafts]
    return out


def regroup_text(market: Market, chosen: Option) -> Text | None:
    """Parallel lots grouped by the platforms of the mix solved again under the adopted
    relaxation, where it moves a system to another platform than the original estimate's:
    which systems move, and where; None when the grouping is the original one."""
    if chosen.award is market.award or chosen.award.structure != "parallel":
        return None
    was = {a.system: a.model for a in market.award.systems}
    names = {str(x.id): x.name for x in market.scenario.systems}
    moves = [(a.system, a.model) for a in chosen.award.systems if was.get(a.system) != a.model]
    if not moves:
        return None
    listed = [(names[sid], MODEL_NAMES[model]) for sid, model in moves[:LISTED]]
    more = len(moves) - len(listed)
    return Text(
        en=" The mix solved again under the change moves "
        + ", ".join(f"{n} to the {m.en}" for n, m in listed)
        + (f" and {more} more systems" if more else "")
        + ": the parallel lots are grouped by its platforms.",
        zh="按调整后要求重新求解的测算组合将"
        + "、".join(f"{n}改为{m.zh}" for n, m in listed)
        + (f"等{len(moves)}个系统" if more else "")
        + "：平行采购包按其部署模式划分。",
    )


def lot_effect(s: Settled) -> Text:
    """One lot's effect of a change adopted for several: its candidates before and after (and
    its parts, if it is split), and its ceilings before and after."""
    d = s.origin
    counts = [len(x.costs) for x in s.drafts]
    cost = ceiling_change(d.top, sum(x.top or 0.0 for x in s.drafts))
    if len(s.drafts) == 1:
        return Text(
            en=f'the lot "{d.scope.name.en}" had {len(d.costs)} eligible and now has '
            f"{counts[0]}; {cost.en}",
            zh=f"采购包“{d.scope.name.zh}”原有{len(d.costs)}家合格候选供应商，调整后有"
            f"{counts[0]}家；{cost.zh}",
        )
    parts_en = " and ".join(f'"{x.scope.name.en}"' for x in s.drafts)
    parts_zh = "和".join(f"“{x.scope.name.zh}”" for x in s.drafts)
    return Text(
        en=f'the lot "{d.scope.name.en}" had {len(d.costs)} eligible and is also split into '
        f"{parts_en}, which have " + " and ".join(str(c) for c in counts) + f"; {cost.en}",
        zh=f"采购包“{d.scope.name.zh}”原有{len(d.costs)}家合格候选供应商，并拆分为{parts_zh}，"
        "分别有" + "、".join(f"{c}家" for c in counts) + f"；{cost.zh}",
    )


def plan_wide(
    changed: list[Settled], chosen: Option, est: Estimate, fits: bool | None, moved: Text | None
) -> Adjustment:
    """A relaxation adopted for several lots short of competition (or one whose mix, solved
    again, regroups the lots): one adjustment for the whole procurement, its change said
    once, each lot's effect (candidates, split, ceilings) listed; the lots' tables share it."""
    assert chosen.text is not None
    text = chosen.text
    why = [
        Text(
            en=f'the lot "{s.origin.scope.name.en}" had only {len(s.origin.costs)}, fewer than '
            f"the {s.law.min_suppliers} {s.law.name.en} needs ({s.law.cite()})",
            zh=f"采购包“{s.origin.scope.name.zh}”仅有{len(s.origin.costs)}家，少于"
            f"{s.law.name.zh}所需的{s.law.min_suppliers}家（{s.law.cite()}）",
        )
        for s in changed
        if s.law is not None
    ]
    effects = [lot_effect(s) for s in changed]
    before = sum(s.origin.top or 0.0 for s in changed)
    after = sum(x.top or 0.0 for s in changed for x in s.drafts)
    budget = (
        Text(
            en=" None of the changes tried that give enough keeps the ceilings within the budget.",
            zh="所试调整中能达到该数量的，均不能使最高限价合计不超过预算。",
        )
        if fits is False
        else Text(en="", zh="")
    )
    whole = WHOLE
    if est.others is not None:  # what the change does to the lots that only follow it
        others = ceiling_change(*est.others)
        whole = Text(
            en=f"{whole.en[:-1]}; the other lots' {others.en}.",
            zh=f"{whole.zh[:-1]}；其他采购包{others.zh}。",
        )
    regroup = moved or Text(en="", zh="")
    change = Change(text=text, parts=(), relax=chosen.relax)
    estimate = estimate_change(change, est)
    effect_en = "; ".join(e.en for e in effects)
    effect_zh = "；".join(e.zh for e in effects)
    head = Text(en=f"{text.en[:1].upper()}{text.en[1:]}", zh=f"已{text.zh}")
    return Adjustment(
        change=Text(  # the plan-wide change, and the lots it also splits
            en=", and ".join(
                [text.en]
                + [
                    f'split the lot "{s.origin.scope.name.en}" in two'
                    for s in changed
                    if len(s.drafts) > 1
                ]
            ),
            zh="，并".join(
                [text.zh]
                + [
                    f"将采购包“{s.origin.scope.name.zh}”拆分为两个"
                    for s in changed
                    if len(s.drafts) > 1
                ]
            ),
        ),
        lots=[],  # numbered when the plan's lots are
        ceiling_delta_cny=round(after - before, 2),
        estimate_before_cny=est.before,
        estimate_after_cny=est.after,
        estimate_resolve=est.resolve,
        note=Text(
            en=f"{head.en}, once for the whole procurement: {effect_en}.{regroup.en}{estimate.en}",
            zh=f"{head.zh}（整个项目统一适用）：{effect_zh}。{regroup.zh}{estimate.zh}",
        ),
        text=Text(
            en="Eligible candidate suppliers for the whole lot: "
            + "; ".join(w.en for w in why)
            + f". The plan adopts the cheapest change that gives every lot enough, once for the "
            f"whole procurement: {text.en}.{budget.en} Its effect on each lot: {effect_en}."
            f"{whole.en}{regroup.en}{estimate.en}",
            zh="能承担整个采购包的合格候选供应商："
            + "；".join(w.zh for w in why)
            + f"。本计划已采用能使各采购包均达到该数量的最省调整，整个项目统一适用：{text.zh}。"
            f"{budget.zh}对各采购包的影响：{effect_zh}。{whole.zh}{regroup.zh}{estimate.zh}",
        ),
    )


def follows(text: Text, needing: list[Text]) -> Text:
    """A lot's note when a relaxation adopted for other lots' competition applies to it too."""
    return Text(
        en=f"{text.en[:1].upper()}{text.en[1:]}, for the whole procurement (adopted so that "
        + " and ".join(f'the lot "{n.en}"' for n in needing)
        + " has the competition its method needs): this lot's qualifications and eligible "
        "candidate suppliers follow it.",
        zh=f"已{text.zh}（整个项目统一适用，为使"
        + "、".join(f"采购包“{n.zh}”" for n in needing)
        + "具备所需竞争而采用）：本采购包的资格条件和合格候选供应商按调整后的要求确定。",
    )


def adjustment_note(d: Draft, law: Minimum, change: Change, total: float, est: Estimate) -> Text:
    """The adjustment in a lot's own table: the change, why, and its cost (the plan's findings
    give the whole statement)."""
    n = len(d.costs)
    cost = ceiling_change(d.top, total)
    estimate = estimate_change(change, est)
    return Text(
        en=f"{change.text.en[:1].upper()}{change.text.en[1:]}: the lot had only {n} eligible "
        f"candidate supplier{'s' if n != 1 else ''}, fewer than the {law.min_suppliers} "
        f"{law.name.en} needs; {cost.en}.{estimate.en}",
        zh=f"已{change.text.zh}：原采购包仅有{n}家合格候选供应商，少于{law.name.zh}所需的"
        f"{law.min_suppliers}家；{cost.zh}。{estimate.zh}",
    )


WHOLE = Text(
    en=" The requirement is one of the whole procurement (the scenario sets it once): every "
    "lot's qualifications and eligible candidate suppliers follow the change.",
    zh="该要求是整个项目的采购需求（情景统一设定）：各采购包的资格条件和合格候选供应商均按"
    "调整后的要求确定。",
)


def estimate_change(change: Change, est: Estimate) -> Text:
    """What a relaxation does to the estimated mix, which assumed the original requirement:
    solved again under it, by how much its total moves, whether its time limit cut it short,
    and that the lots' values and the estimated mix used elsewhere follow it; nothing for a
    split alone."""
    if not change.relax:
        return Text(en="", zh="")
    if est.after is None:
        why = (
            Text(
                en="the time budget left too little to solve it again under the change",
                zh="剩余时间预算不足，未能按调整后的要求重新求解",
            )
            if est.resolve == "no_time"
            else Text(
                en="it could not be solved again under the change within its time limit "
                f"({est.seconds:g} s)",
                zh=f"在时间上限（{est.seconds:g}秒）内未能按调整后的要求重新求解",
            )
        )
        return Text(
            en=f" The estimated mix assumes the original requirement: {why.en}; the lots' "
            "estimated values and the estimated mix used elsewhere are the original one's.",
            zh=f"测算组合按调整前的要求进行：{why.zh}；各采购包的估算金额及其他部分所用测算组合"
            "仍为原测算组合。",
        )
    stopped = (
        Text(
            en=f" (stopped at its time limit of {est.seconds:g} s: the best mix found, not "
            "proven optimal; give more time with --time-limit)",
            zh=f"（达到时间上限{est.seconds:g}秒后停止：为已找到的最好方案，未证明最优；"
            "可用 --time-limit 给出更多时间）",
        )
        if est.resolve == "time_limit"
        else Text(en="", zh="")
    )
    delta = est.after - est.before
    sign = "+" if delta >= 0 else "-"
    moves = (
        Text(
            en=f"its total stays at {fmt_money(est.after, 'en')}",
            zh=f"测算总额仍为{fmt_money(est.after, 'zh')}",
        )
        if abs(delta) < 0.005
        else Text(
            en=f"its total moves from {fmt_money(est.before, 'en')} to "
            f"{fmt_money(est.after, 'en')} ({sign}{fmt_money(abs(delta), 'en')})",
            zh=f"测算总额由{fmt_money(est.before, 'zh')}变为{fmt_money(est.after, 'zh')}"
            f"（{sign}{fmt_money(abs(delta), 'zh')}）",
        )
    )
    return Text(
        en=" The estimated mix assumed the original requirement; solved again under the "
        f"change{stopped.en}, {moves.en}; every lot's estimated value and ceiling, and the "
        "estimated mix used elsewhere, are the one solved again.",
        zh=f"测算组合原按调整前的要求进行；按调整后的要求重新求解{stopped.zh}，{moves.zh}；"
        "各采购包的估算金额和最高限价及其他部分所用测算组合均按重新求解的结果。",
    )


def ceiling_change(before: float | None, after: float) -> Text:
    """'ceilings 46.32 M CNY -> 47.12 M CNY (+0.80 M CNY)', or after alone when none was set."""
    if before is None:
        return Text(
            en=f"ceilings {fmt_money(after, 'en')} in total, where none could be set before",
            zh=f"最高限价合计{fmt_money(after, 'zh')}（调整前无法设定）",
        )
    delta = after - before
    sign = "+" if delta >= 0 else "-"
    return Text(
        en=f"ceilings from {fmt_money(before, 'en')} to {fmt_money(after, 'en')} "
        f"({sign}{fmt_money(abs(delta), 'en')})",
        zh=f"最高限价由{fmt_money(before, 'zh')}变为{fmt_money(after, 'zh')}"
        f"（{sign}{fmt_money(abs(delta), 'zh')}）",
    )


def adjustment_text(
    d: Draft,
    law: Minimum,
    change: Change,
    counts: list[int],
    total: float,
    est: Estimate,
    fits: bool | None,
) -> Text:
    """Which change was made, why, what it costs (the ceilings' difference), whether the plan's
    ceilings stay within the budget, and for a relaxation that it holds for every lot."""
    each_en = " and ".join(str(c) for c in counts)
    each_zh = "、".join(f"{c}家" for c in counts)
    lots_en = "the lot has" if len(counts) == 1 else "the lots have"
    lots_zh = "采购包" if len(counts) == 1 else "各采购包分别"
    cost = ceiling_change(d.top, total)
    budget = (
        Text(
            en=" None of the changes tried that give enough keeps the ceilings within the budget.",
            zh="所试调整中能达到该数量的，均不能使最高限价合计不超过预算。",
        )
        if fits is False
        else Text(en="", zh="")
    )
    whole = WHOLE if change.relax else Text(en="", zh="")
    if change.relax and est.others is not None:  # what the change does to the other lots
        moved = ceiling_change(*est.others)
        whole = Text(
            en=f"{whole.en[:-1]}; the other lots' {moved.en}.",
            zh=f"{whole.zh[:-1]}；其他采购包{moved.zh}。",
        )
    estimate = estimate_change(change, est)
    return Text(
        en=f'The lot "{d.scope.name.en}" had only {len(d.costs)} eligible '
        f"candidate supplier{'s' if len(d.costs) != 1 else ''}, fewer than the "
        f"{law.min_suppliers} {law.name.en} needs ({law.cite()}); the plan adopts the cheapest "
        f"change that gives enough: {change.text.en}.{budget.en} Now {lots_en} {each_en} "
        f"eligible; {cost.en}.{whole.en}{estimate.en}",
        zh=f"原采购包“{d.scope.name.zh}”仅有{len(d.costs)}家合格候选供应商，"
        f"少于{law.name.zh}所需的{law.min_suppliers}家（{law.cite()}）；本计划已采用能达到该数量"
        f"的最省调整：{change.text.zh}。{budget.zh}调整后{lots_zh}有{each_zh}合格候选供应商；"
        f"{cost.zh}。{whole.zh}{estimate.zh}",
    )


def shortfall_text(d: Draft, law: Minimum, kb: PlanKnowledge) -> Text:
    """The plain statement that the lot's method cannot proceed, and what the buyer must do."""
    n = len(d.costs)
    only = kb.only_supplier
    single = (
        Text(
            en=f"single source only if only one supplier can provide the lot ({only.cite()}: "
            "a requirement only one supplier meets is not that case), announced for at least "
            f"{only.notice_working_days} working days before the finance department approves "
            "it when the budget is at or above the open-tender threshold",
            zh=f"仅在确属只能从唯一供应商处采购的情形下（{only.cite()}；仅因采购需求只有一家能"
            "满足不属于该情形）方可采用单一来源采购，达到公开招标数额标准的须在财政部门批准前"
            f"公示不少于{only.notice_working_days}个工作日",
        )
        if n == 1
        else None
    )
    steps_en = [
        "widen the market survey (more candidate suppliers able to take the whole lot)",
        "review the requirements that narrow eligibility (MLPS level, domestic stack, security "
        "assessment, service layers, capacity) and the division into lots",
    ]
    steps_zh = [
        "扩大市场调研范围，寻找更多能承担整个采购包的候选供应商",
        "复核缩小合格范围的采购需求（等保级别、信创、安全评估、服务层、容量）及采购包划分",
    ]
    if single is not None:
        steps_en.append(single.en)
        steps_zh.append(single.zh)
    return Text(
        en=f"Only {n} eligible candidate supplier{'s' if n != 1 else ''}: "
        f"{law.name.en} cannot proceed as planned ({law.cite()}), and no change tried (making "
        "requirements the law does not impose preferences, splitting the lot, or both) gives "
        "it "
        f"{law.min_suppliers} eligible candidate suppliers. The buyer must "
        + "; ".join(steps_en)
        + "; then plan the lot again. No timeline is set for it.",
        zh=f"仅有{n}家合格候选供应商：{law.name.zh}无法按计划进行（{law.cite()}），且所试调整"
        "（将非法定要求改为优先、拆分采购包或两者结合）均不能"
        f"得到{law.min_suppliers}家合格候选供应商。采购人须"
        + "；".join(steps_zh)
        + "；之后重新编制该采购包的计划。暂不安排该采购包的时间表。",
    )


def build_lots(
    market: Market,
) -> tuple[list[Lot], list[InternalLot], list[Adjustment], Option]:
    """The plan's lots, their candidates (internal), the adjustments adopted and the option
    they come from (its relaxation and the estimate its lots are valued on)."""
    scenario, award = market.scenario, market.award
    inst = market.instance(())
    names = {str(s.id): s.name for s in scenario.systems}
    levels = {str(s.id): s.mlps_level for s in scenario.systems}
    origins = [market.draft(s, estimated_value(inst, award, s)) for s in scopes(scenario, award)]
    chosen = adopted_option(market, origins, names, levels)
    lots, internal = [], []
    made: dict[int, Adjustment] = {}  # each adjustment once, with the lots it gave
    for i, (d, adjusted, note, risks) in enumerate(settle(market, chosen), start=1):
        lot, candidates = write_lot(market, replace(d.scope, id=f"lot-{i}"), d, note, risks)
        lots.append(lot)
        internal.append(candidates)
        if adjusted is not None:
            made.setdefault(id(adjusted), adjusted).lots.append(lot.id)
    return lots, internal, list(made.values()), chosen


def write_lot(
    market: Market, scope: Scope, d: Draft, adjustment: Text | None, risks: list[Text]
) -> tuple[Lot, InternalLot]:
    kb, scenario = market.kb, d.scenario
    by_id = {v.id: v for v in market.vendors}
    costs, value, top = d.costs, d.value, d.top
    ordered = list(costs.values())
    n = len(ordered)
    budget = d.budget
    method, reasons, intended = d.method, d.reasons, None
    law = short_of(d, kb)
    if law is not None:  # too few for the method, and no change gives enough: none proceeds
        method, intended = "none", d.method
        reasons = [
            Text(en="The method the lot's budget calls for:", zh="按采购包预算应采用的采购方式："),
            *d.reasons,
            depth_text(n, law),
        ]
    rule = _ceiling_rule(n, kb)
    if method == "single_source" and scenario.procurement.incumbent in costs:
        # no competition: the ceiling is the original supplier's own estimate
        top = ceiling([costs[str(scenario.procurement.incumbent)]], value, kb)
        budget = top if top is not None else value
        rule = Text(
            en="Single source: ceiling = the original supplier's estimate for the lot, never "
            f"below the lot's estimated value, rounded up to {kb.ceiling.rounding_cny:,.0f} CNY.",
            zh="单一来源采购：最高限价 = 原供应商对本采购包的测算值，且不低于采购包估算金额，"
            f"向上取整到{kb.ceiling.rounding_cny / 1e4:g}万元。",
        )
    systems = [s for s in scenario.systems if str(s.id) in scope.systems]
    quals = qualifications(scenario, scope, kb)
    vcpu = sum(s.vcpu for s in systems)
    memory = sum(s.memory_gb for s in systems)
    storage = sum(s.storage_tb for s in systems)
    capacity = Text(
        en=f"{vcpu:g} vCPU, {memory:g} GB memory, {storage:g} TB storage",
        zh=f"虚拟处理器{vcpu:g}核，内存{memory:g}GB，存储{storage:g}TB",
    )
    layers = lot_layers(scenario, scope)
    scored = intended or method
    lot = Lot(
        id=scope.id,
        name=scope.name,
        systems=[s.name for s in systems],
        layers=layers,
        vcpu=vcpu,
        memory_gb=memory,
        storage_tb=storage,
        estimated_value_cny=value,
        value_basis=value_basis(scenario.procurement.contract_years),
        eligible=n,
        without_cheapest_cny=ordered[1] if n >= 2 else None,
        ceiling_cny=top,
        ceiling_rule=rule,
        budget_cny=budget,
        method=method,
        method_name=kb.shortfall.name if method == "none" else kb.methods[method].name,
        method_reasons=reasons,
        intended=intended,
        adjustment=adjustment,
        approval=None if method == "none" else approval(method, budget >= market.threshold, kb),
        evaluation=evaluation_plan(scored, scenario, scope, market.weights, kb, market.routes)
        if law is None
        else EvaluationPlan(
            method="none",
            name=Text(en="To be set with the method", zh="待采购方式确定后确定"),
            reason=Text(en="no method can proceed yet", zh="采购方式尚不能进行"),
            basis=law.cite(),
        ),
        sme=sme_terms(scored, budget, kb),
        qualifications=quals,
        qualification_check=qualification_check(quals, kb),
        subcontracting=subcontracting(d.inst, scope, kb),
        contract=contract_plan(scenario, list(scope.systems), layers, capacity, kb),
        risks=risks,
    )
    candidates = InternalLot(
        lot=scope.id,
        candidates=[
            Candidate(
                vendor=vid,
                name=by_id[vid].name,
                name_zh=by_id[vid].name_zh,
                estimate_cny=cost,
            )
            for vid, cost in costs.items()
        ],
    )
    return lot, candidates


def value_basis(years: int) -> Text:
    """The one basis of a lot's estimated value, its ceiling and its candidates' estimates."""
    return Text(
        en=f"the lot's whole contract value over the {years} contract year"
        f"{'s' if years != 1 else ''}, setup fees included, as the estimated mix prices it, "
        "kept within the eligible candidate suppliers' estimates for the whole lot; the ceiling "
        "and those estimates are on the same basis",
        zh=f"采购包在{years}年合同期内的合同总金额（含部署实施费），按测算组合计算，"
        "并限定在合格候选供应商整包测算值的范围内；最高限价及各整包测算值口径相同",
    )


def _ceiling_rule(n: int, kb: PlanKnowledge) -> Text:
    k = kb.ceiling.competitors
    step = kb.ceiling.rounding_cny
    if n == 0:
        return Text(
            en="No ceiling: no candidate supplier is eligible for the whole lot.",
            zh="无法设定最高限价：没有候选供应商能承担整个采购包。",
        )
    which = (
        Text(en=f"the {k}rd-lowest eligible estimate", zh=f"第{k}低的合格候选供应商测算值")
        if n >= k
        else Text(
            en=f"the highest of the {n} eligible estimate{'s' if n > 1 else ''}",
            zh=f"全部{n}家合格候选供应商测算值中的最高者",
        )
    )
    return Text(
        en=f"Ceiling = {which.en}, never below the lot's estimated value, rounded up to "
        f"{step:,.0f} CNY: at least {min(n, k)} eligible candidates' estimates fall "
        "under it, and it is never below the cheapest compliant estimate.",
        zh=f"最高限价 = {which.zh}，且不低于采购包估算金额，向上取整到{step / 1e4:g}万元："
        f"至少{min(n, k)}家合格候选供应商的测算值在限价以下，且不低于最低的合规测算值。",
    )


STEP_NAMES = {
    "intent_notice": Text(en="Publish the procurement intent", zh="公开采购意向"),
    "documents": Text(en="Prepare the procurement documents", zh="编制采购文件"),
    "approval": Text(en="Finance department approves the method", zh="财政部门批准采购方式"),
    "issue": Text(en="Issue the procurement documents", zh="发出采购文件"),
    "bidding_period": Text(
        en="Tender period: documents issued to the deadline for tenders",
        zh="等标期：自招标文件发出至提交截止",
    ),
    "consultation_period": Text(
        en="Response period: documents issued to the first responses",
        zh="自磋商文件发出至首次提交响应文件截止",
    ),
    "negotiation": Text(en="Agree the price with the original supplier", zh="与原供应商商定价格"),
    "evaluation": Text(en="Evaluation and the result notice", zh="评审及结果公告"),
    "challenge": Text(en="Challenge period", zh="质疑期"),
    "contract": Text(en="Sign the contract", zh="签订政府采购合同"),
    "delivery": Text(en="Delivery and migration", zh="交付与迁移"),
    "acceptance": Text(en="Acceptance", zh="履约验收"),
}


def schedule(
    method: Method,
    approval: bool,
    start: date,
    cal: WorkCalendar,
    kb: PlanKnowledge,
    intent: bool = True,
) -> list[Step]:
    """The dated steps: each ends on a working day (a period whose last day is a holiday ends
    on the next working day); the documents are issued no earlier than 30 days after the intent
    is published (财库〔2020〕10号); the challenge period is 7 working days after the result
    notice (GPL art. 52); the contract follows it, within 30 days of the notice (art. 46)."""
    t = kb.timeline
    end_rule = t.period_end.cite()
    steps: list[Step] = []

    def add(sid: str, begin: date, end: date, basis: str | None, note: Text | None = None) -> date:
        steps.append(
            Step(
                id=sid,
                name=STEP_NAMES[sid],
                start=begin.isoformat(),
                end=end.isoformat(),
                basis=basis,
                note=note,
            )
        )
        return end

    publish = cal.on_or_after(start)
    ready = cal.on_or_after(publish + timedelta(days=t.documents.days or 0))
    issue = ready
    if intent:  # 财库〔2020〕10号, for the agency's level from its date
        intent_end = cal.on_or_after(publish + timedelta(days=t.intent_notice.days or 0))
        add("intent_notice", publish, intent_end, t.intent_notice.cite())
        issue = max(intent_end, ready)
    add("documents", publish, ready, None, t.documents.assumption)
    if approval:
        approved = cal.on_or_after(publish + timedelta(days=t.approval.days or 0))
        add("approval", publish, approved, kb.methods[method].approval(), t.approval.assumption)
        issue = max(issue, approved)
    if method == "single_source":
        agreed = cal.on_or_after(issue + timedelta(days=t.negotiation.days or 0))
        notice_day = add("negotiation", issue, agreed, None, t.negotiation.assumption)
    else:
        add("issue", issue, issue, None)
        period = t.bidding_period if method == "open_tender" else t.consultation_period
        deadline = cal.on_or_after(issue + timedelta(days=period.days or 0))
        add(
            "bidding_period" if method == "open_tender" else "consultation_period",
            issue,
            deadline,
            (period.cite() or "") + f"；{end_rule}",
        )
        notice_day = cal.on_or_after(deadline + timedelta(days=t.evaluation.days or 0))
        add("evaluation", deadline, notice_day, None, t.evaluation.assumption)
    challenge_end = cal.add_working_days(notice_day, t.challenge.working_days or 0)
    add("challenge", notice_day, challenge_end, t.challenge.cite())
    signed = cal.on_or_after(challenge_end + timedelta(days=1))
    latest = notice_day + timedelta(days=t.contract.max_days or 0)
    note = (
        None
        if signed <= latest
        else Text(
            en="Past the 30 days after the result notice: shorten the steps before it.",
            zh="超过结果公告后30日：请缩短此前的步骤。",
        )
    )
    add("contract", challenge_end, signed, t.contract.cite(), note)
    delivered = cal.on_or_after(signed + timedelta(days=t.delivery.days or 0))
    add("delivery", signed, delivered, None, t.delivery.assumption)
    accepted = cal.on_or_after(delivered + timedelta(days=t.acceptance.days or 0))
    add("acceptance", delivered, accepted, None, t.acceptance.assumption)
    return steps


def build_plan(
    scenario: Scenario,
    award: Award,
    deployment: Deployment,
    weights: dict[str, float],
    vendors: list[Vendor],
    rates: CostRates,
    routes: RouteKnowledge,
    today: date,
    kb: PlanKnowledge | None = None,
    *,
    solver: str = "highs",
    time_limit: float = RESOLVE_LIMIT,
    budget: Budget | None = None,
) -> Plan:
    """The procurement plan of `scenario`, with `award` as the market-research estimate."""
    return plan_and_estimate(
        scenario,
        award,
        deployment,
        weights,
        vendors,
        rates,
        routes,
        today,
        kb,
        solver=solver,
        time_limit=time_limit,
        budget=budget,
    )[0]


def plan_and_estimate(
    scenario: Scenario,
    award: Award,
    deployment: Deployment,
    weights: dict[str, float],
    vendors: list[Vendor],
    rates: CostRates,
    routes: RouteKnowledge,
    today: date,
    kb: PlanKnowledge | None = None,
    *,
    solver: str = "highs",
    time_limit: float = RESOLVE_LIMIT,
    budget: Budget | None = None,
) -> tuple[Plan, Award]:
    """The plan, and the estimated mix its lots are valued on: `award`, or the mix solved
    again under an adopted relaxation (`Plan.relaxed`), with `solver`, within `time_limit`
    (--time-limit; at most RESOLVE_LIMIT) and what `budget` leaves."""
    kb = kb or plan_knowledge()
    p = scenario.procurement
    threshold, basis, missing = open_threshold(scenario, kb)
    findings: list[Text] = []
    cautions: list[Text] = []
    if missing:
        findings.append(
            Text(
                en="Open-tender threshold not given: " + basis.en,
                zh="未给出公开招标数额标准：" + basis.zh,
            )
        )
    market = Market(
        scenario,
        deployment,
        weights,
        vendors,
        rates,
        award,
        threshold,
        kb,
        routes,
        solver=solver,
        time_limit=time_limit,
        budget=budget,
    )
    lots, internal, adjustments, chosen = build_lots(market)
    findings += [a.text for a in adjustments]
    cautions += [
        Text(
            en=f"Not tried for the lots' competition: {t.en}. The award model under it would "
            f"be past the {size.MAX_OPTIONS:,} options procure solves; the candidates it would add "
            "were not counted.",
            zh=f"为保证采购包竞争未尝试以下调整：{t.zh}。该调整下的测算模型将超过 procure "
            f"可求解的 {size.MAX_OPTIONS:,} 个选项，未统计其可增加的候选供应商。",
        )
        for t in market.oversized
    ]
    lots, together = counted_together(lots, threshold, kb)
    ceilings = [lot.ceiling_cny for lot in lots]
    total = None if any(c is None for c in ceilings) else sum(c or 0.0 for c in ceilings)
    if total is not None and p.budget_cny < total:
        findings.append(
            Text(
                en=f"The scenario's budget, {fmt_money(p.budget_cny, 'en')}, is below the "
                f"ceilings the lots need, {fmt_money(total, 'en')}: raise the budget by "
                f"{fmt_money(total - p.budget_cny, 'en')} or reduce the scope; a ceiling may "
                "not exceed the budget.",
                zh=f"情景预算{fmt_money(p.budget_cny, 'zh')}低于各采购包所需最高限价合计"
                f"{fmt_money(total, 'zh')}：请增加预算{fmt_money(total - p.budget_cny, 'zh')}"
                "或缩小采购范围；最高限价不得超过采购预算。",
            )
        )
    for lot in lots:
        findings += [
            Text(
                en=f"Lot {lot.id.removeprefix('lot-')}: {r.en}",
                zh=f"采购包{lot.id.removeprefix('lot-')}：{r.zh}",
            )
            for r in lot.risks
        ]
    start = date.fromisoformat(p.start) if p.start else today
    start_basis = (
        Text(en="the start date the scenario gives", zh="情景给出的开始日期")
        if p.start
        else Text(
            en="the day the plan is made; the scenario gives no start date",
            zh="编制之日，情景未给出开始日期",
        )
    )
    cal = WorkCalendar()
    groups: dict[tuple[Method, bool], list[str]] = {}
    for lot in lots:
        if lot.method == "none":  # no timeline until the lot is planned again (its risk says)
            continue
        needs = (
            lot.approval is not None
            and lot.method != "open_tender"
            and (_above(lot, threshold) or lot.id in together)
        )
        groups.setdefault((lot.method, needs), []).append(lot.id)
    intent = intent_required(scenario.agency.level, start, kb)
    if not intent:
        cautions.append(
            Text(
                en=f"No procurement intent is published: {kb.timeline.intent_notice.cite()} "
                f"applies to {scenario.agency.level}-level units from "
                f"{kb.timeline.intent_notice.required_from[scenario.agency.level]}, after the "
                "plan starts.",
                zh=f"不安排采购意向公开：{kb.timeline.intent_notice.cite()}对"
                f"{LEVEL_ZH[scenario.agency.level]}单位自"
                f"{fmt_date(_required_from(scenario.agency.level, kb), 'zh')}起适用，"
                "晚于计划开始日期。",
            )
        )
    schedules = [
        Schedule(method=m, lots=ids, steps=schedule(m, needs, start, cal, kb, intent=intent))
        for (m, needs), ids in groups.items()
    ]
    joining = joining_plan(scenario, award, start, cal, kb) if joins(scenario) else None
    if cal.guessed:
        first, last = known_years()
        years = "、".join(str(y) for y in sorted(cal.guessed))
        cautions.append(
            Text(
                en=f"The holiday calendar knows {first}-{last}; dates in "
                f"{', '.join(str(y) for y in sorted(cal.guessed))} count weekends only as "
                "non-working days: check them against that year's State Council holiday notice.",
                zh=f"节假日数据覆盖{first}至{last}年；{years}年的日期仅将周末计为非工作日，"
                "请按当年国务院办公厅节假日安排核对。",
            )
        )
    cautions += in_force_cautions(_laws(kb, threshold_law(scenario, kb)), start)
    known = date.fromisoformat(kb.knowledge_date)
    if start > known:
        cautions.append(
            Text(
                en=f"The legal figures were checked as of {kb.knowledge_date} and the plan "
                f"starts on {start.isoformat()}: check that none has changed since.",
                zh=f"法规数据截至{fmt_date(known, 'zh')}，计划开始于{fmt_date(start, 'zh')}："
                "请核对其后有无变化。",
            )
        )
    plan = Plan(
        scenario=scenario.name,
        kind="join" if joining is not None else "tender",
        joining=joining,
        knowledge_date=kb.knowledge_date,
        start=start.isoformat(),
        start_basis=start_basis,
        threshold_cny=threshold,
        threshold_basis=basis,
        threshold_from="assumption"
        if missing
        else ("source" if threshold_law(scenario, kb) is not None else "scenario"),
        lots=lots,
        adjustments=adjustments,
        relaxed=dict(chosen.relax),
        total_ceiling_cny=total,
        budget_cny=p.budget_cny,
        schedules=schedules,
        findings=findings,
        cautions=cautions,
        internal=internal,
    )
    return plan, chosen.award


def _above(lot: Lot, threshold: float) -> bool:
    return lot.budget_cny is not None and lot.budget_cny >= threshold


def counted_together(
    lots: list[Lot], threshold: float, kb: PlanKnowledge
) -> tuple[list[Lot], set[str]]:
    """The lots one project buys by methods other than open tender count together against the
    open-tender threshold (kb.splitting: GPL art. 28, implementing regulations art. 28): when
    their budgets reach it, a lot below it alone needs the approval of its method all the same,
    so that splitting never evades the approval. Returns the lots, with those lots' approval
    said, and their ids."""
    other = [
        lot
        for lot in lots
        if lot.method not in ("open_tender", "none")
        and lot.approval is not None
        and lot.budget_cny is not None
    ]
    total = sum(lot.budget_cny or 0.0 for lot in other)
    below = [lot for lot in other if not _above(lot, threshold)]
    if len(other) < 2 or total < threshold or not below:
        return lots, set()
    law = kb.splitting
    out = []
    for lot in lots:
        if lot in below:
            name = kb.methods[lot.method].name
            where = kb.methods[lot.method].approval() or ""
            lot = lot.model_copy(
                update={
                    "approval": Text(
                        en=f"Below the open-tender threshold alone, but the project's lots "
                        f"bought by other methods than open tender add up to "
                        f"{fmt_money(total, 'en')}, at or above the threshold "
                        f"{fmt_money(threshold, 'en')}, and count together ({law.cite()}): "
                        f"the finance department approves {name.en.lower()} before procurement "
                        f"starts ({where}).",
                        zh=f"该采购包预算单独低于公开招标数额标准，但本项目以公开招标以外方式采购的"
                        f"各采购包预算合计{fmt_money(total, 'zh')}，达到公开招标数额标准"
                        f"{fmt_money(threshold, 'zh')}，应合并计算（{law.cite()}）：采用"
                        f"{name.zh}须在采购活动开始前报经财政部门批准（{where}）。",
                    )
                }
            )
        out.append(lot)
    return out, {lot.id for lot in below}


def in_force_cautions(laws: list[Law], start: date) -> list[Text]:
    """A caution for each figure not in force on the day the plan starts: not yet in effect
    (its effective date is after `start`), or no longer (its `until` is before it)."""
    out = []
    for law in laws:
        if law.effective_date() > start:
            out.append(
                Text(
                    en=f"{cite(law)} takes effect on {law.effective}, after the plan starts.",
                    zh=f"{cite(law)}自{fmt_date(law.effective_date(), 'zh')}起执行，晚于计划开始日期。",
                )
            )
        elif not law.in_force(start):
            until = date.fromisoformat(law.until or law.effective)
            out.append(
                Text(
                    en=f"{cite(law)} applied until {law.until}, before the plan starts: use "
                    "the figure that replaced it.",
                    zh=f"{cite(law)}适用至{fmt_date(until, 'zh')}，早于计划开始日期："
                    "请改用替代它的规定。",
                )
            )
    return out


def _required_from(level: str, kb: PlanKnowledge) -> date:
    return date.fromisoformat(kb.timeline.intent_notice.required_from.get(level, "2000-01-01"))


def intent_required(level: str, start: date, kb: PlanKnowledge) -> bool:
    """财库〔2020〕10号: intents are published for procurements from the date set for the
    agency's level (central units from 1 July 2020, ... units below the province from 2022)."""
    return start >= _required_from(level, kb)


def _laws(kb: PlanKnowledge, threshold: Threshold | None) -> list[Law]:
    return [
        *([threshold] if threshold is not None else kb.thresholds[:1]),
        kb.add_on,
        kb.consultation_cases,
        kb.evaluation.lowest_price,
        kb.evaluation.scoring,
        kb.sme.reserve,
        kb.sme.deduction,
        kb.subcontracting,
        *kb.competition.values(),
        kb.only_supplier,
    ]
