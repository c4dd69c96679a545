"""Small DuckDB helpers shared by the store modules.

DuckDB 2.0 refuses to register a frame on a connection whose previous ``execute`` result was
not read to its end (a ``fetchone()`` leaves it open). :func:`register` finishes any such
result first, so callers need not know what ran on the connection before them.
"""

from __future__ import annotations

import duckdb
import pandas as pd


def settle(con: duckdb.DuckDBPyConnection) -> None:
    """Finish any half-read result on ``con`` (a cheap statement read to its end)."""
    con.execute("SELECT 1").fetchall()


def register(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Register ``frame`` as view ``name`` on ``con`` (see the module docstring)."""
    settle(con)
    con.register(name, frame)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append ``frame`` to ``table`` by column position."""
    settle(con)
    con.from_df(frame).insert_into(table)
