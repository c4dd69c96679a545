"""The store: idempotent versioned schema, atomic writers, lock behaviour across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from replenlib.errors import DatabaseLockedError, DatabaseMissingError, SchemaVersionError
from replenlib.store import (
    SCHEMA_VERSION,
    SOURCE_TABLES,
    ensure_schema,
    reader,
    schema_version,
    writer,
)
from replenlib.store.db import lock_path
from replenlib.store.load import replace_tables

LOCATIONS = pd.DataFrame(
    {
        "location_id": ["CW"],
        "name": ["Central"],
        "kind": ["central_warehouse"],
        "region": ["East"],
        "city": ["Shanghai"],
        "parent_location_id": [None],
    }
)


def test_schema_creation_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with writer(db, create=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(SOURCE_TABLES) <= tables
    with writer(db) as con:
        assert ensure_schema(con, db) == SCHEMA_VERSION
        rows = con.execute("SELECT count(*) FROM schema_version").fetchone()
    assert rows == (SCHEMA_VERSION,)
    assert schema_version(db) == SCHEMA_VERSION


def test_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with writer(db, create=True) as con:
        con.execute(
            "INSERT INTO schema_version VALUES (?, now(), 'from the future')", [SCHEMA_VERSION + 1]
        )
    with pytest.raises(SchemaVersionError, match=r"newer than this replenlib supports"), reader(db):
        pass
    with pytest.raises(SchemaVersionError, match="upgrade replenlib"), writer(db):
        pass


def test_foreign_duckdb_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(SchemaVersionError, match="not a replenlib store"), reader(db):
        pass


def test_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissingError, match="replen demo"), reader(tmp_path / "none.duckdb"):
        pass
    with pytest.raises(DatabaseMissingError), writer(tmp_path / "none.duckdb"):
        pass


def test_failed_writer_leaves_the_store_untouched(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with writer(db, create=True) as con:
        replace_tables(con, {"locations": LOCATIONS})
    before = db.read_bytes()
    with pytest.raises(RuntimeError, match="boom"), writer(db) as con:
        con.execute("DELETE FROM locations")
        raise RuntimeError("boom")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb", "s.duckdb.lock"]
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM locations").fetchone() == (1,)


def test_replace_tables_rolls_back_on_a_bad_frame(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with writer(db, create=True) as con:
        replace_tables(con, {"locations": LOCATIONS})
        bad = LOCATIONS.assign(location_id=None)  # violates NOT NULL of the key
        with pytest.raises(duckdb.ConstraintException):
            replace_tables(con, {"locations": bad})
        assert con.execute("SELECT location_id FROM locations").fetchall() == [("CW",)]


def _spawn(code: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_open_reader_elsewhere_does_not_block_a_writer(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with writer(db, create=True) as con:
        replace_tables(con, {"locations": LOCATIONS})
    holder = _spawn(f"""
        import duckdb, time
        con = duckdb.connect({str(db)!r}, read_only=True)
        print("ready", flush=True)
        time.sleep(30)
    """)
    try:
        with writer(db, wait_s=2) as con:
            con.execute("UPDATE locations SET name = 'Central warehouse'")
        with reader(db) as con:
            assert con.execute("SELECT name FROM locations").fetchone() == ("Central warehouse",)
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_waits_then_fails_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with writer(db, create=True):
        pass
    holder = _spawn(f"""
        import fcntl, time
        handle = open({str(lock_path(db))!r}, "a+")
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("4242 2026-01-01T00:00:00"); handle.flush()
        print("ready", flush=True)
        time.sleep(30)
    """)
    try:
        start = time.monotonic()
        with (
            pytest.raises(DatabaseLockedError, match=r"being written by another replen process"),
            writer(db, wait_s=0.5),
        ):
            pass
        assert 0.4 < time.monotonic() - start < 5
    finally:
        holder.kill()
        holder.wait()


def test_foreign_read_write_connection_makes_reader_fail_clearly(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with writer(db, create=True):
        pass
    holder = _spawn(f"""
        import duckdb, time
        con = duckdb.connect({str(db)!r})
        print("ready", flush=True)
        time.sleep(30)
    """)
    try:
        with (
            pytest.raises(
                DatabaseLockedError, match=rf"{db.name} is locked by process {holder.pid}"
            ),
            reader(db, wait_s=0.3),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_reader_leaves_the_connection_ready_for_register(tmp_path: Path) -> None:
    # DuckDB 2 refuses con.register() while a partly fetched result is open
    db = tmp_path / "s.duckdb"
    with writer(db, create=True):
        pass
    with reader(db) as con:
        con.register("frame", pd.DataFrame({"a": [1, 2]}))
        assert con.execute("SELECT sum(a) FROM frame").fetchall() == [(3,)]
