"""A slow, plain per-row Python loop with the engine's exact semantics.

For tests (the vectorised engine must agree with it on every total) and as the benchmark
peer (``benchmarks/simulate.py``): the straightforward way to write the simulation, one
variant × item × replication at a time, one day at a time, with Python floats and lists.
Demand comes from a :class:`~replenlib.sim.demand.DemandPath`; lead times from the same
counter-based stream as the engine (:func:`~replenlib.sim.streams.counter_uniform`) and
outages from given windows, so that both see identical random numbers. With whole-unit
quantities both compute exactly the same numbers; otherwise they agree to rounding (FEFO
sums its lots in a different order).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np

from replenlib.sim.demand import DemandPath
from replenlib.sim.engine import _NQ, _Params, _params
from replenlib.sim.lots import EMPTY
from replenlib.sim.result import TOTALS, SimulationResult
from replenlib.sim.streams import counter_uniform
from replenlib.sim.supply import LeadTimeModel, Outages
from replenlib.sim.system import InventorySystem, RunSettings


@dataclass
class _Rules:
    """One row's parameters as Python scalars."""

    nq: bool
    levels: list[tuple[float, float, float, float]]  # (s, Q, S, max order) per block
    block_days: int
    review: int
    offset: int
    moq: float
    multiple: float
    source: int
    lt_factor: float
    lt_shift: float
    sequential: bool
    outage: tuple[int, int]
    lost: bool
    usable: float  # NaN = no expiry
    initial: float
    level: tuple[float, float, int, int]  # multiplier, shock multiplier, shock start, end
    variability: float
    size_mean: float
    changes: bool
    slots: int


@dataclass
class _Row:
    """State of one row."""

    on_hand: float
    on_order: float = 0.0
    backlog: float = 0.0
    orders: int = 0
    last_arrival: int = 0
    short: bool = False
    lots: list[list[float]] = field(default_factory=list)  # [expiry, qty], by expiry
    pending: dict[int, float] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TOTALS, 0.0))


def simulate_reference(
    system: InventorySystem,
    settings: RunSettings,
    lead_time_seed: int,
    outages: Outages | None = None,
) -> SimulationResult:
    """Simulate row by row in Python; ``system.demand`` must be a :class:`DemandPath`.

    Units as in :func:`replenlib.sim.engine.simulate` ([units], [days]); ``lead_time_seed``
    seeds the lead-time draws.
    """
    if not isinstance(system.demand, DemandPath):
        raise TypeError("the reference simulation replays a DemandPath")
    p = _params(system)
    n_items, n_reps = system.n_items, settings.n_replications
    totals = {name: np.zeros((p.n_variants, n_items, n_reps)) for name in TOTALS}
    path = system.demand.quantity
    for v in range(p.n_variants):
        for i in range(n_items):
            rules = _rules(p, v * n_items + i, system, settings)
            for r in range(n_reps):
                demand = path[i, r if path.shape[1] > 1 else 0, :].tolist()
                where = (i * n_reps + r, r, lead_time_seed)
                row = _run_row(rules, where, demand, settings, system.lead_times, outages)
                for name in TOTALS:
                    totals[name][v, i, r] = row.totals[name]
    days = settings.n_days - settings.warmup_days
    return SimulationResult(totals, days, np.zeros((3, 0, settings.n_days)), (), 0)


def _rules(p: _Params, vi: int, system: InventorySystem, settings: RunSettings) -> _Rules:
    nq = bool(p.kind[vi] == _NQ)
    levels = [
        (float(s), float(q), float(big_s), float(cap))
        for s, q, big_s, cap in zip(
            p.reorder_point[:, vi],
            p.order_quantity[:, vi],
            p.order_up_to[:, vi],
            p.max_order[:, vi],
            strict=True,
        )
    ]
    start = levels[0][0] + levels[0][1] if nq else levels[0][2]
    shocked = p.shock_multiplier != 1.0
    changes = bool(
        np.any(p.multiplier != 1.0)
        or np.any(p.variability != 1.0)
        or np.any(shocked & (p.shock_end > p.shock_start))
    )
    item = vi % system.n_items
    assert isinstance(system.demand, DemandPath)
    return _Rules(
        nq=nq,
        levels=levels,
        block_days=p.block_days,
        review=int(p.review[vi]),
        offset=int(p.offset[vi]),
        moq=float(p.moq[vi]),
        multiple=float(p.multiple[vi]),
        source=int(p.source[vi]),
        lt_factor=float(p.lt_factor[vi]),
        lt_shift=float(p.lt_shift[vi]),
        sequential=bool(p.sequential[vi]),
        outage=(int(p.outage_start[vi]), int(p.outage_end[vi])),
        lost=bool(p.lost[vi]),
        usable=max(float(p.usable[vi]), 1.0) if np.isfinite(p.usable[vi]) else math.nan,
        initial=start if math.isnan(p.initial[vi]) else float(p.initial[vi]),
        level=(
            float(p.multiplier[vi]),
            float(p.shock_multiplier[vi]),
            int(p.shock_start[vi]),
            int(p.shock_end[vi]),
        ),
        variability=float(p.variability[vi]),
        size_mean=float(system.demand.size_mean[item]),
        changes=changes,
        slots=settings.lot_slots,
    )


