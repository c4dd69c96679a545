"""Safety stock, EOQ, rounding and the reorder-point policy against textbook values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.plan.proposals import Urgency, decide_orders
from replenlib.policy.order_sizing import economic_order_quantity, round_to_terms
from replenlib.policy.safety_stock import (
    protection_demand,
    safety_factor,
    safety_stock_for_cycle_service_level,
)
from replenlib.policy.strategy import Strategy, Tier, assign_tier, targets_for


def test_safety_stock_with_lead_time_uncertainty_chopra_meindl() -> None:
    # Chopra & Meindl, "Supply Chain Management", safety-inventory chapter, lead-time
    # uncertainty example (B&M Computer World): D = 2,500/day, sigma_D = 500, L = 7 days,
    # sigma_L = 7 days, CSL = 0.90 -> sigma_L-demand = 17,550 and safety inventory 22,491.
    moments = protection_demand(2500.0, 500.0, 7.0, 7.0)
    assert float(moments.mean) == pytest.approx(17_500.0)
    assert float(moments.std) == pytest.approx(17_550.0, abs=1.0)
    assert float(safety_stock_for_cycle_service_level(moments.std, 0.90)) == pytest.approx(
        22_491.0, abs=1.0
    )
    # ... and with sigma_L = 0 the same example gives sigma = 1,323 and safety inventory 1,695.
    fixed = protection_demand(2500.0, 500.0, 7.0, 0.0)
    assert float(fixed.std) == pytest.approx(1_323.0, abs=0.5)
    assert float(safety_stock_for_cycle_service_level(fixed.std, 0.90)) == pytest.approx(
        1_695.0, abs=1.0
    )


def test_review_period_adds_to_protection_interval() -> None:
    periodic = protection_demand(10.0, 3.0, 5.0, 0.0, review_period=2.0)
    assert float(periodic.mean) == pytest.approx(70.0)
    assert float(periodic.std) == pytest.approx(3.0 * np.sqrt(7.0))


def test_safety_factor_known_quantiles_and_bounds() -> None:
    np.testing.assert_allclose(
        safety_factor([0.5, 0.95, 0.99]), [0.0, 1.644854, 2.326348], atol=1e-6
    )
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        safety_factor(1.0)


def test_eoq_snyder_shen_example_3_1() -> None:
    # Snyder & Shen, Fundamentals of Supply Chain Theory, Example 3.1: K = 8, h = 0.225,
    # lambda = 1300 per year -> Q* = 304.05, g(Q*) = 68.41.
    eoq = economic_order_quantity(8.0, 0.225, 1300.0)
    assert float(eoq.quantity) == pytest.approx(304.0467800264368, rel=1e-12)
    assert float(eoq.annual_cost) == pytest.approx(68.41052550594829, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0.01, 1e5),
    st.sampled_from([0.0, 1.0, 10.0, 50.0]),
    st.sampled_from([1.0, 5.0, 12.0, 100.0]),
)
def test_rounding_respects_moq_and_multiple(q: float, moq: float, multiple: float) -> None:
    out = float(round_to_terms(q, moq, multiple))
    assert out >= q - 1e-9 and out >= moq - 1e-9
    assert out / multiple == pytest.approx(round(out / multiple))
    assert out - multiple < max(q, moq) + 1e-9  # smallest such multiple


def test_rounding_keeps_zero() -> None:
    assert float(round_to_terms(0.0, 10.0, 5.0)) == 0.0


def test_tiers_and_targets() -> None:
    tiers = assign_tier(
        ["low", "medium", "low", "high", "critical"],
        ["I", "I", "III", "II", "II"],
        [False, False, False, False, True],
    )
    assert list(tiers) == [Tier.LOW, Tier.MEDIUM, Tier.CRITICAL, Tier.HIGH, Tier.CRITICAL]
    targets = targets_for(Strategy(), tiers)
    # defaults: low = 95 % fill rate, medium = 98 % fill rate, critical / high = CSL
    assert list(targets.service_target) == [0.95, 0.98, 0.99, 0.975, 0.99]
    assert Strategy.from_json(Strategy().to_json()) == Strategy()


def test_decide_orders_by_hand() -> None:
    one = np.ones(3)
    decision = decide_orders(
        on_hand=np.array([5.0, 50.0, 0.0]),
        inventory_position=np.array([5.0, 50.0, 30.0]),
        reorder_point=np.array([20.0, 20.0, 20.0]),
        order_up_to=np.array([60.0, 60.0, 60.0]),
        safety_stock=np.array([8.0, 8.0, 8.0]),
        demand_mean=np.array([2.0, 2.0, 2.0]),
        lead_time_mean=np.array([6.0, 6.0, 6.0]),
        moq=one * 10,
        order_multiple=one * 10,
    )
    assert list(decision.needs_order) == [True, False, False]
    assert list(decision.quantity) == [60.0, 0.0, 0.0]  # 55 rounded up to a multiple of 10
    assert decision.urgency[0] == Urgency.CRITICAL  # 2.5 days of cover < 6 days lead time
    assert decision.urgency_score[0] == pytest.approx(6 / 2.5)
