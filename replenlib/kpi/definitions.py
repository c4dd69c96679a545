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
    formula_zh: str = ""  #: the formula in Chinese (reports in ``zh``); empty: the English one

    def formula_in(self, lang: str) -> str:
        """The formula in ``lang`` ('en' or 'zh')."""
        return self.formula_zh if lang == "zh" and self.formula_zh else self.formula


KPIS: dict[str, KpiDefinition] = {
    k.name: k
    for k in (
        KpiDefinition(
            "stockout_rate",
            "Stockout rate",
            "fraction",
            "demand lines not fully served ÷ demand lines",
            False,
            "未完全满足的需求行 ÷ 需求行",
        ),
        KpiDefinition(
            "fill_rate",
            "Fill rate",
            "fraction",
            "Σ quantity shipped from stock ÷ Σ quantity requested",
            True,
            "Σ 从库存发出的数量 ÷ Σ 需求数量",
        ),
        KpiDefinition(
            "inventory_days",
            "Inventory days",
            "days",
            "usable on-hand value [CNY] ÷ average daily demand value [CNY/day]",
            False,
            "可用库存金额 [元] ÷ 日均需求金额 [元/天]",
        ),
        KpiDefinition(
            "on_time_delivery_rate",
            "Supplier on-time delivery",
            "fraction",
            "receipts on or before confirmed date + tolerance ÷ receipts",
            True,
            "在确认日期 + 容差之前到货的收货 ÷ 收货",
        ),
        KpiDefinition(
            "quality_pass_rate",
            "Quality pass rate",
            "fraction",
            "lots passing inbound inspection ÷ lots inspected",
            True,
            "入库检验合格的批次 ÷ 检验的批次",
        ),
        KpiDefinition(
            "lot_trace_success_rate",
            "Lot-trace success",
            "fraction",
            "issued units with known lot and customer ÷ issued units",
            True,
            "已知批次和客户的发出数量 ÷ 发出数量",
        ),
        KpiDefinition(
            "inventory_value",
            "Inventory value",
            "CNY",
            "Σ usable on hand × unit cost",
            False,
            "Σ 可用库存 × 单位成本",
        ),
        KpiDefinition(
            "proposal_count",
            "Order proposals",
            "count",
            "number of order proposals of the run",
            False,
            "本次运行的订货建议数",
        ),
        KpiDefinition(
            "proposal_value",
            "Proposed order value",
            "CNY",
            "Σ proposed quantity × unit price",
            False,
            "Σ 建议数量 × 单价",
        ),
        KpiDefinition(
            "unit_cost",
            "Average purchase unit cost",
            "CNY/unit",
            "Σ received quantity × order unit price ÷ Σ received quantity (last 365 days)",
            False,
            "Σ 收货数量 × 订单单价 ÷ Σ 收货数量（近 365 天）",
        ),
        KpiDefinition(
            "expiry_write_off",
            "Expiry write-off",
            "CNY",
            "Σ quantity scrapped from lots past their expiry date × unit cost (last 365 days)",
            False,
            "Σ 过期批次报废数量 × 单位成本（近 365 天）",
        ),
        KpiDefinition(
            "compliance_events",
            "Compliance events",
            "count",
            "recalls announced + nonconformances opened + failed inbound inspections (last 365 days)",
            False,
            "发布的召回 + 新开的不合格 + 入库检验不合格（近 365 天）",
        ),
        KpiDefinition(
            "below_safety_stock_share",
            "Below safety stock",
            "fraction",
            "item-locations with inventory position < safety stock ÷ item-locations",
            False,
            "库存位置低于安全库存的物料-库位 ÷ 物料-库位",
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


def unit_cost(quantity: ArrayLike, unit_price: ArrayLike) -> float:
    """Quantity-weighted average purchase price of what was received [CNY/unit]."""
    q = np.asarray(quantity, dtype=np.float64)
    return _ratio(float(np.sum(q * np.asarray(unit_price, dtype=np.float64))), float(q.sum()))


def expiry_write_off(quantity: ArrayLike, unit_cost: ArrayLike) -> float:
    """Value of expired stock scrapped [CNY] (0 when nothing expired)."""
    return float(np.sum(np.asarray(quantity, np.float64) * np.asarray(unit_cost, np.float64)))


def compliance_events(recalls: int, nonconformances: int, failed_inspections: int) -> float:
    """Events a quality or regulatory person must act on [count]."""
    return float(recalls + nonconformances + failed_inspections)
