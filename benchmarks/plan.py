"""Benchmark the plan's panel arithmetic against item-by-item Python loops (the peer).

1. Idle-stock transfers + purchases (:func:`replenlib.plan.short_term.plan_orders`) for
   40,000 item-locations (8,000 items × 5 locations) vs a loop that decides each row and
   matches each item's needs to its surpluses one by one.
2. Monthly MRP with a three-level BOM (:func:`replenlib.plan.mrp.run_mrp`) for 6,000 items ×
   18 months vs a loop over items in low-level-code order and over months.

Both peers produce the same numbers (checked here). Run: ``python benchmarks/plan.py``; the
last line is a JSON object with the timings and ``speedup`` (peer time ÷ our time, both parts).
"""

from __future__ import annotations

import json
import math
import time

import numpy as np

from replenlib.plan.bom import Bom, low_level_codes
from replenlib.plan.mrp import MrpInputs, run_mrp
from replenlib.plan.short_term import ShortTermInputs, plan_orders
from replenlib.plan.thresholds import PlanThresholds

N_ITEMS, N_LOCATIONS = 8_000, 5
MRP_ITEMS, MONTHS = 6_000, 18


def short_term_inputs(rng: np.random.Generator) -> ShortTermInputs:
    n = N_ITEMS * N_LOCATIONS
    rate = rng.gamma(2.0, 3.0, n)
    s = rate * rng.uniform(5, 20, n)
    big_s = s + rate * rng.uniform(7, 30, n)
    on_hand = np.floor(big_s * rng.uniform(0.0, 2.0, n))
    zeros = np.zeros(n)
    return ShortTermInputs(
        item_code=np.repeat(np.arange(N_ITEMS), N_LOCATIONS),
        on_hand=on_hand,
        expiring_unused=zeros,
        on_order=zeros,
        pending_in=zeros,
        pending_out=zeros,
        known_demand=zeros,
        reorder_point=s,
        order_up_to=big_s,
        safety_stock=s / 3,
        demand_rate=rate,
        trailing_rate=rate,
        lead_time=rng.uniform(3, 30, n),
        moq=np.ones(n),
        order_multiple=np.ones(n),
        is_purchase=np.ones(n, dtype=bool),
        is_active=np.ones(n, dtype=bool),
        on_backup_supplier=np.zeros(n, dtype=bool),
        supply_row=np.full(n, -1),
    )


def short_term_peer(x: ShortTermInputs) -> dict[tuple[int, int], float]:
    """Row by row: decide, then per item hand idle stock to the most urgent needs."""
    by_item: dict[int, list[int]] = {}
    for row, item in enumerate(x.item_code.tolist()):
        by_item.setdefault(item, []).append(row)
    lines: dict[tuple[int, int], float] = {}
    for rows in by_item.values():
        needs, donors = [], []
        for r in rows:
            ip = x.on_hand[r]
            cover = ip / x.demand_rate[r] if x.demand_rate[r] > 0 else math.inf
            if ip <= x.reorder_point[r] and x.demand_rate[r] > 0:
                needs.append(
                    (
                        -(x.lead_time[r] / max(cover, 0.1)),
                        r,
                        math.ceil(x.order_up_to[r] - ip - 1e-9),
                    )
                )
            else:
                donors.append(
                    (-(math.floor(max(min(x.on_hand[r], ip - x.order_up_to[r]), 0) + 1e-9)), r)
                )
        donors = [[-d, r] for d, r in sorted(donors) if d < 0]
        for _, r, want in sorted(needs):
            got = 0.0
            for donor in donors:
                take = min(want - got, donor[0])
                if take > 0:
                    lines[(r, donor[1])] = take
                    donor[0] -= take
                    got += take
            if x.on_hand[r] + got <= x.reorder_point[r]:
                lines[(r, -1)] = math.ceil(x.order_up_to[r] - x.on_hand[r] - got - 1e-9)
    return lines


