"""``replen recall``, ``replen suppliers`` and the ``replen trace`` group (lots, serials, holds).

Only :mod:`click` is imported here at import time; everything else inside the commands.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click


def _db(function: Any) -> Any:
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Store file [default: $REPLEN_DB or data/replen.duckdb].",
    )(function)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from exc


def _progress(text: str) -> None:
    click.echo(f"      {text}", err=True)


def _table(frame: Any, columns: list[str], limit: int = 20) -> None:
    """Print up to ``limit`` rows of ``frame`` as aligned text, and how many more there are."""
    if frame.empty:
        click.echo("  (none)")
        return
    text = frame[columns].head(limit).to_string(index=False)
    click.echo("\n".join("  " + line for line in text.splitlines()))
    if len(frame) > limit:
        click.echo(f"  … {len(frame) - limit:,} more rows in the export")


@click.command()
@click.option("--lot", "lots", multiple=True, help="Lot id (repeatable).")
@click.option("--serial", "serials", multiple=True, help="Serial number (repeatable).")
@click.option("--gtin", "gtins", multiple=True, help="GTIN of the item (repeatable).")
@click.option("--supplier", "suppliers", multiple=True, help="Supplier id (repeatable).")
@click.option("--item", "items", multiple=True, help="Item id (repeatable).")
@click.option("--manufactured-from", default=None, help="First manufacture day YYYY-MM-DD.")
@click.option("--manufactured-to", default=None, help="Last manufacture day YYYY-MM-DD.")
@click.option(
    "--quarantine",
    is_flag=True,
    help="Quarantine every unit in stock, in one transaction (needs --reason, --by).",
)
@click.option("--recall-id", default=None, help="Recall id to record [default: RC-<date>-n].")
@click.option("--reason", default="", help="Why (recorded with the recall and the holds).")
@click.option("--by", "by", default="", help="Who orders the quarantine.")
@click.option(
    "--class",
    "recall_class",
    type=click.Choice(["I", "II", "III"]),
    default="II",
    show_default=True,
    help="Recall class (I = most severe).",
)
@click.option(
    "--block-supplier",
    is_flag=True,
    help="With --quarantine: block the recalled supplier for these items, so the "
    "plan orders from the backup.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the report and exports [default: $REPLEN_REPORTS or reports].",
)
@click.option("--no-report", is_flag=True, help="Skip the HTML report (exports are written).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@_db
def recall(
    lots: tuple[str, ...],
    serials: tuple[str, ...],
    gtins: tuple[str, ...],
    suppliers: tuple[str, ...],
    items: tuple[str, ...],
    manufactured_from: str | None,
    manufactured_to: str | None,
    quarantine: bool,
    recall_id: str | None,
    reason: str,
    by: str,
    recall_class: str,
    block_supplier: bool,
    out: Path | None,
    no_report: bool,
    lang: str,
    db: Path | None,
) -> None:
    """List every unit a recall affects: in stock by location, in transit, at customers.

    Example: replen recall --lot LOT0005691 --quarantine --reason "FSN 2026-14" --by qa.lead
    """
    from replenlib.config import db_path, reports_dir
    from replenlib.errors import InputDataError
    from replenlib.trace.recall import RecallSelector

    try:
        selector = RecallSelector(
            lots=lots,
            serials=serials,
            gtins=gtins,
            suppliers=suppliers,
            items=items,
            manufactured_from=_day(manufactured_from),
            manufactured_to=_day(manufactured_to),
        )
    except ValueError as exc:
        raise InputDataError(str(exc)) from exc
    if quarantine and not (reason.strip() and by.strip()):
        raise InputDataError("--quarantine needs --reason and --by (who orders it)")
    if block_supplier and not quarantine:
        raise InputDataError("--block-supplier goes with --quarantine")
    store, folder = db_path(db), reports_dir(out)
    if quarantine:
        scope, recall_key = _quarantine(
            store, selector, recall_id, reason, by, recall_class, block_supplier
        )
    else:
        scope, recall_key = _scope(store, selector), None
    _print_scope(scope)
    _export_and_report(store, folder, scope, recall_key, no_report, lang)


def _scope(store: Path, selector: Any) -> Any:
    from replenlib.store import reader
    from replenlib.store.recall_scope import recall_scope

    with reader(store) as con:
        return recall_scope(con, selector)


def _quarantine(
    store: Path,
    selector: Any,
    recall_id: str | None,
    reason: str,
    by: str,
    recall_class: str,
    block_supplier: bool,
) -> tuple[Any, str]:
    from replenlib.pipeline.supply_stage import recall_replenishment
    from replenlib.store import writer
    from replenlib.store.recall_actions import quarantine_recall
    from replenlib.store.recall_scope import recall_scope

    started = time.perf_counter()
    with writer(store) as con:
        scope = recall_scope(con, selector)
        result = quarantine_recall(
            con,
            scope,
            reason=reason,
            placed_by=by,
            recall_id=recall_id,
            recall_class=recall_class,
            block_supplier=block_supplier,
        )
        need = recall_replenishment(con, result.quarantined, scope.as_of or date.today())
    click.echo(
        f"recall {result.recall_id}: {result.quarantined['quantity'].sum():,.0f} units "
        f"quarantined at {len(result.quarantined)} item-locations, "
        f"{result.serials_updated:,} serialised units marked recalled, "
        f"{len(result.holds)} lot holds, one transaction "
        f"({time.perf_counter() - started:.1f} s)"
    )
    for row in result.blocks.itertuples(index=False):
        click.echo(f"  blocked supplier {row.supplier_id} for item {row.item_id}")
    click.echo("replenishment need now (latest run's reorder points):")
    _table(
        need[need["need"] > 0],
        [
            "item_id",
            "location_id",
            "quarantined",
            "position_after",
            "reorder_point",
            "need",
            "sourcing",
        ],
    )
    return scope, result.recall_id


def _print_scope(scope: Any) -> None:
    s = scope.summary()
    source = "trace index" if scope.from_index else "movement log (run `replen trace index`)"
    click.echo(
        f"recall scope: {scope.selector.describe()} — as of {scope.as_of}, "
        f"{scope.seconds:.2f} s from the {source}"
    )
    click.echo(
        f"  {s['lots']:,.0f} lots · {s['units_in_stock']:,.0f} units in stock at "
        f"{s['stock_locations']:,.0f} locations · {s['units_in_transit']:,.0f} in transit "
        f"· {s['units_issued']:,.0f} issued to {s['customers']:,.0f} customers"
    )
    if not scope.complete:
        click.echo(
            f"  WARNING: {s['unaccounted_units']:,.0f} units not accounted for (see the lots sheet)"
        )
    click.echo("in stock (to quarantine):")
    _table(
        scope.stock[scope.stock["quantity"] != 0],
        ["lot_id", "item_id", "location_id", "quantity", "snapshot_status"],
    )
    if not scope.transit.empty:
        click.echo("in transit (quarantine on arrival):")
        _table(
            scope.transit, ["lot_id", "to_location_id", "shipment_id", "arrival_date", "quantity"]
        )
    click.echo("customers reached:")
    _table(
        scope.customers,
        ["lot_id", "customer_id", "customer_name", "quantity", "first_issue", "last_issue"],
    )


def _export_and_report(
    store: Path, folder: Path, scope: Any, recall_key: str | None, no_report: bool, lang: str
) -> None:
    from replenlib.reports.recall_report import export_scope, export_stem
    from replenlib.store import reader
    from replenlib.store.recall_scope import issue_lines

    with reader(store) as con:
        lines = issue_lines(con, scope.lots["lot_id"].tolist())
    stem = export_stem(scope, recall_key)
    paths = export_scope(scope, folder, stem, {"issue_lines": lines})
    click.echo(f"exports: {paths[0]} (+{len(paths) - 1} CSV)")
    if no_report:
        return
    from replenlib.reports.runner import render_report

    s = scope.selector
    parameters = (
        {"recall_id": recall_key}
        if recall_key
        else {
            "lots": ",".join(s.lots),
            "serials": ",".join(s.serials),
            "gtins": ",".join(s.gtins),
            "suppliers": ",".join(s.suppliers),
            "items": ",".join(s.items),
            "manufactured_from": str(s.manufactured_from or ""),
            "manufactured_to": str(s.manufactured_to or ""),
        }
    )
    click.echo("[1/1] rendering the recall report …", err=True)
    path = render_report(
        "recall",
        db=store,
        out_dir=folder,
        lang=lang,
        extra=parameters,
        tag=stem.removeprefix("recall-").rsplit("-", 3)[0],
    )
    click.echo(f"report: {path}")


@click.command()
@click.option(
    "--as-of", "as_of", default=None, help="Scorecard day YYYY-MM-DD [default: last demand day]."
)
@click.option("--window-days", default=365, show_default=True, help="Trailing window [days].")
@click.option(
    "--late-days", default=2, show_default=True, help="Days after the confirmed date still on time."
)
@click.option(
    "--early-days",
    default=None,
    type=int,
    help="Days before the confirmed date still on time [default: any].",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the scorecard to this CSV file.",
)
@_db
def suppliers(
    as_of: str | None,
    window_days: int,
    late_days: int,
    early_days: int | None,
    csv_path: Path | None,
    db: Path | None,
) -> None:
    """Supplier scorecard: on time, fill, quality, cold chain, lead time, price, grade, trend."""
    from replenlib.config import db_path
    from replenlib.pipeline.inputs import latest_demand_date
    from replenlib.store import reader
    from replenlib.store.supplier_data import ScorecardSettings, supplier_scorecard

    settings = ScorecardSettings(
        window_days=window_days, late_days=late_days, early_days=early_days
    )
    with reader(db_path(db)) as con:
        day = _day(as_of) or latest_demand_date(con)
        card = supplier_scorecard(con, day, settings)
    click.echo(
        f"supplier scorecard as of {day} ({window_days} days; on time = confirmed date "
        f"+{late_days} d{'' if early_days is None else f' / -{early_days} d'})"
    )

    def fmt(column: str, spec: str) -> Any:
        return card[column].map(lambda v: "–" if v != v else format(v, spec))

    shown = card.assign(
        on_time=fmt("on_time_rate", ".1%"),
        fill=fmt("quantity_fill_rate", ".1%"),
        passed=fmt("pass_rate", ".1%"),
        excursions=fmt("excursion_rate", ".1%"),
        lead_time=fmt("lead_time_mean", ".1f"),
        lead_cv=fmt("lead_time_cv", ".2f"),
        price=fmt("price_index", ".2f"),
        score_=fmt("score", ".3f"),
        blocked_=card["blocked"].map({True: "BLOCKED", False: ""}),
    )
    _table(
        shown,
        [
            "supplier_id",
            "name",
            "n_receipts",
            "on_time",
            "fill",
            "passed",
            "excursions",
            "lead_time",
            "lead_cv",
            "lead_time_fit",
            "price",
            "score_",
            "grade",
            "grade_previous",
            "trend",
            "blocked_",
        ],
        limit=10_000,
    )
    if csv_path is not None:
        card.to_csv(csv_path, index=False)
        click.echo(f"written: {csv_path}")


@click.group()
def trace() -> None:
    """Lots and serials: genealogy, holds, inspection results, cold chain, the trace index."""


@trace.command("index")
@_db
def trace_index(db: Path | None) -> None:
    """Rebuild the trace index from the movement log (the nightly run does this too)."""
    from replenlib.config import db_path
    from replenlib.store import writer
    from replenlib.store.trace_index import build_trace_index

    started = time.perf_counter()
    with writer(db_path(db)) as con:
        state = build_trace_index(con)
    click.echo(
        f"trace index built from {state.movements_count:,} movements as of {state.as_of} "
        f"in {time.perf_counter() - started:.1f} s"
    )


@trace.command("lot")
@click.argument("lot_id")
@_db
def trace_lot(lot_id: str, db: Path | None) -> None:
    """Genealogy of one lot: routes from the supplier to every stock point and customer."""
    from replenlib.trace.recall import RecallSelector

    scope = _scope(_store(db), RecallSelector(lots=(lot_id,)))
    lot = scope.lots.iloc[0]
    click.echo(
        f"lot {lot_id}: item {lot['item_id']} ({lot['description']}), supplier "
        f"{lot['supplier_id']}, made {lot['manufacture_date']}, expires "
        f"{lot['expiry_date']}, inspection {lot['inspection_status']}"
    )
    click.echo(
        f"  received {lot['received']:,.0f} · in stock {lot['in_stock']:,.0f} · in transit "
        f"{lot['in_transit']:,.0f} · issued {lot['issued']:,.0f} · scrapped "
        f"{lot['scrapped']:,.0f} · unaccounted {lot['unaccounted']:,.0f}"
    )
    click.echo("routes:")
    _table(scope.routes, ["route"], limit=50)


@trace.command("serial")
@click.argument("serial_number")
@_db
def trace_serial(serial_number: str, db: Path | None) -> None:
    """Every movement of one serialised unit, oldest first, and where it is now."""
    from replenlib.store import reader

    with reader(_store(db)) as con:
        moves = con.execute(
            "SELECT movement_date, kind, item_id, lot_id, from_location_id, to_location_id, "
            "customer_id, reference FROM movements WHERE serial_number = ? "
            "ORDER BY movement_date, movement_id",
            [serial_number],
        ).df()
        now = con.execute("SELECT * FROM serials WHERE serial_number = ?", [serial_number]).df()
    if moves.empty and now.empty:
        from replenlib.errors import InputDataError

        raise InputDataError(f"serial {serial_number} is unknown: no movement and no serials row")
    _table(moves.fillna(""), list(moves.columns), limit=1_000)
    for row in now.to_dict("records"):
        where = row["location_id"] or row["customer_id"] or ""
        click.echo(f"now: {row['status']} {where} (lot {row['lot_id']}, item {row['item_id']})")


def _store(db: Path | None) -> Path:
    from replenlib.config import db_path

    return db_path(db)


@trace.command("coldchain")
@click.option("--as-of", "as_of", default=None, help="Day YYYY-MM-DD [default: last demand day].")
@click.option("--no-hold", is_flag=True, help="Evaluate only; place no holds.")
@_db
def trace_coldchain(as_of: str | None, no_hold: bool, db: Path | None) -> None:
    """Evaluate new logger records and hold the lots an excursion or a gap exposed."""
    from replenlib.pipeline.inputs import latest_demand_date
    from replenlib.store import writer
    from replenlib.store.coldchain_data import evaluate_cold_chain, hold_exposed_lots

    with writer(_store(db)) as con:
        day = _day(as_of) or latest_demand_date(con)
        verdicts = evaluate_cold_chain(con, day)
        holds = None if no_hold else hold_exposed_lots(con, day)
    counts = verdicts["exposure"].value_counts().to_dict() if len(verdicts) else {}
    click.echo(
        f"{len(verdicts):,} records evaluated: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))
    )
    if holds is not None:
        click.echo(f"{len(holds)} lots put on hold")
        _table(holds, ["lot_id", "location_id", "reason"], limit=50)


@trace.command("hold")
@click.argument("lot_id")
@click.option(
    "--kind",
    type=click.Choice(["manual", "quarantine", "damaged", "excursion"]),
    default="manual",
    show_default=True,
)
@click.option("--location", default=None, help="Only at this location [default: everywhere].")
@click.option("--reason", required=True)
@click.option("--by", "by", required=True, help="Who places the hold.")
@_db
def trace_hold(
    lot_id: str, kind: str, location: str | None, reason: str, by: str, db: Path | None
) -> None:
    """Put a hold on a lot: its stock stops counting as usable at once."""
    from replenlib.store import writer
    from replenlib.store.recall_actions import place_hold
    from replenlib.trace.lots import HoldKind

    with writer(_store(db)) as con:
        hold_id = place_hold(
            con, lot_id, kind=HoldKind(kind), reason=reason, placed_by=by, location_id=location
        )
    click.echo(f"hold {hold_id} placed")


@trace.command("release")
@click.argument("lot_id")
@click.option(
    "--kind",
    type=click.Choice(["manual", "quarantine", "damaged", "excursion", "recall"]),
    default=None,
    help="Release only holds of this kind [default: all].",
)
@click.option("--location", default=None, help="Only holds at this location.")
@click.option("--reason", required=True)
@click.option("--by", "by", required=True, help="Who releases (QA).")
@_db
def trace_release(
    lot_id: str, kind: str | None, location: str | None, reason: str, by: str, db: Path | None
) -> None:
    """Release a lot's active holds (kept on record with who, when and why)."""
    from replenlib.store import writer
    from replenlib.store.recall_actions import release_holds
    from replenlib.trace.lots import HoldKind

    with writer(_store(db)) as con:
        count = release_holds(
            con,
            lot_id,
            released_by=by,
            reason=reason,
            kind=HoldKind(kind) if kind else None,
            location_id=location,
        )
    click.echo(f"{count} hold(s) on {lot_id} released")


