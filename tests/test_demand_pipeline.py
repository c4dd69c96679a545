"""The demand stage in the nightly run: tables written, plan integration, report, widget.

Uses a small store built from a simulated panel (tests/demand_store.py); the report notebook
is rendered once, in Chinese, with papermill in a kernel that imports this checkout.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replenlib.demand.distributions import DemandDistribution
from replenlib.demand.forecasters import Method
from replenlib.errors import ReplenError
from replenlib.pipeline.demand_stage import mask_before_launch, run_demand_stage
from replenlib.pipeline.inputs import read_planning_inputs
from replenlib.pipeline.nightly import run_nightly
from replenlib.pipeline.planning import plan
from replenlib.policy.strategy import Strategy
from replenlib.reports import demand_report, kpi_report
from replenlib.reports.render import render_notebook, report_path
from replenlib.reports.runner import REPORTS
from replenlib.store import reader
from tests.demand_store import AS_OF, build_store

CHECKOUT = Path(__file__).resolve().parents[1]
N_SERIES = 80


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = build_store(tmp_path_factory.mktemp("demand") / "store.duckdb", N_SERIES)
    summary = run_nightly(db, as_of=AS_OF)
    return db, summary.run_id


def test_demand_tables_are_written(store: tuple[Path, str]) -> None:
    db, run_id = store
    with reader(db) as con:
        segments = con.execute("SELECT * FROM segments WHERE run_id = ?", [run_id]).df()
        backtests = con.execute("SELECT * FROM forecast_backtests WHERE run_id = ?", [run_id]).df()
        values = con.execute("SELECT * FROM forecast_values WHERE run_id = ?", [run_id]).df()
        ltd = con.execute("SELECT * FROM lead_time_demand WHERE run_id = ?", [run_id]).df()
        forecasts = con.execute("SELECT * FROM forecasts WHERE run_id = ?", [run_id]).df()
    assert len(segments) == len(ltd) == len(forecasts) == N_SERIES
    assert set(segments["abc_value"]) <= {"A", "B", "C"} and set(segments["xyz"]) <= {"X", "Y", "Z"}
    assert set(segments["lifecycle"]) <= {"new", "growth", "mature", "decline", "end_of_life"}
    # one chosen method per backtested series, equal to the method the run forecasts with
    chosen = backtests[backtests["chosen"]].merge(forecasts, on=["item_id", "location_id"])
    assert chosen.groupby(["item_id", "location_id"]).size().max() == 1
    assert (chosen["method_x"] == chosen["method_y"]).all()
    assert set(forecasts["method"]) <= {m.value for m in Method}
    assert len(values) == 13 * N_SERIES
    assert (values["lower_95"] <= values["lower_80"] + 1e-9).all()
    assert (values["lower_80"] <= values["mean"] + 1e-9).all() or (values["mean"] >= 0).all()
    assert values["period_start"].min() == pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    assert (ltd[["q50", "q90", "q95", "q99"]].diff(axis=1).iloc[:, 1:] >= -1e-9).all().all()
    assert (ltd["mean"] >= 0).all() and (ltd["protection_days"] > 0).all()


def test_plan_exposes_the_lead_time_distribution(store: tuple[Path, str]) -> None:
    db, _ = store
    with reader(db) as con:
        inputs = read_planning_inputs(con, AS_OF)
        stage = run_demand_stage(con, inputs)
    result = plan(inputs, Strategy(), demand=stage)
    ltd = result.lead_time_demand
    assert isinstance(ltd, DemandDistribution)
    assert len(ltd.mean) == inputs.n_series
    # the flat forecast the policy uses is the chosen method's
    expected = stage.forecast.mean / 7.0
    np.testing.assert_allclose(result.forecasts["mean_daily"], expected)
    # demand over lead time + review ~ daily rate x protection days for a flat forecast
    days = inputs.lead_time_mean + result.policy_parameters["review_period_days"].to_numpy()
    flat = np.isin(stage.plan.method, ["ses", "croston", "sba", "tsb", "historic_average"])
    ratio = ltd.mean[flat] / np.maximum(expected[flat] * days[flat], 1e-9)
    assert np.all((ratio > 0.5) & (ratio < 2.0))


def test_weeks_before_launch_are_not_history() -> None:
    weekly = np.ones((2, 4))
    epoch = (AS_OF - date(1970, 1, 1)).days
    launch = np.array([epoch - 10.0, np.nan])  # launched 10 days ago; unknown
    masked = mask_before_launch(weekly, launch, AS_OF)
    # weeks end 21, 14, 7, 0 days before as_of: the first two ended before the launch
    np.testing.assert_array_equal(np.isnan(masked[0]), [True, True, False, False])
    assert not np.isnan(masked[1]).any()


def test_report_is_registered_and_renders_in_chinese(
    store: tuple[Path, str], tmp_path: Path
) -> None:
    db, run_id = store
    assert REPORTS["demand"] == "02_demand.ipynb"
    out = report_path(tmp_path, "demand", AS_OF, lang="zh")
    result = render_notebook(
        CHECKOUT / "notebooks" / "02_demand.ipynb",
        out,
        {"db": str(db), "run_id": run_id, "lang": "zh", "n_series": 2},
        cwd=CHECKOUT / "notebooks",
        env={"PYTHONPATH": str(CHECKOUT)},
    )
    html = (
        result.path.read_text(encoding="utf-8")
        if hasattr(result, "path")
        else out.read_text(encoding="utf-8")
    )
    assert "需求：细分、预测与提前期需求" in html
    assert "plotly.js v" in html
    assert 'src="http' not in html
    assert "widget-state" not in html  # report rendering never displays widgets


def test_report_data_and_blocks(store: tuple[Path, str]) -> None:
    db, _ = store
    data = demand_report.load(db, series="", demand_class="smooth", n_series=2)
    assert len(data.series) == 2
    assert all(v.row["demand_class"] == "smooth" for v in data.series)
    for view in data.series:
        assert len(view.history) == 104 and len(view.fitted) == 104 and len(view.forecast) == 13
    assert "<table" in demand_report.method_table(data).html
    with pytest.raises(ReplenError, match="ITEM@LOCATION"):
        demand_report.load(db, series="IT0001")


def test_kpi_report_shows_forecast_accuracy(store: tuple[Path, str]) -> None:
    db, _ = store
    data = kpi_report.load(db)
    assert not data.accuracy.empty
    assert set(data.accuracy["demand_class"]) <= {"smooth", "erratic", "intermittent", "lumpy"}
    block = kpi_report.forecast_accuracy(data, "zh").html
    assert "按需求类别的预测精度" in block


def test_explorer_widget_filters_and_shows_a_series(store: tuple[Path, str]) -> None:
    pytest.importorskip("ipywidgets")
    from replenlib.widgets.demand import DemandExplorer

    explorer = DemandExplorer(store[0])
    explorer.demand_class.value = "intermittent"
    assert (explorer.candidates()["demand_class"] == "intermittent").all()
    assert explorer.series.options
    explorer.series.value = explorer.series.options[-1][1]
    assert explorer.widget() is not None


def test_crm_signals_enter_forecasts_and_lead_time_demand(
    store: tuple[Path, str], tmp_path: Path
) -> None:
    # A won tender of 500 units (incremental: added) and a scheduled surgery of 3 units
    # (routine: the max rule) for IT0000, due in the run's first and second week.
    import shutil

    db = tmp_path / "signals.duckdb"
    shutil.copyfile(store[0], db)
    from replenlib.store import writer

    with writer(db) as con:
        con.execute(
            "INSERT INTO demand_signals VALUES "
            "('S1', 'tender', 'IT0000', 'CW', NULL, ?::DATE + 3, 500, 1.0, 'won', 'T-1'), "
            "('S2', 'surgery', 'IT0000', 'CW', NULL, ?::DATE + 9, 3, 1.0, 'scheduled', 'OR-7'), "
            "('S3', 'tender', 'IT0001', 'CW', NULL, ?::DATE + 3, 900, 0.5, 'cancelled', 'T-2')",
            [AS_OF, AS_OF, AS_OF],
        )
    with reader(db) as con:
        inputs = read_planning_inputs(con, AS_OF)
        stage = run_demand_stage(con, inputs)
    assert stage.known is not None
    values = stage.frames()["forecast_values"]
    first = values[(values["item_id"] == "IT0000") & (values["horizon"] <= 2)]
    statistical = stage.plan.forecast[0, :2]
    np.testing.assert_allclose(first["known"], [500.0, 3.0])
    np.testing.assert_allclose(first["mean"], [500.0 + statistical[0], max(statistical[1], 3.0)])
    assert values.loc[values["item_id"] == "IT0001", "known"].sum() == 0.0  # cancelled
    lead_days = np.full(inputs.n_series, 14.0)
    with_known = stage.lead_time_demand(
        lead_days, np.zeros(inputs.n_series), np.zeros(inputs.n_series)
    )
    assert with_known.mean[0] >= 500.0


def test_segments_recover_the_demo_generator_truth(small_store: Path) -> None:
    # The demo generator's true pattern per series (truth['series']) against the stage's
    # classes on the small demo run of conftest.
    from replenlib.demo import generate

    truth = generate(size="small", seed=42).truth["series"]
    with reader(small_store) as con:
        segments = con.execute(
            "SELECT item_id, location_id, demand_class, lifecycle FROM segments"
        ).df()
    merged = truth.merge(segments, on=["item_id", "location_id"])
    assert len(merged) == len(segments)

    def share(pattern: str, column: str, values: tuple[str, ...]) -> float:
        part = merged[merged["pattern"] == pattern]
        return float(part[column].isin(values).mean())

    assert share("intermittent", "demand_class", ("intermittent", "lumpy")) > 0.9
    assert share("lumpy", "demand_class", ("intermittent", "lumpy")) > 0.9
    assert share("smooth", "demand_class", ("smooth", "erratic")) > 0.85
    assert share("end_of_life", "lifecycle", ("end_of_life", "decline")) > 0.7
    assert share("new", "lifecycle", ("new", "growth")) > 0.7


def test_the_demo_sends_crm_signals_that_reach_the_forecasts(small_store: Path) -> None:
    with reader(small_store) as con:
        signals = con.execute(
            "SELECT kind, status, count(*) AS n FROM demand_signals GROUP BY ALL"
        ).df()
        known = con.execute(
            """
            SELECT f.item_id, f.location_id, sum(f.known) AS known, any_value(s.expected) AS expected
            FROM forecast_values f JOIN (
                SELECT item_id, location_id,
                       sum(CASE WHEN status = 'cancelled' THEN 0 ELSE quantity * probability END)
                       AS expected
                FROM demand_signals GROUP BY ALL
            ) s USING (item_id, location_id)
            GROUP BY ALL
            """
        ).df()
    assert set(signals["kind"]) == {"surgery", "tender", "contract"}
    assert set(signals["status"]) == {"scheduled", "open", "won", "cancelled"}
    # every signal in the horizon is known demand of its series, weighted by its probability;
    # a cancelled one is not
    assert len(known) > 50
    np.testing.assert_allclose(known["known"], known["expected"], rtol=1e-9)
