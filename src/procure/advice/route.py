"""Procurement route as the law has it: the method, with the article behind each reason; the
steps of the timeline with their legal minimum periods; and the evaluation scheme the method
allows (price weight and price-score formula).

The method, most specific rule first:
1. an expansion whose add-ons, this one (the award's value; a typed-in value can only raise
   it) and earlier ones together, stay within 10% of the original contract: single source
   (政府采购法 art. 31(3), art. 49);
2. a technically complex platform whose cost weight fits the price range a consultation allows
   for services (10-30%, 财库〔2014〕214号 art. 24): competitive consultation (214号 art. 3);
3. otherwise open tender (政府采购法 art. 26-27), where price may weigh at least 10%
   (财政部令第87号 art. 55).
A non-open method at or above the open-tender threshold needs the finance department's approval
first (政府采购法 art. 27; 财政部令第74号 art. 4), and single source a public notice too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from procure.advice.knowledge import RouteKnowledge, RouteStep
from procure.inputs.scenario import Scenario
from procure.inputs.vendors import Vendor
from procure.money import fmt_money, fmt_pct
from procure.text import Text

CRITERION_NAMES = {
    "price": Text(en="Price", zh="价格"),
    "security": Text(en="Security", zh="安全性"),
    "flexibility": Text(en="Flexibility", zh="灵活性"),
    "scalability": Text(en="Scalability", zh="可扩展性"),
}


class AddOnCheck(BaseModel):
    """Art. 31(3) / art. 49: all add-ons to a contract within 10% of its original value."""

    original_cny: float | None
    prior_add_ons_cny: float
    this_add_on_cny: float
    basis: Literal["award", "estimate", "scenario"]  # where this add-on's value comes from
    total_cny: float
    limit_cny: float | None
    share_of_original: float | None
    within: bool | None  # None: the original value is not given


class TimelineStep(BaseModel):
    id: str
    phase: str
    name: Text
    start_day: float
    days: float
    min_days: float | None
    max_days: float | None
    working_days: bool
    source: str | None
    assumption: Text | None


class EvaluationCriterion(BaseModel):
    criterion: str
    name: Text
    weight: float  # share of the total score, in whole percents


class Evaluation(BaseModel):
    """The evaluation scheme to write into the procurement documents."""

    method: Literal["comprehensive_scoring", "negotiation"]
    name: Text
    criteria: list[EvaluationCriterion]
    price_weight: float | None
    price_range: tuple[float, float] | None  # what the law allows for services
    cost_weight: float  # the scenario's weight on cost, before any legal adjustment
    moved: bool  # the price weight had to move into the legal range
    formula: Text
    source: str


class RouteAdvice(BaseModel):
    method: str
    name: Text
    contract_value_cny: float
    value_basis: Literal["award", "estimate"]
    threshold_cny: float
    approval_required: bool
    add_on: AddOnCheck | None
    reasons: list[Text]
    cautions: list[Text]
    sources: list[str]
    timeline: list[TimelineStep]
    minimum_days: float  # the legal minimum periods of the method's steps, in calendar days
    months_to_service: float  # from project approval to the first service
    evaluation: Evaluation
    # before an estimated mix (value_basis "estimate"): what this route is, and which command
    # gives the final one (`procure assess` says so; the brief's route is on the estimate)
    stage: Text | None = None


READINESS_STAGE = Text(
    en="A readiness-stage indication: this route is chosen before any estimated mix, on a "
    "contract value estimated from the systems' resources. The final route comes with the "
    "estimate: `procure plan` decides each lot's method on the estimated mix and its lots, and "
    "`procure brief` gives it; where they differ from this indication, theirs holds.",
    zh="上云准备度评估阶段的初步判断：此采购方式是在得出测算方案之前，按各系统资源估算的合同金额确定的。"
    "最终采购方式以测算方案为准：`procure plan` 按测算方案及其采购包确定各采购包的采购方式，"
    "`procure brief` 在简报中给出；与此初步判断不一致时，以其为准。",
)


def is_complex(scenario: Scenario, kb: RouteKnowledge) -> bool:
    """A new platform is technically complex if it needs PaaS/SaaS or is large and shared."""
    layered = any(len(s.layers) >= kb.complexity.min_layers_for_complex for s in scenario.systems)
    vcpu = sum(s.vcpu for s in scenario.systems)
    large_shared = (
        vcpu > kb.complexity.large_platform_vcpu and scenario.agency.data_sharing_need != "low"
    )
    return layered or large_shared


def threshold(scenario: Scenario, kb: RouteKnowledge) -> float:
    """The open-tender threshold: the scenario's local figure, else the assumed default."""
    given = scenario.procurement.open_tender_threshold_cny
    return given if given is not None else kb.open_tender_threshold_cny.value


