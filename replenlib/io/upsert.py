"""From clean rows to the store: duplicates, aggregation, idempotent upsert, lineage.

All steps are SQL over the temp tables of one load (``_clean``, ``_issues``):

* **duplicates**: rows sharing a key (the table's key, or the mapping's ``line_key``) are
  *merged* when they are identical (the first row is kept, the others counted) and all
  *quarantined* when they differ, because nobody can tell which one is right;
* **aggregation** (``aggregate: true``): the remaining lines are summed per table key;
* **upsert**: only rows that differ from the store are written, inserted or updated by key;
  loading the same rows again changes nothing. Rows of new keys are appended with a plain
  ``INSERT``, sorted by key unless they already come in long ascending runs (DuckDB writes
  its primary-key index about twice as fast for ordered keys); only rows of existing keys go
  through ``INSERT ... ON CONFLICT DO UPDATE``;
* **lineage**: every loaded source row is linked to the key it fed.

``_ok`` and (without aggregation) ``_final`` are views over ``_clean``: a scan of the clean
rows costs less than a copy of millions of them.
"""

from __future__ import annotations

import duckdb

from replenlib.io.cleaning import ident, literal
from replenlib.io.tables import TableSpec, ValueKind

#: Columns an upsert never updates: changing them on an existing row breaks DuckDB's
#: foreign-key and unique indexes (a GTIN change is refused earlier with a reason).
FROZEN_COLUMNS = {("items", "gtin")}
#: Rows of a load checked for key order before a bulk insert (see :func:`_in_key_order`).
ORDER_PROBE_ROWS = 100_000
#: Average length of the ascending runs of keys [rows] from which a load is not sorted.
MIN_RUN_ROWS = 10_000


