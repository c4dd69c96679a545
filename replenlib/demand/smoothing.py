r"""Exponential smoothing over a whole panel: SES, Holt, damped Holt and additive Holt–Winters.

All of them are one additive recursion (Hyndman et al. 2008, error-correction form of the
traditional equations of Holt 1957 and Winters 1960) run for every series at once, a plain
numpy loop over time:

.. math::

    \hat y_t &= \ell_{t-1} + \phi\, b_{t-1} + s_{t-m}, \qquad e_t = y_t - \hat y_t, \\
    \ell_t &= \ell_{t-1} + \phi\, b_{t-1} + \alpha\, e_t, \\
    b_t &= \phi\, b_{t-1} + \alpha \beta^{*} e_t, \\
    s_t &= s_{t-m} + \gamma\, e_t ,

which is the same as the traditional form
:math:`\ell_t = \alpha (y_t - s_{t-m}) + (1-\alpha)(\ell_{t-1} + \phi b_{t-1})`,
:math:`b_t = \beta^{*}(\ell_t - \ell_{t-1}) + (1-\beta^{*})\phi b_{t-1}`,
:math:`s_t = \gamma (y_t - \ell_{t-1} - \phi b_{t-1}) + (1-\gamma) s_{t-m}`
(statsmodels' ``ExponentialSmoothing`` parameters ``smoothing_level``, ``smoothing_trend``,
``smoothing_seasonal``, ``damping_trend``). Without trend :math:`b \equiv 0`, without season
:math:`s \equiv 0`; SES is the level equation alone.

Rules for awkward series (shared by every forecaster of the package):

* **Leading NaN** periods come before the series exists; a series starts at its first
  non-NaN value, and its state is NaN before that.
* **Interior NaN** is a missing observation: the state passes through the period without a
  correction (:math:`e_t = 0`, the model's own forecast stands in for the value).
* **All-NaN** series never start: forecasts are zero, fitted values NaN.
* SES starts at its first observation, :math:`\ell = y_{t_0}` (as statsforecast and R's
  ``forecast::ses`` with ``initial = "simple"``), so a one-point series forecasts that point.

References
----------
Holt, C. C. (1957/2004). Forecasting seasonals and trends by exponentially weighted moving
averages. *International Journal of Forecasting* 20(1), 5–10.
Winters, P. R. (1960). Forecasting sales by exponentially weighted moving averages.
*Management Science* 6(3), 324–342.
Gardner, E. S. & McKenzie, E. (1985). Forecasting trends in time series. *Management
Science* 31(10), 1237–1246 (damped trend).
Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and Practice*, 3rd ed.,
chapter 8. OTexts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.paths import FloatArray, PanelPath, SeasonalMode, parameters


def as_panel(y: ArrayLike) -> FloatArray:
    """A float (series, periods) array; a 1-d input is one series."""
    values = np.asarray(y, dtype=np.float64)
    if values.ndim == 1:
        values = values[None, :]
    if values.ndim != 2:
        raise ValueError(f"expected a panel (series × periods), got shape {values.shape}")
    if np.any(values < 0):
        raise ValueError("demand must be non-negative (NaN marks a missing period)")
    return values


def start_index(y: FloatArray) -> NDArray[np.int64]:
    """First non-NaN period of each row; ``n_periods`` for rows that never start."""
    observed = ~np.isnan(y)
    first = np.argmax(observed, axis=1)
    index: NDArray[np.int64] = np.where(observed.any(axis=1), first, y.shape[1]).astype(np.int64)
    return index


def first_observation(y: FloatArray) -> FloatArray:
    """Value at each row's start (NaN for rows that never start)."""
    start = start_index(y)
    padded = np.concatenate([y, np.full((len(y), 1), np.nan)], axis=1)
    return np.asarray(padded[np.arange(len(y)), start], dtype=np.float64)


@dataclass(frozen=True)
class SmoothingRun:
    """Result of :func:`additive_recursion`.

    Attributes
    ----------
    sse : sum of squared one-step errors over observed periods from the start [units²]
    n_obs : number of those errors
    level, trend : (series, T + 1) paths (``store=True`` only)
    season : (series, m + T) seasonal states (``store=True`` and seasonal only)
    """

    sse: FloatArray
    n_obs: FloatArray
    level: FloatArray | None = None
    trend: FloatArray | None = None
    season: FloatArray | None = None


