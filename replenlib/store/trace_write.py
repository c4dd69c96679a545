"""Validated postings to the trace: receipts, movements, inspection results, holds.

Every function here runs inside the caller's :func:`replenlib.store.writer` block (so a failure
leaves the store exactly as it was) and in its own transaction. Input is checked *before*
anything is written; the first problem raises :class:`~replenlib.errors.InputDataError` whose
message names the table, the row (1-based, as in a spreadsheet), the column and what was
expected:

* a receipt for a purchase-order line that does not exist, or whose item, supplier or location
  differ from the line's;
* a lot whose expiry date is not after its manufacture date;
* a serial number received twice (in the batch, or already known to the store), or a
  serialised receipt whose serial count differs from its quantity;
* a movement of a serial that is not in stock at the movement's source location.

Receipts enter with inspection status ``pending``: the lot is not usable until
:func:`record_inspections` posts a QMS result that releases (``passed``) or blocks
(``failed``) it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from replenlib.errors import InputDataError
from replenlib.store.duck import register, settle
from replenlib.store.load import append_frame
from replenlib.trace.lots import InspectionResult
from replenlib.trace.serials import OUTSIDE, SerialFault, check_serial_moves, duplicated

_NONE = np.array(None, dtype=object)

#: Movement kinds the store knows.
MOVEMENT_KINDS = ("receipt", "transfer", "issue", "scrap", "adjustment", "return")


@dataclass(frozen=True)
class PostingSummary:
    """Rows written per table by one posting."""

    rows: dict[str, int]


def _fail(table: str, row: int, column: str, message: str) -> InputDataError:
    return InputDataError(f"{table} row {row + 1}, column {column}: {message}")


def _require_columns(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(f"{table}: missing column(s) {', '.join(missing)}")


def _in_transaction(
    con: duckdb.DuckDBPyConnection,
    writes: list[tuple[str, pd.DataFrame]],
    statements: list[tuple[str, list[object]]] | None = None,
    *,
    replace_serials: pd.DataFrame | None = None,
) -> PostingSummary:
    """Optionally delete serial rows (by key), append frames, run statements: one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        if replace_serials is not None and not replace_serials.empty:
            register(con, "_old_serials", replace_serials[["item_id", "serial_number"]])
            con.execute(
                "DELETE FROM serials USING _old_serials o "
                "WHERE serials.item_id = o.item_id AND serials.serial_number = o.serial_number"
            )
            con.unregister("_old_serials")
        settle(con)
        rows = {table: append_frame(con, table, frame) for table, frame in writes}
        for sql, params in statements or []:
            con.execute(sql, params)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return PostingSummary(rows)


_RECEIPT_COLUMNS = (
    "receipt_id",
    "po_id",
    "po_line",
    "item_id",
    "location_id",
    "supplier_id",
    "lot_id",
    "receipt_date",
    "quantity",
)
_LOT_COLUMNS = ("lot_id", "item_id", "supplier_id", "lot_number", "manufacture_date", "expiry_date")


