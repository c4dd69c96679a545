"""Accuracy metrics by hand, rolling-origin mechanics, method choice and the whole demand plan."""

from __future__ import annotations

import numpy as np
import pytest

from replenlib.demand.backtest import (
    BacktestConfig,
    BacktestResult,
    Criterion,
    choose_methods,
    origins_for,
    rolling_origin,
)
from replenlib.demand.forecasters import SES, Croston, HistoricAverage, Method, Naive
from replenlib.demand.metrics import ScaledPinball, bias, mae, mase, naive_scale, rmsse, spis
from replenlib.demand.panel import DemandConfig, forecast_panel, plan_demand
from replenlib.demand.segmentation import DemandClass
from replenlib.demand.synthetic import simulate_panel

TRAIN = np.array([[1.0, 3.0, 2.0, 4.0], [5.0, 5.0, 5.0, 5.0]])
ACTUAL = np.array([[2.0, 4.0], [5.0, 6.0]])
FORECAST = np.array([[3.0, 3.0], [5.0, 5.0]])


def test_point_metrics_by_hand() -> None:
    # row 0: errors f - y = 1, -1; naive in-sample |diff| = 2, 1, 2 (mean 5/3), squared 4, 1, 4 (3)
    np.testing.assert_allclose(mae(ACTUAL, FORECAST, TRAIN), [1.0, 0.5])
    np.testing.assert_allclose(bias(ACTUAL, FORECAST, TRAIN), [0.0, -0.5])
    assert mase(ACTUAL, FORECAST, TRAIN)[0] == pytest.approx(1.0 / (5 / 3))
    assert rmsse(ACTUAL, FORECAST, TRAIN)[0] == pytest.approx(np.sqrt(1.0 / 3.0))
    assert np.isnan(mase(ACTUAL, FORECAST, TRAIN)[1])  # constant history: no scale
    np.testing.assert_allclose(naive_scale(TRAIN, seasonality=2), [1.0, 0.0])


def test_pinball_loss_by_hand() -> None:
    # q = 0.9: y = 2, f = 3 -> 0.1 * 1; y = 4, f = 3 -> 0.9 * 1; mean 0.5, scale 5/3
    assert ScaledPinball(0.9)(ACTUAL, FORECAST, TRAIN)[0] == pytest.approx(0.5 / (5 / 3))
    assert ScaledPinball(0.9).name == "pinball_90"
    with pytest.raises(ValueError, match="quantile level"):
        ScaledPinball(1.0)


def test_periods_in_stock_by_hand() -> None:
    # Wallström & Segerstedt (2010): forecast 3 per period against demand 2, 4, 0: stock after
    # each period 1, 0, 3 -> PIS = 4 unit-periods; scaled by the mean training demand 2.5.
    actual = np.array([[[2.0, 4.0, 0.0]]])
    forecast = np.full((1, 1, 3), 3.0)
    assert spis(actual, forecast, TRAIN[:1])[0] == pytest.approx(4.0 / 2.5)


def test_nan_actuals_are_left_out() -> None:
    actual = np.array([[2.0, np.nan]])
    assert mae(actual, np.array([[3.0, 100.0]]), TRAIN[:1])[0] == pytest.approx(1.0)


def test_origins() -> None:
    config = BacktestConfig(horizon=13, n_origins=6, step=4, min_train=26)
    np.testing.assert_array_equal(origins_for(104, config), [71, 75, 79, 83, 87, 91])
    np.testing.assert_array_equal(origins_for(45, config), [28, 32])  # short history: fewer
    assert len(origins_for(30, config)) == 0


def test_rolling_origin_scores_a_naive_forecast_by_hand() -> None:
    y = np.arange(40, dtype=float)[None, :]  # a straight line: naive is 1 low per step ahead
    config = BacktestConfig(horizon=3, n_origins=2, step=5, min_train=20, quantiles=(0.5,))
    result = rolling_origin(y, {Method.NAIVE: Naive()}, config=config)
    np.testing.assert_array_equal(result.origins, [32, 37])
    assert result.score("mae", Method.NAIVE)[0] == pytest.approx(2.0)  # errors 1, 2, 3
    assert result.score("bias", Method.NAIVE)[0] == pytest.approx(-2.0)
    assert result.score("mase", Method.NAIVE)[0] == pytest.approx(2.0)
    assert result.n_points[0] == 6


def test_rolling_origin_has_no_look_ahead() -> None:
    rng = np.random.default_rng(0)
    y = rng.poisson(10, (5, 60)).astype(float)
    changed = y.copy()
    changed[:, -1] += 1000  # the last period only enters the last window's actuals
    config = BacktestConfig(horizon=4, n_origins=3, step=4, min_train=20)
    a = rolling_origin(y, {Method.SES: SES(None)}, config=config)
    b = rolling_origin(changed, {Method.SES: SES(None)}, config=config)
    # forecasts are unchanged; only the errors against the changed actuals differ
    assert not np.allclose(a.scores["mae"], b.scores["mae"])
    y2 = y.copy()
    y2[:, -4:] = 0.0  # actuals of the last window changed, nothing before the first origin
    c = rolling_origin(y2, {Method.SES: SES(None)}, config=config)
    assert np.all(np.isfinite(c.scores["mae"]))


