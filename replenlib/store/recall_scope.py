"""Recall scope: every affected unit in stock (by location), in transit, and at which customer.

:func:`recall_scope` resolves a :class:`~replenlib.trace.recall.RecallSelector` to lots, reads
their trace aggregates (:mod:`replenlib.store.trace_index`: the index when fresh, else the
movements) and returns a :class:`RecallScope` of tidy frames ready for the CLI, the report and
the quarantine action. A selector that matches nothing raises :class:`NoRecallMatchError`
naming what each criterion matched on its own, never an empty report without explanation.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from replenlib.errors import InputDataError
from replenlib.store.duck import settle
from replenlib.store.trace_index import drop_selection, select_trace
from replenlib.trace.recall import RecallSelector, lot_balance

log = logging.getLogger(__name__)

#: Longest genealogy path followed when listing routes [movements].
MAX_ROUTE_HOPS = 8


class NoRecallMatchError(InputDataError):
    """A recall selector matched no lot; the message says what each criterion matched."""


@dataclass(frozen=True)
class RecallScope:
    """The affected units of a recall, as frames (empty frames keep their columns).

    Attributes
    ----------
    selector : the criteria
    as_of : the day the whereabouts refer to (last movement day)
    lots : one row per lot: item, supplier, dates, balance of received vs accounted units
    stock : units in stock per lot and location (to quarantine), with snapshot statuses
    transit : units in transit per lot and shipment (quarantine on arrival)
    customers : units issued per lot and customer, first and last issue day, references
    units : serialised units: status, location or customer, last movement day
    routes : distinct genealogy paths per lot, supplier → locations → customer or stock point
    from_index : whether the trace index answered (else the movements)
    seconds : time the query took [s]
    """

    selector: RecallSelector
    as_of: date | None
    lots: pd.DataFrame
    stock: pd.DataFrame
    transit: pd.DataFrame
    customers: pd.DataFrame
    units: pd.DataFrame
    routes: pd.DataFrame
    from_index: bool
    seconds: float

    @property
    def complete(self) -> bool:
        """Every received unit of every lot is accounted for."""
        return bool(self.lots["complete"].all())

    def summary(self) -> dict[str, float]:
        """Headline counts: lots, units in stock / in transit / issued, locations, customers."""
        return {
            "lots": float(len(self.lots)),
            "units_in_stock": float(self.stock["quantity"].clip(lower=0).sum()),
            "stock_locations": float(
                self.stock.loc[self.stock["quantity"] > 0, "location_id"].nunique()
            ),
            "units_in_transit": float(self.transit["quantity"].sum()),
            "units_issued": float(self.customers["quantity"].sum()),
            "customers": float(self.customers["customer_id"].nunique()),
            "unaccounted_units": float(self.lots["unaccounted"].abs().sum()),
        }


_CRITERIA_SQL = {
    "lots": "l.lot_id IN (SELECT unnest($lots))",
    "serials": "l.lot_id IN (SELECT lot_id FROM _recall_serial_lots)",
    "gtins": (
        "(lpad(i.gtin, 14, '0') IN (SELECT lpad(unnest($gtins), 14, '0')) OR l.item_id IN "
        "(SELECT item_id FROM item_uom WHERE lpad(gtin, 14, '0') IN "
        "(SELECT lpad(unnest($gtins), 14, '0'))))"
    ),
    "suppliers": "l.supplier_id IN (SELECT unnest($suppliers))",
    "items": "l.item_id IN (SELECT unnest($items))",
    "manufactured_from": "l.manufacture_date >= $manufactured_from",
    "manufactured_to": "l.manufacture_date <= $manufactured_to",
}


_CRITERION_LABEL = {
    "lots": "lot",
    "serials": "serial",
    "gtins": "GTIN",
    "suppliers": "supplier",
    "items": "item",
    "manufactured_from": "manufactured on or after",
    "manufactured_to": "manufactured on or before",
}


def _criteria(selector: RecallSelector) -> dict[str, object]:
    values: dict[str, object] = {
        "lots": list(selector.lots),
        "serials": list(selector.serials),
        "gtins": list(selector.gtins),
        "suppliers": list(selector.suppliers),
        "items": list(selector.items),
        "manufactured_from": selector.manufactured_from,
        "manufactured_to": selector.manufactured_to,
    }
    return {k: v for k, v in values.items() if v not in (None, [])}


def _lot_query(names: list[str]) -> str:
    where = " AND ".join(_CRITERIA_SQL[n] for n in names) or "TRUE"
    return f"SELECT l.lot_id FROM lots l JOIN items i ON i.item_id = l.item_id WHERE {where}"


def _params(names: list[str], values: dict[str, object]) -> dict[str, object]:
    return {n: values[n] for n in names if n != "serials"}


def resolve_lots(con: duckdb.DuckDBPyConnection, selector: RecallSelector) -> list[str]:
    """Lot ids matching every criterion; raises :class:`NoRecallMatchError` when none do."""
    values = _criteria(selector)
    if "serials" in values:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _recall_serial_lots AS "
            "SELECT DISTINCT lot_id FROM serials WHERE serial_number IN (SELECT unnest($s)) "
            "UNION SELECT DISTINCT lot_id FROM trace_serial_state "
            "WHERE serial_number IN (SELECT unnest($s))",
            {"s": values["serials"]},
        )
    names = list(values)
    rows = con.execute(_lot_query(names) + " ORDER BY l.lot_id", _params(names, values)).fetchall()
    if not rows:
        raise NoRecallMatchError(_explain_no_match(con, selector, values))
    return [r[0] for r in rows]


def _explain_no_match(
    con: duckdb.DuckDBPyConnection, selector: RecallSelector, values: dict[str, object]
) -> str:
    """Say what each criterion matches alone, so the user sees which one excludes all."""
    parts = []
    for name in values:
        count = con.execute(
            f"SELECT count(*) FROM ({_lot_query([name])})", _params([name], values)
        ).fetchone()
        shown = values[name]
        text = ", ".join(map(str, shown)) if isinstance(shown, list) else str(shown)
        parts.append(f"{_CRITERION_LABEL[name]} {text} → {count[0] if count else 0} lots")
    hint = "" if len(parts) > 1 else " (check the spelling, or the store's lots table)"
    return f"recall matches no lot: {'; '.join(parts)}{hint}"


def recall_scope(
    con: duckdb.DuckDBPyConnection, selector: RecallSelector, *, use_index: bool | None = None
) -> RecallScope:
    """Every affected unit of the lots ``selector`` names (see the module docstring)."""
    started = time.perf_counter()
    lots = resolve_lots(con, selector)
    con.execute("CREATE OR REPLACE TEMP TABLE _recall_lots (lot_id VARCHAR PRIMARY KEY)")
    con.execute("INSERT INTO _recall_lots SELECT unnest($lots)", {"lots": lots})
    source = select_trace(con, "_recall_lots", use_index=use_index)
    try:
        scope = RecallScope(
            selector=selector,
            as_of=source.as_of,
            lots=_lot_summary(con),
            stock=_frame(con, _STOCK_SQL),
            transit=_frame(
                con,
                "SELECT * FROM _sel_trace_lot_transit ORDER BY lot_id, "
                "arrival_date, to_location_id",
            ),
            customers=_frame(con, _CUSTOMERS_SQL),
            units=_frame(con, _UNITS_SQL, {"named": list(selector.serials)}),
            routes=_frame(con, _ROUTES_SQL, {"max_hops": MAX_ROUTE_HOPS}),
            from_index=source.from_index,
            seconds=0.0,
        )
    finally:
        drop_selection(con)
    seconds = time.perf_counter() - started
    log.info("recall scope of %d lots in %.3f s", len(lots), seconds)
    return dataclasses.replace(scope, seconds=seconds)


def _frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> pd.DataFrame:
    """Run ``sql`` and return a frame (via Arrow: fast for many string columns)."""
    settle(con)
    frame: pd.DataFrame = con.sql(sql, params=params or {}).to_arrow_table().to_pandas()
    return frame


_LOT_SUMMARY_SQL = """
WITH e AS (
    SELECT lot_id,
           sum(quantity) FILTER (WHERE kind = 'receipt') AS received,
           sum(quantity) FILTER (WHERE from_node LIKE 'X:%') AS adjusted_in,
           sum(quantity) FILTER (WHERE to_node = 'X:scrap') AS scrapped,
           sum(quantity) FILTER (WHERE kind = 'return' AND to_node LIKE 'S:%')
               AS returned_to_supplier,
           sum(quantity) FILTER (WHERE to_node LIKE 'X:%' AND to_node <> 'X:scrap')
               AS adjusted_out
    FROM _sel_trace_lot_edge GROUP BY lot_id
), i AS (
    SELECT lot_id, sum(quantity) AS issued, sum(quantity_returned) AS returned_by_customers
    FROM _sel_trace_lot_issue GROUP BY lot_id
), p AS (SELECT lot_id, sum(quantity) AS in_stock FROM _sel_trace_lot_position GROUP BY lot_id
), t AS (SELECT lot_id, sum(quantity) AS in_transit FROM _sel_trace_lot_transit GROUP BY lot_id)
SELECT l.lot_id, l.item_id, it.gtin, it.description, l.supplier_id, s.name AS supplier_name,
       l.lot_number, l.manufacture_date, l.expiry_date, l.inspection_status,
       it.is_serialised, it.unit_cost,
       coalesce(e.received, 0) AS received, coalesce(e.adjusted_in, 0) AS adjusted_in,
       coalesce(i.returned_by_customers, 0) AS returned_by_customers,
       coalesce(i.issued, 0) AS issued, coalesce(e.scrapped, 0) AS scrapped,
       coalesce(e.returned_to_supplier, 0) AS returned_to_supplier,
       coalesce(e.adjusted_out, 0) AS adjusted_out,
       coalesce(p.in_stock, 0) AS in_stock, coalesce(t.in_transit, 0) AS in_transit
