"""The plan and governance commands on the small demo: plan, approve, export, policy, audit
(on a copy of the session's shared demo store, see ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from replenlib.cli import cli


def _run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", str(db)])


def test_plan_commands_on_the_demo(store_copy: Path, tmp_path: Path) -> None:
    db = store_copy
    again = _run(db, "run")
    assert again.exit_code == 0 and " 0 proposals" in again.stdout  # no need proposed twice
    board = _run(db, "plan", "--limit", "500")
    assert board.exit_code == 0
    rows = [line.split() for line in board.stdout.splitlines()[1:]]
    normal = next(r for r in rows if r[9] == "proposed" and r[10] == "1")
    approved = _run(db, "approve", normal[0], "--as", "planner/alice", "--comment", "ok")
    assert approved.exit_code == 0 and "→ approved" in approved.stdout
    own = next(r for r in rows if r[10] == "2")
    assert _run(db, "approve", own[0], "--as", "planner/alice").exit_code == 0
    refused = _run(db, "approve", own[0], "--as", "director/alice")
    assert refused.exit_code == 10 and "own request" in refused.stderr
    out = tmp_path / "erp"
    out.mkdir()
    exported = _run(db, "export", "--out", str(out), "--as", "buyer/bob")
    assert exported.exit_code == 0 and "1 requisition lines" in exported.stdout
    assert len(list(out.glob("requisitions-*"))) == 2
    assert "S" in _run(db, "plan", "--rolling").stdout
    assert _run(db, "alerts", "list").exit_code == 0
    restored = _run(
        db,
        "policy",
        "rollback",
        "1",
        "--as",
        "supply_manager/sam",
        "--approved-by",
        "dana",
        "--reason",
        "demo restore",
    )
    assert restored.exit_code == 0 and "as v2" in restored.stdout
    assert "v1 and v2 are identical" in _run(db, "policy", "diff", "1", "2").stdout
    assert _run(db, "policy", "show", "2").exit_code == 0
    verified = _run(db, "audit", "verify")
    assert verified.exit_code == 0 and "intact" in verified.stdout
    exported_log = _run(
        db, "audit", "export", "--out", str(tmp_path / "audit.csv"), "--as", "quality/qa"
    )
    assert exported_log.exit_code == 0
