r"""Expiry risk: stock that will expire before forecast demand consumes it, and its value.

Demand at a stock point is a steady rate :math:`d` [units/day] served FEFO. Lot :math:`k` (in
FEFO order) can be sold until its *last sellable day*, expiry minus the minimum remaining shelf
life customers accept; :math:`T_k \ge 0` is the number of days from the as-of day until then.
Let :math:`S_k = \sum_{j\le k} q_j` and :math:`U_k` the quantity of lots :math:`1..k` consumed
by day :math:`T_k`. Demand after :math:`T_{k-1}` can only go to lots :math:`\ge k`, and lot
:math:`k` is first among them, so

.. math::

    U_k = \min\bigl(U_{k-1} + q_k,\; d\,T_k\bigr), \qquad U_0 = 0,

whose closed form :math:`U_k = S_k + \min\bigl(0, \min_{j\le k}(d\,T_j - S_j)\bigr)` is a
running minimum (computed for all groups at once). Lot :math:`k` is expected to sell
:math:`c_k = U_k - U_{k-1}` and to expire with :math:`r_k = q_k - c_k` units left: the
**quantity at risk**; times the unit cost it is the **value at risk** [CNY]. Lots that do not
expire carry no risk. Only usable stock is queued: stock already expired, recalled or held is
a write-off or a quality case, not a forecast risk. At a stock point that replenishes others,
:math:`d` is the echelon demand (:func:`echelon_demand`).

This is the deterministic (expected-demand) version; see Silver, Pyke & Thomas (2017),
section 9.5 (perishable items), for why it understates the risk under variable demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.trace.fefo import fefo_order
from replenlib.trace.segments import segment_cummin, segment_cumsum


@dataclass(frozen=True)
class ExpiryRisk:
    """Per lot row (input order).

    Attributes
    ----------
    days_to_sell : days left until the last sellable day, ≥ 0; inf without expiry [days]
    expected_sold : quantity demand is expected to take before then [units]
    at_risk : quantity expected to expire unsold [units]
    value_at_risk : ``at_risk`` × unit cost [CNY]
    """

    days_to_sell: NDArray[np.float64]
    expected_sold: NDArray[np.float64]
    at_risk: NDArray[np.float64]
    value_at_risk: NDArray[np.float64]


def expiry_risk(
    group: ArrayLike,
    expiry_day: ArrayLike,
    quantity: ArrayLike,
    demand_rate: ArrayLike,
    as_of_day: float,
    *,
    min_remaining_days: ArrayLike = 0.0,
    unit_cost: ArrayLike = 1.0,
    eligible: ArrayLike | None = None,
) -> ExpiryRisk:
    """Expected unsold quantity at expiry for every lot row.

    Parameters
    ----------
    group : per lot row, group code ``0..n_groups-1`` (item at a stock point)
    expiry_day : per lot row, expiry [day number]; NaN = does not expire
    quantity : per lot row, quantity on hand [units]
    demand_rate : per group, forecast demand [units/day]
    as_of_day : today [day number]
    min_remaining_days : per lot row (or scalar), shelf life a customer must still get [days]
    unit_cost : per lot row (or scalar) [CNY/unit]
    eligible : per lot row, whether it is usable stock (default: all); others get zeros
    """
    codes = np.asarray(group, dtype=np.int64)
    qty = np.asarray(quantity, dtype=np.float64)
    ok = np.ones(codes.size, bool) if eligible is None else np.asarray(eligible, dtype=bool)
    expiry = np.asarray(expiry_day, dtype=np.float64)
    last_day = expiry - np.broadcast_to(np.nan_to_num(min_remaining_days), qty.shape)
    days = np.where(np.isnan(expiry), np.inf, np.maximum(last_day - as_of_day, 0.0))
    queued = np.where(ok, qty, 0.0)
    order = fefo_order(codes, expiry)
    g, q = codes[order], queued[order]
    rate = np.asarray(demand_rate, dtype=np.float64)[g]
    stock = segment_cumsum(q, g)
    with np.errstate(invalid="ignore"):  # 0 demand x inf days
        reach = np.where(np.isinf(days[order]), np.inf, rate * days[order])
    used = stock + np.minimum(0.0, segment_cummin(reach - stock, g))
    sold_sorted = used - _previous(used, g)
    sold = np.zeros(codes.size)
    sold[order] = np.where(np.isinf(reach), q, sold_sorted)
    at_risk = np.where(ok, np.maximum(queued - sold, 0.0), 0.0)
    return ExpiryRisk(
        days_to_sell=days,
        expected_sold=np.where(ok, sold, 0.0),
        at_risk=at_risk,
        value_at_risk=at_risk * np.broadcast_to(np.asarray(unit_cost, np.float64), qty.shape),
    )


def _previous(values: NDArray[np.float64], group: NDArray[np.int64]) -> NDArray[np.float64]:
    """Each row's predecessor within its group (0 for a group's first row)."""
    previous = np.r_[0.0, values[:-1]]
    first = np.r_[True, group[1:] != group[:-1]] if group.size else np.zeros(0, bool)
    return np.where(first, 0.0, previous)


def echelon_demand(own: ArrayLike, parent: ArrayLike, max_depth: int = 16) -> NDArray[np.float64]:
    r"""Demand a stock point must serve: its own plus everything downstream of it [units/day].

    A stock point that replenishes others (a central warehouse feeding DCs feeding hospitals)
    is drawn down by their demand as well as by its own customers', so its stock expires
    against the *echelon* demand :math:`D_e(i) = d(i) + \sum_{j:\,p(j) = i} D_e(j)`.

    Parameters
    ----------
    own : per stock point (an item at a location), its own customers' demand [units/day]
    parent : per stock point, the row that replenishes it, or -1
    max_depth : longest replenishment chain followed (a cycle raises)
    """
    demand = np.asarray(own, dtype=np.float64)
    up = np.asarray(parent, dtype=np.int64)
    total = demand.copy()
    flow, node = demand.copy(), up.copy()
    for _ in range(max_depth):  # one pass per echelon, not per stock point
        live = node >= 0
        if not live.any():
            return total
        np.add.at(total, node[live], flow[live])
        node = np.where(live, up[np.maximum(node, 0)], -1)
    raise ValueError(f"replenishment chains longer than {max_depth} (a cycle?)")
