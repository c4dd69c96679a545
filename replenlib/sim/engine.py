r"""The vectorised Monte-Carlo inventory simulator: all rows at once, one loop over days.

A *row* is one variant × item × replication; the state of every row lives in arrays of
shape (variants · items, replications), and each day runs the same five steps on all rows:

1. **receive** the deliveries due today (a supplier in outage holds them to its first open
   day); a receipt fills backorders first, the rest becomes a lot; it closes the current
   replenishment cycle;
2. **expire** lots whose expiry day has come (write-off);
3. **review** (every :math:`R` days per row): with :math:`IP` = on hand + on order −
   backorders, order per the row's :class:`~replenlib.sim.system.PolicyKind`, rounded to
   MOQ and multiple; each order draws its lead time (:mod:`replenlib.sim.supply`) and
   arrives at the start of day :math:`t + L`;
4. **demand**: serve :math:`\min(D, \text{on hand})` FEFO; the rest is backordered or lost;
5. **count** (from ``warmup_days`` on): demand, served, short and stock-out days, stock
   levels, orders, expired units, cycles with and without a stock-out.

With review before demand, an order placed at day :math:`t` protects the days
:math:`t, …, t + L + R - 1`: the protection interval :math:`L + R` of
:mod:`replenlib.policy.safety_stock`. A cycle (between two receipts) *has a stock-out* when
some demand in it is not served from stock or a backorder is open at a day's end.

Only the demand step touches every row every day; receiving, ordering, expiring and FEFO
work on the rows concerned. Randomness comes from :class:`~replenlib.sim.streams.Streams`
(common to every variant).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.sim.demand import BlockBootstrap, DailyDemand, DemandModel
from replenlib.sim.lots import EMPTY, LotStore
from replenlib.sim.result import TOTALS, SimulationResult
from replenlib.sim.sampling import DemandSampler
from replenlib.sim.streams import Streams, counter_uniform
from replenlib.sim.supply import Outages
from replenlib.sim.system import KIND_CODES, InventorySystem, PolicyKind, RunSettings, kind_codes

log = logging.getLogger(__name__)

#: Totals that count days, cycles or orders: kept as 32-bit integers (half the memory
#: traffic of the daily additions), returned as floats like the others.
COUNTS = frozenset(
    {"demand_days", "short_days", "stockout_days", "cycles", "short_cycles", "orders"}
)

_NQ = KIND_CODES[PolicyKind.REORDER_POINT_QUANTITY]
_UP_TO = KIND_CODES[PolicyKind.ORDER_UP_TO]


def simulate(
    system: InventorySystem, settings: RunSettings, rng: np.random.Generator
) -> SimulationResult:
    """Simulate ``system`` for ``settings.n_days`` days and ``settings.n_replications``.

    Parameters
    ----------
    system : the policies, supply, stocking rules and demand (per variant × item)
    settings : horizon, replications, warm-up, lot slots, traced rows
    rng : source of all randomness; equal generator states give identical results

    Returns
    -------
    SimulationResult
        Totals per variant × item × replication and the traced rows.
    """
    return _Engine(system, settings, Streams.from_rng(rng)).run()


@dataclass(frozen=True)
class _Params:
    """The system's parameters flattened to (variants · items) columns (blocks first)."""

    n_variants: int
    kind: NDArray[np.int8]
    reorder_point: NDArray[np.float64]
    order_quantity: NDArray[np.float64]
    order_up_to: NDArray[np.float64]
    block_days: int
    review: NDArray[np.int64]
    offset: NDArray[np.int64]
    moq: NDArray[np.float64]
    multiple: NDArray[np.float64]
    max_order: NDArray[np.float64]  #: blocks × (variants · items)
    source: NDArray[np.int64]
    lt_factor: NDArray[np.float64]
    lt_shift: NDArray[np.float64]
    sequential: NDArray[np.bool_]
    outage_start: NDArray[np.int64]
    outage_end: NDArray[np.int64]
    lost: NDArray[np.bool_]
    usable: NDArray[np.float64]
    initial: NDArray[np.float64]
    multiplier: NDArray[np.float64]
    variability: NDArray[np.float64]
    shock_multiplier: NDArray[np.float64]
    shock_start: NDArray[np.int64]
    shock_end: NDArray[np.int64]


