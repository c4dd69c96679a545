"""Data and HTML blocks of the KPI report (notebook ``07_kpi_report``).

The notebook stays thin: it calls :func:`load` once and displays the blocks and figures built
here and in :mod:`replenlib.viz`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.i18n import label
from replenlib.kpi.definitions import KPIS
from replenlib.reports import supply_report
from replenlib.reports.html import STYLE, HtmlBlock, esc, format_value, table
from replenlib.reports.supply_report import SupplyReportData, load_supply
from replenlib.store import reader

#: KPIs shown as tiles, in order.
TILE_KPIS = (
    "stockout_rate",
    "fill_rate",
    "inventory_days",
    "inventory_value",
    "consignment_value",
    "on_time_delivery_rate",
    "quality_pass_rate",
    "unit_cost",
    "expiry_write_off",
    "compliance_events",
    "lot_trace_success_rate",
    "supplier_grade_ab_share",
    "expiry_value_at_risk",
    "cold_chain_excursion_rate",
    "proposal_count",
    "proposal_value",
    "below_safety_stock_share",
)
FRESHNESS_SQL = {
    "demand_history": "SELECT max(demand_date) FROM demand_history",
    "stock_on_hand": "SELECT max(snapshot_date) FROM stock_on_hand",
    "receipts": "SELECT max(receipt_date) FROM receipts",
    "movements": "SELECT max(movement_date) FROM movements",
    "inspections": "SELECT max(inspection_date) FROM inspections",
    "temperature_readings": "SELECT CAST(max(reading_time) AS DATE) FROM temperature_readings",
}


@dataclass(frozen=True)
class KpiReportData:
    """Everything the KPI report shows, read in one short read-only session."""

    run: dict[str, object]
    kpis: pd.DataFrame
    proposals: pd.DataFrame
    chosen: pd.DataFrame  #: item_id, location_id, label + policy parameters of charted series
    stock: pd.DataFrame  #: item_id, location_id, day, on_hand for charted series
    class_mix: pd.DataFrame  #: tier, demand_class, series
    freshness: pd.DataFrame  #: source, latest
    #: demand_class, series, method (most used), rmsse, mase, bias of the chosen methods
    accuracy: pd.DataFrame = field(default_factory=pd.DataFrame)
    supply: SupplyReportData | None = None  #: supplier grades, expiry risk, untraced issues


def load(
    db: str | Path,
    run_id: str | None = None,
    series: str = "",
    n_top: int = 15,
    n_charts: int = 4,
    history_days: int = 180,
) -> KpiReportData:
    """Read a run's KPIs, top proposals and stock history for a few series.

    ``series`` is a comma-separated list of ``ITEM@LOCATION``; empty charts the most urgent
    proposals.
    """
    with reader(db) as con:
        run = _run(con, run_id)
        rid = str(run["run_id"])
        proposals = _proposals(con, rid, n_top)
        chosen = _chosen(con, rid, series, proposals, n_charts)
        return KpiReportData(
            run=run,
            kpis=con.execute(
                "SELECT kpi, scope, value, unit FROM run_kpis WHERE run_id = ?", [rid]
            ).df(),
            proposals=proposals,
            chosen=chosen,
            stock=_stock(con, chosen, run["as_of_date"], history_days),
            class_mix=con.execute(
                "SELECT p.tier, f.demand_class, count(*) AS series FROM forecasts f "
                "JOIN policy_parameters p USING (run_id, item_id, location_id) WHERE run_id = ? "
                "GROUP BY ALL ORDER BY ALL",
                [rid],
            ).df(),
            freshness=pd.DataFrame(
                [(name, con.execute(sql).fetchone()[0]) for name, sql in FRESHNESS_SQL.items()],  # type: ignore[index]
                columns=["source", "latest"],
            ),
            accuracy=con.execute(_ACCURACY_SQL, [rid]).df(),
            supply=load_supply(con, rid, run["as_of_date"]),  # type: ignore[arg-type]
        )


_ACCURACY_SQL = """
SELECT s.demand_class, count(*) AS series, mode(b.method) AS method,
       avg(b.rmsse) AS rmsse, avg(b.mase) AS mase, avg(b.bias) AS bias
