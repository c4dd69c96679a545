"""One import: a source file through mapping, cleaning, validation and upsert into the store.

:func:`load_file` works on an open writer connection (:func:`replenlib.store.writer`), so a
batch of files is one transaction and a failure anywhere leaves the store as it was. The
steps, for a file of any size:

1. read the header, pick the mapping (given, or the best-fitting built-in one of the kind);
2. skip the file when the same bytes were already loaded with the same mapping (idempotence);
3. stage the raw rows as text in ``raw.load_NNNNNN`` (:mod:`replenlib.io.readers`);
4. clean, resolve item codes and convert units in SQL (:mod:`replenlib.io.transform`), once
   per distinct value for the columns that have few (see :data:`DICTIONARY_SHARE`);
5. validate the clean values with the table's pandera schema (:mod:`replenlib.io.schemas`:
   distinct values in chunks, extremes for range checks) and run the table's own checks
   (:mod:`replenlib.io.rules`);
6. merge or quarantine duplicates, upsert, record lineage (:mod:`replenlib.io.upsert`);
7. write the quarantine rows (file, row, column, raw value, reason) and one ``loads`` row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from replenlib.errors import InputDataError
from replenlib.governance import audit
from replenlib.io import rules, upsert
from replenlib.io.cleaning import ident, literal
from replenlib.io.mapping import (
    Mapping,
    ResolvedColumns,
    SourceKind,
    choose_mapping,
    load_mapping,
    missing_columns_message,
    resolve_columns,
)
from replenlib.io.readers import BadRecord, StagedFile, read_header, stage_file
from replenlib.io.result import LoadResult, QuarantinedRow
from replenlib.io.schemas import failing_columns, is_range_only, table_schema, validate_chunks
from replenlib.io.tables import Reference, TableSpec
from replenlib.io.transform import CODES_SQL, CleanPlan, clean_table_sql, low_cardinality_sql

log = logging.getLogger(__name__)

#: Rows per chunk handed to pandas/pandera: bounds the memory of a load of any size.
CHUNK_ROWS = 250_000
#: Rows whose distinct values decide which columns are cleaned through a dictionary.
PROBE_ROWS = 100_000
#: A column is cleaned once per distinct value when at most this share of the probed rows
#: holds distinct values (codes, dates, quantities), else once per row (ids, timestamps).
DICTIONARY_SHARE = 0.25
#: Quarantine rows returned in a :class:`LoadResult` (all of them are in the store).
SHOWN_ROWS = 200
Progress = Callable[[str], None]

_ISSUES = (
    "CREATE OR REPLACE TEMP TABLE _issues (source_row BIGINT, target VARCHAR, "
    "column_name VARCHAR, value VARCHAR, rule VARCHAR, reason VARCHAR, severity VARCHAR)"
)
_UDI_SOURCES = {
    "raw": "__raw",
    "standard": "__standard",
    "product_code": "__product_code",
    "item_id": "__product_code",
    "lot_number": "__lot_number",
    "serial_number": "__serial_number",
    "expiry_date": "__expiry_date",
    "production_date": "__production_date",
}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_mapping(
    kind: SourceKind | str, path: Path, mapping: Mapping | Path | str | None
) -> tuple[Mapping, list[str]]:
    """The mapping to use for ``path`` and the file's header."""
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    if mapping is not None:
        if mapping.kind != SourceKind(kind):
            raise InputDataError(
                f"mapping {mapping.name} is for {mapping.kind.value} exports, not {kind}"
            )
        return mapping, read_header(path, mapping.delimiter, mapping.encoding, mapping.sheet)
    header = read_header(path, None, "auto", None)
    return choose_mapping(kind, header, path.name), header


