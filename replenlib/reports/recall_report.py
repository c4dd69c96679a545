"""Data, HTML blocks and exports of the recall report (notebook ``09_recall_report``).

The notebook calls :func:`load` with the recall's criteria (or a recall id, or nothing: the
latest recall in the store) and displays the blocks below. :func:`export_scope` writes the same
scope as one XLSX workbook and one CSV per table, each file atomically (temporary file in the
target folder, then :func:`os.replace`), so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from replenlib.errors import ReplenError
from replenlib.i18n import label
from replenlib.reports.html import STYLE, HtmlBlock, esc, format_value, table
from replenlib.store import reader
from replenlib.store.recall_scope import RecallScope, recall_scope
from replenlib.trace.recall import RecallSelector

#: Rows shown per table in the HTML report (the exports hold every row).
MAX_ROWS = 200
#: Tables of a scope, in export order.
TABLES = ("lots", "stock", "transit", "customers", "units", "routes")


@dataclass(frozen=True)
class RecallReportData:
    """A recall scope and what the report says about where it came from."""

    scope: RecallScope
    recall: dict[str, object]  #: the store's recall row, empty for an ad-hoc query


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


def selector_from_text(
    *,
    lots: str = "",
    serials: str = "",
    gtins: str = "",
    suppliers: str = "",
    items: str = "",
    manufactured_from: str = "",
    manufactured_to: str = "",
) -> RecallSelector | None:
    """A selector from comma-separated notebook parameters; None when all are empty."""
    values = {
        "lots": lots,
        "serials": serials,
        "gtins": gtins,
        "suppliers": suppliers,
        "items": items,
        "manufactured_from": manufactured_from,
        "manufactured_to": manufactured_to,
    }
    if not any(v.strip() for v in values.values()):
        return None
    return RecallSelector(
        lots=_split(lots),
        serials=_split(serials),
        gtins=_split(gtins),
        suppliers=_split(suppliers),
        items=_split(items),
        manufactured_from=_day(manufactured_from),
        manufactured_to=_day(manufactured_to),
    )


def load(
    db: str | Path, selector: RecallSelector | None = None, recall_id: str = ""
) -> RecallReportData:
    """Read the scope of ``selector``, else of recall ``recall_id``, else of the latest recall."""
    with reader(db) as con:
        recall: dict[str, object] = {}
        if selector is None:
            sql = "SELECT * FROM recalls " + (
                "WHERE recall_id = ?" if recall_id else "ORDER BY announced_date DESC LIMIT 1"
            )
            rows = con.execute(sql, [recall_id] if recall_id else []).df()
            if rows.empty:
                raise ReplenError(
                    f"no recall {recall_id} in the store"
                    if recall_id
                    else "the store has no recall: give lots, serials, a GTIN, a supplier or a "
                    "manufacture-date range"
                )
            recall = {str(k): v for k, v in rows.iloc[0].to_dict().items()}
            lots = [
                r[0]
                for r in con.execute(
                    "SELECT lot_id FROM recall_lots WHERE recall_id = ? ORDER BY lot_id",
                    [recall["recall_id"]],
                ).fetchall()
            ]
            selector = RecallSelector(lots=tuple(lots))
        return RecallReportData(recall_scope(con, selector), recall)


def title(data: RecallReportData, lang: str = "en") -> str:
    """The report's title: the recall id, or the criteria."""
    rid = data.recall.get("recall_id")
    what = f"{rid}" if rid else data.scope.selector.describe()
    return f"{label('recall_report_title', lang)} — {what}"


def header(data: RecallReportData, lang: str = "en") -> HtmlBlock:
    """Title, criteria, as-of day, how the scope was computed, and the headline counts."""
    s = data.scope
    facts = [
        (label("recall_criteria", lang), s.selector.describe()),
        (label("as_of", lang), s.as_of),
        (
            label("recall_source", lang),
            label("trace_index" if s.from_index else "movement_log", lang),
        ),
        (label("query_time", lang), f"{s.seconds:.2f} s"),
        (label("generated", lang), f"{datetime.now():%Y-%m-%d %H:%M}"),
    ]
    if data.recall:
        facts.insert(
            0,
            (
                label("recall_reason", lang),
                f"{data.recall.get('reason')} (class {data.recall.get('recall_class')})",
            ),
        )
    items = "".join(f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in facts)
    return HtmlBlock(
        f'{STYLE}<header class="replen-header"><h1>{esc(title(data, lang))}</h1>'
        f'<div class="replen-facts">{items}</div></header>'
    )


