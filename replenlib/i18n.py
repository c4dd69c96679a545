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
    "run_down": ("run-down (end of life)", "清库（停产）"),
    "dh_title": ("Data health", "数据健康报告"),
    "dh_files": ("Files loaded", "已导入文件"),
    "dh_rows_read": ("Rows read", "读取行数"),
    "dh_rows_loaded": ("Rows loaded", "导入行数"),
    "dh_rows_quarantined": ("Rows quarantined", "隔离行数"),
    "dh_duplicates_merged": ("Duplicates merged", "合并重复行"),
    "dh_table": ("Table", "数据表"),
    "dh_last_load": ("Last load", "最近导入"),
    "dh_sources": ("Sources: counts and freshness", "各来源：行数与新鲜度"),
    "dh_reasons": ("Quarantine reasons", "隔离原因"),
    "dh_no_problems": ("No row was quarantined.", "没有被隔离的行。"),
    "dh_rule": ("Rule", "规则"),
    "dh_severity": ("Severity", "严重程度"),
    "dh_rows": ("Rows", "行数"),
    "dh_example": ("Example", "示例"),
    "dh_duplicates": ("Likely duplicate items to confirm", "待确认的疑似重复物料"),
    "dh_duplicates_note": (
        "Confirm with `replen duplicates confirm ITEM DUPLICATE_OF --by NAME`; the item's code "
        "then maps to the one it duplicates.",
        "用 `replen duplicates confirm 物料 重复于 --by 姓名` 确认；确认后该物料编码映射到被重复的物料。",
    ),
    "dh_duplicate_of": ("Duplicate of", "重复于"),
    "dh_score": ("Similarity", "相似度"),
    "dh_status": ("Status", "状态"),
    "dh_none": ("None.", "无。"),
    "dh_coverage": ("Coverage", "覆盖情况"),
    "dh_no_demand": ("Items without demand history", "无需求历史的物料"),
    "dh_no_supplier": ("Items without a supplier", "无供应商的物料"),
    "dh_no_lead_time": ("Items without any lead time", "无提前期的物料"),
}


def label(key: str, lang: str = "en") -> str:
    """Return the label of ``key`` in ``lang`` ('en' or 'zh')."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    english, chinese = _LABELS[key]
    return chinese if lang == "zh" else english
