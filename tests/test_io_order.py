"""An export sorted by its key is appended without sorting it again; the results never
depend on the order of the rows in the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from replenlib.io import import_file
from replenlib.store import reader
from tests.io_helpers import write

READINGS = "记录仪编号,记录时间,温度,存放仓库\n"


@pytest.fixture
def db(erp_base_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(erp_base_store, copy)
    return copy


def _readings(count: int, order: list[int]) -> str:
    lines = [f"LG1,2026-01-01 00:{m:02d}:00,4.0,CW-SH\n" for m in range(count)]
    return READINGS + "".join(lines[k] for k in order)


def test_sorted_and_shuffled_readings_load_the_same(db: Path, tmp_path: Path) -> None:
    sorted_file = write(tmp_path, "sorted.csv", _readings(50, list(range(50))))
    shuffled = write(tmp_path, "shuffled.csv", _readings(50, [*range(25, 50), *range(25)]))
    other = tmp_path / "other.duckdb"
    shutil.copyfile(db, other)
    first = import_file(db, "coldchain", sorted_file)
    second = import_file(other, "coldchain", shuffled)
    assert (first.rows_loaded, first.rows_changed, first.reasons) == (50, 50, {})
    assert (second.rows_loaded, second.rows_changed) == (50, 50)
    assert second.reasons == {"out_of_order": 25}  # rows 27-51 are earlier than rows 2-26
    sql = "SELECT * FROM temperature_readings ORDER BY ALL"
    with reader(db) as a, reader(other) as b:
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall()


def test_a_sorted_file_with_a_repeated_key_still_merges_and_quarantines(
    db: Path, tmp_path: Path
) -> None:
    rows = [0, 1, 1, 2, 3, 3]  # row 4 repeats row 3 exactly; rows 6 and 7 differ
    text = READINGS + "".join(
        f"LG1,2026-01-01 00:{m:02d}:00,{4.5 if k == 5 else 4.0},CW-SH\n" for k, m in enumerate(rows)
    )
    result = import_file(db, "coldchain", write(tmp_path, "dups.csv", text))
    assert (result.rows_loaded, result.duplicates_merged, result.rows_quarantined) == (4, 1, 2)
    assert {(q.row, q.rule) for q in result.quarantine} == {
        (6, "duplicate_key"),
        (7, "duplicate_key"),
    }
