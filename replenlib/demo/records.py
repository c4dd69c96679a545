"""Turn the simulation state into the source tables: lots, inspections, purchase orders,
receipts, demand history and the stock snapshot."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from replenlib.demo.assortment import Assortment
from replenlib.demo.catalogue import Catalogue
from replenlib.demo.frames import dates, labels, nullable_dates, numbered
from replenlib.demo.network import Network
from replenlib.demo.operations import FAIL_REASONS
from replenlib.demo.sourcing import Suppliers
from replenlib.demo.state import NEVER, State, World

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Context:
    """Everything the table builders read."""

    start: datetime.date
    last_day: int  # day index of the as-of date
    catalogue: Catalogue
    network: Network
    suppliers: Suppliers
    assortment: Assortment
    world: World
    state: State

    @cached_property
    def all_lot_ids(self) -> list[str]:
        """Internal lot id of every lot, in lot order (``LOT0000001``...)."""
        return numbered("LOT", np.arange(self.state.lots.n) + 1, 7).tolist()

    def lot_ids(self, lots: npt.ArrayLike) -> pd.Series:
        """Internal lot ids of the lots with indices ``lots``."""
        return labels(self.all_lot_ids, lots)


def lot_numbers(
    start: datetime.date, manufacture: IntArray, lot_controlled: npt.NDArray[np.bool_]
) -> list[str]:
    """Lot numbers: year, month letter and six scrambled digits.

    For lot-controlled items this is the manufacturer's lot (AI 10) by manufacture month; for
    items that are not lot-controlled (spares) the "lot" is our own receipt batch, prefixed
    ``RB``, because every stock record needs a lot id.
    """
    made = dates(start, manufacture).astype("datetime64[M]").astype(np.int64)
    year, month = made // 12 + 1970, made % 12
    scrambled = (np.arange(len(manufacture), dtype=np.int64) * 7919 + 104729) % 1_000_000
    prefix = np.where(lot_controlled, "", "RB").tolist()
    return [
        f"{p}{y % 100:02d}{chr(65 + m)}{s:06d}"
        for p, y, m, s in zip(
            prefix, year.tolist(), month.tolist(), scrambled.tolist(), strict=True
        )
    ]


def inspection_status(ctx: Context) -> IntArray:
    """0 passed, 1 failed, 2 pending (inspection after the as-of date)."""
    lots = ctx.state.lots
    pending = lots["ok_day"] > ctx.last_day
    return np.where(pending, 2, np.where(lots["failed"], 1, 0)).astype(np.int64)


def lots_frame(ctx: Context, numbers: list[str]) -> pd.DataFrame:
    """The ``lots`` table."""
    lots = ctx.state.lots
    expiry = lots["expiry"]
    return pd.DataFrame(
        {
            "lot_id": ctx.lot_ids(np.arange(lots.n)),
            "item_id": labels(ctx.catalogue.item_ids, lots["item"]),
            "supplier_id": labels(ctx.suppliers.supplier_ids, lots["supplier"]),
            "lot_number": numbers,
            "manufacture_date": dates(ctx.start, lots["manufacture"]),
            "expiry_date": nullable_dates(ctx.start, expiry, expiry < NEVER),
            "quantity_received": lots["quantity"].astype(float),
            "inspection_status": labels(("passed", "failed", "pending"), inspection_status(ctx)),
        }
    )


def receipt_ids(ctx: Context) -> pd.Series:
    """Receipt id per lot (missing for opening balances)."""
    lots = ctx.state.lots
    opening = lots["opening"]
    ids = numbered("GR", np.arange(lots.n) + 1, 8)
    return ids.where(~opening)


def inspections_frame(ctx: Context) -> pd.DataFrame:
    """The ``inspections`` table: one row per inspected lot (not the pending ones)."""
    lots = ctx.state.lots
    status = inspection_status(ctx)
    done = np.flatnonzero(status < 2)
    day = np.where(lots["opening"], lots["received"] + 1, lots["ok_day"])[done]
    reason = lots["fail_reason"][done]
    return pd.DataFrame(
        {
            "inspection_id": numbered("QI", np.arange(len(done)) + 1, 8),
            "lot_id": ctx.lot_ids(done),
            "receipt_id": receipt_ids(ctx).iloc[done].reset_index(drop=True),
            "inspection_date": dates(ctx.start, day),
            "result": labels(("passed", "failed"), status[done]),
            "reason": labels(FAIL_REASONS, np.where(lots["failed"][done], reason, -1)),
        }
    )


def po_numbers(ctx: Context) -> tuple[pd.Series, IntArray]:
    """PO id per order line (one PO per supplier and day) and the line number within it."""
    orders = ctx.state.orders
    key = orders["order_day"] * 1000 + orders["supplier"]
    order = np.lexsort((np.arange(orders.n), key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    po_number = np.empty(orders.n, dtype=np.int64)
    po_number[order] = np.cumsum(first)
    run_start = np.maximum.accumulate(np.where(first, np.arange(orders.n), 0))
    line = np.empty(orders.n, dtype=np.int64)
    line[order] = np.arange(orders.n) - run_start + 1
    return numbered("PO", po_number, 7), line


def order_status(ctx: Context) -> IntArray:
    """0 open, 1 received, 2 cancelled."""
    orders = ctx.state.orders
    cancelled = orders["cancel_day"] < NEVER
    received = ~cancelled & (orders["arrival"] <= ctx.last_day)
    return np.where(cancelled, 2, np.where(received, 1, 0)).astype(np.int64)


def purchase_orders_frame(ctx: Context, po_ids: pd.Series, lines: IntArray) -> pd.DataFrame:
    """The ``purchase_orders`` table."""
    orders = ctx.state.orders
    status = order_status(ctx)
    prices = ctx.suppliers.item_supplier.set_index(["item_id", "supplier_id"])["unit_price"]
    item_ids = labels(ctx.catalogue.item_ids, orders["item"])
    supplier_ids = labels(ctx.suppliers.supplier_ids, orders["supplier"])
    keys = pd.MultiIndex.from_arrays([item_ids, supplier_ids])
    return pd.DataFrame(
        {
            "po_id": po_ids,
            "po_line": lines,
            "item_id": item_ids,
            "location_id": labels(
                ctx.network.location_ids, ctx.world.series_location[orders["series"]]
            ),
            "supplier_id": supplier_ids,
            "order_date": dates(ctx.start, orders["order_day"]),
            "quantity": orders["quantity"].astype(float),
            "unit_price": prices.reindex(keys).to_numpy(float),
            "confirmed_date": dates(ctx.start, orders["confirmed"]),
            "status": labels(("open", "received", "cancelled"), status),
            "quantity_received": np.where(status == 1, orders["quantity"], 0).astype(float),
        }
    )


def receipts_frame(ctx: Context, po_ids: pd.Series, lines: IntArray) -> pd.DataFrame:
    """The ``receipts`` table: one receipt (and lot) per received order line."""
    lots = ctx.state.lots
    received = np.flatnonzero(~lots["opening"])
    po = lots["po"][received]
    return pd.DataFrame(
        {
            "receipt_id": receipt_ids(ctx).iloc[received].reset_index(drop=True),
            "po_id": po_ids.iloc[po].reset_index(drop=True),
            "po_line": lines[po],
            "item_id": labels(ctx.catalogue.item_ids, lots["item"][received]),
            "location_id": labels(
                ctx.network.location_ids, ctx.world.series_location[lots["series"][received]]
            ),
            "supplier_id": labels(ctx.suppliers.supplier_ids, lots["supplier"][received]),
            "lot_id": ctx.lot_ids(received),
            "receipt_date": dates(ctx.start, lots["received"][received]),
            "quantity": lots["quantity"][received].astype(float),
        }
    )


def demand_frame(ctx: Context) -> pd.DataFrame:
    """The ``demand_history`` table (only days with demand)."""
    log = ctx.state.demand
    series = log.column("series")
    return pd.DataFrame(
        {
            "item_id": labels(ctx.catalogue.item_ids, ctx.world.series_item[series]),
            "location_id": labels(ctx.network.location_ids, ctx.world.series_location[series]),
            "demand_date": dates(ctx.start, log.column("day")),
            "quantity": log.column("quantity").astype(float),
            "quantity_shipped": log.column("shipped").astype(float),
        }
    )


def stock_status(ctx: Context, lot: IntArray) -> IntArray:
    """Snapshot status per bucket lot: 0 available, 1 quarantine, 2 blocked, 3 expired."""
    lots = ctx.state.lots
    status = inspection_status(ctx)[lot]
    expired = lots["expiry"][lot] <= ctx.last_day
    return np.select([status == 2, status == 1, expired], [1, 2, 3], 0).astype(np.int64)


STOCK_STATUSES: tuple[str, ...] = ("available", "quarantine", "blocked", "expired")


def stock_frame(ctx: Context, as_of: datetime.date) -> pd.DataFrame:
    """The ``stock_on_hand`` snapshot at the as-of date, by item, location, lot and status."""
    state = ctx.state
    frame = pd.DataFrame(
        {"series": state.b_series, "lot": state.b_lot, "quantity": state.b_quantity}
    )
    grouped = frame.groupby(["series", "lot"], sort=True)["quantity"].sum()
    grouped = grouped[grouped > 0]
    series = grouped.index.get_level_values("series").to_numpy()
    lot = grouped.index.get_level_values("lot").to_numpy()
    return pd.DataFrame(
        {
            "snapshot_date": dates(as_of, np.zeros(len(grouped), dtype=np.int64)),
            "item_id": labels(ctx.catalogue.item_ids, ctx.world.series_item[series]),
            "location_id": labels(ctx.network.location_ids, ctx.world.series_location[series]),
            "lot_id": ctx.lot_ids(lot),
            "status": labels(STOCK_STATUSES, stock_status(ctx, lot)),
            "quantity": grouped.to_numpy(float),
        }
    )
