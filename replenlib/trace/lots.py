r"""Lot status and usable stock: one status per stock row, derived from everything known about it.

A stock row (item, location, lot, snapshot status, quantity) can be unusable for many reasons:
the lot is named in a recall, damaged, expired, blocked by inbound inspection, exposed to a
cold-chain excursion, still waiting for inspection, parked in a quarantine location, put on
hold, or too close to expiry for a customer to accept it. :func:`derive_lot_status` folds the
reasons into one :class:`LotStatus` by a fixed precedence (the worst reason wins):

``recalled > damaged > expired > quarantined (blocked) > excursion > inspection_pending >
quarantined (location) > on_hold > short_dated > approved``

and **usable stock** is exactly the quantity whose status is :attr:`LotStatus.APPROVED`:

.. math::

    \text{usable}_{i,l} = \sum_{\text{lots } k} q_{i,l,k}\,
    [\text{status}_{i,l,k} = \text{approved}],

where approved also requires the remaining shelf life to cover the customer's minimum:
:math:`\text{expiry} - \text{as of} \ge \text{min remaining shelf life}` [days]. Expired,
recalled and held stock is therefore never counted towards an order and never allocated
(:func:`replenlib.trace.fefo.fefo_allocate` takes :func:`usable_mask` as its eligibility).

Days are integers or floats on one axis (e.g. days since 1970-01-01); ``NaN`` expiry means the
lot does not expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray


class LotStatus(StrEnum):
    """Status of stock of one lot at one location, worst reason first in the precedence."""

    RECALLED = "recalled"
    DAMAGED = "damaged"
    EXPIRED = "expired"
    QUARANTINED = "quarantined"
    EXCURSION = "excursion"
    INSPECTION_PENDING = "inspection_pending"
    ON_HOLD = "on_hold"
    SHORT_DATED = "short_dated"
    APPROVED = "approved"


class HoldKind(StrEnum):
    """Why a hold was placed on a lot (table ``lot_holds``)."""

    RECALL = "recall"
    QUARANTINE = "quarantine"
    EXCURSION = "excursion"
    DAMAGED = "damaged"
    MANUAL = "manual"


class InspectionResult(StrEnum):
    """Inbound inspection state of a lot: receipts enter as pending, QMS releases or blocks."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


#: Snapshot statuses of ``stock_on_hand`` (WMS) and what each says about the lot.
STOCK_STATUSES: tuple[str, ...] = (
    "available",
    "quarantine",
    "blocked",
    "on_hold",
    "recalled",
    "expired",
    "damaged",
)


@dataclass(frozen=True)
class LotConditions:
    """Everything known about each stock row, as aligned arrays.

    Attributes
    ----------
    stock_status : WMS snapshot status per row, one of :data:`STOCK_STATUSES`
    inspection : :class:`InspectionResult` value per row (the lot's latest QMS result)
    active_holds : per row, a set-like string of active hold kinds joined by ``","``
        (``""`` = none), e.g. ``"excursion,manual"``
    in_recall : the lot is named by a recall announced on or before the as-of day
    expiry_day : expiry [day number]; NaN = does not expire
    min_remaining_days : shelf life a customer must still get [days]; NaN = 0
    as_of_day : the planning day [day number]
    """

    stock_status: NDArray[np.object_]
    inspection: NDArray[np.object_]
    active_holds: NDArray[np.object_]
    in_recall: NDArray[np.bool_]
    expiry_day: NDArray[np.float64]
    min_remaining_days: NDArray[np.float64]
    as_of_day: float


def lot_conditions(
    *,
    stock_status: ArrayLike,
    inspection: ArrayLike,
    active_holds: ArrayLike,
    in_recall: ArrayLike,
    expiry_day: ArrayLike,
    min_remaining_days: ArrayLike,
    as_of_day: float,
) -> LotConditions:
    """Build :class:`LotConditions` from array-likes, checking that every label is known.

    ``expiry_day`` and ``as_of_day`` are day numbers [days]; ``min_remaining_days`` [days].
    """
    status = np.asarray(stock_status, dtype=object)
    unknown = sorted(set(status.tolist()) - set(STOCK_STATUSES))
    if unknown:
        raise ValueError(f"unknown stock status {unknown[0]!r}; expected one of {STOCK_STATUSES}")
    result = np.asarray(inspection, dtype=object)
    bad = sorted(set(result.tolist()) - {r.value for r in InspectionResult})
    if bad:
        raise ValueError(f"unknown inspection result {bad[0]!r}; expected pending/passed/failed")
    return LotConditions(
        stock_status=status,
        inspection=result,
        active_holds=np.asarray(active_holds, dtype=object),
        in_recall=np.asarray(in_recall, dtype=bool),
        expiry_day=np.asarray(expiry_day, dtype=np.float64),
        min_remaining_days=np.nan_to_num(np.asarray(min_remaining_days, dtype=np.float64)),
        as_of_day=float(as_of_day),
    )


