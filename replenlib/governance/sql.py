"""A small DuckDB helper shared by the governance and plan-stage modules."""

from __future__ import annotations

from typing import Any

import duckdb


def one(cursor: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """The first row of an executed query, fetching the whole result.

    DuckDB 2 keeps a result open after ``fetchone()``, and registering a frame on the
    connection then fails with "unfinished result"; fetching everything closes it.
    """
    rows = cursor.fetchall()
    return rows[0] if rows else None