def load_file(
    con: duckdb.DuckDBPyConnection,
    kind: SourceKind | str,
    path: Path | str,
    mapping: Mapping | Path | str | None = None,
    *,
    progress: Progress | None = None,
    file_label: str | None = None,
    digest: str | None = None,
    actor: str = "system",
) -> LoadResult:
    """Import one file into the store open on ``con`` (a writer); see the module docstring.

    ``digest`` is the file's :func:`file_sha256` when the caller has it already; ``actor``
    (who imports) is recorded in the audit trail with the load.
    """
    path = Path(path)
    label = file_label or path.name
    say = progress or (lambda _text: None)
    con.execute("SET enable_progress_bar = false")
    chosen, header = resolve_mapping(kind, path, mapping)
    digest = digest or file_sha256(path)
    previous = _previous_load(con, digest, chosen)
    if previous is not None:
        say(f"{label}: already loaded as load {previous} with mapping {chosen.name}: no change")
        return LoadResult.unchanged(previous, chosen, path)
    resolved = resolve_columns(chosen, header)
    if resolved.missing:
        raise InputDataError(missing_columns_message(chosen, resolved, label))
    warnings = _header_warnings(chosen, resolved, label)
    load_id = _next_load_id(con)
    say(f"{label}: reading ({chosen.name} → {chosen.table})")
    staged = stage_file(
        con,
        path,
        f"raw.load_{load_id:06d}",
        header=header,
        delimiter=chosen.delimiter,
        encoding=chosen.encoding,
        sheet=chosen.sheet,
        progress=say,
    )
    say(f"{label}: {staged.rows:,} rows read; cleaning and validating")
    plan = _plan(con, chosen, resolved, staged)
    counts = _process(con, plan, load_id, staged)
    say(f"{label}: {counts['changed']:,} rows written to {chosen.table}")
    return _finish(con, plan, load_id, path, label, digest, staged, warnings, counts, actor)


def _previous_load(con: duckdb.DuckDBPyConnection, digest: str, mapping: Mapping) -> int | None:
    row = con.execute(
        "SELECT max(load_id) FROM loads WHERE file_sha256 = ? AND mapping_sha256 = ? "
        "AND table_name = ?",
        [digest, mapping.sha256, mapping.table],
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()
    return int(row[0]) if row else 1


def _header_warnings(mapping: Mapping, resolved: ResolvedColumns, label: str) -> list[str]:
    if not resolved.ignored:
        return []
    text = f"{label}, row 1: columns not in mapping {mapping.name} were ignored: " + ", ".join(
        resolved.ignored
    )
    log.warning(text)
    return [text]


def _plan(
    con: duckdb.DuckDBPyConnection, mapping: Mapping, resolved: ResolvedColumns, staged: StagedFile
) -> CleanPlan:
    sources, source_table = dict(resolved.sources), staged.raw_table
    extra: tuple[tuple[str, str], ...] = ()
    if mapping.table == "udi_scans":
        rules.udi_derived(con, staged.raw_table, resolved.sources["raw"])
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW _src AS SELECT * FROM {staged.raw_table} "
            "JOIN _derived USING (source_row)"
        )
        source_table, extra = "_src", (("raw", "__udi_error"),)
        sources.update(_UDI_SOURCES)
    used = sorted({*sources.values(), *([resolved.unit] if resolved.unit else [])})
    return CleanPlan(
        mapping.spec,
        mapping,
        source_table,
        sources,
        resolved.unit,
        resolved.line_key,
        extra,
        tuple(resolved.sources.items()),
        _low_cardinality(con, source_table, used),
    )


def _low_cardinality(
    con: duckdb.DuckDBPyConnection, source_table: str, columns: list[str]
) -> frozenset[str]:
    """The columns worth cleaning through a dictionary of their distinct values."""
    if not columns:
        return frozenset()
    row = con.execute(low_cardinality_sql(source_table, columns, PROBE_ROWS)).fetchone()
    total = _scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM {source_table} LIMIT {PROBE_ROWS})")
    counts = row or (0,) * len(columns)
    return frozenset(
        c for c, n in zip(columns, counts, strict=True) if n <= DICTIONARY_SHARE * total
    )


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _process(
    con: duckdb.DuckDBPyConnection, plan: CleanPlan, load_id: int, staged: StagedFile
) -> dict[str, int]:
    spec, present = plan.spec, plan.present
    con.execute(CODES_SQL)
    con.execute(clean_table_sql(plan))
    con.execute(_ISSUES)
    _issues_from_clean(con)
    _issues_from_records(con, staged.bad_records)
    _issues_from_pandera(con, spec, present)
    if spec.name == "items":
        rules.item_master_checks(con, load_id)
    if spec.name == "temperature_readings":
        rules.reading_order_checks(con)
    upsert.prepare_ok_rows(con)
    aggregate = plan.mapping.aggregate
    merged = upsert.deduplicate(con, spec, present, bool(plan.line_key), aggregate)
    upsert.final_rows(con, spec, present, aggregate)
    changed = upsert.upsert(con, spec, present)
    if spec.name == "items":
        rules.similar_items(con, load_id)
    upsert.record_lineage(con, spec, load_id)
    return {"merged": merged, "changed": changed}


