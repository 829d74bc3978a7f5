"""Joint venture vs direct purchase on the report's four dimensions, for this agency."""

from __future__ import annotations

from pydantic import BaseModel

from procure.advice.deployment import Applied
from procure.advice.knowledge import PartnershipKnowledge, RuleBook
from procure.advice.rules import holds, namespace
from procure.inputs.scenario import Scenario
from procure.text import Text

MODES = ("joint_venture", "direct_purchase")


def joins_parent_cloud(scenario: Scenario, kb: PartnershipKnowledge) -> bool:
    """An agency with a unified cloud above it and a small budget or few staff joins it."""
    a, rule = scenario.agency, kb.parent_cloud
    return a.parent_cloud != "none" and (
        a.tech_staff < rule.max_tech_staff or a.annual_it_budget_cny < rule.max_annual_it_budget_cny
    )


class DimensionView(BaseModel):
    id: str
    name: Text
    scores: dict[str, float]
    notes: dict[str, Text]
    adjustments: list[Applied]
    source: str | None
    assumption: Text | None


class PartnershipView(BaseModel):
    """Scores per dimension and mode (favourability to the government, 0-100) and the lean."""

    dimensions: list[DimensionView]
    totals: dict[str, float]
    excluded: dict[str, list[Applied]]
    recommended: str
    mode_names: dict[str, Text]
    reasons: list[Text]


def assess_partnership(
    scenario: Scenario, kb: PartnershipKnowledge, rules: RuleBook
) -> PartnershipView:
    """Apply the partnership rules to the base profile and pick the mode that scores higher."""
    names = namespace(scenario)
    fired = [r for r in rules.partnership if holds(r, names)]
    dims = []
    for d in kb.dimensions:
        scores = dict(d.base)
        adjustments = []
        for r in fired:
            for mode, points in (r.adjust.get(d.id) or {}).items():
                scores[mode] = min(100.0, max(0.0, scores[mode] + float(points)))
                adjustments.append(
                    Applied(
                        rule=r.id,
                        effect=f"{mode} {float(points):+g}",
                        reason=r.reason,
                        source=r.source,
                        assumption=r.assumption,
                    )
                )
        dims.append(
            DimensionView(
                id=d.id,
                name=d.name,
                scores=scores,
                notes=d.note,
                adjustments=adjustments,
                source=d.source,
                assumption=d.assumption,
            )
        )
    totals = {
        m: round(sum(kb.dimension_weights[d.id] * d.scores[m] for d in dims), 2) for m in MODES
    }
    excluded = {
        m: [
            Applied(
                rule=r.id,
                effect="excluded",
                reason=r.reason,
                source=r.source,
                assumption=r.assumption,
            )
            for r in fired
            if m in r.exclude
        ]
        for m in MODES
    }
    allowed = [m for m in MODES if not excluded[m]] or ["direct_purchase"]
    recommended = max(allowed, key=lambda m: (totals[m], m == "direct_purchase"))
    mode_names: dict[str, Text] = {m.id: m.name for m in kb.modes}
    other = next(m for m in MODES if m != recommended)
    reasons = [
        Text(
            en=f"{mode_names[recommended].en} scores {totals[recommended]:.1f} against "
            f"{totals[other]:.1f} for {mode_names[other].en.lower()} on the four dimensions.",
            zh=f"四个维度综合得分：{mode_names[recommended].zh}{totals[recommended]:.1f}，"
            f"{mode_names[other].zh}{totals[other]:.1f}。",
        )
    ]
    reasons.extend(a.reason for m in MODES for a in excluded[m])
    if joins_parent_cloud(scenario, kb):
        recommended = "join_parent_cloud"
        level = {"prefecture": ("prefecture", "地市"), "province": ("provincial", "省级")}
        en, zh = level[scenario.agency.parent_cloud]
        reasons.insert(
            0,
            Text(
                en=f"The agency has a {en} unified cloud above it and a small budget or few IT "
                "staff: joining it beats building or buying its own (counties rarely build "
                "their own integrated cloud).",
                zh=f"本机构上级已建成{zh}统建政务云，且预算或IT人员有限：接入上级云优于自建或单独采购"
                "（县级自建综合政务云的比例较低）。",
            ),
        )
    for r in fired:
        if r.reason not in reasons:
            reasons.append(r.reason)
    return PartnershipView(
        dimensions=dims,
        totals=totals,
        excluded=excluded,
        recommended=recommended,
        mode_names=mode_names,
        reasons=reasons,
    )
