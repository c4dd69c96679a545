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
    # --- scenario report (replenlib.reports.scenario_report, replenlib.viz.scenario) ------
    "scenario_report_title": ("Scenario report", "情景分析报告"),
    "scenario_set": ("Scenario set", "情景集"),
    "scenario_run": ("Scenario run", "情景运行"),
    "scenario": ("Scenario", "情景"),
    "baseline": ("Baseline", "基准"),
    "replications": ("Replications", "重复次数"),
    "horizon": ("Measured days", "评估天数"),
    "warmup": ("Warm-up days", "预热天数"),
    "seed": ("Seed", "随机种子"),
    "demand_source": ("Demand", "需求来源"),
    "summary": ("Summary", "摘要"),
    "scenarios_side_by_side": ("Scenarios side by side", "情景对比"),
    "difference_to": ("Difference to", "相对于"),
    "kpi": ("KPI", "指标"),
    "mean": ("Mean", "均值"),
    "range_5_95": ("5–95 % of replications", "重复结果的 5–95 % 区间"),
    "ci95": ("95 % confidence interval", "95 % 置信区间"),
    "business_case": (
        "Business case: from fixed ERP reorder points to the tiered policy",
        "商业论证：从 ERP 固定再订货点到分层策略",
    ),
    "before": ("Before", "之前"),
    "after": ("After", "之后"),
    "change": ("Change", "变化"),
    "observed_history": ("Observed (last 90 days)", "实际（近 90 天）"),
    "mechanism": ("Where the change comes from", "变化来自哪里"),
    "group": ("Series group", "序列分组"),
    "share_of_series": ("Share of series", "序列占比"),
    "erp=under": ("ERP reorder point too low", "ERP 再订货点过低"),
    "erp=aligned": ("ERP close to the policy", "ERP 与策略接近"),
    "erp=over": ("ERP stock target too high", "ERP 库存目标过高"),
    "frontier_title": ("Efficient frontier: inventory against service", "有效前沿：库存与服务水平"),
    "frontier_curve": ("Tiered policy, one target for all", "分层策略（统一目标）"),
    "target": ("Target", "目标"),
    "tornado_title": ("Sensitivity (tornado)", "敏感性分析（龙卷风图）"),
    "factor": ("Input", "输入因素"),
    "factor_low": ("Input lower", "输入降低"),
    "factor_high": ("Input higher", "输入提高"),
    "lead_time": ("Lead time", "交货期"),
    "demand_level": ("Demand level", "需求水平"),
    "variability": ("Demand variability", "需求波动"),
    "service_target": ("Service target", "服务目标"),
    "calibration_title": (
        "Does a target mean what it says? Calibration by replay",
        "目标是否名副其实？历史回放校准",
    ),
    "before_calibration": ("Achieved today", "当前实际达成"),
    "after_calibration": ("Achieved after calibration", "校准后达成"),
    "safety_factor": ("Safety factor z", "安全系数 z"),
    "achieved_csl": ("Achieved cycle service level", "实际周期服务水平"),
    "achieved_fill": ("Achieved fill rate", "实际满足率"),
    "reached": ("Target reachable", "目标可达"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "by_tier": ("by tier", "按层级"),
    "definitions": ("Scenario definitions", "情景定义"),
    "overrides": ("Overrides", "调整内容"),
    "methods": ("How these numbers were made", "计算方法说明"),
    "cycle_service_level": ("Cycle service level", "周期服务水平"),
    "stockout_days": ("Stockout days per series", "每序列缺货天数"),
    "orders_placed": ("Orders placed", "下单次数"),
    "expired_value": ("Expired value", "过期报废金额"),
    "analysis_not_run": ("Not part of this scenario run.", "本次情景运行未包含此项分析。"),
    "no_scenario_runs": (
        "The store has no scenario run yet: run `replen scenario run FILE` first.",
        "数据库中还没有情景运行：请先运行 `replen scenario run FILE`。",
    ),
    "summary_business": (
        "Moving from {before} to {after} changes the stockout rate from {so_before} to {so_after} "
        "({so_diff}, 95 % CI {so_low} to {so_high}) and inventory days from {days_before} to "
        "{days_after} ({days_diff}); inventory value {value_verb} by {value_diff}.",
        "从 {before} 改为 {after}：缺货率由 {so_before} 变为 {so_after}（{so_diff}，95 % 置信区间 "
        "{so_low} 至 {so_high}），库存天数由 {days_before} 变为 {days_after}（{days_diff}）；"
        "库存金额{value_verb} {value_diff}。",
    ),
    "summary_mechanism": (
        "The ERP reorder point is too low for {under} of the series (they cause {under_share} of "
        "today's stockout days) and the ERP stock target too high for {over} (they hold "
        "{over_share} of today's inventory value).",
        "{under} 的序列 ERP 再订货点过低（造成当前 {under_share} 的缺货天数），{over} 的序列 "
        "ERP 库存目标过高（占当前库存金额的 {over_share}）。",
    ),
    "summary_lever": (
        "{name} ({description}): compared with {reference}, stockout rate {so_diff}, "
        "inventory days {days_diff}, inventory value {value_diff} — {verdict}.",
        "{name}（{description}）：与 {reference} 相比，缺货率 {so_diff}，库存天数 {days_diff}，"
        "库存金额 {value_diff}——{verdict}。",
    ),
    "verdict_better": ("better on both service and inventory", "服务与库存双改善"),
    "verdict_worse": ("worse on both service and inventory", "服务与库存双恶化"),
    "verdict_buys": ("buys service with inventory", "以库存换取服务"),
    "verdict_saves": ("saves inventory at the cost of service", "以服务换取库存节约"),
    "verdict_same": ("no material difference", "无明显差异"),
    "verdict_service_only": ("better service for the same inventory", "库存不变而服务改善"),
    "verdict_inventory_only": ("less inventory for the same service", "服务不变而库存减少"),
    "verdict_service_worse": ("worse service for the same inventory", "库存不变而服务变差"),
    "verdict_inventory_worse": (
        "more inventory without a clear service gain",
        "库存增加而服务无明显改善",
    ),
    "increases": ("rises", "增加"),
    "decreases": ("falls", "减少"),
    "summary_calibration": (
        "Replaying real history, {tier} items planned for a {target} {measure} achieved "
        "{achieved} (safety factor {z_before}); a safety factor of {z_after} would deliver "
        "{after}.",
        "历史回放显示：{tier}层级物料的{measure}目标为 {target}，实际达成 {achieved}"
        "（安全系数 {z_before}）；安全系数调整为 {z_after} 可达成 {after}。",
    ),
    "summary_frontier": (
        "On the frontier, raising every series from {low} to {high} cycle service level takes "
        "{value_diff} more inventory for a fill rate from {fill_low} to {fill_high}.",
        "在有效前沿上，把全部序列的周期服务水平从 {low} 提高到 {high}，需要增加库存 {value_diff}，"
        "满足率由 {fill_low} 升至 {fill_high}。",
    ),
    "methods_text": (
        "Every scenario is simulated day by day for {horizon} days after a {warmup}-day warm-up, "
        "{reps} times, on common random numbers: each replication draws its demand (resampled "
        "from each series' last year, or fitted), the lead time of each order and supplier "
        "outages once, and every scenario sees the same draws, so differences come from the "
        "policy. Differences carry paired 95 % confidence intervals across replications. "
        "Cycle service level = share of replenishment cycles without a stockout; fill rate = "
        "share of demand served from stock; stockout rate = share of demand days not fully "
        "served; inventory days = inventory value ÷ daily demand value. Each item-location is "
        "simulated with its own replenishment lead time, as if its source always had stock. "
        "The calibration replays real history (forecasts from the past only) and is in-sample.",
        "每个情景在 {warmup} 天预热后逐日模拟 {horizon} 天，重复 {reps} 次，并使用共同随机数："
        "每次重复只抽取一次需求（从各序列近一年的日需求重抽样，或按拟合分布）、每张订单的交货期和供应商中断，"
        "所有情景共享同一组抽样，因此差异来自策略本身。差异给出跨重复的配对 95 % 置信区间。"
        "周期服务水平 = 无缺货的补货周期占比；满足率 = 由库存直接满足的需求占比；"
        "缺货率 = 未完全满足的需求日占比；库存天数 = 库存金额 ÷ 日均需求金额。"
        "每个物料-库位按其自身的补货交货期单独模拟（假设上游始终有货）。"
        "校准基于历史回放（预测只使用过去数据），为样本内结果。",
    ),
    "summary_efficiency": (
        "{before} sits off the efficient frontier: with its inventory ({days}) the swept policy "
        "reaches a stockout rate of {so_same} instead of {so}, and {before}'s stockout rate "
        "needs only {days_needed}.",
        "{before} 不在有效前沿上：在相同库存（{days}）下，前沿策略的缺货率为 {so_same}（而非 {so}）；"
        "达到 {before} 的缺货率只需 {days_needed}。",
    ),
    "summary_tornado": (
        "The KPI most sensitive to its inputs: the stockout rate moves most with {factor} "
        "({low} to {high}).",
        "最敏感的输入：缺货率随{factor}变化最大（{low} 至 {high}）。",
    ),
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
    # plan and governance (planning board, KPI report block)
    "planning_board_title": ("Planning board", "计划看板"),
    "planning_report_title": ("Planning board", "计划看板"),
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
    "first_plan": ("new (no previous plan)", "新增（无上次计划）"),
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
