"""Invariants of the policies (hypothesis), contracts over every family and policy type."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.policy.ddmrp import buffer_zones, qualified_demand, spike_threshold
from replenlib.policy.expiry import cap_levels, expiry_caps, fefo_outlook, usable_stock
from replenlib.policy.minmax import days_of_supply_min_max, min_max_order, months_of_stock_min_max
from replenlib.policy.order_sizing import round_within_cap, top_up_to_minimum_order_value
from replenlib.policy.policies import reorder_levels, replenishment_quantity
from replenlib.policy.service import cycle_demand

FAMILIES = ["normal", "gamma", "negative_binomial", "poisson"]
POLICIES = ["s_Q", "s_S", "R_S", "R_s_S"]
MEASURES = ["cycle_service_level", "fill_rate"]


def _levels(family: str, policy: str, measure: str, target: float, lt_sd: float = 2.0):
    review = 0.0 if policy in ("s_Q", "s_S") else 7.0
    demand = cycle_demand([family], [4.0], [3.0], [10.0], [lt_sd], [review])
    return reorder_levels(policy, measure, target, demand, 40.0)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(FAMILIES),
    st.sampled_from(POLICIES),
    st.sampled_from(MEASURES),
    st.floats(0.5, 0.985),
    st.floats(0.001, 0.014),
)
def test_higher_target_never_lowers_safety_stock(
    family: str, policy: str, measure: str, target: float, step: float
) -> None:
    low = _levels(family, policy, measure, target)
    high = _levels(family, policy, measure, target + step)
    assert high.safety_stock[0] >= low.safety_stock[0] - 1e-6


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(FAMILIES),
    st.sampled_from(POLICIES),
    st.sampled_from(MEASURES),
    st.floats(0.85, 0.99),
    st.floats(0.0, 4.0),
    st.floats(0.0, 4.0),
)
def test_more_lead_time_variance_never_lowers_reorder_point(
    family: str, policy: str, measure: str, target: float, sd: float, extra: float
) -> None:
    # Service targets as planned (>= 85 %) and variability up to CV ~ 0.6: a skewed family's
    # low quantiles can fall as its variance grows (the mass moves toward zero), so the
    # property is a statement about the targets and ranges planners use.
    base = _levels(family, policy, measure, target, sd)
    more = _levels(family, policy, measure, target, sd + extra)
    assert more.reorder_point[0] >= base.reorder_point[0] - 1e-6 * max(1.0, base.reorder_point[0])


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("measure", MEASURES)
def test_contract_every_family_policy_and_measure(family: str, policy: str, measure: str) -> None:
    levels = _levels(family, policy, measure, 0.95)
    assert levels.order_up_to[0] >= levels.reorder_point[0] >= 0
    implied = getattr(levels, f"implied_{measure}")[0]
    assert implied >= 0.95 - 1e-4  # the labelled measure is met ...
    if family in ("negative_binomial", "poisson"):
        assert levels.reorder_point[0] == np.round(levels.reorder_point[0])  # integer units
    assert levels.service_measure[0] == measure  # ... and labelled


def test_zero_demand_rows_get_zero_levels() -> None:
    demand = cycle_demand(
        ["gamma", "normal"], [0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [1.0, 1.0], [7, 7]
    )
    levels = reorder_levels("R_S", ["fill_rate", "cycle_service_level"], 0.95, demand, 0.0)
    np.testing.assert_array_equal(levels.reorder_point, [0.0, 0.0])


@settings(max_examples=150, deadline=None)
@given(
    st.floats(0.0, 500.0),
    st.sampled_from([1.0, 10.0, 24.0, 100.0]),
    st.sampled_from([1.0, 6.0, 12.0]),
    st.one_of(st.just(np.inf), st.floats(1.0, 800.0)),
)
def test_order_respects_moq_multiples_and_expiry_cap(
    wanted: float, moq: float, multiple: float, cap: float
) -> None:
    result = round_within_cap(wanted, moq, multiple, cap)
    q = float(result.quantity)
    if wanted == 0:
        assert q == 0
        return
    assert q >= moq - 1e-9
    assert q / multiple == pytest.approx(round(q / multiple))
    if result.exceeds_cap:  # the terms force more than demand uses before expiry: flagged
        assert q > cap
    else:
        assert q <= cap + 1e-9  # capped orders never exceed usable-before-expiry demand


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0.1, 50.0),
    st.floats(0.0, 60.0),
    st.floats(0.0, 400.0),
    st.floats(0.0, 500.0),
    st.floats(0.0, 300.0),
    st.floats(1.0, 400.0),
)
def test_capped_levels_are_used_before_expiry(
    rate: float, lead: float, sellable: float, s: float, gap: float, lot: float
) -> None:
    caps = expiry_caps(rate, lead, sellable)
    capped = cap_levels(np.array([s]), np.array([s + gap]), np.array([lot]), caps)
    assert capped.order_quantity[0] <= rate * sellable + 1e-9
    assert capped.order_up_to[0] <= rate * (lead + sellable) + 1e-9
    assert capped.reorder_point[0] <= capped.order_up_to[0] + 1e-9


def test_fefo_outlook_by_hand() -> None:
    # 2/day; lots: 10 expiring in 3 days (sell-by 3 - 1 = 2 -> 4 used), 30 in 21 days
    # (sell-by 20: 40 of demand by then, 4 went to lot 1 -> all 30 used), 5 already unsellable.
    outlook = fefo_outlook([[10.0, 30.0, 5.0]], [[3.0, 21.0, 0.5]], [1.0], [2.0])
    assert outlook.usable[0] == 40.0
    assert outlook.used_before_expiry[0] == pytest.approx(34.0)
    assert outlook.expected_write_off[0] == pytest.approx(11.0)
    assert usable_stock([[10.0, 30.0, 5.0, np.nan]], [[3.0, 21.0, 0.5, np.nan]], [1.0])[0] == 40


def test_minimum_order_value_tops_up_lines() -> None:
    result = top_up_to_minimum_order_value(
        [10.0, 5.0, 3.0], [10.0, 20.0, 5.0], [0, 0, 1], [1000.0, 1000.0, 10.0],
        [1.0, 1.0, 1.0], [5.0, 1.0, 1.0], [np.inf, 60.0, np.inf],
    )  # fmt: skip
    np.testing.assert_allclose(result.quantity, [50.0, 25.0, 3.0])
    assert not result.below_minimum.any()


def test_ddmrp_zones_by_hand_and_sparse_spikes() -> None:
    # Ptak & Smith zone equations: ADU 10, DLT 20, LTF 0.5, VF 0.5, MOQ 50, DOC 7
    zones = buffer_zones([10.0], [20.0], [0.5], [0.5], [50.0], [7.0])
    assert zones.red[0] == 150.0 and zones.yellow[0] == 200.0 and zones.green[0] == 100.0
    assert zones.top_of_yellow[0] == 350.0 and zones.top_of_green[0] == 450.0
    # a sparse item: ADU 0.2, red zone 0.2 * 10 * 0.7 * 1.8 = 2.5; ordinary orders of 1-4
    sparse = buffer_zones([0.2], [10.0], [0.7], [0.8])
    history = np.zeros((1, 200))
    history[0, ::15] = [1, 2, 4, 3, 1, 2, 4, 2, 1, 3, 2, 4, 1, 2]
    threshold = spike_threshold(sparse, history)
    open_orders = np.array([[0.0, 3.0, 0.0, 4.0, 0.0, 20.0]])
    plain = qualified_demand(open_orders, 0.5 * sparse.red, [10.0])
    ruled = qualified_demand(open_orders, threshold, [10.0])
    assert plain[0] == 27.0  # without the rule every order is a "spike"
    assert ruled[0] == 20.0  # with it only the order far above the item's usual size


def test_min_max_logistics_handbook_rule() -> None:
    # AMC 200/month, min 3 months, max 5 months: min 600, max 1,000; stock 550 -> order 450
    levels = months_of_stock_min_max([200.0], [3.0], [5.0])
    assert levels.min_level[0] == 600.0 and levels.max_level[0] == 1000.0
    assert min_max_order(levels, [550.0])[0] == 450.0
    assert min_max_order(levels, [700.0])[0] == 0.0
    assert min_max_order(levels, [700.0], forced=True)[0] == 300.0
    days = days_of_supply_min_max([10.0], [14.0], [7.0], [7.0])
    assert days.min_level[0] == 210.0 and days.max_level[0] == 280.0


def test_replenishment_quantity_per_policy() -> None:
    quantity = replenishment_quantity(
        ["s_Q", "s_Q", "R_S", "s_S"], [5.0, 25.0, 8.0, 3.0], [20.0, 20.0, 10.0, 5.0],
        [70.0, 70.0, 10.0, 40.0], [50.0, 50.0, 0.0, 35.0],
    )  # fmt: skip
    np.testing.assert_array_equal(quantity, [50.0, 0.0, 2.0, 37.0])


def test_sensitivity_recompute_matches_the_solvers_and_moves_the_right_way() -> None:
    from replenlib.policy.sensitivity import prepare, recompute, response_curve

    rng = np.random.default_rng(5)
    n = 200
    mean = rng.gamma(2.0, 5.0, n)
    base = prepare(
        family=rng.choice(FAMILIES[:3], n), policy_type=rng.choice(POLICIES, n),
        service_measure=rng.choice(MEASURES, n), service_target=0.95, demand_mean=mean,
        demand_std=mean, lead_time_mean=rng.uniform(3, 30, n), lead_time_std=2.0,
        review_period=7.0, lot_size=10 * mean, unit_cost=rng.uniform(1, 100, n),
    )  # fmt: skip
    same = recompute(base)
    demand = cycle_demand(base.family, mean, mean, base.lead_time_mean, 2.0, 7.0)
    exact = reorder_levels(base.policy_type, base.service_measure, 0.95, demand, 10 * mean)
    np.testing.assert_allclose(same.safety_stock, exact.safety_stock, atol=0.05 * mean.max())
    curve = response_curve(base, "service_target", [0.9, 0.95, 0.98])
    assert np.all(np.diff(curve.safety_stock_value) > 0)
    longer = recompute(base, lead_time_scale=1.5)
    assert longer.total_safety_stock_value > same.total_safety_stock_value
    noisier = recompute(base, forecast_error_scale=1.5)
    assert noisier.total_inventory_value > same.total_inventory_value
