r"""The quick forecast of a panel: the method by demand class only, no backtests.

This is the quick path without backtests (method by class only), kept for
callers that need a flat rate and an error in one call:

=================================  =========================================================
class                              method
=================================  =========================================================
smooth, erratic                    SES (α = 0.2) from the first demand
intermittent, lumpy                SBA (α = 0.1)
new (short history)                mean since first demand (``fallback``)
no demand                          zero
=================================  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.echelon import echelon_demand
from replenlib.demand.intermittent import sba
from replenlib.demand.segmentation import DemandClass, Segmentation, classify, first_demand_index
from replenlib.demand.smoothing import ses


@dataclass(frozen=True)
class PanelDemandForecast:
    """Per-series flat forecast, error std, method and segmentation."""

    mean: NDArray[np.float64]  #: [units/period]
    std: NDArray[np.float64]  #: [units/period] std of the one-period forecast error
    method: NDArray[np.object_]  #: method name per series
    segmentation: Segmentation
    #: [units/period] part of ``mean`` that downstream stock points draw (0: own customers only)
    dependent: NDArray[np.float64] | None = None


def echelon_forecast(forecast: PanelDemandForecast, parent: ArrayLike) -> PanelDemandForecast:
    r"""The forecast each stock point must cover: own plus its subtree's (:mod:`.echelon`).

    :math:`\mu_e = \sum_{j \in \mathcal{T}} \mu_j`, :math:`\sigma_e^2 = \sum_{j \in
    \mathcal{T}} \sigma_j^2` (independent customers); method and class stay the stock
    point's own, ``dependent`` is :math:`\mu_e - \mu`.
    """
    mean, variance = echelon_demand(forecast.mean, parent), echelon_demand(forecast.std**2, parent)
    return replace(forecast, mean=mean, std=np.sqrt(variance), dependent=mean - forecast.mean)


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
    from_first_demand = np.where(
        np.arange(values.shape[1])[None, :] >= first_demand_index(values)[:, None], values, np.nan
    )
    smoothed, croston = ses(from_first_demand, ses_alpha), sba(values, sba_alpha)
    fallback_mean, fallback_std = _since_first_demand(values)
    mean = np.select(
        [smooth, intermittent, new],
        [smoothed.predict(1)[:, 0], croston.predict(1)[:, 0], fallback_mean],
        0.0,
    )
    rmse = np.where(
        intermittent,
        one_step_rmse(values, croston.fitted(), error_window),
        one_step_rmse(values, smoothed.fitted(), error_window),
    )
    std = np.where(new | np.isnan(rmse), fallback_std, rmse)
    method = np.select([smooth, intermittent, new], ["ses", "sba", "fallback"], "zero")
    return PanelDemandForecast(
        mean=mean,
        std=np.where(classes == DemandClass.NO_DEMAND, 0.0, std),
        method=np.asarray(method, dtype=object),
        segmentation=seg,
    )


def one_step_rmse(
    y: NDArray[np.float64], fitted: NDArray[np.float64], window: int | None = None
) -> NDArray[np.float64]:
    """Root mean squared one-step error per series over the last ``window`` periods (NaN
    fitted values are skipped; NaN when a series has no error)."""
    errors = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0) - fitted
    if window is not None:
        errors = errors[:, -window:]
    counts = np.sum(~np.isnan(errors), axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(
            counts > 0, np.sqrt(np.nansum(errors**2, axis=1) / np.maximum(counts, 1)), np.nan
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
