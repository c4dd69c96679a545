"""Writing store-shaped frames as source-system exports (the demo's and the samples' inputs).

Each :class:`ExportSpec` names a built-in mapping and writes a file the mapping reads: the
mapping's Chinese (``zh``, first name) or English (``en``, second name) column names, Chinese
labels for enumerations and yes/no (the inverse of the mapping's ``values``), the file's date
format and encoding. Large tables go through DuckDB's ``COPY`` (UTF-8); small ones through
pandas (UTF-8 with BOM, GB18030, XLSX). Optional *cosmetic dirt* makes some cells look like
real exports without changing their meaning (full-width or padded codes, ``1,200``, other
date formats, quantities in boxes); *bad rows* are appended as they are, to be quarantined.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow

from replenlib.io.cleaning import FULL_WIDTH, HALF_WIDTH, ident, literal
from replenlib.io.mapping import Mapping, builtin_mappings
from replenlib.io.tables import ValueKind

log = logging.getLogger(__name__)

_CHINESE_BOOL = ("是", "否")


@dataclass(frozen=True)
class ExportSpec:
    """One export file: the built-in mapping it follows and how it is written."""

    mapping: str
    file: str
    language: str = "zh"
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    dirt: bool = False  #: add cosmetic dirt to some rows
    bad_rows: tuple[dict[str, str], ...] = field(default_factory=tuple)  #: by store column


def mappings_by_name() -> dict[str, Mapping]:
    """The built-in mappings by name."""
    return {m.name: m for m in builtin_mappings()}


def source_names(mapping: Mapping, language: str) -> dict[str, str]:
    """Store column → the export's column name in ``language``."""
    names = {}
    for column in mapping.columns:
        if column.sources:
            pick = 1 if language == "en" and len(column.sources) > 1 else 0
            names[column.target] = column.sources[pick]
    if mapping.unit:
        names["_unit"] = mapping.unit[1 if language == "en" and len(mapping.unit) > 1 else 0]
    return names


def _cell_sql(mapping: Mapping, target: str, spec: ExportSpec) -> str:
    kind = mapping.spec.column(target).kind
    column = ident(target)
    if kind in (ValueKind.DATE, ValueKind.TIMESTAMP):
        fmt = spec.date_format if kind is ValueKind.DATE else spec.date_format + " %H:%M:%S"
        return f"strftime({column}, {literal(fmt)})"
    if kind is ValueKind.BOOLEAN:
        yes, no = _CHINESE_BOOL if spec.language == "zh" else ("true", "false")
        return f"CASE WHEN {column} THEN {literal(yes)} WHEN NOT {column} THEN {literal(no)} END"
    mapped = mapping.column(target)
    labels = mapped.values if mapped is not None else {}  # noqa: PD011 - a dict, not pandas
    if kind is ValueKind.ENUM and spec.language == "zh" and labels:
        inverse: dict[str, str] = {}
        for label, value in labels.items():
            inverse.setdefault(value, label)
        whens = " ".join(f"WHEN {literal(v)} THEN {literal(k)}" for v, k in inverse.items())
        return f"CASE {column} {whens} ELSE CAST({column} AS VARCHAR) END"
    if kind in (ValueKind.QUANTITY, ValueKind.PRICE, ValueKind.NUMBER, ValueKind.INTEGER):
        return (
            f"CASE WHEN {column} = round({column}) THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({column} AS VARCHAR) END"
        )
    return f"CAST({column} AS VARCHAR)"


def _dirty(mapping: Mapping, target: str, clean: str, date_format: str) -> str:
    """Cosmetic dirt on about one row in a thousand: the value still means the same."""
    kind = mapping.spec.column(target).kind
    pick = "(hash(_rowid) % 997 = 0)"
    if kind is ValueKind.CODE and target.endswith("item_id"):
        wide = f"translate({clean}, {literal(HALF_WIDTH[:-3])}, {literal(FULL_WIDTH[:-3])})"
        return f"CASE WHEN {pick} THEN '  ' || lower({wide}) || ' ' ELSE {clean} END"
    if kind is ValueKind.QUANTITY:
        return (
            f"CASE WHEN {ident(target)} >= 1000 AND {ident(target)} = round({ident(target)}) "
            f"THEN format('{{:,}}', CAST({ident(target)} AS BIGINT)) ELSE {clean} END"
        )
    if kind is ValueKind.DATE and date_format == "%Y-%m-%d":
        return f"CASE WHEN {pick} THEN strftime({ident(target)}, '%Y/%m/%d') ELSE {clean} END"
    return clean


def render(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, mapping: Mapping, spec: ExportSpec
) -> duckdb.DuckDBPyRelation:
    """The export as a relation of text columns named as the source system names them."""
    names = source_names(mapping, spec.language)
    # DuckDB scans Arrow columns natively, and pandas' string columns are Arrow arrays
    con.register("_export", pyarrow.Table.from_pandas(frame, preserve_index=False))
    parts = []
    for target, name in names.items():
        if target == "_unit":
            continue
        if target not in frame.columns:
            continue
        cell = _cell_sql(mapping, target, spec)
        if spec.dirt:
            cell = _dirty(mapping, target, cell, spec.date_format)
        parts.append(f"{cell} AS {ident(name)}")
    if "_unit" in names:
        unit = "_unit" if "_unit" in frame.columns else "'EA'"
        parts.append(f"{unit} AS {ident(names['_unit'])}")
    # the row number (for dirt) makes the scan sequential: only dirty exports number rows
    rows = "(SELECT *, row_number() OVER () AS _rowid FROM _export)" if spec.dirt else "_export"
    return con.sql(f"SELECT {', '.join(parts)} FROM {rows}")


def write_export(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, spec: ExportSpec, folder: Path
) -> Path:
    """Write one export file (see :class:`ExportSpec`) and return its path."""
    mapping = mappings_by_name()[spec.mapping]
    path = folder / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    relation = render(con, frame, mapping, spec)
    bad = _bad_rows(mapping, spec)
    if path.suffix == ".xlsx":
        pd.concat([relation.df(), bad], ignore_index=True).to_excel(path, index=False)
    elif spec.encoding == "utf-8" and len(frame) > 20_000:
        relation.write_csv(str(path), header=True)
        _append_rows(path, bad, spec.encoding)
    else:
        text = pd.concat([relation.df(), bad], ignore_index=True)
        text.to_csv(path, index=False, encoding=spec.encoding, lineterminator="\n")
    con.unregister("_export")
    log.info("wrote %s (%d rows)", path, len(frame) + len(bad))
    return path


def _bad_rows(mapping: Mapping, spec: ExportSpec) -> pd.DataFrame:
    names = source_names(mapping, spec.language)
    rows = [{names.get(k, k): v for k, v in row.items()} for row in spec.bad_rows]
    return pd.DataFrame(rows, columns=list(names.values()), dtype=object)


def _append_rows(path: Path, rows: pd.DataFrame, encoding: str) -> None:
    if rows.empty:
        return
    with path.open("a", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in rows.itertuples(index=False):
            writer.writerow(["" if v is None or v != v else v for v in row])


def write_exports(
    tables: dict[str, pd.DataFrame], specs: Sequence[ExportSpec], folder: Path
) -> list[tuple[str, Path]]:
    """Write every export of ``specs`` from the frames in ``tables``; return (kind, path)."""
    mappings = mappings_by_name()
    con = duckdb.connect()
    try:
        out = []
        for spec in specs:
            mapping = mappings[spec.mapping]
            frame = tables[mapping.table]
            out.append((mapping.kind.value, write_export(con, frame, spec, folder)))
        return out
    finally:
        con.close()
