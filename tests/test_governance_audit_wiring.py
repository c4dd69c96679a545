"""Every governed action leaves an audit entry, in the same writer block, and the chain verifies:
imports, recall quarantines, lot holds and releases, strategy overrides."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from replenlib.cli import cli
from replenlib.governance import audit
from replenlib.governance.lot_actions import place_hold, release_holds
from replenlib.governance.policy_versions import add_override, create_version
from replenlib.io import ImportRequest, import_files
from replenlib.plan.thresholds import PlanThresholds
from replenlib.policy.strategy import Override, Segment, ServiceMeasure, Strategy, Tier
from replenlib.store import reader, writer
from replenlib.trace.lots import HoldKind
from tests.io_helpers import DEMAND_HEADER, base_files, write
from tests.test_trace_store import build_store


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _entries(db: Path) -> pd.DataFrame:
    with reader(db) as con:
        return con.execute(
            "SELECT seq, actor, action, entity, entity_id, details FROM audit_log ORDER BY seq"
        ).df()


def _verified(db: Path) -> None:
    result = run("audit", "verify", "--db", str(db))
    assert result.exit_code == 0, result.output
    with reader(db) as con:
        assert audit.verify(con).ok


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("wiring") / "trace.duckdb")


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(template, tmp_path / "trace.duckdb"))


def test_each_import_writes_one_entry(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    files = base_files(tmp_path)
    import_files(db, [ImportRequest("erp", p) for p in files], actor="data.steward")
    log = _entries(db)
    assert list(log["action"]) == ["import"] * 3 and set(log["actor"]) == {"data.steward"}
    with reader(db) as con:
        loads = con.execute("SELECT load_id, file_name, rows_read FROM loads ORDER BY 1").df()
    assert sorted(log["entity_id"].astype(int)) == sorted(loads["load_id"])
    details = json.loads(log["details"].iloc[0])
    assert details["file"] in {p.name for p in files} and details["rows_read"] > 0
    # the same bytes again: skipped, no load, no entry; a new file: one more entry
    import_files(db, [ImportRequest("erp", files[0])])
    demand = write(tmp_path, "d.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-01,2,2,EA\n")
    import_files(db, [ImportRequest("erp", demand)])
    log = _entries(db)
    assert len(log) == 4 and log["actor"].iloc[-1] == "system"
    assert json.loads(log["details"].iloc[-1])["table"] == "demand_history"
    # the command line names who imports (ROLE/USER, checked like every other --as)
    more = write(tmp_path, "d2.csv", DEMAND_HEADER + "ABC123,CW-SH,2026-01-02,1,1,EA\n")
    assert (
        run("import", "erp", str(more), "--as", "data_steward/lin", "--db", str(db)).exit_code == 0
    )
    assert _entries(db)["actor"].iloc[-1] == "data_steward/lin"
    refused = CliRunner().invoke(cli, ["import", "erp", str(more), "--as", "lin", "--db", str(db)])
    assert refused.exit_code == 10 and "expected ROLE/USER such as planner/alice" in refused.stderr
    _verified(db)


def test_a_recall_quarantine_writes_one_entry(store: Path, tmp_path: Path) -> None:
    result = run(
        "recall", "--lot", "L-ST1", "--quarantine", "--reason", "FSN 2026-14", "--by",
        "qa.lead", "--recall-id", "RC-9", "--no-report", "--out", str(tmp_path), "--db", str(store),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    log = _entries(store)
    assert list(log["action"]) == ["recall"]
    entry = log.iloc[0]
    assert (entry["actor"], entry["entity"], entry["entity_id"]) == ("qa.lead", "recall", "RC-9")
    details = json.loads(entry["details"])
    assert details["lots"] == ["L-ST1"] and details["units_quarantined"] == 3.0
    assert details["reason"] == "FSN 2026-14"
    _verified(store)


def test_holds_and_releases_write_entries_and_fail_as_one(store: Path) -> None:
    with writer(store) as con:
        hold = place_hold(con, "L-ST1", kind=HoldKind.MANUAL, reason="label check", placed_by="qa")
    with writer(store) as con:
        assert release_holds(con, "L-ST1", released_by="qa.lead", reason="labels fine") == 1
    log = _entries(store)
    assert list(log["action"]) == ["hold", "release"]
    assert list(log["actor"]) == ["qa", "qa.lead"] and set(log["entity_id"]) == {"L-ST1"}
    assert json.loads(log["details"].iloc[0])["hold_id"] == hold
    assert json.loads(log["details"].iloc[1])["released"] == 1
    _verified(store)
    # a release that fails (nothing left to release) writes neither the release nor an entry
    before = store.read_bytes()
    with pytest.raises(Exception, match="no active hold"), writer(store) as con:
        release_holds(con, "L-ST1", released_by="qa.lead", reason="again")
    assert store.read_bytes() == before


def test_hold_and_release_commands_are_audited(store: Path) -> None:
    db = str(store)
    held = run("trace", "hold", "L-ST1", "--reason", "damaged box", "--by", "wh.anna", "--db", db)
    assert held.exit_code == 0, held.output
    freed = run("trace", "release", "L-ST1", "--reason", "box ok", "--by", "qa.li", "--db", db)
    assert freed.exit_code == 0, freed.output
    assert list(_entries(store)["action"]) == ["hold", "release"]
    _verified(store)


def test_strategy_overrides_write_one_entry_each(store: Path) -> None:
    item = Override(reason="sole-source stent", item_id="STENT", tier=Tier.CRITICAL)
    segment = Override(
        reason="reagents to fill rate",
        segment=Segment(is_cold_chain=True),
        service_measure=ServiceMeasure.FILL_RATE,
        service_target=0.97,
    )
    with writer(store) as con:
        first = add_override(con, item, author="planner.li", approved_by="head.wang")
        second = create_version(
            con,
            strategy=Strategy(overrides=(segment,)),  # the item row dropped, a segment row added
            thresholds=PlanThresholds(),
            author="planner.li",
            reason="segment rule instead",
            approved_by="head.wang",
        )
    log = _entries(store)
    assert list(log["action"]) == [
        "policy_create", "override", "policy_create", "override", "override",
    ]  # fmt: skip
    added = log.iloc[1]
    assert (added["actor"], added["entity_id"]) == ("planner.li", "item STENT")
    details = json.loads(added["details"])
    assert (details["change"], details["policy_version"]) == ("added", first)
    assert (details["reason"], details["item_id"], details["tier"]) == (
        "sole-source stent",
        "STENT",
        "critical",
    )
    changes = {
        (row.entity_id, json.loads(row.details)["change"]) for row in log.iloc[3:].itertuples()
    }
    assert changes == {
        ("item STENT", "removed"),
        ('segment {"is_cold_chain": true}', "added"),
    }
    assert all(json.loads(d)["policy_version"] == second for d in log["details"].iloc[3:])
    _verified(store)
