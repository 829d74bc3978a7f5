r"""Joint venture vs direct purchase over the horizon: cash flows, NPV, tipping points, risk.

Costs to the government, year t = 1..H, discounted at r: NPV = sum_t c_t / (1 + r)^t.
A is the annual service spend, d the yearly market price decline, T the contract term.

Direct purchase:
  c_t = A (1-d)^(t-1)                                   service fees
      + retender                      if t = 1 + kT      re-procurement at each term
      + p_switch * s * A (1-d)^(t-1)  if t = 1 + kT, k>0 expected vendor-change cost
      + q * A (1-d)^(t-1)             if t = kY          disruption at government turnover
      + one_off                       if t = 1           setup and migration

Joint venture:
  c_1 += e * K + one_off, K = capex_multiple * A       equity in the build; migration as above
  c_t = A (1-d)^(t-1) (1 - saving)(1 + margin)(1 + overhead)(1 + drift)^(t-1) + fixed_overhead
  c_H -= residual * e * K                               value of the stake at the horizon
  (the company carries the commercial risk and charges its margin: the saving is net of it)

Joining the unified cloud of the level above (when the agency has one):
  c_t = fee_rate * A (1-d)^(t-1) + one_off if t = 1    a service fee; no build, no re-tender

Until a mode's service starts, the status quo is assumed to cost about the same as the service,
so preparation time is reported as months to first service, not as money.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from procure.advice.knowledge import CashflowKnowledge
from procure.advice.partnership import PartnershipView
from procure.advice.route import RouteAdvice
from procure.inputs.scenario import Scenario
from procure.money import fmt_amounts, fmt_money
from procure.text import Text

PARAMETERS = (
    "jv_equity_share",
    "jv_capex_multiple",
    "jv_fixed_overhead_cny",
    "jv_prep_months",
    "direct_prep_months",
    "jv_overhead_rate",
    "jv_efficiency_drift",
    "jv_opex_saving",
    "jv_margin",
    "parent_fee_rate",
    "parent_onboarding_months",
    "jv_residual_share",
    "switching_cost_rate",
    "switch_probability",
    "turnover_years",
    "turnover_disruption_rate",
    "retender_cost_cny",
    "price_decline",
)


class Parameter(BaseModel):
    name: str
    value: float
    provenance: str  # "scenario" or "assumption"
    reason: Text | None = None  # the assumption's reason, when it is one


class CashflowInputs(BaseModel):
    annual_spend_cny: float
    spend_basis: str
    one_off_cny: float
    horizon_years: int
    discount_rate: float
    contract_years: int
    parameters: dict[str, Parameter]

    def value(self, name: str) -> float:
        return self.parameters[name].value


class ModeResult(BaseModel):
    mode: str
    name: Text
    npv_cny: float
    months_to_service: float
    flows: list[float]
    cumulative: list[float]


class TippingPoint(BaseModel):
    parameter: str
    base: float
    value: float | None
    low: float
    high: float
    text: Text


class RiskRange(BaseModel):
    draws: int
    seed: int
    npv_p10: dict[str, float]
    npv_p50: dict[str, float]
    npv_p90: dict[str, float]
    probability_cheaper: dict[str, float]


class Comparison(BaseModel):
    inputs: CashflowInputs
    direct: ModeResult
    jv: ModeResult
    parent: ModeResult | None = None  # joining the unified cloud of the level above
    cheaper: str
    recommended: str
    reasons: list[Text]
    qualitative: PartnershipView
    tipping: list[TippingPoint]
    risk: RiskRange


def prep_reason(route: RouteAdvice) -> Text:
    """Why direct purchase takes the route's months to service: its timeline; where no
    competitive method can proceed yet (method "none": too few eligible candidate suppliers),
    the timeline of the method the budget calls for, assumed to proceed once the lot has the
    competition it needs."""
    if route.method == "none":
        return Text(
            en="assumed to be the time from project approval to first service on the timeline "
            "of the competitive method the lot's budget calls for, as if the lot had the "
            "competition that method needs; too few eligible candidate suppliers are known "
            "for it to proceed yet (steps and next actions in the route section)",
            zh="假定采购包具备法定竞争条件后，按其预算应采用的竞争性采购方式如期进行，"
            "以该方式采购时间表中自立项至首次提供服务的时长计；目前合格候选供应商不足，"
            "该采购方式尚不能进行（各步骤及采购人须采取的措施见采购方式一节）",
        )
    return Text(
        en=f"the procurement timeline ({route.name.en.lower()}) from project approval to first "
        "service, step by step in the route section",
        zh=f"采购时间表（{route.name.zh}）中自立项至首次提供服务的时长，各步骤见采购方式一节",
    )


def resolve_inputs(
    scenario: Scenario,
    kb: CashflowKnowledge,
    annual_spend: float,
    one_off: float,
    basis: str,
    route: RouteAdvice | None = None,
) -> CashflowInputs:
    """Scenario overrides over knowledge defaults, each with its provenance; direct purchase's
    preparation time comes from the route's timeline when there is one."""
    p = scenario.partnership
    params = {}
    for name in PARAMETERS:
        override = getattr(p, name)
        if override is not None:
            params[name] = Parameter(name=name, value=float(override), provenance="scenario")
        elif name == "direct_prep_months" and route is not None:
            params[name] = Parameter(
                name=name,
                value=route.months_to_service,
                provenance="assumption",
                reason=prep_reason(route),
            )
        else:
            d = kb.parameters[name]
            params[name] = Parameter(
                name=name, value=d.value, provenance="assumption", reason=d.assumption
            )
    spend = p.annual_spend_cny if p.annual_spend_cny is not None else annual_spend
    return CashflowInputs(
        annual_spend_cny=spend,
        spend_basis="scenario" if p.annual_spend_cny is not None else basis,
        one_off_cny=one_off,
        horizon_years=p.horizon_years,
        discount_rate=p.discount_rate,
        contract_years=scenario.procurement.contract_years,
        parameters=params,
    )


