"""The joining plan (接入方案): an agency that joins the unified cloud of the level above asks it
for resources and services, pays its fee and signs its service agreement; it runs no tender of
its own. Buying alone, the tender plan, is the alternative it is compared with."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

from procure.advice.knowledge import knowledge
from procure.advice.partnership import joins_parent_cloud
from procure.award.optimizer import Award
from procure.inputs.scenario import Scenario
from procure.money import fmt_money, fmt_pct, split_fen
from procure.plan.names import name_list
from procure.plan.rules import Clause, PlanKnowledge
from procure.plan.workdays import WorkCalendar
from procure.text import Text

PARENTS = {
    "prefecture": Text(en="prefecture's unified cloud", zh="市级统建政务云"),
    "province": Text(en="provincial unified cloud", zh="省级统建政务云"),
}
LAYERS = {
    "paas": Text(en="platform services", zh="平台服务"),
    "saas": Text(en="application services", zh="应用服务"),
    "security": Text(en="security services", zh="安全服务"),
    "ops": Text(en="operations services", zh="运维服务"),
}


class Item(BaseModel):
    text: Text
    basis: str | None  # the article, where a law is cited
    assumed: bool  # a modelling assumption (†), listed with its reason


class Service(BaseModel):
    system: str  # the system's name, as the scenario gives it
    capacity: Text
    mlps_level: int
    fee_cny: float  # over the contract term, at the unified cloud's fee


class JoinStep(BaseModel):
    id: str
    name: Text
    start: str  # ISO dates
    end: str
    note: Text | None = None


class JoiningPlan(BaseModel):
    parent: Text
    requests: list[Item]
    services: list[Service]
    fee_rate: float
    fee_basis: Text
    total_cny: float  # the services' fees over the term
    alone_cny: float  # the same resources bought alone (the compared alternative)
    years: int
    terms: list[Item]
    steps: list[JoinStep]
    first_service: str  # ISO date the migrated systems are in service


def joins(scenario: Scenario) -> bool:
    """The agency joins the unified cloud above (the partnership advice's own rule)."""
    return joins_parent_cloud(scenario, knowledge().partnership)


def _parameter(scenario: Scenario, name: str) -> float:
    given = getattr(scenario.partnership, name)
    return float(given) if given is not None else knowledge().cashflow.parameters[name].value


def _item(c: Clause, text: Text) -> Item:
    return Item(text=text, basis=c.cite(), assumed=c.assumption is not None)


def capacity(vcpu: float, memory: float, storage: float) -> Text:
    return Text(
        en=f"{vcpu:g} vCPU, {memory:g} GB memory, {storage:g} TB storage",
        zh=f"虚拟处理器{vcpu:g}核，内存{memory:g}GB，存储{storage:g}TB",
    )


def joining_plan(
    scenario: Scenario, award: Award, start: date, cal: WorkCalendar, kb: PlanKnowledge
) -> JoiningPlan:
    """What to request from the unified cloud above, the services and their estimated fees
    (the comparison's fee rate on the same resources' estimate), its terms and dated steps
    that end, like the comparison's onboarding time, at first service."""
    parent = PARENTS[scenario.agency.parent_cloud]
    rate = _parameter(scenario, "parent_fee_rate")
    months = _parameter(scenario, "parent_onboarding_months")
    cost = {s.system: s.cost_cny for s in award.systems}
    systems = scenario.systems
    years = scenario.procurement.contract_years
    # the fee on everything bought alone (as the comparison takes it), shared by system cost
    fees = round(rate * award.total_cost_cny, 2)
    shares = split_fen(fees, [cost.get(str(s.id), 0.0) for s in systems])  # rows add up
    services = [
        Service(
            system=s.name,
            capacity=capacity(s.vcpu, s.memory_gb, s.storage_tb),
            mlps_level=s.mlps_level,
            fee_cny=fee,
        )
        for s, fee in zip(systems, shares, strict=True)
    ]
    total = capacity(
        sum(s.vcpu for s in systems),
        sum(s.memory_gb for s in systems),
        sum(s.storage_tb for s in systems),
    )
    used = {x for s in systems for x in s.layers} | {x for v in award.vendors for x in v.layers}
    layers = [LAYERS[x] for x in LAYERS if x in used]
    layers_text = Text(
        en=", ".join(x.en for x in layers) or "none",
        zh="、".join(x.zh for x in layers) or "无",
    )
    top = max(s.mlps_level for s in systems)
    values = {
        "parent": parent,
        "systems": name_list([s.name for s in systems], len(scenario.systems)),
        "capacity": total,
        "level": Text(en=str(top), zh=str(top)),
        "layers": layers_text,
    }
    requests = [
        _item(
            c,
            Text(
                en=c.name.en.format(**{k: v.en for k, v in values.items()}),
                zh=c.name.zh.format(**{k: v.zh for k, v in values.items()}),
            ),
        )
        for c in kb.joining.requests
    ]
    terms = [_item(c, c.name) for c in kb.joining.terms]
    steps: list[JoinStep] = []
    day = cal.on_or_after(start)
    service_day = cal.on_or_after(start + timedelta(days=round(months * 30.4375)))
    for step in kb.joining.steps:
        begin = day
        if step.id == "migration":
            end = max(day, service_day)
        else:
            end = cal.on_or_after(day + timedelta(days=step.days))
        if step.id == "acceptance":
            service_day = begin
        steps.append(
            JoinStep(id=step.id, name=step.name, start=begin.isoformat(), end=end.isoformat())
        )
        day = end
    return JoiningPlan(
        parent=parent,
        requests=requests,
        services=services,
        fee_rate=rate,
        fee_basis=Text(
            en=f"{fmt_pct(rate, 0)} of the same resources and services bought alone "
            f"({fmt_money(award.total_cost_cny, 'en')}; the partnership "
            f"comparison's fee rate, an assumption †), over the {years}-year term: {fmt_money(fees, 'en')}, shared among "
            "the systems by their estimated cost",
            zh=f"按单独采购同等资源和服务测算值（{fmt_money(award.total_cost_cny, 'zh')}）的"
            f"{fmt_pct(rate, 0)}计（合作模式比较测算所设费率，为假设†），{years}年合同期合计"
            f"{fmt_money(fees, 'zh')}，按各系统测算成本分摊",
        ),
        total_cny=fees,
        alone_cny=award.total_cost_cny,
        years=years,
        terms=terms,
        steps=steps,
        first_service=service_day.isoformat(),
    )
