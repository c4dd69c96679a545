"""KPI definitions: one function per KPI, with its formula and unit, used everywhere.

Reports read :data:`KPIS` for labels, units and formulas (shown in footnotes or on hover), and
the pipeline computes values with the functions below from plain arrays. A KPI with no data
to judge returns ``nan`` (shown as "n/a"), never a misleading 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class KpiDefinition:
    """Name, label, unit, formula and direction of a KPI."""

    name: str
    label: str
    unit: str
    formula: str
    higher_is_better: bool


KPIS: dict[str, KpiDefinition] = {
    k.name: k
    for k in (
        KpiDefinition(
            "stockout_rate",
            "Stockout rate",
            "fraction",
            "demand lines not fully served ÷ demand lines",
            False,
        ),
        KpiDefinition(
            "fill_rate",
            "Fill rate",
            "fraction",
            "Σ quantity shipped from stock ÷ Σ quantity requested",
            True,
        ),
        KpiDefinition(
            "inventory_days",
            "Inventory days",
            "days",
            "usable on-hand value [CNY] ÷ average daily demand value [CNY/day]",
            False,
        ),
        KpiDefinition(
            "on_time_delivery_rate",
            "Supplier on-time delivery",
            "fraction",
            "receipts on or before confirmed date + tolerance ÷ receipts",
            True,
        ),
        KpiDefinition(
            "quality_pass_rate",
            "Quality pass rate",
            "fraction",
            "lots passing inbound inspection ÷ lots inspected",
            True,
        ),
        KpiDefinition(
            "lot_trace_success_rate",
            "Lot-trace success",
            "fraction",
            "issued units with known lot and customer ÷ issued units",
            True,
        ),
        KpiDefinition(
            "inventory_value", "Inventory value", "CNY", "Σ usable on hand × unit cost", False
        ),
        KpiDefinition(
            "proposal_count",
            "Order proposals",
            "count",
            "number of order proposals of the run",
            False,
        ),
        KpiDefinition(
            "proposal_value",
            "Proposed order value",
            "CNY",
            "Σ proposed quantity × unit price",
            False,
        ),
        KpiDefinition(
            "below_safety_stock_share",
            "Below safety stock",
            "fraction",
            "item-locations with inventory position < safety stock ÷ item-locations",
            False,
        ),
    )
}


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def stockout_rate(requested: ArrayLike, shipped: ArrayLike) -> float:
    """Share of demand lines (item-location-days with demand) not fully served [fraction]."""
    req = np.asarray(requested, dtype=np.float64)
    shp = np.asarray(shipped, dtype=np.float64)
    lines = req > 0
    return _ratio(float(np.sum(lines & (shp < req - 1e-9))), float(np.sum(lines)))


def fill_rate(requested: ArrayLike, shipped: ArrayLike) -> float:
    """Share of requested quantity served from stock [fraction]."""
    return _ratio(float(np.sum(shipped)), float(np.sum(requested)))


def inventory_days(on_hand_value: float, daily_demand_value: float) -> float:
    """Days the current stock value covers average daily demand value [days]."""
    return _ratio(on_hand_value, daily_demand_value)


def on_time_delivery_rate(
    receipt_day: ArrayLike, confirmed_day: ArrayLike, tolerance_days: int = 0
) -> float:
    """Share of receipts arriving no later than confirmed date + tolerance [fraction].

    Days are integers (e.g. days since an epoch).
    """
    received = np.asarray(receipt_day, dtype=np.int64)
    confirmed = np.asarray(confirmed_day, dtype=np.int64)
    return _ratio(float(np.sum(received <= confirmed + tolerance_days)), float(received.size))


def quality_pass_rate(passed: ArrayLike) -> float:
    """Share of inspected lots that passed [fraction]; ``passed`` is boolean per lot."""
    flags = np.asarray(passed, dtype=bool)
    return _ratio(float(flags.sum()), float(flags.size))


def lot_trace_success_rate(quantity: ArrayLike, traced: ArrayLike) -> float:
    """Share of issued units whose lot and customer are both known [fraction]."""
    qty = np.asarray(quantity, dtype=np.float64)
    return _ratio(float(qty[np.asarray(traced, dtype=bool)].sum()), float(qty.sum()))
