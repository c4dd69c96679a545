"""Benchmark: policy parameters for 100,000 item-locations against a per-item scipy loop.

The panel mixes normal, gamma and negative-binomial lead-time demand, (s, Q), (s, S), (R, S)
and (R, s, S) policies, and cycle-service-level and fill-rate targets. The peer solves the
same rows one at a time with scipy.stats and scipy.optimize.brentq (the straightforward way);
it runs on a subset and is scaled to the full panel. Both run in this process; the last line
is JSON with the timings and ``speedup`` (peer time ÷ our time).

    python benchmarks/policy.py [--rows 100000] [--peer-rows 60]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy import optimize, stats

from replenlib.policy.policies import reorder_levels
from replenlib.policy.service import cycle_demand, reorder_point_demand, undershoot_moments


def make_panel(rows: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    daily = rng.gamma(1.5, 6.0, rows)
    return {
        "family": rng.choice(["normal", "gamma", "negative_binomial"], rows),
        "policy": rng.choice(["s_Q", "s_S", "R_S", "R_s_S"], rows),
        "measure": rng.choice(["cycle_service_level", "fill_rate"], rows),
        "target": rng.choice([0.9, 0.95, 0.98, 0.99], rows),
        "mean": daily,
        "std": daily * rng.uniform(0.6, 2.0, rows),
        "lead": rng.uniform(3.0, 40.0, rows),
        "lead_std": rng.uniform(0.0, 6.0, rows),
        "review": np.where(rng.random(rows) < 0.5, 1.0, 7.0),
        "lot": daily * rng.uniform(5.0, 30.0, rows),
    }


def ours(panel: dict[str, np.ndarray]) -> np.ndarray:
    demand = cycle_demand(
        panel["family"],
        panel["mean"],
        panel["std"],
        panel["lead"],
        panel["lead_std"],
        panel["review"],
    )
    return reorder_levels(
        panel["policy"], panel["measure"], panel["target"], demand, panel["lot"]
    ).reorder_point


def _frozen(family: str, mean: float, var: float) -> stats.rv_frozen:
    if family == "normal":
        return stats.norm(mean, np.sqrt(var))
    if family == "gamma":
        return stats.gamma(mean**2 / var, scale=var / mean)
    if var <= mean:
        return stats.poisson(mean)
    return stats.nbinom(mean**2 / (var - mean), mean / var)


def _loss(dist: stats.rv_frozen, x: float) -> float:
    return float(dist.expect(lambda y: np.maximum(y - x, 0.0), lb=x))


def _loss2(dist: stats.rv_frozen, x: float) -> float:
    """Second-order loss; discrete: (1/2) E[(X-k)(X-k-1); X>k] at integers, linear between."""
    if not hasattr(dist.dist, "_pmf"):
        return float(0.5 * dist.expect(lambda y: np.maximum(y - x, 0.0) ** 2, lb=x))

    def at(k: float) -> float:
        return float(
            0.5 * dist.expect(lambda y: np.maximum(y - k, 0) * np.maximum(y - k - 1, 0), lb=k)
        )

    k = np.floor(x)
    return at(k) + (x - k) * (at(k + 1) - at(k)) if x > k else at(k)


def peer_row(panel: dict[str, np.ndarray], i: int) -> float:
    """One row the straightforward way: frozen scipy distributions, numeric loss, brentq."""
    family, policy, measure = panel["family"][i], panel["policy"][i], panel["measure"][i]
    d, sd, lt, slt, r = (panel[k][i] for k in ("mean", "std", "lead", "lead_std", "review"))
    lead_var = lt * sd**2 + d**2 * slt**2
    protection = _frozen(family, d * (lt + r), lead_var + r * sd**2)
    lead = _frozen(family, d * lt, lead_var)
    target = panel["target"][i]
    one = cycle_demand([family], [d], [sd], [lt], [slt], [r])
    if measure == "cycle_service_level":
        if policy == "R_S":
            return float(protection.ppf(target))
        y = reorder_point_demand(one)
        return float(_frozen(family, y.mean[0], y.variance[0]).ppf(target))
    w = 0.0 if policy == "s_Q" else float(undershoot_moments(one)[0][0])
    delta = 0.0 if policy == "R_S" else panel["lot"][i]
    mu_r = d * r

    def shortfall(s: float) -> float:
        top = s + delta
        h_top = _loss(protection, top) - _loss(lead, top)
        if policy == "R_S":
            return h_top / mu_r - (1 - target)
        integral = (
            _loss2(protection, s) - _loss2(protection, top) - _loss2(lead, s) + _loss2(lead, top)
        )
        return (w * h_top + integral) / (mu_r * (delta + w)) - (1 - target)

    high = d * (lt + r) + 6 * np.sqrt(lead_var + r * sd**2) + 1
    if shortfall(0.0) <= 0:
        return 0.0
    while shortfall(high) > 0:
        high *= 2
    root = float(optimize.brentq(shortfall, 0.0, high, xtol=1e-6))
    return float(np.ceil(root - 1e-6)) if family == "negative_binomial" else root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer-rows", type=int, default=60)
    args = parser.parse_args()
    panel = make_panel(args.rows, np.random.default_rng(42))
    start = time.perf_counter()
    levels = ours(panel)
    our_seconds = time.perf_counter() - start
    subset = np.random.default_rng(1).choice(args.rows, args.peer_rows, replace=False)
    start = time.perf_counter()
    peer = np.array([peer_row(panel, int(i)) for i in subset])
    peer_subset_seconds = time.perf_counter() - start
    peer_seconds = peer_subset_seconds * args.rows / args.peer_rows
    discrete = panel["family"][subset] == "negative_binomial"
    gap = np.abs(peer - levels[subset])
    agree = np.where(discrete, gap <= 1.0 + 1e-6, gap <= 1e-3 * np.maximum(1.0, np.abs(peer)))
    print(f"ours: {args.rows:,} rows in {our_seconds:.2f} s", flush=True)
    print(
        f"peer: {args.peer_rows} rows in {peer_subset_seconds:.2f} s -> {peer_seconds:.0f} s scaled"
    )
    print(f"agreement on the subset: {agree.mean():.1%} of rows")
    print(
        json.dumps(
            {
                "rows": args.rows,
                "ours_seconds": round(our_seconds, 3),
                "peer_rows": args.peer_rows,
                "peer_subset_seconds": round(peer_subset_seconds, 3),
                "peer_seconds_scaled": round(peer_seconds, 1),
                "agreement": round(float(agree.mean()), 4),
                "speedup": round(peer_seconds / our_seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
