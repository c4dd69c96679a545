"""A summary of what a store holds."""

from __future__ import annotations

from pathlib import Path

from replenlib.store.db import reader
from replenlib.store.schema import SCHEMA_VERSION


def table_counts(db: Path | str) -> tuple[int, dict[str, int]]:
    """Return the schema version and the row count of every table, by table name."""
    with reader(db) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() ORDER BY table_name"
            ).fetchall()
        ]
        counts = {}
        for table in tables:
            row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            counts[table] = int(row[0]) if row else 0
    return SCHEMA_VERSION, counts
