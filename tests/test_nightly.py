"""``replen nightly``: import → pipeline → reports, one night at a time, loud on failure."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.pipeline.scheduled import nightly_lock, read_import_config
from replenlib.store import reader

ROOT = Path(__file__).resolve().parents[1]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def kernel_path(monkeypatch: pytest.MonkeyPatch, kernel_env: dict[str, str]) -> None:
    monkeypatch.setenv("PYTHONPATH", kernel_env["PYTHONPATH"])  # report kernels import this tree


@pytest.mark.slow
def test_a_night_imports_runs_and_renders(
    store_copy: Path, tmp_path: Path, kernel_path: None
) -> None:
    config = tmp_path / "imports.yaml"
    config.write_text(
        f"imports:\n  - kind: crm\n    paths: [{ROOT / 'data' / 'samples' / 'crm'}]\n"
    )
    with reader(store_copy) as con:
        runs_before = con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
        loads_before = con.execute("SELECT count(*) FROM loads").fetchall()[0][0]
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        cli,
        [
            "nightly",
            "--db",
            str(store_copy),
            "--reports",
            str(out),
            "--import-config",
            str(config),
            "--report",
            "kpi",
            "--lang",
            "zh",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 file(s) imported" in result.output
    with reader(store_copy) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == runs_before + 1
        assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == loads_before + 1
    written = sorted(p.name for p in out.iterdir())
    assert written == ["kpi-2026-09-30.zh.html"], written  # nothing temporary left behind


def test_a_second_night_stops_at_once_while_one_runs(store_copy: Path, tmp_path: Path) -> None:
    before, out = _sha(store_copy), tmp_path / "reports"
    with nightly_lock(store_copy):
        result = CliRunner().invoke(
            cli, ["nightly", "--db", str(store_copy), "--reports", str(out)]
        )
    assert result.exit_code == 13
    assert "another `replen nightly` is running on" in result.output
    assert "Traceback" not in result.output
    assert _sha(store_copy) == before and not out.exists()


def test_a_bad_import_config_fails_before_anything_is_written(
    store_copy: Path, tmp_path: Path
) -> None:
    config = tmp_path / "imports.yaml"
    config.write_text("imports:\n  - kind: sap\n    paths: [x.csv]\n")
    before = _sha(store_copy)
    result = CliRunner().invoke(
        cli,
        [
            "nightly",
            "--db",
            str(store_copy),
            "--reports",
            str(tmp_path / "r"),
            "--import-config",
            str(config),
        ],
    )
    assert result.exit_code == 6
    assert f"{config}: imports[0].kind: expected one of erp" in result.output
    assert "found 'sap'" in result.output
    assert _sha(store_copy) == before and not (tmp_path / "r").exists()


def test_an_unknown_report_is_refused_before_the_run(store_copy: Path, tmp_path: Path) -> None:
    before = _sha(store_copy)
    result = CliRunner().invoke(cli, ["nightly", "--db", str(store_copy), "--report", "nope"])
    assert result.exit_code != 0 and "unknown report(s) nope" in result.output
    assert _sha(store_copy) == before


def test_a_missing_store_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["nightly", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 3 and "no store at" in result.output


def test_import_config_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text("x\n")
    (tmp_path / "exports" / "notes.txt").write_text("ignored\n")
    config = tmp_path / "imports.yaml"
    config.write_text("imports:\n  - kind: erp\n    paths: exports\n    mapping: m.yaml\n")
    (request,) = read_import_config(config)
    assert Path(request.path) == tmp_path / "exports" / "a.csv"
    assert Path(str(request.mapping)) == tmp_path / "m.yaml"
    config.write_text("imports:\n  - kind: erp\n    paths: [missing]\n")
    with pytest.raises(Exception, match=r"imports\[0\]\.paths: .*missing does not exist"):
        read_import_config(config)


def test_deploy_examples_call_the_nightly_command() -> None:
    cron = (ROOT / "deploy" / "cron" / "replen-nightly").read_text()
    service = (ROOT / "deploy" / "systemd" / "replen-nightly.service").read_text()
    timer = (ROOT / "deploy" / "systemd" / "replen-nightly.timer").read_text()
    assert "replen nightly" in cron and "ExecStart=" in service and "replen nightly" in service
    assert "OnCalendar=" in timer and "Persistent=true" in timer
