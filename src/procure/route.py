"""Procurement route: open tender, competitive consultation or single source, with the reason."""

from __future__ import annotations

from pydantic import BaseModel

from procure.knowledge import RouteKnowledge, Text
from procure.money import fmt_money
from procure.scenario import Scenario


class RouteAdvice(BaseModel):
    method: str
    name: Text
    contract_value_cny: float
    reasons: list[Text]
    cautions: list[Text]
    sources: list[str]


def is_complex(scenario: Scenario, kb: RouteKnowledge) -> bool:
    """A new platform is technically complex if it needs PaaS/SaaS or is large and shared."""
    layered = any(len(s.layers) >= kb.complexity.min_layers_for_complex for s in scenario.systems)
    vcpu = sum(s.vcpu for s in scenario.systems)
    large_shared = (
        vcpu > kb.complexity.large_platform_vcpu and scenario.agency.data_sharing_need != "low"
    )
    return layered or large_shared


def advise_route(scenario: Scenario, contract_value_cny: float, kb: RouteKnowledge) -> RouteAdvice:
    """Pick the method from the legal triggers, most specific first."""
    p = scenario.procurement
    reasons: list[Text] = []
    cautions: list[Text] = []
    sources: list[str] = []
    if p.expansion and p.incumbent:
        add_on = p.expansion_value_cny if p.expansion_value_cny is not None else contract_value_cny
        original = p.original_contract_cny
        if original is None:
            cautions.append(
                Text(
                    en="The original contract value is not given (procurement.original_contract_cny), "
                    "so the 10% add-on limit cannot be checked.",
                    zh="未给出原合同金额（procurement.original_contract_cny），无法核对10%追加上限。",
                )
            )
        limit = kb.add_on_limit * original if original is not None else None
        if limit is not None and add_on <= limit:
            reasons.append(
                Text(
                    en=f"Expanding the incumbent's ({p.incumbent}) contract: the add-on of "
                    f"{fmt_money(add_on, 'en')} is within 10% of the original "
                    f"{fmt_money(original or 0, 'en')} ({fmt_money(limit, 'en')}), so single-source "
                    "purchase from the incumbent keeps the platform consistent.",
                    zh=f"扩容现有服务商（{p.incumbent}）合同：追加金额{fmt_money(add_on, 'zh')}"
                    f"未超过原合同{fmt_money(original or 0, 'zh')}的10%（{fmt_money(limit, 'zh')}），"
                    "可向原供应商单一来源采购以保证一致性。",
                )
            )
            sources += [kb.add_on_limit_source, kb.method("single_source").source or ""]
            return _advice("single_source", contract_value_cny, reasons, cautions, sources, kb)
        if limit is not None:
            cautions.append(
                Text(
                    en=f"The add-on of {fmt_money(add_on, 'en')} exceeds 10% of the original contract "
                    f"({fmt_money(limit, 'en')}): single source is not available; compete it.",
                    zh=f"追加金额{fmt_money(add_on, 'zh')}超过原合同10%（{fmt_money(limit, 'zh')}），"
                    "不适用单一来源，应竞争性采购。",
                )
            )
            sources.append(kb.add_on_limit_source)
    if is_complex(scenario, kb):
        reasons.append(
            Text(
                en="The platform is technically complex (PaaS/SaaS layers or a large shared platform): "
                "competitive consultation lets the buyer refine requirements with bidders and weigh "
                "quality against price.",
                zh="平台技术复杂（含PaaS/SaaS层或大规模共享平台），竞争性磋商便于与供应商沟通细化需求、"
                "兼顾质量与价格。",
            )
        )
        if contract_value_cny >= kb.open_tender_threshold_cny:
            cautions.append(
                Text(
                    en=f"The value ({fmt_money(contract_value_cny, 'en')}) is above the open-tender "
                    f"threshold ({fmt_money(kb.open_tender_threshold_cny, 'en')}, assumed): a non-open "
                    "method needs the finance department's approval before the procurement starts.",
                    zh=f"金额（{fmt_money(contract_value_cny, 'zh')}）高于公开招标限额"
                    f"（{fmt_money(kb.open_tender_threshold_cny, 'zh')}，假设值），采用非公开招标方式"
                    "须在采购活动开始前报财政部门批准。",
                )
            )
        sources += [kb.method("competitive_consultation").source or "", kb.complexity.source or ""]
        return _advice(
            "competitive_consultation", contract_value_cny, reasons, cautions, sources, kb
        )
    reasons.append(
        Text(
            en="Standard, well-specified cloud resources: an open tender gives the widest competition.",
            zh="标准化、需求明确的云资源，公开招标竞争最充分。",
        )
    )
    sources.append(kb.method("open_tender").source or "")
    return _advice("open_tender", contract_value_cny, reasons, cautions, sources, kb)


def _advice(
    method: str,
    value: float,
    reasons: list[Text],
    cautions: list[Text],
    sources: list[str],
    kb: RouteKnowledge,
) -> RouteAdvice:
    return RouteAdvice(
        method=method,
        name=kb.method(method).name,
        contract_value_cny=value,
        reasons=reasons,
        cautions=cautions,
        sources=sorted({s for s in sources if s}),
    )