def tiles(data: RecallReportData, lang: str = "en") -> HtmlBlock:
    """Headline counts as tiles; a red note when some units are not accounted for."""
    summary = data.scope.summary()
    keys = (
        "lots",
        "units_in_stock",
        "stock_locations",
        "units_in_transit",
        "units_issued",
        "customers",
        "unaccounted_units",
    )
    body = "".join(
        f'<div class="replen-tile"><div class="replen-tile-label">{esc(label(k, lang))}</div>'
        f'<div class="replen-tile-value">{esc(format_value(summary[k], "count"))}</div></div>'
        for k in keys
    )
    note = (
        ""
        if data.scope.complete
        else (f'<p style="color:#b2182b"><b>{esc(label("trace_incomplete", lang))}</b></p>')
    )
    return HtmlBlock(f'<div class="replen-tiles">{body}</div>{note}')


_COLUMNS: dict[str, tuple[str, ...]] = {
    "stock": (
        "lot_id",
        "item_id",
        "location_id",
        "location_name",
        "quantity",
        "snapshot_status",
        "last_movement",
    ),
    "transit": (
        "lot_id",
        "item_id",
        "from_location_id",
        "to_location_id",
        "shipment_id",
        "dispatch_date",
        "arrival_date",
        "quantity",
    ),
    "customers": (
        "lot_id",
        "item_id",
        "customer_id",
        "customer_name",
        "issued_from",
        "quantity",
        "quantity_returned",
        "first_issue",
        "last_issue",
        "procedure_references",
    ),
    "units": (
        "lot_id",
        "serial_number",
        "status",
        "location_id",
        "customer_id",
        "event_date",
        "arrival_date",
    ),
    "lots": (
        "lot_id",
        "item_id",
        "description",
        "supplier_id",
        "lot_number",
        "manufacture_date",
        "expiry_date",
        "received",
        "in_stock",
        "in_transit",
        "issued",
        "scrapped",
        "returned_to_supplier",
        "unaccounted",
    ),
    "routes": ("lot_id", "route", "hops"),
}


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    def cell(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            return ""
        if isinstance(value, float):
            return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"
        if isinstance(value, pd.Timestamp | datetime):
            return f"{value:%Y-%m-%d}"
        return str(value)

    return frame.map(cell)


def section(data: RecallReportData, name: str, lang: str = "en") -> HtmlBlock:
    """One table of the scope (``stock``, ``transit``, ``customers``, ``units``, ``lots``,
    ``routes``), at most :data:`MAX_ROWS` rows, with a note when it is empty or cut."""
    frame = getattr(data.scope, name)
    if name == "stock":
        frame = frame[frame["quantity"] != 0]
    title_html = HtmlBlock(f"<h2>{esc(label(f'recall_{name}', lang))}</h2>")
    if frame.empty:
        return title_html + HtmlBlock(f"<p>{esc(label('recall_none', lang))}</p>")
    columns = list(_COLUMNS[name])
    shown = _as_text(frame[columns].head(MAX_ROWS))
    block = title_html + table(shown, [label(c, lang) for c in columns])
    if len(frame) > MAX_ROWS:
        more = label("recall_more_rows", lang).format(n=len(frame) - MAX_ROWS)
        block = block + HtmlBlock(f'<p class="replen-notes">{esc(more)}</p>')
    return block


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` for a temporary file beside ``path``, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".tmp-{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    except Exception:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def export_scope(
    scope: RecallScope,
    folder: Path,
    stem: str,
    extra: dict[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write ``<stem>.xlsx`` (one sheet per table) and ``<stem>-<table>.csv``; return paths.

    ``extra`` adds tables (e.g. ``issue_lines``: every issue movement of the lots).
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", stem):
        raise ValueError(f"export name {stem!r}: letters, digits, '.', '-' and '_' only")
    frames = {name: getattr(scope, name) for name in TABLES} | (extra or {})

    def workbook(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as excel:
            for name, frame in frames.items():
                frame.to_excel(excel, sheet_name=name, index=False)

    def csv(frame: pd.DataFrame) -> Callable[[Path], None]:
        return lambda tmp: frame.to_csv(tmp, index=False)

    paths = [_atomic(folder / f"{stem}.xlsx", workbook)]
    paths += [_atomic(folder / f"{stem}-{name}.csv", csv(frame)) for name, frame in frames.items()]
    return paths


def export_stem(scope: RecallScope, recall_id: str | None = None) -> str:
    """File stem for exports: ``recall-<recall id or first criterion>-<as of>``."""
    s = scope.selector
    first = (s.lots or s.serials or s.gtins or s.suppliers or s.items or ("range",))[0]
    tag = re.sub(r"[^A-Za-z0-9_-]+", "_", recall_id or first)[:40]
    return f"recall-{tag}-{scope.as_of or date.today()}"
