"""Contract tests over every forecaster, NaN rules, closed forms, replay and new items."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from replenlib.demand import baselines, intermittent, smoothing
from replenlib.demand.forecasters import (
    SBA,
    SES,
    TSB,
    AutoETS,
    Croston,
    Forecaster,
    Holt,
    HoltWinters,
    Naive,
    NewItem,
    SeasonalNaive,
    registry,
)
from replenlib.demand.new_items import launch_profiles, new_item_forecast
from replenlib.demand.reference import StatsmodelsETS

PERIOD = 4
FORECASTERS: dict[str, Forecaster] = {
    "naive": Naive(),
    "seasonal_naive": SeasonalNaive(PERIOD),
    "ses": SES(0.3),
    "ses_fitted": SES(None),
    "holt": Holt(),
    "holt_damped": Holt(damped=True),
    "holt_winters": HoltWinters(PERIOD, damped=True),
    "auto_ets": AutoETS(PERIOD),
    "croston": Croston(),
    "sba": SBA(),
    "tsb": TSB(0.2, 0.1),
    "new_item": NewItem(),
    "statsmodels_ets": StatsmodelsETS(trend=True, damped=True),
}
H = 6


def _panel() -> np.ndarray:
    rng = np.random.default_rng(5)
    t = np.arange(40)
    smooth = 30 + 5 * np.sin(2 * np.pi * t / PERIOD) + rng.normal(0, 2, 40)
    sparse = np.where(rng.random(40) < 0.3, rng.integers(1, 9, 40), 0).astype(float)
    late = np.concatenate([np.full(15, np.nan), rng.poisson(6, 25).astype(float)])
    gaps = smooth.copy()
    gaps[[10, 11, 25]] = np.nan
    return np.vstack([smooth, sparse, late, gaps])


@pytest.fixture(scope="module", params=list(FORECASTERS))
def forecaster(request: pytest.FixtureRequest) -> Forecaster:
    return FORECASTERS[request.param]


def _quiet(f: Forecaster, y: np.ndarray, h: int = H) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f.forecast(y, h)


def test_shapes_finite_and_non_negative(forecaster: Forecaster) -> None:
    y = _panel()
    out = _quiet(forecaster, y)
    assert out.shape == (len(y), H)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)
    fitted = forecaster.fit(y)
    assert fitted.fitted.shape == y.shape
    np.testing.assert_allclose(fitted.predict(H), out, rtol=1e-9, atol=1e-9)


def test_deterministic(forecaster: Forecaster) -> None:
    y = _panel()
    np.testing.assert_array_equal(_quiet(forecaster, y), _quiet(forecaster, y))


def test_all_zero_series_forecasts_zero(forecaster: Forecaster) -> None:
    out = _quiet(forecaster, np.zeros((3, 30)))
    np.testing.assert_array_equal(out, 0.0)


def test_one_point_series(forecaster: Forecaster) -> None:
    # Documented rule: a one-point series forecasts that point (SES-like methods) or a
    # non-negative finite rate (Croston-type: the point over its interval).
    out = _quiet(forecaster, np.array([[np.nan] * 9 + [7.0]]))
    assert np.all(np.isfinite(out)) and np.all(out >= 0)
    assert out[0, 0] <= 7.0 + 1e-9


def test_never_started_series_forecasts_zero(forecaster: Forecaster) -> None:
    y = np.vstack([np.full(20, np.nan), np.arange(20, dtype=float)])
    out = _quiet(forecaster, y)
    np.testing.assert_array_equal(out[0], 0.0)
    assert np.all(np.isnan(forecaster.fit(y).fitted[0]))


def test_panel_rows_are_independent(forecaster: Forecaster) -> None:
    if isinstance(forecaster, NewItem):
        pytest.skip("new-item profiles pool the panel's launches by design")
    y = _panel()
    whole = _quiet(forecaster, y)
    alone = np.vstack([_quiet(forecaster, row[None, :]) for row in y])
    np.testing.assert_allclose(whole, alone, rtol=1e-9, atol=1e-9)


def test_replay_on_the_fit_data_reproduces_the_path(forecaster: Forecaster) -> None:
    y = _panel()
    fitted = forecaster.fit(y)
    np.testing.assert_allclose(
        fitted.replay(y).level, fitted.path.level, rtol=1e-12, equal_nan=True
    )


def test_forecasts_at_an_origin_ignore_later_data() -> None:
    y = _panel()
    for f in (SES(0.3), Croston(), TSB(), Naive(), SeasonalNaive(PERIOD)):
        fitted = f.fit(y[:, :30])
        changed = y.copy()
        changed[:, 30:] *= 3
        a = fitted.replay(y).forecast_at([20, 30], 5)
        b = fitted.replay(changed).forecast_at([20, 30], 5)
        np.testing.assert_allclose(a, b, equal_nan=True)


def test_registry_has_the_backtest_candidates() -> None:
    names = {m.value for m in registry(52)}
    assert {
        "naive",
        "seasonal_naive",
        "ses",
        "holt_damped",
        "auto_ets",
        "croston",
        "sba",
        "tsb",
    } <= names


series = arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(2, 40)),
    elements=st.one_of(st.just(0.0), st.just(np.nan), st.floats(0.5, 50.0)),
)


@settings(max_examples=80, deadline=None)
@given(series, st.floats(0.05, 1.0))
@example(np.array([[0.0, 0.0, 0.0, 1.0]]), 0.9999999999999999)  # alpha -> 1 cancelled digits
def test_closed_forms_equal_the_recursions(y: np.ndarray, alpha: float) -> None:
    np.testing.assert_allclose(
        intermittent.croston_rate(y, alpha),
        intermittent.croston(y, alpha).predict(1)[:, 0],
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        intermittent.tsb_rate(y, alpha, 0.3),
        intermittent.tsb(y, alpha, 0.3).predict(1)[:, 0],
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        smoothing.ses_level(y, alpha),
        smoothing.ses(y, alpha).predict(1)[:, 0],
        rtol=1e-9,
        atol=1e-12,
    )


@settings(max_examples=60, deadline=None)
@given(series)
def test_interior_nan_is_the_same_as_dropping_the_period(y: np.ndarray) -> None:
    # Package rule: a missing period neither updates SES/Croston/TSB states nor counts in
    # an interval, so removing it from the series changes nothing.
    for row in y:
        kept = row[~np.isnan(row)][None, :]
        if kept.shape[1] == 0:
            continue
        for f in (SES(0.3), Croston(0.2), SBA(0.2), TSB(0.2, 0.2)):
            np.testing.assert_allclose(
                f.forecast(row[None, :], 1), f.forecast(kept, 1), rtol=1e-9, atol=1e-12
            )


def test_seasonal_naive_repeats_the_last_season_and_falls_back_to_naive() -> None:
    y = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8], [np.nan] * 6 + [3.0, 4.0]])
    out = SeasonalNaive(4).forecast(y, 6)
    np.testing.assert_array_equal(out[0], [5, 6, 7, 8, 5, 6])
    # part of a season seen: phases seen repeat their value (3 at h = 3), the others are naive
    np.testing.assert_array_equal(out[1], [4, 4, 3, 4, 4, 4])
    path = baselines.naive(np.array([[2.0, np.nan, 5.0]]))
    np.testing.assert_array_equal(path.level[0], [np.nan, 2.0, 2.0, 5.0])


def test_new_item_profile_scaled_by_early_sales() -> None:
    # Two reference items of category 0 launched at week 4 with curve 1,2,3,4 (mean 2.5 ->
    # normalised 0.4, 0.8, 1.2, 1.6). A new item of that category sold 2 + 4 = 6 in its first
    # two weeks; the profile expects 0.4 + 0.8 = 1.2, so the scale is 5 and the forecast for
    # its weeks 3 and 4 is 5 * 1.2 = 6 and 5 * 1.6 = 8, then stays at the last profile value.
    ref = [0, 0, 0, 0, 1, 2, 3, 4, 4, 4]
    new = [np.nan] * 8 + [2.0, 4.0]
    y = np.array([ref, [2 * v for v in ref], new], dtype=float)
    profiles = launch_profiles(y, [0, 0, 0], length=4)
    np.testing.assert_allclose(profiles.profile[0], [0.4, 0.8, 1.2, 1.6])
    out = new_item_forecast(y, 3, category=[0, 0, 0], length=4)
    np.testing.assert_allclose(out[2], [6.0, 8.0, 8.0])


def test_new_item_analogue_overrides_the_category() -> None:
    flat = [0, 0, 0, 0, 5, 5, 5, 5, 5, 5]
    steep = [0, 0, 0, 0, 1, 3, 5, 7, 7, 7]
    new = [np.nan] * 9 + [2.0]
    y = np.array([flat, steep, new], dtype=float)
    by_category = new_item_forecast(y, 1, category=[0, 0, 0], length=4)
    by_analogue = new_item_forecast(y, 1, category=[0, 0, 0], analogue=[-1, -1, 1], length=4)
    # steep curve normalised by its mean 4: 0.25, 0.75, ... -> scale 2 / 0.25 = 8, next 8 * 0.75
    assert by_analogue[2, 0] == pytest.approx(6.0)
    assert by_category[2, 0] != pytest.approx(6.0)


def test_statsmodels_reference_replays_statsmodels_forecasts() -> None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = _panel()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ExponentialSmoothing(y, trend="add", initialization_method="estimated").fit()
        ours = StatsmodelsETS(trend=True).fit(y[None, :])
    np.testing.assert_allclose(ours.predict(5)[0], reference.forecast(5), rtol=1e-9)
    np.testing.assert_allclose(ours.fitted[0], reference.fittedvalues, rtol=1e-9)