def mrp_inputs(rng: np.random.Generator) -> tuple[MrpInputs, Bom]:
    n = MRP_ITEMS
    level = np.repeat([0, 1, 2], [n // 3, n // 3, n - 2 * (n // 3)])
    parents, components = [], []
    for lower in (1, 2):
        child = np.flatnonzero(level == lower)
        parent = rng.choice(np.flatnonzero(level == lower - 1), size=(len(child), 2))
        parents += [parent[:, 0], parent[:, 1]]
        components += [child, child]
    edges = (np.concatenate(parents), np.concatenate(components))
    bom = Bom(edges[0], edges[1], rng.integers(1, 4, len(edges[0])).astype(float), n)
    independent = np.where(level[:, None] == 0, rng.gamma(2.0, 50.0, (n, MONTHS)), 0.0)
    return (
        MrpInputs(
            independent_demand=independent,
            scheduled_receipts=np.zeros((n, MONTHS)),
            on_hand=rng.uniform(0, 300, n),
            safety_stock=rng.uniform(0, 50, n),
            lead_time_periods=rng.integers(0, 3, n),
            moq=rng.uniform(0, 100, n),
            order_multiple=rng.choice([1.0, 10.0, 25.0], n),
        ),
        bom,
    )


def mrp_peer(x: MrpInputs, bom: Bom) -> np.ndarray:
    """Item by item in low-level-code order, month by month; returns planned receipts."""
    n, months = x.independent_demand.shape
    children: dict[int, list[tuple[int, float]]] = {}
    for p, c, a in zip(
        bom.parent.tolist(), bom.component.tolist(), bom.quantity_per.tolist(), strict=True
    ):
        children.setdefault(p, []).append((c, a))
    gross = x.independent_demand.copy()
    receipts = np.zeros((n, months))
    for i in np.argsort(low_level_codes(bom), kind="stable").tolist():
        balance, releases = x.on_hand[i], [0.0] * months
        for t in range(months):
            available = balance + x.scheduled_receipts[i, t] - gross[i, t]
            net = max(x.safety_stock[i] - available, 0.0)
            q = 0.0
            if net > 0:
                multiple = max(x.order_multiple[i], 1e-12)
                q = math.ceil(round(max(net, x.moq[i]) / multiple, 9)) * multiple
            receipts[i, t] = q
            releases[max(t - int(x.lead_time_periods[i]), 0)] += q
            balance = available + q
        for c, a in children.get(i, []):
            for t in range(months):
                gross[c, t] += a * releases[t]
    return receipts


def timed(function, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    rng = np.random.default_rng(20260401)
    x = short_term_inputs(rng)
    ours, t_ours = timed(plan_orders, x, PlanThresholds())
    peer, t_peer = timed(short_term_peer, x)
    got = {
        (int(r), int(s)): float(q)
        for r, s, q in zip(ours.lines.row, ours.lines.source_row, ours.lines.quantity, strict=True)
    }
    assert got.keys() == peer.keys() and all(abs(got[k] - peer[k]) < 1e-6 for k in got), (
        "short-term mismatch"
    )
    m, bom = mrp_inputs(rng)
    record, t_mrp = timed(run_mrp, m, bom)
    receipts, t_mrp_peer = timed(mrp_peer, m, bom)
    assert np.allclose(record.planned_receipts, receipts), "MRP mismatch"
    print(
        f"short-term plan: {len(x.on_hand):,} item-locations, {len(ours.lines):,} lines: "
        f"{t_ours:.3f} s vs loop {t_peer:.3f} s"
    )
    print(
        f"MRP: {MRP_ITEMS:,} items x {MONTHS} months, 3 BOM levels: {t_mrp:.3f} s vs loop {t_mrp_peer:.3f} s"
    )
    print(
        json.dumps(
            {
                "benchmark": "plan",
                "short_term_series": len(x.on_hand),
                "short_term_lines": len(ours.lines),
                "short_term_s": round(t_ours, 4),
                "short_term_peer_s": round(t_peer, 4),
                "speedup_short_term": round(t_peer / t_ours, 1),
                "mrp_items": MRP_ITEMS,
                "mrp_months": MONTHS,
                "mrp_s": round(t_mrp, 4),
                "mrp_peer_s": round(t_mrp_peer, 4),
                "speedup_mrp": round(t_mrp_peer / t_mrp, 1),
                "speedup": round((t_peer + t_mrp_peer) / (t_ours + t_mrp), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
