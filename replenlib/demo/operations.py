"""Day-by-day simulation of the network under today's ERP policy.

Each day, in this order:

1. purchase orders due today are received at the central warehouse: one lot per receipt,
   quarantined until its inspection 1-3 days later (failed lots are blocked and returned to
   the supplier 3-10 days after inspection, never issued); cancelled orders drop off;
2. transfers due today arrive at their destination;
3. on Fridays, expired stock is scrapped (so expired lots stay up to six days);
4. customer demand is served FEFO from usable stock (inspected, passed, not expired, with at
   least the item's minimum remaining shelf life); the unserved rest is lost;
5. hospitals, then DCs, request ``n * Q`` from their parent when their inventory position
   (on hand + in transit) is at or below the ERP reorder point; the parent ships FEFO what it
   has of lots with at least the minimum remaining shelf life plus 30 days;
6. the central warehouse orders ``n * Q`` from the primary supplier (15 % of the orders of a
   dual-sourced item go to the backup) when its position (on hand + on order) is at or below
   the reorder point.

Stock lives in *buckets* (a lot, or a contiguous run of a serialised lot's serial numbers, at
one series), so serial numbers and lot genealogy follow every unit through the network.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from replenlib.demo.fefo import fefo_take, split_ranges
from replenlib.demo.state import (
    ADJUSTMENT,
    BACKUP_ORDER_SHARE,
    CANCEL_SHARE,
    INBOUND_EXCURSION_SHARE,
    ISSUE,
    NEVER,
    RECEIPT,
    RETURN,
    SCRAP,
    SCRAP_WEEKDAY,
    TRANSFER,
    TRANSFER_DELAY_SHARE,
    TRANSFER_MARGIN_DAYS,
    State,
    World,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Inspection failure reasons (index stored per lot); 0 = temperature excursion in transit.
FAIL_REASONS: tuple[str, ...] = (
    "Temperature excursion in transit above the allowed minutes",
    "Sterile barrier damaged",
    "Labelling nonconformity: UDI carrier unreadable",
    "Certificate of analysis missing or incomplete",
    "Outer packaging crushed, contents damaged",
    "Dimensional nonconformity in sample check",
)


def simulate(world: World, rng: np.random.Generator) -> State:
    """Run the whole history; return the final state with its logs.

    Parameters
    ----------
    world : World
        The network, policy and demand.
    rng : numpy.random.Generator
        Source of all randomness of the simulation.

    Returns
    -------
    State
        Final stock buckets, goods in transit, lots, purchase orders and the logs of every
        movement and demand line.
    """
    n_days = world.demand.shape[0]
    n_locations = int(world.series_location.max()) + 1
    state = State()
    state.transfer_delay = (rng.random((n_locations, n_days)) < TRANSFER_DELAY_SHARE).astype(
        np.int64
    )
    open_stock(world, state, rng)
    for day in range(n_days):
        receive_purchases(world, state, rng, day)
        arrive_transfers(state, day)
        return_failed_lots(world, state, day)
        if world.weekday[day] == SCRAP_WEEKDAY:
            scrap_expired(world, state, day)
        issue_to_customers(world, state, rng, day)
        for level in (2, 1):
            replenish_by_transfer(world, state, rng, day, level)
        purchase(world, state, rng, day)
        record_values(world, state, day)
    return state


def open_stock(world: World, state: State, rng: np.random.Generator) -> None:
    """Opening balances on day 0: ROP + U(0, 1) Q per active series, one lot each."""
    active = (world.order_start <= 0) & (world.order_stop > 0)
    series = np.flatnonzero(active)
    quantity = world.reorder_point[series] + np.floor(
        rng.random(len(series)) * world.order_quantity[series]
    )
    quantity = quantity.astype(np.int64)
    series, quantity = series[quantity > 0], quantity[quantity > 0]
    item = world.series_item[series]
    shelf = world.shelf_life[item]
    remaining = np.round(shelf * rng.uniform(0.45, 0.95, len(series))).astype(np.int64)
    expiry = np.where(shelf > 0, remaining, NEVER)
    manufacture = np.where(shelf > 0, remaining - shelf, -rng.integers(30, 700, len(series)))
    lots = state.lots.append(
        item=item,
        supplier=world.primary[item],
        series=series,
        manufacture=manufacture,
        expiry=expiry,
        received=-rng.integers(1, 60, len(series)),
        ok_day=-1,
        failed=False,
        return_day=NEVER,
        quantity=quantity,
        po=-1,
        opening=True,
        fail_reason=-1,
    )
    state.add_buckets(series, lots, quantity, np.zeros(len(series), np.int64))
    state.movements.add(
        day=0,
        kind=ADJUSTMENT,
        lot=lots,
        serial0=0,
        quantity=quantity,
        from_location=-1,
        to_location=world.series_location[series],
        customer=-1,
        po=-1,
        arrival=0,
    )


def receive_purchases(world: World, state: State, rng: np.random.Generator, day: int) -> None:
    """Receive the purchase order lines due today: one quarantined lot per line."""
    orders = state.orders
    due = np.flatnonzero((orders["arrival"] == day) & (orders["cancel_day"] == NEVER))
    if len(due) == 0:
        return
    item, supplier = orders["item"][due], orders["supplier"][due]
    quantity, series = orders["quantity"][due], orders["series"][due]
    shelf = world.shelf_life[item]
    transit = world.transit_days[supplier]
    age = np.where(
        shelf > 0,
        np.floor(shelf * rng.uniform(0.03, 0.2, len(due))),
        rng.integers(10, 200, len(due)),
    ).astype(np.int64)
    manufacture = day - transit - age
    expiry = np.where(shelf > 0, manufacture + shelf, NEVER)
    ok_day = day + rng.integers(1, 4, len(due))
    reason = _inspection_failures(world, rng, item, supplier, orders["excursion_minutes"][due])
    failed = reason >= 0
    return_day = np.where(failed, ok_day + rng.integers(3, 11, len(due)), NEVER)
    lots = state.lots.append(
        item=item,
        supplier=supplier,
        series=series,
        manufacture=manufacture,
        expiry=expiry,
        received=day,
        ok_day=ok_day,
        failed=failed,
        return_day=return_day,
        quantity=quantity,
        po=due,
        opening=False,
        fail_reason=reason,
    )
    orders.set("lot", due, lots)
    state.add_buckets(series, lots, quantity, np.zeros(len(due), np.int64))
    state.movements.add(
        day=day,
        kind=RECEIPT,
        lot=lots,
        serial0=0,
        quantity=quantity,
        from_location=-1,
        to_location=world.series_location[series],
        customer=-1,
        po=due,
        arrival=day,
    )


def _inspection_failures(
    world: World,
    rng: np.random.Generator,
    item: IntArray,
    supplier: IntArray,
    excursion_minutes: IntArray,
) -> IntArray:
    """Failure reason per received lot, -1 when it passes inspection."""
    too_warm = world.cold_chain[item] & (excursion_minutes > world.allowed_excursion[item])
    defect = rng.random(len(item)) > world.quality_pass_rate[supplier]
    other = rng.integers(1, len(FAIL_REASONS), len(item))
    return np.where(too_warm, 0, np.where(defect, other, -1)).astype(np.int64)


def arrive_transfers(state: State, day: int) -> None:
    """Move the transfers arriving today from transit into the destination's stock."""
    here = state.t_arrival == day
    if not here.any():
        return
    state.add_buckets(
        state.t_series[here], state.t_lot[here], state.t_quantity[here], state.t_serial0[here]
    )
    keep = ~here
    state.t_series, state.t_lot = state.t_series[keep], state.t_lot[keep]
    state.t_quantity, state.t_serial0 = state.t_quantity[keep], state.t_serial0[keep]
    state.t_arrival = state.t_arrival[keep]


