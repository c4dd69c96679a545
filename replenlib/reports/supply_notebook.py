"""Data and HTML blocks of the analyst notebook ``04_supply_trace``.

One call to :func:`load` reads, in one short read-only session, everything the notebook shows:
supplier scorecard and grade history, carriers' cold-chain record, lead-time statistics and
observations, sourcing decisions, stock by lot status, active holds, expiry risk, cold-chain
verdicts with one logger's readings, and one lot's genealogy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from replenlib.i18n import label
from replenlib.reports.html import HtmlBlock, esc, table
from replenlib.store import reader
from replenlib.store.lot_state import echelon_rates, expiry_risk_frame, lot_stock
from replenlib.store.recall_scope import RecallScope, recall_scope
from replenlib.store.sourcing_data import sourcing_candidates, sourcing_decisions
from replenlib.store.supplier_data import (
    ScorecardSettings,
    carrier_scorecard,
    grade_history,
    lead_time_observations,
    lead_time_table,
    supplier_scorecard,
)
from replenlib.trace.recall import RecallSelector


@dataclass(frozen=True)
class SupplyTraceData:
    """What notebook 04 shows (frames in the store's long layout)."""

    as_of: date
    scorecard: pd.DataFrame
    history: pd.DataFrame
    carriers: pd.DataFrame
    lead_times: pd.DataFrame
    lead_time_pair: pd.Series  #: the pair whose distribution is charted
    lead_time_observed: pd.Series  #: its observed lead times [days]
    sourcing: pd.DataFrame
    stock: pd.DataFrame  #: stock rows with lot status
    holds: pd.DataFrame
    expiry: pd.DataFrame
    exposures: pd.DataFrame
    record: pd.Series  #: the cold-chain record charted (worst excursion)
    readings: pd.DataFrame  #: its readings
    genealogy: RecallScope | None


def load(
    db: str | Path,
    as_of: str = "",
    *,
    item: str = "",
    supplier: str = "",
    lot: str = "",
    settings: ScorecardSettings | None = None,
) -> SupplyTraceData:
    """Read the notebook's data; empty arguments pick defaults (latest day, busiest pair,
    worst excursion, first recalled lot)."""
    with reader(db) as con:
        day = date.fromisoformat(as_of) if as_of else _latest_day(con)
        card = supplier_scorecard(con, day, settings)
        lead = lead_time_table(con, day)
        pair = _pair(lead, item, supplier)
        observed = lead_time_observations(con, day)
        stock = lot_stock(con, day)
        forecasts = con.execute(
            "SELECT item_id, location_id, mean_daily FROM forecasts WHERE run_id = "
            "(SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)"
        ).df()
        exposures = con.execute(
            "SELECT * EXCLUDE (evaluated_at) FROM cold_chain_exposures "
            "WHERE exposure <> 'safe' ORDER BY minutes_above + minutes_below DESC, record_id"
        ).df()
        record = exposures.iloc[0] if len(exposures) else pd.Series(dtype=object)
        return SupplyTraceData(
            as_of=day,
            scorecard=card,
            history=grade_history(con, day, settings),
            carriers=carrier_scorecard(con, day),
            lead_times=lead,
            lead_time_pair=pair,
            lead_time_observed=observed.loc[
                (observed["item_id"] == pair.get("item_id"))
                & (observed["supplier_id"] == pair.get("supplier_id")),
                "lead_days",
            ],
            sourcing=sourcing_decisions(
                sourcing_candidates(con, day, card.set_index("supplier_id")["grade"]),
                card.set_index("supplier_id")["grade_fell"],
            ),
            stock=stock,
            holds=con.execute(
                "SELECT * FROM lot_holds WHERE released_at IS NULL ORDER BY placed_at DESC, lot_id"
            ).df(),
            expiry=expiry_risk_frame(stock, echelon_rates(con, forecasts), day),
            exposures=exposures,
            record=record,
            readings=_readings(con, record),
            genealogy=_genealogy(con, lot),
        )


def _latest_day(con: duckdb.DuckDBPyConnection) -> date:
    row = con.execute("SELECT max(demand_date) FROM demand_history").fetchall()
    day = row[0][0] if row else None
    return day if isinstance(day, date) else date.today()


def _pair(lead: pd.DataFrame, item: str, supplier: str) -> pd.Series:
    chosen = lead
    if item:
        chosen = chosen[chosen["item_id"] == item]
    if supplier:
        chosen = chosen[chosen["supplier_id"] == supplier]
    if chosen.empty:
        return pd.Series(dtype=object)
    return chosen.sort_values(["n", "item_id"], ascending=[False, True]).iloc[0]


def _readings(con: duckdb.DuckDBPyConnection, record: pd.Series) -> pd.DataFrame:
    if record.empty:
        return pd.DataFrame(columns=["reading_time", "temperature_c"])
    return con.execute(
        "SELECT reading_time, temperature_c FROM temperature_readings WHERE logger_id = ? "
        "AND reading_time >= ? - INTERVAL 6 HOUR AND reading_time <= ? + INTERVAL 6 HOUR "
        "ORDER BY reading_time",
        [record["logger_id"], record["window_start"], record["window_end"]],
    ).df()


def _genealogy(con: duckdb.DuckDBPyConnection, lot: str) -> RecallScope | None:
    if not lot:
        row = con.execute("SELECT min(lot_id) FROM recall_lots").fetchall()
        lot = str(row[0][0]) if row and row[0][0] else ""
    return recall_scope(con, RecallSelector(lots=(lot,))) if lot else None


def stock_status_table(data: SupplyTraceData, lang: str = "en") -> HtmlBlock:
    """Quantity and value of stock per lot status (usable = approved)."""
    frame = data.stock.assign(value=data.stock["quantity"] * data.stock["unit_cost"])
    summary = frame.groupby("lot_status", as_index=False).agg(
        rows=("lot_id", "size"), quantity=("quantity", "sum"), value=("value", "sum")
    )
    rows = pd.DataFrame(
        {
            "status": summary["lot_status"],
            "rows": summary["rows"].map("{:,}".format),
            "quantity": summary["quantity"].map("{:,.0f}".format),
            "value": summary["value"].map("{:,.0f}".format),
        }
    )
    return table(
        rows, [label("status", lang), "#", label("quantity", lang), label("value_cny", lang)]
    )


def frame_table(frame: pd.DataFrame, columns: list[str], n: int = 20) -> HtmlBlock:
    """The first ``n`` rows of ``columns`` as an HTML table (numbers rounded for reading)."""
    shown = frame[columns].head(n).copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if v != v else f"{v:,.3g}")
    return table(shown.fillna("").astype(str), columns)


def heading(key: str, lang: str = "en") -> HtmlBlock:
    """A section heading from the label catalogue."""
    return HtmlBlock(f"<h2>{esc(label(key, lang))}</h2>")