def _n_variants(values: list[ArrayLike], levels: list[ArrayLike]) -> int:
    shapes = [np.shape(v) for v in values] + [np.shape(v)[-2:] for v in levels]
    return max((s[0] for s in shapes if len(s) == 2), default=1)


def _params(system: InventorySystem) -> _Params:
    """Broadcast every parameter to (variants, items) and flatten; check the values."""
    p, sup, sto, chg = system.policy, system.supply, system.stocking, system.change
    per_item = [
        p.kind,
        p.review_period,
        p.review_offset,
        p.moq,
        p.order_multiple,
    ]
    per_item += [sup.source, sup.lead_time_factor, sup.lead_time_shift, sup.sequential]
    per_item += [sup.outage_start, sup.outage_end, sto.lost_sales, sto.usable_days]
    per_item += [sto.initial_on_hand, chg.multiplier, chg.variability, chg.shock_multiplier]
    per_item += [chg.shock_start, chg.shock_end]
    levels = [p.reorder_point, p.order_quantity, p.order_up_to, p.max_order_quantity]
    n_var, n_items = _n_variants(per_item, levels), system.n_items

    def vi(value: ArrayLike, dtype: type) -> NDArray[Any]:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (n_var, n_items)).reshape(-1)

    n_blocks = max((np.shape(v)[0] for v in levels if np.ndim(v) == 3), default=1)

    def bvi(value: ArrayLike) -> NDArray[np.float64]:
        arr = np.asarray(value, dtype=np.float64)
        return np.broadcast_to(arr, (n_blocks, n_var, n_items)).reshape(n_blocks, -1)

    kind = np.broadcast_to(kind_codes(p.kind), (n_var, n_items)).reshape(-1)
    up_to, quantity = bvi(p.order_up_to), bvi(p.order_quantity)
    _check_policy(kind, quantity, up_to, vi(p.review_period, np.int64))
    return _Params(
        n_variants=n_var,
        kind=kind,
        reorder_point=np.where(kind == _UP_TO, up_to, bvi(p.reorder_point)),
        order_quantity=quantity,
        order_up_to=np.where(kind == _NQ, np.inf, up_to),
        block_days=p.block_days,
        review=vi(p.review_period, np.int64),
        offset=vi(p.review_offset, np.int64),
        moq=vi(p.moq, np.float64),
        multiple=vi(p.order_multiple, np.float64),
        max_order=bvi(p.max_order_quantity),
        source=vi(sup.source, np.int64),
        lt_factor=vi(sup.lead_time_factor, np.float64),
        lt_shift=vi(sup.lead_time_shift, np.float64),
        sequential=vi(sup.sequential, np.bool_),
        outage_start=vi(sup.outage_start, np.int64),
        outage_end=vi(sup.outage_end, np.int64),
        lost=vi(sto.lost_sales, np.bool_),
        usable=vi(sto.usable_days, np.float64),
        initial=vi(sto.initial_on_hand, np.float64),
        multiplier=vi(chg.multiplier, np.float64),
        variability=vi(chg.variability, np.float64),
        shock_multiplier=vi(chg.shock_multiplier, np.float64),
        shock_start=vi(chg.shock_start, np.int64),
        shock_end=vi(chg.shock_end, np.int64),
    )