def _check_receipts(con: duckdb.DuckDBPyConnection, receipts: pd.DataFrame) -> None:
    register(con, "_in_receipts", receipts.reset_index(drop=True).assign(_row=range(len(receipts))))
    try:
        row = con.execute(
            """
            SELECT r._row, r.po_id, r.po_line, p.po_id IS NULL AS unknown,
                   CASE WHEN p.item_id <> r.item_id THEN 'item_id'
                        WHEN p.supplier_id <> r.supplier_id THEN 'supplier_id'
                        WHEN p.location_id <> r.location_id THEN 'location_id' END AS mismatch,
                   p.item_id, p.supplier_id, p.location_id
            FROM _in_receipts r LEFT JOIN purchase_orders p
              ON p.po_id = r.po_id AND p.po_line = r.po_line
            WHERE p.po_id IS NULL OR p.item_id <> r.item_id OR p.supplier_id <> r.supplier_id
               OR p.location_id <> r.location_id
            ORDER BY r._row LIMIT 1
            """
        ).fetchone()
        known = con.execute(
            "SELECT r._row, r.receipt_id FROM _in_receipts r JOIN receipts x USING (receipt_id) "
            "ORDER BY 1 LIMIT 1"
        ).fetchone()
    finally:
        con.unregister("_in_receipts")
    if row is not None and row[3]:
        raise _fail(
            "receipts",
            row[0],
            "po_id",
            f"purchase order {row[1]} line {row[2]} does not exist "
            "(expected a line of table purchase_orders)",
        )
    if row is not None:
        column = str(row[4])
        expected = {"item_id": row[5], "supplier_id": row[6], "location_id": row[7]}[column]
        raise _fail(
            "receipts",
            row[0],
            column,
            f"differs from purchase order {row[1]} line {row[2]}, which expects {expected}",
        )
    if known is not None:
        raise _fail("receipts", known[0], "receipt_id", f"receipt {known[1]} was already posted")
    bad_qty = np.flatnonzero(~(receipts["quantity"].to_numpy(np.float64) > 0))
    if bad_qty.size:
        raise _fail("receipts", int(bad_qty[0]), "quantity", "expected a quantity above 0")


def _check_lots(lots: pd.DataFrame) -> None:
    made = pd.to_datetime(lots["manufacture_date"])
    expiry = pd.to_datetime(lots["expiry_date"])
    bad = np.flatnonzero((expiry.notna() & (expiry <= made)).to_numpy())
    if bad.size:
        k = int(bad[0])
        raise _fail(
            "lots",
            k,
            "expiry_date",
            f"lot {lots['lot_id'].iloc[k]} expires {expiry.iloc[k]:%Y-%m-%d}, not after "
            f"its manufacture date {made.iloc[k]:%Y-%m-%d}",
        )
    again = np.flatnonzero(duplicated(lots["lot_id"].to_numpy(dtype=object)))
    if again.size:
        raise _fail(
            "lots",
            int(again[0]),
            "lot_id",
            f"lot {lots['lot_id'].iloc[int(again[0])]} is listed twice",
        )


def _check_lot_links(
    con: duckdb.DuckDBPyConnection, receipts: pd.DataFrame, lots: pd.DataFrame
) -> None:
    """Every lot in the batch is new; every receipt's lot is in the batch or the store."""
    existing = {
        r[0]
        for r in con.execute(
            "SELECT lot_id FROM lots WHERE lot_id IN (SELECT unnest($ids))",
            {"ids": sorted(set(lots["lot_id"]) | set(receipts["lot_id"]))},
        ).fetchall()
    }
    clash = np.flatnonzero(lots["lot_id"].isin(existing).to_numpy())
    if clash.size:
        k = int(clash[0])
        raise _fail(
            "lots",
            k,
            "lot_id",
            f"lot {lots['lot_id'].iloc[k]} already exists in the "
            "store (leave it out of the lots table to receive more of it)",
        )
    orphan = np.flatnonzero(~receipts["lot_id"].isin(existing | set(lots["lot_id"])).to_numpy())
    if orphan.size:
        k = int(orphan[0])
        raise _fail(
            "receipts",
            k,
            "lot_id",
            f"lot {receipts['lot_id'].iloc[k]} is neither in the lots table given nor in the store",
        )


