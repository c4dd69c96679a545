"""The alert life cycle in the store: raised once, tracked while it holds, resolved when it clears.

Each run passes the alerts whose conditions hold today (one row per ``alert_key`` =
``kind:subject``) to :func:`sync_alerts`:

* a key with no unresolved alert → a new alert, status ``open``;
* a key with an unresolved alert (``open`` or ``acknowledged``) → the same alert, its
  ``last_seen`` and ``times_seen`` updated and its severity and message refreshed — never a
  second alert;
* an unresolved alert whose key is not in today's list → ``resolved`` by the run.

A condition that clears and later returns is a new alert (a new occurrence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.governance import audit
from replenlib.governance.sql import one
from replenlib.store import writer

#: Columns of the frame :func:`sync_alerts` takes.
CANDIDATE_COLUMNS = (
    "alert_key",
    "kind",
    "severity",
    "owner_role",
    "subject",
    "item_id",
    "location_id",
    "supplier_id",
    "message",
    "suggested_action",
)
UNRESOLVED = ("open", "acknowledged")


class AlertError(ReplenError):
    """An alert that does not exist or cannot take the requested change."""

    exit_code = 12


@dataclass(frozen=True)
class AlertSync:
    """How many alerts a run raised, kept open and resolved."""

    raised: int
    still_open: int
    resolved: int


def sync_alerts(
    con: duckdb.DuckDBPyConnection, candidates: pd.DataFrame, run_id: str, now: datetime
) -> AlertSync:
    """Apply today's alert conditions to the stored alerts (see the module docstring)."""
    frame = candidates.loc[:, list(CANDIDATE_COLUMNS)].drop_duplicates("alert_key")
    con.register("_candidates", frame)
    try:
        still = _refresh(con, run_id, now)
        resolved = _resolve_cleared(con, run_id, now)
        raised = _raise_new(con, run_id, now)
    finally:
        con.unregister("_candidates")
    return AlertSync(raised=raised, still_open=still, resolved=resolved)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = one(con.execute(sql))
    return int(row[0]) if row else 0


def _refresh(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> int:
    where = "a.status IN ('open', 'acknowledged') AND a.alert_key = c.alert_key"
    count = _count(con, f"SELECT count(*) FROM alerts a, _candidates c WHERE {where}")
    con.execute(
        f"""
        UPDATE alerts a SET last_seen_run = ?, last_seen_at = ?, times_seen = a.times_seen + 1,
               severity = c.severity, message = c.message
        FROM _candidates c WHERE {where}
        """,
        [run_id, now],
    )
    return count


def _resolve_cleared(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> int:
    where = (
        "status IN ('open', 'acknowledged') "
        "AND alert_key NOT IN (SELECT alert_key FROM _candidates)"
    )
    count = _count(con, f"SELECT count(*) FROM alerts WHERE {where}")
    con.execute(
        f"""
        UPDATE alerts SET status = 'resolved', resolved_run = ?, resolved_at = ?,
               resolved_by = 'system', resolution = 'condition cleared'
        WHERE {where}
        """,
        [run_id, now],
    )
    return count


def _raise_new(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> int:
    new = con.execute(
        """
        SELECT c.* FROM _candidates c
        WHERE c.alert_key NOT IN (
            SELECT alert_key FROM alerts WHERE status IN ('open', 'acknowledged'))
        ORDER BY c.alert_key
        """
    ).df()
    if new.empty:
        return 0
    row = one(con.execute("SELECT coalesce(max(alert_id), 0) FROM alerts"))
    start = int(row[0]) if row else 0
    new.insert(0, "alert_id", range(start + 1, start + 1 + len(new)))
    new = new.assign(
        status="open",
        raised_run=run_id,
        raised_at=now,
        last_seen_run=run_id,
        last_seen_at=now,
        times_seen=1,
        acknowledged_by=None,
        acknowledged_at=pd.Series(pd.NaT, index=new.index, dtype="datetime64[us]"),
        resolved_run=None,
        resolved_at=pd.Series(pd.NaT, index=new.index, dtype="datetime64[us]"),
        resolved_by=None,
        resolution=None,
    )
    con.register("_new_alerts", new)
    try:
        con.execute("INSERT INTO alerts BY NAME SELECT * FROM _new_alerts")
    finally:
        con.unregister("_new_alerts")
    return len(new)


def acknowledge(
    db: Path | str, alert_id: int, actor: str, comment: str = "", *, now: datetime | None = None
) -> None:
    """Mark an unresolved alert as acknowledged (it stays tracked until its condition clears)."""
    moment = now or datetime.now()
    with writer(db) as con:
        row = one(con.execute("SELECT status FROM alerts WHERE alert_id = ?", [alert_id]))
        if row is None:
            raise AlertError(f"no alert {alert_id} in the store")
        if row[0] not in UNRESOLVED:
            raise AlertError(f"alert {alert_id} is {row[0]}: only open alerts can be acknowledged")
        con.execute(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = ? "
            "WHERE alert_id = ?",
            [actor, moment, alert_id],
        )
        audit.append(
            con,
            actor=actor,
            action=audit.AuditAction.ALERT_ACKNOWLEDGE,
            entity="alert",
            entity_id=str(alert_id),
            details={"comment": comment},
            now=moment,
        )


def open_alerts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Unresolved alerts, most severe and oldest first."""
    return con.execute(
        """
        SELECT alert_id, kind, severity, owner_role, subject, item_id, location_id, supplier_id,
               message, suggested_action, status, raised_at, last_seen_at, times_seen
        FROM alerts WHERE status IN ('open', 'acknowledged')
        ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
                 ELSE 3 END, raised_at, alert_id
        """
    ).df()
