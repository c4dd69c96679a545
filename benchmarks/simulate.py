"""Benchmark: the vectorised simulator against a straightforward per-item Python loop.

1,000 items × 365 days × 200 replications of a demo-like panel (smooth, intermittent and
lumpy demand; 20 suppliers with gamma lead times and random outages; (R, s, S) and (s, nQ)
policies with daily and weekly review, MOQ and multiples; a third of the items expiring
with FEFO; a fifth with lost sales). The peer is :mod:`replenlib.sim.reference`, the same
model written one item, replication and day at a time, run on a subset of items and
extrapolated per item; on that subset the engine must reproduce the peer's totals exactly
(same demand path, same lead-time stream).

Run: ``python benchmarks/simulate.py [--items N] [--replications R] [--subset K]``. The last
line is one JSON object with the figures, including ``speedup`` (peer wall time ÷ ours) and
``speedup_cpu`` (the same with process CPU time, steadier on a shared machine). Peak memory
is the growth of the process's peak resident set during the vectorised run.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time

import numpy as np

from replenlib.sim.demand import DemandModel, DemandPath, SizeFamily
from replenlib.sim.engine import simulate
from replenlib.sim.reference import simulate_reference
from replenlib.sim.result import SimKpi
from replenlib.sim.sampling import DemandSampler
from replenlib.sim.streams import Streams
from replenlib.sim.supply import LeadTimeModel, SupplierFailures
from replenlib.sim.system import (
    InventorySystem,
    Policy,
    PolicyKind,
    RunSettings,
    Stocking,
    Supply,
)

N_DAYS = 365
N_SUPPLIERS = 20


def panel(n_items: int, seed: int = 7) -> InventorySystem:
    """A demo-like synthetic panel of ``n_items`` items (see the module docstring)."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, n_items, p=[0.4, 0.35, 0.25])  # smooth, intermittent, lumpy
    p = np.where(
        kind == 0,
        1.0,
        np.where(kind == 1, rng.uniform(0.1, 0.4, n_items), rng.uniform(0.03, 0.15, n_items)),
    )
    size_mean = np.where(
        kind == 0, rng.lognormal(2.0, 1.0, n_items), rng.lognormal(1.0, 0.8, n_items)
    )
    size_cv = np.where(kind == 2, rng.uniform(0.8, 1.5, n_items), rng.uniform(0.2, 0.6, n_items))
    demand = DemandModel(
        p,
        np.full(n_items, SizeFamily.GAMMA, dtype=object),
        size_mean + 1.0,
        size_cv * (size_mean + 1.0),
        whole_units=True,
    )
    lt_mean = rng.uniform(3, 45, N_SUPPLIERS)
    lead_times = LeadTimeModel.from_moments(lt_mean, 0.3 * lt_mean)
    source = rng.integers(0, N_SUPPLIERS, n_items)
    mu, sd = demand.daily_mean, demand.daily_std
    review = np.where(rng.random(n_items) < 0.3, 7, 1)
    exposure = lt_mean[source] + review
    sigma = np.sqrt(exposure * sd**2 + (mu * 0.3 * lt_mean[source]) ** 2)
    reorder = np.ceil(mu * exposure + 1.65 * sigma)
    quantity = np.ceil(np.maximum(mu * rng.uniform(7, 30, n_items), 1.0))
    policy = Policy(
        kind=np.where(
            rng.random(n_items) < 0.5,
            PolicyKind.REORDER_POINT_ORDER_UP_TO,
            PolicyKind.REORDER_POINT_QUANTITY,
        ).astype(object),
        reorder_point=reorder,
        order_quantity=quantity,
        order_up_to=reorder + quantity,
        review_period=review,
        review_offset=rng.integers(0, 7, n_items) % review,
        moq=np.where(rng.random(n_items) < 0.3, quantity, 0.0),
        order_multiple=np.where(rng.random(n_items) < 0.3, 5.0, 0.0),
    )
    expiring = rng.random(n_items) < 0.33
    return InventorySystem(
        demand=demand,
        lead_times=lead_times,
        policy=policy,
        supply=Supply(source=source, sequential=rng.random(n_items) < 0.5),
        stocking=Stocking(
            lost_sales=rng.random(n_items) < 0.2,
            usable_days=np.where(expiring, rng.uniform(60, 360, n_items), np.nan),
        ),
        failures=SupplierFailures(np.full(N_SUPPLIERS, 1.0), np.full(N_SUPPLIERS, 10.0)),
    )


