"""Deployment fit: for each system, a 0-100 score per model after the hard rules.

fit(s, m) = sum_c w_sc * profile(m, c) + sum of rule adjustments for (s, m), clipped to 0..100,
where w_sc are the criteria weights scaled by the system's sensitivity (security) and
elasticity (scalability), renormalised. Models excluded by a rule get no score.
"""

from __future__ import annotations

from pydantic import BaseModel

from procure.advice.knowledge import DeploymentKnowledge, RuleBook
from procure.advice.rules import holds, namespace
from procure.errors import ProcureError
from procure.inputs.scenario import CRITERIA, Scenario, System
from procure.inputs.vendors import DEPLOYMENT_MODELS
from procure.text import Text


class Applied(BaseModel):
    """A rule that fired, and what it did."""

    rule: str
    effect: str
    reason: Text
    source: str | None
    assumption: Text | None


class ModelFit(BaseModel):
    model: str
    name: Text
    base: float
    adjustments: list[Applied]
    excluded_by: list[Applied]
    score: float | None


class Placement(BaseModel):
    """One system's placement: every model's fit, the choice, the runner-up and why."""

    system: str
    name: str
    weights: dict[str, float]
    fits: list[ModelFit]
    recommended: str
    runner_up: str | None
    margin: float | None
    reasons: list[Text]


class Deployment(BaseModel):
    placements: list[Placement]
    mix: dict[str, int]

    def placement(self, system_id: str) -> Placement:
        return next(p for p in self.placements if p.system == system_id)


def system_weights(
    weights: dict[str, float], system: System, kb: DeploymentKnowledge
) -> dict[str, float]:
    """Criteria weights for one system: security and scalability scaled by its profile."""
    scaled = dict(weights)
    scaled["security"] *= kb.modifiers.security_by_sensitivity[system.sensitivity]
    scaled["scalability"] *= kb.modifiers.scalability_by_elasticity[system.elasticity]
    total = sum(scaled.values())
    return {c: scaled[c] / total for c in CRITERIA}


def place_system(
    scenario: Scenario,
    system: System,
    weights: dict[str, float],
    kb: DeploymentKnowledge,
    rules: RuleBook,
) -> Placement:
    """Score every deployment model for one system and pick the best allowed."""
    w = system_weights(weights, system, kb)
    names = namespace(scenario, system)
    fired = [r for r in rules.deployment if holds(r, names)]
    fits = []
    raw: dict[str, float] = {}  # unrounded scores decide; rounded ones are shown
    for model in DEPLOYMENT_MODELS:
        profile = kb.profile(model)
        base = sum(w[c] * profile.scores[c] for c in CRITERIA)
        adjustments, excluded = [], []
        for r in fired:
            applied = dict(rule=r.id, reason=r.reason, source=r.source, assumption=r.assumption)
            if model in r.exclude:
                excluded.append(Applied(effect="excluded", **applied))
            elif model in r.adjust:
                points = float(r.adjust[model])
                adjustments.append(Applied(effect=f"{points:+g}", **applied))
        score = None
        if not excluded:
            raw[model] = min(100.0, max(0.0, base + sum(float(a.effect) for a in adjustments)))
            score = round(raw[model], 2)
        fits.append(
            ModelFit(
                model=model,
                name=profile.name,
                base=round(base, 2),
                adjustments=adjustments,
                excluded_by=excluded,
                score=score,
            )
        )
    ranked = sorted(
        (f for f in fits if f.score is not None),
        key=lambda f: (-raw[f.model], DEPLOYMENT_MODELS.index(f.model)),
    )
    if not ranked:
        raise ProcureError(f"system {system.id}: every deployment model is excluded by the rules")
    best = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None
    margin = round(raw[best.model] - raw[runner.model], 2) if runner else None
    reasons = [
        Text(
            en=f"{best.name.en} scores {best.score:.1f} of 100 under this system's weights"
            + (f", {margin:.1f} ahead of {runner.name.en}." if runner else "."),
            zh=f"在该系统的权重下，{best.name.zh}得分{best.score:.1f}"
            + (f"，领先{runner.name.zh}{margin:.1f}分。" if runner else "。"),
        )
    ]
    for f in fits:
        reasons.extend(a.reason for a in f.excluded_by if a.reason not in reasons)
    if system.public_cloud_reason and system.sensitivity == "medium":
        reasons.append(
            Text(
                en=f"Public cloud allowed by the scenario for this medium-sensitivity system: "
                f"{system.public_cloud_reason}",
                zh=f"情景说明该中等敏感系统可使用公有云：{system.public_cloud_reason}",
            )
        )
    for a in best.adjustments:
        if a.reason not in reasons:
            reasons.append(a.reason)
    return Placement(
        system=str(system.id),
        name=system.name,
        weights={c: round(v, 4) for c, v in w.items()},
        fits=fits,
        recommended=best.model,
        runner_up=runner.model if runner else None,
        margin=margin,
        reasons=reasons,
    )


def assess_deployment(
    scenario: Scenario, weights: dict[str, float], kb: DeploymentKnowledge, rules: RuleBook
) -> Deployment:
    """Place every system."""
    placements = [place_system(scenario, s, weights, kb, rules) for s in scenario.systems]
    mix = {m: sum(1 for p in placements if p.recommended == m) for m in DEPLOYMENT_MODELS}
    return Deployment(placements=placements, mix=mix)
