"""Benchmark: one what-if slider move on 5,000 item-locations — recompute plus chart update.

Each move sets a control of :class:`replenlib.widgets.whatif.WhatIfExplorer` the way a user
does (a tier's service target one step up or down, a lead-time or demand multiplier step,
a policy type or review period for a tier) and times everything the kernel does until the
numbers and both ``FigureWidget`` charts hold the new values. The peer is the same explorer
with the non-optimised path: :func:`replenlib.policy.whatif.reference_parameters` (the
nightly run's ``panel_parameters`` with ``scipy.stats`` distributions and bisection) behind
the same widget, measured in the same run on the same moves.

The panel is 5,000 rows drawn from the latest run of ``--db`` (the medium demo has 10,337),
or a synthetic panel with the medium demo's mix of tiers and demand families.

    python benchmarks/widgets.py [--db data/replen.duckdb] [--rows 5000] [--moves 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

from replenlib.policy.strategy import Strategy
from replenlib.policy.whatif import (
    WhatIfPanel,
    WhatIfResult,
    WhatIfSettings,
    describe,
    reference_parameters,
    scenario_inputs,
    synthetic_panel,
)
from replenlib.store.whatif_views import WhatIfData
from replenlib.widgets.whatif import WhatIfExplorer


class ReferenceEngine:
    """The non-optimised path behind the same widget (the peer)."""

    def __init__(self, panel: WhatIfPanel) -> None:
        self.panel = panel

    def recompute(self, settings: WhatIfSettings) -> WhatIfResult:
        parameters = reference_parameters(self.panel, settings)
        rate = scenario_inputs(self.panel, settings)[1].demand_rate
        return describe(parameters, self.panel, rate)


def load_data(db: str | None, rows: int, rng: np.random.Generator) -> WhatIfData:
    """``rows`` item-locations of the latest run of ``db``, or a synthetic panel."""
    if db:
        from replenlib.store import reader
        from replenlib.store.whatif_views import load_whatif

        with reader(db) as con:
            data = load_whatif(con)
        keep = np.sort(rng.choice(len(data.rows), size=min(rows, len(data.rows)), replace=False))
        return WhatIfData(
            data.run,
            data.rows.iloc[keep].reset_index(drop=True),
            data.panel.take(keep),
            data.strategy,
        )
    panel = synthetic_panel(rows, rng)
    labels = pd.DataFrame(
        {
            "item_id": [f"I{i:05d}" for i in range(rows)],
            "location_id": rng.choice(["CW", "DC-N", "DC-S", "H-1", "H-2"], rows),
            "description": "synthetic",
            "category": rng.choice(["implant", "stent", "reagent", "consumable"], rows),
            "location_name": "synthetic",
            "source": rng.choice(["SUP-1", "SUP-2", "from CW"], rows),
            "tier": panel.tier,
        }
    )
    return WhatIfData({"run_id": "synthetic", "policy_version": 1}, labels, panel, Strategy())


def moves(explorer: WhatIfExplorer, n: int, rng: np.random.Generator) -> list[tuple[str, Any, Any]]:
    """A reproducible sequence of (kind, control, new value) a user might make."""
    out: list[tuple[str, Any, Any]] = []
    sliders = list(explorer.sliders.values())
    for i in range(n):
        kind = ("target", "target", "target", "lead_time", "demand", "policy")[i % 6]
        if kind == "target":
            slider = sliders[rng.integers(len(sliders))]
            out.append(
                (
                    kind,
                    slider,
                    round(
                        min(
                            slider.max,
                            max(
                                slider.min, slider.value + rng.choice([-1, 1]) * 0.001 * (1 + i % 3)
                            ),
                        ),
                        3,
                    ),
                )
            )
        elif kind in ("lead_time", "demand"):
            control = explorer.lead_time if kind == "lead_time" else explorer.demand
            out.append((kind, control, round(float(rng.choice(np.arange(0.7, 1.55, 0.05))), 2)))
        else:
            out.append((kind, explorer.review, int(rng.choice([0, 7, 14]))))
    return out


def timed(
    explorer: WhatIfExplorer, sequence: list[tuple[str, Any, Any]]
) -> dict[str, list[tuple[float, float]]]:
    """Wall and CPU seconds of each move, by kind (the value is set as the browser does)."""
    times: dict[str, list[tuple[float, float]]] = {}
    for kind, control, value in sequence:
        if control.value == value:
            continue
        wall, cpu = time.perf_counter(), time.thread_time()
        control.value = value  # observers: recompute, numbers, FigureWidget updates
        times.setdefault(kind, []).append((time.perf_counter() - wall, time.thread_time() - cpu))
    return times


def summary(times: dict[str, list[tuple[float, float]]]) -> dict[str, float]:
    walls = [w for v in times.values() for w, _ in v]
    cpus = [c for v in times.values() for _, c in v]
    out = {
        "moves": len(walls),
        "median_ms": 1e3 * statistics.median(walls),
        "p95_ms": 1e3 * float(np.percentile(walls, 95)),
        "cpu_median_ms": 1e3 * statistics.median(cpus),
        "cpu_p95_ms": 1e3 * float(np.percentile(cpus, 95)),
    }
    for kind, values in sorted(times.items()):
        out[f"{kind}_median_ms"] = 1e3 * statistics.median(w for w, _ in values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="store whose latest run to sample")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--peer-moves", type=int, default=24, help="moves timed for the peer")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    data = load_data(args.db, args.rows, rng)
    explorer = WhatIfExplorer(data, lang="en")
    sequence = moves(explorer, args.moves, np.random.default_rng(7))
    ours = summary(timed(explorer, sequence))
    peer_explorer = WhatIfExplorer(data, lang="en")
    peer_explorer.engine = ReferenceEngine(data.panel)  # type: ignore[assignment]
    peer = summary(
        timed(peer_explorer, moves(peer_explorer, args.peer_moves, np.random.default_rng(7)))
    )
    print(
        f"panel: {len(data.rows):,} item-locations ({'store ' + args.db if args.db else 'synthetic, medium-demo mix'})"
    )
    print(
        f"{'':24}{'median':>10}{'p95':>10}{'cpu median':>12}  [ms per slider move, recompute + charts]"
    )
    for name, s in (("fast path (widget)", ours), ("peer: panel_parameters", peer)):
        print(
            f"{name:24}{s['median_ms']:10.1f}{s['p95_ms']:10.1f}{s['cpu_median_ms']:12.1f}   ({s['moves']} moves)"
        )
    kinds = sorted(
        k for k in ours if k.endswith("_median_ms") and not k.startswith(("cpu", "median"))
    )
    print(
        "fast path by kind: "
        + ", ".join(f"{k.removesuffix('_median_ms')} {ours[k]:.1f}" for k in kinds)
    )
    result = {
        "rows": len(data.rows),
        "source": "store" if args.db else "synthetic",
        **{k: round(v, 2) for k, v in ours.items()},
        "peer_median_ms": round(peer["median_ms"], 2),
        "peer_p95_ms": round(peer["p95_ms"], 2),
        "peer_cpu_median_ms": round(peer["cpu_median_ms"], 2),
        "speedup": round(peer["median_ms"] / ours["median_ms"], 2),
        "cpu_speedup": round(peer["cpu_median_ms"] / ours["cpu_median_ms"], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
