r"""Min–max in months of stock or days of supply, as hospital and public-health systems run it.

With average monthly consumption AMC [units/month] (or daily usage [units/day]),

.. math::

    \text{min} = \text{AMC}\,(L + SS), \qquad \text{max} = \text{min} + \text{AMC}\,R,

:math:`L` the lead time, :math:`SS` the safety stock and :math:`R` the review period, all in
months (or days). At a review the *standard* system orders when stock is at or below min;
the *forced-ordering* system orders at every review; both order max − stock, where stock is
the stock on hand plus what is already on order.

This is a coverage rule, not a service target: its label is
:attr:`~.kinds.ServiceMeasure.DAYS_OF_SUPPLY`. :func:`implied_service` evaluates the cycle
service level and fill rate it achieves under the same demand model, so users can compare
with what a service-level policy would hold.

References
----------
USAID | DELIVER PROJECT (2011). *The Logistics Handbook: A Practical Guide for the Supply
Chain Management of Health Commodities*, chapter 4 (max–min inventory control systems).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.policy.service import (
    CycleDemand,
    CycleShape,
    implied_cycle_service_level,
    implied_fill_rate,
)

FloatArray = NDArray[np.float64]
#: Average days per month used to convert months of stock to days of supply.
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class MinMaxLevels:
    """Min and max per row [units] and in days of supply [days]."""

    min_level: FloatArray
    max_level: FloatArray
    min_days: FloatArray
    max_days: FloatArray


def days_of_supply_min_max(
    daily_usage: ArrayLike,
    lead_time_days: ArrayLike,
    safety_days: ArrayLike,
    review_days: ArrayLike,
) -> MinMaxLevels:
    """Min = usage·(L + SS) and max = min + usage·R, all in days [units]."""
    d = np.asarray(daily_usage, dtype=np.float64)
    lo = np.broadcast_to(
        np.asarray(lead_time_days, dtype=np.float64) + np.asarray(safety_days, dtype=np.float64),
        d.shape,
    )
    hi = lo + np.asarray(review_days, dtype=np.float64)
    if np.any(lo < 0) or np.any(hi < lo):
        raise ValueError("lead time, safety stock and review period must be non-negative")
    return MinMaxLevels(d * lo, d * hi, np.asarray(lo, np.float64), np.asarray(hi, np.float64))


def months_of_stock_min_max(
    monthly_consumption: ArrayLike, min_months: ArrayLike, max_months: ArrayLike
) -> MinMaxLevels:
    """Min = AMC·min months, max = AMC·max months (The Logistics Handbook) [units]."""
    amc = np.asarray(monthly_consumption, dtype=np.float64)
    lo = np.broadcast_to(np.asarray(min_months, dtype=np.float64), amc.shape)
    hi = np.broadcast_to(np.asarray(max_months, dtype=np.float64), amc.shape)
    if np.any(lo < 0) or np.any(hi < lo):
        raise ValueError("need 0 <= min months <= max months")
    return MinMaxLevels(amc * lo, amc * hi, lo * DAYS_PER_MONTH, hi * DAYS_PER_MONTH)


def min_max_order(levels: MinMaxLevels, stock: ArrayLike, *, forced: bool = False) -> FloatArray:
    """Quantity max − stock when stock ≤ min (standard) or at every review (forced) [units]."""
    position = np.asarray(stock, dtype=np.float64)
    due = np.ones_like(position, dtype=bool) if forced else position <= levels.min_level
    return np.asarray(np.where(due, np.maximum(levels.max_level - position, 0.0), 0.0))


@dataclass(frozen=True)
class ImpliedService:
    """The service a rule achieves under a demand model, both measures [fraction]."""

    cycle_service_level: FloatArray
    fill_rate: FloatArray


def implied_service(levels: MinMaxLevels, demand: CycleDemand) -> ImpliedService:
    """Cycle service level and fill rate of min (as s) and max (as S) under ``demand``."""
    shape = CycleShape(
        order_up_to=np.zeros(len(levels.min_level), dtype=bool),
        fixed_quantity=np.zeros(len(levels.min_level), dtype=bool),
        delta=np.maximum(levels.max_level - levels.min_level, 1.0),
    )
    return ImpliedService(
        implied_cycle_service_level(demand, shape, levels.min_level),
        implied_fill_rate(demand, shape, levels.min_level),
    )


@dataclass(frozen=True)
class DaysOfSupplyPolicy:
    """Min–max in days of supply with a fixed safety stock in days."""

    safety_days: float = 14.0  #: [days]
    forced_ordering: bool = False

    def parameters(
        self, daily_usage: ArrayLike, lead_time_days: ArrayLike, review_days: ArrayLike
    ) -> MinMaxLevels:
        """Min and max per row [units]."""
        return days_of_supply_min_max(daily_usage, lead_time_days, self.safety_days, review_days)