def _check_new_serials(
    con: duckdb.DuckDBPyConnection, serials: pd.DataFrame, receipts: pd.DataFrame
) -> None:
    """No serial received twice; serialised receipts carry one serial per unit."""
    key = serials["item_id"].astype(str) + "\x1f" + serials["serial_number"].astype(str)
    again = np.flatnonzero(duplicated(key.to_numpy(dtype=object)))
    if again.size:
        k = int(again[0])
        raise _fail(
            "serials",
            k,
            "serial_number",
            f"serial {serials['serial_number'].iloc[k]} "
            f"of item {serials['item_id'].iloc[k]} is received twice in this batch",
        )
    register(con, "_in_serials", serials.reset_index(drop=True).assign(_row=range(len(serials))))
    try:
        known = con.execute(
            """
            SELECT s._row, s.serial_number, s.item_id, k.lot_id, k.status FROM _in_serials s
            JOIN (SELECT item_id, serial_number, lot_id, status FROM serials
                  UNION ALL
                  SELECT item_id, serial_number, lot_id, status FROM trace_serial_state) k
              ON k.item_id = s.item_id AND k.serial_number = s.serial_number
            ORDER BY 1 LIMIT 1
            """
        ).fetchone()
        serialised = con.execute(
            "SELECT item_id FROM items WHERE is_serialised AND item_id IN (SELECT unnest($i))",
            {"i": sorted(set(receipts["item_id"]))},
        ).fetchall()
    finally:
        con.unregister("_in_serials")
    if known is not None:
        raise _fail(
            "serials",
            known[0],
            "serial_number",
            f"serial {known[1]} of item {known[2]} was already received "
            f"(lot {known[3]}, status {known[4]}): a serial is received once",
        )
    needs = receipts[receipts["item_id"].isin({r[0] for r in serialised})]
    counted = serials.groupby("lot_id").size()
    wanted = needs.groupby("lot_id")["quantity"].sum()
    for lot in wanted.index[wanted.to_numpy() != counted.reindex(wanted.index, fill_value=0)]:
        k = int(np.flatnonzero((receipts["lot_id"] == lot).to_numpy())[0])
        raise _fail(
            "receipts",
            k,
            "quantity",
            f"lot {lot} of a serialised item receives "
            f"{wanted[lot]:g} units but {int(counted.get(lot, 0))} serial numbers",
        )


def post_receipts(
    con: duckdb.DuckDBPyConnection,
    receipts: pd.DataFrame,
    lots: pd.DataFrame,
    serials: pd.DataFrame | None = None,
) -> PostingSummary:
    """Post goods receipts with their new lots (inspection pending) and serials, atomically.

    ``receipts`` has the columns of table ``receipts``; ``lots`` the lot master columns
    (lot_id, item_id, supplier_id, lot_number, manufacture_date, expiry_date) of the lots
    received for the first time; ``serials`` (item_id, serial_number, lot_id) the units of
    serialised items. Writes receipts, lots, serials, one receipt movement per receipt (per
    serial for serialised items) and the purchase-order lines' received quantities.
    """
    serials = (
        serials
        if serials is not None
        else pd.DataFrame(columns=["item_id", "serial_number", "lot_id"])
    )
    _require_columns(receipts, "receipts", _RECEIPT_COLUMNS)
    _require_columns(lots, "lots", _LOT_COLUMNS)
    _require_columns(serials, "serials", ("item_id", "serial_number", "lot_id"))
    _check_receipts(con, receipts)
    _check_lots(lots)
    _check_lot_links(con, receipts, lots)
    _check_new_serials(con, serials, receipts)
    received = receipts.groupby("lot_id")["quantity"].sum()
    new_lots = lots[list(_LOT_COLUMNS)].assign(
        quantity_received=lots["lot_id"].map(received).fillna(0.0),
        inspection_status=InspectionResult.PENDING.value,
    )
    where = receipts.drop_duplicates("lot_id").set_index("lot_id")["location_id"]
    unit_rows = serials.assign(
        status="in_stock", location_id=serials["lot_id"].map(where), customer_id=None
    )
    moves = _receipt_movements(con, receipts, serials)
    update = (
        "UPDATE purchase_orders SET quantity_received = quantity_received + ?, "
        "status = CASE WHEN quantity_received + ? >= quantity THEN 'received' "
        "ELSE status END WHERE po_id = ? AND po_line = ?"
    )
    lines = receipts.groupby(["po_id", "po_line"], as_index=False)["quantity"].sum()
    return _in_transaction(
        con,
        [
            ("lots", new_lots),
            ("receipts", receipts[list(_RECEIPT_COLUMNS)]),
            (
                "serials",
                unit_rows[
                    ["item_id", "serial_number", "lot_id", "status", "location_id", "customer_id"]
                ],
            ),
            ("movements", moves),
        ],
        [(update, [q, q, po, line]) for po, line, q in lines.itertuples(index=False)],
    )


