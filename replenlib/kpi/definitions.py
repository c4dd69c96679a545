"""KPI definitions: one function per KPI, with its formula and unit, used everywhere.

Reports read :data:`KPIS` for labels, units and formulas (shown in footnotes or on hover), and
the pipeline computes values with the functions below from plain arrays. A KPI with no data
to judge returns ``nan`` (shown as "n/a"), never a misleading 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


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
            "owned usable on-hand value [CNY] ÷ average daily demand value of owned items "
            "[CNY/day] (consignment excluded from both)",
            False,
            "自有可用库存金额 [元] ÷ 自有物料日均需求金额 [元/天]（寄售库存两者均不计）",
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
            "Σ usable on hand × unit cost of owned items (consignment stock belongs to the "
            "supplier until used)",
            False,
            "Σ 自有物料可用库存 × 单位成本（寄售库存在使用前属于供应商）",
        ),
        KpiDefinition(
            "consignment_value",
            "Consignment stock value",
            "CNY",
            "Σ usable on hand × unit cost of consignment items (supplier-owned, held on site)",
            False,
            "Σ 寄售物料可用库存 × 单位成本（供应商所有，存放在本方）",
        ),
        KpiDefinition(
            "quantity_fill_rate",
            "Supplier quantity fill",
            "fraction",
            "Σ min(received, ordered) ÷ Σ ordered, over purchase order lines due",
            True,
            "Σ min(收货, 订货) ÷ Σ 订货，按到期的采购订单行",
        ),
        KpiDefinition(
            "cold_chain_excursion_rate",
            "Cold-chain excursion rate",
            "fraction",
            "monitored shipments with an excursion beyond the allowed time ÷ monitored shipments",
            False,
            "超出允许时间发生温度偏离的受监控运输 ÷ 受监控运输",
        ),
        KpiDefinition(
            "expiry_value_at_risk",
            "Expiry value at risk",
            "CNY",
            "Σ (usable stock expected to expire before FEFO demand consumes it) × unit cost",
            False,
            "Σ（按 FEFO 需求消耗前预计过期的可用库存）× 单位成本",
        ),
        KpiDefinition(
            "unusable_stock_value",
            "Unusable stock value",
            "CNY",
            "Σ on hand not approved (pending, held, excursion, quarantined, recalled, expired) "
            "× unit cost",
            False,
            "Σ 未放行库存（待检、冻结、偏离、隔离、召回、过期）× 单位成本",
        ),
        KpiDefinition(
            "supplier_grade_ab_share",
            "Suppliers graded A or B",
            "fraction",
            "rated suppliers with grade A or B ÷ rated suppliers",
            True,
            "评级为 A 或 B 的供应商 ÷ 已评级供应商",
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
    receipt_day: ArrayLike,
    confirmed_day: ArrayLike,
    tolerance_days: int = 0,
    *,
    early_tolerance_days: int | None = None,
) -> float:
    """Share of receipts arriving within the window around the confirmed date [fraction].

    On time means ``confirmed - early_tolerance_days <= received <= confirmed +
    tolerance_days``; ``early_tolerance_days=None`` accepts any early delivery. Days are
    integers (e.g. days since an epoch).
    """
    flags = on_time_flags(receipt_day, confirmed_day, tolerance_days, early_tolerance_days)
    return _ratio(float(flags.sum()), float(flags.size))


def on_time_flags(
    receipt_day: ArrayLike,
    confirmed_day: ArrayLike,
    tolerance_days: int = 0,
    early_tolerance_days: int | None = None,
) -> NDArray[np.bool_]:
    """Per receipt, whether it arrived inside the on-time window (see :func:`on_time_delivery_rate`).

    Receipt and confirmed days are day numbers [days]; tolerances are whole days [days].
    """
    received = np.asarray(receipt_day, dtype=np.int64)
    confirmed = np.asarray(confirmed_day, dtype=np.int64)
    late_ok = received <= confirmed + tolerance_days
    if early_tolerance_days is None:
        return late_ok
    return late_ok & (received >= confirmed - early_tolerance_days)


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


def quantity_fill_rate(ordered: ArrayLike, received: ArrayLike) -> float:
    """Share of ordered quantity delivered, over-deliveries not counted [fraction]."""
    want = np.asarray(ordered, dtype=np.float64)
    got = np.minimum(np.asarray(received, dtype=np.float64), want)
    return _ratio(float(got.sum()), float(want.sum()))


def cold_chain_excursion_rate(excursion: ArrayLike) -> float:
    """Share of monitored shipments with an excursion [fraction]; boolean per shipment."""
    flags = np.asarray(excursion, dtype=bool)
    return _ratio(float(flags.sum()), float(flags.size))


def expiry_value_at_risk(quantity_at_risk: ArrayLike, unit_cost: ArrayLike) -> float:
    """Value of usable stock expected to expire unsold [CNY]."""
    return float(np.sum(np.asarray(quantity_at_risk, np.float64) * np.asarray(unit_cost)))


def supplier_grade_ab_share(grades: ArrayLike) -> float:
    """Share of rated suppliers graded A or B [fraction]; unrated ('-') ones are left out."""
    labels = np.asarray(grades, dtype=object)
    rated = labels != "-"
    return _ratio(float(np.isin(labels[rated], ["A", "B"]).sum()), float(rated.sum()))


def ratio_by_group(
    numerator: ArrayLike, denominator: ArrayLike, group: ArrayLike, n_groups: int
) -> NDArray[np.float64]:
    """``Σ numerator ÷ Σ denominator`` per group code ``0..n_groups-1``; NaN without data.

    The grouped form of every ratio KPI above: pass the per-row terms of its formula.
    """
    codes = np.asarray(group, dtype=np.int64)
    top = np.bincount(codes, weights=np.asarray(numerator, np.float64), minlength=n_groups)
    bottom = np.bincount(codes, weights=np.asarray(denominator, np.float64), minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / bottom, np.nan)
