r"""Demand classification of a panel of series (Syntetos–Boylan).

For each series the statistics are computed from its first non-zero period onwards, so a
product launched late is not mistaken for an intermittent one:

.. math::

    \mathrm{ADI} = \frac{n_\text{periods}}{n_\text{non-zero}}, \qquad
    \mathrm{CV}^2 = \left(\frac{\sigma(y \mid y > 0)}{\mu(y \mid y > 0)}\right)^2

Cut-offs ADI = 1.32 and CV² = 0.49 split four classes: *smooth* (low ADI, low CV²),
*erratic* (low ADI, high CV²), *intermittent* (high ADI, low CV²) and *lumpy* (high ADI, high
CV²). Series with no demand at all are *no_demand*; series with fewer than ``min_periods``
periods since their first demand are *new* (their statistics are not yet meaningful).

References
----------
Syntetos, A. A., Boylan, J. E. & Croston, J. D. (2005). On the categorization of demand
patterns. *Journal of the Operational Research Society* 56(5), 495–503.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49


class DemandClass(StrEnum):
    """Syntetos–Boylan demand class, plus the two cases the classification cannot judge."""

    SMOOTH = "smooth"
    ERRATIC = "erratic"
    INTERMITTENT = "intermittent"
    LUMPY = "lumpy"
    NEW = "new"
    NO_DEMAND = "no_demand"

    @property
    def is_intermittent(self) -> bool:
        """True for the classes Croston-type methods serve (intermittent and lumpy)."""
        return self in (DemandClass.INTERMITTENT, DemandClass.LUMPY)


@dataclass(frozen=True)
class Segmentation:
    """Per-series demand statistics and class; arrays of length ``n_series``.

    Attributes
    ----------
    adi : average inter-demand interval [periods]; NaN without demand
    cv2 : squared coefficient of variation of non-zero demand sizes [-]; NaN with < 2 demands
    n_periods : periods since the first non-zero demand (inclusive) [periods]
    demand_class : object array of class names (the values of :class:`DemandClass`)
    """

    adi: NDArray[np.float64]
    cv2: NDArray[np.float64]
    n_periods: NDArray[np.int64]
    demand_class: NDArray[np.object_]


def first_demand_index(y: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of the first positive value in each row; ``n_periods`` for rows without one."""
    positive = np.nan_to_num(y, nan=0.0) > 0
    first = np.argmax(positive, axis=1)
    index: NDArray[np.int64] = np.where(positive.any(axis=1), first, y.shape[1]).astype(np.int64)
    return index


def classify(
    y: NDArray[np.float64],
    *,
    adi_cutoff: float = ADI_CUTOFF,
    cv2_cutoff: float = CV2_CUTOFF,
    min_periods: int = 8,
) -> Segmentation:
    """Classify each row of ``y`` (series × periods, non-negative; NaN counts as zero)."""
    values = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    start = first_demand_index(values)
    n_periods = values.shape[1] - start
    positive = values > 0
    n_nonzero = positive.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        adi = np.where(n_nonzero > 0, n_periods / n_nonzero, np.nan)
        sizes = np.where(positive, values, np.nan)
        mean = np.nanmean(np.where(n_nonzero[:, None] > 0, sizes, 0.0), axis=1)
        std = np.sqrt(
            np.nansum((sizes - mean[:, None]) ** 2, axis=1) / np.maximum(n_nonzero - 1, 1)
        )
        cv2 = np.where(n_nonzero >= 2, (std / mean) ** 2, np.nan)
    demand_class = _assign(adi, cv2, n_nonzero, n_periods, adi_cutoff, cv2_cutoff, min_periods)
    return Segmentation(adi=adi, cv2=cv2, n_periods=n_periods, demand_class=demand_class)


def _assign(
    adi: NDArray[np.float64],
    cv2: NDArray[np.float64],
    n_nonzero: NDArray[np.int64],
    n_periods: NDArray[np.int64],
    adi_cutoff: float,
    cv2_cutoff: float,
    min_periods: int,
) -> NDArray[np.object_]:
    high_adi = adi >= adi_cutoff
    high_cv2 = np.nan_to_num(cv2, nan=0.0) >= cv2_cutoff
    classes = np.select(
        [n_nonzero == 0, n_periods < min_periods, high_adi & high_cv2, high_adi, high_cv2],
        [
            DemandClass.NO_DEMAND,
            DemandClass.NEW,
            DemandClass.LUMPY,
            DemandClass.INTERMITTENT,
            DemandClass.ERRATIC,
        ],
        default=DemandClass.SMOOTH,
    )
    return np.asarray(classes, dtype=object)