def _next_movement_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(movement_id), 0) + 1 FROM movements").fetchone()
    return int(row[0]) if row else 1


def _receipt_movements(
    con: duckdb.DuckDBPyConnection, receipts: pd.DataFrame, serials: pd.DataFrame
) -> pd.DataFrame:
    """One movement per serial of serialised lots, one per receipt otherwise."""
    by_unit = receipts.merge(serials[["lot_id", "serial_number"]], on="lot_id", how="inner")
    plain = receipts[~receipts["lot_id"].isin(serials["lot_id"])].assign(serial_number=None)
    rows = pd.concat([by_unit.assign(quantity=1.0), plain], ignore_index=True)
    return pd.DataFrame(
        {
            "movement_id": np.arange(len(rows), dtype=np.int64) + _next_movement_id(con),
            "movement_date": rows["receipt_date"],
            "kind": "receipt",
            "item_id": rows["item_id"],
            "lot_id": rows["lot_id"],
            "serial_number": rows["serial_number"],
            "from_location_id": None,
            "to_location_id": rows["location_id"],
            "customer_id": None,
            "reference": rows["po_id"],
            "quantity": rows["quantity"].astype(float),
        }
    )


_MOVEMENT_COLUMNS = (
    "movement_date",
    "kind",
    "item_id",
    "lot_id",
    "serial_number",
    "from_location_id",
    "to_location_id",
    "customer_id",
    "reference",
    "quantity",
)

_SHAPE_RULES = (  # kind, column that must be set, why
    ("transfer", "from_location_id", "a transfer leaves a location"),
    ("transfer", "to_location_id", "a transfer arrives at a location"),
    ("issue", "from_location_id", "an issue leaves a location"),
    ("receipt", "to_location_id", "a receipt arrives at a location"),
    ("scrap", "from_location_id", "scrap leaves a location"),
)


def _check_movement_rows(con: duckdb.DuckDBPyConnection, moves: pd.DataFrame) -> None:
    """Kinds, quantities, lots and the location a kind needs."""
    kind = moves["kind"].to_numpy(dtype=object)
    bad = np.flatnonzero(~np.isin(kind, MOVEMENT_KINDS))
    if bad.size:
        raise _fail(
            "movements",
            int(bad[0]),
            "kind",
            f"unknown kind {kind[bad[0]]!r}; expected one of {', '.join(MOVEMENT_KINDS)}",
        )
    qty = moves["quantity"].to_numpy(np.float64)
    serial = moves["serial_number"].notna().to_numpy()
    bad = np.flatnonzero(~(qty > 0) | (serial & (qty != 1)))
    if bad.size:
        k = int(bad[0])
        expected = "1 for a serialised unit" if serial[k] else "a quantity above 0"
        raise _fail("movements", k, "quantity", f"got {qty[k]:g}, expected {expected}")
    for name, column, why in _SHAPE_RULES:
        bad = np.flatnonzero((kind == name) & moves[column].isna().to_numpy())
        if bad.size:
            raise _fail("movements", int(bad[0]), column, f"is empty but {why}")
    lots = (
        con.execute(
            "SELECT lot_id, item_id FROM lots WHERE lot_id IN (SELECT unnest($ids))",
            {"ids": sorted(set(moves["lot_id"].astype(str)))},
        )
        .df()
        .set_index("lot_id")["item_id"]
    )
    item_of_lot = moves["lot_id"].map(lots)
    bad = np.flatnonzero((item_of_lot.isna() | (item_of_lot != moves["item_id"])).to_numpy())
    if bad.size:
        k = int(bad[0])
        found = item_of_lot.iloc[k]
        what = "is not in the lots table" if pd.isna(found) else f"belongs to item {found}"
        raise _fail("movements", k, "lot_id", f"lot {moves['lot_id'].iloc[k]} {what}")


