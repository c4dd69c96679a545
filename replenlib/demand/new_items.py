r"""Forecasts for new items: a launch profile of similar items scaled by the item's early sales.

A new item has too little history for any statistical method. Items of the same category
(or a named analogue) launched earlier show how demand ramps up after a launch. With
:math:`f` the first-demand period of a *reference* series (one launched inside the history,
with at least ``length`` periods since), its normalised launch curve is

.. math:: c_k = y_{f+k} \Big/ \tfrac{1}{K}\sum_{j<K} y_{f+j}, \qquad k = 0, \dots, K-1,

and a category's profile :math:`P_k` is the mean curve of its reference series (the panel's
mean curve for a category without any, a flat profile when the panel has none either). A new
item that has sold for :math:`a` periods is scaled to its own early sales,

.. math::

    s = \frac{\sum_{k<a} y_{f+k}}{\sum_{k<a} P_k}, \qquad
    \hat y_{f+a+h-1} = s\, P_{\min(a+h-1,\,K-1)} ,

so an item selling twice as fast as its peers at the same age is expected to keep doing so.
When :math:`\sum_{k<a} P_k = 0` the mean since the first demand is used.

References
----------
Kahn, K. B. (2002). An exploratory investigation of new product forecasting practices.
*Journal of Product Innovation Management* 19(2), 133–143 (analogous forecasting).
Goodwin, P., Dyussekeneva, K. & Meeran, S. (2013). The use of analogies in forecasting the
annual sales of new electronics products. *IMA Journal of Management Mathematics* 24(4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.paths import FloatArray
from replenlib.demand.segmentation import first_demand_index


@dataclass(frozen=True)
class LaunchProfiles:
    """Normalised launch curves: one row per category code, the last row the panel's."""

    profile: FloatArray  #: (n_categories + 1, length) [-]
    n_reference: NDArray[np.int64]  #: (n_categories + 1,) reference series behind each row


def launch_index(y: FloatArray, launch: ArrayLike | None = None) -> NDArray[np.int64]:
    """Launch period per row: the item master's where known (``launch`` ≥ 0), else the first
    demand (``n_periods`` for rows without demand)."""
    first = first_demand_index(np.nan_to_num(y, nan=0.0))
    if launch is None:
        return first
    known = np.asarray(launch, dtype=np.float64)
    usable = np.isfinite(known) & (known >= 0)
    return np.where(usable, np.floor(np.where(usable, known, 0)), first).astype(np.int64)


def launch_curves(
    y: FloatArray,
    length: int = 26,
    min_lead_in: int = 4,
    *,
    launch: ArrayLike | None = None,
    min_selling_share: float = 0.5,
) -> FloatArray:
    """Normalised launch curve per series, NaN rows for series that are not references.

    A reference series was launched at least ``min_lead_in`` periods into the history (so the
    launch is observed), has ``length`` periods since, and sold in at least
    ``min_selling_share`` of them — an intermittent item's first sporadic demand is not a
    launch, and its "curve" would be noise.
    """
    values = np.nan_to_num(y, nan=0.0)
    start = launch_index(values, launch)
    n_periods = values.shape[1]
    reference = (start >= min_lead_in) & (start + length <= n_periods)
    index = np.clip(start[:, None] + np.arange(length)[None, :], 0, n_periods - 1)
    window = values[np.arange(len(values))[:, None], index]
    scale = window.mean(axis=1)
    selling = np.mean(window > 0, axis=1) >= min_selling_share
    with np.errstate(invalid="ignore", divide="ignore"):
        curves = window / scale[:, None]
    return np.where((reference & selling & (scale > 0))[:, None], curves, np.nan)


def launch_profiles(
    y: FloatArray,
    category: ArrayLike,
    *,
    length: int = 26,
    min_lead_in: int = 4,
    launch: ArrayLike | None = None,
) -> LaunchProfiles:
    """Mean launch curve per category code ``0..C-1`` (``category`` < 0 = none), plus overall."""
    curves = launch_curves(y, length, min_lead_in, launch=launch)
    return profiles_from_curves(curves, category, length)


