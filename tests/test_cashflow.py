"""Cash-flow arithmetic against hand-computed cases; tipping points verified on both sides."""

from __future__ import annotations

from typing import Any

import pytest

from procure.advice.assess import assess, spend_basis
from procure.advice.knowledge import knowledge
from procure.analysis.cashflow import (
    CashflowInputs,
    Comparison,
    Parameter,
    compare_modes,
    flows,
    jv_advantage,
    monte_carlo,
    npv,
    parent_flows,
)
from procure.award.optimizer import optimize
from procure.inputs.vendors import builtin_catalog

from .conftest import load

CATALOG = builtin_catalog().vendors
SIMPLE = {
    "price_decline": 0.0,
    "retender_cost_cny": 10.0,
    "switching_cost_rate": 0.2,
    "switch_probability": 0.5,
    "turnover_years": 5,
    "turnover_disruption_rate": 0.1,
    "jv_opex_saving": 0.2,
    "jv_overhead_rate": 0.1,
    "jv_efficiency_drift": 0.0,
    "jv_fixed_overhead_cny": 5.0,
    "jv_equity_share": 0.5,
    "jv_capex_multiple": 2.0,
    "jv_residual_share": 0.5,
    "jv_prep_months": 18,
    "direct_prep_months": 6,
    "jv_margin": 0.0,
    "parent_fee_rate": 0.9,
    "parent_onboarding_months": 3,
}


def test_npv_to_the_cent() -> None:
    # 100/1.05 + 100/1.05^2 + 100/1.05^3 = 95.2381 + 90.7029 + 86.3838
    assert round(npv([100.0, 100.0, 100.0], 0.05), 2) == 272.32
    # an annuity: PV = A (1 - (1+r)^-n) / r
    assert npv([1000.0] * 10, 0.04) == pytest.approx(1000 * (1 - 1.04**-10) / 0.04, abs=0.005)


def test_hand_computed_flows_with_reprocurement() -> None:
    direct, jv = flows(SIMPLE, 1000.0, horizon=4, term=3, one_off=0.0)
    # year 1: fee + re-tender; year 4: fee + re-tender + expected switching 0.5*0.2*1000
    assert direct == [1010.0, 1000.0, 1000.0, 1110.0]
    # fee 1000*0.8*1.1 + 5 = 885; year 1 + equity 0.5*2*1000; year 4 - residual 0.5*0.5*2000
    assert jv == pytest.approx([1885.0, 885.0, 885.0, 385.0])


def test_hand_computed_jv_margin_and_parent_fee() -> None:
    """The JV company's margin is paid on its running cost (ch.2 "中国政务云的政企合作模式":
    the enterprise carries the commercial risk); the parent cloud charges a fee, no build."""
    _, jv = flows({**SIMPLE, "jv_margin": 0.1}, 1000.0, horizon=4, term=3, one_off=0.0)
    # fee 1000 * 0.8 * 1.1 (margin) * 1.1 (overhead) + 5 = 973
    assert jv[1] == pytest.approx(973.0)
    inputs = _inputs(horizon=3).model_copy(update={"one_off_cny": 50.0})
    values = {**SIMPLE, "price_decline": 0.1}
    # 0.9 * 1000 * 0.9^(t-1), plus the one-off in year 1
    assert parent_flows(values, inputs) == pytest.approx([950.0, 810.0, 729.0])


def test_turnover_and_price_decline() -> None:
    values = {**SIMPLE, "price_decline": 0.1, "retender_cost_cny": 0.0}
    direct, _ = flows(values, 1000.0, horizon=5, term=5)
    # year 5 fee 1000*0.9^4 = 656.1, plus 10% turnover disruption
    assert direct[4] == pytest.approx(656.1 * 1.1)
    assert direct[1] == pytest.approx(900.0)


def _inputs(horizon: int = 10) -> CashflowInputs:
    params = {k: Parameter(name=k, value=float(v), provenance="test") for k, v in SIMPLE.items()}
    return CashflowInputs(
        annual_spend_cny=1000.0,
        spend_basis="test",
        one_off_cny=0.0,
        horizon_years=horizon,
        discount_rate=0.04,
        contract_years=3,
        parameters=params,
    )


def _comparison(name: str) -> Comparison:
    s = load(name)
    a = assess(s, CATALOG)
    award = optimize(s, a.deployment, a.weights.weights, CATALOG, knowledge().costs, extras=False)
    spend, one_off, basis = spend_basis(a, award, s.procurement.contract_years)
    return compare_modes(s, a.partnership, knowledge().cashflow, spend, one_off, basis, draws=2000)


def test_province_with_partner_favours_joint_venture_over_long_horizon() -> None:
    c = _comparison("province-integrated-jv")
    assert c.recommended == "joint_venture"
    assert c.jv.npv_cny < c.direct.npv_cny
    assert "costs" in c.reasons[0].en and "less in present value" in c.reasons[0].en


@pytest.mark.parametrize("name", ["prefecture-binzhou", "county-west"])
def test_prefecture_and_county_favour_direct_purchase(name: str) -> None:
    c = _comparison(name)
    assert c.recommended == "direct_purchase"
    assert c.cheaper == "direct_purchase"
    assert c.direct.months_to_service < c.jv.months_to_service


@pytest.mark.parametrize(
    "name", ["province-integrated-jv", "municipality-multivendor", "prefecture-binzhou"]
)
def test_tipping_points_flip_on_either_side(name: str) -> None:
    c = _comparison(name)
    found = 0
    for tp in c.tipping:
        if tp.value is None:
            continue
        found += 1
        if tp.parameter == "horizon_years":
            below, above = tp.value - 1, tp.value
        else:
            eps = max(abs(tp.value) * 1e-4, 1e-6)
            below, above = tp.value - eps, tp.value + eps
        kw: dict[str, Any] = {}
        left = jv_advantage(c.inputs, **{**kw, tp.parameter: below})
        right = jv_advantage(c.inputs, **{**kw, tp.parameter: above})
        assert (left > 0) != (right > 0), tp
    if name != "prefecture-binzhou":
        assert found >= 2


def test_monte_carlo_is_reproducible() -> None:
    kb = knowledge().cashflow
    first = monte_carlo(_inputs(), kb, draws=5000, seed=7)
    again = monte_carlo(_inputs(), kb, draws=5000, seed=7)
    other = monte_carlo(_inputs(), kb, draws=5000, seed=8)
    assert first == again
    assert first != other
    assert first.probability_cheaper["jv"] + first.probability_cheaper["direct"] == pytest.approx(
        1.0
    )
