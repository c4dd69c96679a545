"""The trace index: per-lot aggregates of the movement log, so a recall needs no log scan.

A recall asks, for a few lots (or thousands, for a supplier), where every unit is: in stock by
location, in transit, issued to which customer and when. Walking tens of millions of movements
for that takes seconds; the answers per lot are small. :func:`build_trace_index` therefore
aggregates the whole log once (the nightly run calls it) into the ``trace_*`` tables, each
written **sorted by lot** and with an ART index on ``lot_id``, so that a recall of a few lots
is a handful of index lookups and a recall of thousands of lots one pass over small tables:

==========================  ===================================================================
``trace_lot_position``      per lot and location: units arrived minus units left
``trace_lot_transit``       per lot and transfer shipment still under way: units and arrival
``trace_lot_issue``         per lot, customer and issuing location: units issued and returned,
                            first and last issue day, issue count, procedure references
``trace_lot_edge``          per lot and (from node, to node, kind): units and dates (genealogy)
``trace_serial_state``      per serial: status and whereabouts after its last movement
==========================  ===================================================================

**Semantics.** A transfer is logged on its dispatch day; its units are *in transit* until the
shipment's arrival date (``shipments.arrival_date`` of the shipment named in ``reference``) and
count at the destination from then on. The index describes the store as of its ``as_of`` day:
the last movement day or the last stock snapshot day, whichever is later. Nodes of the genealogy are ``L:<location>``, ``S:<supplier>`` (receipts
from and returns to a supplier), ``C:<customer>`` (issues, customer returns) and ``X:<kind>``
(scrap, stock adjustments).

**Freshness.** ``trace_index_state`` records the movement count, largest movement id and
shipment count the index was built from. :func:`index_is_fresh` compares them with the store;
:func:`select_trace` reads the index when it is fresh and otherwise computes exactly the same
aggregates from the movements of the selected lots (slower, same answer).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

log = logging.getLogger(__name__)

#: Up to this many lots a recall reads the index through its ART index on ``lot_id``.
INDEX_LOOKUP_MAX_LOTS = 500

#: Index tables in build order.
INDEX_TABLES = (
    "trace_lot_position",
    "trace_lot_transit",
    "trace_lot_issue",
    "trace_lot_edge",
    "trace_serial_state",
)

_FLOWS_VIEW = """
CREATE OR REPLACE TEMP VIEW _trace_flows AS SELECT * FROM {source}
"""

# transfers whose shipment arrives after the as-of day: the only rows needing the shipment
_PENDING = """
SELECT m.lot_id, m.item_id, m.from_location_id, m.to_location_id, s.shipment_id,
       m.movement_date, m.movement_id, m.serial_number, greatest(s.arrival_date, m.movement_date)
           AS arrival_date, m.quantity
FROM _trace_flows m
JOIN (SELECT shipment_id, arrival_date FROM shipments WHERE arrival_date > $as_of) s
  ON s.shipment_id = m.reference
WHERE m.kind = 'transfer'
"""

_POSITION_SQL = f"""
WITH pending AS ({_PENDING}),
flows AS (
    SELECT lot_id, any_value(item_id) AS item_id, to_location_id AS location_id,
           sum(quantity) AS q, min(movement_date) AS first_in, max(movement_date) AS last_day
    FROM _trace_flows WHERE to_location_id IS NOT NULL GROUP BY lot_id, to_location_id
    UNION ALL
    SELECT lot_id, any_value(item_id), from_location_id, -sum(quantity), NULL, max(movement_date)
    FROM _trace_flows WHERE from_location_id IS NOT NULL GROUP BY lot_id, from_location_id
    UNION ALL
    SELECT lot_id, item_id, to_location_id, -sum(quantity), NULL, NULL
    FROM pending GROUP BY ALL
)
SELECT lot_id, any_value(item_id) AS item_id, location_id, sum(q) AS quantity,
       min(first_in) AS first_in, max(last_day) AS last_movement
FROM flows
GROUP BY lot_id, location_id
HAVING abs(sum(q)) > 1e-9
ORDER BY lot_id, location_id
"""

_TRANSIT_SQL = f"""
SELECT lot_id, item_id, from_location_id, to_location_id, shipment_id,
       movement_date AS dispatch_date, arrival_date, sum(quantity) AS quantity
FROM ({_PENDING})
GROUP BY ALL
ORDER BY lot_id, arrival_date
"""

_ISSUE_SQL = """
SELECT lot_id, any_value(item_id) AS item_id, customer_id,
       CASE WHEN kind = 'issue' THEN from_location_id ELSE to_location_id END AS location_id,
       coalesce(sum(quantity) FILTER (WHERE kind = 'issue'), 0) AS quantity,
       coalesce(sum(quantity) FILTER (WHERE kind = 'return'), 0) AS quantity_returned,
       min(movement_date) FILTER (WHERE kind = 'issue') AS first_issue,
       max(movement_date) FILTER (WHERE kind = 'issue') AS last_issue,
       count(*) FILTER (WHERE kind = 'issue') AS issue_movements,
       array_to_string(list_sort(list_distinct(list(reference) FILTER (
           WHERE kind = 'issue' AND reference IS NOT NULL))), ', ') AS issue_references
