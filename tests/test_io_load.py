"""Loads: idempotent, transactional, traceable; XLSX; the CLI; duplicates to confirm."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.io import ImportRequest, confirm_duplicate, import_file, import_files, trace
from replenlib.io import upsert as upsert_module
from replenlib.io.tables import TABLES, ValueKind
from replenlib.store import reader, writer
from tests.io_helpers import DEMAND_HEADER, base_files, write


@pytest.fixture
def db(tmp_path: Path) -> Path:
    store = tmp_path / "store.duckdb"
    import_files(store, [ImportRequest("erp", p) for p in base_files(tmp_path)])
    return store


def test_loading_the_same_file_twice_changes_nothing(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,2,2,EA\n")
    first = import_file(db, "erp", path)
    before = db.read_bytes()
    again = import_file(db, "erp", path)
    assert again.skipped and again.load_id == first.load_id
    assert db.read_bytes() == before  # not even a writer was opened
    copy = tmp_path / "copy.csv"  # the same rows under another name: a new load, no change
    shutil.copyfile(path, copy)
    copy.write_bytes(path.read_bytes() + b"\n")
    other = import_file(db, "erp", copy)
    assert (other.skipped, other.rows_loaded, other.rows_changed) == (False, 1, 0)


def test_a_later_file_updates_changed_rows_only(db: Path, tmp_path: Path) -> None:
    import_file(db, "erp", write(tmp_path, "a.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,2,2,EA\nABC123,CW-SH,2026-01-02,3,3,EA\n"))  # fmt: skip
    result = import_file(db, "erp", write(tmp_path, "b.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,2,2,EA\nABC123,CW-SH,2026-01-02,5,5,EA\n"))  # fmt: skip
    assert result.rows_changed == 1
    with reader(db) as con:
        assert con.execute("SELECT quantity FROM demand_history ORDER BY demand_date").fetchall() == [(2.0,), (5.0,)]  # fmt: skip


def test_a_failure_half_way_leaves_the_store_as_it_was(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write(tmp_path, "d1.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,2,2,EA\n")
    second = write(tmp_path, "d2.csv", "记录仪编号,记录时间,温度\nLG1,2026-01-01 00:00:00,4\n")
    before = db.read_bytes()
    real = upsert_module.upsert

    def fail_on_readings(con: duckdb.DuckDBPyConnection, spec, present):  # type: ignore[no-untyped-def]
        if spec.name == "temperature_readings":
            raise OSError("disk full")
        return real(con, spec, present)

    monkeypatch.setattr(upsert_module, "upsert", fail_on_readings)
    with pytest.raises(OSError, match="disk full"):
        import_files(db, [ImportRequest("erp", good), ImportRequest("coldchain", second)])
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.glob(".replen-*")) == []


def test_every_loaded_row_traces_back_to_its_file_and_row(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,1,1,EA\n\"ａｂｃ１２３\",CW-SH,2026/01/02,\"1,200\",0,EA\n")  # fmt: skip
    result = import_file(db, "erp", path)
    raw = trace(db, "demand_history", "ABC123", "CW-SH", "2026-01-02")
    assert raw[["load_id", "file_name", "source_row"]].values.tolist() == [
        [result.load_id, str(path), 3]
    ]
    assert raw[["物料编码", "需求日期", "需求数量"]].values.tolist() == [["ａｂｃ１２３", "2026/01/02", "1,200"]]  # fmt: skip


def test_xlsx_exports_import_like_csv(db: Path, tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Supplier": ["SUP-1", "SUP-2"], "Supplier Name": ["Huaxin", "Corrib"],
        "Country": ["China", "Ireland"], "Domestic": [True, False],
        "Cold Chain Capable": ["是", "否"], "Qualification Status": ["合格", "approved"],
        "Qualified Until": [pd.Timestamp("2028-01-31"), None],
    })  # fmt: skip
    path = tmp_path / "suppliers.xlsx"
    frame.to_excel(path, index=False)
    result = import_file(db, "erp", path)
    assert (result.encoding, result.rows_loaded, result.rows_quarantined) == ("xlsx", 2, 0)
    with reader(db) as con:
        rows = con.execute("SELECT supplier_id, is_domestic, is_cold_chain_capable, "
                           "qualification_status, CAST(qualified_until AS VARCHAR) FROM suppliers "
                           "ORDER BY 1").fetchall()  # fmt: skip
    assert rows == [("SUP-1", True, True, "approved", "2028-01-31"),
                    ("SUP-2", False, False, "approved", None)]  # fmt: skip


def test_same_gtin_under_another_code_is_listed_and_confirming_maps_it(
    db: Path, tmp_path: Path
) -> None:
    text = ("物料编码,商品条码,物料描述,物料类别,生产厂家,管理类别,关键程度,标准成本,上市日期\n"
            "OLD-0002,06935208001013,Nitrile gloves size S,surgical_consumable,Jiangnan Surgical,"
            "I,high,0.7,2014-05-09\n")  # fmt: skip
    result = import_file(db, "erp", write(tmp_path, "old.csv", text))
    assert [(q.row, q.column, q.rule) for q in result.quarantine] == [
        (2, "商品条码", "duplicate_gtin")
    ]
    with reader(db) as con:
        assert con.execute("SELECT item_id, duplicate_of, rule, status FROM duplicate_candidates").fetchall() == [("OLD-0002", "SRG000002", "same_gtin", "open")]  # fmt: skip
    confirm_duplicate(db, "OLD-0002", "SRG000002", by="qa.li")
    demand = import_file(db, "erp", write(tmp_path, "d.csv", DEMAND_HEADER + "OLD-0002,CW-SH,2026-01-01,7,7,EA\n"))  # fmt: skip
    assert demand.rows_loaded == 1
    with reader(db) as con:
        assert con.execute("SELECT item_id, quantity FROM demand_history").fetchall() == [("SRG000002", 7.0)]  # fmt: skip


def test_similar_descriptions_are_listed_but_other_sizes_are_not(db: Path, tmp_path: Path) -> None:
    text = ("物料编码,商品条码,物料描述,物料类别,生产厂家,管理类别,关键程度,标准成本,上市日期\n"
            "SRG000009,06935208001112,\"NITRILE examination gloves , powder free, size S\",x,"
            "Jiangnan Surgical,I,high,0.7,2014-05-09\n"
            "SRG000010,06935208001129,\"Nitrile examination gloves, powder-free, size M\",x,"
            "Jiangnan Surgical,I,high,0.7,2014-05-09\n")  # fmt: skip
    import_file(db, "erp", write(tmp_path, "new.csv", text))
    with reader(db) as con:
        found = con.execute(
            "SELECT item_id, duplicate_of, rule FROM duplicate_candidates"
        ).fetchall()
    assert found == [("SRG000009", "SRG000002", "similar_description")]


def test_the_cli_imports_prints_a_summary_and_refuses_clearly(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,1,1,EA\nNOPE,CW-SH,2026-01-01,1,1,EA\n")  # fmt: skip
    result = CliRunner().invoke(cli, ["import", "erp", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (
        "d.csv → demand_history" in result.output
        and "2 read, 1 loaded, 1 quarantined" in result.output
    )
    assert "error: d.csv, row 3, column 物料编码: 'NOPE': not in the item master" in result.output
    empty = write(tmp_path, "e.csv", "")
    failed = CliRunner().invoke(cli, ["import", "erp", str(empty), "--db", str(db)])
    assert failed.exit_code == 6
    assert "replen: error: e.csv: the file is empty" in failed.output


def test_table_specs_match_the_store_schema(tmp_path: Path) -> None:
    with writer(tmp_path / "s.duckdb", create=True) as con:
        for name, spec in TABLES.items():
            rows = con.execute("SELECT column_name, is_nullable FROM duckdb_columns() WHERE table_name = ? AND column_name <> 'load_id' ORDER BY column_index", [name]).fetchall()  # fmt: skip
            assert [r[0] for r in rows] == list(spec.names), name
            for (column, nullable), column_spec in zip(rows, spec.columns, strict=True):
                assert nullable == (not column_spec.required), (name, column)
            assert all(c.kind in ValueKind for c in spec.columns)


@pytest.mark.parametrize("share", [1.0, -1.0], ids=["dictionary", "per_row"])
def test_a_qms_export_may_name_the_manufacturers_lot_number(
    store_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    """QMS systems know the lot number on the label (AI 10), not our lot id: a number only one
    lot carries resolves to that lot; one two lots share is quarantined, not guessed. Both
    ways of cleaning a column (once per distinct value, or per row) resolve alike."""
    from replenlib.io import load as load_module

    monkeypatch.setattr(load_module, "DICTIONARY_SHARE", share)
    with writer(store_copy) as con:
        first, second = con.execute(
            "SELECT lot_id, item_id, supplier_id, lot_number, manufacture_date FROM lots "
            "ORDER BY lot_id LIMIT 2"
        ).fetchall()
        twin = ("LOT-TWIN", second[1], second[2], first[3], second[4])  # first's number again
        con.execute("INSERT INTO lots VALUES (?, ?, ?, ?, ?, NULL, 1, 'passed')", list(twin))
    header = "检验单号,批次,收货单号,检验日期,检验结果,不合格原因\n"
    rows = f"QX1,{second[3]},,2026-09-30,不合格,label\nQX2,{first[3]},,2026-09-30,合格,\n"
    result = import_file(store_copy, "qms", write(tmp_path, "来料检验.csv", header + rows))
    with reader(store_copy) as con:
        stored = con.execute(
            "SELECT inspection_id, lot_id FROM inspections WHERE inspection_id LIKE 'QX%'"
        ).fetchall()
    assert stored == [("QX1", second[0])]
    (row,) = result.quarantine
    assert (row.row, row.column, row.rule) == (3, "批次", "unknown_reference")