def _has_hold(holds: NDArray[np.object_], kind: HoldKind) -> NDArray[np.bool_]:
    """Whether each row's comma-joined active holds include ``kind``."""
    text = np.char.add(np.char.add(",", holds.astype(str)), ",")
    return np.char.find(text, f",{kind.value},") >= 0


def derive_lot_status(conditions: LotConditions) -> NDArray[np.object_]:
    """One :class:`LotStatus` per row by the precedence in the module docstring."""
    c = conditions
    stock, holds = c.stock_status, c.active_holds
    remaining = c.expiry_day - c.as_of_day  # NaN for lots that do not expire
    with np.errstate(invalid="ignore"):
        expired = (remaining <= 0) | (stock == "expired")
        short_dated = remaining < c.min_remaining_days
    rules = [
        (c.in_recall | (stock == "recalled") | _has_hold(holds, HoldKind.RECALL)),
        (stock == "damaged") | _has_hold(holds, HoldKind.DAMAGED),
        expired,
        (c.inspection == InspectionResult.FAILED.value)
        | (stock == "blocked")
        | _has_hold(holds, HoldKind.QUARANTINE),
        _has_hold(holds, HoldKind.EXCURSION),
        c.inspection == InspectionResult.PENDING.value,
        stock == "quarantine",
        (stock == "on_hold") | _has_hold(holds, HoldKind.MANUAL),
        short_dated,
    ]
    statuses = [
        LotStatus.RECALLED,
        LotStatus.DAMAGED,
        LotStatus.EXPIRED,
        LotStatus.QUARANTINED,
        LotStatus.EXCURSION,
        LotStatus.INSPECTION_PENDING,
        LotStatus.QUARANTINED,
        LotStatus.ON_HOLD,
        LotStatus.SHORT_DATED,
    ]
    choice = np.select(rules, [s.value for s in statuses], default=LotStatus.APPROVED.value)
    return np.asarray(choice, dtype=object)


def usable_mask(status: ArrayLike) -> NDArray[np.bool_]:
    """Rows whose stock may be counted towards an order and allocated (status approved)."""
    return np.asarray(np.asarray(status, dtype=object) == LotStatus.APPROVED.value, dtype=bool)


@dataclass(frozen=True)
class StockByStatus:
    """Quantity per group and status: ``quantity[g, s]`` for status ``STATUS_ORDER[s]``."""

    quantity: NDArray[np.float64]

    @property
    def usable(self) -> NDArray[np.float64]:
        """Usable (approved) quantity per group [units]."""
        return self.quantity[:, STATUS_ORDER.index(LotStatus.APPROVED)]

    def of(self, status: LotStatus) -> NDArray[np.float64]:
        """Quantity per group in ``status`` [units]."""
        return self.quantity[:, STATUS_ORDER.index(status)]


#: Column order of :attr:`StockByStatus.quantity`.
STATUS_ORDER: tuple[LotStatus, ...] = tuple(LotStatus)


def stock_by_status(
    group: ArrayLike, status: ArrayLike, quantity: ArrayLike, n_groups: int
) -> StockByStatus:
    """Sum ``quantity`` per group (int codes ``0..n_groups-1``) and status [units]."""
    codes = np.asarray(group, dtype=np.int64)
    labels = np.asarray(status, dtype=object)
    column = np.full(labels.shape, -1, dtype=np.int64)
    for k, s in enumerate(STATUS_ORDER):  # 9 statuses: a loop over labels, not over rows
        column[labels == s.value] = k
    if (column < 0).any():
        raise ValueError(f"unknown lot status {labels[column < 0][0]!r}")
    flat = np.bincount(
        codes * len(STATUS_ORDER) + column,
        weights=np.asarray(quantity, dtype=np.float64),
        minlength=n_groups * len(STATUS_ORDER),
    )
    return StockByStatus(flat.reshape(n_groups, len(STATUS_ORDER)).astype(np.float64))
