"""The plan's legal figures as data (`knowledge/plan.yaml`): each with its document, article
and effective date, and `source:` (what was read) or `assumption:` (naming what was not)."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Literal

from pydantic import Field, field_validator

from procure.advice.knowledge import KNOWLEDGE, Cited
from procure.text import Data, Text


def cite_parts(document: str, article: str) -> str:
    """'《A》；《B》' with '第1条；第2条' -> '《A》第1条；《B》第2条' (each document its article)."""
    docs, arts = document.split("；"), article.split("；")
    if len(docs) == len(arts) > 1:
        return "；".join(d + a for d, a in zip(docs, arts, strict=True))
    return document + article


class Law(Cited):
    """A rule or figure with its document, article and effective date."""

    document: str
    article: str
    effective: str
    until: str | None = None  # the last day it applied, once repealed or replaced

    @field_validator("effective", "until")
    @classmethod
    def _is_date(cls, v: str | None) -> str | None:
        if v is not None:
            date.fromisoformat(v)
        return v

    def cite(self) -> str:
        return cite_parts(self.document, self.article)

    def effective_date(self) -> date:
        return date.fromisoformat(self.effective)

    def in_force(self, day: date) -> bool:
        """In force on `day`: on or after its effective date, and not past `until`."""
        return self.effective_date() <= day and (
            self.until is None or day <= date.fromisoformat(self.until)
        )


class Threshold(Law):
    level: Literal["central", "province", "prefecture", "county"]
    region: str | None = None  # the province's key (agency.province); None: central
    value: float = Field(gt=0)


class Fallback(Data):
    level: Literal["central", "province", "prefecture", "county"]
    reason: Text


class MethodLaw(Cited):
    name: Text
    document: str | None = None
    article: str | None = None
    approval_document: str | None = None
    approval_article: str | None = None
    effective: str

    def approval(self) -> str | None:
        if self.approval_document is None:
            return None
        return f"{self.approval_document}{self.approval_article or ''}"


class AddOn(Law):
    limit: float = Field(gt=0, lt=1)
    notice: Text


class Case(Data):
    id: str
    item: str
    name: Text
    check: Text


class ConsultationCases(Law):
    cases: list[Case]


class EvaluationLaw(Law):
    name: Text


class Evaluations(Data):
    lowest_price: EvaluationLaw
    scoring: EvaluationLaw


class Deduction(Law):
    low: float = Field(gt=0, lt=1)
    high: float = Field(gt=0, lt=1)
    consortium_low: float = Field(gt=0, lt=1)
    consortium_high: float = Field(gt=0, lt=1)


class Sme(Data):
    reserve_limit: float = Field(gt=0)
    reserve_share: float = Field(gt=0, lt=1)
    reserve: Law
    deduction: Deduction


class Forbidden(Law):
    id: str
    name: Text


class Qualifications(Data):
    forbidden: list[Forbidden]
    rules: list[Forbidden]


class Ceiling(Cited):
    rounding_cny: float = Field(gt=0)
    competitors: int = Field(ge=1)


class Minimum(Law):
    """The least number of eligible candidate suppliers a competitive method needs."""

    min_suppliers: int = Field(ge=1)
    name: Text


class OnlySupplier(Law):
    """Single source where only one supplier can provide (GPL art. 31(1)), and its notice."""

    notice_working_days: int = Field(ge=1)


class Shortfall(Cited):
    name: Text


class Period(Cited):
    days: float | None = None
    working_days: int | None = None
    max_days: float | None = None
    document: str | None = None
    article: str | None = None
    effective: str | None = None
    required_from: dict[str, str] = Field(default_factory=dict)  # by level: from when it applies

    def cite(self) -> str | None:
        return cite_parts(self.document, self.article or "") if self.document else None


class Timeline(Data):
    intent_notice: Period
    documents: Period
    approval: Period
    bidding_period: Period
    consultation_period: Period
    negotiation: Period
    evaluation: Period
    challenge: Period
    contract: Period
    delivery: Period
    acceptance: Period
    period_end: Period


class Clause(Cited):
    """A contract clause or acceptance item, cited or assumed (a law's article when it has one)."""

    name: Text
    document: str | None = None
    article: str | None = None
    effective: str | None = None

    def cite(self) -> str | None:
        return cite_parts(self.document, self.article or "") if self.document else None


class Pricing(Cited):
    layers: list[Literal["iaas", "paas", "saas", "security", "ops"]]
    name: Text


class ContractLaw(Data):
    type: Clause
    pricing: list[Pricing]
    clauses: list[Clause]


class AcceptanceItem(Clause):
    id: str
    when: Literal["systems", "legacy", "services"]
    dimension: Text


class AcceptanceLaw(Data):
    basis: Law
    dimensions: Text
    dimensions_source: str
    items: list[AcceptanceItem]


class JoinStep(Cited):
    id: str
    name: Text
    days: float = Field(ge=0)


class JoiningLaw(Data):
    """What an agency that joins the unified cloud above asks for, pays and agrees to."""

    requests: list[Clause]
    terms: list[Clause]
    steps: list[JoinStep]


class PlanKnowledge(Data):
    knowledge_date: str
    thresholds: list[Threshold]
    regions: dict[str, Text]
    fallback_threshold: Fallback
    methods: dict[str, MethodLaw]
    add_on: AddOn
    consultation_cases: ConsultationCases
    evaluation: Evaluations
    sme: Sme
    qualifications: Qualifications
    subcontracting: Law
    splitting: Law  # lots by non-open methods count together (GPL art. 28; regs art. 28)
    ceiling: Ceiling
    competition: dict[str, Minimum]  # by method: the competitive methods only
    only_supplier: OnlySupplier
    shortfall: Shortfall
    timeline: Timeline
    contract: ContractLaw
    acceptance: AcceptanceLaw

    joining: JoiningLaw

    def minimum(self, method: str) -> Minimum | None:
        """The competition `method` needs by law; None for a method without competition."""
        return self.competition.get(method)

    def threshold_for(self, level: str, region: str | None = None) -> Threshold | None:
        """The figure for `level` (and, for a local unit, its province `region`), if sourced."""
        if level == "central":
            region = None
        return next((t for t in self.thresholds if t.level == level and t.region == region), None)


@cache
def plan_knowledge() -> PlanKnowledge:
    """Load and validate `knowledge/plan.yaml` once."""
    from procure.inputs.validation import validate_located
    from procure.inputs.yamlio import read_yaml

    return validate_located(PlanKnowledge, read_yaml(KNOWLEDGE / "plan.yaml"))
