"""Assemble the static simulation inputs (:class:`~replenlib.demo.state.World`)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from replenlib.demo.assortment import Assortment
from replenlib.demo.calendar import Calendar
from replenlib.demo.catalogue import Catalogue
from replenlib.demo.erp import ErpSettings
from replenlib.demo.network import Network
from replenlib.demo.sourcing import Suppliers
from replenlib.demo.state import NEVER, World

PRE_LAUNCH_DAYS: int = 7


def make_world(
    calendar: Calendar,
    catalogue: Catalogue,
    network: Network,
    suppliers: Suppliers,
    assortment: Assortment,
    settings: ErpSettings,
    demand: npt.NDArray[np.int32],
) -> World:
    """Align every static input to series, items, suppliers and locations."""
    item = assortment.item
    launch = catalogue.launch_day[item]
    order_start = launch - settings.lead_time - PRE_LAUNCH_DAYS
    eol = catalogue.eol_day[item]
    order_stop = np.where(eol < NEVER, eol - np.where(assortment.level == 0, 30, 0), NEVER)
    allowed = catalogue.items["allowed_excursion_minutes"].fillna(0).to_numpy(np.int64)
    return World(
        demand=demand,
        weekday=calendar.weekday,
        series_item=item,
        series_location=assortment.location,
        level=assortment.level,
        parent=assortment.parent,
        reorder_point=settings.reorder_point,
        order_quantity=settings.order_quantity,
        customers=assortment.customers,
        unit_cost=catalogue.unit_cost[item],
        shelf_life=catalogue.shelf_life_days,
        min_remaining=catalogue.min_remaining_days,
        cold_chain=catalogue.is_cold_chain,
        allowed_excursion=allowed,
        order_start=order_start.astype(np.int64),
        order_stop=order_stop.astype(np.int64),
        transfer_lead_time=network.transfer_lead_time,
        primary=suppliers.primary,
        backup=suppliers.backup,
        moq=suppliers.moq,
        order_multiple=suppliers.order_multiple,
        quoted_lead_time=suppliers.quoted_lead_time,
        transit_days=suppliers.transit_days,
        quality_pass_rate=suppliers.quality_pass_rate,
        lead_time_mean=suppliers.lead_time_mean,
        lead_time_cv=suppliers.lead_time_cv,
    )
