"""The bad-input catalogue of issue 4: one test per entry.

Each test asserts the message (file, row, column, what was expected) and that nothing was
lost: a refused file leaves the store byte for byte as it was; a file with bad rows loads the
good ones and puts every bad one in the quarantine table, so read = loaded + quarantined.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from replenlib.errors import InputDataError
from replenlib.io import import_file
from replenlib.io import load as load_module
from replenlib.io.result import LoadResult
from replenlib.store import reader
from tests.io_helpers import DEMAND_HEADER, write


@pytest.fixture
def db(erp_base_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(erp_base_store, copy)
    return copy


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with reader(db) as con:
        return con.execute(sql).fetchall()


def _nothing_lost(result: LoadResult) -> None:
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    errors = {q.row for q in result.quarantine if q.severity == "error"}
    assert len(errors) == result.rows_quarantined


def _refused(db: Path, kind: str, path: Path, match: str, mapping: Path | None = None) -> None:
    before = db.read_bytes()
    with pytest.raises(InputDataError, match=match):
        import_file(db, kind, path, mapping)
    assert db.read_bytes() == before


def _demand(tmp_path: Path, rows: str, name: str = "demand.csv", **kw: str) -> Path:
    return write(tmp_path, name, DEMAND_HEADER + rows, **kw)


def _messages(result: LoadResult) -> list[str]:
    return [q.message for q in result.quarantine]


def test_wrong_encoding_declared_in_the_mapping_is_refused(db: Path, tmp_path: Path) -> None:
    mapping = write(
        tmp_path,
        "m.yaml",
        (Path(load_module.__file__).parent / "mappings" / "erp_demand.yaml").read_text()
        + "encoding: utf-8\n",
    )
    path = _demand(tmp_path, "ABC123,CW-SH,2026-01-01,1,1,个\n", encoding="gb18030")
    _refused(db, "erp", path, r"demand\.csv, row 1, field 1: the mapping declares encoding "
             r"utf-8 but 2 rows are not utf-8; the file reads as gb18030 \(set `encoding: "
             r"gb18030`", mapping)  # fmt: skip


def test_a_mapping_declares_a_decimal_comma(db: Path, tmp_path: Path) -> None:
    """European ERP exports: ``;`` between fields, ``,`` before decimals, ``.`` in groups."""
    base = (Path(load_module.__file__).parent / "mappings" / "erp_demand.yaml").read_text()
    mapping = write(tmp_path, "m.yaml", base + 'decimal: ","\ndelimiter: ";"\n')
    rows = [
        "ABC123;CW-SH;2026-01-01;2,5;2,5;EA",
        "ABC123;CW-SH;2026-01-02;1.234,5;1.234;EA",
        "ABC123;CW-SH;2026-01-03;1.5;1;EA",
    ]
    path = write(tmp_path, "eu.csv", DEMAND_HEADER.replace(",", ";") + "\n".join(rows) + "\n")
    result = import_file(db, "erp", path, mapping)
    _nothing_lost(result)
    assert _rows(db, "SELECT quantity, quantity_shipped FROM demand_history ORDER BY 1") == [
        (2.5, 2.5),
        (1234.5, 1234.0),
    ]
    (row,) = result.quarantine
    assert (row.row, row.column, row.rule) == (4, "需求数量", "not_a_number")
    assert "thousands as 1.200; decimal comma ," in row.message
    wrong = write(tmp_path, "w.yaml", base + "decimal: ';'\n")
    _refused(db, "erp", path, r'w\.yaml: `decimal` must be "\." or ",", got \';\'', wrong)


def test_mixed_encoding_rows_are_quarantined_with_their_text(db: Path, tmp_path: Path) -> None:
    good = DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,1,1,件\nABC123,CW-SH,2026-01-02,2,2,件\n"
    bad = "ABC123,CW-SH,2026-01-03,3,3,箱\n".encode("gb18030")
    path = tmp_path / "mixed.csv"
    path.write_bytes(good.encode("utf-8") + bad)
    result = import_file(db, "erp", path)
    _nothing_lost(result)
    assert result.rows_loaded == 2 and result.rows_quarantined == 1
    (row,) = [q for q in result.quarantine if q.rule == "mixed_encoding"]
    assert (row.row, row.column, row.rule) == (4, "单位", "mixed_encoding")
    assert row.value is not None and "箱" in row.value  # decoded in its own encoding: kept
    assert "row is gb18030 while the file is utf-8" in row.message


def test_byte_order_mark_is_read_and_not_part_of_the_first_column(db: Path, tmp_path: Path) -> None:
    path = _demand(tmp_path, "ABC123,CW-SH,2026-01-01,4,4,EA\n", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = import_file(db, "erp", path)
    assert (result.encoding, result.rows_loaded, result.warnings) == ("utf-8-sig", 1, ())
    assert _rows(db, "SELECT quantity FROM demand_history") == [(4.0,)]


def test_gb18030_file_is_detected_and_read(db: Path, tmp_path: Path) -> None:
    text = "物料编码,仓库编码,需求日期,需求数量,发货数量,单位\nABC123,CW-SH,2026年1月5日,4,4,EA\n"
    result = import_file(db, "erp", write(tmp_path, "gbk.csv", text, encoding="gb18030"))
    assert (result.encoding, result.rows_loaded) == ("gb18030", 1)
    assert _rows(db, "SELECT CAST(demand_date AS VARCHAR) FROM demand_history") == [("2026-01-05",)]


def test_missing_required_column_refuses_the_file(db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path, "d.csv", "物料编码,仓库编码,需求日期,发货数量\nABC123,CW-SH,2026-01-01,1\n"
    )
    _refused(db, "erp", path, r"d\.csv, row 1 \(header\): missing required column "
             r"需求数量 / Requested Quantity \(quantity\)")  # fmt: skip
    mapping = Path(load_module.__file__).parent / "mappings" / "erp_demand.yaml"
    _refused(db, "erp", path, r"d\.csv, row 1 \(header\): missing required column "
             r"需求数量 / Requested Quantity \(quantity\) for demand_history \(mapping "
             r"erp_demand\)", mapping)  # fmt: skip


def test_extra_unknown_columns_are_ignored_with_a_warning(db: Path, tmp_path: Path) -> None:
    text = "备注," + DEMAND_HEADER.strip() + ",Remark\nhello,ABC123,CW-SH,2026-01-01,1,1,EA,x\n"
    result = import_file(db, "erp", write(tmp_path, "extra.csv", text))
    assert result.rows_loaded == 1
    assert result.warnings == (
        "extra.csv, row 1: columns not in mapping erp_demand were ignored: 备注, Remark",
    )
    assert _rows(db, "SELECT warnings FROM loads ORDER BY load_id DESC LIMIT 1") == [
        (result.warnings[0],)
    ]


def test_empty_file_and_header_only_file_are_refused(db: Path, tmp_path: Path) -> None:
    _refused(db, "erp", write(tmp_path, "empty.csv", ""), r"empty\.csv: the file is empty")
    _refused(db, "erp", _demand(tmp_path, "", "header.csv"),
             r"header\.csv: the file has a header row but no data rows")  # fmt: skip


def test_duplicate_keys_identical_merge_conflicting_quarantine(db: Path, tmp_path: Path) -> None:
    rows = (
        "ABC123,CW-SH,2026-01-01,1,1,EA\n"
        "ABC123,CW-SH,2026-01-01,1,1,EA\n"  # identical: merged
        "ABC123,CW-SH,2026-01-02,1,1,EA\n"
        "ABC123,CW-SH,2026-01-02,5,5,EA\n"  # same key, other quantity: both out
    )
    result = import_file(db, "erp", _demand(tmp_path, rows))
    _nothing_lost(result)
    assert (result.duplicates_merged, result.rows_quarantined, result.rows_changed) == (1, 2, 1)
    assert [q.row for q in result.quarantine] == [4, 5]
    assert result.quarantine[0].column == "物料编码 + 仓库编码 + 需求日期"
    assert (
        "key item_id=ABC123, location_id=CW-SH, demand_date=2026-01-02 is repeated with "
        "different values in rows 4, 5" in result.quarantine[0].message
    )


def test_negative_non_numeric_and_thousands_separated_quantities(db: Path, tmp_path: Path) -> None:
    rows = (
        'ABC123,CW-SH,2026-01-01,"1,200","1,200",EA\n'
        "ABC123,CW-SH,2026-01-02,-3,0,EA\n"
        "ABC123,CW-SH,2026-01-03,abc,1,EA\n"
        'ABC123,CW-SH,2026-01-04,"1,5",1,EA\n'
    )
    result = import_file(db, "erp", _demand(tmp_path, rows))
    _nothing_lost(result)
    assert _messages(result) == [
        "demand.csv, row 3, column 需求数量: '-3': expected a value ≥ 0",
        "demand.csv, row 4, column 需求数量: 'abc': expected a number (thousands as 1,200; "
        "decimal point .)",
        "demand.csv, row 5, column 需求数量: '1,5': expected a number (thousands as 1,200; "
        "decimal point .)",
    ]
    assert _rows(db, "SELECT quantity, quantity_shipped FROM demand_history") == [(1200.0, 1200.0)]


def test_several_date_formats_load_and_impossible_dates_are_quarantined(
    db: Path, tmp_path: Path
) -> None:
    rows = (
        "ABC123,CW-SH,2026-01-01,1,1,EA\n"
        "ABC123,CW-SH,2026/01/02,1,1,EA\n"
        "ABC123,CW-SH,20260103,1,1,EA\n"
        "ABC123,CW-SH,04.01.2026,1,1,EA\n"
        "ABC123,CW-SH,2026年1月5日,1,1,EA\n"
        "ABC123,CW-SH,2026-02-30,1,1,EA\n"
        "ABC123,CW-SH,yesterday,1,1,EA\n"
    )
    result = import_file(db, "erp", _demand(tmp_path, rows))
    _nothing_lost(result)
    days = _rows(db, "SELECT day(demand_date) FROM demand_history ORDER BY demand_date")
    assert days == [(1,), (2,), (3,), (4,), (5,)]
    assert _messages(result) == [
        "demand.csv, row 7, column 需求日期: '2026-02-30': no such calendar date",
        "demand.csv, row 8, column 需求日期: 'yesterday': expected a date as %Y-%m-%d or "
        "%Y/%m/%d or %Y.%m.%d or %Y%m%d",
    ]


def test_unknown_unit_is_quarantined_and_known_units_convert(db: Path, tmp_path: Path) -> None:
    rows = "SRG000002,CW-SH,2026-01-01,3,3,BX10\nSRG000002,CW-SH,2026-01-02,3,3,BOX\n"
    result = import_file(db, "erp", _demand(tmp_path, rows))
    _nothing_lost(result)
    assert _messages(result) == [
        "demand.csv, row 3, column 单位: 'BOX': unknown unit of measure for this item "
        "(known: EA, BX10)"
    ]
    assert _rows(db, "SELECT quantity FROM demand_history") == [(30.0,)]  # box of 10 → 10 each


def test_item_code_not_in_master_is_quarantined(db: Path, tmp_path: Path) -> None:
    result = import_file(db, "erp", _demand(tmp_path, "XYZ999,CW-SH,2026-01-01,1,1,EA\n"))
    _nothing_lost(result)
    assert _messages(result) == [
        "demand.csv, row 2, column 物料编码: 'XYZ999': not in the item master (item code, old "
        "code, supplier code or GTIN of any packaging level)"
    ]
    assert _rows(db, "SELECT count(*) FROM demand_history") == [(0,)]


def test_full_width_and_padded_codes_are_cleaned(db: Path, tmp_path: Path) -> None:
    rows = 'ＡＢＣ１２３,CW-SH,2026-01-01,1,1,EA\n" abc123 ",ｃｗ－ｓｈ,2026-01-02,2,2,ＥＡ\n'
    result = import_file(db, "erp", _demand(tmp_path, rows))
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert _rows(db, "SELECT DISTINCT item_id, location_id FROM demand_history") == [
        ("ABC123", "CW-SH")
    ]


def test_bad_gs1_check_digit_and_impossible_expiry_are_quarantined(
    db: Path, tmp_path: Path
) -> None:
    text = (
        "扫码仓库,扫码时间,条码内容,业务类型\n"
        "CW-SH,2026-01-05 09:00:00,(01)06935208001013(17)281231(10)L1(21)S1,入库\n"
        "CW-SH,2026-01-05 09:01:00,(01)06935208001014(17)281231(10)L1(21)S2,入库\n"
        "CW-SH,2026-01-05 09:02:00,(01)06935208001013(17)280230(10)L1(21)S3,入库\n"
        "CW-SH,2026-01-05 09:03:00,]C1011693520800101017281200<GS>10L2<GS>21S4,入库\n"
    )
    result = import_file(db, "udi", write(tmp_path, "scans.csv", text))
    _nothing_lost(result)
    assert [(q.row, q.column, q.rule) for q in result.quarantine] == [
        (3, "条码内容", "gtin_check_digit"),
        (4, "条码内容", "impossible_expiry"),
    ]
    assert "Expected 3, got 4" in result.quarantine[0].message
    assert _rows(db, "SELECT item_id, lot_number, CAST(expiry_date AS VARCHAR) FROM udi_scans "
                     "ORDER BY scanned_at") == [
        ("SRG000002", "L1", "2028-12-31"),
        ("SRG000002", "L2", "2028-12-31"),  # box GTIN, day 00 = last day of the month
    ]  # fmt: skip


def _readings(tmp_path: Path, rows: str) -> Path:
    return write(tmp_path, "t.csv", "记录仪编号,记录时间,温度,存放仓库\n" + rows)


def test_temperature_readings_out_of_order_are_flagged_duplicates_handled(
    db: Path, tmp_path: Path
) -> None:
    rows = (
        "LG1,2026-01-01 00:00:00,4.1,CW-SH\n"
        "LG1,2026-01-01 02:00:00,4.3,CW-SH\n"
        "LG1,2026-01-01 01:00:00,4.2,CW-SH\n"  # out of order: loads, flagged
        "LG1,2026-01-01 02:00:00,4.3,CW-SH\n"  # duplicated reading: merged
        "LG2,2026-01-01 00:00:00,5.0,CW-SH\n"
        "LG2,2026-01-01 00:00:00,9.0,CW-SH\n"  # same time, other value: both out
    )
    result = import_file(db, "coldchain", _readings(tmp_path, rows))
    _nothing_lost(result)
    assert (result.rows_loaded, result.duplicates_merged, result.rows_quarantined) == (4, 1, 2)
    flagged = [q for q in result.quarantine if q.severity == "warning"]
    assert [(q.row, q.column, q.rule) for q in flagged] == [(4, "记录时间", "out_of_order")]
    assert "earlier than 2026-01-01 02:00:00, read in an earlier row for logger LG1" in (
        flagged[0].message
    )
    assert _rows(db, "SELECT count(*) FROM temperature_readings") == [(3,)]


def test_malformed_rows_are_quarantined_with_their_text(db: Path, tmp_path: Path) -> None:
    rows = (
        "ABC123,CW-SH,2026-01-01,1,1,EA\nABC123,CW-SH,2026-01-02\nABC123,CW-SH,2026-01-03,1,1,EA\n"
    )
    result = import_file(db, "erp", _demand(tmp_path, rows))
    _nothing_lost(result)
    (row,) = result.quarantine
    assert (row.row, row.rule, row.value) == (3, "malformed_row", "ABC123,CW-SH,2026-01-02")
    assert _rows(db, "SELECT count(*) FROM demand_history") == [(2,)]


def test_a_large_file_is_validated_in_bounded_chunks(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streaming path: DuckDB reads the file, pandas only ever sees CHUNK_ROWS rows."""
    seen: list[int] = []
    real = load_module._distinct_chunks

    def spy(con: duckdb.DuckDBPyConnection, name: str):  # type: ignore[no-untyped-def]
        for chunk in real(con, name):
            seen.append(len(chunk))
            yield chunk

    monkeypatch.setattr(load_module, "CHUNK_ROWS", 500)
    monkeypatch.setattr(load_module, "_distinct_chunks", spy)
    lines = [f"ABC123,CW-SH,{2000 + k // 365}-01-01,{k},{k},EA" for k in range(0)]
    days = [f"2020-01-01 {h:02d}" for h in range(0)]
    assert not lines and not days
    rows = "".join(
        f"LG{k % 7},2026-01-01 00:00:00,{k % 40 / 10:.1f},CW-SH\n".replace(
            "00:00:00", f"{k // 7 // 3600 % 24:02d}:{k // 7 // 60 % 60:02d}:{k // 7 % 60:02d}"
        )
        for k in range(20_000)
    )
    result = import_file(db, "coldchain", _readings(tmp_path, rows))
    assert result.rows_loaded == 20_000
    assert seen and max(seen) <= 500
    assert _rows(db, "SELECT count(*) FROM temperature_readings") == [(20_000,)]
