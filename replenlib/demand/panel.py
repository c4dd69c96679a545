"""Forecast a whole panel: classify each series, then apply the method its class calls for.

=================================  =========================================================
class                              method
=================================  =========================================================
smooth, erratic                    simple exponential smoothing (:func:`.smoothing.ses`)
intermittent, lumpy                Syntetos–Boylan approximation (:func:`.intermittent.sba`)
new (short history)                mean since first demand (fallback)
no demand                          zero
=================================  =========================================================

The forecast error's standard deviation per period is the root mean squared one-step
in-sample error over the last ``error_window`` periods; a new series without enough errors
uses the standard deviation of its history (or its mean, Poisson-like, with one point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from replenlib.demand.intermittent import sba
from replenlib.demand.segmentation import DemandClass, Segmentation, classify, first_demand_index
from replenlib.demand.smoothing import one_step_rmse, ses


@dataclass(frozen=True)
class PanelDemandForecast:
    """Per-series flat forecast, error std, method and segmentation."""

    mean: NDArray[np.float64]  #: [units/period]
    std: NDArray[np.float64]  #: [units/period] std of the one-period forecast error
    method: NDArray[np.object_]  #: method name per series
    segmentation: Segmentation


def forecast_panel(
    y: NDArray[np.float64],
    *,
    ses_alpha: float = 0.2,
    sba_alpha: float = 0.1,
    error_window: int = 52,
    min_periods: int = 8,
) -> PanelDemandForecast:
    """Forecast each row of ``y`` (series × periods, oldest first) with its class's method."""
    values = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    seg = classify(values, min_periods=min_periods)
    classes = seg.demand_class
    intermittent = np.isin(classes, [DemandClass.INTERMITTENT, DemandClass.LUMPY])
    smooth = np.isin(classes, [DemandClass.SMOOTH, DemandClass.ERRATIC])
    new = classes == DemandClass.NEW

    smoothed, croston = ses(values, ses_alpha), sba(values, sba_alpha)
    fallback_mean, fallback_std = _since_first_demand(values)
    mean = np.select(
        [smooth, intermittent, new], [smoothed.forecast, croston.forecast, fallback_mean], 0.0
    )
    rmse = np.where(
        intermittent,
        one_step_rmse(values, croston.fitted, error_window),
        one_step_rmse(values, smoothed.fitted, error_window),
    )
    std = np.where(new | np.isnan(rmse), fallback_std, rmse)
    method = np.select([smooth, intermittent, new], ["ses", "sba", "fallback"], "zero")
    return PanelDemandForecast(
        mean=mean,
        std=np.where(classes == DemandClass.NO_DEMAND, 0.0, std),
        method=np.asarray(method, dtype=object),
        segmentation=seg,
    )


def _since_first_demand(
    values: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and std of each row from its first demand on (std = mean with one point)."""
    start = first_demand_index(values)
    live = np.arange(values.shape[1])[None, :] >= start[:, None]
    count = live.sum(axis=1)
    total = np.where(live, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, 0.0)
        var = np.where(live, (values - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(
            count - 1, 1
        )
    std = np.where(count > 1, np.sqrt(var), mean)
    return mean, std