def _issues_from_clean(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO _issues SELECT source_row, split_part(e, '|', 1), NULL, NULL, "
        "split_part(e, '|', 2), "
        "substr(e, length(split_part(e, '|', 1)) + length(split_part(e, '|', 2)) + 3), 'error' "
        "FROM (SELECT source_row, unnest(string_split(_errors, chr(30))) AS e FROM _clean WHERE _errors <> '')"
    )


def _issues_from_records(con: duckdb.DuckDBPyConnection, records: tuple[BadRecord, ...]) -> None:
    if not records:
        return
    frame = pd.DataFrame(
        [(r.row, None, r.column, r.text, r.rule, r.reason, "error") for r in records],
        columns=["r", "t", "c", "v", "rule", "reason", "s"],
        dtype=object,
    ).astype({"r": "int64"})
    con.register("_records", frame)
    con.execute("INSERT INTO _issues SELECT * FROM _records")
    con.unregister("_records")


def _issues_from_pandera(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, present: tuple[str, ...]
) -> None:
    """Validate with the table's pandera schema, one checked column at a time.

    Column checks (range, allowed values, references) depend on the value alone, so pandera
    sees each column's *distinct* values (in chunks of :data:`CHUNK_ROWS`), and SQL maps the
    failing values back to every row holding them: exact, and fast on millions of rows. A
    column with range checks only first shows pandera its smallest and largest value (every
    value lies between them, so when both pass all pass); only a column whose extremes fail
    goes through its distinct values.
    """
    known = _known_codes(con, spec, present)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _bad_values (target VARCHAR, value VARCHAR, "
        "rule VARCHAR, reason VARCHAR)"
    )
    schemas = {n: table_schema(spec, known, [n]) for n in present}
    checked = [n for n in present if schemas[n].columns[n].checks]
    ranged = [n for n in checked if is_range_only(spec.column(n))]
    suspects = _failing_extremes(con, spec, known, ranged)
    for name in checked:
        if name in ranged and name not in suspects:
            continue
        failures = list(validate_chunks(schemas[name], _distinct_chunks(con, name)))
        if not failures:
            continue
        frame = pd.DataFrame(
            [(f.column, str(f.key), f.rule, f.reason) for f in failures], dtype=object
        )
        con.register("_failures", frame)
        con.execute("INSERT INTO _bad_values SELECT * FROM _failures")
        con.unregister("_failures")
        con.execute(
            f"INSERT INTO _issues SELECT c.source_row, b.target, NULL, NULL, b.rule, b.reason, "
            f"'error' FROM _clean c JOIN _bad_values b ON b.target = {literal(name)} "
            f"AND CAST(c.{ident(name)} AS VARCHAR) = b.value WHERE c._errors = ''"
        )


def _failing_extremes(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    known: dict[Reference, frozenset[str]],
    names: list[str],
) -> set[str]:
    """The columns among ``names`` whose smallest or largest clean value fails pandera."""
    if not names:
        return set()
    bounds = ", ".join(f"[min({ident(n)}), max({ident(n)})] AS {ident(n)}" for n in names)
    columns = ", ".join(f"unnest({ident(n)}) AS {ident(n)}" for n in names)
    frame = (
        con.sql(
            f"SELECT unnest(['min', 'max']) AS source_row, {columns} FROM "
            f"(SELECT {bounds} FROM _clean WHERE _errors = '')"
        )
        .to_arrow_table()
        .to_pandas(date_as_object=False)
    )
    present = [n for n in names if frame[n].notna().all()]  # all-empty: nothing to check
    if not present:
        return set()
    return failing_columns(table_schema(spec, known, present), frame[["source_row", *present]])


def _distinct_chunks(con: duckdb.DuckDBPyConnection, name: str) -> Iterator[pd.DataFrame]:
    """The distinct clean values of one column, ``CHUNK_ROWS`` at a time (never all rows of
    the file at once), keyed by their text in ``source_row``, the key :func:`validate_chunks`
    reports a failure under."""
    column = ident(name)
    reader = con.sql(
        f"SELECT DISTINCT CAST({column} AS VARCHAR) AS source_row, {column} FROM _clean "
        f"WHERE _errors = '' AND {column} IS NOT NULL"
    ).to_arrow_reader(CHUNK_ROWS)
    for batch in reader:
        yield batch.to_pandas(date_as_object=False)


def _known_codes(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, present: tuple[str, ...]
) -> dict[Reference, frozenset[str]]:
    wanted = {spec.column(c).reference for c in present} - {None, Reference.ITEM}
    keys = {
        Reference.LOCATION: "location_id",
        Reference.SUPPLIER: "supplier_id",
        Reference.CUSTOMER: "customer_id",
        Reference.LOT: "lot_id",
    }
    known: dict[Reference, frozenset[str]] = {}
    for reference in wanted:
        assert reference is not None
        rows = con.execute(f"SELECT {keys[reference]} FROM {reference.value}").fetchall()
        known[reference] = frozenset(r[0] for r in rows)
    return known


