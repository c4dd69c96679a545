"""Supply and traceability on the small demo: the recall found completely, the trace index
consistent with the demo's own whereabouts, excursions found, reports rendered.

The demo is generated once for the module (``size="small"``) and the nightly run prepares the
store (cold-chain verdicts, holds, trace index) exactly as in production.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replenlib.demo import DemoData, generate
from replenlib.pipeline.nightly import run_nightly
from replenlib.reports.recall_report import export_scope, export_stem
from replenlib.reports.render import external_resources, render_notebook
from replenlib.reports.runner import render_report
from replenlib.store import reader, replace_tables, writer
from replenlib.store.lot_state import lot_stock
from replenlib.store.recall_scope import recall_scope
from replenlib.trace.recall import RecallSelector

CHECKOUT = Path(__file__).resolve().parents[1]
KERNEL_ENV = {"PYTHONPATH": str(CHECKOUT)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoData, Path]:
    data = generate("small", seed=42)
    store = tmp_path_factory.mktemp("demo") / "replen.duckdb"
    with writer(store, fresh=True) as con:
        replace_tables(con, data.tables)
    run_nightly(store)
    return data, store


def _recall_lots(data: DemoData) -> tuple[str, ...]:
    return tuple(sorted(data.tables["recall_lots"]["lot_id"]))


@pytest.mark.parametrize("use_index", [True, False])
def test_the_demo_recall_is_found_completely(demo: tuple[DemoData, Path], use_index: bool) -> None:
    data, store = demo
    truth = data.truth["recall_scope"]
    with reader(store) as con:
        scope = recall_scope(con, RecallSelector(lots=_recall_lots(data)), use_index=use_index)
    units = scope.units.set_index(["lot_id", "serial_number"]).sort_index()
    want = truth.set_index(["lot_id", "serial_number"]).sort_index()
    assert units.index.equals(want.index)  # every unit, no more
    assert (units["status"] == want["status"]).all()
    here = want["status"].isin(["in_stock", "in_transit"])
    assert (units.loc[here, "location_id"] == want.loc[here, "location_id"]).all()
    issued = want["status"] == "issued"
    assert (units.loc[issued, "customer_id"] == want.loc[issued, "customer_id"]).all()
    dates = pd.to_datetime(want.loc[issued, "issue_date"]).dt.date
    assert (units.loc[issued, "event_date"] == dates).all()
    # every customer with its quantity, and every stock point with its units
    per_customer = want[issued].groupby("customer_id")["quantity"].sum()
    got = scope.customers.groupby("customer_id")["quantity"].sum()
    pd.testing.assert_series_equal(got, per_customer, check_names=False)
    per_location = want[want["status"] == "in_stock"].groupby("location_id")["quantity"].sum()
    stock = scope.stock[scope.stock["quantity"] > 0].groupby("location_id")["quantity"].sum()
    pd.testing.assert_series_equal(stock, per_location, check_names=False)
    assert scope.complete


def test_trace_index_agrees_with_the_demo_whereabouts(demo: tuple[DemoData, Path]) -> None:
    data, store = demo
    with reader(store) as con:
        serials = con.execute(
            "SELECT item_id, serial_number, status, location_id, customer_id "
            "FROM trace_serial_state ORDER BY 1, 2"
        ).df()
        positions = con.execute(
            "SELECT lot_id, location_id, quantity FROM trace_lot_position "
            "WHERE quantity <> 0 ORDER BY 1, 2"
        ).df()
    want = data.tables["serials"].sort_values(["item_id", "serial_number"], ignore_index=True)
    assert len(serials) == len(want)
    assert (serials["status"].to_numpy() == want["status"].to_numpy()).all()
    stock = (
        data.tables["stock_on_hand"]
        .groupby(["lot_id", "location_id"], as_index=False)["quantity"]
        .sum()
        .sort_values(["lot_id", "location_id"], ignore_index=True)
    )
    merged = stock.merge(positions, on=["lot_id", "location_id"], how="outer", suffixes=("", "_t"))
    np.testing.assert_allclose(merged["quantity"].fillna(0), merged["quantity_t"].fillna(0))


def test_excursions_in_the_loggers_are_found(demo: tuple[DemoData, Path]) -> None:
    data, store = demo
    truth = data.truth["excursions"]
    with reader(store) as con:
        verdicts = con.execute("SELECT * FROM cold_chain_exposures").df()
    for row in truth.itertuples():  # 50 events: a loop over ground truth, not over data
        if pd.notna(row.shipment_id):
            found = verdicts[verdicts["record_id"] == f"S:{row.shipment_id}"]
        else:
            day = pd.Timestamp(row.start).normalize()
            days = {f"L:{row.logger_id}:{d:%Y-%m-%d}" for d in (day, day + timedelta(days=1))}
            found = verdicts[verdicts["record_id"].isin(days) & (verdicts["minutes_above"] > 0)]
        assert not found.empty, row
        assert found["max_c"].max() == pytest.approx(row.peak_temperature_c)
        assert (found["exposure"] != "safe").all()


def test_unusable_stock_never_counts(demo: tuple[DemoData, Path]) -> None:
    data, store = demo
    with reader(store) as con:
        lots = lot_stock(con, data.as_of)
    usable = lots[lots["usable"]]
    assert (usable["inspection"] == "passed").all()
    assert not usable["lot_id"].isin(data.tables["recall_lots"]["lot_id"]).any()
    assert (usable["holds"] == "").all()
    failed = data.tables["lots"].query("inspection_status == 'failed'")["lot_id"]
    assert set(lots.loc[lots["lot_id"].isin(failed), "lot_status"]) <= {
        "quarantined",
        "recalled",
        "expired",
    }


@pytest.mark.slow
def test_recall_report_and_exports_render_offline(
    demo: tuple[DemoData, Path], tmp_path: Path
) -> None:
    data, store = demo
    html = render_report("recall", db=store, out_dir=tmp_path, lang="zh", env=KERNEL_ENV)
    text = html.read_text(encoding="utf-8")
    assert external_resources(text) == [] and "plotly.js v" in text
    for lot in _recall_lots(data):
        assert lot in text
    with reader(store) as con:
        scope = recall_scope(con, RecallSelector(lots=_recall_lots(data)))
    paths = export_scope(scope, tmp_path, export_stem(scope, "RC"))
    book = pd.read_excel(paths[0], sheet_name="units")
    assert len(book) == len(data.truth["recall_scope"])


@pytest.mark.slow
def test_supply_trace_notebook_runs_on_the_demo(
    demo: tuple[DemoData, Path], tmp_path: Path
) -> None:
    _, store = demo
    result = render_notebook(
        CHECKOUT / "notebooks" / "04_supply_trace.ipynb",
        tmp_path / "04.html",
        {"db": str(store)},
        env=KERNEL_ENV,
    )
    text = result.path.read_text(encoding="utf-8")
    assert "Supplier score by quarter" in text and "Lead time" in text


def test_kpi_report_shows_grades_expiry_risk_and_trace_success(
    demo: tuple[DemoData, Path],
) -> None:
    from replenlib.reports import kpi_report

    _, store = demo
    data = kpi_report.load(store)
    assert data.supply is not None
    kpis = data.kpis[data.kpis["scope"] == "all"].set_index("kpi")["value"]
    grades = kpi_report.supplier_grades(data).html
    for row in data.supply.scorecard.itertuples():
        assert row.supplier_id in grades
    assert kpis["supplier_grade_ab_share"] == pytest.approx(
        data.supply.scorecard["grade"].isin(["A", "B"]).sum()
        / (data.supply.scorecard["grade"] != "-").sum()
    )
    risk = kpi_report.expiry_risk(data).html
    total = data.supply.expiry["value_at_risk"].sum()
    assert total > 0 and f"¥{total:,.0f}" in risk
    assert kpis["expiry_value_at_risk"] == pytest.approx(total)
    trace = kpi_report.trace_success(data).html
    assert f"{kpis['lot_trace_success_rate']:.1%}" in trace
    tiles = kpi_report.kpi_tiles(data).html
    assert "Expiry value at risk" in tiles and "Suppliers graded A or B" in tiles


@pytest.mark.slow
def test_kpi_report_notebook_renders_the_supply_sections(
    demo: tuple[DemoData, Path], tmp_path: Path
) -> None:
    _, store = demo
    html = render_report("kpi", db=store, out_dir=tmp_path, env=KERNEL_ENV)
    text = html.read_text(encoding="utf-8")
    for heading in (
        "Supplier grades",
        "Stock at risk of expiring unsold",
        "Lot traceability",
        "Supplier scores and grades",
    ):
        assert heading in text
    assert external_resources(text) == []
