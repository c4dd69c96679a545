"""Benchmark the nightly run on the large demo: the local backend vs a 2-worker Dask cluster.

The large demo (``replenlib.demo`` size ``large``: 6,200 items, 17 locations, ≈56,000
item-locations) is generated once and cached as a store in the temp folder
(``$TMPDIR/replen-scale-large-<seed>.duckdb``; the tables are written straight into the store,
without the CSV round trip of ``replen demo``). Each backend then runs the whole nightly
pipeline on its own copy of that store, in its own process, so that peak memory is its own:

* ``local``: one process, one partition;
* ``dask``: a ``LocalCluster`` of 2 single-threaded worker processes, 8 item partitions; the
  driver reads the store, exports the partitions as Parquet, and writes the results.

Both runs must give the same proposals (checked). Printed: the time of the whole run and of
its forecasting-and-planning part (the part that runs on the workers), peak resident memory of
the local process, of the Dask driver and of each worker, and, as the last line, one JSON
object with ``speedup`` = local time ÷ Dask time (whole run) and ``compute_speedup``.

Run: ``python benchmarks/scale.py [--size large] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

COMPUTE_STEP = "forecasting and planning"
NEXT_STEP = "short-term plan"


def build_store(db: Path, size: str, seed: int) -> float:
    """Generate the demo and write its tables into a new store at ``db``; seconds taken."""
    from replenlib.demo import generate
    from replenlib.store import replace_tables, writer

    start = time.perf_counter()
    data = generate(size=size, seed=seed)
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with writer(partial, create=True) as con:
        replace_tables(con, data.tables)
    partial.replace(db)
    return time.perf_counter() - start


def run_once(db: Path, backend: str, workers: int) -> dict[str, Any]:
    """One nightly run on ``db`` (this process); times and peak memory."""
    from replenlib.pipeline.backends import Backend, DaskExecutor, dask_client
    from replenlib.pipeline.nightly import RunOptions, run_nightly

    marks: dict[str, float] = {}

    def on_step(text: str) -> None:
        for key in (COMPUTE_STEP, NEXT_STEP):
            if text.startswith(key):
                marks[key] = time.perf_counter()

    out: dict[str, Any] = {"backend": backend}
    if backend == "local":
        start = time.perf_counter()
        summary = run_nightly(db, on_step=on_step)
    else:
        with dask_client(None, workers) as client:
            options = RunOptions(
                backend=Backend.DASK, workers=workers, executor=DaskExecutor(client)
            )
            start = time.perf_counter()
            summary = run_nightly(db, on_step=on_step, options=options)
            peaks = client.run(_peak_rss_mb)
            out["worker_peak_rss_mb"] = sorted(round(v) for v in peaks.values())
            out["partitions"] = summary.partitions
    out |= {
        "seconds": time.perf_counter() - start,
        "compute_seconds": marks[NEXT_STEP] - marks[COMPUTE_STEP],
        "peak_rss_mb": round(_peak_rss_mb()),
        "n_series": summary.n_series,
        "n_proposals": summary.n_proposals,
        "proposal_value": summary.proposal_value,
    }
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def _child(*args: str) -> dict[str, Any]:
    """Run this script with ``args`` in a new process; its last output line as JSON."""
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", choices=["local", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps({"build_seconds": build_store(args.build, args.size, args.seed)}))
        return
    if args.run:
        print(json.dumps(run_once(args.db, args.run, args.workers)))
        return
    store = args.cache / f"replen-scale-{args.size}-{args.seed}.duckdb"
    build = None
    if not store.exists():
        print(f"building the {args.size} demo store (cached at {store}) …", flush=True)
        build = _child("--build", str(store), "--size", args.size, "--seed", str(args.seed))
        print(f"  built in {build['build_seconds']:.0f} s", flush=True)
    results = {}
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        for backend in ("local", "dask"):
            db = Path(scratch) / backend / "replen.duckdb"
            db.parent.mkdir()
            shutil.copyfile(store, db)
            print(f"running the nightly pipeline on the {backend} backend …", flush=True)
            results[backend] = _child(
                "--run", backend, "--db", str(db), "--workers", str(args.workers)
            )
            r = results[backend]
            print(
                f"  {backend}: {r['seconds']:.1f} s (forecasting and planning "
                f"{r['compute_seconds']:.1f} s), peak RSS {r['peak_rss_mb']:,} MB"
                + (f", workers {r['worker_peak_rss_mb']} MB" if backend == "dask" else ""),
                flush=True,
            )
    local, dask = results["local"], results["dask"]
    assert (local["n_proposals"], local["proposal_value"]) == (
        dask["n_proposals"],
        dask["proposal_value"],
    ), "the backends disagree"
    figures = {
        "size": args.size,
        "n_series": local["n_series"],
        "workers": args.workers,
        "partitions": dask["partitions"],
        "build_seconds": None if build is None else round(build["build_seconds"], 1),
        "local_seconds": round(local["seconds"], 1),
        "dask_seconds": round(dask["seconds"], 1),
        "local_compute_seconds": round(local["compute_seconds"], 1),
        "dask_compute_seconds": round(dask["compute_seconds"], 1),
        "local_peak_rss_mb": local["peak_rss_mb"],
        "dask_driver_peak_rss_mb": dask["peak_rss_mb"],
        "dask_worker_peak_rss_mb": dask["worker_peak_rss_mb"],
        "speedup": round(local["seconds"] / dask["seconds"], 2),
        "compute_speedup": round(local["compute_seconds"] / dask["compute_seconds"], 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
