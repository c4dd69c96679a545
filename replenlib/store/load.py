"""Writing whole tables into the store inside one transaction."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import duckdb
import pandas as pd

from replenlib.store.schema import SOURCE_TABLES

log = logging.getLogger(__name__)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Return the columns of ``table`` in their declared order."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def replace_tables(
    con: duckdb.DuckDBPyConnection, frames: Mapping[str, pd.DataFrame]
) -> dict[str, int]:
    """Replace the contents of each named table by its frame, all in one transaction.

    Columns are matched by name (a missing column is an error, extra columns are an error too:
    callers map source columns explicitly). Returns the number of rows written per table.
    """
    unknown = sorted(set(frames) - set(SOURCE_TABLES))
    if unknown:
        raise ValueError(f"not source tables of the store: {', '.join(unknown)}")
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in reversed(SOURCE_TABLES):
            if table in frames:
                con.execute(f"DELETE FROM {table}")
        for table in SOURCE_TABLES:
            if table in frames:
                counts[table] = _insert(con, table, frames[table])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    log.info("replaced %d tables (%d rows)", len(counts), sum(counts.values()))
    return counts


def append_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Insert ``frame`` into ``table`` (columns matched by name); the caller owns the transaction."""
    return _insert(con, table, frame)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    columns = table_columns(con, table)
    missing = [c for c in columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        raise ValueError(
            f"frame for {table}: missing columns {missing}, unexpected columns {extra}"
        )
    if frame.empty:
        return 0
    con.from_df(frame[columns]).insert_into(table)
    return len(frame)
