"""The simulator against closed forms, hand-computed paths and the slow reference loop.

Closed forms (``replenlib.sim.analytic``): Hadley & Whitin (1963) ch. 5 and Axsäter (2015)
sections 5.2–5.3 for the (s, nQ) and (R, S) systems with normal demand and backorders.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replenlib.sim import analytic
from replenlib.sim.demand import DemandModel, DemandPath
from replenlib.sim.engine import simulate
from replenlib.sim.reference import simulate_reference
from replenlib.sim.result import SimKpi
from replenlib.sim.streams import Streams
from replenlib.sim.supply import LeadTimeModel, SupplierFailures
from replenlib.sim.system import (
    DemandChange,
    InventorySystem,
    Policy,
    PolicyKind,
    RunSettings,
    Stocking,
    Supply,
)

NQ, UP_TO = PolicyKind.REORDER_POINT_QUANTITY, PolicyKind.ORDER_UP_TO


def _normal_system(
    policy: Policy, mean: float, std: float, lead: int, items: int
) -> InventorySystem:
    demand = DemandModel.normal(np.full(items, mean), std)
    return InventorySystem(demand, LeadTimeModel.from_moments([lead], [0.0]), policy)


def _pooled(system: InventorySystem, days: int, reps: int, seed: int = 1) -> dict[SimKpi, float]:
    result = simulate(system, RunSettings(days, reps, warmup_days=60), np.random.default_rng(seed))
    return {k: float(np.nanmean(v)) for k, v in result.pooled().items()}


# --- closed forms -------------------------------------------------------------------------


@pytest.mark.parametrize(("z", "review"), [(1.6449, 1), (1.0, 7), (2.326, 3)])
def test_order_up_to_matches_closed_form_service(z: float, review: int) -> None:
    mean, std, lead = 100.0, 25.0, 5
    up_to = mean * (lead + review) + z * std * np.sqrt(lead + review)
    system = _normal_system(
        Policy(UP_TO, 0.0, order_up_to=up_to, review_period=review), mean, std, lead, 40
    )
    kpis = _pooled(system, 760, 25)
    csl = analytic.order_up_to_cycle_service_level(up_to, mean, std, lead, review)
    fill = analytic.order_up_to_fill_rate(up_to, mean, std, lead, review)
    assert kpis[SimKpi.CYCLE_SERVICE_LEVEL] == pytest.approx(csl, abs=0.01)
    assert kpis[SimKpi.FILL_RATE] == pytest.approx(fill, abs=0.01)
    assert kpis[SimKpi.FILL_RATE] == pytest.approx(fill, abs=0.002)  # much tighter in fact


@pytest.mark.parametrize(("safety", "quantity"), [(1.5, 300.0), (2.5, 150.0), (0.5, 600.0)])
def test_reorder_quantity_matches_closed_forms(safety: float, quantity: float) -> None:
    mean, std, lead = 50.0, 15.0, 6
    reorder = mean * lead + safety * std * np.sqrt(lead)
    policy = Policy(NQ, reorder, order_quantity=quantity)
    kpis = _pooled(_normal_system(policy, mean, std, lead, 40), 760, 25, seed=3)
    args = (reorder, quantity, mean, std, lead)
    assert kpis[SimKpi.CYCLE_SERVICE_LEVEL] == pytest.approx(
        analytic.reorder_quantity_cycle_service_level(*args), abs=0.01
    )
    assert kpis[SimKpi.FILL_RATE] == pytest.approx(
        analytic.reorder_quantity_fill_rate(*args), abs=0.01
    )
    assert kpis[SimKpi.AVERAGE_ON_HAND] / 40 == pytest.approx(
        analytic.reorder_quantity_average_on_hand(*args), rel=0.01
    )


def test_daily_review_undershoot_is_why_the_textbook_csl_overstates() -> None:
    # Same policy as above (z = 1.5): the undershoot-free textbook value is far above what a
    # daily review achieves; the exact expression with the undershoot is what we reproduce.
    reorder = 50.0 * 6 + 1.5 * 15.0 * np.sqrt(6)
    textbook = analytic.reorder_quantity_textbook_cycle_service_level(reorder, 50.0, 15.0, 6)
    exact = analytic.reorder_quantity_cycle_service_level(reorder, 300.0, 50.0, 15.0, 6)
    assert textbook == pytest.approx(0.9332, abs=1e-4)
    assert textbook - exact > 0.15


def test_littles_law_for_pipeline_and_on_hand() -> None:
    # Random lead times with crossover: average on order = order rate × mean lead time
    # (Little's law), and on hand − backorders = E[IP after ordering] − mean demand − that.
    mean, std, reorder, quantity = 40.0, 10.0, 600.0, 400.0
    demand = DemandModel.normal(np.full(30, mean), std)
    system = InventorySystem(demand, LeadTimeModel.from_moments([10.0], [4.0]),
                             Policy(NQ, reorder, order_quantity=quantity))  # fmt: skip
    result = simulate(system, RunSettings(800, 20, warmup_days=80), np.random.default_rng(7))
    t, days = result.totals, result.measured_days
    order_rate = t["ordered"].sum() / (days * t["ordered"].shape[1] * t["ordered"].shape[2])
    lead = t["lead_time"].sum() / t["orders"].sum()
    on_order = t["on_order"].mean() / days
    assert on_order == pytest.approx(order_rate * lead, rel=0.01)
    net = (t["on_hand"].mean() - t["backlog"].mean()) / days
    assert net == pytest.approx(reorder + quantity / 2 - mean - order_rate * lead, rel=0.01)


# --- deterministic cases ------------------------------------------------------------------


def test_zero_variance_sawtooth_is_exact() -> None:
    # d = 10/day, L = 4, s = 50, Q = 100: orders every 10 days, end-of-day stock
    # 100, 90, ..., 10 (mean 55), no stock-out; 100 measured days = 10 cycles, 10 orders.
    system = InventorySystem(DemandModel.normal([10.0], 0.0), LeadTimeModel.from_moments([4], [0]),
                             Policy(NQ, 50.0, order_quantity=100.0))  # fmt: skip
    for seed in (1, 2):
        result = simulate(system, RunSettings(130, 3, warmup_days=30), np.random.default_rng(seed))
        kpis = result.item_kpis()
        np.testing.assert_array_equal(kpis[SimKpi.AVERAGE_ON_HAND], 55.0)
        np.testing.assert_array_equal(kpis[SimKpi.FILL_RATE], 1.0)
        np.testing.assert_array_equal(kpis[SimKpi.CYCLE_SERVICE_LEVEL], 1.0)
        np.testing.assert_array_equal(kpis[SimKpi.ORDERS_PLACED], 10.0)
        np.testing.assert_array_equal(kpis[SimKpi.STOCKOUT_DAYS], 0.0)


def test_zero_variance_short_reorder_point_is_exact() -> None:
    # s = 30 < demand over the lead time (40): each 10-day cycle ends with one day of 10
    # units short; end-of-day stock 80, 70, ..., 10, 0, 0 (mean 36), two days at zero.
    model = DemandModel.normal([10.0], 0.0)
    lead = LeadTimeModel.from_moments([4], [0])
    back = InventorySystem(model, lead, Policy(NQ, 30.0, order_quantity=100.0))
    kpis = simulate(back, RunSettings(130, 2, warmup_days=30), np.random.default_rng(0)).item_kpis()
    np.testing.assert_array_equal(kpis[SimKpi.FILL_RATE], 0.9)
    np.testing.assert_array_equal(kpis[SimKpi.CYCLE_SERVICE_LEVEL], 0.0)
    np.testing.assert_array_equal(kpis[SimKpi.STOCKOUT_RATE], 0.1)
    np.testing.assert_array_equal(kpis[SimKpi.STOCKOUT_DAYS], 20.0)
    np.testing.assert_array_equal(kpis[SimKpi.AVERAGE_ON_HAND], 36.0)
    # With lost sales the position no longer counts the lost day, so the cycle lasts 11
    # days (orders on days 21, 32, ...): 10 units lost on days 35, 46, ..., 123.
    lost = InventorySystem(
        model, lead, Policy(NQ, 30.0, order_quantity=100.0), stocking=Stocking(lost_sales=True)
    )
    kpis = simulate(lost, RunSettings(130, 2, warmup_days=30), np.random.default_rng(0)).item_kpis()
    np.testing.assert_array_equal(kpis[SimKpi.LOST_UNITS], 90.0)
    np.testing.assert_array_equal(kpis[SimKpi.FILL_RATE], 0.91)


def test_zero_variance_expiry_writes_off_what_outlives_its_shelf_life() -> None:
    # d = 10/day, L = 1, s = 10, Q = 100, lots usable 8 days. From a receipt on day r: 10
    # units fill the day-before backorder, 90 go on the shelf, 80 are used on days r..r+7,
    # the last 10 expire on day r+8, which leaves nothing: an order (due r+9) and a day of
    # unmet demand. A 9-day cycle; the measured days 9..98 hold 10 of them.
    system = InventorySystem(DemandModel.normal([10.0], 0.0), LeadTimeModel.from_moments([1], [0]),
                             Policy(NQ, 10.0, order_quantity=100.0),
                             stocking=Stocking(usable_days=8.0))  # fmt: skip
    result = simulate(system, RunSettings(9 + 90, 2, warmup_days=9), np.random.default_rng(0))
    kpis = result.item_kpis()
    np.testing.assert_array_equal(kpis[SimKpi.EXPIRED_UNITS], 100.0)
    np.testing.assert_array_equal(kpis[SimKpi.ORDERS_PLACED], 10.0)
    np.testing.assert_array_equal(kpis[SimKpi.STOCKOUT_RATE], 10 / 90)


def test_same_seed_gives_identical_results_and_other_seeds_differ() -> None:
    demand = DemandModel.from_moments(np.full(20, 5.0), 4.0, 0.3)
    system = InventorySystem(demand, LeadTimeModel.from_moments([7.0], [3.0]),
                             Policy(NQ, 30.0, order_quantity=40.0),
                             failures=SupplierFailures(np.array([4.0]), np.array([6.0])))  # fmt: skip
    run = RunSettings(200, 5, warmup_days=20)
    a = simulate(system, run, np.random.default_rng(42))
    b = simulate(system, run, np.random.default_rng(42))
    c = simulate(system, run, np.random.default_rng(43))
    for name, total in a.totals.items():
        np.testing.assert_array_equal(total, b.totals[name])
    assert not np.array_equal(a.totals["demand"], c.totals["demand"])


def test_fixed_outage_holds_deliveries_until_it_ends() -> None:
    system = InventorySystem(DemandModel.normal([10.0], 0.0), LeadTimeModel.from_moments([3], [0]),
                             Policy(NQ, 40.0, order_quantity=100.0),
                             supply=Supply(outage_start=20, outage_end=50))  # fmt: skip
    result = simulate(system, RunSettings(80, 1, trace=((0, 0, 0),)), np.random.default_rng(0))
    on_hand, on_order = result.trace[0, 0], result.trace[1, 0]
    assert on_order[20:49].min() > 0  # an order placed before the outage waits in transit
    assert np.all(on_hand[25:50] == 0)  # and stock runs out meanwhile
    assert on_hand[50] > 0  # delivered on the first open day


# --- the slow reference loop --------------------------------------------------------------


@st.composite
def _systems(draw: st.DrawFn) -> tuple[InventorySystem, RunSettings]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    items, reps, variants, days = 4, 2, draw(st.integers(1, 2)), 70
    quantity = np.where(rng.random((items, reps, days)) < draw(st.floats(0.2, 1.0)),
                        rng.integers(1, 12, (items, reps, days)), 0).astype(float)  # fmt: skip
    kinds = rng.choice(np.array(list(PolicyKind), dtype=object), (variants, items))
    reorder = rng.integers(0, 40, (variants, items)).astype(float)
    policy = Policy(
        kind=kinds, reorder_point=reorder, order_quantity=rng.integers(1, 40, (variants, items)),
        order_up_to=reorder + rng.integers(1, 40, (variants, items)),
        review_period=rng.integers(1, 5, items), review_offset=rng.integers(0, 3, items),
        moq=rng.choice([0.0, 8.0], items), order_multiple=rng.choice([0.0, 3.0], items),
        max_order_quantity=np.where(rng.random(items) < 0.4, rng.integers(5, 30, items), np.inf),
    )  # fmt: skip
    supply = Supply(
        source=rng.integers(0, 3, items), sequential=rng.random(items) < 0.5,
        lead_time_shift=rng.integers(0, 3, (variants, items)),
        outage_start=np.where(rng.random(items) < 0.3, 20, -1), outage_end=40,
    )  # fmt: skip
    stocking = Stocking(
        lost_sales=rng.random((variants, items)) < 0.4,
        usable_days=np.where(rng.random(items) < 0.5, rng.integers(3, 25, items), np.nan),
    )
    change = DemandChange(multiplier=rng.integers(1, 3, (variants, items)), shock_multiplier=2,
                          shock_start=30, shock_end=draw(st.sampled_from([-1, 45])))  # fmt: skip
    system = InventorySystem(
        DemandPath(quantity), LeadTimeModel.from_moments([2.0, 6.0, 4.0], [0.0, 3.0, 2.0]),
        policy, supply, stocking, change,
        SupplierFailures(np.array([6.0, 0.0, 12.0]), np.array([5.0, 1.0, 3.0])),
    )  # fmt: skip
    return system, RunSettings(days, reps, warmup_days=draw(st.integers(0, 20)), lot_slots=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_systems(), seed=st.integers(0, 1000))
def test_engine_reproduces_the_per_row_python_loop_exactly(
    case: tuple[InventorySystem, RunSettings], seed: int
) -> None:
    system, run = case
    result = simulate(system, run, np.random.default_rng(seed))
    streams = Streams.from_rng(np.random.default_rng(seed))
    assert system.failures is not None
    outages = system.failures.draw(streams.outages, run.n_replications, run.n_days)
    reference = simulate_reference(system, run, streams.lead_time_seed, outages)
    for name, total in result.totals.items():
        np.testing.assert_array_equal(total, reference.totals[name], err_msg=name)


def test_policy_levels_may_change_in_blocks() -> None:
    # Two blocks of 50 days: the order-up-to level doubles; stock follows.
    system = InventorySystem(DemandModel.normal([10.0], 0.0), LeadTimeModel.from_moments([2], [0]),
                             Policy(UP_TO, 0.0, order_up_to=np.array([[[40.0]], [[80.0]]]),
                                    block_days=50))  # fmt: skip
    result = simulate(system, RunSettings(100, 1, trace=((0, 0, 0),)), np.random.default_rng(0))
    on_hand = result.trace[0, 0]
    assert on_hand[40] == 10.0 and on_hand[90] == 50.0


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="order quantity > 0"):
        simulate(
            _normal_system(Policy(NQ, 10.0), 1.0, 0.0, 1, 1),
            RunSettings(5, 1),
            np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="finite order-up-to"):
        simulate(
            _normal_system(Policy(UP_TO, 10.0), 1.0, 0.0, 1, 1),
            RunSettings(5, 1),
            np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="review periods"):
        simulate(_normal_system(Policy(NQ, 1.0, 5.0, review_period=0), 1.0, 0.0, 1, 1),
                 RunSettings(5, 1), np.random.default_rng(0))  # fmt: skip