FROM forecast_backtests b JOIN segments s USING (run_id, item_id, location_id)
WHERE b.run_id = ? AND b.chosen
GROUP BY ALL ORDER BY series DESC
"""


def _run(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, object]:
    sql = "SELECT * FROM runs " + (
        "WHERE run_id = ?" if run_id else "ORDER BY started_at DESC LIMIT 1"
    )
    frame = con.execute(sql, [run_id] if run_id else []).df()
    if frame.empty:
        raise ReplenError(
            f"no run {run_id} in the store"
            if run_id
            else "the store has no pipeline run yet: run `replen run` first"
        )
    row = {str(k): v for k, v in frame.iloc[0].to_dict().items()}
    row["as_of_date"] = pd.Timestamp(row["as_of_date"]).date()
    return row


def _proposals(con: duckdb.DuckDBPyConnection, run_id: str, n_top: int) -> pd.DataFrame:
    return con.execute(
        """
        SELECT p.item_id, i.description, p.location_id, l.name AS location_name,
               coalesce(s.name, '→ ' || p.source_location_id) AS source,
               p.quantity, p.order_value, p.expected_arrival, p.urgency, p.reason,
               p.inventory_position, p.reorder_point, pp.policy_type, pp.service_measure,
               pp.service_target, pp.lead_time_mean_days, pp.lead_time_std_days, f.mean_daily
        FROM proposals p JOIN items i USING (item_id) JOIN locations l USING (location_id)
        LEFT JOIN suppliers s USING (supplier_id)
        LEFT JOIN policy_parameters pp USING (run_id, item_id, location_id)
        LEFT JOIN forecasts f USING (run_id, item_id, location_id)
        WHERE p.run_id = ? ORDER BY p.urgency_score DESC, p.order_value DESC LIMIT ?
        """,
        [run_id, n_top],
    ).df()


def _chosen(
    con: duckdb.DuckDBPyConnection, run_id: str, series: str, proposals: pd.DataFrame, n: int
) -> pd.DataFrame:
    if series.strip():
        keys = [tuple(s.strip().split("@", 1)) for s in series.split(",") if s.strip()]
        bad = [k for k in keys if len(k) != 2]
        if bad:
            raise ReplenError(f"series must be ITEM@LOCATION, got {bad[0][0]!r}")
    else:
        keys = list(
            proposals[["item_id", "location_id"]].drop_duplicates().head(n).itertuples(index=False)
        )
    wanted = pd.DataFrame(keys, columns=["item_id", "location_id"])
    con.register("_wanted", wanted)
    try:
        return con.execute(
            """
            SELECT w.item_id, w.location_id, i.description, p.safety_stock, p.reorder_point,
                   p.order_up_to, p.tier
            FROM _wanted w JOIN items i USING (item_id)
            JOIN policy_parameters p ON p.item_id = w.item_id AND p.location_id = w.location_id
            WHERE p.run_id = ?
            """,
            [run_id],
        ).df()
    finally:
        con.unregister("_wanted")


def _stock(
    con: duckdb.DuckDBPyConnection, chosen: pd.DataFrame, as_of: object, days: int
) -> pd.DataFrame:
    """Daily physical on-hand of the chosen series, rebuilt from movements."""
    con.register("_chosen", chosen[["item_id", "location_id"]])
    try:
        return con.execute(
            """
            WITH flows AS (
                -- stock arrives when the shipment does: transfers are dated at dispatch
                SELECT m.item_id, m.to_location_id AS location_id,
                       CASE WHEN m.kind = 'transfer' THEN coalesce(sh.arrival_date, m.movement_date)
                            ELSE m.movement_date END AS day,
                       m.quantity AS q
                FROM movements m LEFT JOIN shipments sh ON sh.shipment_id = m.reference
                WHERE m.to_location_id IS NOT NULL
                UNION ALL
                SELECT item_id, from_location_id, movement_date, -quantity
                FROM movements WHERE from_location_id IS NOT NULL
            ), daily AS (
                SELECT item_id, location_id, day, sum(q) AS q
                FROM flows JOIN _chosen USING (item_id, location_id) GROUP BY ALL
            ), level AS (
                SELECT item_id, location_id, day,
                       sum(q) OVER (PARTITION BY item_id, location_id ORDER BY day) AS on_hand
                FROM daily
            )
            SELECT * FROM level WHERE day <= ?::DATE AND date_diff('day', day, ?::DATE) < ?
            ORDER BY item_id, location_id, day
            """,
            [as_of, as_of, days],
        ).df()
    finally:
        con.unregister("_chosen")


def header(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """Title block with run id, planning day, policy version and data freshness."""
    run = data.run
    facts = [
        (label("run", lang), run["run_id"]),
        (label("as_of", lang), run["as_of_date"]),
        (label("policy_version", lang), f"v{run['policy_version']}"),
        (label("item_locations", lang), f"{int(run['n_series']):,}"),  # type: ignore[call-overload]
    ]
    items = "".join(f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in facts)
    fresh = ", ".join(f"{esc(r.source)}: {esc(r.latest)}" for r in data.freshness.itertuples())
    return HtmlBlock(
        f'{STYLE}<header class="replen-header">'
        f'<div class="replen-facts">{items}</div>'
        f'<p class="replen-fresh"><b>{esc(label("data_freshness", lang))}</b>: {fresh}</p></header>'
    )


def kpi_tiles(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """One tile per KPI (scope 'all'); the formula shows on hover and in the footnotes."""
    values = data.kpis[data.kpis["scope"] == "all"].set_index("kpi")["value"]
    tiles = []
    for number, name in enumerate(TILE_KPIS, start=1):
        definition = KPIS[name]
        value = values.get(name)
        text = format_value(
            None if value is None else float(value), definition.unit, label("na", lang)
        )
        tiles.append(
            f'<div class="replen-tile" title="{esc(definition.formula_in(lang))}">'
            f'<div class="replen-tile-label">{esc(label(name, lang))}<sup>{number}</sup></div>'
            f'<div class="replen-tile-value">{esc(text)}</div></div>'
        )
    return HtmlBlock(
        f'<h2>{esc(label("kpis", lang))}</h2><div class="replen-tiles">{"".join(tiles)}</div>'
    )


def service_by_tier(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """Stockout and fill rate per tier."""
    tiers = data.kpis[data.kpis["scope"].str.startswith("tier=")]
    wide = tiers.pivot(index="scope", columns="kpi", values="value").reset_index()
    rows = pd.DataFrame(
        {
            "tier": [label(s.removeprefix("tier="), lang) for s in wide["scope"]],
            "stockout": [format_value(v, "fraction") for v in wide.get("stockout_rate", [])],
            "fill": [format_value(v, "fraction") for v in wide.get("fill_rate", [])],
        }
    )
    headers = [label("tier", lang), label("stockout_rate", lang), label("fill_rate", lang)]
    return HtmlBlock(f"<h2>{esc(label('service_by_tier', lang))}</h2>") + table(rows, headers)


def proposals_table(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """The most urgent proposals with their reasons."""
    title = HtmlBlock(f"<h2>{esc(label('top_proposals', lang))}</h2>")
    if data.proposals.empty:
        return title + HtmlBlock(f"<p>{esc(label('no_proposals', lang))}</p>")
    p = data.proposals
    rows = pd.DataFrame(
        {
            "item": p["item_id"],
            "description": p["description"],
            "location": p["location_name"],
            "source": p["source"],
            "quantity": [f"{q:,.0f}" for q in p["quantity"]],
            "value": [f"{v:,.0f}" for v in p["order_value"]],
            "arrival": [f"{pd.Timestamp(d):%Y-%m-%d}" for d in p["expected_arrival"]],
            "urgency": [label(u, lang) for u in p["urgency"]],
            "reason": [reason_text(r, lang) for r in p.itertuples()],
        }
    )
    keys = [
        "item",
        "description",
        "location",
        "supplier",
        "quantity",
        "value_cny",
        "arrival",
        "urgency",
        "reason",
    ]
    return title + table(rows, [label(k, lang) for k in keys])


def reason_text(row: object, lang: str = "en") -> str:
    """Why a proposal orders, in ``lang``: the stored reason in English; in other languages
    the same facts (position, reorder point, policy, target, forecast, lead time) with
    catalogue labels."""
    if lang == "en" or getattr(row, "policy_type", None) is None:
        return str(getattr(row, "reason", ""))
    r: Any = row
    target = r.service_target
    measure = label(str(r.service_measure), lang)
    rule = f"{measure} {target:.1%}" if target == target and target is not None else measure
    return (
        f"{label('inventory_position', lang)} {r.inventory_position:,.0f} ≤ "
        f"{label('reorder_point', lang)} {r.reorder_point:,.0f}（{r.policy_type}，{rule}，"
        f"{label('forecast', lang)} {r.mean_daily:,.2f}{label('per_day', lang)}，"
        f"{label('lead_time', lang)} {r.lead_time_mean_days:.0f}±{r.lead_time_std_days:.0f} "
        f"{label('wi_days', lang)}）"
    )


def supplier_grades(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """Supplier grades with trend and the metrics behind them (see :mod:`.supply_report`)."""
    assert data.supply is not None
    return supply_report.supplier_grades(data.supply, lang)


def expiry_risk(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """Usable stock expected to expire before forecast demand consumes it, with its value."""
    assert data.supply is not None
    return supply_report.expiry_risk(data.supply, lang)


def trace_success(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """Lot-trace success rate and the issues whose lot or customer is unknown."""
    assert data.supply is not None
    return supply_report.trace_success(data.supply, data.kpis, lang)


def footnotes(lang: str = "en") -> HtmlBlock:
    """Numbered KPI formulas, matching the tile superscripts."""
    items = "".join(
        f"<li><b>{esc(label(name, lang))}</b> [{esc(label('unit_' + KPIS[name].unit, lang))}]: "
        f"{esc(KPIS[name].formula_in(lang))}</li>"
        for name in TILE_KPIS
    )
    return HtmlBlock(
        f'<h3>{esc(label("formulas", lang))}</h3><ol class="replen-notes">{items}</ol>'
    )


def forecast_accuracy(data: KpiReportData, lang: str = "en") -> HtmlBlock:
    """Backtest accuracy of the chosen forecasting methods per demand class."""
    title = HtmlBlock(f"<h2>{esc(label('forecast_accuracy', lang))}</h2>")
    a = data.accuracy
    if a.empty:
        return title + HtmlBlock(f"<p>{esc(label('na', lang))}</p>")
    rows = pd.DataFrame(
        {
            "class": [label(str(c), lang) for c in a["demand_class"]],
            "series": [f"{n:,}" for n in a["series"]],
            "method": a["method"].astype(str),
            "rmsse": [f"{v:.3f}" if v == v else "–" for v in a["rmsse"]],
            "mase": [f"{v:.3f}" if v == v else "–" for v in a["mase"]],
            "bias": [f"{v:+.2f}" if v == v else "–" for v in a["bias"]],
        }
    )
    keys = ["demand_class", "series", "method", "rmsse", "mase", "bias"]
    return title + table(rows, [label(k, lang) for k in keys])


@dataclass(frozen=True)
class GovernanceSummary:
    """Open alerts and proposals awaiting a decision (the plan and governance block)."""

    alerts: pd.DataFrame
    pending: pd.DataFrame


def load_governance(db: str | Path) -> GovernanceSummary:
    """Read the open alerts and pending approvals in one short read-only session."""
    from replenlib.governance.alerts import open_alerts
    from replenlib.governance.approvals import pending_approvals

    with reader(db) as con:
        return GovernanceSummary(alerts=open_alerts(con), pending=pending_approvals(con))


def alerts_and_approvals(summary: GovernanceSummary, lang: str = "en", n: int = 10) -> HtmlBlock:
    """Counts of open alerts by severity and of pending approvals by level, and the top alerts."""
    a, p = summary.alerts, summary.pending
    by_severity = a["severity"].value_counts()
    tiles: list[tuple[str, object]] = [(label("open_alerts", lang), len(a))]
    tiles += [
        (label(s, lang), int(by_severity.get(s, 0))) for s in ("critical", "high", "medium", "low")
    ]
    for level in (1, 2):
        waiting = p[p["awaiting_level"] == level]
        tiles.append(
            (
                f"{label('pending_approvals', lang)} · {label('awaiting_level', lang)} {level}",
                f"{len(waiting)} · ¥{waiting['order_value'].sum():,.0f}",
            )
        )
    html = "".join(
        f'<div class="replen-tile"><div class="replen-tile-label">{esc(k)}</div>'
        f'<div class="replen-tile-value">{esc(v)}</div></div>'
        for k, v in tiles
    )
    block = HtmlBlock(
        f'<h2>{esc(label("governance_block", lang))}</h2><div class="replen-tiles">{html}</div>'
    )
    if a.empty:
        return block + HtmlBlock(f"<p>{esc(label('no_alerts', lang))}</p>")
    top = a.head(n)
    rows = pd.DataFrame(
        {
            "severity": [label(s, lang) for s in top["severity"]],
            "kind": top["kind"],
            "subject": top["subject"],
            "owner": top["owner_role"],
            "since": [f"{pd.Timestamp(d):%Y-%m-%d}" for d in top["raised_at"]],
            "message": top["message"],
        }
    )
    keys = ["col_severity", "col_kind", "col_subject", "col_owner", "col_since", "col_message"]
    return block + table(rows, [label(k, lang) for k in keys])