def _result(scores: np.ndarray) -> BacktestResult:
    methods = (Method.SES, Method.SBA, Method.NAIVE)
    return BacktestResult(
        methods, {"rmsse": scores}, np.array([10]), np.full(scores.shape[1], 5, np.int64)
    )


def test_choice_shrinks_to_the_class_winner() -> None:
    # class smooth: SES wins on average; series 1 is 10 % better with NAIVE -> switches;
    # series 2 only 2 % better -> stays with the class winner (min_gain 5 %).
    scores = np.array(
        [
            [1.0, 1.0, 1.0, 1.0],  # ses
            [1.5, 1.5, 1.5, 0.5],  # sba
            [1.2, 0.9, 0.98, 0.8],  # naive
        ]
    )
    classes = [DemandClass.SMOOTH] * 3 + [DemandClass.INTERMITTENT]
    choice = choose_methods(_result(scores), classes, criterion=Criterion.RMSSE, min_gain=0.05)
    assert list(choice.method) == ["ses", "naive", "ses", "sba"]
    assert choice.class_winner == {"smooth": Method.SES, "intermittent": Method.SBA}


def test_new_and_empty_series_take_their_rules() -> None:
    scores = np.full((3, 2), np.nan)
    choice = choose_methods(_result(scores), [DemandClass.NEW, DemandClass.NO_DEMAND])
    assert list(choice.method) == ["new_item", "zero"]


def test_evidence_picks_the_right_family_of_methods() -> None:
    # Stationary intermittent demand: the long-memory historic average and the Croston
    # family beat the naive forecast; a random walk is best forecast naively.
    rng = np.random.default_rng(3)
    sparse = np.where(rng.random((40, 104)) < 0.25, rng.integers(1, 10, (40, 104)), 0).astype(float)
    walk = np.maximum(300 + np.cumsum(rng.normal(0, 10, (40, 104)), axis=1), 0.0)
    candidates = {
        Method.NAIVE: Naive(),
        Method.HISTORIC_AVERAGE: HistoricAverage(),
        Method.CROSTON: Croston(),
    }
    result = rolling_origin(np.vstack([sparse, walk]), candidates)
    choice = choose_methods(result, [DemandClass.INTERMITTENT] * 40 + [DemandClass.SMOOTH] * 40)
    assert choice.class_winner["intermittent"] in (Method.HISTORIC_AVERAGE, Method.CROSTON)
    assert choice.class_winner["smooth"] is Method.NAIVE


@pytest.fixture(scope="module")
def realistic() -> tuple[object, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(12)
    panel = simulate_panel(rng, 400, 104 + 13)
    history, future = panel.demand[:, :104], panel.demand[:, 104:]
    return plan_demand(history, unit_cost=rng.uniform(1, 100, 400)), history, future


def test_plan_on_a_realistic_panel(realistic: tuple[object, np.ndarray, np.ndarray]) -> None:
    plan, _, _ = realistic
    assert plan.forecast.shape == (400, DemandConfig().horizon)  # type: ignore[attr-defined]
    assert np.all(np.isfinite(plan.forecast)) and np.all(plan.forecast >= 0)  # type: ignore[attr-defined]
    assert set(plan.method) <= {m.value for m in Method}  # type: ignore[attr-defined]
    intervals = plan.interval_forecast()  # type: ignore[attr-defined]
    assert np.all(intervals.lower[1] <= intervals.lower[0] + 1e-9)
    assert np.all(intervals.lower[0] <= intervals.upper[0] + 1e-9)
    assert np.all(intervals.upper[0] <= intervals.upper[1] + 1e-9)
    flat = plan.panel_forecast()  # type: ignore[attr-defined]
    assert flat.mean.shape == (400,) and np.all(flat.std >= 0)


def test_choice_by_evidence_beats_one_method_per_class(
    realistic: tuple[object, np.ndarray, np.ndarray],
) -> None:
    # On the 13 weeks after the history, the backtest-chosen methods are more accurate (mean
    # RMSSE) than the by-class rule of forecast_panel (SES for smooth, SBA for intermittent).
    plan, history, future = realistic
    chosen = rmsse(future, plan.forecast[:, :13], history)  # type: ignore[attr-defined]
    by_class = forecast_panel(history).mean
    rule = rmsse(future, np.repeat(by_class[:, None], 13, axis=1), history)
    assert np.nanmean(chosen) < np.nanmean(rule)
