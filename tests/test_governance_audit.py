"""The hash-chained audit trail: verify, tamper detection (edit, delete, truncate) and export."""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.governance import audit
from replenlib.store import reader, writer
from tests.plan_store import build_store

T0 = datetime(2026, 4, 1, 8, 0, 0, 123456)


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose audit trail has five entries."""
    db = build_store(tmp_path_factory.mktemp("audit") / "base.duckdb")
    with writer(db) as con:
        for n in range(1, 6):
            audit.append(
                con,
                actor=f"planner/u{n}",
                action=audit.AuditAction.APPROVE,
                entity="proposal",
                entity_id=f"P{n}",
                details={"n": n, "名": "批准"},
                now=T0.replace(minute=n),
            )
    return db


@pytest.fixture
def store(logged: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(logged, tmp_path / "store.duckdb"))


def _tamper(db: Path, sql: str) -> None:
    """Edit the file behind replenlib's back, as an attacker with file access would."""
    con = duckdb.connect(str(db))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_first_entry_hash_by_hand() -> None:
    payload = (
        '[1,"2026-04-01T08:01:00.123456","planner/u1","approve","proposal","P1",'
        '"{\\"n\\":1}","' + "0" * 64 + '"]'
    )
    expected = hashlib.sha256(payload.encode()).hexdigest()
    got = audit.entry_hash(
        1,
        T0.replace(minute=1),
        "planner/u1",
        "approve",
        "proposal",
        "P1",
        audit.canonical_details({"n": 1}),
        audit.GENESIS_HASH,
    )
    assert got == expected


def test_intact_chain_verifies_and_links(logged: Path) -> None:
    with reader(logged) as con:
        result = audit.verify(con)
        rows = con.execute("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq").fetchall()
    assert result.ok and result.n_entries == 5 and result.head_hash == rows[-1][2]
    assert rows[0][1] == audit.GENESIS_HASH
    assert all(rows[k][1] == rows[k - 1][2] for k in range(1, 5))


def test_cli_tamper_test_names_the_first_broken_entry(store: Path) -> None:
    ok = CliRunner().invoke(cli, ["audit", "verify", "--db", str(store)])
    assert ok.exit_code == 0 and "audit trail intact: 5 entries" in ok.stdout
    _tamper(store, "UPDATE audit_log SET details = '{\"n\":300}' WHERE seq = 3")
    broken = CliRunner().invoke(cli, ["audit", "verify", "--db", str(store)])
    assert broken.exit_code == audit.AuditError.exit_code
    assert broken.stderr.startswith(
        "replen: error: audit trail broken: audit entry 3 (2026-04-01 08:03:00 approve by "
        "planner/u3) was altered after it was written"
    )


def test_an_edited_actor_is_found_even_with_its_hash_recomputed(store: Path) -> None:
    # rewriting entry 2 *and* its own hash still breaks the link from entry 3
    with reader(store) as con:
        row = con.execute("SELECT * FROM audit_log WHERE seq = 2").fetchone()
    assert row is not None
    forged = audit.entry_hash(2, row[1], "director/mallory", row[3], row[4], row[5], row[6], row[7])
    _tamper(
        store, f"UPDATE audit_log SET actor = 'director/mallory', hash = '{forged}' WHERE seq = 2"
    )
    with reader(store) as con:
        result = audit.verify(con)
    assert not result.ok and result.first_broken == 3
    assert "does not link to entry 2" in result.problem


def test_deleted_entries_are_found(store: Path, tmp_path: Path) -> None:
    tail = Path(shutil.copy(store, tmp_path / "tail.duckdb"))
    _tamper(store, "DELETE FROM audit_log WHERE seq = 4")
    with reader(store) as con:
        result = audit.verify(con)
    assert (result.ok, result.first_broken) == (False, 4)
    assert result.problem == "audit entry 4 is missing (the log jumps from 3 to 5)"
    _tamper(tail, "DELETE FROM audit_log WHERE seq = 5")
    with reader(tail) as con:
        result = audit.verify(con)
    assert (result.ok, result.first_broken) == (False, 5)
    assert "entries after 4 are missing: the head records entry 5" in result.problem


def test_export_for_auditors_is_complete_and_checksummed(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = CliRunner().invoke(
        cli, ["audit", "export", "--out", str(out), "--as", "quality/qa1", "--db", str(store)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["seq"]) for r in rows] == [1, 2, 3, 4, 5, 6]  # the export logs itself first
    assert rows[5]["action"] == "audit_export" and rows[5]["actor"] == "quality/qa1"
    assert rows[0]["details"] == '{"n":1,"名":"批准"}'
    manifest = (tmp_path / "audit.csv.sha256").read_text().splitlines()
    assert manifest[0] == f"{hashlib.sha256(out.read_bytes()).hexdigest()}  audit.csv"
    assert manifest[1].endswith(rows[5]["hash"])


def test_export_refuses_a_broken_trail_and_writes_nothing(store: Path, tmp_path: Path) -> None:
    _tamper(store, "UPDATE audit_log SET entity_id = 'P9' WHERE seq = 1")
    before = store.read_bytes()
    result = CliRunner().invoke(
        cli,
        [
            "audit",
            "export",
            "--out",
            str(tmp_path / "a.csv"),
            "--as",
            "quality/qa1",
            "--db",
            str(store),
        ],
    )
    assert result.exit_code == audit.AuditError.exit_code
    assert "refusing to export a broken audit trail: audit entry 1" in result.stderr
    assert not (tmp_path / "a.csv").exists() and not list(tmp_path.glob(".a.csv*"))
    assert store.read_bytes() == before
