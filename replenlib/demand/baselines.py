r"""Benchmark forecasts every method has to beat: naive and seasonal naive.

* **Naive**: :math:`\hat y_{T+h} = y_T`, the last observation (a random walk; Hyndman &
  Athanasopoulos 2021, section 5.2). As an exponential smoothing it is SES with
  :math:`\alpha = 1`, so its *h*-step error variance grows as :math:`h\sigma^2`.
* **Historic average**: :math:`\hat y_{T+h} = \frac{1}{n}\sum_t y_t`, the mean of every
  observation since the series start — the minimum-variance estimate when demand is
  stationary (statsforecast's ``HistoricAverage``), and the benchmark a smoothing method
  must beat to justify its shorter memory.
* **Seasonal naive**: :math:`\hat y_{T+h} = y_{T+h-m\lceil h/m\rceil}`, the value one season
  earlier; for a season phase not observed yet (a series younger than a season) the naive
  forecast stands in.

NaN periods follow the package rule (:mod:`.smoothing`): a missing value does not replace the
last observation (naive) or the last value of its season (seasonal naive).

References
----------
Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and Practice*, 3rd ed.,
section 5.2 (simple forecasting methods). OTexts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from replenlib.demand.paths import FloatArray, PanelPath, SeasonalMode, parameters
from replenlib.demand.smoothing import as_panel


def naive(y: ArrayLike) -> PanelPath:
    """Naive path: the level at origin ``t`` is the last observation before ``t``."""
    values = as_panel(y)
    return PanelPath("naive", _last_observation(values), **parameters(len(values), alpha=1.0))


def historic_average(y: ArrayLike) -> PanelPath:
    """Historic-average path: the level at origin ``t`` is the mean of the observations before ``t``."""
    values = as_panel(y)
    observed = ~np.isnan(values)
    total = np.cumsum(np.where(observed, values, 0.0), axis=1)
    count = np.cumsum(observed, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    level = np.concatenate([np.full((len(values), 1), np.nan), mean], axis=1)
    return PanelPath("historic_average", level, **parameters(len(values)))


def seasonal_naive(y: ArrayLike, period: int = 52) -> PanelPath:
    """Seasonal naive path with season length ``period`` [periods] (naive until one season)."""
    if period < 2:
        raise ValueError(f"a seasonal naive forecast needs period >= 2, got {period}")
    values = as_panel(y)
    n_series, n_periods = values.shape
    season = np.concatenate([np.full((n_series, period), np.nan), values], axis=1)
    for _ in range(-(-n_periods // period)):  # carry the last value of each phase over NaN
        gaps = np.isnan(season[:, period:])
        if not gaps.any():
            break
        season[:, period:] = np.where(gaps, season[:, :-period], season[:, period:])
    return PanelPath(
        "seasonal_naive",
        _last_observation(values),
        season=season,
        period=period,
        seasonal_mode=SeasonalMode.REPLACE,
        **parameters(n_series, alpha=0.0, gamma=1.0),
    )


def _last_observation(values: FloatArray) -> FloatArray:
    """(series, T + 1): column ``t`` holds the last non-NaN value before period ``t``."""
    n_series, n_periods = values.shape
    observed = ~np.isnan(values)
    index = np.where(observed, np.arange(n_periods)[None, :], -1)
    last = np.maximum.accumulate(index, axis=1)
    padded = np.concatenate([np.full((n_series, 1), np.nan), values], axis=1)
    level = padded[np.arange(n_series)[:, None], last + 1]
    return np.asarray(np.concatenate([np.full((n_series, 1), np.nan), level], axis=1))