def _current_serials(con: duckdb.DuckDBPyConnection, moves: pd.DataFrame) -> pd.DataFrame:
    """Where each moved serial is now: location when in stock (in transit counts at the
    destination, recalled units stay where they are), else empty, with a description."""
    keys = moves.loc[moves["serial_number"].notna(), ["item_id", "serial_number"]]
    register(con, "_in_keys", keys.drop_duplicates())
    try:
        return con.execute(
            """
            SELECT k.item_id, k.serial_number,
                   CASE WHEN s.status IN ('in_stock', 'in_transit', 'recalled')
                        THEN s.location_id END AS location_id,
                   coalesce(s.status || coalesce(' to ' || s.customer_id, ''), 'unknown')
                       AS whereabouts
            FROM _in_keys k LEFT JOIN serials s USING (item_id, serial_number)
            """
        ).df()
    finally:
        con.unregister("_in_keys")


def _check_serial_chain(con: duckdb.DuckDBPyConnection, moves: pd.DataFrame) -> None:
    """Refuse a serial movement that does not start where the unit is; return final states."""
    rows = np.flatnonzero(moves["serial_number"].notna().to_numpy())
    part = moves.iloc[rows]
    now = _current_serials(con, part)
    units = pd.MultiIndex.from_frame(now[["item_id", "serial_number"]])
    code = units.get_indexer(pd.MultiIndex.from_frame(part[["item_id", "serial_number"]]))
    places = pd.Index(
        pd.concat([part["from_location_id"], part["to_location_id"], now["location_id"]])
        .dropna()
        .unique()
    )

    def loc(values: pd.Series) -> np.ndarray:
        return np.where(values.isna(), OUTSIDE, places.get_indexer(values.fillna("")))

    day = pd.to_datetime(part["movement_date"]).to_numpy("datetime64[D]").astype(np.int64)
    check = check_serial_moves(
        code,
        day * 1_000_000 + np.arange(len(part)),
        loc(part["from_location_id"]),
        loc(part["to_location_id"]),
        loc(now["location_id"]),
    )
    if not check.ok:
        k = check.row
        unit = f"serial {part['serial_number'].iloc[k]} of item {part['item_id'].iloc[k]}"
        if check.fault is SerialFault.ALREADY_IN_STOCK:
            raise _fail(
                "movements",
                int(rows[k]),
                "serial_number",
                f"{unit} is already in stock at {places[check.expected_location]}; "
                "it cannot be received again",
            )
        where = (
            f"it is at {places[check.expected_location]}"
            if check.expected_location != OUTSIDE
            else f"it is not in stock ({now['whereabouts'].iloc[code[k]]})"
        )
        raise _fail(
            "movements",
            int(rows[k]),
            "from_location_id",
            f"{unit} is not in stock at {part['from_location_id'].iloc[k]}: {where}",
        )


def post_movements(con: duckdb.DuckDBPyConnection, movements: pd.DataFrame) -> PostingSummary:
    """Post stock movements after checking them; keep ``serials`` in step, atomically."""
    _require_columns(movements, "movements", _MOVEMENT_COLUMNS)
    moves = movements[list(_MOVEMENT_COLUMNS)].reset_index(drop=True)
    _check_movement_rows(con, moves)
    _check_serial_chain(con, moves)
    order = np.lexsort(
        (np.arange(len(moves)), pd.to_datetime(moves["movement_date"]).to_numpy("datetime64[D]"))
    )
    rows = moves.iloc[order].reset_index(drop=True)
    rows.insert(0, "movement_id", np.arange(len(rows), dtype=np.int64) + _next_movement_id(con))
    units = _serial_updates(rows)
    return _in_transaction(con, [("movements", rows), ("serials", units)], replace_serials=units)