def subset(system: InventorySystem, items: np.ndarray, path: np.ndarray) -> InventorySystem:
    """The same system restricted to ``items``, replaying ``path`` (items × reps × days)."""

    def pick(value: object) -> object:
        arr = np.asarray(value)
        return arr[items] if arr.ndim == 1 and len(arr) == system.n_items else value

    p, sup, sto = system.policy, system.supply, system.stocking
    policy = Policy(
        *(
            pick(getattr(p, f))
            for f in (
                "kind",
                "reorder_point",
                "order_quantity",
                "order_up_to",
                "review_period",
                "review_offset",
                "moq",
                "order_multiple",
            )
        )
    )
    return InventorySystem(
        DemandPath(path),
        system.lead_times,
        policy,
        Supply(
            *(
                pick(getattr(sup, f))
                for f in (
                    "source",
                    "lead_time_factor",
                    "lead_time_shift",
                    "sequential",
                    "outage_start",
                    "outage_end",
                )
            )
        ),
        Stocking(pick(sto.lost_sales), pick(sto.usable_days), pick(sto.initial_on_hand)),
        failures=system.failures,
    )


def peer_demand(system: InventorySystem, items: np.ndarray, reps: int, seed: int) -> np.ndarray:
    """Demand paths drawn item by item, as a per-item loop would."""
    assert isinstance(system.demand, DemandModel)
    paths = np.zeros((len(items), reps, N_DAYS))
    for k, item in enumerate(items):
        model = DemandModel(
            *(
                np.asarray(getattr(system.demand, f))[[item]]
                for f in ("occurrence_probability", "size_family", "size_mean", "size_std")
            ),
            whole_units=True,
        )
        sampler = DemandSampler(model, reps, np.random.default_rng([seed, int(item)]))
        for day in range(N_DAYS):
            paths[k, :, day] = sampler.draw(day)
    return paths


def _peak_rss_mib() -> float:
    """Peak resident memory of this process so far [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--subset", type=int, default=4, help="items the Python loop runs")
    args = parser.parse_args()
    system = panel(args.items)
    settings = RunSettings(N_DAYS, args.replications, warmup_days=0)

    rss_before = _peak_rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    result = simulate(system, settings, np.random.default_rng(2026))
    ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
    rss_after = _peak_rss_mib()
    peak_mb = rss_after - rss_before
    pooled = result.pooled()
    print(
        f"vectorised: {args.items} items × {N_DAYS} days × {args.replications} "
        f"replications in {ours:.2f} s, peak memory +{peak_mb:.0f} MiB "
        f"(process peak {rss_after:.0f} MiB)"
    )

    items = np.linspace(0, args.items - 1, args.subset).astype(np.int64)
    streams = Streams.from_rng(np.random.default_rng(11))
    start, cpu = time.perf_counter(), time.process_time()
    path = peer_demand(system, items, args.replications, 11)
    small = subset(system, items, path)
    outages = (
        system.failures.draw(streams.outages, args.replications, N_DAYS)
        if system.failures
        else None
    )
    reference = simulate_reference(small, settings, streams.lead_time_seed, outages)
    peer, peer_cpu = time.perf_counter() - start, time.process_time() - cpu
    peer_total = peer / len(items) * args.items
    print(
        f"per-item Python loop: {len(items)} items in {peer:.2f} s "
        f"→ {peer_total:.0f} s for {args.items} items"
    )
    check = simulate(small, settings, np.random.default_rng(11))
    agree = all(np.array_equal(check.totals[k], reference.totals[k]) for k in check.totals)
    print(f"engine reproduces the loop's totals on the subset: {agree}")
    figures = {
        "benchmark": "simulate",
        "items": args.items,
        "days": N_DAYS,
        "replications": args.replications,
        "seconds": round(ours, 3),
        "peak_memory_mib": round(peak_mb, 1),
        "process_peak_rss_mib": round(rss_after, 1),
        "peer": "per-item Python loop (replenlib.sim.reference)",
        "peer_subset_items": len(items),
        "peer_seconds_subset": round(peer, 3),
        "peer_seconds_extrapolated": round(peer_total, 1),
        "speedup": round(peer_total / ours, 1),
        "speedup_cpu": round(peer_cpu / len(items) * args.items / ours_cpu, 1),
        "cpu_seconds": round(ours_cpu, 3),
        "agree_on_subset": agree,
        "fill_rate": round(float(np.nanmean(pooled[SimKpi.FILL_RATE])), 4),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