def add_on_check(
    scenario: Scenario, value_cny: float, from_award: bool, kb: RouteKnowledge
) -> AddOnCheck:
    """This add-on (the award's value, or the estimate before it; a typed-in value can only
    raise it) plus earlier add-ons, against 10% of the original contract."""
    p = scenario.procurement
    basis: Literal["award", "estimate", "scenario"] = "award" if from_award else "estimate"
    this = value_cny
    if p.expansion_value_cny is not None and p.expansion_value_cny > this:
        this, basis = p.expansion_value_cny, "scenario"
    total = this + p.prior_add_ons_cny
    original = p.original_contract_cny
    limit = kb.add_on_limit.value * original if original is not None else None
    return AddOnCheck(
        original_cny=original,
        prior_add_ons_cny=p.prior_add_ons_cny,
        this_add_on_cny=round(this, 2),
        basis=basis,
        total_cny=round(total, 2),
        limit_cny=round(limit, 2) if limit is not None else None,
        share_of_original=total / original if original else None,
        # "不超过原合同采购金额百分之十": exactly 10% is within; compared to the fen
        within=round(total, 2) <= round(limit, 2) if limit is not None else None,
    )


def evaluation_scheme(method: str, weights: dict[str, float], kb: RouteKnowledge) -> Evaluation:
    """Criteria and weights legal for `method`: the scenario's cost weight becomes the price
    weight, moved into the range the law allows for services; the other criteria share the rest
    in proportion. Weights are whole percents (documents give points out of 100)."""
    cost = weights["cost"]
    if method == "single_source":
        pricing = kb.single_source_pricing
        return Evaluation(
            method="negotiation",
            name=Text(en="Negotiated price", zh="协商确定成交价格"),
            criteria=[],
            price_weight=None,
            price_range=None,
            cost_weight=cost,
            moved=False,
            formula=Text(en=pricing.en, zh=pricing.zh),
            source=pricing.source,
        )
    rule = kb.price_weight[method]  # type: ignore[index]
    low, high = rule.services
    price_pct = min(max(round(cost * 100), round(low * 100)), round(high * 100))
    others = {c: w for c, w in weights.items() if c != "cost"}
    total = sum(others.values())
    shares = (
        {c: w / total for c, w in others.items()}
        if total > 0
        else dict.fromkeys(others, 1 / len(others))
    )
    pcts = _whole_percents(shares, 100 - price_pct)
    criteria = [
        EvaluationCriterion(
            criterion="price", name=CRITERION_NAMES["price"], weight=price_pct / 100
        )
    ]
    criteria += [
        EvaluationCriterion(criterion=c, name=CRITERION_NAMES[c], weight=pct / 100)
        for c, pct in pcts.items()
    ]
    return Evaluation(
        method="comprehensive_scoring",
        name=Text(en="Comprehensive scoring", zh="综合评分法"),
        criteria=criteria,
        price_weight=price_pct / 100,
        price_range=(low, high),
        cost_weight=cost,
        moved=abs(price_pct / 100 - cost) > 0.005,
        formula=kb.price_formula[method],  # type: ignore[index]
        source=rule.source or "",
    )


def _whole_percents(shares: dict[str, float], points: int) -> dict[str, int]:
    """Split `points` in proportion to `shares` in whole numbers (largest remainder)."""
    raw = {c: s * points for c, s in shares.items()}
    out = {c: int(v) for c, v in raw.items()}
    for c in sorted(raw, key=lambda c: (out[c] - raw[c], c))[: points - sum(out.values())]:
        out[c] += 1
    return out


def timeline(method: str, above_threshold: bool, kb: RouteKnowledge) -> list[TimelineStep]:
    """The steps of `method` in order, each starting when the one before ends (a step that runs
    alongside another starts with it, and the next waits for both)."""
    out: list[TimelineStep] = []
    day = 0.0
    for step in kb.steps:
        if not _applies(step, method, above_threshold):
            continue
        beside = next((s for s in out if s.id == step.alongside), None)
        start = beside.start_day if beside else day
        out.append(
            TimelineStep(
                id=step.id,
                phase=step.phase,
                name=step.name,
                start_day=start,
                days=step.days,
                min_days=step.min_days,
                max_days=step.max_days,
                working_days=step.working_days,
                source=step.source,
                assumption=step.assumption,
            )
        )
        day = max(day, start + step.days)
    return out


def _applies(step: RouteStep, method: str, above_threshold: bool) -> bool:
    return method in step.methods and (step.when == "always" or above_threshold)


def minimum_days(steps: list[TimelineStep]) -> float:
    """The legal minimum periods of these steps, in calendar days (5 working days = 7)."""
    return sum(
        (s.min_days * 7 / 5 if s.working_days else s.min_days)
        for s in steps
        if s.min_days is not None
    )


