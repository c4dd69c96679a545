"""Opening the DuckDB store for reading and writing without blocking other processes.

DuckDB lets one read-write connection exclude every other process, readers included, and
several read-only processes exclude any writer. replenlib therefore never writes the store file
in place:

* **Readers** (:func:`reader`) open the file read-only, query, and close at once. They retry with
  backoff for a few seconds when a foreign process holds a conflicting lock.
* **Writers** (:func:`writer`) take an exclusive advisory lock on ``<store>.lock`` (so two
  replenlib writers never overlap), copy the store to a temporary file in the same folder, write
  there, checkpoint, and atomically swap the copy into place with :func:`os.replace`. A reader
  that is open during the swap keeps reading its old snapshot; the next reader sees the new
  data. A writer that fails removes its copy: the store is left exactly as it was, which makes
  every writer block (a demo load, a nightly run, an approval) one transaction.

The schema is versioned (:mod:`replenlib.store.schema`): writers apply missing migrations,
readers refuse files of another version with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

import duckdb

from replenlib.errors import DatabaseLockedError, DatabaseMissingError, SchemaVersionError
from replenlib.store.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

#: How long a writer waits for another writer to finish, and a reader for a foreign lock [s];
#: ``$REPLEN_LOCK_WAIT_S`` overrides it (a scheduler may prefer to fail fast).
DEFAULT_WAIT_S = 30.0


def _default_wait() -> float:
    return float(os.environ.get("REPLEN_LOCK_WAIT_S") or DEFAULT_WAIT_S)


def lock_path(db: Path) -> Path:
    """Return the advisory lock file that serialises writers of ``db``."""
    return db.with_name(db.name + ".lock")


def require_store(db: Path | str) -> Path:
    """Return ``db`` as a path, or raise :class:`DatabaseMissingError` saying what to do."""
    path = Path(db)
    if not path.exists():
        raise DatabaseMissingError(
            f"no store at {path}: run `replen demo` to create the demo store, "
            "or `replen import` to load your own data"
        )
    return path


@contextlib.contextmanager
def reader(db: Path | str, *, wait_s: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the store read-only for a short query; close it on exit.

    Raises
    ------
    DatabaseMissingError
        The file does not exist.
    DatabaseLockedError
        A foreign process held a conflicting lock for longer than ``wait_s`` seconds.
    SchemaVersionError
        The file is not a replenlib store of this version.
    """
    path = require_store(db)
    con = _connect_with_retry(
        path, read_only=True, wait_s=_default_wait() if wait_s is None else wait_s
    )
    try:
        check_schema(con, path)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def writer(
    db: Path | str, *, create: bool = False, fresh: bool = False, wait_s: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a private copy of the store for writing and swap it in atomically on success.

    Parameters
    ----------
    db
        The store file.
    create
        Start from an empty store when ``db`` does not exist (otherwise that is an error).
    fresh
        Start from an empty store even when ``db`` exists: on success it replaces the old one.
    wait_s
        How long to wait for another replenlib writer [s].
    """
    path = Path(db)
    if not (create or fresh):
        require_store(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path, _default_wait() if wait_s is None else wait_s):
        work = path.with_name(f".replen-{os.getpid()}-{path.name}")
        _remove_quietly(work)
        if path.exists() and not fresh:
            shutil.copyfile(path, work)
        try:
            con = duckdb.connect(str(work))
            try:
                ensure_schema(con, path)
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _assert_no_wal(work)
            work.replace(path)
        finally:
            _remove_quietly(work)
            _remove_quietly(Path(str(work) + ".wal"))


def ensure_schema(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Apply the migrations the store is missing, in one transaction; return the version."""
    current = _schema_version(con, path)
    if current > SCHEMA_VERSION:
        raise _newer_schema(path, current)
    pending = [m for m in MIGRATIONS if m.version > current]
    if not pending:
        return current
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL, description VARCHAR)"
        )
        for migration in pending:
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [migration.version, datetime.now(), migration.description],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    log.info("store %s migrated from schema %d to %d", path, current, SCHEMA_VERSION)
    return SCHEMA_VERSION


def check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a store whose schema version differs from this code's."""
    current = _schema_version(con, path)
    if current > SCHEMA_VERSION:
        raise _newer_schema(path, current)
    if current < SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path} has schema version {current}, this replenlib expects {SCHEMA_VERSION}: "
            "run `replen db upgrade` (or any writing command such as `replen run`) to migrate it"
        )


def schema_version(db: Path | str) -> int:
    """Return the schema version recorded in a store file (0 for an empty file)."""
    path = Path(db)
    con = _connect_with_retry(path, read_only=True, wait_s=_default_wait())
    try:
        return _schema_version(con, path)
    finally:
        con.close()


def _schema_version(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_version" not in tables:
        if tables:
            raise SchemaVersionError(
                f"{path} is a DuckDB file but not a replenlib store (no schema_version table)"
            )
        return 0
    # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open, and an open result
    # makes the caller's next con.register() fail
    rows = con.execute("SELECT max(version) FROM schema_version").fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _newer_schema(path: Path, version: int) -> SchemaVersionError:
    return SchemaVersionError(
        f"{path} has schema version {version}, newer than this replenlib supports "
        f"({SCHEMA_VERSION}): upgrade replenlib to read it"
    )


_LOCK_HOLDER = re.compile(r"PID (\d+)")


def _connect_with_retry(path: Path, *, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Connect, retrying with exponential backoff while a foreign process holds a lock."""
    delay, deadline = 0.05, time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                holder = _LOCK_HOLDER.search(str(exc))
                who = f" by process {holder.group(1)}" if holder else ""
                raise DatabaseLockedError(
                    f"{path} is locked{who} (DuckDB allows one writing process at a time); "
                    f"waited {wait_s:.0f} s — close that connection or try again later"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextlib.contextmanager
def _writer_lock(path: Path, wait_s: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the store's lock file, waiting up to ``wait_s`` seconds."""
    lock = lock_path(path)
    with lock.open("a+") as handle:
        _acquire(handle, lock, wait_s)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()} {datetime.now().isoformat(timespec='seconds')}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle: IO[str], lock: Path, wait_s: float) -> None:
    delay, deadline = 0.05, time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "unknown process"
                raise DatabaseLockedError(
                    f"{lock.with_suffix('')} is being written by another replen process "
                    f"(pid and start: {holder}); waited {wait_s:.0f} s — try again when it ends"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _assert_no_wal(work: Path) -> None:
    wal = Path(str(work) + ".wal")
    if wal.exists() and wal.stat().st_size > 0:  # pragma: no cover - DuckDB checkpoints on close
        raise RuntimeError(f"DuckDB left a non-empty WAL for {work}; refusing to swap it in")


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
