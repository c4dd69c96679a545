r"""Croston's method and the Syntetos–Boylan approximation (SBA) over a whole panel.

Demand sizes :math:`z` and inter-demand intervals :math:`p` are smoothed separately, updated
only in periods with demand :math:`y_t > 0` (where :math:`q_t` periods have passed since the
previous demand, or since the series start for the first one):

.. math::

    z \leftarrow \alpha y_t + (1-\alpha) z, \qquad p \leftarrow \alpha q_t + (1-\alpha) p,
    \qquad \hat y = c\,\frac{z}{p},

with :math:`c = 1` for Croston and :math:`c = 1 - \alpha/2` for SBA, which removes Croston's
positive bias. The first demand initialises :math:`z = y_{t}` and :math:`p = q_{t}`.

References
----------
Croston, J. D. (1972). Forecasting and stock control for intermittent demands. *Operational
Research Quarterly* 23(3), 289–303.
Syntetos, A. A. & Boylan, J. E. (2005). The accuracy of intermittent demand estimates.
*International Journal of Forecasting* 21(2), 303–314.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from replenlib.demand.smoothing import PanelForecast


def croston(y: NDArray[np.float64], alpha: float = 0.1, *, sba: bool = False) -> PanelForecast:
    """Croston (``sba=False``) or SBA (``sba=True``) forecasts for each row of ``y``.

    NaN counts as zero demand; a row without demand forecasts zero.
    """
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must lie in (0, 1], got {alpha}")
    values = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    n_series, n_periods = values.shape
    factor = 1.0 - alpha / 2.0 if sba else 1.0
    size = np.full(n_series, np.nan)
    interval = np.full(n_series, np.nan)
    since = np.zeros(n_series)
    fitted = np.full((n_series, n_periods), np.nan)
    for t in range(n_periods):
        with np.errstate(invalid="ignore", divide="ignore"):
            fitted[:, t] = factor * size / interval
        since += 1.0
        demand = values[:, t] > 0
        first = demand & np.isnan(size)
        later = demand & ~first
        size = np.where(
            first, values[:, t], np.where(later, alpha * values[:, t] + (1 - alpha) * size, size)
        )
        interval = np.where(
            first, since, np.where(later, alpha * since + (1 - alpha) * interval, interval)
        )
        since = np.where(demand, 0.0, since)
    with np.errstate(invalid="ignore", divide="ignore"):
        forecast = np.nan_to_num(factor * size / interval, nan=0.0)
    return PanelForecast(forecast=forecast, fitted=fitted)


def sba(y: NDArray[np.float64], alpha: float = 0.1) -> PanelForecast:
    """Syntetos–Boylan approximation: Croston's forecast times :math:`1 - \\alpha/2`."""
    return croston(y, alpha, sba=True)
