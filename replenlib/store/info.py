"""A summary of what a store holds."""

from __future__ import annotations

from pathlib import Path

from replenlib.store.db import reader
from replenlib.store.schema import SCHEMA_VERSION


def table_counts(db: Path | str) -> tuple[int, dict[str, int]]:
    """Return the schema version and the row count of every table, by table name.

    Tables outside the ``main`` schema (the raw rows of each import, ``raw.load_NNNNNN``) are
    named with their schema.
    """
    with reader(db) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "ORDER BY schema_name <> 'main', schema_name, table_name"
        ).fetchall()
        counts = {}
        for schema, table in tables:
            row = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
            name = table if schema == "main" else f"{schema}.{table}"
            counts[name] = int(row[0]) if row else 0
    return SCHEMA_VERSION, counts
