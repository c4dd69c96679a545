"""Supply and traceability sections of the KPI report: supplier grades, expiry risk, trace success.

:func:`load_supply` reads what the sections need in the KPI report's read-only session: the
supplier scorecard as of the run's planning day, the expiry-risk list (usable stock against the
run's forecasts, FEFO) and the issued units of the last 90 days whose lot or customer is not
known. The block functions return :class:`~replenlib.reports.html.HtmlBlock` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from replenlib.i18n import label
from replenlib.kpi.definitions import KPIS
from replenlib.reports.html import HtmlBlock, esc, format_value, table
from replenlib.store.lot_state import echelon_rates, expiry_risk_frame, lot_stock
from replenlib.store.supplier_data import supplier_scorecard

#: Trailing window of the trace-success detail [days] (as the KPI).
TRACE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class SupplyReportData:
    """Supplier scorecard, expiry-risk list and untraced issues for one planning day."""

    scorecard: pd.DataFrame
    expiry: pd.DataFrame
    untraced: pd.DataFrame  #: issued units without a known lot or customer, by reason


def load_supply(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date) -> SupplyReportData:
    """Read the supply sections' data for the run ``run_id`` planned on ``as_of``."""
    forecasts = con.execute(
        "SELECT item_id, location_id, mean_daily FROM forecasts WHERE run_id = ?", [run_id]
    ).df()
    untraced = con.execute(
        """
        SELECT CASE WHEN m.lot_id IS NULL OR m.lot_id = '' OR l.lot_id IS NULL THEN 'lot unknown'
                    ELSE 'customer unknown' END AS reason,
               count(*) AS issues, sum(m.quantity) AS units
        FROM movements m LEFT JOIN lots l ON l.lot_id = m.lot_id
        WHERE m.kind = 'issue' AND m.movement_date <= $day
          AND date_diff('day', m.movement_date, $day) < $window
          AND (l.lot_id IS NULL OR m.customer_id IS NULL)
        GROUP BY 1 ORDER BY 1
        """,
        {"day": as_of, "window": TRACE_WINDOW_DAYS},
    ).df()
    return SupplyReportData(
        scorecard=supplier_scorecard(con, as_of),
        expiry=expiry_risk_frame(lot_stock(con, as_of), echelon_rates(con, forecasts), as_of),
        untraced=untraced,
    )


def _pct(value: float) -> str:
    return format_value(value, "fraction")


def supplier_grades(supply: SupplyReportData, lang: str = "en") -> HtmlBlock:
    """Grade, trend and the metrics behind them, worst grade first."""
    card = supply.scorecard.sort_values(["grade", "score"], ascending=[False, True])
    rows = pd.DataFrame(
        {
            "supplier": card["supplier_id"] + " " + card["name"],
            "grade": card["grade"] + card["blocked"].map({True: " (blocked)", False: ""}),
            "previous": card["grade_previous"],
            "trend": card["trend"],
            "score": card["score"].map(lambda v: f"{v:.3f}" if v == v else "n/a"),
            "on_time": card["on_time_rate"].map(_pct),
            "fill": card["quantity_fill_rate"].map(_pct),
            "pass": card["pass_rate"].map(_pct),
            "excursions": card["excursion_rate"].map(_pct),
            "lead_time": card["lead_time_mean"].map(lambda v: f"{v:.1f}" if v == v else "n/a"),
        }
    )
    keys = [
        "supplier",
        "grade",
        "grade_previous",
        "trend",
        "score",
        "on_time_rate",
        "quantity_fill_rate",
        "pass_rate",
        "excursion_rate",
        "lead_time_mean",
    ]
    return HtmlBlock(f"<h2>{esc(label('supplier_grades', lang))}</h2>") + table(
        rows, [label(k, lang) for k in keys]
    )


def expiry_risk(supply: SupplyReportData, lang: str = "en", n_top: int = 15) -> HtmlBlock:
    """The lots with most value expected to expire unsold, and the total."""
    title = HtmlBlock(f"<h2>{esc(label('expiry_risk', lang))}</h2>")
    risk = supply.expiry
    if risk.empty:
        return title + HtmlBlock(f"<p>{esc(label('no_expiry_risk', lang))}</p>")
    top = risk.head(n_top)
    rows = pd.DataFrame(
        {
            "item": top["item_id"],
            "location": top["location_id"],
            "lot": top["lot_id"],
            "expiry": top["expiry_date"].map(lambda d: f"{pd.Timestamp(d):%Y-%m-%d}"),
            "quantity": top["quantity"].map("{:,.0f}".format),
            "demand": top["demand_per_day"].map("{:,.2f}".format),
            "days": top["days_to_sell"].map("{:,.0f}".format),
            "at_risk": top["at_risk"].map("{:,.0f}".format),
            "value": top["value_at_risk"].map("{:,.0f}".format),
        }
    )
    keys = [
        "item",
        "location",
        "lot_id",
        "expiry_date",
        "quantity",
        "demand_per_day",
        "days_to_sell",
        "at_risk",
        "value_at_risk",
    ]
    total = format_value(float(risk["value_at_risk"].sum()), "CNY")
    note = HtmlBlock(
        f'<p class="replen-notes"><b>{esc(label("expiry_value_at_risk", lang))}'
        f"</b>: {esc(total)} · {esc(KPIS['expiry_value_at_risk'].formula)}</p>"
    )
    return title + table(rows, [label(k, lang) for k in keys]) + note


def trace_success(supply: SupplyReportData, kpis: pd.DataFrame, lang: str = "en") -> HtmlBlock:
    """The lot-trace success KPI with its formula and the issues that break the trace."""
    values = kpis[kpis["scope"] == "all"].set_index("kpi")["value"]
    value = values.get("lot_trace_success_rate")
    shown = format_value(None if value is None else float(value), "fraction", label("na", lang))
    detail = "".join(
        f"<li>{esc(r['reason'])}: {r['issues']:,.0f} issues, {r['units']:,.0f} units</li>"
        for r in supply.untraced.to_dict("records")
    )
    return HtmlBlock(
        f"<h2>{esc(label('trace_success', lang))}</h2>"
        f'<div class="replen-tiles"><div class="replen-tile">'
        f'<div class="replen-tile-label">{esc(label("lot_trace_success_rate", lang))}</div>'
        f'<div class="replen-tile-value">{esc(shown)}</div></div></div>'
        f'<p class="replen-notes">{esc(label("trace_success_note", lang))} '
        f"({esc(KPIS['lot_trace_success_rate'].formula)})</p>"
        + (f'<ul class="replen-notes">{detail}</ul>' if detail else "")
    )