def _serial_updates(rows: pd.DataFrame) -> pd.DataFrame:
    """Each moved serial's row of table ``serials`` after its last movement in the batch."""
    last = (
        rows[rows["serial_number"].notna()]
        .groupby(["item_id", "serial_number"], as_index=False)
        .tail(1)
    )
    kind = last["kind"].to_numpy(dtype=object)
    to = last["to_location_id"]
    status = np.select(
        [
            kind == "issue",
            kind == "scrap",
            (kind == "return") & to.isna().to_numpy(),
            to.isna().to_numpy(),
        ],
        ["issued", "scrapped", "returned", "adjusted_out"],
        default="in_stock",
    )
    return pd.DataFrame(
        {
            "item_id": last["item_id"].to_numpy(),
            "serial_number": last["serial_number"].to_numpy(),
            "lot_id": last["lot_id"].to_numpy(),
            "status": status,
            "location_id": to.to_numpy(dtype=object),
            "customer_id": np.where(
                kind == "issue", last["customer_id"].to_numpy(dtype=object), _NONE
            ),
        }
    )


_INSPECTION_COLUMNS = ("inspection_id", "lot_id", "inspection_date", "result", "reason")


def record_inspections(con: duckdb.DuckDBPyConnection, results: pd.DataFrame) -> PostingSummary:
    """Post QMS inspection results; each lot takes the status of its latest result.

    ``passed`` releases a lot (usable once nothing else holds it), ``failed`` blocks it;
    a failed result needs a reason. ``receipt_id`` is optional.
    """
    _require_columns(results, "inspections", _INSPECTION_COLUMNS)
    rows = results.reset_index(drop=True)
    if "receipt_id" not in rows.columns:
        rows = rows.assign(receipt_id=None)
    _check_inspection_values(rows)
    _check_inspection_keys(con, rows)
    latest = rows.sort_values(["inspection_date", "inspection_id"]).groupby("lot_id").tail(1)
    update = "UPDATE lots SET inspection_status = ? WHERE lot_id = ?"
    return _in_transaction(
        con,
        [
            (
                "inspections",
                rows[
                    ["inspection_id", "lot_id", "receipt_id", "inspection_date", "result", "reason"]
                ],
            )
        ],
        [(update, [r, lot]) for lot, r in latest[["lot_id", "result"]].itertuples(index=False)],
    )


def _check_inspection_values(rows: pd.DataFrame) -> None:
    """Results are passed or failed; a failure says why."""
    outcome = rows["result"].to_numpy(dtype=object)
    allowed = (InspectionResult.PASSED.value, InspectionResult.FAILED.value)
    bad = np.flatnonzero(~np.isin(outcome, allowed))
    if bad.size:
        raise _fail(
            "inspections",
            int(bad[0]),
            "result",
            f"got {outcome[bad[0]]!r}, expected 'passed' or 'failed'",
        )
    why = rows["reason"].fillna("").astype(str).str.strip().to_numpy()
    bad = np.flatnonzero((outcome == InspectionResult.FAILED.value) & (why == ""))
    if bad.size:
        raise _fail("inspections", int(bad[0]), "reason", "a failed inspection needs a reason")


def _check_inspection_keys(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> None:
    """Every lot exists; no inspection id is posted twice."""
    known = {
        r[0]
        for r in con.execute(
            "SELECT lot_id FROM lots WHERE lot_id IN (SELECT unnest($ids))",
            {"ids": sorted(set(rows["lot_id"].astype(str)))},
        ).fetchall()
    }
    bad = np.flatnonzero(~rows["lot_id"].isin(known).to_numpy())
    if bad.size:
        raise _fail(
            "inspections",
            int(bad[0]),
            "lot_id",
            f"lot {rows['lot_id'].iloc[int(bad[0])]} is not in the lots table",
        )
    again = con.execute(
        "SELECT inspection_id FROM inspections WHERE inspection_id IN (SELECT unnest($ids))",
        {"ids": rows["inspection_id"].astype(str).tolist()},
    ).fetchall()
    if again:
        k = int(np.flatnonzero((rows["inspection_id"] == again[0][0]).to_numpy())[0])
        raise _fail("inspections", k, "inspection_id", f"{again[0][0]} was already posted")
