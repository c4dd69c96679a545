r"""What a simulation measured: totals per row, KPIs per item and pooled, and their spread.

The engine keeps **totals** over the measured days (after warm-up) per variant × item ×
replication; KPIs are ratios of totals, so pooling items or replications is exact:

=======================  =====================================================  ==========
KPI                      formula (sums over measured days)                      unit
=======================  =====================================================  ==========
cycle service level      1 − cycles with a stock-out ÷ cycles (receipt to       fraction
                         receipt)
fill rate                units served from stock ÷ units demanded               fraction
stockout rate            days with demand not fully served ÷ days with demand   fraction
stockout days            days ending with nothing on hand (which includes       days
                         every day with unmet demand)
average on hand          Σ end-of-day on hand ÷ days                            units
inventory value          Σ items' average on hand × unit cost                   CNY
inventory days           Σ on hand × cost ÷ Σ demand × cost (per item: units)   days
orders placed            orders placed                                          orders
expired units / value    units written off at expiry (× unit cost)              units, CNY
lost units               demand lost (lost-sales items)                         units
=======================  =====================================================  ==========

Cycle service level and fill rate are different measures (see
:class:`replenlib.policy.strategy.ServiceMeasure`); both are reported, never swapped.
A ratio without a denominator (no demand, no cycle) is NaN.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Totals the engine keeps per row.
TOTALS = (
    "demand",
    "served",
    "demand_days",
    "short_days",
    "stockout_days",
    "on_hand",
    "on_order",
    "backlog",
    "lost",
    "expired",
    "orders",
    "ordered",
    "received",
    "lead_time",
    "cycles",
    "short_cycles",
)


class SimKpi(StrEnum):
    """KPIs of a simulation (see the module docstring)."""

    CYCLE_SERVICE_LEVEL = "cycle_service_level"
    FILL_RATE = "fill_rate"
    STOCKOUT_RATE = "stockout_rate"
    STOCKOUT_DAYS = "stockout_days"
    AVERAGE_ON_HAND = "average_on_hand"
    INVENTORY_VALUE = "inventory_value"
    INVENTORY_DAYS = "inventory_days"
    ORDERS_PLACED = "orders_placed"
    EXPIRED_UNITS = "expired_units"
    EXPIRED_VALUE = "expired_value"
    LOST_UNITS = "lost_units"


#: Unit of each KPI.
KPI_UNITS: dict[SimKpi, str] = {
    SimKpi.CYCLE_SERVICE_LEVEL: "fraction",
    SimKpi.FILL_RATE: "fraction",
    SimKpi.STOCKOUT_RATE: "fraction",
    SimKpi.STOCKOUT_DAYS: "days",
    SimKpi.AVERAGE_ON_HAND: "units",
    SimKpi.INVENTORY_VALUE: "CNY",
    SimKpi.INVENTORY_DAYS: "days",
    SimKpi.ORDERS_PLACED: "orders",
    SimKpi.EXPIRED_UNITS: "units",
    SimKpi.EXPIRED_VALUE: "CNY",
    SimKpi.LOST_UNITS: "units",
}


class Spread(NamedTuple):
    """Mean, standard deviation and 5 % / 95 % quantiles across replications."""

    mean: NDArray[np.float64]
    std: NDArray[np.float64]
    p05: NDArray[np.float64]
    p95: NDArray[np.float64]


def spread(values: NDArray[np.float64], axis: int = -1) -> Spread:
    """Summarise ``values`` across replications (``axis``), ignoring NaN."""
    ddof = 1 if values.shape[axis] > 1 else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        return Spread(
            np.asarray(np.nanmean(values, axis=axis), dtype=np.float64),
            np.asarray(np.nanstd(values, axis=axis, ddof=ddof), dtype=np.float64),
            np.asarray(np.nanquantile(values, 0.05, axis=axis), dtype=np.float64),
            np.asarray(np.nanquantile(values, 0.95, axis=axis), dtype=np.float64),
        )


def ratio(numerator: ArrayLike, denominator: ArrayLike) -> NDArray[np.float64]:
    """``numerator / denominator``, NaN where the denominator is not positive."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class SimulationResult:
    """Totals per variant × item × replication over the measured days.

    Attributes
    ----------
    totals : name (see :data:`TOTALS`) → array (variants, items, replications)
    measured_days : days after warm-up [days]
    trace : on hand, on order, backorders per traced row and day (3 × rows × days) [units]
    trace_rows : the (variant, item, replication) of each traced row
    lot_merges : lots merged because a row held more lots than slots
    """

    totals: dict[str, NDArray[np.float64]]
    measured_days: int
    trace: NDArray[np.float64]
    trace_rows: tuple[tuple[int, int, int], ...]
    lot_merges: int

    @property
    def shape(self) -> tuple[int, int, int]:
        """(variants, items, replications)."""
        v, i, r = self.totals["demand"].shape
        return v, i, r

    def item_kpis(self) -> dict[SimKpi, NDArray[np.float64]]:
        """KPIs per variant × item × replication (value KPIs need :meth:`pooled`)."""
        t, days = self.totals, self.measured_days
        return {
            SimKpi.CYCLE_SERVICE_LEVEL: 1.0 - ratio(t["short_cycles"], t["cycles"]),
            SimKpi.FILL_RATE: ratio(t["served"], t["demand"]),
            SimKpi.STOCKOUT_RATE: ratio(t["short_days"], t["demand_days"]),
            SimKpi.STOCKOUT_DAYS: t["stockout_days"],
            SimKpi.AVERAGE_ON_HAND: t["on_hand"] / days,
            SimKpi.INVENTORY_DAYS: ratio(t["on_hand"], t["demand"]),
            SimKpi.ORDERS_PLACED: t["orders"],
            SimKpi.EXPIRED_UNITS: t["expired"],
            SimKpi.LOST_UNITS: t["lost"],
        }

    def pooled(
        self,
        unit_cost: ArrayLike | None = None,
        items: ArrayLike | None = None,
        customer_share: ArrayLike | None = None,
    ) -> dict[SimKpi, NDArray[np.float64]]:
        """KPIs pooled over ``items`` (boolean mask; default all) per variant × replication.

        Ratios are of sums (units for service, ``unit_cost`` [CNY/unit] for inventory);
        stockout days are the mean per item. In a network, stock points also serve each
        other: ``customer_share`` (per item, the share of its demand that is end-customer
        demand) keeps internal flows out of the denominator of inventory days, so that the
        network's days are its stock over its customers' demand.
        """
        n_items = self.shape[1]
        cost = np.broadcast_to(np.asarray(1.0 if unit_cost is None else unit_cost), (n_items,))
        mask = np.ones(n_items, bool) if items is None else np.asarray(items, dtype=bool)
        t, days = self.totals, self.measured_days

        def total(name: str, weight: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
            values = t[name][:, mask, :]
            if weight is not None:
                values = values * weight[mask][None, :, None]
            return np.asarray(values.sum(axis=1), dtype=np.float64)

        value = np.asarray(cost, dtype=np.float64)
        share = np.broadcast_to(
            np.asarray(1.0 if customer_share is None else customer_share), (n_items,)
        )
        customer_value = value * np.asarray(share, dtype=np.float64)
        n = max(int(mask.sum()), 1)
        return {
            SimKpi.CYCLE_SERVICE_LEVEL: 1.0 - ratio(total("short_cycles"), total("cycles")),
            SimKpi.FILL_RATE: ratio(total("served"), total("demand")),
            SimKpi.STOCKOUT_RATE: ratio(total("short_days"), total("demand_days")),
            SimKpi.STOCKOUT_DAYS: total("stockout_days") / n,
            SimKpi.AVERAGE_ON_HAND: total("on_hand") / days,
            SimKpi.INVENTORY_VALUE: total("on_hand", value) / days,
            SimKpi.INVENTORY_DAYS: ratio(total("on_hand", value), total("demand", customer_value)),
            SimKpi.ORDERS_PLACED: total("orders"),
            SimKpi.EXPIRED_UNITS: total("expired"),
            SimKpi.EXPIRED_VALUE: total("expired", value),
            SimKpi.LOST_UNITS: total("lost"),
        }