def additive_recursion(
    y: FloatArray,
    alpha: ArrayLike,
    level0: ArrayLike,
    *,
    beta: ArrayLike | None = None,
    phi: ArrayLike = 1.0,
    trend0: ArrayLike = 0.0,
    gamma: ArrayLike | None = None,
    season0: FloatArray | None = None,
    period: int = 1,
    store: bool = False,
) -> SmoothingRun:
    """Run the recursion of the module docstring for every series (and parameter set) at once.

    Parameters and initial states broadcast against ``(..., series)``: a leading axis of
    candidates evaluates a whole parameter grid in one pass (``store=False``).

    Parameters
    ----------
    y : (series, T) demand [units/period]
    alpha, beta, gamma, phi : traditional smoothing parameters [-]; ``beta`` None = no
        trend, ``gamma`` None = no season
    level0, trend0 : states just before each series' start [units/period]
    season0 : (..., series, m) seasonal states of the ``m`` periods before each start
    period : season length ``m`` [periods]
    store : keep the state paths (needs parameters of shape ``(series,)``)
    """
    # One function on purpose: the loop over time is the hot path of every fit and backtest,
    # and splitting it would add a call and its argument handling to every period.
    n_series, n_periods = y.shape
    arrays = [np.asarray(a, dtype=np.float64) for a in (alpha, level0, phi, trend0)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays), (n_series,))
    a, level, phi_, trend = (np.broadcast_to(x, shape).copy() for x in arrays)
    ab = a * (0.0 if beta is None else np.asarray(beta, dtype=np.float64))
    g = None if gamma is None else np.broadcast_to(np.asarray(gamma, dtype=np.float64), shape)
    has_trend = beta is not None
    start = start_index(y)
    season = (
        _season_buffer(shape, start, season0, period, n_periods, store) if g is not None else None
    )
    init_level, init_trend = level, trend if has_trend else np.zeros(shape)
    level = np.full(shape, np.nan)
    trend = np.zeros(shape)
    sse, n_obs = np.zeros(shape), np.zeros(shape)
    paths = _Paths(shape, n_periods, store)
    columns = np.ascontiguousarray(y.T)
    starts = set(start[start < n_periods].tolist())
    for t in range(n_periods):
        if t in starts:
            begin = start == t
            level = np.where(begin, init_level, level)
            trend = np.where(begin, init_trend, trend)
        paths.keep(t, level, trend)
        damped = phi_ * trend if has_trend else trend
        forecast = level + damped
        if season is not None:
            s_prev = season[..., t] if store else season[..., t % period]
            forecast = forecast + s_prev
        error = columns[t] - forecast
        observed = ~np.isnan(error)
        error = np.where(observed, error, 0.0)
        sse += error * error
        n_obs += observed
        level = level + damped + a * error
        if has_trend:
            trend = damped + ab * error
        if season is not None and g is not None:
            if store:  # before a series starts, its columns hold the initial states: keep them
                season[..., t + period] = np.where(
                    start <= t, s_prev + g * error, season[..., t + period]
                )
            else:
                season[..., t % period] = s_prev + g * error
    paths.keep(n_periods, level, trend)
    return SmoothingRun(
        sse=sse,
        n_obs=n_obs,
        level=paths.level(),
        trend=paths.trend() if has_trend else None,
        season=season if store else None,
    )


class _Paths:
    """Collects level/trend per origin when ``store`` (time-major, transposed at the end)."""

    def __init__(self, shape: tuple[int, ...], n_periods: int, store: bool) -> None:
        self.store = store
        if store:
            self._level = np.empty((n_periods + 1, *shape))
            self._trend = np.empty((n_periods + 1, *shape))

    def keep(self, t: int, level: FloatArray, trend: FloatArray) -> None:
        if self.store:
            self._level[t] = level
            self._trend[t] = trend

    def level(self) -> FloatArray | None:
        return np.ascontiguousarray(np.moveaxis(self._level, 0, -1)) if self.store else None

    def trend(self) -> FloatArray | None:
        return np.ascontiguousarray(np.moveaxis(self._trend, 0, -1)) if self.store else None


def _season_buffer(
    shape: tuple[int, ...],
    start: NDArray[np.int64],
    season0: FloatArray | None,
    period: int,
    n_periods: int,
    store: bool,
) -> FloatArray:
    """Seasonal states: the full (m + T) history when storing, else a ring of length m."""
    if season0 is None or period < 2:
        raise ValueError("a seasonal recursion needs season0 of shape (..., series, m) and m >= 2")
    init = np.broadcast_to(np.asarray(season0, dtype=np.float64), (*shape, period))
    n_series = shape[-1]
    rows = np.arange(n_series)[:, None]
    phase = start[:, None] + np.arange(period)[None, :]
    if store:
        buffer = np.full((*shape, period + n_periods), np.nan)
        valid = start < n_periods
        buffer[..., rows[valid], phase[valid]] = init[..., valid, :]
        return buffer
    buffer = np.zeros((*shape, period))
    buffer[..., rows, phase % period] = init
    return buffer


