"""The orchestration of :func:`replenlib.demo.generate` (see the package docstring)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

import numpy as np
import pandas as pd

from replenlib.demo.assortment import make_assortment
from replenlib.demo.calendar import make_calendar
from replenlib.demo.catalogue import make_catalogue
from replenlib.demo.coldchain import shipment_readings, storage_readings
from replenlib.demo.demand import draw_demand, make_series_parameters, series_truth
from replenlib.demo.erp import ErpSettings, item_location_frame, make_erp_settings
from replenlib.demo.movements import (
    explode,
    inbound_shipments,
    movements_frame,
    serial_dictionary,
    serials_frame,
    transfer_shipments,
)
from replenlib.demo.network import make_network
from replenlib.demo.operations import simulate
from replenlib.demo.recall import make_recall
from replenlib.demo.records import (
    Context,
    demand_frame,
    inspections_frame,
    lot_numbers,
    lots_frame,
    po_numbers,
    purchase_orders_frame,
    receipts_frame,
    stock_frame,
)
from replenlib.demo.sourcing import make_suppliers
from replenlib.demo.summary import in_transit_truth, summary_truth
from replenlib.demo.world import make_world
from replenlib.store.schema import SOURCE_TABLES

HISTORY_DAYS: int = 730
DEFAULT_END_DATE: datetime.date = datetime.date(2026, 9, 30)


class DemoSize(enum.Enum):
    """Size of the demo data set."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


@dataclass(frozen=True)
class SizeSpec:
    """Number of items and the shape of the network for one size."""

    n_items: int
    hospitals_per_dc: tuple[int, ...]


SIZE_SPECS: dict[DemoSize, SizeSpec] = {
    DemoSize.SMALL: SizeSpec(200, (2,)),
    DemoSize.MEDIUM: SizeSpec(2000, (2, 1, 1)),
    DemoSize.LARGE: SizeSpec(6200, (3, 3, 3, 3)),
}


@dataclass(frozen=True)
class DemoData:
    """A generated demo data set.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        One frame per name in :data:`replenlib.store.schema.SOURCE_TABLES`, with exactly the
        table's columns in order.
    truth : dict of str to pandas.DataFrame
        Generator ground truth not stored in the database (``series``, ``suppliers``,
        ``recall_scope``, ``in_transit``, ``excursions``, ``summary``).
    as_of : datetime.date
        The last day of history ('today' for planning).
    size : DemoSize
    seed : int
    """

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    as_of: datetime.date
    size: DemoSize
    seed: int


def generate(
    size: str | DemoSize = DemoSize.MEDIUM,
    seed: int = 42,
    end_date: datetime.date = DEFAULT_END_DATE,
) -> DemoData:
    """Generate a deterministic demo data set.

    Parameters
    ----------
    size : {'small', 'medium', 'large'} or DemoSize, default 'medium'
    seed : int, default 42
        Seed of every random draw; equal seeds give identical frames.
    end_date : datetime.date, default 2026-09-30
        The as-of date, the last day of the two-year history.

    Returns
    -------
    DemoData
    """
    size = DemoSize(size)
    spec = SIZE_SPECS[size]
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)]
    calendar = make_calendar(end_date, HISTORY_DAYS)
    catalogue = make_catalogue(streams[0], spec.n_items, calendar)
    network = make_network(streams[1], len(spec.hospitals_per_dc), spec.hospitals_per_dc)
    suppliers = make_suppliers(streams[2], catalogue, end_date)
    assortment = make_assortment(streams[3], catalogue, network)
    params = make_series_parameters(streams[4], catalogue, assortment, calendar.n_days)
    demand = draw_demand(streams[4], calendar, catalogue, assortment, params)
    settings = make_erp_settings(streams[5], assortment, params, network, suppliers)
    world = make_world(calendar, catalogue, network, suppliers, assortment, settings, demand)
    state = simulate(world, streams[6])
    ctx = Context(
        calendar.start, calendar.n_days - 1, catalogue, network, suppliers, assortment, world, state
    )
    tables = _tables(ctx, end_date, settings)
    loggers = _temperatures(streams[7], ctx, tables)
    recall = make_recall(streams[8], end_date, tables)
    tables.update(recalls=recall.recalls, recall_lots=recall.recall_lots)
    truth = {
        "series": series_truth(catalogue, assortment, params, network.location_ids),
        "suppliers": suppliers.truth,
        "recall_scope": recall.scope,
        "in_transit": in_transit_truth(ctx, tables),
        "excursions": loggers,
        "summary": summary_truth(ctx, tables),
    }
    return DemoData({name: tables[name] for name in SOURCE_TABLES}, truth, end_date, size, seed)