FROM lots l SEMI JOIN _recall_lots r ON r.lot_id = l.lot_id
JOIN items it ON it.item_id = l.item_id
LEFT JOIN suppliers s ON s.supplier_id = l.supplier_id
LEFT JOIN e ON e.lot_id = l.lot_id LEFT JOIN i ON i.lot_id = l.lot_id
LEFT JOIN p ON p.lot_id = l.lot_id LEFT JOIN t ON t.lot_id = l.lot_id
ORDER BY l.lot_id
"""


def _lot_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Lot master data and the balance of every lot (received vs accounted for)."""
    info = _frame(con, _LOT_SUMMARY_SQL)

    def flow(name: str) -> np.ndarray:
        return info[name].to_numpy(np.float64)

    balance = lot_balance(
        received=flow("received"),
        adjusted_in=flow("adjusted_in"),
        returned_by_customers=flow("returned_by_customers"),
        issued=flow("issued"),
        scrapped=flow("scrapped"),
        returned_to_supplier=flow("returned_to_supplier"),
        adjusted_out=flow("adjusted_out"),
        in_stock=flow("in_stock"),
        in_transit=flow("in_transit"),
    )
    return info.assign(unaccounted=balance.unaccounted, complete=balance.complete)


_STOCK_SQL = """
WITH snap AS (
    SELECT lot_id, location_id, string_agg(DISTINCT status, ', ' ORDER BY status)
               AS snapshot_status,
           sum(quantity) FILTER (WHERE status = 'available') AS available_quantity
    FROM stock_on_hand SEMI JOIN _recall_lots USING (lot_id)
    WHERE snapshot_date = (SELECT max(snapshot_date) FROM stock_on_hand)
    GROUP BY ALL
)
SELECT p.lot_id, p.item_id, p.location_id, loc.name AS location_name,
       loc.kind AS location_kind, p.quantity, p.first_in, p.last_movement,
       coalesce(snap.snapshot_status, '') AS snapshot_status,
       coalesce(snap.available_quantity, 0) AS available_quantity
FROM _sel_trace_lot_position p
LEFT JOIN locations loc ON loc.location_id = p.location_id
LEFT JOIN snap ON snap.lot_id = p.lot_id AND snap.location_id = p.location_id
ORDER BY p.lot_id, p.location_id
"""

