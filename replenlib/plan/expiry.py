r"""Stock that will expire before it is used, under first-expired-first-out (FEFO) issue.

Lots of one item-location are issued in order of expiry. With a constant demand rate
:math:`d` [units/day], lot :math:`i` (sorted by the day :math:`e_i` it stops being sellable,
counted from today) can only be consumed up to day :math:`e_i`. With :math:`C_i` the
cumulative quantity of lots :math:`1..i` and :math:`W_{i-1}` what earlier lots already lost to
expiry (wasted units are not issued, so they do not use demand), the quantity of lot :math:`i`
left when it expires is

.. math:: w_i = \min\bigl(q_i,\ \max(C_i - W_{i-1} - d\,e_i,\ 0)\bigr), \qquad
          W_i = W_{i-1} + w_i .

The recursion runs over the lot *rank* within a series (a handful of lots), vectorised over all
series at once.

References
----------
Nahmias, S. (2011), *Perishable Inventory Systems*, chapter 2 (FIFO issuing of fixed-life
stock). Springer.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def expiring_unused(
    series_row: NDArray[np.int64],
    quantity: NDArray[np.float64],
    days_to_expiry: NDArray[np.float64],
    demand_rate: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Quantity of each lot expected to expire unused under FEFO [units].

    Parameters
    ----------
    series_row : the item-location of each lot (index into ``demand_rate``), shape (m,)
    quantity : usable quantity of each lot [units], shape (m,)
    days_to_expiry : days until the lot can no longer be issued [days], shape (m,);
        ``inf`` for stock that does not expire
    demand_rate : expected demand per item-location [units/day], shape (n,)
    """
    rows = np.asarray(series_row, dtype=np.int64)
    qty = np.asarray(quantity, dtype=np.float64)
    days = np.maximum(np.asarray(days_to_expiry, dtype=np.float64), 0.0)
    order = np.lexsort((days, rows))
    rows_s, qty_s, days_s = rows[order], qty[order], days[order]
    start = np.r_[True, rows_s[1:] != rows_s[:-1]] if len(rows_s) else np.zeros(0, dtype=bool)
    group_start = np.maximum.accumulate(np.where(start, np.arange(len(rows_s)), 0))
    rank = np.arange(len(rows_s)) - group_start
    cumulative = np.cumsum(qty_s)
    cumulative = cumulative - np.where(start, cumulative - qty_s, 0.0)[group_start]
    waste_so_far = np.zeros(len(demand_rate))
    waste = np.zeros(len(rows_s))
    for r in range(int(rank.max()) + 1 if len(rank) else 0):
        at = rank == r
        row = rows_s[at]
        with np.errstate(invalid="ignore"):
            usable_by_expiry = np.where(np.isinf(days_s[at]), np.inf, demand_rate[row] * days_s[at])
        left = cumulative[at] - waste_so_far[row] - usable_by_expiry
        waste[at] = np.minimum(qty_s[at], np.maximum(left, 0.0))
        waste_so_far[row] += waste[at]
    result = np.empty_like(waste)
    result[order] = waste
    return result
