r"""Supplier scorecards: delivery, quantity, quality, cold chain, lead-time reliability, price.

Per supplier (or any grouping, e.g. supplier × quarter for the trend, or carrier) and over a
window of history:

=========================  ====================================================================
metric                     formula (:mod:`replenlib.kpi.definitions` holds the scalar forms)
=========================  ====================================================================
on-time delivery           receipts with confirmed − early ≤ received ≤ confirmed + late ÷ receipts
quantity fill              Σ min(received, ordered) ÷ Σ ordered, over order lines due
inspection pass rate       lots passing inbound inspection ÷ lots inspected
cold-chain excursion rate  monitored inbound shipments with an excursion ÷ monitored shipments
lead-time reliability      :math:`1 - \min(\text{CV}_L, 1)`
price index                Σ quantity × price paid ÷ Σ quantity × lowest quote for the item
=========================  ====================================================================

Each becomes a component score in [0, 1] — the rates themselves, :math:`1 -` the excursion
rate, the reliability, and :math:`\min(1, 1/\text{price index})` — and the **score** is their
weighted mean over the components that have data (weights renormalised):

.. math::

    \text{score} = \frac{\sum_c w_c\, x_c\, [x_c \text{ known}]}{\sum_c w_c\, [x_c \text{ known}]}.

The **grade** is A, B, C or D by thresholds on the score (parameters); a supplier with fewer
receipts than ``min_receipts`` in the window is unrated (``-``), and one whose pass rate is
below ``quality_floor`` is D whatever the rest (a quality knock-out).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.kpi.definitions import on_time_flags, ratio_by_group


class Grade(StrEnum):
    """Supplier grade, best first; UNRATED when there is too little history."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    UNRATED = "-"


#: Rank of each grade, lower is better (unrated ranks as neutral C for comparisons).
GRADE_RANK: dict[str, int] = {"A": 0, "B": 1, "C": 2, "D": 3, "-": 2}


@dataclass(frozen=True)
class ScoreWeights:
    """Weight of each component in the score [-] (renormalised over known components)."""

    on_time: float = 0.30
    quantity_fill: float = 0.20
    quality: float = 0.30
    cold_chain: float = 0.10
    lead_time_reliability: float = 0.05
    price: float = 0.05


@dataclass(frozen=True)
class GradeThresholds:
    """Score thresholds of the grades and the minimum evidence for a grade.

    Attributes
    ----------
    a, b, c : lowest score for grade A, B, C [fraction]; below ``c`` is D
    min_receipts : receipts in the window needed for a grade
    quality_floor : pass rate below which the grade is D regardless of the score
    """

    a: float = 0.95
    b: float = 0.90
    c: float = 0.80
    min_receipts: int = 5
    quality_floor: float = 0.80

    def __post_init__(self) -> None:
        if not 0.0 <= self.c <= self.b <= self.a <= 1.0:
            raise ValueError(f"grade thresholds must satisfy 0 ≤ c ≤ b ≤ a ≤ 1, got {self}")


@dataclass(frozen=True)
class SupplierMetrics:
    """Per group, the scorecard metrics (NaN where the group has no data) and their counts."""

    n_receipts: NDArray[np.float64]
    on_time_rate: NDArray[np.float64]
    n_lines_due: NDArray[np.float64]
    quantity_fill_rate: NDArray[np.float64]
    n_inspected: NDArray[np.float64]
    pass_rate: NDArray[np.float64]
    n_monitored: NDArray[np.float64]
    excursion_rate: NDArray[np.float64]
    unknown_exposure_rate: NDArray[np.float64]
    lead_time_mean: NDArray[np.float64]
    lead_time_cv: NDArray[np.float64]
    price_index: NDArray[np.float64]


@dataclass(frozen=True)
class ReceiptRows:
    """One row per receipt: group, receipt and confirmed day [day number], lead time [days].

    ``lead_days`` is NaN on receipts that should not count as a lead-time observation (e.g.
    the second partial delivery of an order line).
    """

    group: NDArray[np.int64]
    receipt_day: NDArray[np.int64]
    confirmed_day: NDArray[np.int64]
    lead_days: NDArray[np.float64]


