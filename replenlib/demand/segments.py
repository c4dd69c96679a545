r"""Segments of every item-location: ABC by value and volume, XYZ, demand class and lifecycle.

All thresholds are fields of :class:`SegmentThresholds`. Statistics use the last ``window``
periods (default 52 weeks) unless said otherwise.

* **ABC** (Pareto): series sorted by decreasing volume [units] or value [CNY] = volume ×
  unit cost; a series is *A* while the cumulative share *before* it is below ``abc[0]``
  (80 %), *B* below ``abc[1]`` (95 %), else *C*. Series without demand are *C*.
* **XYZ**: coefficient of variation :math:`\sigma/\mu` of per-period demand (zeros included)
  since the series' first demand in the window: *X* ≤ ``xyz[0]`` (0.5), *Y* ≤ ``xyz[1]``
  (1.0), else *Z* (also without demand).
* **Demand class**: Syntetos–Boylan (:mod:`.segmentation`) over the whole history.
* **Lifecycle**, checked in this order:

  ============  ================================================================================
  end_of_life   inactive in the item master, or no demand for ``end_of_life_periods``
                after earlier demand, or no demand at all
  new           fewer than ``new_periods`` periods since launch (item master) or first demand
  growth        :math:`r \ge` ``growth_ratio``, with :math:`r = \bar y_\text{last} / \bar y_\text{before}`
                the mean of the last ``trend_window`` periods over the mean of the same
                periods one season (``season_length``) earlier — year over year, so a
                seasonal item is not "growing" every spring — or, with too short a
                history, of the periods just before; and the change is significant: :math:`|\bar y_\text{last} - \bar y_\text{before}|
                \ge t \sqrt{(s^2_\text{last} + s^2_\text{before})/w}` with :math:`t` =
                ``trend_t`` (a two-sample *t* statistic, so noise in intermittent series
                does not read as a trend)
  decline       :math:`r \le` ``decline_ratio``, significant likewise
  mature        otherwise, and whenever the two windows hold fewer than ``min_trend_units``
  ============  ================================================================================

Criticality, risk class and cold chain come from the item master unchanged: the policy layer
combines them with these arrays into a strictness tier (:mod:`replenlib.policy.strategy`).

References
----------
Silver, Pyke & Thomas (2017), section 2.4 (ABC classification). Scholz-Reiter, B. et al.
(2012). Demand forecasting with XYZ analysis. *Procedia CIRP* 3. Syntetos, Boylan & Croston
(2005), see :mod:`.segmentation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.paths import FloatArray
from replenlib.demand.segmentation import ADI_CUTOFF, CV2_CUTOFF, classify, first_demand_index


class AbcClass(StrEnum):
    """Pareto class by volume or value."""

    A = "A"
    B = "B"
    C = "C"


class XyzClass(StrEnum):
    """Variability class by coefficient of variation."""

    X = "X"
    Y = "Y"
    Z = "Z"


class Lifecycle(StrEnum):
    """Lifecycle stage of an item-location."""

    NEW = "new"
    GROWTH = "growth"
    MATURE = "mature"
    DECLINE = "decline"
    END_OF_LIFE = "end_of_life"


@dataclass(frozen=True)
class SegmentThresholds:
    """Cut-offs of every segmentation; periods are the panel's periods (weeks in the pipeline)."""

    abc: tuple[float, float] = (0.80, 0.95)  #: cumulative share limits of A and B [-]
    xyz: tuple[float, float] = (0.5, 1.0)  #: CV limits of X and Y [-]
    adi_cutoff: float = ADI_CUTOFF  #: [periods]
    cv2_cutoff: float = CV2_CUTOFF  #: [-]
    min_periods: int = 8  #: fewer periods since first demand = Syntetos–Boylan class "new"
    window: int = 52  #: recent periods for ABC and XYZ [periods]
    new_periods: int = 26  #: younger than this = lifecycle "new" [periods]
    trend_window: int = 26  #: length of each window compared for growth/decline [periods]
    growth_ratio: float = 1.3  #: [-]
    decline_ratio: float = 0.7  #: [-]
    min_trend_units: float = 12.0  #: less demand in both windows = "mature" [units]
    trend_t: float = 2.0  #: t statistic a growth or decline must reach [-]
    season_length: int = 52  #: growth and decline compare with one season earlier [periods]
    end_of_life_periods: int = 26  #: this long without demand = end of life [periods]


