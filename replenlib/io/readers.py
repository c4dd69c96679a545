"""Reading a source file into a raw table of text, one row per record, numbered like a sheet.

The raw table (``raw.load_NNNNNN``) holds ``source_row`` (the header is row 1, the first record
row 2; for XLSX the sheet's own row number) and one VARCHAR column per file column, exactly as
read. It is never changed afterwards: every cleaned value can be traced back to it.

CSV files go through DuckDB's own reader (parallel, constant memory; a non-UTF-8 file is first
transcoded to a temporary UTF-8 copy by :mod:`replenlib.io.encoding`). Records DuckDB cannot
split into the header's number of fields are not lost: they come back as :class:`BadRecord`
with their row number and text, for the quarantine. XLSX files are streamed with openpyxl's
read-only mode in chunks of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from replenlib.errors import InputDataError
from replenlib.io.cleaning import ident, literal
from replenlib.io.encoding import UTF8_BOM, EncodingReport, detect_encoding, transcode

log = logging.getLogger(__name__)

XLSX_CHUNK_ROWS = 50_000
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be read as a row of the file's columns."""

    row: int
    column: str | None
    text: str
    rule: str
    reason: str


@dataclass(frozen=True)
class StagedFile:
    """What :func:`stage_file` wrote: the raw table, its columns and what could not be read."""

    raw_table: str
    header: list[str]
    rows: int
    file_format: str
    encoding: str
    bad_records: tuple[BadRecord, ...]


def file_format(path: Path) -> str:
    """``"xlsx"`` or ``"csv"`` from the file name (other text files are read as CSV)."""
    return "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"


def read_header(path: Path, delimiter: str | None, encoding: str, sheet: str | None) -> list[str]:
    """Return the column names of the file's first row (BOM and spaces stripped)."""
    _check_not_empty(path)
    if file_format(path) == "xlsx":
        first = next(_xlsx_rows(path, sheet), None)
        header = [] if first is None else [_cell_text(v) or "" for v in first[1]]
    else:
        header = _csv_header(path, delimiter, encoding)
    header = [h.replace("\ufeff", "").strip() for h in header]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise InputDataError(f"{path.name}, row 1: no header row (the file has no column names)")
    return _unique(header)


def _check_not_empty(path: Path) -> None:
    if not path.exists():
        raise InputDataError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputDataError(f"{path.name}: the file is empty (0 bytes): expected a header row")


def _csv_header(path: Path, delimiter: str | None, encoding: str) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline()
    for name in ([encoding] if encoding not in ("auto", "") else []) + [UTF8_BOM, "gb18030"]:
        try:
            text = first.decode(name)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputDataError(f"{path.name}, row 1: the header is neither UTF-8 nor GB18030 text")
    sep = delimiter or _sniff_delimiter(text)
    return next(csv.reader(io.StringIO(text), delimiter=sep))


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name or "column"
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}_{count + 1}")
    return out


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    raw_table: str,
    *,
    header: list[str],
    delimiter: str | None,
    encoding: str,
    sheet: str | None,
    progress: Progress | None = None,
) -> StagedFile:
    """Read ``path`` into the new table ``raw_table`` (see the module docstring)."""
    if file_format(path) == "xlsx":
        rows = _stage_xlsx(con, path, raw_table, header, sheet, progress)
        staged = StagedFile(raw_table, header, rows, "xlsx", "xlsx", ())
    else:
        staged = _stage_csv(con, path, raw_table, header, delimiter, encoding)
    if staged.rows == 0 and not staged.bad_records:
        raise InputDataError(f"{path.name}: the file has a header row but no data rows")
    return staged


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    raw_table: str,
    header: list[str],
    delimiter: str | None,
    encoding: str,
) -> StagedFile:
    sep = delimiter or _sniff_delimiter(",".join(header) if len(header) > 1 else header[0])
    report = detect_encoding(path, encoding, sep)
    with tempfile.TemporaryDirectory(prefix="replen-import-") as work:
        source = path
        if report.needs_transcoding:
            source = Path(work) / "utf8.csv"
            transcode(path, source, report)
        rejects = _read_csv(con, source, raw_table, header, sep)
    bad = _encoding_records(report, header) + rejects
    _number_rows(con, raw_table, [b.row for b in rejects])
    rows = _count(con, raw_table)
    log.info("%s: %d rows staged into %s (%s)", path.name, rows, raw_table, report.encoding)
    return StagedFile(raw_table, header, rows, "csv", report.encoding, bad)


