"""The ``replen recall``, ``replen suppliers`` and ``replen trace`` commands on the hand-made
store of :mod:`tests.test_trace_store`; and the supply stage switching to the backup."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from replenlib.cli import cli
from replenlib.pipeline.supply_stage import recall_replenishment, series_supply
from replenlib.store import reader, writer
from tests.test_trace_store import AS_OF, build_store


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_store(tmp_path_factory.mktemp("cli") / "trace.duckdb")
    with writer(path) as con:  # a run whose policy the recall's replenishment need uses
        con.execute(
            "INSERT INTO runs VALUES ('R1', ?, ?, ?, 1, 'succeeded', 1, 0, 'test')",
            [datetime(2026, 3, 15, 2), datetime(2026, 3, 15, 2), AS_OF],
        )
        con.execute(
            "INSERT INTO policy_parameters (run_id, item_id, location_id, tier, service_measure, "
            "service_target, supplier_id, source_location_id, lead_time_mean_days, "
            "lead_time_std_days, review_period_days, safety_stock, reorder_point, order_up_to, "
            "order_quantity, unit_cost) VALUES ('R1', 'STENT', 'CW', 'critical', "
            "'cycle_service_level', 0.99, 'SUP-A', NULL, 60, 10, 0, 2, 5, 10, 5, 5000)"
        )
    return path


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "trace.duckdb"
    shutil.copyfile(template, copy)
    return copy


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_recall_prints_the_scope_and_writes_exports(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = run("recall", "--lot", "L-ST1", "--no-report", "--out", str(out), "--db", str(store))
    assert result.exit_code == 0, result.output
    assert "1 lots · 3 units in stock at 2 locations · 1 in transit · 2 issued to 2 customers" in (
        result.output
    )
    book = pd.read_excel(out / "recall-L-ST1-2026-03-15.xlsx", sheet_name=None)
    assert set(book) == {"lots", "stock", "transit", "customers", "units", "routes", "issue_lines"}
    assert book["issue_lines"]["reference"].fillna("").tolist() == ["PROC-0042", ""]
    assert len(book["units"]) == 6
    customers = pd.read_csv(out / "recall-L-ST1-2026-03-15-customers.csv")
    assert customers["customer_id"].tolist() == ["C1", "C3"]
    assert not list(out.glob(".tmp-*"))


def test_recall_matching_nothing_fails_with_a_clear_message(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        cli, ["recall", "--supplier", "NOPE", "--no-report", "--out", str(out), "--db", str(store)]
    )
    assert result.exit_code == 6
    assert "replen: error: recall matches no lot: supplier NOPE → 0 lots" in result.output
    assert not out.exists()  # no empty report, no empty export


def test_quarantine_needs_a_reason_and_a_name(store: Path) -> None:
    before = store.read_bytes()
    result = CliRunner().invoke(
        cli, ["recall", "--lot", "L-ST1", "--quarantine", "--db", str(store)]
    )
    assert result.exit_code == 6 and "--quarantine needs --reason and --by" in result.output
    assert store.read_bytes() == before


def test_quarantine_blocks_the_supplier_and_the_backup_takes_over(
    store: Path, tmp_path: Path
) -> None:
    result = run(
        "recall",
        "--lot",
        "L-ST1",
        "--quarantine",
        "--reason",
        "FSN 2026-14",
        "--by",
        "qa.lead",
        "--block-supplier",
        "--recall-id",
        "RC-9",
        "--no-report",
        "--out",
        str(tmp_path),
        "--db",
        str(store),
    )
    assert result.exit_code == 0, result.output
    assert "recall RC-9: 3 units quarantined at 2 item-locations" in result.output
    assert "blocked supplier SUP-A for item STENT" in result.output
    with reader(store) as con:
        need = recall_replenishment(
            con,
            pd.DataFrame({"item_id": ["STENT"], "location_id": ["CW"], "quantity": [2.0]}),
            AS_OF,
        )
        series = con.execute(
            "SELECT * FROM item_location JOIN items USING (item_id) ORDER BY item_id, location_id"
        ).df()
        supply = series_supply(con, series.assign(is_active=True), AS_OF)
    # position after: 0 usable + 4 on order (PO3) = 4 <= s = 5 -> order up to S = 10: need 6
    row = need.iloc[0]
    assert (row["position_after"], row["need"], row["supplier_id"]) == (4.0, 6.0, "SUP-B")
    assert row["sourcing"].startswith("backup SUP-B (grade -): primary SUP-A blocked — recall RC-9")
    stent_cw = supply.series.set_index(["item_id", "location_id"]).loc[("STENT", "CW")]
    assert stent_cw["supplier_id"] == "SUP-B" and stent_cw["unit_price"] == 5100.0
    assert supply.usable_on_hand.tolist() == [100.0, 0.0, 0.0, 0.0]  # REAG@CW; stents recalled


def test_suppliers_and_trace_commands(store: Path) -> None:
    result = run("suppliers", "--db", str(store), "--as-of", "2026-03-15")
    assert result.exit_code == 0 and "SUP-A" in result.output and "SUP-B" in result.output
    result = run("trace", "lot", "L-ST1", "--db", str(store))
    assert "S:SUP-A → L:CW → L:DC → L:H1 → C:C1" in result.output
    result = run("trace", "serial", "S1", "--db", str(store))
    assert result.output.count("transfer") == 2 and "now: issued C1" in result.output
    assert (
        run(
            "trace", "hold", "L-RG1", "--reason", "label", "--by", "qa", "--db", str(store)
        ).exit_code
        == 0
    )
    result = run(
        "trace", "release", "L-RG1", "--reason", "ok", "--by", "qa.lead", "--db", str(store)
    )
    assert "1 hold(s) on L-RG1 released" in result.output
    result = run(
        "trace",
        "inspect",
        "L-RG1",
        "--result",
        "failed",
        "--reason",
        "seal",
        "--date",
        "2026-03-15",
        "--db",
        str(store),
    )
    assert result.exit_code == 0
    with reader(store) as con:
        status = con.execute("SELECT inspection_status FROM lots WHERE lot_id = 'L-RG1'")
        assert status.fetchall() == [("failed",)]


def test_what_if_block_moves_sourcing_to_the_backup_without_writing(store: Path) -> None:
    from replenlib.store.sourcing_data import sourcing_candidates, sourcing_decisions

    before = store.read_bytes()
    blocks = pd.DataFrame(
        {"supplier_id": ["SUP-A"], "item_id": [None], "reason": ["scenario: SUP-A blocked"]}
    )
    with reader(store) as con:
        today = sourcing_decisions(sourcing_candidates(con, AS_OF)).set_index("item_id")
        what_if = sourcing_decisions(
            sourcing_candidates(con, AS_OF, what_if_blocks=blocks)
        ).set_index("item_id")
    assert today.loc["STENT", "supplier_id"] == "SUP-A"
    assert what_if.loc["STENT", "supplier_id"] == "SUP-B"
    assert what_if.loc["REAG", "sourcing_reason"] == "no_eligible_supplier"
    assert what_if.loc["REAG", "sourcing_text"] == "no eligible supplier: scenario: SUP-A blocked"
    assert store.read_bytes() == before
