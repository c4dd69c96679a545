"""Benchmark: replenlib's panel forecasters against statsforecast on 10,000 weekly series.

Run as ``python benchmarks/forecast.py`` (options: ``--help``). It

1. simulates a realistic panel (:func:`replenlib.demand.synthetic.simulate_panel`: smooth,
   seasonal, trending, intermittent, lumpy, new and declining items; seeded), 104 weeks;
2. builds statsforecast's own virtual environment in ``benchmarks/.peer-env`` (statsforecast
   needs pandas < 3; ``python -m venv`` + ``pip install statsforecast``; reused if present)
   and runs ``benchmarks/peer_statsforecast.py`` there, exchanging arrays through ``.npz``;
3. times our panel path and statsforecast (``n_jobs=1``) on the same panel:

   * SES (α = 0.1), Croston, SBA and TSB (α = β = 0.1): forecasts must agree to 1e-6 — the
     definitions and initialisations coincide (see :mod:`replenlib.demand.intermittent`);
   * the AutoETS job — model and parameters chosen per series (ours:
     :class:`~replenlib.demand.forecasters.AutoETS`, vectorised; theirs: ``AutoETS``, both
     with season length 52) — fitted on the first 91 weeks and scored by MASE on the last 13.
     statsforecast fits a few seasonal series per second, so it runs on a random sample of
     ``--ets-sample`` series; ours runs on the whole panel and both MASEs are computed on the
     sample.

Our side runs single-threaded (BLAS threads pinned to 1) like ``n_jobs=1``. Times are the
best of ``--repeats`` runs (statsforecast, ≈ 0.3 s each) and ``--ours-repeats`` runs (ours,
≈ 10 ms each, so more of them to see past the scheduler on a shared machine). The last line printed is one JSON object;
``speedup`` is the smallest of the per-method ratios (peer time ÷ our time, per series).
Targets: ≥ 20× for SES/Croston/SBA/TSB, ≥ 10× for AutoETS with MASE no more than 2 % worse.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from replenlib.demand.forecasters import SBA, SES, TSB, AutoETS, Croston  # noqa: E402
from replenlib.demand.metrics import mase  # noqa: E402
from replenlib.demand.synthetic import simulate_panel  # noqa: E402

PEER_ENV = HERE / ".peer-env"
OUT = HERE / "out"
HORIZON = 13
FAST = {
    "ses": SES(alpha=0.1),
    "croston": Croston(alpha=0.1),
    "sba": SBA(alpha=0.1),
    "tsb": TSB(alpha=0.1, beta=0.1),
}
TARGETS = {"ses": 20.0, "croston": 20.0, "sba": 20.0, "tsb": 20.0, "auto_ets": 10.0}


def peer_python() -> Path:
    """The peer environment's interpreter, created (and statsforecast installed) if needed."""
    python = PEER_ENV / "bin" / "python"
    check = [str(python), "-c", "import statsforecast"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"building the statsforecast environment in {PEER_ENV} (once) …", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_ENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "statsforecast"], check=True)
    return python


def best_time(run: Callable[[], np.ndarray], repeats: int) -> tuple[np.ndarray, float]:
    best, out = np.inf, np.empty(0)
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return out, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=104)
    parser.add_argument("--ets-sample", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3, help="statsforecast runs per method")
    parser.add_argument("--ours-repeats", type=int, default=10, help="our runs per method")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    y = simulate_panel(rng, args.series, args.periods).demand
    train_periods = args.periods - HORIZON
    ets_rows = np.sort(rng.choice(args.series, min(args.ets_sample, args.series), replace=False))
    OUT.mkdir(exist_ok=True)
    panel = OUT / "forecast_panel.npz"
    np.savez(panel, y=y, horizon=HORIZON, train_periods=train_periods, ets_rows=ets_rows)

    python = peer_python()
    peer_json = OUT / "forecast_peer.json"
    print(f"timing statsforecast on {args.series:,} series (n_jobs=1) …", file=sys.stderr)
    subprocess.run(
        [
            str(python),
            str(HERE / "peer_statsforecast.py"),
            "--panel",
            str(panel),
            "--out",
            str(peer_json),
            "--repeats",
            str(args.repeats),
        ],
        check=True,
    )
    peer = json.loads(peer_json.read_text())
    peer_forecasts = np.load(peer_json.with_suffix(".npz"))

    results: dict[str, dict[str, float]] = {}
    for name, model in FAST.items():
        ours, seconds = best_time(lambda model=model: model.forecast(y, HORIZON), args.ours_repeats)
        theirs = peer_forecasts[name]
        results[name] = {
            "ours_series_per_s": args.series / seconds,
            "peer_series_per_s": args.series / peer[name]["seconds"],
            "peer_loop_series_per_s": args.series / peer[name]["loop_seconds"],
            "ratio": peer[name]["seconds"] / seconds,
            "max_abs_diff": float(np.max(np.abs(ours - theirs))),
        }

    train, test = y[:, :train_periods], y[:, train_periods:]
    print(f"fitting our AutoETS on {args.series:,} series …", file=sys.stderr)
    ours_ets, seconds = best_time(lambda: AutoETS(period=52).forecast(train, HORIZON), 1)
    peer_seconds = peer["auto_ets"]["seconds"] / len(ets_rows)
    ours_mase = mase(test[ets_rows], ours_ets[ets_rows], train[ets_rows])
    peer_mase = mase(test[ets_rows], np.maximum(peer_forecasts["auto_ets"], 0.0), train[ets_rows])
    scored = np.isfinite(ours_mase) & np.isfinite(peer_mase)
    results["auto_ets"] = {
        "ours_series_per_s": args.series / seconds,
        "peer_series_per_s": 1.0 / peer_seconds,
        "ratio": peer_seconds / (seconds / args.series),
        "mase_ours": float(np.mean(ours_mase[scored])),
        "mase_peer": float(np.mean(peer_mase[scored])),
        "mase_ours_all_series": float(np.nanmean(mase(test, ours_ets, train))),
        "mase_series": int(scored.sum()),
    }
    ets = results["auto_ets"]
    ets["mase_ratio"] = ets["mase_ours"] / ets["mase_peer"]

    met = {name: r["ratio"] >= TARGETS[name] for name, r in results.items()}
    met["equal_forecasts"] = all(results[n]["max_abs_diff"] <= 1e-6 for n in FAST)
    met["auto_ets_mase"] = ets["mase_ratio"] <= 1.02
    for name, r in results.items():
        print(
            f"{name:9s} ours {r['ours_series_per_s']:>12,.0f} series/s   statsforecast "
            f"{r['peer_series_per_s']:>10,.0f} series/s   ratio {r['ratio']:7.1f}×"
            + (f"   max |Δ| {r['max_abs_diff']:.1e}" if "max_abs_diff" in r else "")
            + (f"   MASE {r['mase_ours']:.4f} vs {r['mase_peer']:.4f}" if "mase_ours" in r else ""),
            file=sys.stderr,
        )
    summary = {
        "benchmark": "forecast",
        "series": args.series,
        "periods": args.periods,
        "statsforecast_version": peer["statsforecast_version"],
        "speedup": min(r["ratio"] for r in results.values()),
        "methods": results,
        "targets_met": met,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