def _read_csv(
    con: duckdb.DuckDBPyConnection, source: Path, raw_table: str, header: list[str], sep: str
) -> tuple[BadRecord, ...]:
    columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header) + "}"
    con.execute(
        f"CREATE TABLE {raw_table} AS SELECT * FROM read_csv({literal(str(source))}, "
        f"header = true, delim = {literal(sep)}, quote = '\"', escape = '\"', "
        f"columns = {columns}, auto_detect = false, ignore_errors = true, "
        "store_rejects = true, rejects_table = '_rejects', rejects_scan = '_rejects_scan', "
        "max_line_size = 10000000)"
    )
    rows = con.execute(  # DuckDB reports a short record once per missing column: one each
        "SELECT line, arg_min(column_name, column_idx), arg_min(csv_line, column_idx), "
        "arg_min(error_type, column_idx), arg_min(error_message, column_idx) "
        "FROM _rejects GROUP BY line ORDER BY line"
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS _rejects")
    con.execute("DROP TABLE IF EXISTS _rejects_scan")
    return tuple(
        BadRecord(
            int(line),
            None,
            str(text),
            "malformed_row",
            f"cannot split into the {len(header)} header columns ({str(kind).lower()}: {message})",
        )
        for line, _column, text, kind, message in rows
    )


def _encoding_records(report: EncodingReport, header: list[str]) -> tuple[BadRecord, ...]:
    records = []
    for odd in report.odd_rows:
        column = header[odd.field] if 0 <= odd.field < len(header) else None
        found = "no known encoding" if odd.found == "unknown" else odd.found
        records.append(
            BadRecord(
                odd.row,
                column,
                odd.text,
                "mixed_encoding",
                f"row is {found} while the file is {report.encoding} (mixed encoding)",
            )
        )
    return tuple(records)


def _number_rows(con: duckdb.DuckDBPyConnection, raw_table: str, reject_rows: list[int]) -> None:
    """Add ``source_row``: record number with the header as row 1, skipping rejected records.

    DuckDB keeps the file order in the table (insertion order); a rejected record shifts every
    later row by one: the i-th kept record (0-based) sits at ``p = i + 2`` plus the number of
    rejected records ``m`` (0-based rank) with ``row_m - m <= p``.
    """
    con.execute("CREATE TEMP TABLE _rejected (q BIGINT)")
    if reject_rows:
        shifted = [row - rank for rank, row in enumerate(sorted(reject_rows))]
        con.executemany("INSERT INTO _rejected VALUES (?)", [[q] for q in shifted])
    con.execute(f"ALTER TABLE {raw_table} ADD COLUMN source_row BIGINT")
    if reject_rows:
        con.execute(
            f"UPDATE {raw_table} SET source_row = rowid + 2 + "
            f"(SELECT count(*) FROM _rejected WHERE q <= {raw_table}.rowid + 2)"
        )
    else:
        con.execute(f"UPDATE {raw_table} SET source_row = rowid + 2")
    con.execute("DROP TABLE _rejected")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _stage_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    raw_table: str,
    header: list[str],
    sheet: str | None,
    progress: Progress | None,
) -> int:
    names = [*header, "source_row"]
    columns = ", ".join(f"{ident(h)} VARCHAR" for h in header)
    con.execute(f"CREATE TABLE {raw_table} ({columns}, source_row BIGINT)")
    rows = _xlsx_rows(path, sheet)
    next(rows, None)  # the header
    total, chunk = 0, []
    for number, values in rows:
        texts = [_cell_text(v) for v in values[: len(header)]]
        if all(t is None for t in texts):
            continue
        chunk.append([*texts, *[None] * (len(header) - len(texts)), number])
        if len(chunk) >= XLSX_CHUNK_ROWS:
            total += _append(con, raw_table, names, chunk)
            chunk = []
            if progress:
                progress(f"{path.name}: {total:,} rows read")
    return total + _append(con, raw_table, names, chunk)


def _append(
    con: duckdb.DuckDBPyConnection, raw_table: str, names: list[str], rows: list[list[Any]]
) -> int:
    if not rows:
        return 0
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame["source_row"] = frame["source_row"].astype("int64")
    con.register("_xlsx_chunk", frame)
    try:
        con.execute(f"INSERT INTO {raw_table} SELECT * FROM _xlsx_chunk")
    finally:
        con.unregister("_xlsx_chunk")
    return len(rows)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise InputDataError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputDataError(
                f"{path.name}: no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}"
            )
        worksheet = book[sheet] if sheet else book.worksheets[0]
        yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
    finally:
        book.close()


def _cell_text(value: Any) -> str | None:
    """An XLSX cell as the text a CSV export would have held."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