def _remove_buckets(world: World, state: State, day: int, gone: BoolArray, kind: int) -> None:
    """Log a scrap or return of the buckets in ``gone`` and drop them."""
    if not gone.any():
        return
    state.movements.add(
        day=day,
        kind=kind,
        lot=state.b_lot[gone],
        serial0=state.b_serial0[gone],
        quantity=state.b_quantity[gone],
        from_location=world.series_location[state.b_series[gone]],
        to_location=-1,
        customer=-1,
        po=state.lots["po"][state.b_lot[gone]],
        arrival=day,
    )
    state.keep_buckets(~gone)


def return_failed_lots(world: World, state: State, day: int) -> None:
    """Return lots that failed inspection to their supplier."""
    _remove_buckets(world, state, day, state.lots["return_day"][state.b_lot] <= day, RETURN)


def scrap_expired(world: World, state: State, day: int) -> None:
    """Scrap every bucket whose lot has expired (expiry date on or before today)."""
    _remove_buckets(world, state, day, state.lots["expiry"][state.b_lot] <= day, SCRAP)


def usable(world: World, state: State, day: int, margin: int) -> BoolArray:
    """Buckets that may be issued (``margin`` 0) or shipped (``margin`` extra days)."""
    lots = state.lots
    lot = state.b_lot
    item = world.series_item[state.b_series]
    remaining = lots["expiry"][lot] - day
    fresh = (world.shelf_life[item] < 0) | (remaining >= world.min_remaining[item] + margin)
    return np.asarray(
        (lots["ok_day"][lot] <= day) & ~lots["failed"][lot] & fresh & (state.b_quantity > 0)
    )


