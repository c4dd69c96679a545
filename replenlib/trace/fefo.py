r"""FEFO allocation: first expired, first out, for a whole panel of stock points at once.

Within each group (an item at a stock point) the eligible lots are ordered by expiry day,
earliest first (lots without expiry last, ties in the given row order), and demand :math:`D_g`
is served from that queue. With :math:`q_k` the quantity of the :math:`k`-th lot in the queue
and :math:`C_{k-1} = \sum_{j<k} q_j` what lies ahead of it,

.. math::

    a_k = \min\bigl(q_k,\; \max(D_g - C_{k-1},\, 0)\bigr),

so a later-expiring lot is touched only when every earlier-expiring one is used up. Ineligible
lots (not :attr:`~replenlib.trace.lots.LotStatus.APPROVED`: expired, recalled, held, pending,
short-dated, ...) are never allocated.

References
----------
WHO (2020), *Good storage and distribution practices for medical products*, Technical Report
Series 1025, annex 7 (stock rotation: first expiry, first out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.trace.segments import segment_cumsum


@dataclass(frozen=True)
class FefoAllocation:
    """Result of :func:`fefo_allocate`.

    Attributes
    ----------
    allocated : per lot row, the quantity taken [units]
    shortfall : per group, demand that eligible stock could not serve [units]
    queue : row indices in allocation order (group, then expiry)
    """

    allocated: NDArray[np.float64]
    shortfall: NDArray[np.float64]
    queue: NDArray[np.int64]


def fefo_order(group: ArrayLike, expiry_day: ArrayLike) -> NDArray[np.int64]:
    """Row indices sorted by group, then ``expiry_day`` [day number] (NaN = no expiry = last),
    then row order."""
    codes = np.asarray(group, dtype=np.int64)
    expiry = np.asarray(expiry_day, dtype=np.float64)
    key = np.where(np.isnan(expiry), np.inf, expiry)
    return np.lexsort((np.arange(codes.size), key, codes)).astype(np.int64)


def fefo_allocate(
    group: ArrayLike,
    expiry_day: ArrayLike,
    quantity: ArrayLike,
    demand: ArrayLike,
    eligible: ArrayLike | None = None,
) -> FefoAllocation:
    """Allocate each group's demand to its lots, earliest expiry first.

    Parameters
    ----------
    group : per lot row, the group code ``0..n_groups-1`` (item at a stock point)
    expiry_day : per lot row, expiry [day number]; NaN = does not expire
    quantity : per lot row, quantity on hand [units], ≥ 0
    demand : per group, quantity to allocate [units], ≥ 0
    eligible : per lot row, whether it may be allocated (default: all)

    Returns
    -------
    FefoAllocation
    """
    codes = np.asarray(group, dtype=np.int64)
    need = np.asarray(demand, dtype=np.float64)
    qty = np.asarray(quantity, dtype=np.float64)
    if (qty < 0).any() or (need < 0).any():
        raise ValueError("FEFO quantities and demand must be non-negative")
    ok = np.ones(codes.size, dtype=bool) if eligible is None else np.asarray(eligible, bool)
    available = np.where(ok, qty, 0.0)
    queue = fefo_order(codes, expiry_day)
    sorted_group = codes[queue]
    ahead = segment_cumsum(available[queue], sorted_group) - available[queue]
    take = np.minimum(available[queue], np.maximum(need[sorted_group] - ahead, 0.0))
    allocated = np.zeros(codes.size)
    allocated[queue] = take
    served = np.bincount(codes, weights=allocated, minlength=need.size)
    return FefoAllocation(allocated, np.maximum(need - served, 0.0), queue)
