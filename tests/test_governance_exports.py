"""Requisition exports: mapping, CSV and XLSX content, and nothing half-written on failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.governance import exports
from replenlib.governance.approvals import Actor, record_decision
from replenlib.governance.files import ExportError
from replenlib.pipeline.nightly import run_nightly
from replenlib.plan.approval import Decision
from replenlib.store import reader
from tests.plan_store import build_store

BUYER = Actor.parse("buyer/dan")


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """After one run: gloves approved (one level), the stent approved at both levels."""
    db = build_store(tmp_path_factory.mktemp("export") / "base.duckdb")
    run_nightly(db)
    with reader(db) as con:
        ids = dict(
            con.execute(
                "SELECT item_id || '@' || location_id, proposal_id FROM proposals"
            ).fetchall()
        )
    record_decision(db, ids["I4@H1"], Decision.APPROVE, Actor.parse("planner/alice"))
    record_decision(db, ids["I2@CW"], Decision.APPROVE, Actor.parse("planner/alice"))
    record_decision(db, ids["I2@CW"], Decision.APPROVE, Actor.parse("supply_manager/sam"))
    return db


@pytest.fixture
def store(approved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(approved, tmp_path / "store.duckdb"))


def _statuses(db: Path) -> dict[str, str]:
    with reader(db) as con:
        return dict(
            con.execute("SELECT item_id || '@' || location_id, status FROM proposals").fetchall()
        )


def test_default_export_writes_csv_and_xlsx_and_marks_lines_ordered(
    store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "erp"
    out.mkdir()
    with reader(store) as con:
        gloves = con.execute(
            "SELECT quantity FROM proposals WHERE item_id = 'I4' AND location_id = 'H1'"
        ).fetchall()[0][0]
    result = exports.export_requisitions(store, out, BUYER)
    assert result.n_lines == 2 and result.total_value == pytest.approx(80 * 1800 + gloves * 1.0)
    csv_path, xlsx_path = result.files
    table = pd.read_csv(csv_path, dtype=str)
    assert list(table.columns[:4]) == ["requisition_id", "line_type", "item_id", "gtin"]
    assert table[["item_id", "quantity", "supplier_id", "source_location", "currency"]].fillna(
        ""
    ).values.tolist() == [
        ["I2", "80", "S1", "", "CNY"],
        ["I4", f"{gloves:.0f}", "", "DC1", "CNY"],
    ]
    assert table["approved_by"].tolist() == ["planner/alice + supply_manager/sam", "planner/alice"]
    sheet = openpyxl.load_workbook(xlsx_path).active
    assert [c.value for c in sheet[1]] == list(table.columns)
    assert sheet.cell(2, 3).value == "I2" and sheet.max_row == 3
    assert _statuses(store)["I2@CW"] == "ordered" and _statuses(store)["I3@CW"] == "proposed"
    with reader(store) as con:
        logged = con.execute("SELECT n_lines, mapping FROM exports").fetchall()
        last = con.execute("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert logged == [(2, "requisition_default")] and last == ("export",)
    again = exports.export_requisitions(store, out, BUYER)  # nothing approved is left
    assert again.files == () and len(list(out.iterdir())) == 2


def test_sap_mapping_through_the_cli(store: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "export",
            "--out",
            str(tmp_path),
            "--as",
            "buyer/dan",
            "--format",
            "csv",
            "--mapping",
            "sap_purchase_requisition",
            "--db",
            str(store),
        ],
    )
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("requisitions-*.csv")
    rows = pd.read_csv(path, dtype=str).fillna("")
    assert rows[["PREQ_ITEM", "DOC_TYPE", "MATERIAL", "PLANT", "SUPPL_PLNT"]].values.tolist() == [
        ["00001", "NB", "I2", "CW", ""],
        ["00002", "UB", "I4", "H1", "DC1"],
    ]
    assert rows["DELIV_DATE"].str.fullmatch(r"2026\d{4}").all()


def _assert_nothing_written(store: Path, before: bytes, folder: Path) -> None:
    assert store.read_bytes() == before
    assert not list(folder.glob("requisitions-*")) and not list(folder.glob(".requisitions-*"))


def test_an_export_folder_that_is_a_file_or_missing_is_refused(store: Path, tmp_path: Path) -> None:
    before = store.read_bytes()
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(ExportError, match=r"file.txt is not a folder"):
        exports.export_requisitions(store, not_a_folder, BUYER)
    with pytest.raises(ExportError, match=r"nope does not exist"):
        exports.export_requisitions(store, tmp_path / "nope", BUYER)
    _assert_nothing_written(store, before, tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    before = store.read_bytes()
    try:
        with pytest.raises(ExportError, match="is not writable"):
            exports.export_requisitions(store, folder, BUYER)
    finally:
        folder.chmod(0o700)
    _assert_nothing_written(store, before, folder)


def test_a_failure_while_writing_leaves_nothing_half_written(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV is rendered and written to its temporary file, then the XLSX write fails (a full
    disk): no file appears, no temporary remains, the store keeps its approved lines."""
    before = store.read_bytes()
    real_fdopen = os.fdopen
    calls = {"n": 0}

    def failing_fdopen(fd: int, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            os.close(fd)
            raise OSError(28, "No space left on device", "requisitions.xlsx")
        return real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("replenlib.governance.files.os.fdopen", failing_fdopen)
    with pytest.raises(ExportError, match="No space left on device; nothing written"):
        exports.export_requisitions(store, tmp_path, BUYER)
    _assert_nothing_written(store, before, tmp_path)
    assert _statuses(store)["I2@CW"] == "approved"


def test_mapping_errors_name_the_file_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  - {header: A, field: item_id}\n  - {header: B, field: colour}\n")
    with pytest.raises(ExportError, match=r"bad.yaml, column 2 \(B\): unknown field 'colour'"):
        exports.load_mapping(bad)
    bad.write_text("columns:\n  - {header: A, field: item_id, value: x}\n")
    with pytest.raises(
        ExportError, match=r"column 1 \(A\): give exactly one of 'field' or 'value'"
    ):
        exports.load_mapping(bad)
    with pytest.raises(ExportError, match="no export mapping 'sap'"):
        exports.load_mapping("sap")


def test_quality_may_not_export(store: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="role quality may not export"):
        exports.export_requisitions(store, tmp_path, Actor.parse("quality/qa"))
