"""Contract management (合同管理安排) and the acceptance plan (履约验收方案) of a lot: contract
type and pricing by the lot's layers, the main clauses, and acceptance items on measurable
dimensions (the report's evaluation dimensions of a government cloud), each cited or assumed."""

from __future__ import annotations

import re

from pydantic import BaseModel

from procure.inputs.scenario import Scenario
from procure.plan.names import name_list
from procure.plan.rules import Clause, PlanKnowledge
from procure.text import Text


class Term(BaseModel):
    """One line of the contract or acceptance plan, with its basis (a citation, or the
    assumption's reason)."""

    text: Text
    basis: Text


class ContractPlan(BaseModel):
    type: Term
    pricing: list[Term]
    clauses: list[Term]
    acceptance: list[Term]
    acceptance_basis: Text


_CHAPTER = re.compile(r'iResearch 2020, ch\.([0-9]+)(-[0-9]+)?, "([^"]+)"(?: \([^()]*\))?')


def zh_source(source: str) -> str:
    """'iResearch 2020, ch.N-M, "slide title" (gloss)' as a Chinese reader reads it (the documents
    stage has the general form, `report.source_text`; the plan cannot import a later stage)."""

    def chapter(m: re.Match[str]) -> str:
        cases = "（典型案例）" if m.group(2) else ""
        return f"艾瑞咨询《中国政务云行业研究报告》（2020）第{m.group(1)}章{cases}“{m.group(3)}”"

    return _CHAPTER.sub(chapter, source)


def basis(entry: Clause | object) -> Text:
    """The citation (law article or report slide) and/or the assumption, in both languages."""
    cite = entry.cite() if isinstance(entry, Clause) else None
    source = getattr(entry, "source", None)
    assumption = getattr(entry, "assumption", None)
    parts_en = [x for x in (cite, source) if x]
    parts_zh = [x for x in (cite, zh_source(source) if source else None) if x]
    if assumption is not None:
        parts_en.append("assumption: " + assumption.en)
        parts_zh.append("假设：" + assumption.zh)
    return Text(en="; ".join(parts_en), zh="；".join(parts_zh))


def _fill(template: str, fields: dict[str, Text | int | None], lang: str) -> str:
    """A knowledge template with the lot's values (user text goes in as values, never as the
    template, so a name with braces is only text)."""
    return template.format(**{k: v(lang) if isinstance(v, Text) else v for k, v in fields.items()})


def contract_plan(
    scenario: Scenario,
    systems: list[str],
    layers: list[str],
    capacity: Text | None,
    kb: PlanKnowledge,
) -> ContractPlan:
    """The lot's contract and acceptance plan; `systems` are its system ids, `layers` all the
    layers it buys, `capacity` its resources in words."""
    c = kb.contract
    years = scenario.procurement.contract_years
    kind = Text(
        en=f"{c.type.name.en}: {years} year{'s' if years != 1 else ''}",
        zh=f"{c.type.name.zh}：{years}年",
    )
    pricing = [Term(text=p.name, basis=basis(p)) for p in c.pricing if set(p.layers) & set(layers)]
    clauses = [Term(text=x.name, basis=basis(x)) for x in c.clauses]
    chosen = [s for s in scenario.systems if str(s.id) in systems]
    legacy = [s.name for s in chosen if s.legacy]
    services = bool({"security", "ops"} & set(layers))
    acceptance = []
    for item in kb.acceptance.items:
        if item.when == "systems" and not chosen:
            continue
        if item.when == "legacy" and not legacy:
            continue
        if item.when == "services" and not services:
            continue
        fields: dict[str, Text | int | None] = {
            "capacity": capacity,
            "level": max((s.mlps_level for s in chosen), default=0),
            "systems": name_list(legacy, len(scenario.systems)),
        }

        acceptance.append(
            Term(
                text=Text(
                    en=f"{item.dimension.en}: {_fill(item.name.en, fields, 'en')}",
                    zh=f"{item.dimension.zh}：{_fill(item.name.zh, fields, 'zh')}",
                ),
                basis=basis(item),
            )
        )
    a = kb.acceptance
    return ContractPlan(
        type=Term(text=kind, basis=basis(c.type)),
        pricing=pricing,
        clauses=clauses,
        acceptance=acceptance,
        acceptance_basis=Text(
            en=f"{a.dimensions.en} ({a.dimensions_source}); acceptance by the buyer "
            f"({a.basis.cite()})",
            zh=f"{a.dimensions.zh}（{zh_source(a.dimensions_source)}）；由采购人组织验收（{a.basis.cite()}）",
        ),
    )
