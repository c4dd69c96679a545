"""One catalogue of report labels in English and Chinese.

Reports look every visible word up here with :func:`label`, so that a translation is one line
and a missing one fails loudly in the test that renders every report in both languages.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

_LABELS: dict[str, tuple[str, str]] = {
    # key: (English, Chinese)
    "kpi_report_title": ("Replenishment KPI report", "补货关键指标报告"),
    "run": ("Run", "运行"),
    "as_of": ("Planning day", "计划日"),
    "policy_version": ("Policy version", "策略版本"),
    "item_locations": ("Item-locations", "物料-库位"),
    "generated": ("Generated", "生成时间"),
    "data_freshness": ("Data freshness (latest date per source)", "数据新鲜度（各来源最新日期）"),
    "source": ("Source", "来源"),
    "latest": ("Latest date", "最新日期"),
    "kpis": ("Key performance indicators", "关键绩效指标"),
    "service_by_tier": ("Service by tier (last 90 days)", "按层级的服务水平（近 90 天）"),
    "stock_vs_rop": ("Stock on hand vs reorder point", "现有库存与再订货点"),
    "top_proposals": ("Top order proposals by urgency", "按紧急程度排序的订货建议"),
    "class_mix": ("Demand classes by tier", "各层级的需求类别"),
    "formulas": ("How each KPI is computed", "各指标的计算方法"),
    "on_hand": ("On hand", "现有库存"),
    "reorder_point": ("Reorder point", "再订货点"),
    "safety_stock": ("Safety stock", "安全库存"),
    "order_up_to": ("Order-up-to level", "最高库存水平"),
    "date": ("Date", "日期"),
    "units": ("Units", "数量"),
    "series": ("Item-locations", "物料-库位数"),
    "tier": ("Tier", "层级"),
    "demand_class": ("Demand class", "需求类别"),
    "item": ("Item", "物料"),
    "description": ("Description", "描述"),
    "location": ("Location", "库位"),
    "supplier": ("Supplier / source", "供应商 / 调拨来源"),
    "quantity": ("Quantity", "数量"),
    "value_cny": ("Value [CNY]", "金额 [元]"),
    "arrival": ("Expected arrival", "预计到货"),
    "urgency": ("Urgency", "紧急程度"),
    "reason": ("Reason", "原因"),
    "no_proposals": ("No order proposals in this run.", "本次运行没有订货建议。"),
    "na": ("n/a", "无数据"),
    "stockout_rate": ("Stockout rate", "缺货率"),
    "fill_rate": ("Fill rate", "满足率"),
    "inventory_days": ("Inventory days", "库存天数"),
    "on_time_delivery_rate": ("Supplier on-time delivery", "供应商准时交付率"),
    "quality_pass_rate": ("Quality pass rate", "质量合格率"),
    "lot_trace_success_rate": ("Lot-trace success", "批次追溯成功率"),
    "inventory_value": ("Inventory value", "库存金额"),
    "proposal_count": ("Order proposals", "订货建议数"),
    "proposal_value": ("Proposed order value", "建议订货金额"),
    "below_safety_stock_share": ("Below safety stock", "低于安全库存占比"),
    "critical": ("critical", "关键"),
    "high": ("high", "高"),
    "medium": ("medium", "中"),
    "low": ("low", "低"),
    "normal": ("normal", "一般"),
    # plan and governance (planning board, KPI report block)
    "planning_board_title": ("Planning board", "计划看板"),
    "open_proposals": ("Open proposals", "未结订货建议"),
    "pending_approvals": ("Pending approvals", "待审批"),
    "open_alerts": ("Open alerts", "未关闭预警"),
    "no_alerts": ("No open alerts.", "没有未关闭的预警。"),
    "proposals_by_urgency": ("Proposals by urgency", "按紧急程度排序的订货建议"),
    "rolling_plan": (
        "Rolling plan: largest changes by supplier and month",
        "滚动计划：按供应商和月份的最大变化",
    ),
    "rolling_chart": ("Rolling plan: planned receipts by month", "滚动计划：每月计划到货"),
    "projected_stock": ("Projected stock with and without the order", "有/无订单的预计库存"),
    "stock_without_order": ("Without the order", "不下单"),
    "stock_with_order": ("With the order", "下单后"),
    "arrivals": ("Open orders and arrivals", "在途订单与到货"),
    "previous_plan": ("Previous plan", "上次计划"),
    "month": ("Month", "月份"),
    "governance_block": ("Open alerts and pending approvals", "未关闭预警与待审批"),
    "severity": ("Severity", "严重程度"),
    "count": ("Count", "数量"),
    "awaiting_level": ("Awaiting level", "待审批级别"),
    "col_proposal": ("Proposal", "建议单号"),
    "col_item": ("Item", "物料"),
    "col_location": ("Location", "库位"),
    "col_kind": ("Kind", "类型"),
    "col_source": ("Supplier / source", "供应商 / 调拨来源"),
    "col_quantity": ("Quantity", "数量"),
    "col_value_cny": ("Value [CNY]", "金额 [元]"),
    "col_arrival": ("Expected arrival", "预计到货"),
    "col_urgency": ("Urgency", "紧急程度"),
    "col_status": ("Status", "状态"),
    "col_level": ("Approval level", "审批级别"),
    "col_why_level_2": ("Why a second approval", "需二级审批的原因"),
    "col_reason": ("Reason", "原因"),
    "col_alert": ("Alert", "预警"),
    "col_severity": ("Severity", "严重程度"),
    "col_owner": ("Owner", "负责人角色"),
    "col_subject": ("Subject", "对象"),
    "col_since": ("Since", "开始于"),
    "col_seen": ("Runs seen", "出现次数"),
    "col_message": ("Message", "说明"),
    "col_action": ("Suggested action", "建议措施"),
    "col_supplier": ("Supplier", "供应商"),
    "col_month": ("Month", "月份"),
    "col_planned_receipts": ("Planned receipts", "计划到货"),
    "col_planned_spend": ("Planned spend [CNY]", "计划支出 [元]"),
    "col_change_vs_previous": ("Change vs previous plan", "较上次计划变化"),
}


def label(key: str, lang: str = "en") -> str:
    """Return the label of ``key`` in ``lang`` ('en' or 'zh')."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    english, chinese = _LABELS[key]
    return chinese if lang == "zh" else english
