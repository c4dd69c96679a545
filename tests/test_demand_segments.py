"""Segments: ABC by value/volume, XYZ, lifecycle, pass-through of the item master."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from replenlib.demand.segmentation import DemandClass
from replenlib.demand.segments import (
    AbcClass,
    Lifecycle,
    SegmentThresholds,
    XyzClass,
    abc_classes,
    lifecycle_stages,
    segment,
    window_statistics,
    xyz_classes,
)
from replenlib.demand.synthetic import Pattern, simulate_panel


def test_abc_by_hand() -> None:
    # Values 50, 25, 10, 8, 5, 2 (total 100): cumulative share before each 0, .50, .75, .85,
    # .93, .98 -> A, A, A (before < .80), B, B (before < .95), C; zero value is always C.
    values = np.array([10.0, 50, 2, 25, 8, 5, 0])
    classes = abc_classes(values, (0.80, 0.95))
    assert list(classes) == ["A", "A", "C", "A", "B", "B", "C"]


def test_xyz_by_cv() -> None:
    assert list(xyz_classes([0.2, 0.5, 0.7, 1.0, 1.7, np.nan])) == ["X", "X", "Y", "Y", "Z", "Z"]


def test_window_cv_counts_zeros_from_the_first_demand() -> None:
    # last 4 periods: 0, 2, 0, 2 -> from the first demand: 2, 0, 2: mean 4/3, sample sd 1.1547
    volume, cv = window_statistics(np.array([[9.0, 9, 0, 2, 0, 2]]), 4)
    assert volume[0] == 4.0
    assert cv[0] == pytest.approx(np.std([2, 0, 2], ddof=1) / (4 / 3))


def test_lifecycle_cases() -> None:
    # 60 periods: too short for year-over-year, so the last 20 periods face the 20 before
    t = SegmentThresholds(new_periods=10, trend_window=20, season_length=52, end_of_life_periods=12)
    rng = np.random.default_rng(0)
    flat = rng.poisson(20, 60).astype(float)
    growing = np.concatenate([rng.poisson(10, 40), rng.poisson(30, 20)]).astype(float)
    falling = np.concatenate([rng.poisson(30, 40), rng.poisson(8, 20)]).astype(float)
    dead = np.concatenate([rng.poisson(5, 40), np.zeros(20)])
    young = np.concatenate([np.zeros(54), rng.poisson(5, 6)]).astype(float)
    y = np.vstack([flat, growing, falling, dead, young, np.zeros(60), flat])
    stage, ratio, age = lifecycle_stages(y, t, is_active=[True] * 6 + [False])
    assert list(stage) == [
        Lifecycle.MATURE,
        Lifecycle.GROWTH,
        Lifecycle.DECLINE,
        Lifecycle.END_OF_LIFE,
        Lifecycle.NEW,
        Lifecycle.END_OF_LIFE,
        Lifecycle.END_OF_LIFE,
    ]
    assert age[4] == 6
    assert ratio[1] > 1.3 and ratio[2] < 0.7


def test_launch_date_makes_an_item_new_even_with_early_sales() -> None:
    y = np.random.default_rng(1).poisson(5, (1, 60)).astype(float)
    stage, _, age = lifecycle_stages(y, periods_since_launch=[4.0])
    assert stage[0] == Lifecycle.NEW and age[0] == 4.0


def test_noisy_intermittent_series_are_mature() -> None:
    # a stationary intermittent series should not look like growth or decline
    rng = np.random.default_rng(2)
    y = np.where(rng.random((400, 104)) < 0.2, rng.integers(1, 20, (400, 104)), 0).astype(float)
    stage, _, _ = lifecycle_stages(y)
    assert np.mean(stage == Lifecycle.MATURE) > 0.9


def test_segments_arrays_and_pass_through() -> None:
    rng = np.random.default_rng(3)
    panel = simulate_panel(rng, 300)
    seg = segment(
        panel.demand,
        np.full(300, 2.0),
        criticality=np.full(300, "high"),
        risk_class=np.full(300, "III"),
        is_cold_chain=np.ones(300, bool),
    )
    assert len(seg) == 300
    assert set(seg.abc_value) <= set(AbcClass) and set(seg.xyz) <= set(XyzClass)
    np.testing.assert_array_equal(seg.abc_value, seg.abc_volume)  # equal unit costs
    assert set(seg.criticality) == {"high"} and seg.is_cold_chain.all()
    # Syntetos-Boylan classes recover the simulated patterns
    sparse = np.isin(panel.pattern, [Pattern.INTERMITTENT, Pattern.LUMPY])
    assert (
        np.mean(np.isin(seg.demand_class[sparse], [DemandClass.INTERMITTENT, DemandClass.LUMPY]))
        > 0.95
    )
    smooth = panel.pattern == Pattern.SMOOTH
    assert np.mean(seg.demand_class[smooth] == DemandClass.SMOOTH) > 0.95
    declining = panel.pattern == Pattern.DECLINING
    assert (
        np.mean(np.isin(seg.lifecycle[declining], [Lifecycle.DECLINE, Lifecycle.END_OF_LIFE])) > 0.8
    )


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 1e6)))
def test_abc_shares_are_consistent(values: np.ndarray) -> None:
    classes = abc_classes(values)
    order = np.argsort(-values, kind="stable")
    rank = {c: i for i, c in enumerate("ABC")}
    ranks = [rank[c] for c in classes[order]]
    assert ranks == sorted(ranks)  # classes never improve as value falls
    total = values.sum()
    if total > 0:
        assert values[classes == "A"].sum() <= 0.8 * total + values.max()
