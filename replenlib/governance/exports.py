"""Approved proposals to ERP-importable purchase requisitions (CSV and XLSX), written atomically.

The layout comes from a mapping file (YAML, like the import mappings): an ordered list of
columns, each taking a proposal field (:data:`FIELDS`) or a constant, with an optional number
format, date format or value map. Two mappings ship with replenlib (``requisition_default``
and ``sap_purchase_requisition``); a path to your own file works the same way.

One export is one store transaction: the approved lines are read, rendered to every requested
format in hidden temporary files, marked ``ordered`` with an ``exports`` row and an audit
entry, and only then renamed into place. An unwritable folder or a failure in any step leaves
no export file and the store unchanged.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from replenlib.governance import audit
from replenlib.governance.approvals import Actor
from replenlib.governance.files import ExportError, check_folder, write_atomic
from replenlib.governance.sql import one
from replenlib.plan.approval import LEVEL_ROLES
from replenlib.store import writer

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
DEFAULT_MAPPING = "requisition_default"

#: Proposal fields a mapping may use.
FIELDS = (
    "line_number",
    "proposal_id",
    "run_id",
    "kind",
    "item_id",
    "gtin",
    "description",
    "base_uom",
    "location_id",
    "location_name",
    "supplier_id",
    "supplier_name",
    "source_location_id",
    "quantity",
    "unit_price",
    "order_value",
    "order_date",
    "expected_arrival",
    "urgency",
    "reason",
    "approved_by",
)


class ExportFormat(StrEnum):
    """File formats of a requisition export."""

    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class MappedColumn:
    """One output column: a header and either a field or a constant value."""

    header: str
    field: str | None = None
    value: str | None = None
    number_format: str | None = None
    date_format: str | None = None
    value_map: dict[str, str] | None = None


@dataclass(frozen=True)
class ExportMapping:
    """A named, ordered list of output columns."""

    name: str
    columns: tuple[MappedColumn, ...]


def load_mapping(name_or_path: str | Path | None = None) -> ExportMapping:
    """Read a mapping by shipped name or file path; errors name the file and the column."""
    path = _mapping_path(name_or_path)
    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExportError(f"cannot read export mapping {path}: {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("columns"), list):
        raise ExportError(f"export mapping {path}: expected a 'columns' list")
    columns = tuple(_column(path, n, spec) for n, spec in enumerate(body["columns"], start=1))
    return ExportMapping(str(body.get("name") or path.stem), columns)


def _mapping_path(name_or_path: str | Path | None) -> Path:
    text = str(name_or_path or DEFAULT_MAPPING)
    shipped = MAPPINGS_DIR / f"{text}.yaml"
    if shipped.exists():
        return shipped
    path = Path(text)
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml")))
        raise ExportError(f"no export mapping {text!r}: give a file path or one of {known}")
    return path


def _column(path: Path, number: int, spec: Any) -> MappedColumn:
    where = f"export mapping {path}, column {number}"
    if not isinstance(spec, dict) or "header" not in spec:
        raise ExportError(f"{where}: expected a mapping with 'header' and 'field' or 'value'")
    field, value = spec.get("field"), spec.get("value")
    if (field is None) == (value is None):
        raise ExportError(f"{where} ({spec['header']}): give exactly one of 'field' or 'value'")
    if field is not None and field not in FIELDS:
        raise ExportError(
            f"{where} ({spec['header']}): unknown field {field!r}; fields: {', '.join(FIELDS)}"
        )
    return MappedColumn(
        header=str(spec["header"]),
        field=field,
        value=None if value is None else str(value),
        number_format=spec.get("format"),
        date_format=spec.get("date_format"),
        value_map={str(k): str(v) for k, v in spec["map"].items()} if "map" in spec else None,
    )


def apply_mapping(lines: pd.DataFrame, mapping: ExportMapping) -> pd.DataFrame:
    """Render proposal lines (columns :data:`FIELDS`) as text columns in the mapping's order."""
    out = {}
    for column in mapping.columns:
        if column.field is None:
            out[column.header] = [column.value] * len(lines)
            continue
        out[column.header] = [_format(v, column) for v in lines[column.field]]
    return pd.DataFrame(out, columns=[c.header for c in mapping.columns])


