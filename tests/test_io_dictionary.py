"""Cleaning once per distinct value (a dictionary) gives exactly the rows of cleaning per row.

The import cleans a low-cardinality source column through a dictionary of its distinct values
and a high-cardinality one row by row (``replenlib.io.transform``). Both ways must load the
same rows, quarantine the same rows with the same reasons and record the same lineage: each
test imports the same files twice, once with every column through a dictionary and once with
none, and compares every table of the two stores.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from replenlib.io import ImportRequest, import_files
from replenlib.io import load as load_module
from replenlib.io.mapping import SourceKind
from replenlib.io.transform import CleanPlan
from replenlib.store import reader
from tests.io_helpers import DEMAND_HEADER, base_files, write

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
DIRTY_DEMAND = DEMAND_HEADER + "".join(
    f"{code},{location},{date},{quantity},{shipped},{unit}\n"
    for code, location, date, quantity, shipped, unit in [
        ("ABC123", "CW-SH", "2026-01-01", "2", "2", "EA"),
        ('" abc123 "', " cw-sh", "2026/01/02", '"1,200"', "0", "ea"),
        ("ＡＢＣ１２３", "CW-SH", "2026.01.03", "3", "#N/A", "EA"),
        ("5391842001016", "DC-BJ", "20260104", "4", "4", ""),
        ("SRG000002", "DC-BJ", "2026-01-05", "2", "2", "BX10"),
        ("SRG000002", "DC-BJ", "2026-01-06", "1", "1", "BOX"),
        ("ZZ-NONE", "DC-BJ", "2026-01-07", "1", "1", "EA"),
        ("ABC123", "XX-NONE", "2026-02-30", "-4", "twelve", "EA"),
        ("ABC123", "CW-SH", "05.01.2026", '"1,5"', "1", "EA"),
        ("", "CW-SH", "2026-01-08", "1", "1", "EA"),
        ("ABC123", "CW-SH", "2026-01-01", "2", "2", "EA"),
        ("ABC123", "DC-BJ", "2026-01-09", "5", "5", "EA"),
        ("ABC123", "DC-BJ", "2026-01-09", "6", "6", "EA"),
        ("ABC123", "CW-SH", "N/A", "1", "1", "EA"),
        ("ABC123", "XX-NONE", "2026-01-10", "1", "1", "EA"),
        ("ABC123", "CW-SH", "2026-01-11", "-4", "0", "EA"),
    ]
)


def _import_both_ways(
    db: Path, requests: list[ImportRequest], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """Import ``requests`` into two copies of ``db``: all columns through dictionaries / none."""
    plans: list[CleanPlan] = []
    real = load_module.clean_table_sql

    def spy(plan: CleanPlan) -> str:
        plans.append(plan)
        return real(plan)

    monkeypatch.setattr(load_module, "clean_table_sql", spy)
    stores = []
    for name, share in (("dictionary", 1.0), ("per_row", -1.0)):
        store = tmp_path / f"{name}.duckdb"
        if db.exists():
            shutil.copyfile(db, store)
        monkeypatch.setattr(load_module, "DICTIONARY_SHARE", share)
        plans.clear()
        import_files(store, requests)
        used = [bool(p.dictionary) for p in plans]
        assert used and all(used) if share > 0 else not any(used)
        stores.append(store)
    return stores[0], stores[1]


def _contents(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every main table's rows, sorted (``loads`` without its time stamp and file path, the
    audit trail without its time stamps and the hashes over them)."""
    out = {}
    with reader(db) as con:
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
        for (table,) in tables:
            if table in ("schema_version", "audit_head"):
                continue
            if table == "loads":
                sql = (
                    "SELECT load_id, table_name, mapping, rows_read, rows_loaded, "
                    "rows_quarantined, duplicates_merged, rows_changed, latest_date FROM loads"
                )
            elif table == "audit_log":
                sql = "SELECT seq, actor, action, entity, entity_id, details FROM audit_log"
            else:
                sql = f'SELECT * FROM "{table}"'
            out[table] = sorted(con.execute(sql).fetchall(), key=repr)
    return out


def test_dirty_demand_loads_the_same_through_dictionaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "base.duckdb"
    import_files(base, [ImportRequest("erp", p) for p in base_files(tmp_path)])
    demand = write(tmp_path, "demand.csv", DIRTY_DEMAND)
    one, two = _import_both_ways(base, [ImportRequest("erp", demand)], tmp_path, monkeypatch)
    first, second = _contents(one), _contents(two)
    assert first == second
    # rows 2, 3, 5 (a GTIN-13) and 6 (a box of 10) load; row 12 repeats row 2 (merged)
    assert [r[3] for r in first["demand_history"]] == [2.0, 1200.0, 4.0, 20.0]
    assert {q[6] for q in first["quarantine"]} >= {
        "unknown_item", "unknown_unit", "impossible_date", "not_a_number", "required",
        "duplicate_key", "range", "unknown_reference",
    }  # fmt: skip


def test_every_sample_loads_the_same_through_dictionaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(
        (kind.value, p)
        for kind in SourceKind
        for p in (SAMPLES / kind.value).iterdir()
        if p.suffix in (".csv", ".xlsx")
    )
    requests = [ImportRequest(kind, path) for kind, path in files]
    one, two = _import_both_ways(tmp_path / "none.duckdb", requests, tmp_path, monkeypatch)
    first, second = _contents(one), _contents(two)
    assert first == second
    assert sum(len(rows) for rows in first.values()) > 1000
