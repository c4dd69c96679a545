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
    # demand layer (report 02_demand, widget, KPI accuracy block)
    "demand_report_title": (
        "Demand: segments, forecasts and lead-time demand",
        "需求：细分、预测与提前期需求",
    ),
    "history": ("History", "历史需求"),
    "fitted": ("Fitted (one step ahead)", "拟合值（一步预测）"),
    "forecast": ("Forecast", "预测"),
    "interval_80": ("80 % interval", "80% 区间"),
    "interval_95": ("95 % interval", "95% 区间"),
    "week": ("Week", "周"),
    "units_per_week": ("Units per week", "每周数量"),
    "class_by_tier": ("Item-locations by demand class and tier", "按需求类别和层级的物料-库位数"),
    "abc_xyz": (
        "ABC (value) × XYZ: item-locations · share of value",
        "ABC（金额）× XYZ：物料-库位数 · 金额占比",
    ),
    "xyz": ("XYZ (variability)", "XYZ（波动性）"),
    "abc_value": ("ABC by value", "按金额 ABC"),
    "abc_volume": ("ABC by volume", "按数量 ABC"),
    "backtest_rmsse": (
        "Backtest accuracy by class: mean RMSSE (lower is better)",
        "按类别的回测精度：平均 RMSSE（越低越好）",
    ),
    "backtest_mase": (
        "Backtest accuracy by class: mean MASE (lower is better)",
        "按类别的回测精度：平均 MASE（越低越好）",
    ),
    "cdf": ("P(demand ≤ x)", "P(需求 ≤ x)"),
    "quantiles": ("Quantiles", "分位数"),
    "lead_time_demand": ("Lead-time demand", "提前期需求"),
    "probability": ("Probability", "概率"),
    "segments": ("Segments: demand class × lifecycle", "细分：需求类别 × 生命周期"),
    "lifecycle": ("Lifecycle", "生命周期"),
    "value_52w": ("Value, 52 weeks [CNY]", "52 周金额 [元]"),
    "volume_52w": ("Volume, 52 weeks", "52 周数量"),
    "method_choice": ("Methods chosen by backtest, and their accuracy", "回测选择的方法及其精度"),
    "method": ("Method", "方法"),
    "rmsse": ("RMSSE", "RMSSE"),
    "mase": ("MASE", "MASE"),
    "bias": ("Bias [units/week]", "偏差 [每周数量]"),
    "pinball": ("Scaled pinball", "缩放分位损失"),
    "charted_series": ("Charted item-locations", "图示的物料-库位"),
    "segment": ("Segment", "细分"),
    "method_notes": ("How these numbers are made", "这些数字如何得出"),
    "demand_note_1": (
        "Classes follow Syntetos–Boylan (ADI 1.32, CV² 0.49) from each series' first demand; ABC by 52-week value and volume (80 %/95 %), XYZ by the CV of weekly demand (0.5/1.0).",
        "需求类别按 Syntetos–Boylan（ADI 1.32，CV² 0.49）自首次需求起计算；ABC 按 52 周金额和数量（80%/95%），XYZ 按周需求变异系数（0.5/1.0）。",
    ),
    "demand_note_2": (
        "Every candidate method is backtested on 6 rolling origins, 13 weeks ahead; each class (and its new, growing or declining items) takes its most accurate method by RMSSE, a series its own best only if at least 5 % better.",
        "每个候选方法在 6 个滚动起点上回测 13 周；每个类别（及其新品、增长、衰退物料）取 RMSSE 最优的方法，单个序列只有至少好 5% 时才用自己的最优方法。",
    ),
    "demand_note_3": (
        "Lead-time demand: the forecast over lead time + review period; its variance from the method's own cumulative errors plus demand² × lead-time variance; normal, negative binomial or gamma, and a bootstrap of sizes and intervals for sparse items.",
        "提前期需求：提前期加审核周期内的预测之和；方差来自该方法自身的累计误差加上需求² × 提前期方差；正态、负二项或伽马分布，稀疏物料用需求量与间隔的自助抽样。",
    ),
    "demand_note_4": (
        "Scores: MASE and RMSSE are scaled by the in-sample naive error; bias = forecast − actual; scaled pinball = quantile loss at 50 % and 90 %.",
        "指标：MASE 与 RMSSE 以样本内朴素预测误差缩放；偏差 = 预测 − 实际；缩放分位损失为 50% 与 90% 分位的损失。",
    ),
    "all": ("(all)", "（全部）"),
    "series_pick": ("Item-location", "物料-库位"),
    "value_column": ("Value", "值"),
    "forecast_accuracy": (
        "Forecast accuracy by demand class (chosen methods, backtest)",
        "按需求类别的预测精度（所选方法，回测）",
    ),
    "smooth": ("smooth", "平稳"),
    "erratic": ("erratic", "不稳定"),
    "intermittent": ("intermittent", "间歇"),
    "lumpy": ("lumpy", "块状"),
    "new": ("new", "新品"),
    "no_demand": ("no demand", "无需求"),
    "growth": ("growth", "增长"),
    "mature": ("mature", "成熟"),
    "decline": ("decline", "衰退"),
    "end_of_life": ("end of life", "停产"),
}


def label(key: str, lang: str = "en") -> str:
    """Return the label of ``key`` in ``lang`` ('en' or 'zh')."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    english, chinese = _LABELS[key]
    return chinese if lang == "zh" else english