def _tables(ctx: Context, as_of: datetime.date, settings: ErpSettings) -> dict[str, pd.DataFrame]:
    """Every source table except the temperature readings and the recall."""
    lot_item = ctx.state.lots["item"]
    controlled = ctx.catalogue.items["is_lot_controlled"].to_numpy(bool)[lot_item]
    numbers = lot_numbers(ctx.start, ctx.state.lots["manufacture"], controlled)
    po_ids, lines = po_numbers(ctx)
    exploded = explode(ctx)
    serial_text, serial_code = serial_dictionary(
        numbers, ctx.state.movements.column("lot")[exploded.row].astype(np.int64), exploded.serial
    )
    shipment, transfers = transfer_shipments(ctx)
    inbound = inbound_shipments(ctx, po_ids)
    shipments = pd.concat([inbound, transfers], ignore_index=True)
    return {
        "items": ctx.catalogue.items,
        "item_uom": ctx.catalogue.item_uom,
        "locations": ctx.network.locations,
        "customers": ctx.network.customers,
        "suppliers": ctx.suppliers.suppliers,
        "item_supplier": ctx.suppliers.item_supplier,
        "item_location": item_location_frame(
            ctx.assortment, settings, ctx.network, ctx.catalogue.item_ids
        ),
        "demand_history": demand_frame(ctx),
        "lots": lots_frame(ctx, numbers),
        "serials": serials_frame(ctx, exploded, serial_text, serial_code),
        "stock_on_hand": stock_frame(ctx, as_of),
        "purchase_orders": purchase_orders_frame(ctx, po_ids, lines),
        "receipts": receipts_frame(ctx, po_ids, lines),
        "inspections": inspections_frame(ctx),
        "shipments": shipments,
        "movements": movements_frame(
            ctx, exploded, serial_text, serial_code, po_ids, shipment, transfers["shipment_id"]
        ),
    }


def _temperatures(
    rng: np.random.Generator, ctx: Context, tables: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """Fill ``temperature_readings``; return the excursions it contains."""
    rooms = _cold_rooms(ctx)
    storage = storage_readings(rng, ctx.start, ctx.last_day + 1, rooms)
    lots = ctx.state.lots
    received = np.flatnonzero(~lots["opening"])
    minutes = ctx.state.orders["excursion_minutes"][lots["po"][received]]
    shipments = tables["shipments"]
    inbound = shipments.loc[shipments["kind"] == "inbound", "shipment_id"].to_numpy()
    flagged = {str(inbound[k]): int(minutes[k]) for k in np.flatnonzero(minutes > 0)}
    as_of = ctx.start + datetime.timedelta(days=ctx.last_day)
    shipped = shipment_readings(rng, tables["shipments"], flagged, as_of)
    tables["temperature_readings"] = pd.concat(
        [storage.readings, shipped.readings], ignore_index=True
    )
    return pd.concat([storage.excursions, shipped.excursions], ignore_index=True)


def _cold_rooms(ctx: Context) -> list[tuple[str, str]]:
    """Two cold rooms at the central warehouse, one per DC, one lab fridge per hospital."""
    rooms: list[tuple[str, str]] = []
    for loc, location_id in enumerate(ctx.network.location_ids):
        level = int(ctx.network.level[loc])
        stocks_cold = bool(
            ctx.catalogue.is_cold_chain[ctx.assortment.item[ctx.assortment.location == loc]].any()
        )
        if not stocks_cold:
            continue
        count = 2 if level == 0 else 1
        rooms.extend((f"CR-{location_id}-{k + 1}", location_id) for k in range(count))
    return rooms
