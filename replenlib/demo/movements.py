"""Movements, serial numbers and shipments from the simulation logs.

Transfers are logged on their dispatch date with both locations; the goods are *in transit*
until the shipment's ``arrival_date``. Stock on hand at a location is therefore the sum of
movements into it whose goods have arrived (transfers: shipment arrival on or before the
as-of date) minus the movements out of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from replenlib.demo.frames import dates, labels, missing, numbered
from replenlib.demo.records import Context, order_status
from replenlib.demo.state import ISSUE, KINDS, RECEIPT, RETURN, SCRAP, TRANSFER

IntArray = npt.NDArray[np.int64]

COLD_CARRIERS: tuple[str, ...] = (
    "SF Cold Chain",
    "JD Cold Chain Logistics",
    "Sinotrans Cold Chain",
)
DOMESTIC_CARRIERS: tuple[str, ...] = ("SF Express", "JD Logistics", "Deppon Logistics")
IMPORT_CARRIERS: tuple[str, ...] = (
    "Kuehne + Nagel",
    "DHL Global Forwarding",
    "Sinotrans Air Freight",
)
OPENING_REFERENCE: str = "OPENING-BALANCE"


@dataclass(frozen=True)
class Exploded:
    """Movement log rows expanded to one row per serial number for serialised items."""

    row: IntArray  # index into the movement log
    serial: IntArray  # serial index within the lot, -1 for non-serialised items
    quantity: IntArray  # [units]


def explode(ctx: Context) -> Exploded:
    """Repeat serialised movement rows once per unit with consecutive serial indices."""
    log = ctx.state.movements
    lot, quantity = log.column("lot"), log.column("quantity")
    serialised = ctx.catalogue.is_serialised[ctx.state.lots["item"][lot]]
    repeats = np.where(serialised, quantity, 1)
    row = np.repeat(np.arange(len(lot)), repeats)
    within = np.arange(len(row)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    is_serial = serialised[row]
    serial = np.where(is_serial, log.column("serial0")[row].astype(np.int64) + within, -1)
    return Exploded(row, serial.astype(np.int64), np.where(is_serial, 1, quantity[row]))


def serial_dictionary(
    lot_numbers: list[str], lot: IntArray, serial: IntArray
) -> tuple[pd.Series, IntArray]:
    """Unique serial numbers ``<lot number>-<nnnn>`` and each row's code (-1 = none)."""
    has = serial >= 0
    key = np.where(has, lot.astype(np.int64) * 100_000 + serial, -1)
    unique, inverse = np.unique(key[has], return_inverse=True)
    lot_part = pa.array(lot_numbers, type=pa.string()).take(pa.array(unique // 100_000))
    number = pc.utf8_lpad(
        pc.cast(pa.array(unique % 100_000 + 1), pa.string()), width=4, padding="0"
    )
    text = pc.binary_join_element_wise(lot_part, number, "-")
    code = np.full(len(key), -1, dtype=np.int64)
    code[has] = inverse
    return pd.Series(text.to_pandas()), code


def transfer_shipments(ctx: Context) -> tuple[IntArray, pd.DataFrame]:
    """Group transfer rows into shipments (route, dispatch day, cold or ambient)."""
    log = ctx.state.movements
    kind = log.column("kind")
    rows = np.flatnonzero(kind == TRANSFER)
    cold = ctx.catalogue.is_cold_chain[ctx.state.lots["item"][log.column("lot")[rows]]]
    frm, to = log.column("from_location")[rows], log.column("to_location")[rows]
    day = log.column("day")[rows]
    key = ((day.astype(np.int64) * 100 + frm) * 100 + to) * 2 + cold
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    shipment = np.full(len(kind), -1, dtype=np.int64)
    shipment[rows] = inverse
    is_cold = cold[first]
    carrier = np.where(is_cold, to[first] % len(COLD_CARRIERS), to[first] % 3)
    frame = pd.DataFrame(
        {
            "shipment_id": numbered("SHT", np.arange(len(unique)) + 1, 7),
            "kind": labels(("transfer",), np.zeros(len(unique), dtype=np.int64)),
            "supplier_id": missing(len(unique)),
            "from_location_id": labels(ctx.network.location_ids, frm[first]),
            "to_location_id": labels(ctx.network.location_ids, to[first]),
            "po_id": missing(len(unique)),
            "carrier": np.where(
                is_cold, np.array(COLD_CARRIERS)[carrier], np.array(DOMESTIC_CARRIERS)[carrier]
            ),
            "dispatch_date": dates(ctx.start, day[first]),
            "arrival_date": dates(ctx.start, log.column("arrival")[rows][first]),
            "logger_id": numbered("TLT", np.arange(len(unique)) + 1, 7).where(is_cold),
        }
    )
    return shipment, frame


def inbound_shipments(ctx: Context, po_ids: pd.Series) -> pd.DataFrame:
    """One inbound shipment per receipt; cold-chain ones carry a logger."""
    lots = ctx.state.lots
    received = np.flatnonzero(~lots["opening"])
    supplier = lots["supplier"][received]
    arrival = lots["received"][received]
    domestic = ctx.suppliers.is_domestic[supplier]
    cold = ctx.catalogue.is_cold_chain[lots["item"][received]]
    pick = supplier % 3
    carrier = np.where(
        cold,
        np.array(COLD_CARRIERS)[pick],
        np.where(domestic, np.array(DOMESTIC_CARRIERS)[pick], np.array(IMPORT_CARRIERS)[pick]),
    )
    return pd.DataFrame(
        {
            "shipment_id": numbered("SHI", np.arange(len(received)) + 1, 7),
            "kind": labels(("inbound",), np.zeros(len(received), dtype=np.int64)),
            "supplier_id": labels(ctx.suppliers.supplier_ids, supplier),
            "from_location_id": missing(len(received)),
            "to_location_id": labels(
                ctx.network.location_ids, ctx.world.series_location[lots["series"][received]]
            ),
            "po_id": po_ids.iloc[lots["po"][received]].reset_index(drop=True),
            "carrier": carrier,
            "dispatch_date": dates(ctx.start, arrival - ctx.suppliers.transit_days[supplier]),
            "arrival_date": dates(ctx.start, arrival),
            "logger_id": numbered("TLI", np.arange(len(received)) + 1, 7).where(cold),
        }
    )


def movements_frame(
    ctx: Context,
    exploded: Exploded,
    serial_text: pd.Series,
    serial_code: IntArray,
    po_ids: pd.Series,
    shipment: IntArray,
    shipment_ids: pd.Series,
) -> pd.DataFrame:
    """The ``movements`` table, one row per serial for serialised items, in time order."""
    log = ctx.state.movements
    row = exploded.row
    kind = log.column("kind")[row]
    n_po, n_ship = len(po_ids), len(shipment_ids)
    by_po = np.isin(kind, (RECEIPT, RETURN))
    reference = np.select(
        [by_po, kind == TRANSFER, kind == 0],
        [log.column("po")[row], n_po + shipment[row], n_po + n_ship],
        -1,
    )
    names = [*po_ids.tolist(), *shipment_ids.tolist(), OPENING_REFERENCE]
    return pd.DataFrame(
        {
            "movement_id": np.arange(1, len(row) + 1, dtype=np.int64),
            "movement_date": dates(ctx.start, log.column("day")[row]),
            "kind": labels(KINDS, kind),
            "item_id": labels(
                ctx.catalogue.item_ids, ctx.state.lots["item"][log.column("lot")[row]]
            ),
            "lot_id": ctx.lot_ids(log.column("lot")[row]),
            "serial_number": labels(serial_text.tolist(), serial_code),
            "from_location_id": labels(ctx.network.location_ids, log.column("from_location")[row]),
            "to_location_id": labels(ctx.network.location_ids, log.column("to_location")[row]),
            "customer_id": labels(ctx.network.customer_ids, log.column("customer")[row]),
            "reference": labels(names, np.where(kind == ISSUE, -1, reference)),
            "quantity": exploded.quantity.astype(float),
        }
    )


def serials_frame(
    ctx: Context, exploded: Exploded, serial_text: pd.Series, serial_code: IntArray
) -> pd.DataFrame:
    """The ``serials`` table: each serial's lot and where it is at the as-of date."""
    log = ctx.state.movements
    has = np.flatnonzero(serial_code >= 0)
    code = serial_code[has]
    last = np.zeros(len(serial_text), dtype=np.int64)
    np.maximum.at(last, code, has)  # rows are in time order: the last movement wins
    row = exploded.row[last]
    kind = log.column("kind")[row]
    in_transit = (kind == TRANSFER) & (log.column("arrival")[row] > ctx.last_day)
    status = np.select([kind == ISSUE, kind == SCRAP, kind == RETURN, in_transit], [1, 2, 3, 4], 0)
    lot = log.column("lot")[row]
    here = np.isin(status, (0, 4))
    return pd.DataFrame(
        {
            "item_id": labels(ctx.catalogue.item_ids, ctx.state.lots["item"][lot]),
            "serial_number": serial_text,
            "lot_id": ctx.lot_ids(lot),
            "status": labels(("in_stock", "issued", "scrapped", "returned", "in_transit"), status),
            "location_id": labels(
                ctx.network.location_ids, np.where(here, log.column("to_location")[row], -1)
            ),
            "customer_id": labels(
                ctx.network.customer_ids, np.where(status == 1, log.column("customer")[row], -1)
            ),
        }
    )


def open_order_count(ctx: Context) -> int:
    """Number of purchase order lines still open at the as-of date."""
    return int((order_status(ctx) == 0).sum())
