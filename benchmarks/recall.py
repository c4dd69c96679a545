"""Benchmark: recall scope on the large demo (≥ 10 million movements) against a pandas walk.

Ours: :func:`replenlib.store.recall_scope.recall_scope` on a store with a fresh trace index
(per-lot aggregates of the movement log, sorted by lot), for the demo's recall event; also a
GTIN-wide and a supplier-wide recall, and the index-less path over the raw movement log.

Peer: the straightforward pandas way on the same data in the same process. The movement log is
read into a DataFrame once (timed separately), then the recall walks it: merge the log with the
recalled lots, follow transfers hop by hop from the receiving locations, net inflows and
outflows per location, take issues per customer and each serial's last movement. The peer's
answer is checked against ours (stock per lot and location, units per customer, serial
statuses) before any time is reported.

The large demo is generated and loaded when ``--db`` does not exist yet (several minutes);
later runs reuse it. The last line is JSON with the timings and ``speedup`` (peer query time ÷
our query time, data in memory on both sides).

    python benchmarks/recall.py [--db data/bench-large.duckdb] [--size large] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from replenlib.store import reader, replace_tables, writer
from replenlib.store.recall_scope import RecallScope, recall_scope
from replenlib.store.trace_index import build_trace_index, index_is_fresh
from replenlib.trace.recall import RecallSelector

MOVE_COLUMNS = (
    "movement_id",
    "movement_date",
    "kind",
    "lot_id",
    "serial_number",
    "from_location_id",
    "to_location_id",
    "customer_id",
    "reference",
    "quantity",
)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def prepare(db: Path, size: str, seed: int) -> dict[str, float]:
    """Generate and load the demo if ``db`` is missing; make sure the index is fresh."""
    timings: dict[str, float] = {}
    if not db.exists():
        from replenlib.demo import generate

        log(f"generating the {size} demo (seed {seed}) …")
        started = time.perf_counter()
        data = generate(size, seed=seed)
        timings["generate_s"] = time.perf_counter() - started
        log(f"loading {len(data.tables['movements']):,} movements into {db} …")
        started = time.perf_counter()
        with writer(db, fresh=True) as con:
            replace_tables(con, data.tables)
        timings["load_s"] = time.perf_counter() - started
        del data
    with reader(db) as con:
        fresh = index_is_fresh(con)
    if not fresh:
        log("building the trace index …")
        started = time.perf_counter()
        with writer(db) as con:
            build_trace_index(con)
        timings["index_build_s"] = time.perf_counter() - started
    return timings


def best_of(repeat: int, call: Callable[[], RecallScope]) -> tuple[float, RecallScope]:
    """Median wall time of ``repeat`` calls [s] and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(times), result


def naive_walk(
    moves: pd.DataFrame, shipments: pd.DataFrame, lots: list[str], as_of: date
) -> dict[str, pd.DataFrame]:
    """The recall the pandas way: merge, then follow transfers location by location."""
    m = moves.merge(pd.DataFrame({"lot_id": lots}), on="lot_id")
    transfers = m[m["kind"] == "transfer"]
    frontier = (
        m[m["kind"] == "receipt"][["lot_id", "to_location_id"]]
        .drop_duplicates()
        .rename(columns={"to_location_id": "location_id"})
    )
    reached = frontier
    while not frontier.empty:  # one merge per hop: CW -> DC -> hospital -> ...
        hop = frontier.merge(
            transfers, left_on=["lot_id", "location_id"], right_on=["lot_id", "from_location_id"]
        )
        nxt = (
            hop[["lot_id", "to_location_id"]]
            .drop_duplicates()
            .rename(columns={"to_location_id": "location_id"})
        )
        nxt = nxt.merge(reached, how="left", indicator=True)
        frontier = nxt[nxt["_merge"] == "left_only"].drop(columns="_merge")
        reached = pd.concat([reached, frontier], ignore_index=True)
    arrive = transfers.merge(shipments, left_on="reference", right_on="shipment_id", how="left")
    pending = arrive[arrive["arrival_date"] > pd.Timestamp(as_of)]
    inflow = m[m["to_location_id"].notna()].groupby(["lot_id", "to_location_id"])["quantity"].sum()
    outflow = (
        m[m["from_location_id"].notna()].groupby(["lot_id", "from_location_id"])["quantity"].sum()
    )
    transit = pending.groupby(["lot_id", "to_location_id"])["quantity"].sum()
    stock = (
        inflow.rename_axis(["lot_id", "location_id"])
        .sub(outflow.rename_axis(["lot_id", "location_id"]), fill_value=0)
        .sub(transit.rename_axis(["lot_id", "location_id"]), fill_value=0)
    )
    stock = stock[stock != 0].reset_index().merge(reached, on=["lot_id", "location_id"])
    issues = m[m["kind"] == "issue"].merge(
        reached, left_on=["lot_id", "from_location_id"], right_on=["lot_id", "location_id"]
    )
    customers = issues.groupby(["lot_id", "customer_id"], as_index=False)["quantity"].sum()
    last = (
        m[m["serial_number"].notna()]
        .sort_values(["movement_date", "movement_id"])
        .groupby("serial_number")
        .tail(1)
    )
    return {"stock": stock, "customers": customers, "serials": last}