def flows(
    values: dict[str, Any], spend: Any, horizon: int, term: int, one_off: Any = 0.0
) -> tuple[list[Any], list[Any]]:
    """Yearly costs (direct, jv) for t = 1..horizon; works on floats or numpy arrays."""
    v = values
    direct, jv = [], []
    capex = v["jv_capex_multiple"] * spend
    turnover = round(float(np.mean(v["turnover_years"])))
    for t in range(1, horizon + 1):
        market = spend * (1 - v["price_decline"]) ** (t - 1)
        c = market + (one_off if t == 1 else 0.0)
        if (t - 1) % term == 0:
            c = c + v["retender_cost_cny"]
            if t > 1:
                c = c + v["switch_probability"] * v["switching_cost_rate"] * market
        if t % turnover == 0:
            c = c + v["turnover_disruption_rate"] * market
        direct.append(c)
        j = (
            market
            * (1 - v["jv_opex_saving"])
            * (1 + v["jv_margin"])
            * (1 + v["jv_overhead_rate"])
            * (1 + v["jv_efficiency_drift"]) ** (t - 1)
            + v["jv_fixed_overhead_cny"]
        )
        if t == 1:
            j = j + v["jv_equity_share"] * capex + one_off
        if t == horizon:
            j = j - v["jv_residual_share"] * v["jv_equity_share"] * capex
        jv.append(j)
    return direct, jv


def parent_flows(values: dict[str, Any], inputs: CashflowInputs) -> list[float]:
    """Yearly costs of joining the unified cloud of the level above: its fee, and the one-off
    migration; the parent builds and procures, so there is no build and no re-tender."""
    spend, d = inputs.annual_spend_cny, values["price_decline"]
    return [
        values["parent_fee_rate"] * spend * (1 - d) ** (t - 1)
        + (inputs.one_off_cny if t == 1 else 0.0)
        for t in range(1, inputs.horizon_years + 1)
    ]