def _fefo_order(state: State, candidates: IntArray, group: IntArray) -> IntArray:
    """Sort candidate buckets by (group, expiry, lot, first serial)."""
    lot = state.b_lot[candidates]
    order = np.lexsort((state.b_serial0[candidates], lot, state.lots["expiry"][lot], group))
    return candidates[order]


def issue_to_customers(world: World, state: State, rng: np.random.Generator, day: int) -> None:
    """Serve today's demand FEFO from usable stock; log issues and the demand lines."""
    demand = world.demand[day].astype(np.int64)
    wanted = np.flatnonzero(demand > 0)
    if len(wanted) == 0:
        return
    need = demand[state.b_series]
    candidates = np.flatnonzero(usable(world, state, day, 0) & (need > 0))
    buckets = _fefo_order(state, candidates, state.b_series[candidates])
    take = fefo_take(state.b_series[buckets], state.b_quantity[buckets], need[buckets])
    buckets, take = buckets[take > 0], take[take > 0]
    shipped = np.bincount(state.b_series[buckets], take, minlength=len(demand))
    customer = _customers_today(world, rng, len(demand), wanted)
    series = state.b_series[buckets]
    state.movements.add(
        day=day,
        kind=ISSUE,
        lot=state.b_lot[buckets],
        serial0=state.b_serial0[buckets],
        quantity=take,
        from_location=world.series_location[series],
        to_location=-1,
        customer=customer[series],
        po=-1,
        arrival=day,
    )
    state.demand.add(
        series=wanted, day=day, quantity=demand[wanted], shipped=shipped[wanted].astype(np.int64)
    )
    state.b_quantity[buckets] -= take
    state.b_serial0[buckets] += take
    state.issue_value.append(float((take * world.unit_cost[series]).sum()))


def _customers_today(
    world: World, rng: np.random.Generator, n_series: int, wanted: IntArray
) -> IntArray:
    """One customer per demand line, uniform over the series' candidate customers."""
    candidates = world.customers[wanted]
    count = (candidates >= 0).sum(axis=1)
    pick = np.floor(rng.random(len(wanted)) * count).astype(np.int64)
    customer = np.full(n_series, -1, dtype=np.int64)
    customer[wanted] = candidates[np.arange(len(wanted)), pick]
    return customer


def _positions(world: World, state: State, day: int) -> IntArray:
    """Inventory position per series: unexpired, unblocked on hand + in transit + on order."""
    n = len(world.series_item)
    lots = state.lots
    counted = (~lots["failed"][state.b_lot]) & (lots["expiry"][state.b_lot] > day)
    position = np.bincount(state.b_series, state.b_quantity * counted, minlength=n)
    position += np.bincount(state.t_series, state.t_quantity, minlength=n)
    orders = state.orders
    pending = (orders["arrival"] > day) & (orders["cancel_day"] > day)
    position += np.bincount(orders["series"][pending], orders["quantity"][pending], minlength=n)
    return position.astype(np.int64)


def _requests(world: World, position: IntArray, series: IntArray, day: int) -> IntArray:
    """ERP (s, nQ) rule: order the smallest n * Q that lifts the position above s."""
    active = (world.order_start[series] <= day) & (world.order_stop[series] > day)
    rop, q = world.reorder_point[series], world.order_quantity[series]
    short = active & (position[series] <= rop)
    n = np.floor((rop - position[series]) / q) + 1
    return np.where(short, n * q, 0).astype(np.int64)


