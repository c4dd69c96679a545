r"""Per-series exponential smoothing fitted by statsmodels: the reference path.

statsmodels' ``ExponentialSmoothing`` optimises the smoothing parameters *and* the initial
states of one series at a time (100–400 series per second here). That is too slow for a
nightly panel of tens of thousands of series — :mod:`.ets_fit` does the panel — but it is the
reference our vectorised fit is tested against, and the right tool for a few series where
every bit of in-sample fit matters.

The statsmodels estimates are replayed through this package's own recursion
(:func:`.smoothing.holt_winters`), so forecasts, paths and backtests work exactly as for
every other forecaster. statsmodels cannot fit missing values: a series is fitted on its
observed values (NaN dropped); the replay then applies the package's missing-value rule.
Series with fewer than ``min_observations`` values fall back to SES with α = 0.2.

This is a documented exception to "no per-item Python loop": it *is* the per-series
reference. Keep panels small.

References
----------
Seabold, S. & Perktold, J. (2010). statsmodels: econometric and statistical modeling with
Python. *Proceedings of the 9th Python in Science Conference*.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from replenlib.demand.forecasters import FittedPanel, Method, fitted_panel
from replenlib.demand.paths import FloatArray, PanelPath
from replenlib.demand.smoothing import as_panel, first_observation, holt_winters


@dataclass(frozen=True)
class StatsmodelsETS:
    """statsmodels ``ExponentialSmoothing`` per series (additive trend/season as configured)."""

    trend: bool = False
    damped: bool = False
    period: int | None = None  #: season length; None = no season
    min_observations: int = 10

    @property
    def method(self) -> Method:
        """The method name, ``statsmodels_ets``."""
        return Method.STATSMODELS_ETS

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit every row with statsmodels and replay the estimates through our recursion."""
        values = as_panel(y)
        estimates = [self._estimate(row) for row in values]  # per-series by design (module doc)
        alpha = np.array([e[0] for e in estimates])
        beta = np.array([e[1] for e in estimates])
        phi = np.array([e[2] for e in estimates])
        gamma = np.array([e[3] for e in estimates])
        level0 = np.array([e[4] for e in estimates])
        trend0 = np.array([e[5] for e in estimates])
        m = self.period or 1
        season0 = np.stack([e[6] for e in estimates]) if self.period else None

        def run(panel: FloatArray) -> PanelPath:
            return holt_winters(
                panel,
                alpha=alpha,
                level0=level0,
                beta=beta if self.trend else None,
                phi=phi,
                trend0=trend0,
                gamma=gamma if self.period else None,
                season0=season0,
                period=m,
                method=Method.STATSMODELS_ETS.value,
            )

        return fitted_panel(self.method, run(values), values, replay_with=run)

    def forecast(self, y: ArrayLike, horizon: int) -> FloatArray:
        """``fit(y).predict(horizon)``: (series, horizon) forecasts [units/period]."""
        return self.fit(y).predict(horizon)

    def _estimate(
        self, row: FloatArray
    ) -> tuple[float, float, float, float, float, float, FloatArray]:
        m = self.period or 1
        observed = row[~np.isnan(row)]
        zeros = np.zeros(m)
        if len(observed) < max(self.min_observations, 2 * m + 2 if self.period else 0):
            first = float(first_observation(row[None, :])[0]) if len(observed) else 0.0
            return 0.2, 0.01, 1.0, 0.0, first, 0.0, zeros
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ExponentialSmoothing(
                observed,
                trend="add" if self.trend else None,
                damped_trend=self.damped and self.trend,
                seasonal="add" if self.period else None,
                seasonal_periods=self.period,
                initialization_method="estimated",
            ).fit()
        p = fit.params
        season = np.asarray(p["initial_seasons"], dtype=np.float64) if self.period else zeros
        return (
            float(np.clip(p["smoothing_level"], 1e-12, 1.0)),
            float(np.clip(np.nan_to_num(p.get("smoothing_trend", 0.0)), 0.0, 1.0)),
            float(np.clip(np.nan_to_num(p.get("damping_trend", 1.0), nan=1.0), 1e-12, 1.0)),
            float(np.clip(np.nan_to_num(p.get("smoothing_seasonal", 0.0)), 0.0, 1.0)),
            float(p["initial_level"]),
            float(np.nan_to_num(p.get("initial_trend", 0.0))),
            season,
        )