@dataclass(frozen=True)
class Segments:
    """Segment arrays, one element per series (object arrays hold the enum values).

    Attributes
    ----------
    abc_value, abc_volume : :class:`AbcClass` by value [CNY] and by volume [units]
    xyz : :class:`XyzClass`
    demand_class : :class:`~replenlib.demand.segmentation.DemandClass`
    lifecycle : :class:`Lifecycle`
    volume : demand over the window [units]
    value : volume × unit cost [CNY]
    cv : coefficient of variation of per-period demand in the window [-]
    adi : average inter-demand interval [periods]; cv2 : squared CV of demand sizes [-]
    trend_ratio : recent over previous window mean [-] (NaN when undefined)
    age : periods since launch or first demand [periods]
    criticality, risk_class, is_cold_chain : item master, passed through
    """

    abc_value: NDArray[np.object_]
    abc_volume: NDArray[np.object_]
    xyz: NDArray[np.object_]
    demand_class: NDArray[np.object_]
    lifecycle: NDArray[np.object_]
    volume: FloatArray
    value: FloatArray
    cv: FloatArray
    adi: FloatArray
    cv2: FloatArray
    trend_ratio: FloatArray
    age: FloatArray
    criticality: NDArray[np.object_]
    risk_class: NDArray[np.object_]
    is_cold_chain: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.abc_value)


def abc_classes(
    amount: ArrayLike, limits: tuple[float, float] = (0.80, 0.95)
) -> NDArray[np.object_]:
    """Pareto classes of ``amount`` (volume or value per series): see the module docstring."""
    x = np.nan_to_num(np.asarray(amount, dtype=np.float64), nan=0.0)
    order = np.argsort(-x, kind="stable")
    total = x.sum()
    before = np.empty_like(x)
    before[order] = (np.cumsum(x[order]) - x[order]) / total if total > 0 else 1.0
    classes = np.select(
        [before < limits[0], before < limits[1]], [AbcClass.A, AbcClass.B], AbcClass.C
    )
    return np.asarray(np.where(x > 0, classes, AbcClass.C), dtype=object)


def xyz_classes(cv: ArrayLike, limits: tuple[float, float] = (0.5, 1.0)) -> NDArray[np.object_]:
    """Variability classes of the coefficients of variation ``cv`` (NaN = Z)."""
    c = np.asarray(cv, dtype=np.float64)
    classes = np.select([c <= limits[0], c <= limits[1]], [XyzClass.X, XyzClass.Y], XyzClass.Z)
    return np.asarray(classes, dtype=object)


