"""The award problem's data and an independent evaluator of any award.

`Instance` gathers sets and parameters (eligible triples, costs, values) from a scenario, its
assessment and a vendor list. `evaluate` prices a given choice and checks every rule without
the MILP, so tests can verify awards and brute-force small instances against the optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from procure.advice.costing import unit_cost
from procure.advice.deployment import Deployment
from procure.advice.knowledge import CostRates
from procure.catalog import strings
from procure.inputs.scenario import CRITERIA, Scenario
from procure.inputs.vendors import Vendor
from procure.text import Text

CROSS_LAYERS = ("security", "ops")
# Money rules (share caps, budget, the integrator's lead) are checked exactly on every award,
# in whole fen (分, 0.01 CNY, the smallest unit of the yuan): each priced line (a system's
# placement, a layer, a setup fee) is rounded to the fen, and the sums are compared in exact
# rational arithmetic, with the share cap, fee rate and budget read as written (a 0.35 cap is
# 7/20, not its binary neighbour). A 50/50 split is then exactly 50%, never 50% plus a
# rounding error. The MILP states the same rows in fen (`procure.award.formulation`), so the solver's
# tolerance (a millionth of a fen) cannot pass a broken rule; `optimizer.solve_exact` still
# checks every award and excludes one that breaks a rule, never reporting it.


def fen(cny: float) -> int:
    """A priced line in whole fen (0.01 CNY), as the money rules count it."""
    return round(cny * 100)


def as_written(x: float) -> Fraction:
    """A figure as the user wrote it: 0.35 is 7/20 (the shortest decimal that reads back as
    this float), not the binary fraction nearest to it."""
    return Fraction(repr(x))


@dataclass
class Instance:
    """Sets and parameters of one award problem."""

    systems: list[str]
    vcpu: dict[str, float]
    size: dict[str, float]  # vCPU share, weights each system's value
    vendors: dict[str, Vendor]
    triples: list[tuple[str, str, str]]  # eligible (system, vendor, model)
    cost: dict[tuple[str, str, str], float]  # over the term, incl. migration
    hosting: dict[tuple[str, str, str], float]  # over the term, excl. migration
    value: dict[tuple[str, str, str], float]  # 0-100 points
    layer_options: dict[str, list[str]]  # cross-cutting layer -> eligible vendors
    layer_cost: dict[tuple[str, str], float]
    years: int
    budget: float
    min_vendors: int
    max_vendors: int
    max_share: float
    cost_weight: float
    integrator_rate: float
    extra_vendor_cost: float  # per vendor beyond the first, over the term
    ineligible: dict[str, list[Text]] = field(default_factory=dict)  # system -> reasons
    setup: dict[str, float] = field(default_factory=dict)  # one-off fee if a vendor wins
    structure: str = "integrator"  # integrator (with subcontractors) | parallel (no integrator)
    lead_share: bool = False  # the integrator's share is at least each subcontractor's
    integrator_systems: list[str] = field(default_factory=list)  # the integrator's own work
    integrator_layers: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # system id -> the name the user gave
    # `cost_floor`, once computed: an instance is never changed after it is built (a variant is
    # a new one, `dataclasses.replace`, which starts without it); the extras' scoring asked
    # for the floor 74 times a solve on the generated 500x30, 31 ms each (#25)
    floor: float | None = field(default=None, init=False, repr=False, compare=False)

    def system_name(self, sid: str) -> str:
        return self.names.get(sid, sid)

    def vendor_name(self, vid: str, lang: str) -> str:
        vendor = self.vendors.get(vid)
        return vendor.label(lang) if vendor else vid

    def __post_init__(self) -> None:
        for vid, vendor in self.vendors.items():  # by default each vendor's own fee
            self.setup.setdefault(vid, vendor.setup_cny)


def _zh_model(model: str) -> str:
    return strings()[f"model_{model}"]["zh"]


def score(value: float, cost: float, reference: float, cost_weight: float) -> float:
    """The award score: value on its 0-100 scale, and cost scored against the instance's
    cost reference R (`cost_reference`, never the budget) as w (2 - C / R), the tangent at
    C = R of the legal price score w R / C (财政部令第87号 art. 55). At most 1 (no award costs
    less than R); below 0 only for an award dearer than twice R. The MILP's objective is this,
    spelled out; `procure.award.formulation` says why this form."""
    return (1 - cost_weight) * value / 100 + cost_weight * (2 - cost / reference)


def cost_floor(inst: Instance) -> float:
    """No award costs less (`_cost_floor`), computed once per instance."""
    if inst.floor is None:
        inst.floor = _cost_floor(inst)
    return inst.floor


def _cost_floor(inst: Instance) -> float:
    """No award costs less: the cheaper of the two kinds of award, each bounded in one pass.
    One vendor winning everything: its cheapest option for each system, its layers and its
    setup fee (a bidder that can take every system and layer within its capacity). Several
    vendors: each system's cheapest option and each layer's cheapest provider, the two
    smallest setup fees, one coordination cost and the fee on each system's cheapest hosting.
    Without the split, setup fees and coordination made the floor half the cheapest award of
    the county examples."""
    cheapest: dict[str, float] = {}
    hosting: dict[str, float] = {}
    own: dict[str, dict[str, float]] = {}  # vendor -> system -> its cheapest option
    for t in inst.triples:
        s, v = t[0], t[1]
        cheapest[s] = min(cheapest.get(s, inst.cost[t]), inst.cost[t])
        hosting[s] = min(hosting.get(s, inst.hosting[t]), inst.hosting[t])
        mine = own.setdefault(v, {})
        mine[s] = min(mine.get(s, inst.cost[t]), inst.cost[t])
    layers = sum(
        min((inst.layer_cost[(layer, v)] for v in vids), default=0.0)
        for layer, vids in inst.layer_options.items()
    )
    setups = sorted(inst.setup.values())
    bounds = []
    if inst.max_vendors >= 2 and len(setups) >= 2:
        bounds.append(
            sum(cheapest.values())
            + layers
            + setups[0]
            + setups[1]
            + inst.extra_vendor_cost
            + inst.integrator_rate * sum(hosting.values())
        )
    if inst.min_vendors <= 1 and inst.max_share >= 1:
        total_vcpu = sum(inst.vcpu[s] for s in inst.systems)
        for v, mine in own.items():
            takes_all = len(mine) == len(inst.systems) and all(
                v in vids for vids in inst.layer_options.values()
            )
            if takes_all and total_vcpu <= inst.vendors[v].capacity_vcpu:
                bounds.append(
                    sum(mine.values())
                    + sum(inst.layer_cost[(layer, v)] for layer in inst.layer_options)
                    + inst.setup[v]
                )
    return min(bounds, default=sum(cheapest.values()) + layers + (setups[0] if setups else 0.0))


def score_ceiling(inst: Instance) -> float:
    """No award scores more (`score`): a bound that needs no solve, for when the solver's
    own (its LP relaxation) is not in time, as on a province of 3,000 systems x 40 bidders,
    whose relaxation takes minutes (#25). Each system at its best option by score alone, each
    layer at its cheapest provider, the smallest setup fees the vendor count forces and its
    coordination cost, and the integrator's fee on each option's hosting where the rules make
    several vendors win; every rule that couples systems (capacity, share cap, lead, count
    above its minimum) dropped. Dropping rules only raises the maximum, so it holds for every
    award. Loose where those rules bind (a gap of a few percent on the province)."""
    w, ref = inst.cost_weight, cost_reference(inst)
    several = inst.min_vendors >= 2 or inst.max_share < 1
    rate = inst.integrator_rate if several else 0.0
    best: dict[str, float] = {}
    for t in inst.triples:
        gain = (1 - w) * inst.size[t[0]] * inst.value[t] / 100 - w * (
            inst.cost[t] + rate * inst.hosting[t]
        ) / ref
        best[t[0]] = max(best.get(t[0], gain), gain)
    layers = sum(
        min((inst.layer_cost[(layer, v)] for v in vids), default=0.0)
        for layer, vids in inst.layer_options.items()
    )
    count = max(1, inst.min_vendors)
    setups = sum(sorted(inst.setup.values())[:count])
    fixed = layers + setups + inst.extra_vendor_cost * (count - 1)
    return sum(best.values()) - w * fixed / ref + 2 * w


def cost_reference(inst: Instance) -> float:
    """The cost R the award's cost is scored against (`score`): the cost floor, a price the
    bids themselves fix and the budget does not move. Only where every option is free (a
    floor of 0, where the legal score lowest / this is undefined) is it the budget."""
    floor = cost_floor(inst)
    return floor if floor > 0 else inst.budget


def vendor_quality(vendor: Vendor, weights: dict[str, float], service_weight: float) -> float:
    """0-100 quality: non-cost criteria weights on the bid scores, plus service."""
    non_cost = {c: weights[c] for c in CRITERIA if c != "cost"}
    total = sum(non_cost.values()) or 1.0
    technical = sum(w * float(getattr(vendor.scores, c)) for c, w in non_cost.items()) / total
    return (1 - service_weight) * technical + service_weight * vendor.scores.service


def build_instance(
    scenario: Scenario,
    deployment: Deployment,
    weights: dict[str, float],
    vendors: list[Vendor],
    rates: CostRates,
    *,
    domestic: str | None = None,
    security_assessment: str | None = None,
    structure: str | None = None,
    lead_share: bool | None = None,
    mlps4_with_integrator: bool | None = None,
    security_with_integrator: bool | None = None,
    incumbent: bool = True,
    min_vendors: int | None = None,
    max_vendors: int | None = None,
    max_share: float | None = None,
) -> Instance:
    """Eligible triples and their parameters; keyword overrides drop a business rule."""
    p = scenario.procurement
    domestic = domestic or p.domestic_stack
    years = p.contract_years
    assessment = security_assessment or p.security_assessment
    structure = structure or p.structure
    rules = p.integrator_rules
    pool = {
        v.id: v
        for v in vendors
        if v.id not in p.exclude_vendors
        and (domestic != "required" or v.domestic_stack)
        and (assessment != "required" or v.security_assessed)
    }
    total_vcpu = sum(s.vcpu for s in scenario.systems)
    triples: list[tuple[str, str, str]] = []
    cost: dict[tuple[str, str, str], float] = {}
    hosting: dict[tuple[str, str, str], float] = {}
    value: dict[tuple[str, str, str], float] = {}
    ineligible: dict[str, list[Text]] = {}
    quality = {
        vid: vendor_quality(v, weights, rates.service_score_weight) for vid, v in pool.items()
    }
    for s in scenario.systems:
        sid = str(s.id)
        placement = deployment.placement(sid)
        fit = {f.model: f.score for f in placement.fits if f.score is not None}
        found = False
        reasons: set[Text] = set()
        for v in pool.values():
            missing_layers = [x for x in s.layers if x not in v.layers]
            for m in v.models:
                if m not in fit:
                    reasons.add(
                        Text(
                            en=f"{m} excluded by the deployment rules",
                            zh=f"部署规则排除了{_zh_model(m)}",
                        )
                    )
                    continue
                if v.mlps_max < s.mlps_level:
                    reasons.add(
                        Text(
                            en=f"no vendor offering {m} is certified MLPS {s.mlps_level}",
                            zh=f"提供{_zh_model(m)}的供应商均未达到等保{s.mlps_level}级",
                        )
                    )
                    continue
                if missing_layers:
                    reasons.add(
                        Text(
                            en=f"layers {', '.join(missing_layers)} not offered",
                            zh=f"无人提供 {'、'.join(missing_layers)} 服务层",
                        )
                    )
                    continue
                if s.vcpu > v.capacity_vcpu:
                    reasons.add(
                        Text(en="capacity below the system's vCPU", zh="容量低于该系统的 vCPU 需求")
                    )
                    continue
                found = True
                key = (sid, v.id, m)
                host = (
                    years
                    * unit_cost(s, v, m)
                    * (1 + (rates.multicloud_rate if m == "hybrid" else 0.0))
                )
                stays = incumbent and p.incumbent == v.id
                migration = rates.migration_cny_per_vcpu * s.vcpu if s.legacy and not stays else 0
                bonus = 0.0
                if domestic == "preferred" and v.domestic_stack:
                    bonus += rates.domestic_preference_bonus
                if stays:
                    bonus += rates.incumbent_bonus
                if v.local_presence:
                    bonus += rates.local_presence_bonus
                triples.append(key)
                hosting[key] = host
                cost[key] = host + migration
                value[key] = min(
                    100.0,
                    fit[m] * quality[v.id] / 100 + bonus,
                )
        if not found:
            if domestic == "required":
                reasons.add(
                    Text(
                        en="a domestic (Xinchuang) stack is required: only domestic-stack vendors",
                        zh="要求信创：只考虑全栈国产化的供应商",
                    )
                )
            if assessment == "required":
                reasons.add(
                    Text(
                        en="security assessment required: only platforms that passed "
                        "云计算服务安全评估",
                        zh="要求通过云计算服务安全评估：只考虑已通过评估的平台",
                    )
                )
            ineligible[sid] = sorted(reasons, key=lambda r: r.en)
    max_mlps = max(s.mlps_level for s in scenario.systems)
    layer_options = {
        layer: [v.id for v in pool.values() if layer in v.layers and v.mlps_max >= max_mlps]
        for layer in CROSS_LAYERS
    }
    layer_cost = {
        (layer, vid): years * pool[vid].layer_prices[layer] * total_vcpu  # type: ignore[index]
        for layer, vids in layer_options.items()
        for vid in vids
    }
    # the incumbent's platform is already in place: no setup fee (and, above, no migration)
    setup = {
        vid: 0.0 if incumbent and p.incumbent == vid else v.setup_cny for vid, v in pool.items()
    }
    integrated = structure == "integrator"

    def on(override: bool | None, default: bool) -> bool:
        return integrated and (default if override is None else override)

    return Instance(
        setup=setup,
        structure=structure,
        lead_share=on(lead_share, rules.lead_share),
        integrator_systems=[str(s.id) for s in scenario.systems if s.mlps_level >= 4]
        if on(mlps4_with_integrator, rules.mlps4_with_integrator)
        else [],
        integrator_layers=["security"]
        if on(security_with_integrator, rules.security_with_integrator)
        else [],
        systems=[str(s.id) for s in scenario.systems],
        vcpu={str(s.id): s.vcpu for s in scenario.systems},
        size={str(s.id): s.vcpu / total_vcpu for s in scenario.systems},
        vendors=pool,
        triples=triples,
        cost=cost,
        hosting=hosting,
        value=value,
        layer_options=layer_options,
        layer_cost=layer_cost,
        years=years,
        budget=p.budget_cny,
        min_vendors=min_vendors if min_vendors is not None else p.min_vendors,
        max_vendors=max_vendors if max_vendors is not None else p.max_vendors,
        max_share=max_share if max_share is not None else p.max_vendor_share,
        cost_weight=weights["cost"],
        integrator_rate=rates.integrator_fee_rate
        if structure == "integrator"
        else rates.parallel_integration_rate,
        extra_vendor_cost=years * rates.per_extra_vendor_cny_per_year,
        ineligible=ineligible,
        names={str(s.id): s.name for s in scenario.systems},
    )


def without_rule(
    inst: Instance,
    *,
    lead_share: bool | None = None,
    mlps4_with_integrator: bool | None = None,
    security_with_integrator: bool | None = None,
    min_vendors: int | None = None,
    max_vendors: int | None = None,
    max_share: float | None = None,
) -> Instance:
    """What `build_instance` gives with these overrides, from the instance it gave without
    them: they set only the instance's rule fields (no option's eligibility, price or value),
    so the scenario is not read again (`optimizer.rule_costs`, #25). The integrator's rules
    can only be dropped here (False): keeping one needs the scenario's MLPS levels."""
    if True in (lead_share, mlps4_with_integrator, security_with_integrator):
        raise ValueError("an integrator rule can only be dropped from a built instance")
    return replace(
        inst,
        lead_share=False if lead_share is False else inst.lead_share,
        integrator_systems=[] if mlps4_with_integrator is False else inst.integrator_systems,
        integrator_layers=[] if security_with_integrator is False else inst.integrator_layers,
        min_vendors=inst.min_vendors if min_vendors is None else min_vendors,
        max_vendors=inst.max_vendors if max_vendors is None else max_vendors,
        max_share=inst.max_share if max_share is None else max_share,
    )


# the overrides `without_rule` takes: the others (a domestic stack, an assessment, the
# incumbent) change the options' eligibility, prices or values, built from the scenario
RULE_FIELDS = frozenset(
    {
        "lead_share",
        "mlps4_with_integrator",
        "security_with_integrator",
        "min_vendors",
        "max_vendors",
        "max_share",
    }
)


@dataclass
class Evaluation:
    """An award priced and checked rule by rule."""

    total_cost: float
    value: float
    objective: float
    vendor_value: dict[str, float]
    fee: float
    used: list[str]
    violations: list[str]
    overshoot: dict[str, float] = field(default_factory=dict)  # row name -> CNY over the limit


def _integrator_violations(
    inst: Instance,
    assignment: dict[str, tuple[str, str]],
    layers: dict[str, str],
    integrator: str,
    vendor_fen: dict[str, int],
    overshoot: dict[str, float],
) -> list[str]:
    """The integrator keeps the main and key work (政府采购法 art. 48; 财政部令第87号 art. 35)."""
    out = []
    if inst.lead_share:
        lead = vendor_fen.get(integrator, 0)
        for v, amount in vendor_fen.items():
            if v != integrator and amount > lead:
                out.append(
                    f"subcontractor {v} ({amount / 100:,.2f}) out-earns the integrator "
                    f"{integrator} ({lead / 100:,.2f})"
                )
                overshoot[f"lead_{v}"] = (amount - lead) / 100  # the row value_v <= lead
    out += [
        f"system {s} (MLPS 4) is not the integrator's"
        for s in inst.integrator_systems
        if s in assignment and assignment[s][0] != integrator
    ]
    out += [
        f"layer {layer} is not the integrator's"
        for layer in inst.integrator_layers
        if layers.get(layer) not in (None, integrator)
    ]
    return out


def evaluate(
    inst: Instance,
    assignment: dict[str, tuple[str, str]],
    layers: dict[str, str],
    integrator: str | None,
) -> Evaluation:
    """Price an award (system -> (vendor, model), layer -> vendor) and list broken rules."""
    violations = []
    vendor_value: dict[str, float] = {}
    vendor_fen: dict[str, int] = {}  # the same in whole fen, for the money rules
    hosting = value = 0.0
    hosting_fen = 0
    for sid in inst.systems:
        if sid not in assignment:
            violations.append(f"system {sid} not awarded")
            continue
        key = (sid, *assignment[sid])
        if key not in inst.cost:
            violations.append(f"{key} is not eligible")
            continue
        vendor_value[key[1]] = vendor_value.get(key[1], 0.0) + inst.cost[key]
        vendor_fen[key[1]] = vendor_fen.get(key[1], 0) + fen(inst.cost[key])
        hosting += inst.hosting[key]
        hosting_fen += fen(inst.hosting[key])
        value += inst.size[sid] * inst.value[key]
    for layer in CROSS_LAYERS:
        vid = layers.get(layer)
        if vid not in inst.layer_options.get(layer, []):
            violations.append(f"layer {layer} not covered by an eligible vendor")
            continue
        vendor_value[vid] = vendor_value.get(vid, 0.0) + inst.layer_cost[(layer, vid)]
        vendor_fen[vid] = vendor_fen.get(vid, 0) + fen(inst.layer_cost[(layer, vid)])
    used = sorted(vendor_value)
    for vid in used:
        vendor_value[vid] += inst.setup[vid]
        vendor_fen[vid] += fen(inst.setup[vid])
    multi = len(used) > 1
    integrated = multi and inst.structure == "integrator"
    fee = inst.integrator_rate * hosting if multi else 0.0  # parallel: the buyer's integration
    overshoot: dict[str, float] = {}  # model row -> CNY over its limit
    if integrated and (integrator not in used or not inst.vendors[integrator].integrator):
        violations.append("several vendors win but no general integrator among them")
    elif integrated and integrator is not None:
        violations += _integrator_violations(
            inst, assignment, layers, integrator, vendor_fen, overshoot
        )
    base = sum(vendor_value.values())
    total = base + fee + inst.extra_vendor_cost * max(0, len(used) - 1)
    base_fen = sum(vendor_fen.values())
    share = as_written(inst.max_share)
    if not inst.min_vendors <= len(used) <= inst.max_vendors:
        violations.append(f"{len(used)} vendors, allowed {inst.min_vendors}-{inst.max_vendors}")
    for vid, amount in vendor_fen.items():
        cap = share * base_fen
        if amount > cap:
            violations.append(f"{vid} takes {amount / base_fen:.6%} > {inst.max_share:.6%}")
            overshoot[f"share_{vid}"] = float(amount - cap) / 100
        load = sum(inst.vcpu[s] for s, (v, _) in assignment.items() if v == vid)
        if load > inst.vendors[vid].capacity_vcpu:
            violations.append(f"{vid} capacity exceeded")
    total_fen = (
        base_fen
        + (as_written(inst.integrator_rate) * hosting_fen if multi else 0)
        + fen(inst.extra_vendor_cost) * max(0, len(used) - 1)
    )
    if total_fen > as_written(inst.budget) * 100:
        violations.append(f"cost {total:,.2f} over budget {inst.budget:,.2f}")
        overshoot["budget"] = float(total_fen / 100 - as_written(inst.budget))
    objective = score(value, total, cost_reference(inst), inst.cost_weight)
    return Evaluation(
        total_cost=total,
        value=value,
        objective=objective,
        vendor_value=vendor_value,
        fee=fee,
        used=used,
        violations=violations,
        overshoot=overshoot,
    )