@trace.command("inspect")
@click.argument("lot_id")
@click.option("--result", type=click.Choice(["passed", "failed"]), required=True)
@click.option("--reason", default=None, help="Why it failed.")
@click.option("--date", "day", default=None, help="Inspection day YYYY-MM-DD [default: today].")
@click.option("--id", "inspection_id", default=None, help="QMS inspection id.")
@_db
def trace_inspect(
    lot_id: str,
    result: str,
    reason: str | None,
    day: str | None,
    inspection_id: str | None,
    db: Path | None,
) -> None:
    """Record a QMS inspection result: passed releases the lot, failed blocks it."""
    import pandas as pd

    from replenlib.store import writer
    from replenlib.store.trace_write import record_inspections

    when = _day(day) or date.today()
    row = {
        "inspection_id": inspection_id or f"QI-{lot_id}-{datetime.now():%Y%m%d%H%M%S}",
        "lot_id": lot_id,
        "inspection_date": when,
        "result": result,
        "reason": reason,
    }
    with writer(_store(db)) as con:
        record_inspections(con, pd.DataFrame([row]))
    click.echo(f"lot {lot_id}: inspection {result} recorded ({row['inspection_id']})")


@trace.command("pick")
@click.argument("item_id")
@click.argument("location_id")
@click.argument("quantity", type=float)
@click.option("--as-of", "as_of", default=None, help="Day YYYY-MM-DD [default: last demand day].")
@_db
def trace_pick(
    item_id: str, location_id: str, quantity: float, as_of: str | None, db: Path | None
) -> None:
    """FEFO pick list: which lots to ship first (unusable lots are listed, never picked)."""
    from replenlib.pipeline.inputs import latest_demand_date
    from replenlib.store import reader
    from replenlib.store.lot_state import fefo_pick_list

    with reader(_store(db)) as con:
        day = _day(as_of) or latest_demand_date(con)
        picks, short = fefo_pick_list(con, item_id, location_id, quantity, day)
    _table(picks, ["lot_id", "expiry_date", "lot_status", "quantity", "pick"], limit=1_000)
    if short > 0:
        click.echo(f"short by {short:,.0f} units: not enough usable stock")