FROM _trace_flows
WHERE kind = 'issue' OR (kind = 'return' AND customer_id IS NOT NULL AND from_location_id IS NULL)
GROUP BY lot_id, customer_id, 4
ORDER BY lot_id, customer_id
"""

_EDGE_SQL = """
WITH grouped AS (
    SELECT lot_id, any_value(item_id) AS item_id, kind, from_location_id, to_location_id,
           CASE WHEN kind IN ('issue', 'return') THEN customer_id END AS customer_id,
           sum(quantity) AS quantity, min(movement_date) AS first_date,
           max(movement_date) AS last_date, count(*) AS movements
    FROM _trace_flows GROUP BY lot_id, kind, from_location_id, to_location_id, 6
)
SELECT g.lot_id, g.item_id, g.kind,
       CASE WHEN g.from_location_id IS NOT NULL THEN 'L:' || g.from_location_id
            WHEN g.kind = 'receipt' THEN 'S:' || coalesce(l.supplier_id, '?')
            WHEN g.kind = 'return' AND g.customer_id IS NOT NULL THEN 'C:' || g.customer_id
            WHEN g.kind = 'return' THEN 'S:' || coalesce(l.supplier_id, '?')
            ELSE 'X:' || g.kind END AS from_node,
       CASE WHEN g.to_location_id IS NOT NULL THEN 'L:' || g.to_location_id
            WHEN g.kind = 'issue' THEN 'C:' || coalesce(g.customer_id, '?')
            WHEN g.kind = 'return' THEN 'S:' || coalesce(l.supplier_id, '?')
            ELSE 'X:' || g.kind END AS to_node,
       sum(g.quantity) AS quantity, min(g.first_date) AS first_date,
       max(g.last_date) AS last_date, sum(g.movements) AS movements
FROM grouped g LEFT JOIN lots l ON l.lot_id = g.lot_id
GROUP BY ALL
ORDER BY lot_id, first_date, from_node, to_node, kind
"""

_SERIAL_SQL = f"""
WITH last AS (
    SELECT item_id, serial_number,
           arg_max(struct_pack(lot_id, kind, to_location_id, customer_id, movement_date,
                               movement_id, reference), (movement_date, movement_id)) AS m
    FROM _trace_flows WHERE serial_number IS NOT NULL
    GROUP BY item_id, serial_number
), pending AS ({_PENDING})
SELECT l.item_id, l.serial_number, l.m.lot_id AS lot_id,
       CASE WHEN l.m.kind = 'issue' THEN 'issued'
            WHEN l.m.kind = 'scrap' THEN 'scrapped'
            WHEN l.m.to_location_id IS NULL AND l.m.kind = 'return' THEN 'returned'
            WHEN l.m.to_location_id IS NULL THEN 'adjusted_out'
            WHEN p.arrival_date IS NOT NULL THEN 'in_transit'
            ELSE 'in_stock' END AS status,
       l.m.to_location_id AS location_id,
       CASE WHEN l.m.kind = 'issue' THEN l.m.customer_id END AS customer_id,
       l.m.movement_date AS event_date,
       p.arrival_date,
       l.m.reference AS reference
