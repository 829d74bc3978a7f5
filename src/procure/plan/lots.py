"""Lots (采购包) and their competition: which candidate suppliers could take a whole lot under
the rules the award enforces (MLPS level, 信创, service layers, security assessment, capacity),
what each would cost (an internal market-research estimate), the ceiling price and the cheapest
change that gives three eligible candidates (GPL art. 36)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from procure.award.instance import CROSS_LAYERS, Instance
from procure.award.optimizer import Award
from procure.inputs.scenario import Scenario
from procure.money import fmt_money
from procure.plan.rules import PlanKnowledge
from procure.text import Text

MODEL_NAMES = {
    "private": Text(en="private cloud", zh="私有云"),
    "dedicated": Text(en="dedicated cloud", zh="专有云"),
    "public": Text(en="public cloud", zh="公有云"),
    "hybrid": Text(en="hybrid cloud", zh="混合云"),
}


@dataclass(frozen=True)
class Scope:
    """What one lot buys: systems (on one deployment model, or any), and cross layers."""

    id: str
    name: Text
    systems: tuple[str, ...]
    layers: tuple[str, ...]  # cross-cutting layers (security, ops) bought in this lot
    model: str | None = None  # the platform a parallel lot is grouped by


def scopes(scenario: Scenario, award: Award) -> list[Scope]:
    """The lots: one lot for the whole platform under a general integrator (or a single
    supplier); with parallel contracts, one lot per platform (deployment model) the estimate
    uses, plus one lot for the security and operations services across them."""
    all_ids = tuple(str(s.id) for s in scenario.systems)
    if award.structure != "parallel":
        return [
            Scope(
                id="lot-1",
                name=Text(en="Government cloud platform and services", zh="政务云平台及服务"),
                systems=all_ids,
                layers=CROSS_LAYERS,
            )
        ]
    by_model: dict[str, list[str]] = {}
    for a in award.systems:
        by_model.setdefault(a.model, []).append(a.system)
    out = []
    for i, model in enumerate(sorted(by_model), start=1):
        name = MODEL_NAMES[model]
        out.append(
            Scope(
                id=f"lot-{i}",
                name=Text(en=f"{name.en.capitalize()} resources", zh=f"{name.zh}资源"),
                systems=tuple(s for s in all_ids if s in by_model[model]),
                layers=(),
                model=model,
            )
        )
    out.append(
        Scope(
            id=f"lot-{len(out) + 1}",
            name=Text(en="Security and operations services", zh="安全及运维服务"),
            systems=(),
            layers=CROSS_LAYERS,
        )
    )
    return out


def estimates(inst: Instance, scope: Scope) -> dict[str, float]:
    """Each candidate eligible for the whole lot, with its estimate for it (over the term,
    setup fee included): every system on an eligible platform (the lot's model, if it has one;
    else the candidate's cheapest), every cross layer of the lot, within its capacity."""
    options: dict[tuple[str, str], list[float]] = {}
    for sid, vid, model in inst.triples:
        if scope.model is None or model == scope.model:
            options.setdefault((sid, vid), []).append(inst.cost[(sid, vid, model)])
    out: dict[str, float] = {}
    for vid, vendor in inst.vendors.items():
        if any((sid, vid) not in options for sid in scope.systems):
            continue
        if any(vid not in inst.layer_options.get(x, []) for x in scope.layers):
            continue
        if sum(inst.vcpu[s] for s in scope.systems) > vendor.capacity_vcpu:
            continue
        total = inst.setup[vid] + sum(min(options[(s, vid)]) for s in scope.systems)
        total += sum(inst.layer_cost[(x, vid)] for x in scope.layers)
        out[vid] = round(total, 2)
    return dict(sorted(out.items(), key=lambda kv: (kv[1], kv[0])))


def estimated_value(inst: Instance, award: Award, scope: Scope) -> float:
    """The award estimate's cost of this lot's scope: the whole award for a single lot; else
    the systems and layers of the scope as the estimate prices them (setup fees and the buyer's
    own integration are outside the lots)."""
    if award.structure != "parallel":
        return award.total_cost_cny
    systems = sum(a.cost_cny for a in award.systems if a.system in scope.systems)
    layers = sum(
        inst.layer_cost[(x, v.vendor)] for v in award.vendors for x in v.layers if x in scope.layers
    )
    return round(systems + layers, 2)


def ceiling(costs: list[float], value: float, kb: PlanKnowledge) -> float | None:
    """The lot's ceiling price (最高限价): the k-th lowest eligible estimate (k = 3, or all
    eligible when fewer), never below the lot's estimated value, rounded up to 10,000 CNY. None
    when no candidate is eligible."""
    if not costs:
        return None
    k = min(kb.ceiling.competitors, len(costs))
    base = max(sorted(costs)[k - 1], value)
    step = kb.ceiling.rounding_cny
    return math.ceil(round(base / step, 9)) * step


@dataclass(frozen=True)
class Change:
    """A change to a lot and the competition it gives."""

    text: Text
    eligible: int
    ceiling_cny: float | None


def depth_text(n: int, kb: PlanKnowledge) -> Text:
    law = kb.failed_tender
    return Text(
        en=f"Only {n} candidate supplier{'s' if n != 1 else ''} eligible for the whole lot: an "
        f"open tender with fewer than {law.min_suppliers} qualified or responsive suppliers "
        f"fails ({law.document}{law.article}).",
        zh=f"仅有{n}家候选供应商能承担整个采购包：符合条件或实质响应的供应商不足"
        f"{law.min_suppliers}家的，公开招标应予废标（{law.document}{law.article}）。",
    )


def change_text(change: Change, now: float | None) -> Text:
    """'relax X: 4 eligible, ceiling 1.2 M CNY (+0.1 M CNY)'."""

    def money(lang: str) -> str:
        if change.ceiling_cny is None:
            return ""
        out = fmt_money(change.ceiling_cny, lang)
        if now is not None:
            delta = change.ceiling_cny - now
            sign = "+" if delta >= 0 else "-"
            out += (
                f"（{sign}{fmt_money(abs(delta), lang)}）"
                if lang == "zh"
                else (f" ({sign}{fmt_money(abs(delta), lang)})")
            )
        return out

    return Text(
        en=f"{change.text.en}: {change.eligible} eligible, ceiling {money('en')}",
        zh=f"{change.text.zh}：{change.eligible}家合格，最高限价{money('zh')}",
    )


def cheapest(changes: list[Change], kb: PlanKnowledge) -> Change | None:
    """Of the changes that give enough eligible candidates, the one with the lowest ceiling."""
    enough = [c for c in changes if c.eligible >= kb.failed_tender.min_suppliers and c.ceiling_cny]
    return min(enough, key=lambda c: (c.ceiling_cny or 0.0, c.text.en), default=None)


def split_changes(
    inst: Instance,
    scope: Scope,
    value: float,
    kb: PlanKnowledge,
    names: dict[str, str],
    levels: dict[str, int],
) -> list[Change]:
    """Split the lot: the systems of the highest MLPS level (or the cross layers) into a lot of
    their own. Counts the lot with fewer eligible candidates; the ceiling is both lots'."""
    out: list[Change] = []
    if len(scope.systems) > 1:
        top = max(levels[s] for s in scope.systems)
        high = tuple(s for s in scope.systems if levels[s] == top)
        rest = tuple(s for s in scope.systems if s not in high)
        if rest:
            out.append(
                _split(
                    inst,
                    scope,
                    (high, rest),
                    value,
                    kb,
                    Text(
                        en="split off the MLPS level "
                        f"{top} systems ({', '.join(names[s] for s in high)}) into a lot of "
                        "their own",
                        zh=f"将等保{top}级系统（{'、'.join(names[s] for s in high)}）单独划为一个采购包",
                    ),
                )
            )
    if scope.systems and scope.layers:
        out.append(
            _split(
                inst,
                scope,
                (scope.systems, ()),
                value,
                kb,
                Text(
                    en="buy the security and operations services in a lot of their own",
                    zh="将安全及运维服务单独划为一个采购包",
                ),
            )
        )
    return out


def _split(
    inst: Instance,
    scope: Scope,
    parts: tuple[tuple[str, ...], tuple[str, ...]],
    value: float,
    kb: PlanKnowledge,
    text: Text,
) -> Change:
    first = Scope(scope.id + "a", scope.name, parts[0], (), scope.model)
    second = Scope(scope.id + "b", scope.name, parts[1], scope.layers, scope.model)
    counts, ceilings = [], []
    for part in (first, second):
        if not part.systems and not part.layers:
            continue
        costs = list(estimates(inst, part).values())
        counts.append(len(costs))
        vcpu = sum(inst.vcpu[s] for s in scope.systems) or 1.0
        share = value * sum(inst.vcpu[s] for s in part.systems) / vcpu
        ceilings.append(ceiling(costs, share if part.systems else 0.0, kb))
    total = None if any(c is None for c in ceilings) else sum(c or 0.0 for c in ceilings)
    return Change(text=text, eligible=min(counts), ceiling_cny=total)