def months_to_service(steps: list[TimelineStep], kb: RouteKnowledge) -> float:
    """From the project's approval to the first service: procurement and delivery."""
    begin = min(s.start_day for s in steps if s.phase in ("procurement", "delivery"))
    end = max(s.start_day + s.days for s in steps if s.phase in ("procurement", "delivery"))
    return round((end - begin) / kb.days_per_month, 1)


def advise_route(
    scenario: Scenario,
    contract_value_cny: float,
    kb: RouteKnowledge,
    weights: dict[str, float],
    *,
    from_award: bool = False,
    vendors: list[Vendor] | None = None,
) -> RouteAdvice:
    """Pick the method from the legal triggers, most specific first, and say why. `vendors`
    give the incumbent's name for the reasons (else its id)."""
    p = scenario.procurement
    reasons: list[Text] = []
    cautions: list[Text] = []
    sources: list[str] = []
    limit_cny = threshold(scenario, kb)
    add_on = None
    method = ""
    if p.expansion and p.incumbent:
        add_on = add_on_check(scenario, contract_value_cny, from_award, kb)
        sources.append(kb.add_on_limit.source or "")
        known = {v.id: v for v in vendors or []}
        incumbent = known.get(p.incumbent)
        names = (
            Text(en=incumbent.name, zh=incumbent.name_zh or incumbent.name)
            if incumbent
            else Text(en=p.incumbent, zh=p.incumbent)
        )
        reasons_or_cautions = _add_on_texts(add_on, names)
        if add_on.within:
            reasons += reasons_or_cautions
            method = "single_source"
            sources.append(kb.method("single_source").source or "")
        else:
            cautions += reasons_or_cautions
    # the value that decides approval: the add-on's for single source, the contract's otherwise
    value = add_on.this_add_on_cny if (add_on and method == "single_source") else contract_value_cny
    cost = weights["cost"]
    consultation_high = kb.price_weight["competitive_consultation"].services[1]
    if not method and is_complex(scenario, kb):
        if round(cost * 100) <= round(consultation_high * 100):
            method = "competitive_consultation"
            reasons.append(
                Text(
                    en="The platform is technically complex (PaaS/SaaS layers or a large shared "
                    "platform) and is a purchase of services: a competitive consultation lets the "
                    "buyer refine the requirements with the suppliers and weigh quality against "
                    "price.",
                    zh="平台技术复杂（含PaaS/SaaS层或大规模共享平台），且属政府购买服务，"
                    "竞争性磋商便于与供应商沟通细化需求、兼顾质量与价格。",
                )
            )
            sources += [kb.method(method).source or "", kb.complexity.source or ""]
        else:
            reasons.append(
                Text(
                    en=f"The platform is technically complex, but the agency weighs cost at "
                    f"{fmt_pct(cost, 0)}: a competitive consultation may give price at most "
                    f"{fmt_pct(consultation_high, 0)} of the score for services, an open tender "
                    "at least 10% with no cap, so an open tender can honour the agency's weights.",
                    zh=f"平台技术复杂，但成本权重为{fmt_pct(cost, 0)}：竞争性磋商中服务项目价格分"
                    f"权重不得超过{fmt_pct(consultation_high, 0)}，公开招标中不低于10%且无上限，"
                    "故采用公开招标可按本机构的权重评审。",
                )
            )
            sources.append(kb.price_weight["competitive_consultation"].source or "")
    if not method:
        method = "open_tender"
        if not reasons:
            reasons.append(
                Text(
                    en="Standard, well-specified cloud resources: an open tender gives the widest "
                    "competition.",
                    zh="标准化、需求明确的云资源，公开招标竞争最充分。",
                )
            )
        sources.append(kb.method(method).source or "")
    sources.append(kb.practice.source or "")
    above = value >= limit_cny
    approval = method != "open_tender" and above
    if approval:
        cautions.append(
            Text(
                en=f"The value ({fmt_money(value, 'en')}) reaches the open-tender threshold "
                f"({fmt_money(limit_cny, 'en')}): a non-open method needs the finance "
                "department's approval before the procurement starts.",
                zh=f"金额（{fmt_money(value, 'zh')}）达到公开招标数额标准"
                f"（{fmt_money(limit_cny, 'zh')}），采用非公开招标方式须在采购活动开始前"
                "报经财政部门批准。",
            )
        )
        sources.append(kb.non_open_approval.source or "")
        if method == "single_source":
            days = kb.single_source_notice.value
            cautions.append(
                Text(
                    en=f"Before the approval, publish the single-source purchase and the supplier "
                    f"for at least {days:.0f} working days.",
                    zh=f"报批前应将单一来源采购信息及供应商名称公示，公示期不少于{days:.0f}个工作日。",
                )
            )
            sources.append(kb.single_source_notice.source or "")
    steps = timeline(method, above, kb)
    evaluation = evaluation_scheme(method, weights, kb)
    sources.append(evaluation.source)
    if evaluation.moved:
        cautions.append(_moved_caution(evaluation, kb.method(method).name))
    return RouteAdvice(
        method=method,
        name=kb.method(method).name,
        contract_value_cny=contract_value_cny,
        value_basis="award" if from_award else "estimate",
        stage=None if from_award else READINESS_STAGE,
        threshold_cny=limit_cny,
        approval_required=approval,
        add_on=add_on,
        reasons=reasons,
        cautions=cautions,
        sources=sorted({s for s in sources if s}),
        timeline=steps,
        minimum_days=minimum_days(steps),
        months_to_service=months_to_service(steps, kb),
        evaluation=evaluation,
    )