_CUSTOMERS_SQL = """
SELECT i.lot_id, i.item_id, i.customer_id, c.name AS customer_name, c.kind AS customer_kind,
       string_agg(DISTINCT i.location_id, ', ') AS issued_from,
       sum(i.quantity) AS quantity, sum(i.quantity_returned) AS quantity_returned,
       min(i.first_issue) AS first_issue, max(i.last_issue) AS last_issue,
       sum(i.issue_movements) AS issue_movements,
       coalesce(string_agg(i.issue_references, ', '), '') AS procedure_references
FROM _sel_trace_lot_issue i LEFT JOIN customers c ON c.customer_id = i.customer_id
GROUP BY ALL
ORDER BY i.lot_id, i.customer_id
"""

_UNITS_SQL = """
SELECT *, serial_number IN (SELECT unnest($named)) AS named
FROM _sel_trace_serial_state
ORDER BY lot_id, serial_number
"""

_ROUTES_SQL = """
WITH RECURSIVE walk(lot_id, node, path, hops) AS (
    SELECT lot_id, to_node, from_node || ' → ' || to_node, 1
    FROM _sel_trace_lot_edge WHERE kind = 'receipt' OR from_node LIKE 'X:%'
    UNION
    SELECT w.lot_id, e.to_node, w.path || ' → ' || e.to_node, w.hops + 1
    FROM walk w JOIN _sel_trace_lot_edge e ON e.lot_id = w.lot_id AND e.from_node = w.node
    WHERE w.node LIKE 'L:%' AND w.hops < $max_hops AND position(e.to_node IN w.path) = 0
)
SELECT lot_id, node AS destination, path AS route, hops FROM walk
WHERE node LIKE 'C:%' OR node LIKE 'L:%'
ORDER BY lot_id, hops, route
"""


def issue_lines(con: duckdb.DuckDBPyConnection, lots: list[str]) -> pd.DataFrame:
    """Every issue and customer return of ``lots``, one row per movement, oldest first.

    Read from the movement log (not the index): the full detail behind the scope's customer
    totals, for the export.
    """
    return _frame(
        con,
        """
        SELECT movement_date, kind, lot_id, item_id, serial_number, from_location_id,
               to_location_id, customer_id, reference, quantity
        FROM movements
        WHERE lot_id IN (SELECT unnest($lots))
          AND (kind = 'issue' OR (kind = 'return' AND customer_id IS NOT NULL))
        ORDER BY movement_date, movement_id
        """,
        {"lots": lots},
    )
