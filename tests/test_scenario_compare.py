"""Scenario comparison on common random numbers, frontier, tornado, business-case groups."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from replenlib.errors import InputDataError
from replenlib.scenario.assemble import plan_policy
from replenlib.scenario.base import Levers, apply
from replenlib.scenario.business_case import erp_groups
from replenlib.scenario.compare import compare, paired_difference
from replenlib.scenario.definition import (
    ChangeSupplier,
    FailureRule,
    PolicyChoice,
    Scenario,
    Selector,
    SetPolicy,
    SetServiceTarget,
)
from replenlib.scenario.frontier import frontier
from replenlib.scenario.tornado import Factor, tornado
from replenlib.sim.result import SimKpi
from replenlib.sim.system import RunSettings
from tests.sim_fixtures import synthetic_base

BASE = synthetic_base(48, seed=3)
RUN = RunSettings(240, 24, warmup_days=60)
ERP = Scenario("erp", "today", (SetPolicy(Selector(), PolicyChoice.ERP),))
TIERED = Scenario("tiered", "strategy")
STRICT = Scenario("strict", "99.5 % everywhere", (SetServiceTarget(Selector(), 0.995),))
LOOSE = Scenario("loose", "90 % everywhere", (SetServiceTarget(Selector(), 0.90),))


def test_paired_difference_is_the_paired_t_interval() -> None:
    values = np.array([[1.0, 2.0, 4.0, 3.0, 5.0], [1.5, 2.1, 4.9, 3.2, 5.6]])
    d = paired_difference(values, reference=0)
    delta = values[1] - values[0]
    low, high = stats.t.interval(0.95, len(delta) - 1, loc=delta.mean(), scale=stats.sem(delta))
    assert d.mean[1] == pytest.approx(delta.mean())
    assert (d.low[1], d.high[1]) == pytest.approx((low, high))
    assert d.mean[0] == 0.0 and d.low[0] == 0.0


def test_common_random_numbers_shrink_the_variance_of_differences() -> None:
    # Same two scenarios, same effort: simulated side by side (common random numbers) or in
    # independent runs. Law (2015) section 11.2: Var(Δ) drops by 2 Cov(a, b).
    first = Scenario("a", "95 % everywhere", (SetServiceTarget(Selector(), 0.95),))
    second = Scenario("b", "97 % everywhere", (SetServiceTarget(Selector(), 0.97),))
    crn = compare(BASE, [first, second], "a", RUN, np.random.default_rng(1))
    a = compare(BASE, [first], "a", RUN, np.random.default_rng(2)).pooled()
    b = compare(BASE, [second], "b", RUN, np.random.default_rng(3)).pooled()
    # measured over seeds: 0.002–0.004 for inventory value, 0.04–0.10 for fill rate and
    # 0.07–0.09 for stockout rate
    for kpi, most in (
        (SimKpi.INVENTORY_VALUE, 0.02),
        (SimKpi.FILL_RATE, 0.25),
        (SimKpi.STOCKOUT_RATE, 0.25),
    ):
        paired = crn.pooled()[kpi]
        var_crn = np.var(paired[1] - paired[0], ddof=1)
        var_independent = np.var(b[kpi][0] - a[kpi][0], ddof=1)
        assert var_crn / var_independent < most, kpi


def test_identical_scenarios_differ_by_exactly_nothing() -> None:
    result = compare(BASE, [TIERED, Scenario("again")], "tiered", RUN, np.random.default_rng(4))
    for total in result.result.totals.values():
        np.testing.assert_array_equal(total[0], total[1])
    rows = [r for r in result.summary() if r.scenario == "again" and r.scope == "all"]
    assert all(r.diff_mean == 0.0 for r in rows if not np.isnan(r.diff_mean))


def test_summary_rows_cover_scenarios_kpis_scopes_and_reference() -> None:
    result = compare(BASE, [ERP, TIERED, STRICT], "erp", RUN, np.random.default_rng(5))
    rows = result.summary(reference="tiered")
    scopes = {r.scope for r in rows}
    assert scopes == {"all", "tier=critical", "tier=high", "tier=medium", "tier=low"}
    assert len(rows) == 3 * 5 * 8
    by = {(r.scenario, r.kpi, r.scope): r for r in rows}
    assert np.isnan(by[("erp", SimKpi.STOCKOUT_RATE, "all")].diff_mean)
    assert np.isnan(by[("tiered", SimKpi.STOCKOUT_RATE, "all")].ref_diff_mean)
    strict = by[("strict", SimKpi.INVENTORY_VALUE, "all")]
    assert strict.ref_diff_low > 0  # a stricter target needs clearly more inventory
    assert strict.diff_mean == pytest.approx(
        strict.mean - by[("erp", SimKpi.INVENTORY_VALUE, "all")].mean
    )


def test_frontier_trades_inventory_for_service_monotonically() -> None:
    front = frontier(BASE, Levers.of(BASE), (0.8, 0.9, 0.95, 0.99), RUN, np.random.default_rng(6))
    assert np.all(np.diff(front.kpis[SimKpi.INVENTORY_VALUE].mean) > 0)
    assert np.all(np.diff(front.kpis[SimKpi.FILL_RATE].mean) >= 0)
    assert np.all(np.diff(front.kpis[SimKpi.STOCKOUT_RATE].mean) <= 0)


def test_tornado_bars_move_the_right_way() -> None:
    swings = {"lead_time": 0.3, "demand_level": 0.3, "variability": 0.3, "service_target": 0.5}
    bars = tornado(BASE, Levers.of(BASE), swings, RUN, np.random.default_rng(7))
    by = {(b.factor, b.kpi): b for b in bars}
    assert (
        by[(Factor.DEMAND_LEVEL, SimKpi.STOCKOUT_RATE)].high
        > by[(Factor.DEMAND_LEVEL, SimKpi.STOCKOUT_RATE)].low
    )
    assert (
        by[(Factor.LEAD_TIME, SimKpi.FILL_RATE)].high < by[(Factor.LEAD_TIME, SimKpi.FILL_RATE)].low
    )
    target = by[(Factor.SERVICE_TARGET, SimKpi.INVENTORY_VALUE)]
    assert target.low < target.reference < target.high
    stockout = [b.width for b in bars if b.kpi is SimKpi.STOCKOUT_RATE]
    assert stockout == sorted(stockout, reverse=True) and len(stockout) == 4


def test_erp_groups_show_where_the_business_case_comes_from() -> None:
    result = compare(BASE, [ERP, TIERED], "erp", RUN, np.random.default_rng(8))
    groups = erp_groups(result.plans[0], result.plans[1])
    assert sum(int(m.sum()) for m in groups.values()) == BASE.n_series
    under = result.pooled(groups["erp=under"])
    assert groups["erp=under"].any()
    before, after = np.nanmean(under[SimKpi.STOCKOUT_RATE], axis=1)
    assert after < before  # the tiered policy fixes the stockouts where the ERP under-protects


def test_plans_use_the_erp_settings_or_the_policy() -> None:
    erp = plan_policy(BASE, apply(BASE, ERP))
    np.testing.assert_array_equal(erp.reorder_point, BASE.erp_reorder_point)
    np.testing.assert_array_equal(erp.order_quantity, np.maximum(BASE.erp_order_quantity, 1.0))
    loose, strict = plan_policy(BASE, apply(BASE, LOOSE)), plan_policy(BASE, apply(BASE, STRICT))
    assert np.all(strict.reorder_point >= loose.reorder_point)
    assert np.all(strict.safety_stock >= loose.safety_stock)


def test_random_supplier_failures_cost_service_and_a_backup_wins_it_back() -> None:
    # The same world for every scenario (common random numbers): SUP-IMPORT fails six times
    # a year for three weeks on average; switching its series to their backup recovers.
    rules = (FailureRule(("SUP-IMPORT",), 6.0, 21.0),)
    failing = BASE.with_failures(rules)
    assert failing.failures is not None
    names = list(BASE.source_names)
    np.testing.assert_array_equal(
        failing.failures.rate_per_year, [6.0 if n == "SUP-IMPORT" else 0.0 for n in names]
    )
    backup = Scenario(
        "backup", "import items from the backup", (ChangeSupplier("SUP-IMPORT", "backup"),)
    )
    calm = compare(BASE, [TIERED, backup], "tiered", RUN, np.random.default_rng(5)).pooled()
    hit = compare(failing, [TIERED, backup], "tiered", RUN, np.random.default_rng(5)).pooled()
    fill_calm, fill_hit = calm[SimKpi.FILL_RATE], hit[SimKpi.FILL_RATE]
    assert fill_hit[0].mean() < fill_calm[0].mean() - 0.01  # outages hurt the primary
    assert fill_hit[1].mean() > fill_hit[0].mean() + 0.01  # the backup's worth shows
    np.testing.assert_array_equal(fill_hit[1], fill_calm[1])  # SUP-A never fails: same draws
    with pytest.raises(InputDataError, match=r"supplier_failures\[0\]\.suppliers: no series buys"):
        BASE.with_failures((FailureRule(("SUP-Z",), 1.0, 5.0),))
