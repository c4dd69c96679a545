"""The scheduled night: import (if configured) → pipeline → reports, never two at once.

:func:`run_scheduled` is what ``replen nightly`` runs from cron or a systemd timer. It holds an
exclusive, non-blocking lock on ``<store>.nightly.lock`` for its whole length, so a second
night started while the first still runs stops at once with :class:`NightlyRunningError`
(exit status 13) instead of queueing behind it. Each step is a transaction of its own: the
imports and the run write the store by build-and-swap (:func:`replenlib.store.writer`), and
every report is written atomically (:func:`replenlib.reports.render.render_notebook`), so a
failure leaves the store and the reports folder as the previous step left them, and the
command exits non-zero with a one-line message.

The import configuration is a YAML file::

    imports:
      - kind: erp                 # erp, mes, wms, tms, crm, qms, coldchain, udi
        paths: [exports/erp/]     # files or folders of .csv/.xlsx, relative to this file
        mapping: my_erp.yaml      # optional; default: the built-in mapping that fits each file
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from replenlib.errors import InputDataError, ReplenError

if TYPE_CHECKING:
    from replenlib.pipeline.nightly import RunOptions

#: Reports a night renders unless told otherwise (those that need nothing but a run).
NIGHTLY_REPORTS = ("kpi", "demand", "data_health")
KINDS = ("erp", "mes", "wms", "tms", "crm", "qms", "coldchain", "udi")

StepCallback = Callable[[str], None]


class NightlyRunningError(ReplenError):
    """Another scheduled night holds the store's nightly lock."""

    exit_code = 13


@dataclass(frozen=True)
class ScheduledSummary:
    """What one night did."""

    run_id: str
    files_imported: int
    reports: tuple[Path, ...] = field(default_factory=tuple)


def nightly_lock_path(db: Path) -> Path:
    """The lock file that keeps two nights on one store apart."""
    return db.with_name(db.name + ".nightly.lock")


@contextlib.contextmanager
def nightly_lock(db: Path) -> Iterator[None]:
    """Hold the store's nightly lock, or raise :class:`NightlyRunningError` at once."""
    path = nightly_lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            raise NightlyRunningError(
                f"another `replen nightly` is running on {db} ({holder}); this one stops "
                f"without doing anything (lock {path})"
            ) from exc
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(
                f"pid {os.getpid()}, started {datetime.now().isoformat(timespec='seconds')}\n"
            )
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_import_config(path: Path) -> list[Any]:
    """The import requests of an import configuration (module docstring); every fault names
    the file and the entry."""
    from replenlib.io import ImportRequest

    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputDataError(f"{path}: cannot read the import configuration: {exc}") from exc
    entries = body.get("imports") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputDataError(f"{path}: expected a non-empty list under 'imports'")
    requests = []
    for n, entry in enumerate(entries):
        where = f"{path}: imports[{n}]"
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            found = entry.get("kind") if isinstance(entry, dict) else entry
            raise InputDataError(
                f"{where}.kind: expected one of {', '.join(KINDS)}, found {found!r}"
            )
        paths = entry.get("paths")
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not paths:
            raise InputDataError(f"{where}.paths: expected a file or folder, or a list of them")
        mapping = entry.get("mapping")
        mapping_path = None if mapping is None else path.parent / str(mapping)
        for file in _files(path.parent, [str(p) for p in paths], where):
            requests.append(ImportRequest(str(entry["kind"]), file, mapping_path))
    return requests


def _files(base: Path, paths: Sequence[str], where: str) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = base / name
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
            if not found:
                raise InputDataError(f"{where}.paths: {path} holds no .csv or .xlsx file")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputDataError(f"{where}.paths: {path} does not exist")
    return files


def run_scheduled(
    db: Path,
    reports_dir: Path,
    *,
    import_config: Path | None = None,
    langs: Sequence[str] = ("en",),
    reports: Sequence[str] = NIGHTLY_REPORTS,
    on_step: StepCallback | None = None,
    options: RunOptions | None = None,
) -> ScheduledSummary:
    """Import → pipeline → reports under the nightly lock (module docstring)."""
    from replenlib.io import import_files
    from replenlib.pipeline.nightly import run_nightly
    from replenlib.reports.runner import REPORTS, render_report
    from replenlib.store.db import require_store

    step = on_step or (lambda _: None)
    unknown = sorted(set(reports) - set(REPORTS))
    if unknown:
        raise ReplenError(
            f"unknown report(s) {', '.join(unknown)}; known: {', '.join(sorted(REPORTS))}"
        )
    with nightly_lock(db):
        requests = read_import_config(import_config) if import_config else []
        if requests:
            step(f"importing {len(requests)} file(s) listed in {import_config}")
            import_files(db, requests, progress=lambda text: step(f"  {text}"))
        require_store(db)
        step(f"running the nightly pipeline on {db}")
        summary = run_nightly(db, on_step=lambda text: step(f"  {text}"), options=options)
        written = []
        for name in reports:
            for lang in langs:
                step(f"rendering the {name} report ({lang}) into {reports_dir}")
                written.append(
                    render_report(
                        name, db=db, out_dir=reports_dir, run_id=summary.run_id, lang=lang
                    )
                )
    return ScheduledSummary(summary.run_id, len(requests), tuple(written))
