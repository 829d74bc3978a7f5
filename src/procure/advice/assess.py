"""The assessment: readiness, deployment fit, partnership lean and procurement route."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from procure.advice.costing import annual_estimate
from procure.advice.deployment import Deployment, assess_deployment
from procure.advice.knowledge import knowledge
from procure.advice.partnership import PartnershipView, assess_partnership
from procure.advice.readiness import Readiness, assess_readiness
from procure.advice.route import RouteAdvice, advise_route
from procure.inputs.load import warnings_for
from procure.inputs.scenario import Scenario
from procure.inputs.vendors import Vendor
from procure.inputs.weights import Weights, criteria_weights
from procure.text import Text


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