def _add_on_texts(a: AddOnCheck, incumbent: Text) -> list[Text]:
    """Why single source applies, or by how much the add-ons miss the 10% limit."""
    basis = {
        "award": ("the estimate's value", "测算金额"),
        "estimate": ("the estimate from the scenario", "按情景估算"),
        "scenario": ("the value given in the scenario", "情景中给定的金额"),
    }[a.basis]
    prior_en = (
        f" plus earlier add-ons of {fmt_money(a.prior_add_ons_cny, 'en')} comes to "
        f"{fmt_money(a.total_cny, 'en')},"
        if a.prior_add_ons_cny
        else " is"
    )
    prior_zh = (
        f"，加上此前已追加的{fmt_money(a.prior_add_ons_cny, 'zh')}，合计{fmt_money(a.total_cny, 'zh')}"
        if a.prior_add_ons_cny
        else ""
    )
    if a.original_cny is None or a.limit_cny is None or a.share_of_original is None:
        return [
            Text(
                en="The original contract value is not given, "
                "so the 10% add-on limit cannot be checked and single source cannot be "
                "recommended; give the value of the contract being expanded.",
                zh="未给出原合同金额，无法核对10%追加上限，"
                "不能建议单一来源采购；请提供被扩容合同的金额。",
            )
        ]
    head_en = (
        f"Expanding the incumbent's ({incumbent.en}) contract: the add-on of "
        f"{fmt_money(a.this_add_on_cny, 'en')} ({basis[0]}){prior_en} "
        f"{fmt_pct(a.share_of_original, 2)} of the original "
        f"{fmt_money(a.original_cny, 'en')}"
    )
    head_zh = (
        f"扩容现有服务商（{incumbent.zh}）合同：本次追加{fmt_money(a.this_add_on_cny, 'zh')}"
        f"（{basis[1]}）{prior_zh}，"
        f"占原合同{fmt_money(a.original_cny, 'zh')}的{fmt_pct(a.share_of_original, 2)}"
    )
    if a.within:
        return [
            Text(
                en=f"{head_en}, within the 10% limit ({fmt_money(a.limit_cny, 'en')}): single-source "
                "purchase from the incumbent keeps the platform consistent.",
                zh=f"{head_zh}，未超过10%上限（{fmt_money(a.limit_cny, 'zh')}），"
                "可向原供应商单一来源采购以保证项目一致性。",
            )
        ]
    over = a.total_cny - a.limit_cny
    return [
        Text(
            en=f"{head_en}: {fmt_money(over, 'en')} over the 10% limit "
            f"({fmt_money(a.limit_cny, 'en')}), so single source is not available; the add-on "
            "must be competed.",
            zh=f"{head_zh}，超出10%上限（{fmt_money(a.limit_cny, 'zh')}）"
            f"{fmt_money(over, 'zh')}，不适用单一来源采购，应以竞争方式采购。",
        )
    ]


def _moved_caution(e: Evaluation, method: Text) -> Text:
    low, high = e.price_range or (0.0, 1.0)
    allowed_en = (
        f"{fmt_pct(low, 0)}-{fmt_pct(high, 0)}" if high < 1 else f"at least {fmt_pct(low, 0)}"
    )
    allowed_zh = (
        f"{fmt_pct(low, 0)}至{fmt_pct(high, 0)}" if high < 1 else f"不低于{fmt_pct(low, 0)}"
    )
    price = e.price_weight or 0.0
    return Text(
        en=f"The scenario weighs cost at {fmt_pct(e.cost_weight, 0)}, but in a "
        f"{method.en.lower()} for services price must carry {allowed_en} of the score: the "
        f"evaluation scheme gives price {fmt_pct(price, 0)} and the other criteria the rest "
        "in proportion.",
        zh=f"情景的成本权重为{fmt_pct(e.cost_weight, 0)}，但{method.zh}中服务项目的价格分权重应为"
        f"{allowed_zh}：评审方案将价格权重定为{fmt_pct(price, 0)}，其余权重按比例分配给其他评审因素。",
    )