def _format(value: Any, column: MappedColumn) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if column.value_map is not None:
        return column.value_map.get(str(value), str(value))
    if column.date_format and isinstance(value, date | datetime | pd.Timestamp):
        return value.strftime(column.date_format)
    if column.number_format:
        return column.number_format.format(value)
    return str(value)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    export_id: str
    files: tuple[Path, ...]
    n_lines: int
    total_value: float  #: [CNY]


_LINES_SQL = """
SELECT p.proposal_id, p.run_id, p.kind, p.item_id, i.gtin, i.description, i.base_uom,
       p.location_id, l.name AS location_name, p.supplier_id, s.name AS supplier_name,
       p.source_location_id, p.quantity, p.order_value / p.quantity AS unit_price, p.order_value,
       p.order_date, p.expected_arrival, p.urgency, p.reason,
       (SELECT string_agg(a.role || '/' || a.user_id, ' + ' ORDER BY a.level)
        FROM approvals a WHERE a.proposal_id = p.proposal_id AND a.decision = 'approve')
        AS approved_by
FROM proposals p JOIN items i USING (item_id) JOIN locations l USING (location_id)
LEFT JOIN suppliers s USING (supplier_id)
WHERE p.status = 'approved'
ORDER BY p.kind, p.supplier_id, p.source_location_id, p.location_id, p.item_id
"""


def export_requisitions(
    db: Path | str,
    out_dir: Path | str,
    actor: Actor,
    *,
    formats: tuple[ExportFormat, ...] = (ExportFormat.CSV, ExportFormat.XLSX),
    mapping: str | Path | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export all approved proposals (see the module docstring); a no-op when there are none."""
    if actor.role not in LEVEL_ROLES[1]:
        raise ExportError(f"role {actor.role.value} may not export requisitions")
    folder, layout, moment = Path(out_dir), load_mapping(mapping), now or datetime.now()
    check_folder(folder)
    placed: tuple[Path, ...] = ()
    try:
        with writer(db) as con:
            lines = con.execute(_LINES_SQL).df()
            count = one(con.execute("SELECT count(*) + 1 FROM exports"))
            export_id = f"EXP{moment:%Y%m%d-%H%M%S}-{count[0] if count else 1}"
            if lines.empty:
                return ExportResult(export_id, (), 0, 0.0)
            lines.insert(0, "line_number", range(1, len(lines) + 1))
            files = _render(apply_mapping(lines, layout), folder, export_id, formats)
            _record(con, export_id, lines, files, layout, actor, folder, moment)
            write_atomic(files)
            placed = tuple(files)
    except BaseException:
        for path in placed:  # the store swap failed after the files were placed
            path.unlink(missing_ok=True)
        raise
    return ExportResult(export_id, placed, len(lines), float(lines["order_value"].sum()))


def _render(
    table: pd.DataFrame, folder: Path, export_id: str, formats: tuple[ExportFormat, ...]
) -> dict[Path, str | bytes]:
    files: dict[Path, str | bytes] = {}
    stem = f"requisitions-{export_id.removeprefix('EXP')}"
    for fmt in formats:
        if fmt is ExportFormat.CSV:
            files[folder / f"{stem}.csv"] = table.to_csv(index=False, lineterminator="\n")
        else:
            buffer = io.BytesIO()
            table.to_excel(buffer, index=False, sheet_name="requisitions", engine="openpyxl")
            files[folder / f"{stem}.xlsx"] = buffer.getvalue()
    return files


def _record(
    con: duckdb.DuckDBPyConnection,
    export_id: str,
    lines: pd.DataFrame,
    files: dict[Path, str | bytes],
    mapping: ExportMapping,
    actor: Actor,
    folder: Path,
    moment: datetime,
) -> None:
    first = next(iter(files.values()))
    digest = hashlib.sha256(first.encode("utf-8") if isinstance(first, str) else first).hexdigest()
    ids = lines["proposal_id"].tolist()
    con.execute(
        f"UPDATE proposals SET status = 'ordered' WHERE proposal_id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    names = ";".join(p.name for p in files)
    con.execute(
        "INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            export_id,
            moment,
            str(actor),
            str(folder.resolve()),
            names,
            mapping.name,
            len(lines),
            float(lines["order_value"].sum()),
            digest,
        ],
    )
    audit.append(
        con,
        actor=str(actor),
        action=audit.AuditAction.EXPORT,
        entity="export",
        entity_id=export_id,
        details={"files": names, "mapping": mapping.name, "proposals": ids, "sha256": digest},
        now=moment,
    )
