"""Reading the current policy version (the strategy) from the store, creating the default."""

from __future__ import annotations

from datetime import datetime

import duckdb

from replenlib.policy.strategy import Strategy


def current_strategy(con: duckdb.DuckDBPyConnection) -> tuple[int, Strategy]:
    """Return the newest policy version and its strategy; store the default as version 1."""
    row = con.execute(
        "SELECT version_id, body FROM policy_versions ORDER BY version_id DESC LIMIT 1"
    ).fetchone()
    if row is not None:
        return int(row[0]), Strategy.from_json(row[1])
    strategy = Strategy()
    con.execute(
        "INSERT INTO policy_versions VALUES (1, ?, 'system', ?, NULL, ?)",
        [datetime.now(), "default tiered strategy of replenlib", strategy.to_json()],
    )
    return 1, strategy
