"""Reading what the plan stage needs beyond :mod:`.inputs`, as arrays aligned to the series.

Open proposals and requisitions, lots for the expiry check, known extra demand (tenders),
supplier standing, scheduled receipts by day, and the facts behind the alert rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.governance.approvals import open_proposal_lines
from replenlib.governance.sql import one
from replenlib.pipeline.demand_stage import BASELINE_SHARE, KNOWN_STATUSES


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the store has ``table``."""
    found = one(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]))
    return bool(found and found[0])


def series_index(
    series: pd.DataFrame, frame: pd.DataFrame, location: str = "location_id"
) -> NDArray[np.int64]:
    """Row of ``series`` for each (item_id, ``location``) of ``frame``; -1 when absent."""
    keys = pd.MultiIndex.from_frame(series[["item_id", "location_id"]])
    wanted = pd.MultiIndex.from_arrays([frame["item_id"], frame[location]])
    return np.asarray(keys.get_indexer(wanted), dtype=np.int64)


def per_series(
    series: pd.DataFrame, frame: pd.DataFrame, value: str, location: str = "location_id"
) -> NDArray[np.float64]:
    """Sum ``frame[value]`` per series row (rows not in ``series`` are ignored)."""
    rows = series_index(series, frame, location) if len(frame) else np.zeros(0, dtype=np.int64)
    keep = rows >= 0
    return np.bincount(
        rows[keep], weights=frame[value].to_numpy(dtype=np.float64)[keep], minlength=len(series)
    ).astype(np.float64)


@dataclass(frozen=True)
class OpenLines:
    """Open proposals / approved requisitions: quantities in and out per series [units]."""

    frame: pd.DataFrame
    pending_in: NDArray[np.float64]
    pending_out: NDArray[np.float64]


def read_open_lines(con: duckdb.DuckDBPyConnection, series: pd.DataFrame) -> OpenLines:
    """Open lines counting in the inventory position (see :data:`OPEN_STATUSES`)."""
    frame = open_proposal_lines(con)
    transfers = frame[frame["source_location_id"].notna()]
    return OpenLines(
        frame,
        per_series(series, frame, "quantity"),
        per_series(series, transfers, "quantity", location="source_location_id"),
    )


def read_usable_lots(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """Usable lots by item-location with days until they can no longer be issued [days]."""
    return con.execute(
        """
        SELECT k.item_id, k.location_id, k.lot_id, sum(k.quantity) AS quantity,
               any_value(i.unit_cost) AS unit_cost,
               CASE WHEN any_value(l.expiry_date) IS NULL THEN NULL ELSE
                 date_diff('day', ?::DATE, any_value(l.expiry_date))
                 - coalesce(any_value(i.min_remaining_shelf_life_days), 0) END AS days_to_expiry
        FROM stock_on_hand k JOIN lots l USING (lot_id) JOIN items i ON i.item_id = k.item_id
        WHERE k.snapshot_date = (SELECT max(snapshot_date) FROM stock_on_hand
                                 WHERE snapshot_date <= ?::DATE)
          AND k.status = 'available' AND l.inspection_status = 'passed'
          AND (l.expiry_date IS NULL
               OR l.expiry_date > ?::DATE + CAST(coalesce(i.min_remaining_shelf_life_days, 0)
                                                 AS INTEGER))
        GROUP BY k.item_id, k.location_id, k.lot_id
        """,
        [day, day, day],
    ).df()


def read_known_demand(con: duckdb.DuckDBPyConnection, day: date, until: date) -> pd.DataFrame:
    """Known *extra* demand due in (day, until]: item_id, location_id, due, quantity [base units].

    From the CRM's ``demand_signals`` (when the store has it): live signals
    (:data:`~replenlib.pipeline.demand_stage.KNOWN_STATUSES`), each weighted by its
    probability and by the share the history-based forecast does not already expect,
    :math:`(1 - \beta)\\,p\\,q` with :data:`~replenlib.pipeline.demand_stage.BASELINE_SHARE`
    (a won tender counts in full, a scheduled surgery not at all) — the demand layer's own rule.
    """
    empty = pd.DataFrame(
        {"item_id": [], "location_id": [], "due": pd.to_datetime([]), "quantity": []}
    )
    if not has_table(con, "demand_signals"):
        return empty
    extra = ", ".join(f"('{kind}', {1.0 - share})" for kind, share in BASELINE_SHARE.items())
    frame = con.execute(
        f"""
        SELECT s.item_id, s.location_id, s.signal_date AS due,
               sum(s.quantity * s.probability * coalesce(e.extra, 0.0)) AS quantity
        FROM demand_signals s LEFT JOIN (VALUES {extra}) e(kind, extra) USING (kind)
        WHERE s.status IN {KNOWN_STATUSES} AND s.signal_date > ?::DATE
          AND s.signal_date <= ?::DATE
        GROUP BY ALL
        """,
        [day, until],
    ).df()
    return frame[frame["quantity"] > 0].reset_index(drop=True)


def read_supplier_standing(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """Per item and supplier: qualification status, and whether the item's top-priority supplier
    is blocked (so any other supplier is a backup in use because of the block)."""
    return con.execute(
        """
        WITH ranked AS (
            SELECT s.item_id, s.supplier_id, s.priority, q.qualification_status,
                   min(s.priority) OVER (PARTITION BY s.item_id) AS top_priority
            FROM item_supplier s JOIN suppliers q USING (supplier_id)
        )
        SELECT item_id, supplier_id, qualification_status AS supplier_status,
               priority > top_priority AND EXISTS (
                   SELECT 1 FROM ranked r2 WHERE r2.item_id = ranked.item_id
                   AND r2.priority = ranked.top_priority
                   AND r2.qualification_status = 'blocked') AS on_backup_supplier
        FROM ranked
        """
    ).df()


def read_open_receipts(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """Open purchase-order lines still to arrive: item_id, location_id, due, quantity."""
    return con.execute(
        """
        SELECT item_id, location_id, confirmed_date AS due, quantity - quantity_received AS quantity
        FROM purchase_orders
        WHERE status = 'open' AND order_date <= ?::DATE AND quantity > quantity_received
        """,
        [day],
    ).df()


def day_offset(due: pd.Series, day: date) -> NDArray[np.int64]:
    """Days from ``day`` to each date in ``due`` [days]."""
    if len(due) == 0:
        return np.zeros(0, dtype=np.int64)
    delta = pd.to_datetime(due) - pd.Timestamp(day)
    return np.asarray(delta.dt.days.to_numpy(), dtype=np.int64)


def month_starts(day: date, months: int) -> list[date]:
    """First day of the month of ``day`` and of the following ``months - 1`` months."""
    out, current = [], day.replace(day=1)
    for _ in range(months):
        out.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return out