def scenario_flows(inputs: CashflowInputs, values: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """`flows` over the scenario's spend, horizon, term and one-off cost."""
    return flows(
        values,
        inputs.annual_spend_cny,
        inputs.horizon_years,
        inputs.contract_years,
        inputs.one_off_cny,
    )


def _parent_advice(
    scenario: Scenario,
    parent: ModeResult,
    direct: ModeResult,
    recommended: str,
    reasons: list[Text],
) -> tuple[str, list[Text]]:
    """An agency with a unified cloud above it and a small budget or few staff joins it; any
    other agency is shown the option beside the two others."""
    from procure.advice.knowledge import knowledge
    from procure.advice.partnership import joins_parent_cloud

    a = scenario.agency
    level = {"prefecture": ("prefecture", "地市"), "province": ("provincial", "省级")}[
        a.parent_cloud
    ]
    small = joins_parent_cloud(scenario, knowledge().partnership)
    saving = direct.npv_cny - parent.npv_cny
    cost_en = (
        f"costs {fmt_money(saving, 'en')} less in present value than buying directly"
        if saving >= 0
        else f"costs {fmt_money(-saving, 'en')} more in present value than buying directly"
    )
    cost_zh = (
        f"现值成本比直接购买低{fmt_money(saving, 'zh')}"
        if saving >= 0
        else f"现值成本比直接购买高{fmt_money(-saving, 'zh')}"
    )
    if small:
        why = Text(
            en=f"With {a.tech_staff:g} IT staff and an IT budget of "
            f"{fmt_money(a.annual_it_budget_cny, 'en')} a year, the agency is better served by "
            f"joining the {level[0]} unified cloud than by building or buying its own: it "
            f"{cost_en}, starts service in about {parent.months_to_service:.0f} months, and "
            "leaves the platform to those who run it at scale.",
            zh=f"本机构IT人员{a.tech_staff:g}人、年度IT预算{fmt_money(a.annual_it_budget_cny, 'zh')}，"
            f"接入{level[1]}统建政务云优于自建或单独采购：{cost_zh}，约{parent.months_to_service:.0f}"
            "个月即可提供服务，平台由规模化运营方负责。",
        )
        return "join_parent_cloud", [why, *reasons]
    return recommended, [
        *reasons,
        Text(
            en=f"Joining the {level[0]} unified cloud is also open to this agency: it {cost_en}.",
            zh=f"本机构也可接入{level[1]}统建政务云：{cost_zh}。",
        ),
    ]


def npv(costs: list[Any], rate: Any) -> Any:
    """Present value of end-of-year costs."""
    return sum(c / (1 + rate) ** t for t, c in enumerate(costs, start=1))


def _npvs(inputs: CashflowInputs, **changes: float) -> tuple[float, float]:
    values = {k: p.value for k, p in inputs.parameters.items()}
    spend = changes.pop("annual_spend_cny", inputs.annual_spend_cny)
    horizon = int(changes.pop("horizon_years", inputs.horizon_years))
    rate = changes.pop("discount_rate", inputs.discount_rate)
    values.update(changes)
    d, j = flows(values, spend, horizon, inputs.contract_years, inputs.one_off_cny)
    return float(npv(d, rate)), float(npv(j, rate))


def jv_advantage(inputs: CashflowInputs, **changes: float) -> float:
    """NPV(direct) - NPV(jv): positive when the joint venture is cheaper."""
    d, j = _npvs(inputs, **changes)
    return d - j


TIPPING = (
    ("horizon_years", 1.0, 30.0, True),
    ("annual_spend_cny", None, None, False),
    ("discount_rate", 0.0, 0.20, False),
    ("jv_efficiency_drift", -0.05, 0.10, False),
    ("switching_cost_rate", 0.0, 1.0, False),
)


def base_value(inputs: CashflowInputs, name: str) -> float:
    """The scenario's own value of a tipping-point input."""
    own = {
        "horizon_years": float(inputs.horizon_years),
        "annual_spend_cny": inputs.annual_spend_cny,
        "discount_rate": inputs.discount_rate,
    }
    return own[name] if name in own else inputs.value(name)


def tipping_point(
    inputs: CashflowInputs, name: str, low: float, high: float, integer: bool
) -> float | None:
    """Where the cheaper mode flips, searched over [low, high] by scan then bisection."""

    def f(x: float) -> float:
        return jv_advantage(inputs, **{name: x})

    base = base_value(inputs, name)
    grid = [low + (high - low) * k / 60 for k in range(61)]
    if integer:
        grid = [float(x) for x in range(int(low), int(high) + 1)]
    signs = [f(x) > 0 for x in grid]
    flips = [i for i in range(1, len(grid)) if signs[i] != signs[i - 1]]
    if not flips:
        return None
    i = min(flips, key=lambda k: abs(grid[k] - base))
    a, b = grid[i - 1], grid[i]
    if integer:
        return b
    for _ in range(60):
        mid = (a + b) / 2
        if (f(mid) > 0) == signs[i - 1]:
            a = mid
        else:
            b = mid
    return (a + b) / 2


def tipping_points(inputs: CashflowInputs) -> list[TippingPoint]:
    out = []
    for name, low, high, integer in TIPPING:
        if name == "annual_spend_cny":
            low, high = inputs.annual_spend_cny * 0.05, inputs.annual_spend_cny * 20
        assert low is not None and high is not None
        value = tipping_point(inputs, name, low, high, integer)
        out.append(
            TippingPoint(
                parameter=name,
                base=base_value(inputs, name),
                value=value,
                low=low,
                high=high,
                text=_tipping_text(inputs, name, value, low, high),
            )
        )
    return out


def _show(name: str, x: float, lang: str) -> str:
    if name == "horizon_years":
        return f"{x:.0f}年" if lang == "zh" else f"{x:.0f} years"
    if name == "annual_spend_cny":
        return fmt_money(x, lang)
    return f"{x:.1%}"


LABELS = {
    "horizon_years": Text(en="horizon", zh="测算期"),
    "annual_spend_cny": Text(en="annual spend", zh="年度支出"),
    "discount_rate": Text(en="discount rate", zh="折现率"),
    "jv_efficiency_drift": Text(
        en="JV cost drift against the market", zh="合资公司成本相对市场的年上浮率"
    ),
    "switching_cost_rate": Text(
        en="switching cost at re-tender", zh="重新招标时更换供应商的成本率"
    ),
    "jv_equity_share": Text(en="government's stake in the JV", zh="政府在合资公司中的持股比例"),
    "jv_capex_multiple": Text(
        en="JV build cost, in years of spend", zh="合资公司建设投入（折合年支出倍数）"
    ),
    "jv_fixed_overhead_cny": Text(en="JV fixed overhead a year", zh="合资公司年度固定管理成本"),
    "jv_prep_months": Text(en="JV preparation, months", zh="合资公司筹备期（月）"),
    "direct_prep_months": Text(
        en="direct purchase preparation, months", zh="直接购买服务准备期（月）"
    ),
    "jv_overhead_rate": Text(en="JV variable overhead", zh="合资公司变动管理费率"),
    "jv_opex_saving": Text(en="JV running-cost saving", zh="合资公司运营成本节省率"),
    "jv_margin": Text(en="JV company margin", zh="合资公司利润率"),
    "jv_residual_share": Text(
        en="value the government's stake keeps at the horizon", zh="测算期末政府股权的剩余价值比例"
    ),
    "parent_fee_rate": Text(
        en="parent cloud fee, share of buying alone", zh="上级统建云收费（占单独采购费用的比例）"
    ),
    "parent_onboarding_months": Text(
        en="joining the parent cloud, months", zh="接入上级统建云所需时间（月）"
    ),
    "switch_probability": Text(
        en="chance a re-tender changes vendor", zh="重新招标更换供应商的概率"
    ),
    "turnover_years": Text(en="government term, years", zh="政府换届周期（年）"),
    "turnover_disruption_rate": Text(
        en="disruption at a change of government", zh="换届对服务的扰动成本率"
    ),
    "retender_cost_cny": Text(en="cost of each re-procurement", zh="每次重新采购的成本"),
    "price_decline": Text(en="yearly cloud price decline", zh="云服务价格年降幅"),
}


def _tipping_text(
    inputs: CashflowInputs, name: str, value: float | None, low: float, high: float
) -> Text:
    label = LABELS[name]
    if value is None:
        cheaper = "jv" if jv_advantage(inputs) > 0 else "direct"
        who = (
            ("the joint venture", "合资公司")
            if cheaper == "jv"
            else ("direct purchase", "直接购买服务")
        )
        return Text(
            en=f"{label.en}: {who[0]} stays cheaper over the whole range "
            f"{_show(name, low, 'en')} to {_show(name, high, 'en')}",
            zh=f"{label.zh}：在{_show(name, low, 'zh')}至{_show(name, high, 'zh')}范围内"
            f"始终是{who[1]}更省",
        )
    above = jv_advantage(inputs, **{name: min(high, value * 1.0001 + 1e-9)}) > 0
    side = ("the joint venture", "合资公司") if above else ("direct purchase", "直接购买服务")
    if name == "horizon_years":
        return Text(
            en=f"{label.en}: {side[0]} is cheaper from {_show(name, value, 'en')} on",
            zh=f"{label.zh}：自{_show(name, value, 'zh')}起{side[1]}更省",
        )
    return Text(
        en=f"{label.en}: {side[0]} becomes cheaper beyond {_show(name, value, 'en')}",
        zh=f"{label.zh}：超过{_show(name, value, 'zh')}后{side[1]}更省",
    )


def monte_carlo(
    inputs: CashflowInputs, kb: CashflowKnowledge, draws: int = 10_000, seed: int = 20201
) -> RiskRange:
    """Triangular draws of the uncertain parameters; vectorised over draws, seeded."""
    rng = np.random.default_rng(seed)
    values: dict[str, Any] = {k: p.value for k, p in inputs.parameters.items()}
    for name, bounds in kb.ranges.items():
        if name == "assumption" or inputs.parameters[name].provenance == "scenario":
            continue
        lo, hi = float(bounds[0]), float(bounds[1])
        mode = min(max(values[name], lo), hi)
        values[name] = rng.triangular(lo, mode, hi, size=draws) if hi > lo else np.full(draws, lo)
    d, j = scenario_flows(inputs, values)
    nd = np.broadcast_to(npv(d, inputs.discount_rate), (draws,))
    nj = np.broadcast_to(npv(j, inputs.discount_rate), (draws,))

    def pct(a: Any, q: float) -> float:
        return round(float(np.percentile(a, q)), 2)

    return RiskRange(
        draws=draws,
        seed=seed,
        npv_p10={"direct": pct(nd, 10), "jv": pct(nj, 10)},
        npv_p50={"direct": pct(nd, 50), "jv": pct(nj, 50)},
        npv_p90={"direct": pct(nd, 90), "jv": pct(nj, 90)},
        probability_cheaper={
            "jv": round(float(np.mean(nj < nd)), 4),
            "direct": round(float(np.mean(nd <= nj)), 4),
        },
    )


def compare_modes(
    scenario: Scenario,
    qualitative: PartnershipView,
    kb: CashflowKnowledge,
    annual_spend: float,
    one_off: float,
    basis: str,
    draws: int = 10_000,
    seed: int = 20201,
    route: RouteAdvice | None = None,
) -> Comparison:
    """Both modes' cash flows side by side, the recommendation and when it would flip.
    `route`: the procurement route, whose timeline gives direct purchase's months to service
    (one timeline for both sections of the brief)."""
    inputs = resolve_inputs(scenario, kb, annual_spend, one_off, basis, route)
    values = {k: p.value for k, p in inputs.parameters.items()}
    d, j = scenario_flows(inputs, values)
    names = qualitative.mode_names

    def result(mode: str, costs: list[float], months: float) -> ModeResult:
        cum = list(np.cumsum(costs))
        return ModeResult(
            mode=mode,
            name=names[mode],
            npv_cny=round(float(npv(costs, inputs.discount_rate)), 2),
            months_to_service=months,
            flows=[round(float(c), 2) for c in costs],
            cumulative=[round(float(c), 2) for c in cum],
        )

    direct = result("direct_purchase", d, inputs.value("direct_prep_months"))
    jv = result("joint_venture", j, inputs.value("jv_prep_months"))
    cheaper = "joint_venture" if jv.npv_cny < direct.npv_cny else "direct_purchase"
    allowed = [m for m in ("joint_venture", "direct_purchase") if not qualitative.excluded[m]]
    recommended = cheaper if cheaper in allowed else allowed[0] if allowed else "direct_purchase"
    gap = abs(direct.npv_cny - jv.npv_cny)
    low, high = min(direct.npv_cny, jv.npv_cny), max(direct.npv_cny, jv.npv_cny)
    en_gap, en_low, en_high = fmt_amounts([gap, low, high], "en")  # one unit per comparison
    zh_gap, zh_low, zh_high = fmt_amounts([gap, low, high], "zh")
    reasons = [
        Text(
            en=f"Over {inputs.horizon_years} years at {inputs.discount_rate:.1%}, "
            f"{names[cheaper].en.lower()} costs {en_gap} less in present value "
            f"({en_low} against {en_high}).",
            zh=f"{inputs.horizon_years}年测算期、折现率{inputs.discount_rate:.1%}下，"
            f"{names[cheaper].zh}现值成本低{zh_gap}（{zh_low}对{zh_high}）。",
        )
    ]
    if recommended != cheaper:
        reasons += [a.reason for a in qualitative.excluded[cheaper]]
    reasons.append(
        Text(
            en=f"First service after about {direct.months_to_service:.0f} months by direct purchase "
            f"and {jv.months_to_service:.0f} months through a joint venture.",
            zh=f"直接购买服务约{direct.months_to_service:.0f}个月可提供服务，"
            f"合资公司约需{jv.months_to_service:.0f}个月。",
        )
    )
    if qualitative.recommended in ("joint_venture", "direct_purchase") and (
        qualitative.recommended != recommended
    ):
        reasons.append(
            Text(
                en=f"The qualitative dimensions lean the other way "
                f"({names[qualitative.recommended].en.lower()}); weigh both.",
                zh=f"定性维度倾向于{names[qualitative.recommended].zh}，需综合权衡。",
            )
        )
    parent = None
    if scenario.agency.parent_cloud != "none":
        parent = result(
            "join_parent_cloud",
            parent_flows(values, inputs),
            inputs.value("parent_onboarding_months"),
        )
        recommended, reasons = _parent_advice(scenario, parent, direct, recommended, reasons)
    return Comparison(
        inputs=inputs,
        direct=direct,
        jv=jv,
        parent=parent,
        cheaper=cheaper,
        recommended=recommended,
        reasons=reasons,
        qualitative=qualitative,
        tipping=tipping_points(inputs),
        risk=monte_carlo(inputs, kb, draws, seed),
    )