def _finish(
    con: duckdb.DuckDBPyConnection,
    plan: CleanPlan,
    load_id: int,
    path: Path,
    label: str,
    digest: str,
    staged: StagedFile,
    warnings: list[str],
    counts: dict[str, int],
    actor: str,
) -> LoadResult:
    _write_quarantine(con, plan, load_id, label, staged.raw_table)
    read = staged.rows + sum(1 for b in staged.bad_records if b.rule == "malformed_row")
    row = con.execute(
        "SELECT count(DISTINCT source_row) FROM _issues WHERE severity = 'error'"
    ).fetchone()
    quarantined = int(row[0]) if row else 0
    latest = upsert.latest_date(con, plan.spec)
    con.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id, plan.mapping.kind.value, plan.spec.name, plan.mapping.name, str(path),
            digest, plan.mapping.sha256, staged.file_format, staged.encoding, datetime.now(),
            read, read - quarantined, quarantined, counts["merged"], counts["changed"],
            "\n".join(warnings), latest, staged.raw_table,
        ],
    )  # fmt: skip
    audit.append(  # the load and its audit entry: one writer block, both or neither
        con,
        actor=actor,
        action=audit.AuditAction.IMPORT,
        entity="load",
        entity_id=str(load_id),
        details={
            "file": label, "sha256": digest, "mapping": plan.mapping.name,
            "table": plan.spec.name, "rows_read": read, "rows_quarantined": quarantined,
            "rows_changed": counts["changed"],
        },
    )  # fmt: skip
    shown = _shown_rows(con, load_id)
    by_rule = dict(
        con.execute(
            "SELECT rule, count(*) FROM quarantine WHERE load_id = ? GROUP BY rule ORDER BY 2 DESC",
            [load_id],
        ).fetchall()
    )
    return LoadResult(
        load_id=load_id, kind=plan.mapping.kind.value, table=plan.spec.name,
        mapping=plan.mapping.name, file=path, rows_read=read, rows_loaded=read - quarantined,
        rows_quarantined=quarantined, duplicates_merged=counts["merged"],
        rows_changed=counts["changed"], warnings=tuple(warnings), encoding=staged.encoding,
        quarantine=shown, reasons=by_rule, skipped=False,
    )  # fmt: skip


def _write_quarantine(
    con: duckdb.DuckDBPyConnection, plan: CleanPlan, load_id: int, label: str, raw_table: str
) -> None:
    """Issues → quarantine rows, with the source column's name and the raw cell's text."""
    names, values = ["CASE i.target"], ["CASE i.target"]
    sources = dict(plan.file_columns)
    if plan.spec.name == "udi_scans":
        for target in _UDI_SOURCES:
            sources.setdefault(target, sources["raw"])
    if plan.unit_source:
        sources["_unit"] = plan.unit_source
    for target, source in sources.items():
        names.append(f"WHEN {literal(target)} THEN {literal(source)}")
        values.append(f"WHEN {literal(target)} THEN r.{ident(source)}")
    key = [sources.get(k, k) for k in (plan.line_key or plan.spec.key)]
    names.append(f"WHEN '_key' THEN {literal(' + '.join(key))} ELSE i.target END")
    key_values = ", ".join(f"r.{ident(sources[k])}" for k in plan.spec.key if k in sources)
    values.append(f"WHEN '_key' THEN concat_ws(' | ', {key_values or 'NULL'}) ELSE NULL END")
    con.execute(
        f"INSERT INTO quarantine SELECT {load_id}, {literal(label)}, i.source_row, "
        f"coalesce(i.column_name, {' '.join(names)}), coalesce(i.value, {' '.join(values)}), "
        f"i.reason, i.rule, i.severity FROM _issues i LEFT JOIN {raw_table} r "
        "USING (source_row) ORDER BY i.source_row"
    )


def _shown_rows(con: duckdb.DuckDBPyConnection, load_id: int) -> tuple[QuarantinedRow, ...]:
    rows = con.execute(
        "SELECT source_file, source_row, column_name, bad_value, reason, rule, severity "
        "FROM quarantine WHERE load_id = ? ORDER BY source_row LIMIT ?",
        [load_id, SHOWN_ROWS],
    ).fetchall()
    return tuple(QuarantinedRow(*r) for r in rows)
