"""The knowledge base: YAML data under `knowledge/`, validated on load, loaded once.

Every entry carries `source:` (a citation) or `assumption:` (a modelling choice with a reason),
so the brief can show which numbers are cited and which are assumed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from procure.inputs.vendors import DeploymentModel
from procure.text import Data, Text

KNOWLEDGE = Path(__file__).parents[1] / "knowledge"


class Cited(Data):
    """An entry that must say where it comes from, or why it is assumed."""

    source: str | None = None
    assumption: Text | None = None  # the reason, in both languages of the brief

    @model_validator(mode="after")
    def _provenance(self) -> Cited:
        if not self.source and not self.assumption:
            raise ValueError("every knowledge entry needs `source:` or `assumption:`")
        return self


class Indicator(Cited):
    id: str
    name: Text
    field: str
    weight: float = Field(gt=0)
    levels: dict[str, float] | None = None
    transform: Literal["one_minus_share", "saturating"] | None = None
    benchmarks: dict[str, float] | None = None
    action: Text


class Factor(Cited):
    id: Literal["technology", "organisation", "environment"]
    name: Text
    weight: float = Field(gt=0)
    indicators: list[Indicator]


class Grade(Data):
    min: float
    grade: str
    label: Text


class ReadinessModel(Data):
    factors: list[Factor]
    grades: list[Grade]
    grades_assumption: Text
    action_threshold: float
    action_threshold_assumption: Text


class ModelProfile(Cited):
    id: DeploymentModel
    name: Text
    scores: dict[Literal["security", "flexibility", "scalability", "cost"], float]


class Modifiers(Data):
    security_by_sensitivity: dict[str, float]
    scalability_by_elasticity: dict[str, float]
    assumption: Text


class DeploymentKnowledge(Data):
    models: list[ModelProfile]
    modifiers: Modifiers

    def profile(self, model: str) -> ModelProfile:
        return next(p for p in self.models if p.id == model)


class Mode(Data):
    id: Literal["joint_venture", "direct_purchase", "join_parent_cloud"]
    name: Text


class ParentCloudRule(Cited):
    max_tech_staff: float
    max_annual_it_budget_cny: float


class Dimension(Cited):
    id: Literal["capital", "control_risk", "preparation", "sustainability"]
    name: Text
    base: dict[str, float]
    note: dict[str, Text]


class PartnershipKnowledge(Data):
    modes: list[Mode]
    parent_cloud: ParentCloudRule
    jv_partner: Cited
    dimensions: list[Dimension]
    dimension_weights: dict[str, float]
    dimension_weights_assumption: Text


class Rule(Cited):
    """A rule: a condition, an effect and a reason."""

    id: str
    when: str
    exclude: list[str] = Field(default_factory=list)
    adjust: dict[str, Any] = Field(default_factory=dict)
    reason: Text


class RuleBook(Data):
    deployment: list[Rule]
    partnership: list[Rule]


MethodId = Literal["open_tender", "competitive_consultation", "single_source"]
METHODS: tuple[MethodId, ...] = ("open_tender", "competitive_consultation", "single_source")


class Method(Cited):
    id: MethodId
    name: Text


class Complexity(Cited):
    min_layers_for_complex: int
    large_platform_vcpu: float


class Figure(Cited):
    """A number with its article (source) or its reason (assumption)."""

    value: float


class PriceWeight(Cited):
    """The share of the total score price may carry under comprehensive scoring (综合评分法)."""

    services: tuple[float, float]
    goods: tuple[float, float]


class SourcedText(Text):
    source: str


class RouteStep(Cited):
    """One step of the procurement timeline, with its legal minimum or maximum where the law
    sets one (the article in `source`) and the duration used (the reason in `assumption`)."""

    id: str
    phase: Literal["preparation", "procurement", "delivery", "acceptance"]
    name: Text
    days: float = Field(gt=0)
    min_days: float | None = None
    max_days: float | None = None
    working_days: bool = False
    methods: list[MethodId] = Field(default_factory=lambda: list(METHODS))
    when: Literal["always", "above_threshold"] = "always"
    alongside: str | None = None  # runs beside this (earlier) step when both apply

    @model_validator(mode="after")
    def _legal_limits_are_cited(self) -> RouteStep:
        if (self.min_days is not None or self.max_days is not None) and not self.source:
            raise ValueError(f"step {self.id}: a legal minimum or maximum needs its `source:`")
        if self.min_days is not None and not self.working_days and self.days < self.min_days:
            raise ValueError(f"step {self.id}: days below the legal minimum")
        return self


class RouteKnowledge(Data):
    methods: list[Method]
    practice: Cited
    add_on_limit: Figure
    open_tender_threshold_cny: Figure
    non_open_approval: Cited
    single_source_notice: Figure
    price_weight: dict[Literal["open_tender", "competitive_consultation"], PriceWeight]
    price_formula: dict[Literal["open_tender", "competitive_consultation"], Text]
    single_source_pricing: SourcedText
    complexity: Complexity
    days_per_month: float
    steps: list[RouteStep]

    def method(self, method_id: str) -> Method:
        return next(m for m in self.methods if m.id == method_id)


class CostRates(Data):
    migration_cny_per_vcpu: float
    migration_assumption: Text
    integrator_fee_rate: float
    integrator_fee_assumption: Text
    parallel_integration_rate: float
    parallel_integration_assumption: Text
    multicloud_rate: float
    multicloud_assumption: Text
    multicloud_source: str
    per_extra_vendor_cny_per_year: float
    per_extra_vendor_assumption: Text
    domestic_preference_bonus: float
    domestic_preference_assumption: Text
    local_presence_bonus: float
    local_presence_assumption: Text
    incumbent_bonus: float
    incumbent_bonus_assumption: Text
    service_score_weight: float = Field(ge=0, le=1)
    service_score_weight_assumption: Text


class Parameter(Cited):
    value: float


class CashflowKnowledge(Data):
    parameters: dict[str, Parameter]
    ranges: dict[str, Any]


class MarketFigure(Cited):
    id: str
    label: Text
    value: float
    unit: str


class Market(Data):
    figures: list[MarketFigure]


class ComplianceKnowledge(Data):
    integrator_main_work: Cited
    security_assessment: Cited


class Knowledge(Data):
    """Everything the tool knows, loaded once."""

    readiness: ReadinessModel
    deployment: DeploymentKnowledge
    partnership: PartnershipKnowledge
    rules: RuleBook
    routes: RouteKnowledge
    compliance: ComplianceKnowledge
    costs: CostRates
    cashflow: CashflowKnowledge
    market: Market


def _read(name: str) -> Any:
    from procure.inputs.yamlio import read_yaml

    return read_yaml(KNOWLEDGE / f"{name}.yaml")


@cache
def knowledge() -> Knowledge:
    """Load and validate the knowledge base (and its rules' conditions) once."""
    from procure.advice.rules import check_rules
    from procure.inputs.validation import validate_located

    parts = {}
    for name, model in (
        ("readiness", ReadinessModel),
        ("deployment", DeploymentKnowledge),
        ("partnership", PartnershipKnowledge),
        ("rules", RuleBook),
        ("routes", RouteKnowledge),
        ("compliance", ComplianceKnowledge),
        ("costs", CostRates),
        ("cashflow", CashflowKnowledge),
        ("market", Market),
    ):
        parts[name] = validate_located(model, _read(name))
    kb = Knowledge.model_validate(parts)
    check_rules(kb.rules)
    return kb
