r"""Forecast accuracy measures that suit intermittent demand, one signature for all.

Every metric is called as ``metric(actual, forecast, train, *, seasonality=1)`` and returns one
value per series (row). ``actual`` and ``forecast`` have shape ``(series, ..., horizon)`` —
typically ``(series, origins, horizon)`` from a rolling-origin backtest — and NaN actuals are
left out. ``train`` (series × periods) is the history before the evaluation, which scales
the scale-free measures (like utilsforecast's ``losses``):

=====================  ==========================================================================
``mae``                :math:`\overline{|y - \hat y|}` [units]
``bias``               :math:`\overline{\hat y - y}` [units] (positive = over-forecast)
``mase``               MAE / :math:`\overline{|y_t - y_{t-s}|}_\text{train}` (Hyndman & Koehler 2006)
``rmsse``              :math:`\sqrt{\overline{(y-\hat y)^2} / \overline{(y_t - y_{t-s})^2}_\text{train}}`
                       (M5 accuracy; mean-unbiased forecasts win, which suits intermittent data)
``ScaledPinball(q)``   :math:`\overline{\max(q(y-\hat y_q), (q-1)(y-\hat y_q))}` / MAE scale
                       (M5 uncertainty; ``forecast`` holds the *q*-quantile forecasts)
``spis``               scaled periods in stock: per forecast window
                       :math:`\sum_{t=1}^{H}\sum_{j=1}^{t}(\hat y_j - y_j)`, averaged over windows
                       and divided by the mean training demand [periods]; > 0 means stock
                       carried, < 0 stockout periods (Wallström & Segerstedt 2010)
=====================  ==========================================================================

A series whose scale is zero (a constant history) gets NaN for the scaled measures.

References
----------
Hyndman, R. J. & Koehler, A. B. (2006). Another look at measures of forecast accuracy.
*International Journal of Forecasting* 22(4), 679–688.
Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2022). M5 accuracy and uncertainty
competitions. *International Journal of Forecasting* 38(4).
Wallström, P. & Segerstedt, A. (2010). Evaluation of forecasting error measurements and
techniques for intermittent demand. *International Journal of Production Economics* 128(2).
Kolassa, S. (2016). Evaluating predictive count data distributions in retail sales
forecasting. *International Journal of Forecasting* 32(3), 788–803.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from replenlib.demand.paths import FloatArray


class Metric(Protocol):
    """The signature every metric shares."""

    def __call__(
        self, actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, *, seasonality: int = 1
    ) -> FloatArray:
        """One value per series."""
        ...


def _rows(actual: ArrayLike, forecast: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    if y.shape != f.shape:
        raise ValueError(f"actual {y.shape} and forecast {f.shape} must have the same shape")
    return y.reshape(len(y), -1), f.reshape(len(f), -1)


def _mean(values: FloatArray) -> FloatArray:
    # a C-contiguous copy: numpy then sums each row on its own; a strided array is summed
    # through buffers whose boundaries depend on the number of rows, so a series' mean would
    # change in the last bits with the panel it is part of (e.g. a partition of the nightly run)
    values = np.ascontiguousarray(values)
    count = np.sum(~np.isnan(values), axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, np.nansum(values, axis=1) / np.maximum(count, 1), np.nan)


def naive_scale(train: ArrayLike, seasonality: int = 1, power: int = 1) -> FloatArray:
    """Mean absolute (``power=1``) or squared (2) in-sample seasonal-naive error per row."""
    history = np.asarray(train, dtype=np.float64)
    diff = history[:, seasonality:] - history[:, :-seasonality]
    return _mean(np.abs(diff) ** power)


def _scaled(value: FloatArray, scale: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, value / scale, np.nan)


def mae(
    actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, *, seasonality: int = 1
) -> FloatArray:
    """Mean absolute error [units] (``train`` unused; kept for the common signature)."""
    y, f = _rows(actual, forecast)
    return _mean(np.abs(y - f))


def bias(
    actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, *, seasonality: int = 1
) -> FloatArray:
    """Mean error forecast − actual [units]."""
    y, f = _rows(actual, forecast)
    return _mean(f - y)


def mase(
    actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, *, seasonality: int = 1
) -> FloatArray:
    """Mean absolute scaled error [-]."""
    return _scaled(mae(actual, forecast, train), naive_scale(train, seasonality))


def rmsse(
    actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, *, seasonality: int = 1
) -> FloatArray:
    """Root mean squared scaled error [-]."""
    y, f = _rows(actual, forecast)
    return np.sqrt(_scaled(_mean((y - f) ** 2), naive_scale(train, seasonality, power=2)))


@dataclass(frozen=True)
class ScaledPinball:
    """Pinball (quantile) loss of *q*-quantile forecasts, scaled like MASE [-]."""

    q: float

    def __post_init__(self) -> None:
        if not 0.0 < self.q < 1.0:
            raise ValueError(f"quantile level must lie in (0, 1), got {self.q}")

    @property
    def name(self) -> str:
        """``pinball_90`` for q = 0.9."""
        return f"pinball_{round(self.q * 100):d}"

    def __call__(
        self, actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, *, seasonality: int = 1
    ) -> FloatArray:
        y, f = _rows(actual, forecast)
        delta = y - f
        loss = np.maximum(self.q * delta, (self.q - 1.0) * delta)
        return _scaled(_mean(loss), naive_scale(train, seasonality))


def spis(
    actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, *, seasonality: int = 1
) -> FloatArray:
    """Scaled periods in stock [periods] (module docstring); the last axis is the horizon."""
    y = np.ascontiguousarray(actual, dtype=np.float64)  # row by row: see _mean
    f = np.ascontiguousarray(forecast, dtype=np.float64)
    if y.shape != f.shape:
        raise ValueError(f"actual {y.shape} and forecast {f.shape} must have the same shape")
    stock = np.cumsum(np.nan_to_num(f - y, nan=0.0), axis=-1)
    valid = ~np.isnan(y).any(axis=-1)
    per_window = np.where(valid, stock.sum(axis=-1), np.nan).reshape(len(y), -1)
    return _scaled(_mean(per_window), _mean(np.asarray(train, dtype=np.float64)))


#: Point-forecast metrics by name, as stored in ``forecast_backtests``.
POINT_METRICS: dict[str, Metric] = {
    "mae": mae,
    "bias": bias,
    "mase": mase,
    "rmsse": rmsse,
    "spis": spis,
}
