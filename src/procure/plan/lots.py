"""Lots (采购包) and their competition: which candidate suppliers could take a whole lot under
the rules the award enforces (MLPS level, 信创, service layers, security assessment, capacity),
what each would cost (an internal market-research estimate), the ceiling price and the changes
that may give a lot the competition its method needs (GPL art. 36; 214号 art. 6)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from procure.award.instance import CROSS_LAYERS, Instance
from procure.award.optimizer import Award
from procure.inputs.scenario import Scenario
from procure.plan.names import name_list
from procure.plan.rules import Minimum, PlanKnowledge
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
    """The award estimate's whole contract value for this lot over the contract years, setup
    fees included (the basis of the candidates' whole-lot estimates and of the ceiling): the
    whole award for a single lot (with the integration fee and the coordination of several
    suppliers); else the scope as the estimate prices it, with its suppliers' setup fees."""
    if award.structure != "parallel":
        return award.total_cost_cny
    return mix_cost(inst, award, scope)


def priced(inst: Instance, award: Award, scope: Scope) -> float:
    """What the award estimate pays for the scope's systems and cross layers."""
    systems = sum(a.cost_cny for a in award.systems if a.system in scope.systems)
    layers = sum(
        inst.layer_cost[(x, v.vendor)] for v in award.vendors for x in v.layers if x in scope.layers
    )
    return round(systems + layers, 2)


def mix_cost(inst: Instance, award: Award, scope: Scope) -> float:
    """What the award estimate pays for the scope bought as one contract: its systems and cross
    layers as the estimate prices them, with the setup fee of each of the estimate's suppliers
    in it (each candidate's whole-lot estimate includes its own setup fee)."""
    used = {a.vendor for a in award.systems if a.system in scope.systems}
    used |= {v.vendor for v in award.vendors if any(x in scope.layers for x in v.layers)}
    return round(priced(inst, award, scope) + sum(inst.setup.get(v, 0.0) for v in used), 2)


def within(value: float, costs: list[float]) -> float:
    """The lot's estimated value kept within its eligible candidates' whole-lot estimates: one
    supplier takes the whole lot, so no cheaper mix of suppliers is bought, and the estimate's
    integration of several suppliers is not paid when one takes it whole."""
    if not costs:
        return value
    return min(max(value, min(costs)), max(costs))


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
    """A change to a lot that may give it the competition its method needs: the lots it gives
    instead (one with a requirement relaxed, or two), each with its share of the estimated
    value, and the scenario's requirements relaxed (`relax`: procurement fields and values)."""

    text: Text
    parts: tuple[tuple[Scope, float], ...]
    relax: tuple[tuple[str, str], ...] = ()


def depth_text(n: int, law: Minimum) -> Text:
    """'Only 1 candidate supplier eligible ...: consultation needs at least 3 (document art.)'."""
    return Text(
        en=f"Only {n} candidate supplier{'s' if n != 1 else ''} eligible for the whole lot: "
        f"{law.name.en} needs at least {law.min_suppliers} suppliers that meet the "
        f"qualifications ({law.cite()}).",
        zh=f"仅有{n}家候选供应商能承担整个采购包：{law.name.zh}须有不少于{law.min_suppliers}家"
        f"符合资格条件的供应商（{law.cite()}）。",
    )


def split_changes(
    scope: Scope,
    value: float,
    price: Callable[[Scope], tuple[float, float]],
    names: dict[str, str],
    levels: dict[str, int],
) -> list[Change]:
    """Split the lot in two: the systems of the highest MLPS level into a lot of their own (the
    cross layers stay with the rest), or the cross layers (security, operations) into a lot of
    their own. Each part's estimated value is its own as the estimate prices it, setup fees
    included (`price`: that and the part's systems and layers alone), with its share of what
    the lot's value holds beyond its parts (the integration fee and coordination)."""
    out: list[Change] = []
    if len(scope.systems) > 1:
        top = max(levels[s] for s in scope.systems)
        high = tuple(s for s in scope.systems if levels[s] == top)
        rest = tuple(s for s in scope.systems if s not in high)
        listed = name_list([names[s] for s in high], len(names))
        if rest:
            out.append(
                _split(
                    scope,
                    (
                        Scope(
                            scope.id,
                            Text(
                                en=f"{scope.name.en}: MLPS level {top} systems",
                                zh=f"{scope.name.zh}（等保{top}级系统）",
                            ),
                            high,
                            (),
                            scope.model,
                        ),
                        Scope(
                            scope.id,
                            Text(
                                en=f"{scope.name.en}: other systems"
                                + (" and services" if scope.layers else ""),
                                zh=f"{scope.name.zh}（其他系统{'及服务' if scope.layers else ''}）",
                            ),
                            rest,
                            scope.layers,
                            scope.model,
                        ),
                    ),
                    value,
                    price,
                    Text(
                        en=f"split off the MLPS level {top} systems ({listed.en}) into a lot "
                        "of their own",
                        zh=f"将等保{top}级系统（{listed.zh}）单独划为一个采购包",
                    ),
                )
            )
    if scope.systems and scope.layers:
        out.append(
            _split(
                scope,
                (
                    Scope(
                        scope.id,
                        Text(
                            en=f"{scope.name.en}, without security and operations services",
                            zh=f"{scope.name.zh}（不含安全及运维服务）",
                        ),
                        scope.systems,
                        (),
                        scope.model,
                    ),
                    Scope(
                        scope.id,
                        Text(en="Security and operations services", zh="安全及运维服务"),
                        (),
                        scope.layers,
                        scope.model,
                    ),
                ),
                value,
                price,
                Text(
                    en="buy the security and operations services in a lot of their own",
                    zh="将安全及运维服务单独划为一个采购包",
                ),
            )
        )
    return out


def shared(value: float, whole: float, own: list[tuple[float, float]]) -> list[float]:
    """The parts' estimated values on the basis of the whole lot's `value`: each its own cost
    (`own`: with its suppliers' setup fees, and without them), plus its share, by the latter,
    of what `value` holds beyond the whole scope's own cost `whole` (the integration fee and
    coordination; all of it to the first part when the estimate prices none)."""
    rest = max(0.0, value - whole)
    plain = sum(p for _, p in own)
    shares = [p / plain for _, p in own] if plain > 0 else [1.0] + [0.0] * (len(own) - 1)
    return [round(m + rest * f, 2) for (m, _), f in zip(own, shares, strict=True)]


def _split(
    scope: Scope,
    parts: tuple[Scope, Scope],
    value: float,
    price: Callable[[Scope], tuple[float, float]],
    text: Text,
) -> Change:
    """The two lots, each with its estimated value on the basis of the whole lot's (`shared`;
    `price`: a scope's own cost with setup fees, and without them)."""
    first, second = shared(value, price(scope)[0], [price(part) for part in parts])
    return Change(text=text, parts=((parts[0], first), (parts[1], second)))