def profiles_from_curves(curves: FloatArray, category: ArrayLike, length: int) -> LaunchProfiles:
    """:func:`launch_profiles` from the launch curves of :func:`launch_curves` (NaN rows are
    not references): the mean curve per category code and overall, in row order."""
    codes = np.asarray(category, dtype=np.int64)
    n_categories = int(codes.max(initial=-1)) + 1
    is_reference = ~np.isnan(curves[:, 0])
    overall = np.nanmean(curves, axis=0) if is_reference.any() else np.ones(length)
    profile = np.tile(overall, (n_categories + 1, 1))
    counts = np.zeros(n_categories + 1, dtype=np.int64)
    counts[-1] = int(is_reference.sum())
    for code in np.unique(codes[is_reference & (codes >= 0)]):  # loop over categories, not items
        members = is_reference & (codes == code)
        profile[code] = np.nanmean(curves[members], axis=0)
        counts[code] = int(members.sum())
    return LaunchProfiles(profile=profile, n_reference=counts)


def new_item_forecast(
    y: FloatArray,
    horizon: int,
    *,
    category: ArrayLike | None = None,
    analogue: ArrayLike | None = None,
    launch: ArrayLike | None = None,
    length: int = 26,
    min_lead_in: int = 4,
    profiles: LaunchProfiles | None = None,
) -> FloatArray:
    """Profile-based forecast (series, horizon) of every row (module docstring).

    Parameters
    ----------
    y : (series, T) demand [units/period]
    horizon : periods ahead
    category : (series,) integer category codes (< 0 = unknown); None = one category
    analogue : (series,) row index of an analogue series whose own launch curve to use
        (< 0 or not a reference series = use the category profile); None = no analogues
    launch : (series,) launch period index from the item master (NaN or < 0 = unknown: the
        first demand stands in)
    profiles : the category profiles to use (default: those of ``y``'s own references); a
        part of a larger panel takes the whole panel's, so that its forecasts are the same
    """
    values = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    n_series, n_periods = values.shape
    codes = np.zeros(n_series, np.int64) if category is None else np.asarray(category, np.int64)
    if profiles is None:
        profiles = launch_profiles(
            values, codes, length=length, min_lead_in=min_lead_in, launch=launch
        )
    profile = profiles.profile[np.where(codes >= 0, codes, len(profiles.profile) - 1)]
    if analogue is not None:
        profile = _with_analogues(
            values, profile, np.asarray(analogue, np.int64), length, min_lead_in, launch
        )
    first = np.minimum(launch_index(values, launch), n_periods)
    age = np.clip(n_periods - first, 0, None)
    seen = np.arange(length)[None, :] < np.minimum(age, length)[:, None]
    history = values[
        np.arange(n_series)[:, None],
        np.clip(first[:, None] + np.arange(length), 0, n_periods - 1),
    ]
    sold = np.where(seen, history, 0.0).sum(axis=1) + _beyond_profile(values, first, length)
    expected = (
        np.where(seen, profile, 0.0).sum(axis=1) + np.maximum(age - length, 0) * profile[:, -1]
    )
    future = np.clip(age[:, None] + np.arange(horizon)[None, :], 0, length - 1)
    shape = profile[np.arange(n_series)[:, None], future]
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (sold / expected)[:, None] * shape
        fallback = np.where(age > 0, sold / np.maximum(age, 1), 0.0)[:, None]
    usable = (expected > 0) & np.isfinite(scaled).all(axis=1)
    return np.asarray(np.where(usable[:, None], scaled, fallback), dtype=np.float64)


def _beyond_profile(values: FloatArray, first: NDArray[np.int64], length: int) -> FloatArray:
    """Sales after the first ``length`` periods since launch (for items older than the profile)."""
    later = np.arange(values.shape[1])[None, :] >= (first + length)[:, None]
    return np.asarray(np.where(later, values, 0.0).sum(axis=1), dtype=np.float64)


def _with_analogues(
    values: FloatArray,
    profile: FloatArray,
    analogue: NDArray[np.int64],
    length: int,
    min_lead_in: int,
    launch: ArrayLike | None,
) -> FloatArray:
    curves = launch_curves(values, length, min_lead_in, launch=launch)
    valid = (analogue >= 0) & (analogue < len(values))
    own = curves[np.where(valid, analogue, 0)]
    use = valid & ~np.isnan(own[:, 0])
    return np.where(use[:, None], own, profile)