def _check_policy(
    kind: NDArray[np.int8],
    quantity: NDArray[np.float64],
    up_to: NDArray[np.float64],
    review: NDArray[np.int64],
) -> None:
    if np.any((kind == _NQ) & np.any(quantity <= 0, axis=0)):
        raise ValueError("an (s, nQ) policy needs an order quantity > 0")
    if np.any((kind != _NQ) & np.any(~np.isfinite(up_to), axis=0)):
        raise ValueError("an order-up-to policy needs a finite order-up-to level")
    if np.any(review < 1):
        raise ValueError("review periods must be whole days >= 1")


class _Engine:
    """State and daily steps of one simulation run (see the module docstring)."""

    def __init__(self, system: InventorySystem, settings: RunSettings, streams: Streams) -> None:
        self.system, self.settings, self.streams = system, settings, streams
        self.p = p = _params(system)
        self.n_items, self.n_reps = system.n_items, settings.n_replications
        self.n_vi = p.n_variants * self.n_items
        self.n_keys = self.n_items * self.n_reps
        shape = (self.n_vi, self.n_reps)
        self.demand = self._demand_source(system, streams)
        self.outages = self._outages(system, settings, streams)
        self.outage_days = set() if self.outages is None else self.outages.days()
        spans = zip(self.p.outage_start.tolist(), self.p.outage_end.tolist(), strict=True)
        self.fixed_outage_days = {day for a, b in set(spans) for day in range(max(a, 0), b)}
        self.on_hand = np.broadcast_to(self._initial_stock()[:, None], shape).copy()
        self.on_order, self.backlog = np.zeros(shape), np.zeros(shape)
        self.order_count = np.zeros(shape, dtype=np.int64)
        self.last_arrival = np.zeros(shape, dtype=np.int64)
        self.cycle_short = np.zeros(shape, dtype=bool)
        self.totals = {
            name: np.zeros(shape, dtype=np.int32 if name in COUNTS else np.float64)
            for name in TOTALS
        }
        self.pending: dict[int, list[tuple[NDArray[np.int64], NDArray[np.float64]]]] = {}
        self.mark = np.zeros(self.n_vi * self.n_reps, dtype=np.int64)
        self.lots = self._lots()
        self.any_lost, self.any_backorder = bool(p.lost.any()), bool((~p.lost).any())
        self.lost_col, self.size_mean = p.lost[:, None], self._size_mean()
        self.changes_demand = self._changes_demand()
        self.reviews_daily = bool(np.all(p.review == 1))
        self.changes_lead_time = bool(np.any(p.lt_factor != 1.0) or np.any(p.lt_shift != 0.0))
        self.any_sequential = bool(p.sequential.any())
        self.trace_rows = np.asarray(
            [(v * self.n_items + i) * self.n_reps + r for v, i, r in settings.trace],
            dtype=np.int64,
        )
        self.trace = np.zeros((3, len(self.trace_rows), settings.n_days))

    # --- set-up ---------------------------------------------------------------------------

    def _demand_source(self, system: InventorySystem, streams: Streams) -> DailyDemand:
        demand = system.demand
        if isinstance(demand, DemandModel):
            return DemandSampler(demand, self.n_reps, streams.demand)
        if isinstance(demand, BlockBootstrap):
            return demand.sampler(self.n_reps, streams.demand)
        return demand.sampler(self.n_reps)

    def _outages(
        self, system: InventorySystem, settings: RunSettings, streams: Streams
    ) -> Outages | None:
        if system.failures is None:
            return None
        return system.failures.draw(streams.outages, settings.n_replications, settings.n_days)

    def _initial_stock(self) -> NDArray[np.float64]:
        p = self.p
        default = np.where(
            p.kind == _NQ, p.reorder_point[0] + p.order_quantity[0], p.order_up_to[0]
        )
        return np.where(np.isnan(p.initial), default, p.initial)

    def _lots(self) -> LotStore | None:
        expiring = np.flatnonzero(np.isfinite(self.p.usable))
        if expiring.size == 0:
            return None
        rows = (expiring[:, None] * self.n_reps + np.arange(self.n_reps)[None, :]).ravel()
        usable = np.repeat(np.maximum(self.p.usable[expiring], 1.0), self.n_reps)
        lots = LotStore(rows.astype(np.int64), usable, self.settings.lot_slots)
        everyone = np.arange(len(rows), dtype=np.int64)
        stock = self.on_hand.reshape(-1)[rows]
        held = stock > EMPTY
        lots.insert(everyone[held], stock[held], usable[held], np.zeros(int(held.sum())))
        return lots

    def _size_mean(self) -> NDArray[np.float64]:
        item = np.tile(np.arange(self.n_items), self.p.n_variants)
        return np.asarray(self.demand.size_mean, dtype=np.float64)[item][:, None]

    def _changes_demand(self) -> bool:
        p = self.p
        return bool(
            np.any(p.multiplier != 1.0)
            or np.any(p.variability != 1.0)
            or np.any((p.shock_multiplier != 1.0) & (p.shock_end > p.shock_start))
        )

    # --- the day loop ---------------------------------------------------------------------

    def run(self) -> SimulationResult:
        s = self.settings
        for day in range(s.n_days):
            counting = day >= s.warmup_days
            if day == s.warmup_days:
                self.cycle_short[:] = False
            self._receive(day, counting)
            if self.lots is not None:
                self._expire(day, counting)
            self._review(day, counting)
            self._meet_demand(day, counting)
            if self.trace_rows.size:
                for k, state in enumerate((self.on_hand, self.on_order, self.backlog)):
                    self.trace[k, :, day] = state.reshape(-1)[self.trace_rows]
        shape = (self.p.n_variants, self.n_items, self.n_reps)
        return SimulationResult(
            totals={
                name: total.reshape(shape).astype(np.float64) for name, total in self.totals.items()
            },
            measured_days=s.n_days - s.warmup_days,
            trace=self.trace,
            trace_rows=s.trace,
            lot_merges=0 if self.lots is None else self.lots.merges,
        )

    def _receive(self, day: int, counting: bool) -> None:
        batch = self.pending.pop(day, None)
        if batch is None:
            return
        rows = np.concatenate([b[0] for b in batch])
        qty = np.concatenate([b[1] for b in batch])
        rows, qty = self._hold_blocked(day, rows, qty)
        if rows.size == 0:
            return
        rows, qty = self._merge_duplicates(rows, qty)
        t = self.totals
        if counting:
            t["cycles"].reshape(-1)[rows] += 1
            t["short_cycles"].reshape(-1)[rows] += self.cycle_short.reshape(-1)[rows]
            t["received"].reshape(-1)[rows] += qty
        self.on_order.reshape(-1)[rows] -= qty
        rest = qty
        if self.any_backorder:
            backlog = self.backlog.reshape(-1)
            fill = np.minimum(backlog[rows], qty)
            backlog[rows] -= fill
            rest = qty - fill
        if self.lots is not None:
            self._store_lots(day, rows, rest)
        self.on_hand.reshape(-1)[rows] += rest
        short = self.backlog.reshape(-1)[rows] > EMPTY if self.any_backorder else False
        self.cycle_short.reshape(-1)[rows] = short

    def _merge_duplicates(
        self, rows: NDArray[np.int64], qty: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Sum deliveries of the same row (crossing or held orders) into one receipt."""
        position = np.arange(len(rows))
        self.mark[rows] = position
        if np.array_equal(self.mark[rows], position):
            return rows, qty
        rows, inverse = np.unique(rows, return_inverse=True)
        return rows, np.asarray(np.bincount(inverse, qty, minlength=len(rows)), dtype=np.float64)

    def _hold_blocked(
        self, day: int, rows: NDArray[np.int64], qty: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Postpone deliveries from sources in outage today to tomorrow."""
        fixed = day in self.fixed_outage_days
        random = self.outages is not None and day in self.outage_days
        if not (fixed or random):
            return rows, qty
        p, vi = self.p, rows // self.n_reps
        blocked = (p.outage_start[vi] <= day) & (day < p.outage_end[vi])
        if random:
            assert self.outages is not None
            blocked |= self.outages.blocked_on(day)[p.source[vi], rows % self.n_reps]
        if blocked.any():
            self.pending.setdefault(day + 1, []).append((rows[blocked], qty[blocked]))
            return rows[~blocked], qty[~blocked]
        return rows, qty

    def _store_lots(self, day: int, rows: NDArray[np.int64], qty: NDArray[np.float64]) -> None:
        lots = self.lots
        assert lots is not None
        lot = self._lot_index(rows)
        keep = (lot >= 0) & (qty > EMPTY)
        lot = lot[keep]
        on_hand = self.on_hand.reshape(-1)[rows[keep]]
        lots.insert(lot, qty[keep], day + lots.usable_days[lot], on_hand)

    def _lot_index(self, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        assert self.lots is not None
        position = np.searchsorted(self.lots.rows, rows)
        position = np.minimum(position, len(self.lots.rows) - 1)
        return np.where(self.lots.rows[position] == rows, position, -1)

    def _expire(self, day: int, counting: bool) -> None:
        assert self.lots is not None
        if not np.any(self.lots.next_expiry <= day):
            return
        lot, amount = self.lots.expire(day, self.on_hand.reshape(-1)[self.lots.rows])
        if lot.size:
            rows = self.lots.rows[lot]
            self.on_hand.reshape(-1)[rows] -= amount
            if counting:
                self.totals["expired"].reshape(-1)[rows] += amount

    def _levels(self, day: int) -> tuple[NDArray[np.float64], ...]:
        p = self.p
        block = min(day // p.block_days, len(p.reorder_point) - 1) if p.block_days > 0 else 0
        return (
            p.reorder_point[block],
            p.order_quantity[block],
            p.order_up_to[block],
            p.max_order[block],
        )

    def _review(self, day: int, counting: bool) -> None:
        reorder, quantity, up_to, cap = self._levels(day)
        position = self.on_hand + self.on_order - self.backlog
        trigger = (position <= reorder[:, None]) & (position < up_to[:, None])
        if not self.reviews_daily:
            trigger &= ((day - self.p.offset) % self.p.review == 0)[:, None]
        rows = np.flatnonzero(trigger)
        if rows.size:
            vi = rows // self.n_reps
            qty = self._order_size(vi, position.reshape(-1)[rows], reorder, quantity, up_to, cap)
            self._place(day, counting, rows, vi, qty)

    def _order_size(
        self,
        vi: NDArray[np.int64],
        position: NDArray[np.float64],
        reorder: NDArray[np.float64],
        quantity: NDArray[np.float64],
        up_to: NDArray[np.float64],
        cap: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """Order quantity of the triggered rows, rounded to the terms within the shelf-life cap.

        Raised to the MOQ and up to the multiple; when that exceeds the row's maximum order
        (what demand uses before expiry), rounded down to the largest multiple within it if
        that still meets the MOQ (as :func:`replenlib.policy.order_sizing.round_within_cap`).
        """
        p, q = self.p, quantity[vi]
        is_nq = p.kind[vi] == _NQ
        batches = np.floor((reorder[vi] - position) / np.where(is_nq, q, 1.0)) + 1.0
        need = np.where(is_nq, q * batches, up_to[vi] - position)
        moq, multiple, cap = p.moq[vi], p.multiple[vi], cap[vi]
        step = np.where(multiple > 0, multiple, 1.0)
        up = np.maximum(need, moq)
        up = np.where(multiple > 0, np.ceil(up / step - 1e-9) * multiple, up)
        down = np.where(
            multiple > 0,
            np.floor(np.where(np.isfinite(cap), cap, 0.0) / step + 1e-9) * multiple,
            cap,
        )
        use_down = (up > cap + 1e-9) & (down >= moq) & (down > 0)
        return np.where(use_down, down, up)

    def _place(
        self,
        day: int,
        counting: bool,
        rows: NDArray[np.int64],
        vi: NDArray[np.int64],
        qty: NDArray[np.float64],
    ) -> None:
        """Place orders for ``rows``: draw lead times, schedule the arrivals, count them."""
        p, counts = self.p, self.order_count.reshape(-1)
        u = counter_uniform(self.streams.lead_time_seed, rows % self.n_keys, counts[rows])
        counts[rows] += 1
        lead = self.system.lead_times.days(p.source[vi], u)
        if self.changes_lead_time:
            lead = np.maximum(np.rint(lead * p.lt_factor[vi] + p.lt_shift[vi]), 1.0)
        arrival = day + lead.astype(np.int64)
        last = self.last_arrival.reshape(-1)
        if self.any_sequential:
            arrival = np.where(p.sequential[vi], np.maximum(arrival, last[rows]), arrival)
        last[rows] = arrival
        self.on_order.reshape(-1)[rows] += qty
        if counting:
            t = self.totals
            t["orders"].reshape(-1)[rows] += 1
            t["ordered"].reshape(-1)[rows] += qty
            t["lead_time"].reshape(-1)[rows] += arrival - day
        self._schedule(arrival, rows, qty)

    def _schedule(
        self, arrival: NDArray[np.int64], rows: NDArray[np.int64], qty: NDArray[np.float64]
    ) -> None:
        """File the orders under their arrival days (one sort, then slices)."""
        first = int(arrival.min())
        span = arrival - first
        small = span.astype(np.int16) if span.max(initial=0) < 2**15 else span
        order = np.argsort(small, kind="stable")
        days, rows, qty = arrival[order], rows[order], qty[order]
        cuts = (np.flatnonzero(days[1:] != days[:-1]) + 1).tolist()
        for start, end in zip([0, *cuts], [*cuts, len(days)], strict=True):
            self.pending.setdefault(int(days[start]), []).append((rows[start:end], qty[start:end]))

    def _demand_today(self, day: int) -> NDArray[np.float64]:
        base = self.demand.draw(day).reshape(1, self.n_items, self.n_reps)
        shape = (self.p.n_variants, self.n_items, self.n_reps)
        demand = np.broadcast_to(base, shape).reshape(self.n_vi, self.n_reps)
        if not self.changes_demand:
            return demand
        p = self.p
        shocked = (p.shock_start <= day) & (day < p.shock_end)
        level = (p.multiplier * np.where(shocked, p.shock_multiplier, 1.0))[:, None]
        m = self.size_mean
        changed = level * np.maximum(m + p.variability[:, None] * (demand - m), 0.0)
        return np.where(demand > 0, changed, 0.0)

    def _meet_demand(self, day: int, counting: bool) -> None:
        demand = self._demand_today(day)
        served = np.minimum(demand, self.on_hand)
        self.on_hand -= served
        unmet = demand - served
        short = unmet > EMPTY
        if self.any_backorder:
            self.backlog += unmet if not self.any_lost else np.where(self.lost_col, 0.0, unmet)
        self.cycle_short |= short
        if self.any_backorder:
            self.cycle_short |= self.backlog > EMPTY
        if counting:
            self._count_day(demand, served, unmet, short)

    def _count_day(
        self,
        demand: NDArray[np.float64],
        served: NDArray[np.float64],
        unmet: NDArray[np.float64],
        short: NDArray[np.bool_],
    ) -> None:
        t = self.totals
        t["demand"] += demand
        t["served"] += served
        t["demand_days"] += demand > 0.0
        t["short_days"] += short
        t["stockout_days"] += self.on_hand <= EMPTY  # unmet demand leaves nothing on hand
        t["on_hand"] += self.on_hand
        t["on_order"] += self.on_order
        if self.any_backorder:
            t["backlog"] += self.backlog
        if self.any_lost:
            t["lost"] += unmet if not self.any_backorder else np.where(self.lost_col, unmet, 0.0)
