r"""Projected stock per day, with and without a proposed order.

With on-hand stock :math:`I_0`, a constant demand rate :math:`d` [units/day], scheduled
receipts :math:`r_k` arriving at the start of day :math:`k` (open purchase orders, transfers in
transit, open proposals) and an order of :math:`q` units arriving at the start of day
:math:`a`, the stock at the end of day :math:`t = 0, 1, \dots, H-1` is

.. math::

    I^{\text{without}}_t = I_0 + \sum_{k \le t} r_k - d\,(t + 1), \qquad
    I^{\text{with}}_t = I^{\text{without}}_t + q\,[t \ge a].

Negative values are unmet demand (the depth of a stockout), not physical stock; the first day
with :math:`I_t < 0` is the projected stockout day.

References
----------
Silver, Pyke & Thomas (2017), *Inventory and Production Management in Supply Chains*, 4th ed.,
section 4.3 (inventory position and projected net stock).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class StockProjection:
    """Projected end-of-day stock, series × days [units], and the first stockout day."""

    without_order: NDArray[np.float64]
    with_order: NDArray[np.float64]
    stockout_day_without: NDArray[np.int64]  #: first day < 0; ``horizon`` when none [day]
    stockout_day_with: NDArray[np.int64]  #: same, with the order [day]


def scheduled_receipts(
    series_row: NDArray[np.int64],
    arrival_day: NDArray[np.int64],
    quantity: NDArray[np.float64],
    n_series: int,
    horizon_days: int,
) -> NDArray[np.float64]:
    """Scatter receipt lines into a series × days array; overdue lines arrive on day 0.

    ``quantity`` [units] per line, ``arrival_day`` [days from today]; lines arriving at or
    after ``horizon_days`` [days] are left out.
    """
    receipts = np.zeros((n_series, horizon_days))
    day = np.maximum(np.asarray(arrival_day, dtype=np.int64), 0)
    keep = day < horizon_days
    np.add.at(receipts, (np.asarray(series_row)[keep], day[keep]), np.asarray(quantity)[keep])
    return receipts


def project_stock(
    *,
    on_hand: NDArray[np.float64],
    demand_rate: NDArray[np.float64],
    receipts: NDArray[np.float64],
    order_quantity: NDArray[np.float64],
    order_arrival_day: NDArray[np.int64],
    horizon_days: int,
) -> StockProjection:
    """Project stock without and with the order (see the module docstring).

    Parameters
    ----------
    on_hand : usable stock now [units], shape (n,)
    demand_rate : expected demand [units/day], shape (n,)
    receipts : scheduled receipts [units], shape (n, horizon_days)
    order_quantity : the proposed order [units], 0 for none, shape (n,)
    order_arrival_day : day the order arrives [day], shape (n,)
    horizon_days : number of days projected
    """
    days = np.arange(horizon_days)
    without = (
        np.asarray(on_hand, dtype=np.float64)[:, None]
        + np.cumsum(receipts, axis=1)
        - np.asarray(demand_rate, dtype=np.float64)[:, None] * (days + 1)[None, :]
    )
    arrived = days[None, :] >= np.asarray(order_arrival_day)[:, None]
    with_order = without + np.asarray(order_quantity, dtype=np.float64)[:, None] * arrived
    return StockProjection(
        without_order=without,
        with_order=with_order,
        stockout_day_without=first_negative_day(without),
        stockout_day_with=first_negative_day(with_order),
    )


def first_negative_day(stock: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of the first negative column per row [days]; the number of columns when none.

    ``stock`` is series × days of projected stock [units].
    """
    negative = stock < -1e-9
    first: NDArray[np.int64] = np.where(
        negative.any(axis=1), negative.argmax(axis=1), stock.shape[1]
    ).astype(np.int64)
    return first