def window_statistics(y: FloatArray, window: int) -> tuple[FloatArray, FloatArray]:
    """Volume [units] and CV [-] of each row over its last ``window`` periods.

    The CV counts periods from the row's first demand inside the window (zeros included).
    """
    recent = np.nan_to_num(y[:, -window:], nan=0.0)
    live = np.arange(recent.shape[1])[None, :] >= first_demand_index(recent)[:, None]
    count = live.sum(axis=1)
    volume = recent.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = volume / count
        var = np.where(live, (recent - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(
            count - 1, 1
        )
        cv = np.where(volume > 0, np.sqrt(var) / mean, np.nan)
    return volume, cv


def lifecycle_stages(
    y: FloatArray,
    thresholds: SegmentThresholds = SegmentThresholds(),
    *,
    periods_since_launch: ArrayLike | None = None,
    is_active: ArrayLike | None = None,
) -> tuple[NDArray[np.object_], FloatArray, FloatArray]:
    """Lifecycle stage, trend ratio and age per row (module docstring)."""
    values = np.nan_to_num(y, nan=0.0)
    n_series, n_periods = values.shape
    first = first_demand_index(values)
    positive = values > 0
    last = n_periods - 1 - np.argmax(positive[:, ::-1], axis=1)
    idle = np.where(positive.any(axis=1), n_periods - 1 - last, n_periods)
    age = (n_periods - first).astype(np.float64)
    if periods_since_launch is not None:
        launch = np.asarray(periods_since_launch, dtype=np.float64)
        age = np.where(np.isnan(launch), age, np.minimum(np.maximum(age, 0), launch))
    w = thresholds.trend_window
    lag = thresholds.season_length if n_periods >= thresholds.season_length + w else w
    last_window, previous_window = values[:, -w:], values[:, n_periods - lag - w : n_periods - lag]
    recent, before = last_window.sum(axis=1), previous_window.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(before > 0, recent / before, np.where(recent > 0, np.inf, np.nan))
        spread = np.sqrt(
            (last_window.var(axis=1, ddof=1) + previous_window.var(axis=1, ddof=1)) / w
        )
    active = np.ones(n_series, bool) if is_active is None else np.asarray(is_active, dtype=bool)
    change = np.abs(recent - before) / w
    enough = ((recent + before) >= thresholds.min_trend_units) & (
        change >= thresholds.trend_t * spread
    )
    stage = np.select(
        [
            ~active | ~positive.any(axis=1) | (idle >= thresholds.end_of_life_periods),
            age < thresholds.new_periods,
            enough & (ratio >= thresholds.growth_ratio),
            enough & (ratio <= thresholds.decline_ratio),
        ],
        [Lifecycle.END_OF_LIFE, Lifecycle.NEW, Lifecycle.GROWTH, Lifecycle.DECLINE],
        default=Lifecycle.MATURE,
    )
    return np.asarray(stage, dtype=object), np.where(np.isinf(ratio), np.nan, ratio), age


def segment(
    y: ArrayLike,
    unit_cost: ArrayLike,
    *,
    criticality: ArrayLike | None = None,
    risk_class: ArrayLike | None = None,
    is_cold_chain: ArrayLike | None = None,
    is_active: ArrayLike | None = None,
    periods_since_launch: ArrayLike | None = None,
    thresholds: SegmentThresholds = SegmentThresholds(),
) -> Segments:
    """All segment arrays for a panel ``y`` (series × periods, oldest first) [units/period].

    Parameters
    ----------
    unit_cost : (series,) [CNY/unit]
    criticality, risk_class, is_cold_chain : (series,) item master columns (passed through)
    is_active : (series,) False for items past their end-of-life date
    periods_since_launch : (series,) from the item master's launch date [periods]; NaN unknown
    """
    values = np.asarray(y, dtype=np.float64)
    n = len(values)
    volume, cv = window_statistics(values, thresholds.window)
    value = volume * np.asarray(unit_cost, dtype=np.float64)
    sb = classify(
        values,
        adi_cutoff=thresholds.adi_cutoff,
        cv2_cutoff=thresholds.cv2_cutoff,
        min_periods=thresholds.min_periods,
    )
    stage, ratio, age = lifecycle_stages(
        values, thresholds, periods_since_launch=periods_since_launch, is_active=is_active
    )
    return Segments(
        abc_value=abc_classes(value, thresholds.abc),
        abc_volume=abc_classes(volume, thresholds.abc),
        xyz=xyz_classes(cv, thresholds.xyz),
        demand_class=sb.demand_class,
        lifecycle=stage,
        volume=volume,
        value=value,
        cv=cv,
        adi=sb.adi,
        cv2=sb.cv2,
        trend_ratio=ratio,
        age=age,
        criticality=_passthrough(criticality, n, None),
        risk_class=_passthrough(risk_class, n, None),
        is_cold_chain=np.zeros(n, bool)
        if is_cold_chain is None
        else np.asarray(is_cold_chain, bool),
    )


def _passthrough(values: ArrayLike | None, n: int, default: object) -> NDArray[np.object_]:
    if values is None:
        return np.full(n, default, dtype=object)
    return np.asarray(values, dtype=object)