def check(ours: RecallScope, peer: dict[str, pd.DataFrame]) -> None:
    """The peer must give our answer, or its time means nothing."""
    mine = ours.stock[ours.stock["quantity"] != 0].set_index(["lot_id", "location_id"])["quantity"]
    theirs = peer["stock"].set_index(["lot_id", "location_id"])["quantity"]
    assert mine.sort_index().equals(theirs.sort_index().astype(float)), "stock differs"
    mine_c = ours.customers.set_index(["lot_id", "customer_id"])["quantity"].sort_index()
    theirs_c = peer["customers"].set_index(["lot_id", "customer_id"])["quantity"].sort_index()
    assert mine_c.equals(theirs_c.astype(float)), "customers differ"
    issued = set(ours.units.loc[ours.units["status"] == "issued", "serial_number"])
    assert issued == set(
        peer["serials"].loc[peer["serials"]["kind"] == "issue", "serial_number"]
    ), "serials differ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("data/bench-large.duckdb"))
    parser.add_argument("--size", default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    figures: dict[str, float] = prepare(args.db, args.size, args.seed)
    with reader(args.db) as con:
        n_moves = int(con.execute("SELECT count(*) FROM movements").fetchall()[0][0])
        lots = [r[0] for r in con.execute("SELECT lot_id FROM recall_lots ORDER BY 1").fetchall()]
        selector = RecallSelector(lots=tuple(lots))
        ours_s, scope = best_of(args.repeat, lambda: recall_scope(con, selector))
        gtin = str(scope.lots["gtin"].iloc[0])
        supplier = str(scope.lots["supplier_id"].iloc[0])
        gtin_s, gtin_scope = best_of(
            args.repeat, lambda: recall_scope(con, RecallSelector(gtins=(gtin,)))
        )
        supplier_s, supplier_scope = best_of(
            max(1, args.repeat // 2),
            lambda: recall_scope(con, RecallSelector(suppliers=(supplier,))),
        )
        direct_s, _ = best_of(1, lambda: recall_scope(con, selector, use_index=False))
        log(
            f"ours: {len(lots)} lots in {ours_s:.3f} s; GTIN ({len(gtin_scope.lots)} lots) "
            f"{gtin_s:.3f} s; supplier ({len(supplier_scope.lots)} lots) {supplier_s:.3f} s; "
            f"without the index {direct_s:.2f} s"
        )
        started = time.perf_counter()
        moves = con.execute(f"SELECT {', '.join(MOVE_COLUMNS)} FROM movements").df()
        shipments = con.execute("SELECT shipment_id, arrival_date FROM shipments").df()
        peer_load_s = time.perf_counter() - started
    log(f"peer: {len(moves):,} movements read into pandas in {peer_load_s:.1f} s")
    shipments["arrival_date"] = pd.to_datetime(shipments["arrival_date"])
    moves["movement_date"] = pd.to_datetime(moves["movement_date"])
    started = time.perf_counter()
    peer = naive_walk(moves, shipments, lots, scope.as_of or date.today())
    peer_s = time.perf_counter() - started
    check(scope, peer)
    log(f"peer: the same answer in {peer_s:.2f} s (after loading)")
    figures.update(
        {
            "movements": n_moves,
            "recall_lots": len(lots),
            "ours_s": ours_s,
            "ours_gtin_s": gtin_s,
            "ours_supplier_s": supplier_s,
            "ours_without_index_s": direct_s,
            "peer_s": peer_s,
            "peer_load_s": peer_load_s,
            "speedup": peer_s / ours_s,
            "speedup_with_peer_load": (peer_s + peer_load_s) / ours_s,
        }
    )
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}))


if __name__ == "__main__":
    main()