def _run_row(
    rules: _Rules,
    where: tuple[int, int, int],
    demand: list[float],
    settings: RunSettings,
    lead_times: LeadTimeModel,
    outages: Outages | None,
) -> _Row:
    """Simulate one row; ``where`` is (key, replication, lead-time seed)."""
    row = _Row(on_hand=rules.initial)
    expiring = not math.isnan(rules.usable)
    if expiring and rules.initial > EMPTY:
        row.lots.append([rules.usable, rules.initial])
    for day in range(settings.n_days):
        counting = day >= settings.warmup_days
        if day == settings.warmup_days:
            row.short = False
        _receive(row, rules, where[1], day, counting, outages)
        if expiring:
            _expire(row, day, counting)
        if (day - rules.offset) % rules.review == 0:
            _review(row, rules, where, day, counting, lead_times)
        _demand(row, rules, day, counting, demand[day])
    return row


def _receive(
    row: _Row, rules: _Rules, rep: int, day: int, counting: bool, outages: Outages | None
) -> None:
    qty = row.pending.pop(day, None)
    if qty is None:
        return
    blocked = rules.outage[0] <= day < rules.outage[1]
    if outages is not None and not blocked:
        source = np.asarray([rules.source])
        blocked = bool(outages.blocked(source, np.asarray([rep]), day)[0])
    if blocked:
        row.pending[day + 1] = row.pending.get(day + 1, 0.0) + qty
        return
    if counting:
        row.totals["cycles"] += 1
        row.totals["short_cycles"] += row.short
        row.totals["received"] += qty
    row.on_order -= qty
    fill = min(row.backlog, qty)
    row.backlog -= fill
    rest = qty - fill
    row.on_hand += rest
    if not math.isnan(rules.usable) and rest > EMPTY:
        expiry = day + rules.usable
        row.lots.insert(bisect.bisect_right([lot[0] for lot in row.lots], expiry), [expiry, rest])
        if len(row.lots) > rules.slots:
            last = row.lots.pop()
            row.lots[-1][1] += last[1]
    row.short = row.backlog > EMPTY


def _expire(row: _Row, day: int, counting: bool) -> None:
    if not row.lots or row.lots[0][0] > day:
        return
    while row.lots and row.lots[0][0] <= day:
        _, qty = row.lots.pop(0)
        row.on_hand -= qty
        if counting:
            row.totals["expired"] += qty


def _review(
    row: _Row,
    rules: _Rules,
    where: tuple[int, int, int],
    day: int,
    counting: bool,
    lead_times: LeadTimeModel,
) -> None:
    block = min(day // rules.block_days, len(rules.levels) - 1) if rules.block_days > 0 else 0
    s, q, big_s, cap = rules.levels[block]
    position = row.on_hand + row.on_order - row.backlog
    if not (position <= s and position < big_s):
        return
    need = q * (math.floor((s - position) / q) + 1.0) if rules.nq else big_s - position
    up = max(need, rules.moq)
    if rules.multiple > 0:
        up = math.ceil(up / rules.multiple - 1e-9) * rules.multiple
    if rules.multiple > 0:
        down = (
            math.floor((cap if math.isfinite(cap) else 0.0) / rules.multiple + 1e-9)
            * rules.multiple
        )
    else:
        down = cap
    need = down if up > cap + 1e-9 and down >= rules.moq and down > 0 else up
    u = counter_uniform(where[2], [where[0]], [row.orders])
    row.orders += 1
    lead = float(lead_times.days(np.asarray([rules.source]), u)[0])
    lead = max(float(np.rint(lead * rules.lt_factor + rules.lt_shift)), 1.0)
    arrival = day + int(lead)
    if rules.sequential:
        arrival = max(arrival, row.last_arrival)
    row.last_arrival = arrival
    row.on_order += need
    row.pending[arrival] = row.pending.get(arrival, 0.0) + need
    if counting:
        row.totals["orders"] += 1
        row.totals["ordered"] += need
        row.totals["lead_time"] += arrival - day


def _demand(row: _Row, rules: _Rules, day: int, counting: bool, base: float) -> None:
    demand = base
    if rules.changes and base > 0:
        multiplier, shock, start, end = rules.level
        level = multiplier * (shock if start <= day < end else 1.0)
        m = rules.size_mean
        demand = level * max(m + rules.variability * (base - m), 0.0)
    served = min(demand, row.on_hand)
    row.on_hand -= served
    if row.lots and served > 0:
        _take_fefo(row, served)
    unmet = demand - served
    short = unmet > EMPTY
    if not rules.lost:
        row.backlog += unmet
    row.short = row.short or short or row.backlog > EMPTY
    if counting:
        _count(row, demand, served, unmet if rules.lost else 0.0, short)


def _count(row: _Row, demand: float, served: float, lost: float, short: bool) -> None:
    t = row.totals
    t["demand"] += demand
    t["served"] += served
    t["demand_days"] += demand > 0
    t["short_days"] += short
    t["stockout_days"] += row.on_hand <= EMPTY
    t["on_hand"] += row.on_hand
    t["on_order"] += row.on_order
    t["backlog"] += row.backlog
    t["lost"] += lost


def _take_fefo(row: _Row, amount: float) -> None:
    while amount > 0 and row.lots:
        lot = row.lots[0]
        take = min(amount, lot[1])
        lot[1] -= take
        amount -= take
        if lot[1] <= EMPTY:
            row.lots.pop(0)
