"""FEFO allocation and expiry risk: hand-checked cases, a slow reference, hypothesis properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.trace.expiry import echelon_demand, expiry_risk
from replenlib.trace.fefo import fefo_allocate, fefo_order
from replenlib.trace.segments import segment_cummin, segment_cumsum


def test_fefo_takes_earliest_expiry_first_and_skips_ineligible() -> None:
    # one stock point, four lots: expiry days 30, 10, none, 20; lot at day 10 is recalled
    alloc = fefo_allocate(
        group=[0, 0, 0, 0],
        expiry_day=[30.0, 10.0, np.nan, 20.0],
        quantity=[5.0, 8.0, 100.0, 4.0],
        demand=[12.0],
        eligible=[True, False, True, True],
    )
    # day 20 (4 units) first, then day 30 (5), then the non-expiring lot (3 of 100)
    np.testing.assert_allclose(alloc.allocated, [5.0, 0.0, 3.0, 4.0])
    np.testing.assert_allclose(alloc.shortfall, [0.0])
    assert alloc.queue.tolist() == [1, 3, 0, 2]


def test_fefo_reports_shortfall_per_group() -> None:
    alloc = fefo_allocate([0, 1, 1], [5.0, 5.0, 6.0], [2.0, 1.0, 1.0], [3.0, 1.5])
    np.testing.assert_allclose(alloc.allocated, [2.0, 1.0, 0.5])
    np.testing.assert_allclose(alloc.shortfall, [1.0, 0.0])


def test_fefo_rejects_negative_quantities() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        fefo_allocate([0], [1.0], [-1.0], [1.0])


lots = st.integers(min_value=1, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
        st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=n, max_size=n),
        st.lists(st.integers(0, 20), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.lists(st.integers(0, 80), min_size=4, max_size=4),
    )
)


@settings(max_examples=100, deadline=None)
@given(lots)
def test_fefo_never_ships_a_later_expiry_before_an_earlier_one(case: tuple) -> None:
    group, expiry, qty, ok, demand = case
    exp = np.array([np.nan if e is None else float(e) for e in expiry])
    q = np.array(qty, dtype=float)
    alloc = fefo_allocate(group, exp, q, np.array(demand, float), np.array(ok))
    a = alloc.allocated
    g = np.array(group)
    key = np.where(np.isnan(exp), np.inf, exp)
    eligible = np.array(ok)
    assert (a[~eligible] == 0).all()
    for grp in range(4):  # a later lot is touched only when every earlier one is used up
        mine = eligible & (g == grp)
        touched = mine & (a > 0)
        if touched.any():
            earlier = mine & (key < key[touched].max())
            np.testing.assert_allclose(a[earlier], q[earlier])
    served = np.bincount(g, weights=a, minlength=4)
    stock = np.bincount(g, weights=np.where(eligible, q, 0), minlength=4)
    np.testing.assert_allclose(served, np.minimum(demand, stock))
    np.testing.assert_allclose(alloc.shortfall, np.array(demand) - served)


def test_fefo_order_puts_non_expiring_lots_last_and_keeps_ties_stable() -> None:
    assert fefo_order([1, 0, 0, 0], [3.0, np.nan, 7.0, 7.0]).tolist() == [2, 3, 1, 0]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.floats(-50, 50)), min_size=1, max_size=60))
def test_segment_scans_match_a_loop(rows: list[tuple[int, float]]) -> None:
    rows = sorted(rows, key=lambda r: r[0])
    group = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([r[1] for r in rows])
    want_sum, want_min = [], []
    for i in range(len(rows)):
        same = [values[j] for j in range(i + 1) if group[j] == group[i]]
        want_sum.append(sum(same))
        want_min.append(min(same))
    np.testing.assert_allclose(segment_cumsum(values, group), want_sum, atol=1e-9)
    np.testing.assert_allclose(segment_cummin(values, group), want_min)


def test_expiry_risk_hand_example() -> None:
    # 10 units/day. Lot A: 50 units sellable for 3 days -> sells 30, 20 expire.
    # Lot B: 40 units, 10 days -> cumulative demand 100 covers A's 30 + B's 40: none expire.
    # Lot C: 100 units, 12 days -> demand 120 minus 70 before = 50 sold, 50 expire.
    risk = expiry_risk(
        [0, 0, 0], [3.0, 10.0, 12.0], [50.0, 40.0, 100.0], [10.0], 0.0, unit_cost=[2.0, 2.0, 3.0]
    )
    np.testing.assert_allclose(risk.expected_sold, [30.0, 40.0, 50.0])
    np.testing.assert_allclose(risk.at_risk, [20.0, 0.0, 50.0])
    np.testing.assert_allclose(risk.value_at_risk, [40.0, 0.0, 150.0])


def test_expiry_risk_respects_minimum_remaining_shelf_life_and_eligibility() -> None:
    # expiry at day 40, customers need 30 days left -> sellable for 10 days from day 0
    risk = expiry_risk(
        [0, 0],
        [40.0, np.nan],
        [100.0, 5.0],
        [4.0],
        0.0,
        min_remaining_days=30.0,
        eligible=[True, True],
    )
    np.testing.assert_allclose(risk.days_to_sell, [10.0, np.inf])
    np.testing.assert_allclose(risk.at_risk, [60.0, 0.0])
    held = expiry_risk([0], [5.0], [10.0], [0.0], 0.0, eligible=[False])
    assert held.at_risk[0] == 0.0  # not usable: a quality case, not a forecast risk


def _simulate(expiry: np.ndarray, qty: np.ndarray, rate: float, horizon: int) -> np.ndarray:
    """Slow reference: serve demand day by day, FEFO, discarding lots past their last day."""
    left = qty.astype(float).copy()
    order = np.argsort(expiry, kind="stable")
    for day in range(horizon):
        need = rate
        for k in order:
            if expiry[k] <= day or need <= 0:
                continue
            take = min(left[k], need)
            left[k] -= take
            need -= take
    return left


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 30), st.integers(0, 50)), min_size=1, max_size=8),
    st.integers(0, 12),
)
def test_expiry_risk_matches_a_day_by_day_simulation(lots: list, rate: int) -> None:
    expiry = np.array([e for e, _ in lots], dtype=float)
    qty = np.array([q for _, q in lots], dtype=float)
    risk = expiry_risk(np.zeros(len(lots), np.int64), expiry, qty, [float(rate)], 0.0)
    np.testing.assert_allclose(risk.at_risk, _simulate(expiry, qty, rate, 31), atol=1e-9)


def test_echelon_demand_adds_everything_downstream() -> None:
    # CW (0) feeds DC (1) and DC2 (2); DC feeds H1 (3) and H2 (4); own demand per node
    own = [1.0, 2.0, 0.5, 3.0, 4.0]
    parent = [-1, 0, 0, 1, 1]
    np.testing.assert_allclose(echelon_demand(own, parent), [10.5, 9.0, 0.5, 3.0, 4.0])
    with pytest.raises(ValueError, match="cycle"):
        echelon_demand([1.0, 1.0], [1, 0])