FROM last l
LEFT JOIN pending p ON p.movement_id = l.m.movement_id
ORDER BY lot_id, l.serial_number
"""

_AGGREGATES = {
    "trace_lot_position": _POSITION_SQL,
    "trace_lot_transit": _TRANSIT_SQL,
    "trace_lot_issue": _ISSUE_SQL,
    "trace_lot_edge": _EDGE_SQL,
    "trace_serial_state": _SERIAL_SQL,
}


def _params(sql: str, as_of: date | None) -> dict[str, object]:
    return {"as_of": as_of} if "$as_of" in sql else {}


@dataclass(frozen=True)
class TraceIndexState:
    """What the trace index was built from, and whether the store still matches it."""

    built_at: datetime
    as_of: date | None
    movements_count: int
    max_movement_id: int | None
    shipments_count: int
    fresh: bool


def _store_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[int, int | None, int, date | None]:
    row = con.execute(
        "SELECT (SELECT count(*) FROM movements), (SELECT max(movement_id) FROM movements), "
        "(SELECT count(*) FROM shipments), greatest((SELECT max(movement_date) FROM movements), "
        "(SELECT max(snapshot_date) FROM stock_on_hand))"
    ).fetchone()
    assert row is not None
    return int(row[0]), row[1], int(row[2]), row[3]


def build_trace_index(con: duckdb.DuckDBPyConnection) -> TraceIndexState:
    """Rebuild every ``trace_*`` table from the movement log (inside the caller's writer)."""
    started = time.perf_counter()
    con.execute("SET enable_progress_bar = false")
    count, max_id, shipments, as_of = _store_fingerprint(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_FLOWS_VIEW.format(source="movements"))
        for table, sql in _AGGREGATES.items():
            con.execute(f"DROP INDEX IF EXISTS {table}_lot")
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} {sql}", _params(sql, as_of))
            con.execute(f"CREATE INDEX {table}_lot ON {table} (lot_id)")
        con.execute("DELETE FROM trace_index_state")
        built = datetime.now()
        con.execute(
            "INSERT INTO trace_index_state VALUES (?, ?, ?, ?, ?)",
            [built, as_of, count, max_id, shipments],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP VIEW IF EXISTS _trace_flows")
    log.info("trace index built from %d movements in %.1f s", count, time.perf_counter() - started)
    return TraceIndexState(built, as_of, count, max_id, shipments, True)


def index_state(con: duckdb.DuckDBPyConnection) -> TraceIndexState | None:
    """The index's build record with ``fresh`` set, or None when it was never built."""
    row = con.execute(
        "SELECT built_at, as_of, movements_count, max_movement_id, shipments_count "
        "FROM trace_index_state"
    ).fetchone()
    if row is None:
        return None
    count, max_id, shipments, _ = _store_fingerprint(con)
    fresh = (int(row[2]), row[3], int(row[4])) == (count, max_id, shipments)
    return TraceIndexState(row[0], row[1], int(row[2]), row[3], int(row[4]), fresh)


def index_is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the trace index exists and matches the movement log."""
    state = index_state(con)
    return state is not None and state.fresh


@dataclass(frozen=True)
class TraceSource:
    """Temporary relations ``_sel_<index table>`` holding the selected lots' trace aggregates."""

    as_of: date | None
    from_index: bool

    @staticmethod
    def relation(table: str) -> str:
        """Name of the temporary relation with ``table``'s rows for the selected lots."""
        return f"_sel_{table}"


def select_trace(
    con: duckdb.DuckDBPyConnection, lots_table: str, *, use_index: bool | None = None
) -> TraceSource:
    """Make ``_sel_<table>`` temporary tables: the trace aggregates of the lots in ``lots_table``.

    Copied from the index (a filter by lot that its sort order makes cheap) when it is fresh,
    else computed from the selected lots' movements; ``use_index`` forces one path.
    """
    con.execute("SET enable_progress_bar = false")
    state = index_state(con)
    from_index = (state is not None and state.fresh) if use_index is None else use_index
    if from_index:
        lots = [r[0] for r in con.execute(f"SELECT lot_id FROM {lots_table}").fetchall()]
        for table in INDEX_TABLES:
            _drop_relation(con, TraceSource.relation(table))
            con.execute(
                f"CREATE TEMP TABLE {TraceSource.relation(table)} AS SELECT * FROM {table} "
                + _lot_filter(lots_table, len(lots)),
                {"lots": lots} if len(lots) <= INDEX_LOOKUP_MAX_LOTS else {},
            )
        return TraceSource(state.as_of if state is not None else None, True)
    as_of = _store_fingerprint(con)[3]
    source = f"(SELECT * FROM movements WHERE lot_id IN (SELECT lot_id FROM {lots_table}))"
    con.execute(_FLOWS_VIEW.format(source=source))
    try:
        for table, sql in _AGGREGATES.items():
            _drop_relation(con, TraceSource.relation(table))
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {TraceSource.relation(table)} AS {sql}",
                _params(sql, as_of),
            )
    finally:
        con.execute("DROP VIEW IF EXISTS _trace_flows")
    return TraceSource(as_of, False)


def _lot_filter(lots_table: str, n_lots: int) -> str:
    """A few lots: a constant list, which DuckDB answers from the ART index on ``lot_id``;
    many: a semi join, one pass over the (lot-sorted) table."""
    if n_lots <= INDEX_LOOKUP_MAX_LOTS:
        return "WHERE lot_id IN (SELECT unnest($lots))"
    return f"t SEMI JOIN {lots_table} s ON t.lot_id = s.lot_id"


def drop_selection(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the ``_sel_*`` relations of :func:`select_trace`."""
    for table in INDEX_TABLES:
        _drop_relation(con, TraceSource.relation(table))


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a temporary view or table called ``name`` if there is one."""
    row = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    if row is not None:
        kind = "VIEW" if row[0] == "VIEW" else "TABLE"
        con.execute(f"DROP {kind} {name}")