@dataclass(frozen=True)
class LineRows:
    """One row per purchase-order line due: group, ordered and received quantity [units]."""

    group: NDArray[np.int64]
    ordered: NDArray[np.float64]
    received: NDArray[np.float64]


@dataclass(frozen=True)
class InspectionRows:
    """One row per inspected lot: group, whether it passed."""

    group: NDArray[np.int64]
    passed: NDArray[np.bool_]


@dataclass(frozen=True)
class ShipmentRows:
    """One row per monitored shipment: group, excursion proven, exposure unknown (gap)."""

    group: NDArray[np.int64]
    excursion: NDArray[np.bool_]
    unknown: NDArray[np.bool_]


@dataclass(frozen=True)
class PurchaseRows:
    """One row per purchase-order line: group, quantity, price paid and reference price."""

    group: NDArray[np.int64]
    quantity: NDArray[np.float64]
    price: NDArray[np.float64]
    reference_price: NDArray[np.float64]


def supplier_metrics(
    n_groups: int,
    *,
    receipts: ReceiptRows,
    lines: LineRows,
    inspections: InspectionRows,
    shipments: ShipmentRows,
    purchases: PurchaseRows,
    late_days: int = 2,
    early_days: int | None = None,
) -> SupplierMetrics:
    """All scorecard metrics per group from row-level arrays (see the module docstring).

    A receipt is on time up to ``late_days`` [days] after its confirmed day and, when
    ``early_days`` [days] is given, no earlier than that before it.
    """
    on_time = on_time_flags(receipts.receipt_day, receipts.confirmed_day, late_days, early_days)
    ones = np.ones(receipts.group.size)
    has_lead = ~np.isnan(receipts.lead_days)
    lead = np.nan_to_num(receipts.lead_days)
    lt_mean = ratio_by_group(lead, has_lead, receipts.group, n_groups)
    lt_sq = ratio_by_group(
        has_lead * (lead - np.nan_to_num(lt_mean)[receipts.group]) ** 2,
        has_lead,
        receipts.group,
        n_groups,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        lt_cv = np.where(lt_mean > 0, np.sqrt(lt_sq) / lt_mean, np.nan)
    monitored = np.ones(shipments.group.size)
    return SupplierMetrics(
        n_receipts=np.bincount(receipts.group, minlength=n_groups).astype(np.float64),
        on_time_rate=ratio_by_group(on_time, ones, receipts.group, n_groups),
        n_lines_due=np.bincount(lines.group, minlength=n_groups).astype(np.float64),
        quantity_fill_rate=ratio_by_group(
            np.minimum(lines.received, lines.ordered), lines.ordered, lines.group, n_groups
        ),
        n_inspected=np.bincount(inspections.group, minlength=n_groups).astype(np.float64),
        pass_rate=ratio_by_group(
            inspections.passed, np.ones(inspections.group.size), inspections.group, n_groups
        ),
        n_monitored=np.bincount(shipments.group, minlength=n_groups).astype(np.float64),
        excursion_rate=ratio_by_group(shipments.excursion, monitored, shipments.group, n_groups),
        unknown_exposure_rate=ratio_by_group(
            shipments.unknown, monitored, shipments.group, n_groups
        ),
        lead_time_mean=lt_mean,
        lead_time_cv=lt_cv,
        price_index=ratio_by_group(
            purchases.quantity * purchases.price,
            purchases.quantity * purchases.reference_price,
            purchases.group,
            n_groups,
        ),
    )


@dataclass(frozen=True)
class Scorecard:
    """Component scores, overall score and grade per group."""

    components: dict[str, NDArray[np.float64]]
    score: NDArray[np.float64]
    grade: NDArray[np.object_]


def score_suppliers(
    metrics: SupplierMetrics,
    weights: ScoreWeights | None = None,
    thresholds: GradeThresholds | None = None,
) -> Scorecard:
    """Weighted score and grade per group (see the module docstring)."""
    w = weights or ScoreWeights()
    t = thresholds or GradeThresholds()
    with np.errstate(divide="ignore", invalid="ignore"):
        components = {
            "on_time": metrics.on_time_rate,
            "quantity_fill": metrics.quantity_fill_rate,
            "quality": metrics.pass_rate,
            "cold_chain": 1.0 - metrics.excursion_rate,
            "lead_time_reliability": 1.0 - np.minimum(metrics.lead_time_cv, 1.0),
            "price": np.minimum(1.0, 1.0 / metrics.price_index),
        }
    weight = {f.name: float(getattr(w, f.name)) for f in fields(w)}
    top = sum(weight[c] * np.nan_to_num(x) for c, x in components.items())
    bottom = sum(weight[c] * ~np.isnan(x) for c, x in components.items())
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(np.asarray(bottom) > 0, np.asarray(top) / bottom, np.nan)
    return Scorecard(components, score, grade_scores(score, metrics, t))


def grade_scores(
    score: ArrayLike, metrics: SupplierMetrics, thresholds: GradeThresholds
) -> NDArray[np.object_]:
    """Grade per group from its score, evidence and pass rate (module docstring)."""
    s = np.asarray(score, dtype=np.float64)
    knocked_out = metrics.pass_rate < thresholds.quality_floor  # NaN compares False
    grade = np.select(
        [
            metrics.n_receipts < thresholds.min_receipts,
            knocked_out,
            s >= thresholds.a,
            s >= thresholds.b,
            s >= thresholds.c,
        ],
        [Grade.UNRATED.value, Grade.D.value, Grade.A.value, Grade.B.value, Grade.C.value],
        default=Grade.D.value,
    )
    return np.asarray(grade, dtype=object)


class Trend(StrEnum):
    """Direction of a supplier's score over recent periods."""

    IMPROVING = "improving"
    STABLE = "stable"
    DECLINING = "declining"
    UNKNOWN = "unknown"


def score_trend(
    score_by_period: NDArray[np.float64], tolerance: float = 0.02, lookback: int = 3
) -> NDArray[np.object_]:
    """Trend per group: last period's score against the mean of the ``lookback`` before it.

    ``score_by_period`` is groups × periods, oldest first, NaN where a period had no data.
    A change beyond ``tolerance`` [score points] is improving or declining.
    """
    last = score_by_period[:, -1]
    previous = score_by_period[:, -1 - lookback : -1]
    known = ~np.isnan(previous)
    with np.errstate(invalid="ignore"):
        base = np.where(
            known.any(axis=1),
            np.nansum(previous, axis=1) / np.maximum(known.sum(axis=1), 1),
            np.nan,
        )
    delta = last - base
    trend = np.select(
        [np.isnan(delta), delta > tolerance, delta < -tolerance],
        [Trend.UNKNOWN.value, Trend.IMPROVING.value, Trend.DECLINING.value],
        default=Trend.STABLE.value,
    )
    return np.asarray(trend, dtype=object)


def grade_fell(grade_now: ArrayLike, grade_before: ArrayLike) -> NDArray[np.bool_]:
    """Whether the grade got worse between two periods (unrated never counts as a fall)."""
    now = np.asarray(grade_now, dtype=object)
    before = np.asarray(grade_before, dtype=object)
    rated = (now != Grade.UNRATED.value) & (before != Grade.UNRATED.value)
    return np.asarray(rated & (grade_rank(now) > grade_rank(before)), dtype=bool)


def grade_rank(grades: ArrayLike) -> NDArray[np.int64]:
    """Rank per grade label (see :data:`GRADE_RANK`); lower is better."""
    labels = np.asarray(grades, dtype=object)
    keys = list(GRADE_RANK)
    return np.asarray(
        np.select([labels == k for k in keys], [GRADE_RANK[k] for k in keys], default=2),
        dtype=np.int64,
    )
