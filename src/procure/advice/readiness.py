"""Cloud-adoption readiness on the TOE factors: a score per factor and overall, with actions."""

from __future__ import annotations

from pydantic import BaseModel

from procure.advice.knowledge import Indicator, ReadinessModel
from procure.inputs.scenario import Scenario
from procure.text import Text


class Contribution(BaseModel):
    """One indicator's part in a factor score: input, score, weight, provenance."""

    indicator: str
    name: Text
    value: str
    score: float
    weight: float
    points: float
    source: str | None
    assumption: Text | None


class FactorScore(BaseModel):
    id: str
    name: Text
    score: float
    weight: float
    contributions: list[Contribution]


class Action(BaseModel):
    """What would raise a weak indicator."""

    factor: str
    indicator: str
    score: float
    text: Text


class Readiness(BaseModel):
    overall: float
    grade: str
    grade_label: Text
    factors: list[FactorScore]
    weakest: str
    actions: list[Action]


def indicator_score(indicator: Indicator, scenario: Scenario) -> tuple[str, float]:
    """(shown value, 0-100 score) of one indicator for this agency."""
    raw = getattr(scenario.agency, indicator.field)
    if indicator.levels is not None:
        return str(raw), indicator.levels[str(raw)]
    value = float(raw)
    if indicator.transform == "one_minus_share":
        return f"{value:.0%}", 100.0 * (1.0 - value)
    if indicator.transform == "saturating" and indicator.benchmarks is not None:
        benchmark = indicator.benchmarks[scenario.agency.level]
        shown = f"{value:,.0f}"
        return shown, 100.0 * value / (value + benchmark)
    raise ValueError(f"indicator {indicator.id} has no scoring rule")  # pragma: no cover


def assess_readiness(scenario: Scenario, model: ReadinessModel) -> Readiness:
    """Score each TOE factor as the weighted mean of its indicators, then the overall score."""
    factors = []
    actions = []
    for factor in model.factors:
        total_weight = sum(i.weight for i in factor.indicators)
        contributions = []
        for ind in factor.indicators:
            shown, score = indicator_score(ind, scenario)
            w = ind.weight / total_weight
            contributions.append(
                Contribution(
                    indicator=ind.id,
                    name=ind.name,
                    value=shown,
                    score=round(score, 2),
                    weight=round(w, 4),
                    points=round(score * w, 2),
                    source=ind.source,
                    assumption=ind.assumption,
                )
            )
            if score < model.action_threshold:
                actions.append(
                    Action(
                        factor=factor.id, indicator=ind.id, score=round(score, 2), text=ind.action
                    )
                )
        score = sum(c.score * c.weight for c in contributions)
        factors.append(
            FactorScore(
                id=factor.id,
                name=factor.name,
                score=round(score, 2),
                weight=factor.weight,
                contributions=contributions,
            )
        )
    total = sum(f.weight for f in factors)
    overall = round(sum(f.score * f.weight for f in factors) / total, 2)
    grade = next(g for g in sorted(model.grades, key=lambda g: -g.min) if overall >= g.min)
    weakest = min(factors, key=lambda f: f.score)
    if not actions:  # always say how to raise the weakest factor
        worst = min(weakest.contributions, key=lambda c: c.score)
        ind = next(i for f in model.factors for i in f.indicators if i.id == worst.indicator)
        actions.append(
            Action(factor=weakest.id, indicator=ind.id, score=worst.score, text=ind.action)
        )
    actions.sort(key=lambda a: a.score)
    return Readiness(
        overall=overall,
        grade=grade.grade,
        grade_label=grade.label,
        factors=factors,
        weakest=weakest.id,
        actions=actions,
    )