def replenish_by_transfer(
    world: World, state: State, rng: np.random.Generator, day: int, level: int
) -> None:
    """Children at ``level`` request from their parents; parents ship FEFO what they have."""
    kids = np.flatnonzero(world.level == level)
    request = _requests(world, _positions(world, state, day), kids, day)
    kids, request = kids[request > 0], request[request > 0]
    if len(kids) == 0:
        return
    parents = world.parent[kids]
    order = np.lexsort((rng.random(len(kids)), parents))
    kids, request, parents = kids[order], request[order], parents[order]
    total = np.bincount(parents, request, minlength=len(world.series_item)).astype(np.int64)
    candidates = np.flatnonzero(
        usable(world, state, day, TRANSFER_MARGIN_DAYS) & (total[state.b_series] > 0)
    )
    buckets = _fefo_order(state, candidates, state.b_series[candidates])
    take = fefo_take(
        state.b_series[buckets], state.b_quantity[buckets], total[state.b_series[buckets]]
    )
    buckets, take = buckets[take > 0], take[take > 0]
    if len(buckets) == 0:
        return
    pieces = split_ranges(state.b_series[buckets], take, parents, request)
    _ship(
        world,
        state,
        day,
        buckets[pieces.bucket],
        kids[pieces.receiver],
        pieces.quantity,
        state.b_serial0[buckets][pieces.bucket] + pieces.offset,
    )
    state.b_quantity[buckets] -= take
    state.b_serial0[buckets] += take


def _ship(
    world: World,
    state: State,
    day: int,
    bucket: IntArray,
    child: IntArray,
    quantity: IntArray,
    serial0: IntArray,
) -> None:
    """Put shipped pieces in transit and log the transfer movements (dated at dispatch)."""
    location = world.series_location[child]
    arrival = day + world.transfer_lead_time[location] + state.transfer_delay[location, day]
    lot = state.b_lot[bucket]
    state.t_series = np.r_[state.t_series, child]
    state.t_lot = np.r_[state.t_lot, lot]
    state.t_quantity = np.r_[state.t_quantity, quantity]
    state.t_serial0 = np.r_[state.t_serial0, serial0]
    state.t_arrival = np.r_[state.t_arrival, arrival]
    state.movements.add(
        day=day,
        kind=TRANSFER,
        lot=lot,
        serial0=serial0,
        quantity=quantity,
        from_location=world.series_location[state.b_series[bucket]],
        to_location=location,
        customer=-1,
        po=-1,
        arrival=arrival,
    )


def purchase(world: World, state: State, rng: np.random.Generator, day: int) -> None:
    """The central warehouse orders from suppliers at or below the reorder point."""
    central = np.flatnonzero(world.level == 0)
    quantity = _requests(world, _positions(world, state, day), central, day)
    series, quantity = central[quantity > 0], quantity[quantity > 0]
    if len(series) == 0:
        return
    item = world.series_item[series]
    use_backup = (world.backup[item] >= 0) & (rng.random(len(item)) < BACKUP_ORDER_SHARE)
    supplier = np.where(use_backup, world.backup[item], world.primary[item])
    cv = world.lead_time_cv[supplier]
    shape = 1.0 / cv**2
    lead = np.maximum(np.ceil(rng.gamma(shape, world.lead_time_mean[supplier] / shape)), 1)
    arrival = day + lead.astype(np.int64)
    cancelled = (rng.random(len(item)) < CANCEL_SHARE) & (lead > 3)
    cancel_day = np.where(cancelled, day + rng.integers(1, 3, len(item)), NEVER)
    excursion = np.where(
        world.cold_chain[item] & (rng.random(len(item)) < INBOUND_EXCURSION_SHARE),
        rng.integers(30, 300, len(item)),
        0,
    )
    state.orders.append(
        series=series,
        item=item,
        supplier=supplier,
        quantity=quantity,
        order_day=day,
        confirmed=day + world.quoted_lead_time[supplier],
        arrival=arrival,
        cancel_day=cancel_day,
        excursion_minutes=excursion,
        lot=-1,
    )


def record_values(world: World, state: State, day: int) -> None:
    """Keep the day's stock value [CNY] for the inventory-days figure; tidy empty buckets."""
    state.keep_buckets(state.b_quantity > 0)
    state.stock_value.append(float((state.b_quantity * world.unit_cost[state.b_series]).sum()))
    if len(state.issue_value) < day + 1:
        state.issue_value.append(0.0)
