r"""The state of a fitted panel forecaster at every forecast origin, and forecasts from it.

Every forecaster of :mod:`replenlib.demand` is an exponential-smoothing-like recursion whose
state after observing periods :math:`0, \dots, t-1` determines the forecast for any period
ahead. A :class:`PanelPath` keeps that state at *every* origin :math:`t = 0, \dots, T`, so
one pass over the history gives the in-sample one-step forecasts, the final forecast and the
forecasts a rolling-origin backtest needs — without refitting.

The forecast made at origin :math:`o` for period :math:`o + h - 1` (:math:`h \ge 1` periods
ahead) is, in the additive state-space form of Hyndman et al. (2008, ch. 2),

.. math::

    \hat y_{o+h-1 \mid o} = \max\Bigl(0,\; \ell_o + b_o \sum_{i=1}^{h} \phi^i
        + s_{o+h-1-m\lceil h/m\rceil}\Bigr),

with level :math:`\ell`, trend :math:`b`, damping :math:`\phi` (1 = undamped), and the
latest seasonal state :math:`s` of the target's season phase (period :math:`m`). Methods
without trend or season simply leave them out; the seasonal naive method *replaces* the level
by the seasonal state where one exists (:attr:`SeasonalMode.REPLACE`). Demand cannot be
negative, hence the :math:`\max(0, \cdot)`.

The *h*-step forecast error variance of the additive models (Hyndman et al. 2008, table 6.1,
class 1) is

.. math::

    \sigma_h^2 = \sigma^2 \Bigl[1 + \sum_{j=1}^{h-1} c_j^2\Bigr], \qquad
    c_j = \alpha + \alpha\beta^{*} \sum_{i=1}^{j}\phi^i + \gamma\,[j \bmod m = 0],

in the traditional parameters :math:`\alpha, \beta^*, \gamma, \phi` that every path carries:
SES has :math:`\beta^* = \gamma = 0`, the naive method :math:`\alpha = 1`, the seasonal naive
method :math:`\alpha = 0, \gamma = 1`, and the Croston-type methods, whose forecast is the
stationary mean demand rate, :math:`\alpha = \beta^* = \gamma = 0` (:math:`\sigma_h = \sigma`).

References
----------
Hyndman, R. J., Koehler, A. B., Ord, J. K. & Snyder, R. D. (2008). *Forecasting with
Exponential Smoothing: The State Space Approach*. Springer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


class SeasonalMode(StrEnum):
    """How the seasonal state enters the forecast."""

    NONE = "none"
    ADDITIVE = "additive"  #: level + trend + season
    REPLACE = "replace"  #: the seasonal state where known, else the level (seasonal naive)


@dataclass(frozen=True)
class PanelPath:
    """States of a panel forecaster at every origin ``t = 0..T``; arrays have one row per series.

    Attributes
    ----------
    method : name of the method that produced the path
    level : (series, T + 1) level after observing periods ``< t`` [units/period]; NaN before
        a series starts
    alpha, beta, gamma, phi : (series,) traditional smoothing parameters used for the error
        variance of :meth:`horizon_variance_factor` (see the module docstring) [-]
    trend : (series, T + 1) trend after observing periods ``< t`` [units/period²], or None
    season : (series, m + T) seasonal state: column ``j < m`` is the initial state of period
        ``j - m``, column ``m + t`` the state of period ``t`` after observing it [units/period],
        or None
    period : season length ``m`` [periods]; 1 without season
    seasonal_mode : how ``season`` enters the forecast
    """

    method: str
    level: FloatArray
    alpha: FloatArray
    beta: FloatArray
    gamma: FloatArray
    phi: FloatArray
    trend: FloatArray | None = None
    season: FloatArray | None = None
    period: int = 1
    seasonal_mode: SeasonalMode = SeasonalMode.NONE

    @property
    def n_series(self) -> int:
        """Number of series (rows)."""
        return int(self.level.shape[0])

    @property
    def n_periods(self) -> int:
        """Number of history periods ``T``."""
        return int(self.level.shape[1] - 1)

    def take(self, rows: ArrayLike | slice) -> PanelPath:
        """The path of the selected rows (index array, boolean mask or slice)."""
        pick = rows if isinstance(rows, slice) else np.asarray(rows)
        return replace(
            self,
            level=self.level[pick],
            alpha=self.alpha[pick],
            beta=self.beta[pick],
            gamma=self.gamma[pick],
            phi=self.phi[pick],
            trend=None if self.trend is None else self.trend[pick],
            season=None if self.season is None else self.season[pick],
        )

    def forecast_at(self, origins: ArrayLike, horizon: int) -> FloatArray:
        """Forecasts made at each origin for 1..``horizon`` periods ahead.

        Parameters
        ----------
        origins : (K,) integer origins in ``0..T`` (the forecast uses periods ``< origin``)
        horizon : number of periods ahead, ``>= 1``

        Returns
        -------
        (series, K, horizon) non-negative forecasts [units/period]; NaN where the series has
        not started by the origin.
        """
        o = np.atleast_1d(np.asarray(origins, dtype=np.int64))
        if horizon < 1 or np.any(o < 0) or np.any(o > self.n_periods):
            raise ValueError(f"need horizon >= 1 and origins in 0..{self.n_periods}")
        h = np.arange(1, horizon + 1)
        mean = np.repeat(self.level[:, o][:, :, None], horizon, axis=2)
        if self.trend is not None:
            mean = mean + self.trend[:, o][:, :, None] * _damped_sums(self.phi, h)[:, None, :]
        if self.season is not None:
            mean = self._with_season(mean, o, h)
        return np.maximum(mean, 0.0)

    def predict(self, horizon: int) -> FloatArray:
        """Forecasts from the end of the history: (series, horizon), zero for unstarted series."""
        return np.nan_to_num(self.forecast_at([self.n_periods], horizon)[:, 0, :], nan=0.0)

    def fitted(self) -> FloatArray:
        """In-sample one-step forecasts: (series, T), column ``t`` made at origin ``t``."""
        return self.forecast_at(np.arange(self.n_periods), 1)[:, :, 0]

    def horizon_variance_factor(self, horizon: int) -> FloatArray:
        """:math:`1 + \\sum_{j<h} c_j^2` per series and ``h = 1..horizon``: (series, horizon)."""
        j = np.arange(1, horizon)
        trend_part = self.alpha[:, None] * self.beta[:, None] * _damped_sums(self.phi, j)
        seasonal = (j % self.period == 0) if self.period > 1 else np.zeros(len(j), dtype=bool)
        c = self.alpha[:, None] + trend_part + self.gamma[:, None] * seasonal[None, :]
        cumulative = np.concatenate([np.zeros((self.n_series, 1)), np.cumsum(c**2, axis=1)], 1)
        return np.asarray(1.0 + cumulative, dtype=np.float64)

    def _with_season(
        self, mean: FloatArray, o: NDArray[np.int64], h: NDArray[np.int64]
    ) -> FloatArray:
        assert self.season is not None
        m = self.period
        # column of the latest seasonal state of the target's phase known at the origin
        column = o[:, None] + h[None, :] - 1 - m * np.ceil(h / m).astype(np.int64)[None, :] + m
        season = self.season[:, np.clip(column, 0, self.season.shape[1] - 1)]
        season = np.where(column[None, :, :] >= 0, season, np.nan)
        if self.seasonal_mode is SeasonalMode.REPLACE:
            return np.where(np.isnan(season), mean, season)
        return mean + season


def _damped_sums(phi: FloatArray, h: NDArray[np.int64]) -> FloatArray:
    r""":math:`\sum_{i=1}^{h}\phi^i` per series (rows) and horizon (columns)."""
    if len(h) == 0:
        return np.zeros((len(phi), 0))
    powers = phi[:, None] ** np.arange(1, int(h.max()) + 1)[None, :]
    return np.asarray(np.cumsum(powers, axis=1)[:, h - 1], dtype=np.float64)


class SmoothingParameters(TypedDict):
    """Per-series traditional smoothing parameters of a path."""

    alpha: FloatArray
    beta: FloatArray
    gamma: FloatArray
    phi: FloatArray


def parameters(
    n_series: int,
    *,
    alpha: ArrayLike = 0.0,
    beta: ArrayLike = 0.0,
    gamma: ArrayLike = 0.0,
    phi: ArrayLike = 1.0,
) -> SmoothingParameters:
    """Per-series parameter arrays ``alpha``, ``beta``, ``gamma``, ``phi`` (defaults 0, 0, 0, 1)."""

    def row(value: ArrayLike) -> FloatArray:
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (n_series,)).copy()

    return SmoothingParameters(alpha=row(alpha), beta=row(beta), gamma=row(gamma), phi=row(phi))