def ses(y: ArrayLike, alpha: ArrayLike = 0.1) -> PanelPath:
    """Simple exponential smoothing path of each row, started at its first observation.

    Parameters
    ----------
    y : (series, T) demand [units/period]
    alpha : smoothing parameter in (0, 1], scalar or one per series [-]
    """
    values = as_panel(y)
    a = _check_unit_interval("alpha", alpha, len(values))
    run = additive_recursion(values, a, first_observation(values), store=True)
    assert run.level is not None
    # the start period's "forecast" would be the observation itself: not a forecast
    start = start_index(values)
    begun = np.flatnonzero(start < values.shape[1])
    run.level[begun, start[begun]] = np.nan
    return PanelPath("ses", run.level, **parameters(len(values), alpha=a))


def ses_level(y: ArrayLike, alpha: float = 0.1) -> FloatArray:
    r"""Final SES level per row in closed form, without a loop over time.

    With :math:`n` observations :math:`y_1..y_n` (NaN periods dropped, as the recursion's
    missing-value rule implies) and :math:`\ell = y_1` at the start,

    .. math:: \ell_n = (1-\alpha)^{n-1} y_1 + \sum_{k=2}^{n} \alpha (1-\alpha)^{n-k} y_k .

    Equal to ``ses(y, alpha).level[:, -1]`` (zero for rows that never start).
    """
    values = as_panel(y)
    _check_unit_interval("alpha", alpha, len(values))
    n_periods = values.shape[1]
    decay = (1.0 - alpha) ** np.arange(n_periods)[::-1]
    if not np.isnan(values).any():
        weights = alpha * decay
        weights[0] = decay[0]
        return np.asarray(values @ weights, dtype=np.float64)
    observed = ~np.isnan(values)
    count = np.cumsum(observed, axis=1)
    later = count[:, -1:] - count
    weights = np.where(count == 1, 1.0, alpha) * ((1.0 - alpha) ** later)
    return np.asarray(np.sum(np.where(observed, weights * values, 0.0), axis=1), dtype=np.float64)


def holt_winters(
    y: ArrayLike,
    *,
    alpha: ArrayLike,
    level0: ArrayLike,
    beta: ArrayLike | None = None,
    phi: ArrayLike = 1.0,
    trend0: ArrayLike = 0.0,
    gamma: ArrayLike | None = None,
    season0: ArrayLike | None = None,
    period: int = 1,
    method: str = "holt_winters",
) -> PanelPath:
    """Holt (``beta``), damped Holt (``phi`` < 1) and additive Holt–Winters (``gamma``) paths.

    Parameters as in :func:`additive_recursion`, one per series; ``level0``, ``trend0`` and
    ``season0`` (series, m) are the states just before each series' first observation.
    """
    values = as_panel(y)
    n = len(values)
    seasonal = gamma is not None
    run = additive_recursion(
        values,
        _check_unit_interval("alpha", alpha, n),
        np.broadcast_to(np.asarray(level0, dtype=np.float64), (n,)),
        beta=None if beta is None else _check_unit_interval("beta", beta, n, closed_low=True),
        phi=_check_unit_interval("phi", phi, n),
        trend0=trend0,
        gamma=None if gamma is None else _check_unit_interval("gamma", gamma, n, closed_low=True),
        season0=None if season0 is None else np.asarray(season0, dtype=np.float64),
        period=period,
        store=True,
    )
    assert run.level is not None
    params = parameters(
        n,
        alpha=alpha,
        beta=0.0 if beta is None else beta,
        gamma=0.0 if gamma is None else gamma,
        phi=phi if beta is not None else 1.0,
    )
    return PanelPath(
        method,
        run.level,
        trend=run.trend,
        season=run.season,
        period=period if seasonal else 1,
        seasonal_mode=SeasonalMode.ADDITIVE if seasonal else SeasonalMode.NONE,
        **params,
    )


def _check_unit_interval(
    name: str, value: ArrayLike, n_series: int, *, closed_low: bool = False
) -> FloatArray:
    array = np.broadcast_to(np.asarray(value, dtype=np.float64), (n_series,)).copy()
    low_ok = array >= 0.0 if closed_low else array > 0.0
    if not np.all(low_ok & (array <= 1.0)):
        bound = "[0, 1]" if closed_low else "(0, 1]"
        raise ValueError(f"{name} must lie in {bound}, got {value!r}")
    return array