def _cols(names: tuple[str, ...] | list[str], prefix: str = "") -> str:
    return ", ".join(prefix + ident(n) for n in names)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def prepare_ok_rows(con: duckdb.DuckDBPyConnection) -> None:
    """``_ok``: clean rows without any error (the errors found so far: ``_bad``)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _bad AS "
        "SELECT DISTINCT source_row FROM _issues WHERE severity = 'error'"
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _ok AS SELECT * FROM _clean WHERE _errors = '' "
        "AND source_row NOT IN (SELECT source_row FROM _bad)"
    )


def deduplicate(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    present: tuple[str, ...],
    by_line: bool,
    aggregate: bool,
) -> int:
    """Quarantine conflicting duplicates, drop identical ones; return how many were merged."""
    con.execute("CREATE OR REPLACE TEMP TABLE _drop (source_row BIGINT)")
    if aggregate and not by_line:
        return 0  # lines of one key are summed, and nothing tells two lines apart
    group = ["_line"] if by_line else list(spec.key)
    join = " AND ".join(f"o.{ident(g)} = d.{ident(g)}" for g in group)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dupkeys AS "
        f"SELECT {_cols(group)} FROM _ok GROUP BY {_cols(group)} HAVING count(*) > 1"
    )
    if _scalar(con, "SELECT count(*) FROM _dupkeys") == 0:
        return 0
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dupkeys AS "
        f"SELECT {_cols(group, 'd.')}, min(o.source_row) AS first_row, "
        f"min(hash({_cols(list(present), 'o.')})) <> max(hash({_cols(list(present), 'o.')})) "
        "AS conflict, count(*) AS n, "
        "string_agg(CAST(o.source_row AS VARCHAR), ', ' ORDER BY o.source_row) AS rows "
        f"FROM _ok o JOIN _dupkeys d ON {join} GROUP BY {_cols(group, 'd.')}"
    )
    shown = " || ', ' || ".join(f"'{g}=' || CAST(o.{ident(g)} AS VARCHAR)" for g in group)
    con.execute(
        "INSERT INTO _issues SELECT o.source_row, '_key', NULL, NULL, 'duplicate_key', "
        f"'key ' || {shown} || ' is repeated with different values in rows ' || d.rows, 'error' "
        f"FROM _ok o JOIN _dupkeys d ON {join} WHERE d.conflict"
    )
    con.execute(
        "INSERT INTO _drop SELECT o.source_row FROM _ok o "
        f"JOIN _dupkeys d ON {join} WHERE d.conflict OR o.source_row <> d.first_row"
    )
    return _scalar(con, "SELECT sum(n - 1) FROM _dupkeys WHERE NOT conflict")


def final_rows(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, present: tuple[str, ...], aggregate: bool
) -> None:
    """``_final``: one row per key, ready to write (lines summed when aggregating)."""
    source = "(SELECT * FROM _ok WHERE source_row NOT IN (SELECT source_row FROM _drop))"
    if not aggregate:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _final AS SELECT {_cols(present)} FROM {source}")
        return
    parts = []
    for name in present:
        kind = spec.column(name).kind
        if name in spec.key:
            parts.append(ident(name))
        elif kind is ValueKind.QUANTITY:
            parts.append(f"sum({ident(name)}) AS {ident(name)}")
        else:
            parts.append(f"any_value({ident(name)}) AS {ident(name)}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _summed AS SELECT {', '.join(parts)} FROM {source} "
        f"GROUP BY {_cols(spec.key)}"
    )
    con.execute("CREATE OR REPLACE TEMP VIEW _final AS SELECT * FROM _summed")


def upsert(con: duckdb.DuckDBPyConnection, spec: TableSpec, present: tuple[str, ...]) -> int:
    """Write ``_final`` into the table: new keys inserted, changed rows updated.

    Returns the number of rows inserted or changed (0 when the store already held them all).
    """
    table, columns, key = ident(spec.name), _cols(present), _cols(spec.key)
    if _scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)") == 0:
        order = "" if _in_key_order(con, spec) else f" ORDER BY {key}"
        return _scalar(con, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _final{order}")
    _changed_rows(con, spec, present)
    changed = _scalar(con, "SELECT count(*) FROM _changed")
    if changed == 0:
        return 0
    con.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _changed WHERE _new ORDER BY {key}"
    )
    updates = [
        f"{ident(c)} = excluded.{ident(c)}"
        for c in present
        if c not in spec.key and (spec.name, c) not in FROZEN_COLUMNS
    ]
    action = f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
    con.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _changed WHERE NOT _new "
        f"ON CONFLICT ({key}) {action}"
    )
    return changed


def _in_key_order(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> bool:
    """Whether ``_final`` comes in long runs of ascending keys (judged on its first
    :data:`ORDER_PROBE_ROWS` rows): then appending it as it is costs less than sorting it.

    Exports are often sorted by their key (movements by number) or grouped by its first part
    (readings logger by logger, each in time order). Rows in date order with a few thousand
    items a day are not: their keys jump all over the primary-key index, which then costs
    twice as much as the sort. Only the speed of the insert depends on the answer.
    """
    key = "(" + ", ".join(ident(k) for k in spec.key) + ",)"
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE k < previous) FROM (SELECT k, lag(k) OVER () "
        f"AS previous FROM (SELECT {key} AS k FROM _final LIMIT {ORDER_PROBE_ROWS}))"
    ).fetchall()[0]
    rows, descents = int(row[0]), int(row[1])
    return rows / (descents + 1) >= MIN_RUN_ROWS


def _changed_rows(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, present: tuple[str, ...]
) -> None:
    """``_changed``: the rows of ``_final`` the table lacks (``_new``: their key is new too),
    like ``_final EXCEPT table``, but comparing each row with the one of its key only."""
    on = " AND ".join(f"f.{ident(k)} = t.{ident(k)}" for k in spec.key)
    differs = " OR ".join(
        f"f.{ident(c)} IS DISTINCT FROM t.{ident(c)}" for c in present if c not in spec.key
    )
    first = ident(spec.key[0])
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _changed AS SELECT {_cols(present, 'f.')}, "
        f"t.{first} IS NULL AS _new FROM _final f LEFT JOIN {ident(spec.name)} t ON {on} "
        f"WHERE t.{first} IS NULL OR {differs or 'false'}"
    )


def record_lineage(con: duckdb.DuckDBPyConnection, spec: TableSpec, load_id: int) -> int:
    """Link every loaded source row (merged duplicates included) to its key; return the count."""
    key = ", ".join(f"CAST({ident(k)} AS VARCHAR)" for k in spec.key)
    key = key if len(spec.key) == 1 else f"concat_ws('|', {key})"  # key columns are NOT NULL
    return _scalar(
        con,
        f"INSERT INTO lineage SELECT {literal(spec.name)}, {key}, {load_id}, "
        "source_row FROM _ok WHERE source_row NOT IN "
        "(SELECT source_row FROM _issues WHERE severity = 'error')",
    )


def latest_date(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> object:
    """The latest business date among the rows written (freshness), or None."""
    if spec.date_column is None:
        return None
    row = con.execute(f"SELECT CAST(max({ident(spec.date_column)}) AS DATE) FROM _final").fetchone()
    return row[0] if row else None
