"""Policy numbers against published textbook examples and stockpyl reference values.

stockpyl values come from ``tests/golden/stockpyl_values.py`` (run in its own environment;
the committed JSON is its output). Book examples are quoted with their published precision.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from replenlib.demand.distributions import DemandDistribution, Family
from replenlib.policy.order_sizing import (
    economic_order_quantity,
    economic_production_quantity,
    eoq_all_units_discount,
    eoq_with_backorders,
)
from replenlib.policy.policies import power_approximation, reorder_levels
from replenlib.policy.service import (
    CycleShape,
    cycle_demand,
    implied_cycle_service_level,
    implied_fill_rate,
    level_for_cycle_service_level,
    level_for_fill_rate,
)

GOLDEN = json.loads((Path(__file__).parent / "golden" / "stockpyl_values.json").read_text())


def _continuous(mean: float, sd: float) -> tuple[object, CycleShape]:
    """Lead-time demand N(mean, sd²) under continuous review (R = 0), one row."""
    demand = cycle_demand(["normal"], [mean], [sd], [1.0], [0.0], [0.0])
    return demand, CycleShape(np.array([False]), np.array([True]), np.array([1.0]))


def _chopra_lego(quantity: float = 10_000.0) -> tuple[object, CycleShape]:
    # Chopra & Meindl, Supply Chain Management, safety-inventory chapter (Lego at Walmart):
    # weekly demand 2,500 (sd 500), lead time 2 weeks, lot size 10,000, continuous review.
    demand = cycle_demand(["normal"], [2500.0], [500.0], [2.0], [0.0], [0.0])
    return demand, CycleShape(np.array([False]), np.array([True]), np.array([quantity]))


def test_chopra_meindl_cycle_service_level_of_a_reorder_point() -> None:
    # ... ROP 6,000 -> CSL = F(6000; 5000, 707) = 0.92 (published to two decimals)
    demand, shape = _chopra_lego()
    assert implied_cycle_service_level(demand, shape, [6000.0])[0] == pytest.approx(0.92, abs=5e-3)


def test_chopra_meindl_safety_inventory_for_a_cycle_service_level() -> None:
    # ... desired CSL 0.90 -> safety inventory NORMSINV(0.9) x 707 = 906
    demand, shape = _chopra_lego()
    level = level_for_cycle_service_level(demand, shape, 0.90)[0]
    assert level - 5000.0 == pytest.approx(906.0, abs=0.5)


def test_chopra_meindl_fill_rate_of_a_reorder_point() -> None:
    # ... ROP 6,000: ESC = 25.13 per cycle, fill rate 1 - 25.13 / 10,000 = 0.9975
    demand, shape = _chopra_lego()
    fill = implied_fill_rate(demand, shape, [6000.0])[0]
    assert (1 - fill) * 10_000 == pytest.approx(25.13, abs=0.01)
    assert fill == pytest.approx(0.9975, abs=5e-5)


def test_chopra_meindl_safety_inventory_for_a_fill_rate() -> None:
    # ... desired fill rate 0.975 -> ESC = 250 -> safety inventory 67
    demand, shape = _chopra_lego()
    assert level_for_fill_rate(demand, shape, 0.975)[0] - 5000.0 == pytest.approx(67.0, abs=0.5)


def test_snyder_shen_eoq_backorders_and_epq() -> None:
    # Snyder & Shen, Examples 3.1 and 3.8 and the EPQ example, via stockpyl
    eoq = economic_order_quantity(8, 0.225, 1300)
    np.testing.assert_allclose([eoq.quantity, eoq.annual_cost], GOLDEN["eoq_3_1"], rtol=1e-12)
    back = eoq_with_backorders(8, 0.225, 5, 1300)
    np.testing.assert_allclose(
        [back.quantity, back.stockout_fraction, back.annual_cost],
        GOLDEN["eoq_backorders_3_8"],
        rtol=1e-12,
    )
    epq = economic_production_quantity(8, 0.225, 1300, 1700)
    np.testing.assert_allclose([epq.quantity, epq.annual_cost], GOLDEN["epq"], rtol=1e-12)


def test_snyder_shen_example_5_5_rq_eoq_plus_safety_stock() -> None:
    # Snyder & Shen Example 5.5: h = 0.225, p = 7.5, K = 8, lambda = 1300/yr, tau = 150,
    # L = 1/12 yr. EOQ + SS: Q = EOQ and r at the cycle service level p / (p + h).
    r_expected, q_expected = GOLDEN["rq_eoqss_5_5"]
    demand, _ = _continuous(1300 / 12, 150 * np.sqrt(1 / 12))
    q = economic_order_quantity(8, 0.225, 1300).quantity
    levels = reorder_levels("s_Q", "cycle_service_level", 7.5 / 7.725, demand, q)
    assert levels.order_quantity[0] == pytest.approx(q_expected, rel=1e-12)
    assert levels.reorder_point[0] == pytest.approx(r_expected, rel=1e-9)
    assert levels.order_up_to[0] == pytest.approx(r_expected + q_expected, rel=1e-9)


def test_snyder_shen_example_4_7_power_approximation() -> None:
    s, big_s = GOLDEN["ss_power_4_7"]
    result = power_approximation(0.18, 0.70, 2.5, 50, 8)
    assert float(result.reorder_point) == pytest.approx(s, rel=1e-12)
    assert float(result.order_up_to) == pytest.approx(big_s, rel=1e-12)


@pytest.mark.parametrize("mean,sd,quantity,fill,expected", GOLDEN["fill_rate_reorder_point"])
def test_fill_rate_reorder_point_matches_stockpyl_loss_function(
    mean: float, sd: float, quantity: float, fill: float, expected: float
) -> None:
    demand, _ = _continuous(mean, sd)
    shape = CycleShape(np.array([False]), np.array([True]), np.array([quantity]))
    # stockpyl's root is unconstrained; ours never goes below zero
    assert level_for_fill_rate(demand, shape, fill)[0] == pytest.approx(
        max(expected, 0.0), abs=1e-3 * sd
    )


def test_second_order_loss_matches_stockpyl() -> None:
    for x, m, s, value in GOLDEN["normal_second_loss"]:
        d = DemandDistribution.of(Family.NORMAL, [m], [s**2])
        assert d.second_order_loss([x])[0] == pytest.approx(value, rel=1e-9)
    for x, a, b, value in GOLDEN["gamma_second_loss"]:
        d = DemandDistribution.of(Family.GAMMA, [a * b], [a * b * b])
        assert d.second_order_loss([x])[0] == pytest.approx(value, rel=1e-9)
    for x, m, value in GOLDEN["poisson_second_loss"]:
        d = DemandDistribution.of(Family.POISSON, [m], [m])
        assert d.second_order_loss([x])[0] == pytest.approx(value, rel=1e-9)
    for key, method in (
        ("negative_binomial_second_loss", "second_order_loss"),
        ("negative_binomial_loss", "loss"),
    ):
        for x, r, p, value in GOLDEN[key]:
            mean, var = r * (1 - p) / p, r * (1 - p) / p**2
            d = DemandDistribution.of(Family.NEGATIVE_BINOMIAL, [mean], [var])
            assert getattr(d, method)([x])[0] == pytest.approx(value, rel=1e-9)


def test_chopra_meindl_all_unit_quantity_discount() -> None:
    # Chopra & Meindl, all-unit quantity discounts (Drugs Online): D = 120,000/yr, S = $100,
    # h = 20 %, price $3.00 below 5,000, $2.96 below 10,000, $2.92 from 10,000 ->
    # order 10,000 at $2.92, total annual cost $354,520.
    result = eoq_all_units_discount(
        100.0, 0.2, 120_000.0, [[0.0, 5000.0, 10_000.0]], [[3.00, 2.96, 2.92]]
    )
    assert result.quantity[0] == pytest.approx(10_000.0)
    assert result.unit_price[0] == pytest.approx(2.92)
    assert result.annual_cost[0] == pytest.approx(354_520.0, abs=0.5)


def test_safety_stock_with_lead_time_variance_silver_pyke_thomas_form() -> None:
    # sigma^2 = L sigma_d^2 + d^2 sigma_L^2 (SPT eq. 6.7): Chopra & Meindl's B&M example
    # (d = 2,500/day, sd 500, L = 7 +- 7 days, CSL 0.90) gives safety inventory 22,491.
    demand = cycle_demand(["normal"], [2500.0], [500.0], [7.0], [7.0], [0.0])
    shape = CycleShape(np.array([False]), np.array([True]), np.array([1.0]))
    level = level_for_cycle_service_level(demand, shape, 0.90)[0]
    assert level - 17_500.0 == pytest.approx(22_491.0, abs=1.0)
