"""The import API for notebooks, the CLI and the demo: files in, a transactional store load out.

>>> from replenlib.io import import_file                                   # doctest: +SKIP
>>> result = import_file("data/replen.duckdb", "erp", "exports/销售出库.csv")  # doctest: +SKIP
>>> print(result.summary())                                               # doctest: +SKIP
>>> for row in result.quarantine: print(row.message)                      # doctest: +SKIP

Every call opens one build-and-swap writer (:func:`replenlib.store.writer`): the files are
loaded into a private copy of the store, which replaces the store only when all of them
succeeded. A failure half way (a missing required column, a full disk, a bug) leaves the store
byte for byte as it was. Files already loaded with the same mapping are skipped without even
opening a writer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from replenlib.io.load import file_sha256, load_file, resolve_mapping
from replenlib.io.mapping import Mapping, SourceKind
from replenlib.io.result import LoadResult
from replenlib.io.tables import LOAD_ORDER
from replenlib.store import reader, writer

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ImportRequest:
    """One file to import: its source kind, path and (optionally) mapping file."""

    kind: SourceKind | str
    path: Path | str
    mapping: Mapping | Path | str | None = None


def import_file(
    db: Path | str,
    kind: SourceKind | str,
    path: Path | str,
    mapping: Mapping | Path | str | None = None,
    *,
    progress: Progress | None = None,
) -> LoadResult:
    """Import one export file into the store ``db`` (created when missing); see the module doc."""
    return import_files(db, [ImportRequest(kind, path, mapping)], progress=progress)[0]


def import_files(
    db: Path | str,
    requests: Sequence[ImportRequest],
    *,
    progress: Progress | None = None,
    fresh: bool = False,
    actor: str = "system",
) -> list[LoadResult]:
    """Import several files in one transaction, master data first (see :data:`LOAD_ORDER`).

    ``fresh`` starts from an empty store that replaces ``db`` on success (the demo). Returns
    one :class:`LoadResult` per request, in the order of ``requests``.
    """
    plans = [(r, *resolve_mapping(r.kind, Path(r.path), r.mapping)) for r in requests]
    digests = [file_sha256(Path(r.path)) for r in requests]
    done = [None] * len(plans) if fresh else _already_loaded(db, plans, digests)
    if all(d is not None for d in done):
        return [
            LoadResult.unchanged(d or 0, m, Path(r.path))
            for (r, m, _h), d in zip(plans, done, strict=True)
        ]
    order = sorted(range(len(plans)), key=lambda k: LOAD_ORDER.index(plans[k][1].table))
    results: dict[int, LoadResult] = {}
    with writer(db, create=True, fresh=fresh) as con:
        for k in order:
            request, mapping, _header = plans[k]
            results[k] = load_file(
                con,
                request.kind,
                request.path,
                mapping,
                progress=progress,
                digest=digests[k],
                actor=actor,
            )
    return [results[k] for k in range(len(plans))]


def _already_loaded(
    db: Path | str, plans: list[tuple[ImportRequest, Mapping, list[str]]], digests: list[str]
) -> list[int | None]:
    """The earlier load of each file's bytes with its mapping, if any (read-only look-up)."""
    if not Path(db).exists():
        return [None] * len(plans)
    try:
        with reader(db) as con:
            out = []
            for (_request, mapping, _header), digest in zip(plans, digests, strict=True):
                row = con.execute(
                    "SELECT max(load_id) FROM loads WHERE file_sha256 = ? AND "
                    "mapping_sha256 = ? AND table_name = ?",
                    [digest, mapping.sha256, mapping.table],
                ).fetchone()
                out.append(None if row is None or row[0] is None else int(row[0]))
            return out
    except Exception:  # an older schema or a locked file: let the writer decide
        log.debug("could not check earlier loads in %s", db, exc_info=True)
        return [None] * len(plans)


def quarantine(db: Path | str, load_id: int | None = None) -> pd.DataFrame:
    """Quarantined and flagged rows (of one load, or all), newest load first."""
    where = "WHERE q.load_id = ?" if load_id is not None else ""
    with reader(db) as con:
        return con.execute(
            "SELECT q.load_id, l.kind, l.table_name, q.source_file, q.source_row, q.column_name, "
            "q.bad_value, q.reason, q.rule, q.severity FROM quarantine q "
            f"JOIN loads l USING (load_id) {where} ORDER BY q.load_id DESC, q.source_row",
            [load_id] if load_id is not None else [],
        ).df()


def trace(db: Path | str, table: str, *key: object) -> pd.DataFrame:
    """The source rows behind one stored row: load, file, row number and the raw cells.

    ``key`` lists the table's key values in order, e.g.
    ``trace(db, "demand_history", "ORT000001", "CW-SH", "2026-09-30")``.
    """
    record = "|".join(str(k) for k in key)
    with reader(db) as con:
        sources = con.execute(
            "SELECT l.load_id, l.file_name, g.source_row, l.raw_table FROM lineage g "
            "JOIN loads l USING (load_id) WHERE g.table_name = ? AND g.record_key = ? "
            "ORDER BY l.load_id DESC, g.source_row",
            [table, record],
        ).fetchall()
        frames = []
        for load_id, file_name, row, raw_table in sources:
            raw = con.execute(f"SELECT * FROM {raw_table} WHERE source_row = ?", [row]).df()
            raw.insert(0, "file_name", file_name)
            raw.insert(0, "load_id", load_id)
            frames.append(raw)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def confirm_duplicate(
    db: Path | str, item_id: str, duplicate_of: str, *, by: str, confirmed: bool = True
) -> None:
    """Record a person's decision on a duplicate candidate.

    Confirming maps the duplicate's code to the item it duplicates in ``item_xref`` (kind
    ``duplicate``), so later exports that still use it land on one item; rejecting keeps both.
    """
    from datetime import datetime

    with writer(db) as con:
        found = con.execute(
            "UPDATE duplicate_candidates SET status = ?, decided_by = ?, decided_at = ? "
            "WHERE item_id = ? AND duplicate_of = ? RETURNING item_id",
            ["confirmed" if confirmed else "rejected", by, datetime.now(), item_id, duplicate_of],
        ).fetchall()
        if not found:
            from replenlib.errors import InputDataError

            raise InputDataError(f"no duplicate candidate {item_id} → {duplicate_of}")
        if confirmed:
            con.execute(
                "INSERT INTO item_xref VALUES (?, ?, 'duplicate', NULL, NULL) "
                "ON CONFLICT (code) DO UPDATE SET item_id = excluded.item_id, "
                "code_kind = excluded.code_kind",
                [item_id, duplicate_of],
            )
