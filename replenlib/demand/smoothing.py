r"""Simple exponential smoothing over a whole panel at once.

For each series, from its first non-zero period :math:`t_0` onwards,

.. math::

    \hat y_{t_0 + 1} = y_{t_0}, \qquad
    \hat y_{t+1} = \alpha\, y_t + (1 - \alpha)\, \hat y_t ,

so that :math:`\hat y_{T+1}` is the flat forecast for every future period. The one-step
in-sample errors :math:`e_t = y_t - \hat y_t` estimate the forecast error's standard deviation.

References
----------
Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and Practice*, 3rd ed.,
section 8.1 (simple exponential smoothing). OTexts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from replenlib.demand.segmentation import first_demand_index


@dataclass(frozen=True)
class PanelForecast:
    """A flat point forecast per series and the one-step in-sample forecasts.

    Attributes
    ----------
    forecast : forecast per future period, one per series [units/period]
    fitted : one-step-ahead forecasts aligned with the history (NaN where undefined)
        [units/period]
    """

    forecast: NDArray[np.float64]
    fitted: NDArray[np.float64]


def ses(y: NDArray[np.float64], alpha: float = 0.2) -> PanelForecast:
    """Simple exponential smoothing of each row of ``y`` (series × periods).

    NaN counts as zero demand. A row without demand forecasts zero.
    """
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must lie in (0, 1], got {alpha}")
    values = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    n_series, n_periods = values.shape
    start = first_demand_index(values)
    fitted = np.full((n_series, n_periods), np.nan)
    level = np.full(n_series, np.nan)
    for t in range(n_periods):
        fitted[:, t] = level
        begins = start == t
        level = np.where(begins, values[:, t], alpha * values[:, t] + (1 - alpha) * level)
    return PanelForecast(forecast=np.nan_to_num(level, nan=0.0), fitted=fitted)


def one_step_rmse(
    y: NDArray[np.float64], fitted: NDArray[np.float64], window: int | None = None
) -> NDArray[np.float64]:
    """Root mean squared one-step error per series over the last ``window`` periods.

    Periods where ``fitted`` is NaN (before a series' first forecast) are skipped; a series
    with no defined error gets NaN.
    """
    errors = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0) - fitted
    if window is not None:
        errors = errors[:, -window:]
    counts = np.sum(~np.isnan(errors), axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(
            counts > 0, np.sqrt(np.nansum(errors**2, axis=1) / np.maximum(counts, 1)), np.nan
        )
