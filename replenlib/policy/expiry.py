r"""Shelf life in the policy: usable stock, caps on order-up-to and order size, write-off.

A lot is *sellable* until :math:`m` days before it expires, :math:`m` being the minimum
remaining shelf life a customer accepts. Stock is used first-expired-first-out (FEFO) at the
forecast rate :math:`d` [units/day]; the deterministic (fluid) FEFO approximation gives, for
lots sorted by sell-by day :math:`e_1 \le e_2 \le \dots` with quantities :math:`q_i`,

.. math::

    \text{used}_i = \min\bigl(q_i,\ \max(0,\ d\,e_i - \textstyle\sum_{j<i} \text{used}_j)\bigr),
    \qquad \text{write-off} = \sum_i (q_i - \text{used}_i).

A new lot arrives after the lead time :math:`L` and stays sellable for :math:`u` days
(shelf life minus age at receipt minus :math:`m`). So that no ordered unit and no unit of
safety stock is planned to expire,

.. math::

    Q \le d\,u, \qquad S \le d\,(L + u),

(everything in the inventory position after ordering must be used before the newest lot's
sell-by day). Items without expiry have :math:`u = \infty`.

References
----------
Silver, Pyke & Thomas (2017), §7.10 (perishable items: the shelf-life constraint on the order
quantity). Nahmias, S. (2011). *Perishable Inventory Systems*. Springer (FIFO/FEFO issuing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

#: Days a received lot is assumed old on arrival, for the shelf-life cap [days].
AGE_AT_RECEIPT_DAYS = 30.0


def usable_stock(
    lot_quantity: ArrayLike, days_to_expiry: ArrayLike, min_remaining_days: ArrayLike
) -> FloatArray:
    """Stock per row in lots that are still sellable [units].

    ``lot_quantity`` and ``days_to_expiry`` are rows × lots (NaN pads unused lots; an
    ``inf`` or NaN expiry on a real lot means it does not expire); ``min_remaining_days`` is
    per row [days]. A lot counts when more than the minimum remaining shelf life is left.
    """
    q = np.nan_to_num(np.atleast_2d(np.asarray(lot_quantity, dtype=np.float64)), nan=0.0)
    days = np.atleast_2d(np.asarray(days_to_expiry, dtype=np.float64))
    days = np.where(np.isnan(days), np.inf, days)
    minimum = np.asarray(min_remaining_days, dtype=np.float64).reshape(-1, 1)
    return np.asarray(np.where(days > minimum, q, 0.0).sum(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class ExpiryOutlook:
    """What FEFO use at the forecast rate makes of the lots on hand, per row."""

    usable: FloatArray  #: sellable now [units]
    used_before_expiry: FloatArray  #: expected to be used before sell-by [units]
    expected_write_off: FloatArray  #: expected to expire unused (incl. unsellable now) [units]


def fefo_outlook(
    lot_quantity: ArrayLike,
    days_to_expiry: ArrayLike,
    min_remaining_days: ArrayLike,
    demand_rate: ArrayLike,
) -> ExpiryOutlook:
    """Expected use and write-off of the lots on hand under FEFO (module docstring).

    Parameters
    ----------
    lot_quantity, days_to_expiry : rows × lots [units], [days] (NaN pads)
    min_remaining_days : per row [days]
    demand_rate : forecast demand per row [units/day]
    """
    q = np.nan_to_num(np.atleast_2d(np.asarray(lot_quantity, dtype=np.float64)), nan=0.0)
    days = np.atleast_2d(np.asarray(days_to_expiry, dtype=np.float64))
    sell_by = np.where(np.isnan(days), np.inf, days) - np.asarray(
        min_remaining_days, dtype=np.float64
    ).reshape(-1, 1)
    order = np.argsort(sell_by, axis=1, kind="stable")
    q, sell_by = np.take_along_axis(q, order, 1), np.take_along_axis(sell_by, order, 1)
    rate = np.asarray(demand_rate, dtype=np.float64).reshape(-1, 1)
    with np.errstate(invalid="ignore"):
        demand_by = np.where(np.isinf(sell_by), np.inf, rate * np.maximum(sell_by, 0.0))
    used = _fefo_use(q, demand_by)
    usable = np.where(sell_by > 0, q, 0.0).sum(axis=1)
    used_total = used.sum(axis=1)
    return ExpiryOutlook(usable, used_total, q.sum(axis=1) - used_total)


def _fefo_use(quantity: FloatArray, demand_by: FloatArray) -> FloatArray:
    """Units of each (sell-by sorted) lot used under FEFO.

    Demand until lot i's sell-by day that lots 1..i-1 did not serve goes to lot i first, so
    lot i supplies :math:`\\min(q_i, \\max(0, D(e_i) - \\text{used}_{1..i-1}))`. The loop
    runs over the short lot axis; every row is computed at once.
    """
    cumulative = np.zeros(quantity.shape[0])
    used = np.zeros_like(quantity)
    for lot in range(quantity.shape[1]):
        reach = np.minimum(cumulative + quantity[:, lot], demand_by[:, lot])
        take = np.clip(reach - cumulative, 0.0, quantity[:, lot])
        used[:, lot] = take
        cumulative = cumulative + take
    return used


@dataclass(frozen=True)
class ExpiryCaps:
    """Limits that keep planned stock sellable, per row [units]; ``inf`` without expiry."""

    max_order_quantity: FloatArray  #: :math:`d\\,u`
    max_order_up_to: FloatArray  #: :math:`d\\,(L + u)`


def expiry_caps(
    demand_rate: ArrayLike, lead_time_mean: ArrayLike, sellable_days_at_receipt: ArrayLike
) -> ExpiryCaps:
    """Caps on Q and S so expected use before expiry covers them (module docstring).

    Parameters
    ----------
    demand_rate : [units/day]
    lead_time_mean : [days]
    sellable_days_at_receipt : :math:`u` [days]; NaN or inf when the item does not expire
    """
    d = np.asarray(demand_rate, dtype=np.float64)
    u = np.asarray(sellable_days_at_receipt, dtype=np.float64)
    u = np.where(np.isnan(u), np.inf, np.maximum(u, 0.0))
    lead = np.asarray(lead_time_mean, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        q_cap = np.where(np.isinf(u), np.inf, d * u)
        s_cap = np.where(np.isinf(u), np.inf, d * (lead + u))
    return ExpiryCaps(np.asarray(q_cap, dtype=np.float64), np.asarray(s_cap, dtype=np.float64))


@dataclass(frozen=True)
class CappedLevels:
    """Reorder point, order-up-to and order quantity after the expiry caps [units]."""

    reorder_point: FloatArray
    order_up_to: FloatArray
    order_quantity: FloatArray
    capped: NDArray[np.bool_]  #: a cap lowered at least one of the three


def cap_levels(
    reorder_point: ArrayLike,
    order_up_to: ArrayLike,
    order_quantity: ArrayLike,
    caps: ExpiryCaps,
) -> CappedLevels:
    """Lower Q, then S, then s until :math:`Q \\le d u` and :math:`s \\le S \\le d (L+u)`.

    The gap :math:`S - s` is kept where the cap allows, so a capped row still orders; the
    safety stock goes first, because stock that will expire protects nothing. Levels and
    quantities in [units].
    """
    s = np.asarray(reorder_point, dtype=np.float64)
    big_s = np.asarray(order_up_to, dtype=np.float64)
    q = np.minimum(np.asarray(order_quantity, dtype=np.float64), caps.max_order_quantity)
    new_big_s = np.minimum(big_s, caps.max_order_up_to)
    gap = np.minimum(big_s - s, q)
    new_s = np.minimum(s, np.maximum(new_big_s - gap, 0.0))
    wanted = np.asarray(order_quantity, dtype=np.float64)
    capped = (new_big_s < big_s - 1e-9) | (new_s < s - 1e-9) | (q < wanted - 1e-9)
    return CappedLevels(new_s, new_big_s, q, capped)
