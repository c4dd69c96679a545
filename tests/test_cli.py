"""The replen command line: help, one-line errors with exit codes, and the happy paths."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.store.db import lock_path


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "run", "report", "db"):
        assert f"  {command} " in result.output


def test_missing_store_is_one_line_and_exit_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 3
    assert result.output.startswith("replen: error: no store at ")
    assert "run `replen demo`" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_store_from_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "REPLEN_DB": str(tmp_path / "none.duckdb")}
    proc = subprocess.run(
        [sys.executable, "-m", "replenlib.cli", "run"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 3
    assert proc.stderr.strip().splitlines() == [
        f"replen: error: no store at {tmp_path / 'none.duckdb'}: run `replen demo` to create the demo store, "
        "or `replen import` to load your own data"
    ]


def test_store_locked_by_another_writer_exit_4(store_copy: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import fcntl, time
            handle = open({str(lock_path(store_copy))!r}, "a+")
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write("777 2026-09-30T02:00:00"); handle.flush()
            print("ready", flush=True)
            time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        env = {**os.environ, "REPLEN_LOCK_WAIT_S": "0.3"}
        proc = subprocess.run(
            [sys.executable, "-m", "replenlib.cli", "run", "--db", str(store_copy)],
            capture_output=True,
            text=True,
            env=env,
        )
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 4
    assert f"{store_copy} is being written by another replen process" in proc.stderr
    assert "777 2026-09-30T02:00:00" in proc.stderr and "Traceback" not in proc.stderr


def test_run_and_db_info(store_copy: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["run", "--db", str(store_copy)])
    assert result.exit_code == 0, result.output
    assert "item-locations" in result.output and "proposals worth" in result.output
    info = runner.invoke(cli, ["db", "info", "--db", str(store_copy)])
    assert info.exit_code == 0 and "schema version" in info.output
    assert any(line.split()[:2] == ["runs", "2"] for line in info.output.splitlines())


def test_unknown_report_and_bad_date(small_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["report", "nope", "--db", str(small_store), "--out", str(tmp_path)]
    )
    assert result.exit_code == 1 and "unknown report 'nope'; known reports: " in result.output
    bad = runner.invoke(cli, ["run", "--db", str(small_store), "--as-of", "2026-02-30"])
    assert bad.exit_code == 2 and "expected a date as YYYY-MM-DD, got '2026-02-30'" in bad.output
    assert list(tmp_path.iterdir()) == []
