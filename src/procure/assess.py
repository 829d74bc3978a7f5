"""The assessment: readiness, deployment fit, partnership lean and procurement route."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from procure.costing import annual_estimate
from procure.deployment import Deployment, assess_deployment
from procure.knowledge import Text, knowledge
from procure.partnership import PartnershipView, assess_partnership
from procure.readiness import Readiness, assess_readiness
from procure.route import RouteAdvice, advise_route
from procure.scenario import Scenario
from procure.vendors import Vendor
from procure.weights import Weights, criteria_weights


class Assessment(BaseModel):
    """Everything the rules conclude about one scenario, with reasons and provenance."""

    scenario: str
    weights: Weights
    readiness: Readiness
    deployment: Deployment
    partnership: PartnershipView
    route: RouteAdvice
    annual_estimate_cny: float
    warnings: list[Text]


def assess(scenario: Scenario, vendors: list[Vendor]) -> Assessment:
    """Assess a scenario against the knowledge base."""
    kb = knowledge()
    weights = criteria_weights(scenario.criteria)
    readiness = assess_readiness(scenario, kb.readiness)
    deployment = assess_deployment(scenario, weights.weights, kb.deployment, kb.rules)
    models = {p.system: p.recommended for p in deployment.placements}
    annual = annual_estimate(scenario.systems, models, vendors)
    value = annual * scenario.procurement.contract_years
    route = advise_route(scenario, value, kb.routes, weights.weights, vendors=vendors)
    partnership = assess_partnership(scenario, kb.partnership, kb.rules)
    return Assessment(
        scenario=scenario.name,
        weights=weights,
        readiness=readiness,
        deployment=deployment,
        partnership=partnership,
        route=route,
        annual_estimate_cny=round(annual, 2),
        warnings=warnings_for(scenario),
    )


def spend_basis(assessment: Assessment, award: Any | None, years: int) -> tuple[float, float, str]:
    """(annual spend, one-off cost, basis) for the cash-flow model: the award when there is one."""
    if award is not None:
        one_off = award.cost_breakdown["setup"] + award.cost_breakdown["migration"]
        annual = (award.total_cost_cny - one_off) / years
        return annual, one_off, "award"
    return assessment.annual_estimate_cny, 0.0, "resource estimate"


def warnings_for(scenario: Scenario) -> list[Text]:
    """Accepted but unusual inputs, worth a word to the analyst."""
    out = []
    years = scenario.procurement.contract_years
    if years not in (3, 5):
        out.append(
            Text(
                en=f"procurement.contract_years is {years}; the report's norm for IaaS/PaaS "
                "service contracts is 3 or 5 years (iResearch 2020, ch.3)",
                zh=f"procurement.contract_years 为{years}年；报告所述 IaaS/PaaS 服务合同的通常期限"
                "为3年或5年（艾瑞咨询《2020年中国政务云行业研究报告》第三章）",
            )
        )
    if scenario.agency.cloud_type == "integrated" and scenario.agency.sector is not None:
        out.append(
            Text(
                en="agency.sector is ignored for an integrated cloud",
                zh="综合政务云不使用 agency.sector，该字段被忽略",
            )
        )
    return out
