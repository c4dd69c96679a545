"""Actions on lots: quarantine a recall's stock in one transaction, place and release holds.

:func:`quarantine_recall` records the recall (``recalls``, ``recall_lots``), puts a recall hold
on every lot, sets the lots' stock in the latest ``stock_on_hand`` snapshot to ``recalled``,
marks their serialised units in stock or in transit as ``recalled`` and, when asked, blocks
the recalled supplier for the recalled items (``supplier_blocks``) so that sourcing moves to the
backup. Everything happens in one transaction inside the caller's writer: all of it or none.

Holds are never deleted: releasing one stamps who released it, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from replenlib.errors import InputDataError
from replenlib.store.duck import register
from replenlib.store.recall_scope import RecallScope
from replenlib.trace.lots import HoldKind


@dataclass(frozen=True)
class QuarantineResult:
    """What :func:`quarantine_recall` changed.

    Attributes
    ----------
    recall_id : the recall the action belongs to (new or existing)
    holds : the recall holds placed (one per lot without an active one)
    quarantined : units newly set to ``recalled`` per item_id, location_id [units]
    serials_updated : serialised units marked ``recalled``
    blocks : supplier blocks placed (supplier_id, item_id)
    """

    recall_id: str
    holds: pd.DataFrame
    quarantined: pd.DataFrame
    serials_updated: int
    blocks: pd.DataFrame


def _recall_id(con: duckdb.DuckDBPyConnection, day: date) -> str:
    prefix = f"RC-{day:%Y%m%d}-"
    row = con.execute(
        "SELECT count(*) FROM recalls WHERE recall_id LIKE ?", [prefix + "%"]
    ).fetchone()
    return f"{prefix}{(int(row[0]) if row else 0) + 1:03d}"


def quarantine_recall(
    con: duckdb.DuckDBPyConnection,
    scope: RecallScope,
    *,
    reason: str,
    placed_by: str,
    recall_id: str | None = None,
    recall_class: str = "II",
    block_supplier: bool = False,
    announced: date | None = None,
) -> QuarantineResult:
    """Quarantine every unit of the scope's lots; see the module docstring."""
    if not reason.strip() or not placed_by.strip():
        raise InputDataError("a quarantine needs a reason and the name of who orders it")
    if recall_class not in ("I", "II", "III"):
        raise InputDataError(f"recall class {recall_class!r}: expected I, II or III")
    day = announced or date.today()
    rid = recall_id or _recall_id(con, day)
    lots = scope.lots
    register(con, "_q_lots", lots[["lot_id", "item_id", "supplier_id", "in_stock", "in_transit"]])
    con.execute("BEGIN TRANSACTION")
    try:
        _record_recall(con, rid, lots, reason, recall_class, day)
        holds = _place_recall_holds(con, rid, reason, placed_by)
        quarantined = _recall_stock(con)
        serials = _recall_serials(con)
        blocks = (
            _block_suppliers(con, rid, reason, placed_by)
            if block_supplier
            else (pd.DataFrame(columns=["supplier_id", "item_id"]))
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_q_lots")
    return QuarantineResult(rid, holds, quarantined, serials, blocks)


def _record_recall(
    con: duckdb.DuckDBPyConnection,
    rid: str,
    lots: pd.DataFrame,
    reason: str,
    recall_class: str,
    day: date,
) -> None:
    suppliers, items = lots["supplier_id"].unique(), lots["item_id"].unique()
    con.execute(
        "INSERT INTO recalls SELECT ?, ?, ?, ?, ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM recalls WHERE recall_id = ?)",
        [
            rid,
            day,
            suppliers[0] if len(suppliers) == 1 else None,
            items[0] if len(items) == 1 else None,
            reason,
            recall_class,
            rid,
        ],
    )
    con.execute(
        "INSERT INTO recall_lots SELECT ?, lot_id FROM _q_lots "
        "WHERE lot_id NOT IN (SELECT lot_id FROM recall_lots WHERE recall_id = ?)",
        [rid, rid],
    )


def _place_recall_holds(
    con: duckdb.DuckDBPyConnection, rid: str, reason: str, placed_by: str
) -> pd.DataFrame:
    return con.execute(
        """
        INSERT INTO lot_holds
        SELECT 'RCL|' || ? || '|' || q.lot_id AS hold_id, q.lot_id, NULL AS location_id,
               ? AS kind, ? AS reason, ? AS reference, q.in_stock + q.in_transit AS quantity,
               ? AS placed_at, ? AS placed_by, NULL AS released_at, NULL AS released_by,
               NULL AS release_reason
        FROM _q_lots q
        WHERE NOT EXISTS (SELECT 1 FROM lot_holds h WHERE h.lot_id = q.lot_id
                          AND h.kind = 'recall' AND h.reference = ? AND h.released_at IS NULL)
        ORDER BY q.lot_id
        RETURNING *
        """,
        [
            rid,
            HoldKind.RECALL.value,
            f"recall {rid}: {reason}",
            rid,
            datetime.now(),
            placed_by,
            rid,
        ],
    ).df()


def _recall_stock(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Set the lots' rows of the latest snapshot to 'recalled'; return units newly recalled."""
    latest = "(SELECT max(snapshot_date) FROM stock_on_hand)"
    changed = con.execute(
        f"""
        SELECT item_id, location_id, sum(quantity) AS quantity FROM stock_on_hand
        WHERE snapshot_date = {latest} AND status <> 'recalled'
          AND lot_id IN (SELECT lot_id FROM _q_lots)
        GROUP BY ALL ORDER BY ALL
        """
    ).df()
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _q_stock AS
        SELECT snapshot_date, item_id, location_id, lot_id, 'recalled' AS status,
               sum(quantity) AS quantity
        FROM stock_on_hand
        WHERE snapshot_date = {latest} AND lot_id IN (SELECT lot_id FROM _q_lots)
        GROUP BY ALL
        """
    )
    con.execute(
        f"DELETE FROM stock_on_hand WHERE snapshot_date = {latest} "
        "AND lot_id IN (SELECT lot_id FROM _q_lots)"
    )
    con.execute("INSERT INTO stock_on_hand SELECT * FROM _q_stock")
    con.execute("DROP TABLE _q_stock")
    return changed


def _recall_serials(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(
        "UPDATE serials SET status = 'recalled' WHERE status IN ('in_stock', 'in_transit') "
        "AND lot_id IN (SELECT lot_id FROM _q_lots)"
    ).fetchone()
    return int(row[0]) if row else 0


def _block_suppliers(
    con: duckdb.DuckDBPyConnection, rid: str, reason: str, placed_by: str
) -> pd.DataFrame:
    blocks = con.execute(
        """
        INSERT INTO supplier_blocks
        SELECT DISTINCT 'BLK|' || ? || '|' || supplier_id || '|' || item_id AS block_id,
               supplier_id, item_id, ? AS reason, ? AS reference, ? AS blocked_at,
               ? AS blocked_by, NULL AS released_at, NULL AS released_by
        FROM _q_lots q
        WHERE NOT EXISTS (SELECT 1 FROM supplier_blocks b WHERE b.supplier_id = q.supplier_id
                          AND b.item_id = q.item_id AND b.released_at IS NULL)
        ORDER BY supplier_id, item_id
        RETURNING supplier_id, item_id
        """,
        [rid, f"recall {rid}: {reason}", rid, datetime.now(), placed_by],
    ).df()
    return blocks


def place_hold(
    con: duckdb.DuckDBPyConnection,
    lot_id: str,
    *,
    kind: HoldKind,
    reason: str,
    placed_by: str,
    location_id: str | None = None,
    reference: str | None = None,
) -> str:
    """Put a hold on a lot (everywhere, or at one location); return its hold id."""
    if con.execute("SELECT 1 FROM lots WHERE lot_id = ?", [lot_id]).fetchone() is None:
        raise InputDataError(f"lot {lot_id} is not in the lots table")
    if not reason.strip() or not placed_by.strip():
        raise InputDataError("a hold needs a reason and the name of who places it")
    hold_id = f"{kind.value.upper()}|{lot_id}@{location_id or '*'}|{datetime.now():%Y%m%d%H%M%S%f}"
    con.execute(
        "INSERT INTO lot_holds VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, NULL, NULL)",
        [hold_id, lot_id, location_id, kind.value, reason, reference, datetime.now(), placed_by],
    )
    return hold_id


def release_holds(
    con: duckdb.DuckDBPyConnection,
    lot_id: str,
    *,
    released_by: str,
    reason: str,
    kind: HoldKind | None = None,
    location_id: str | None = None,
) -> int:
    """Release the lot's active holds (of one kind / at one location); return how many."""
    if not reason.strip() or not released_by.strip():
        raise InputDataError("a release needs a reason and the name of who releases")
    sql = (
        "UPDATE lot_holds SET released_at = ?, released_by = ?, release_reason = ? "
        "WHERE lot_id = ? AND released_at IS NULL"
    )
    params: list[object] = [datetime.now(), released_by, reason, lot_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind.value)
    if location_id is not None:
        sql += " AND (location_id = ? OR location_id IS NULL)"
        params.append(location_id)
    row = con.execute(sql, params).fetchone()
    count = int(row[0]) if row else 0
    if count == 0:
        raise InputDataError(
            f"lot {lot_id} has no active hold to release"
            + (f" of kind {kind.value}" if kind else "")
        )
    return count
