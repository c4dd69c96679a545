"""Segmentation, SES and Croston/SBA against hand-derived values and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from replenlib.demand.intermittent import croston, sba
from replenlib.demand.panel import forecast_panel, one_step_rmse
from replenlib.demand.segmentation import DemandClass, classify
from replenlib.demand.smoothing import ses


def test_adi_and_cv2_by_hand() -> None:
    # From its first demand (index 1) the series has 6 periods and 3 demands: ADI = 6/3 = 2.
    # Sizes 2, 4, 6: mean 4, sample std 2, CV² = (2/4)² = 0.25 -> intermittent.
    seg = classify(np.array([[0.0, 2, 0, 4, 0, 0, 6]]), min_periods=3)
    assert seg.adi[0] == pytest.approx(2.0)
    assert seg.cv2[0] == pytest.approx(0.25)
    assert seg.n_periods[0] == 6
    assert seg.demand_class[0] == DemandClass.INTERMITTENT


def test_syntetos_boylan_quadrants_and_special_cases() -> None:
    y = np.array(
        [
            [5.0, 5, 6, 5, 4, 5, 5, 6, 5, 4],  # smooth: ADI 1, CV² small
            [1.0, 20, 1, 30, 1, 25, 1, 1, 40, 1],  # erratic: ADI 1, CV² large
            [0.0, 5, 0, 0, 5, 0, 0, 6, 0, 5],  # intermittent
            [0.0, 1, 0, 0, 30, 0, 0, 2, 0, 50],  # lumpy
            [0.0] * 8 + [3.0, 4.0],  # new: 2 periods since first demand
            [0.0] * 10,  # no demand
        ]
    )
    classes = list(classify(y, min_periods=8).demand_class)
    assert classes == [
        DemandClass.SMOOTH,
        DemandClass.ERRATIC,
        DemandClass.INTERMITTENT,
        DemandClass.LUMPY,
        DemandClass.NEW,
        DemandClass.NO_DEMAND,
    ]


def test_ses_matches_statsmodels_with_known_initial_level() -> None:
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    rng = np.random.default_rng(7)
    y = rng.gamma(4.0, 5.0, size=60)
    ours = ses(y[None, :], alpha=0.3)
    model = SimpleExpSmoothing(y, initialization_method="known", initial_level=y[0])
    fit = model.fit(smoothing_level=0.3, optimized=False)
    assert ours.predict(1)[0, 0] == pytest.approx(fit.forecast(1)[0], rel=1e-12)
    np.testing.assert_allclose(ours.fitted()[0, 1:], fit.fittedvalues[1:], rtol=1e-12)


def test_croston_and_sba_worked_example() -> None:
    # Demands 2, 3, 1 at t = 1, 4, 6; intervals 2, 3, 2 (the first counted from the start).
    # alpha = 0.1: size 2 -> 0.1*3 + 0.9*2 = 2.1 -> 0.1*1 + 0.9*2.1 = 1.99
    #              interval 2 -> 0.1*3 + 0.9*2 = 2.1 -> 0.1*2 + 0.9*2.1 = 2.09
    # Croston = 1.99 / 2.09; SBA = (1 - 0.1/2) * Croston  (Syntetos & Boylan 2005).
    y = np.array([[0.0, 2, 0, 0, 3, 0, 1]])
    assert croston(y, 0.1).predict(1)[0, 0] == pytest.approx(1.99 / 2.09, rel=1e-12)
    assert sba(y, 0.1).predict(1)[0, 0] == pytest.approx(0.95 * 1.99 / 2.09, rel=1e-12)
    # The one-step forecast made after t = 4 (seen at t = 5) is 2.1 / 2.1 = 1.
    assert croston(y, 0.1).fitted()[0, 5] == pytest.approx(1.0)


def test_panel_equals_series_one_by_one() -> None:
    rng = np.random.default_rng(3)
    y = rng.poisson(0.6, size=(25, 40)) * rng.integers(1, 5, size=(25, 40))
    whole = sba(y.astype(float), 0.15).predict(1)[:, 0]
    single = [sba(row[None, :].astype(float), 0.15).predict(1)[0, 0] for row in y]
    np.testing.assert_allclose(whole, single, rtol=0, atol=0)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (4, 30), elements=st.floats(0, 1e4)))
def test_forecasts_are_finite_and_non_negative(y: np.ndarray) -> None:
    result = forecast_panel(y, min_periods=4)
    assert np.all(np.isfinite(result.mean)) and np.all(result.mean >= 0)
    assert np.all(np.isfinite(result.std)) and np.all(result.std >= 0)


def test_forecast_panel_edge_cases() -> None:
    y = np.array([[0.0] * 12, [0.0] * 11 + [4.0], [np.nan] * 6 + [2.0] * 6])
    result = forecast_panel(y, min_periods=8)
    assert list(result.method) == ["zero", "fallback", "fallback"]
    assert result.mean[0] == 0.0 and result.std[0] == 0.0
    assert result.mean[1] == 4.0 and result.std[1] == 4.0  # one point: Poisson-like std = mean
    assert result.mean[2] == 2.0 and result.std[2] == 0.0


def test_one_step_rmse_window() -> None:
    y = np.array([[1.0, 2.0, 3.0, 4.0]])
    fitted = np.array([[np.nan, 1.0, 1.0, 1.0]])
    assert one_step_rmse(y, fitted)[0] == pytest.approx(np.sqrt((1 + 4 + 9) / 3))
    assert one_step_rmse(y, fitted, window=1)[0] == pytest.approx(3.0)
