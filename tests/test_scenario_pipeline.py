"""`replen scenario run` on the small demo, the stored tables, bad input, report, notebook 05.

The demo store (``size="small"``, plus one nightly run so that reports have a run) is built
once per module; notebooks run under papermill with this checkout on the kernel's PYTHONPATH.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import papermill as pm
import pytest
import yaml
from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.pipeline.demo import load_demo
from replenlib.pipeline.nightly import run_nightly
from replenlib.reports import scenario_report
from replenlib.reports.runner import render_report
from replenlib.store import reader

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "scenarios" / "strategy_options.yaml"
KERNEL_ENV = {"PYTHONPATH": str(ROOT)}
TABLES = (
    "scenario_runs",
    "scenario_definitions",
    "scenario_kpis",
    "scenario_series",
    "scenario_frontier",
    "scenario_tornado",
    "scenario_calibration",
)
N_SCENARIOS = 9


def _counts(db: Path) -> dict[str, int]:
    with reader(db) as con:
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in TABLES}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scenario")
    db = folder / "replen.duckdb"
    load_demo(db, size="small", seed=42)
    run_nightly(db)
    # the sample file as shipped, with a coarser replay (re-plan every 8 weeks) to stay quick
    body = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    body["analyses"]["calibration"].update(step_days=56, streams=2)
    quick = folder / "strategy_options.yaml"
    quick.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["scenario", "run", str(quick), "--db", str(db), "--replications", "4", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    return db


def test_scenario_run_on_the_demo_stores_every_table(store: Path) -> None:
    counts = _counts(store)
    with reader(store) as con:
        n_series = con.execute("SELECT count(*) FROM item_location").fetchall()[0][0]
        tiers = con.execute("SELECT count(DISTINCT tier) FROM scenario_series").fetchall()[0][0]
        run = con.execute(
            "SELECT replications, seed, baseline, reference, horizon_days, n_series FROM scenario_runs"
        ).fetchall()[0]
        baseline_diffs = con.execute(
            "SELECT count(*) FROM scenario_kpis WHERE scenario = 'erp_today' AND diff_mean IS NOT NULL"
        ).fetchall()[0][0]
    assert run == (4, 3, "erp_today", "tiered", 365, n_series)
    assert counts["scenario_runs"] == 1 and counts["scenario_definitions"] == N_SCENARIOS
    # every scenario × 8 KPIs × (all + each tier + 3 ERP groups)
    assert counts["scenario_kpis"] == N_SCENARIOS * 8 * (1 + tiers + 3)
    assert counts["scenario_series"] == N_SCENARIOS * n_series
    assert counts["scenario_frontier"] == 7 * 5 and counts["scenario_tornado"] == 4 * 4
    assert 1 <= counts["scenario_calibration"] <= 4
    assert baseline_diffs == 0


def test_business_case_shows_the_mechanism_on_the_demo(store: Path) -> None:
    # The ERP's misfits are where the change comes from: series whose ERP reorder point is
    # too low stock out more under the ERP than under the tiered policy; series whose ERP
    # stock target is too high hold more inventory days under the ERP.
    data = scenario_report.load(store)
    under = [data.value(s, "stockout_rate", scope="erp=under") for s in ("erp_today", "tiered")]
    over = [data.value(s, "inventory_days", scope="erp=over") for s in ("erp_today", "tiered")]
    assert under[1] < under[0] and over[1] < over[0]
    # the simulated ERP stays close to what the demo's history observed (single-echelon view)
    assert abs(data.value("erp_today", "stockout_rate") - data.observed["stockout_rate"]) < 0.03


def test_cli_prints_one_line_per_scenario_and_lists_runs(store: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(store, db)
    small = tmp_path / "two.yaml"
    small.write_text(
        "baseline: erp\nreplications: 3\nhorizon_days: 60\nwarmup_days: 20\n"
        "analyses: {frontier: false, tornado: false, calibration: false}\n"
        "scenarios:\n  - {name: erp, policy: erp}\n  - {name: tiered}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["scenario", "run", str(small), "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("scenario run S") and "2 scenarios" in lines[0]
    assert lines[2].startswith("erp ") and "(baseline)" in lines[2]
    assert lines[3].startswith("tiered ") and " pp ±" in lines[3]
    listed = CliRunner().invoke(cli, ["scenario", "list", "--db", str(db)])
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 2


def test_bad_file_exits_with_its_message_and_leaves_the_store_alone(
    store: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "scenarios:\n  - name: a\n    service_targets: {critical: 1.2}\n", encoding="utf-8"
    )
    before, stamp = _counts(store), store.stat().st_mtime_ns
    result = CliRunner().invoke(cli, ["scenario", "run", str(bad), "--db", str(store)])
    assert result.exit_code == 6
    assert (
        f"replen: error: {bad}: scenarios[0].service_targets[0].target: expected a fraction"
        in result.stderr
    )
    assert "Traceback" not in result.output
    assert _counts(store) == before and store.stat().st_mtime_ns == stamp


def test_unknown_supplier_in_a_scenario_is_named(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "supplier.yaml"
    bad.write_text(
        "scenarios:\n  - {name: a, supplier_outage: [{supplier: SUP-999, duration_days: 5}]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["scenario", "run", str(bad), "--db", str(store)])
    assert result.exit_code == 6
    assert "scenario 'a': supplier 'SUP-999' does not supply any item-location" in result.stderr


def test_missing_store_exits_with_code_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["scenario", "run", str(SAMPLE), "--db", str(tmp_path / "none.duckdb")]
    )
    assert result.exit_code == 3 and "no store at" in result.stderr


def test_summary_sentences_in_both_languages(store: Path) -> None:
    data = scenario_report.load(store)
    for lang in ("en", "zh"):
        sentences = scenario_report.summary_sentences(data, lang)
        assert not any(re.search(r"[{}]|\bnan\b", s) for s in sentences)
        assert sum(s.count("tiered") for s in sentences) >= N_SCENARIOS - 2
    english = scenario_report.summary_sentences(data, "en")
    assert english[0].startswith("Moving from erp_today to tiered changes the stockout rate from")
    assert "compared with tiered" in english[2]


@pytest.mark.slow
def test_scenario_report_renders_offline(store: Path, tmp_path: Path) -> None:
    path = render_report(
        "scenario", db=store, out_dir=tmp_path, lang="en", notebooks=ROOT / "notebooks"
    )
    html = path.read_text(encoding="utf-8")
    assert path.name == "scenario-2026-09-30.html"
    assert "Business case: from fixed ERP reorder points to the tiered policy" in html
    assert "Efficient frontier: inventory against service" in html and "plotly.js v" in html
    assert "Moving from erp_today to tiered" in html
    assert not re.search(r"<script[^>]*src=\"http", html)


@pytest.mark.slow
def test_analyst_notebook_runs_with_an_extra_scenario(store: Path, tmp_path: Path) -> None:
    executed = tmp_path / "05.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "05_scenarios.ipynb"),
        str(executed),
        parameters={
            "db": str(store),
            "scenario_file": str(SAMPLE),
            "replications": 3,
            "analyses": False,
        },
        cwd=str(ROOT / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
        kernel_manager_class="replenlib.reports.kernel.ReportKernelManager",
        config=_kernel_config(),
    )
    text = executed.read_text(encoding="utf-8")
    assert "critical_99_5" in text and "Traceback" not in text


def _kernel_config() -> object:
    from traitlets.config import Config

    config = Config()
    config.ReportKernelManager.extra_env = KERNEL_ENV
    return config


def test_a_scenario_file_sets_random_supplier_failures(small_store: Path, tmp_path: Path) -> None:
    from replenlib.pipeline.scenario_stage import explore_scenarios

    with reader(small_store) as con:
        busiest = con.execute(
            "SELECT supplier_id FROM item_supplier WHERE priority = 1 GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchall()[0][0]
    body = {
        "name": "outages",
        "horizon_days": 90,
        "warmup_days": 30,
        "scenarios": [{"name": "tiered"}],
        "analyses": {"calibration": False},
    }
    fill = {}
    for label, failures in (("calm", []), ("failing", [{"suppliers": [busiest],
                            "rate_per_year": 12, "mean_duration_days": 30}])):  # fmt: skip
        path = tmp_path / f"{label}.yaml"
        path.write_text(yaml.safe_dump({**body, "supplier_failures": failures}), encoding="utf-8")
        kpis = explore_scenarios(small_store, path, replications=3, analyses=False).kpis
        row = kpis[(kpis["kpi"] == "fill_rate") & (kpis["scope"] == "all")]
        fill[label] = float(row["mean"].iloc[0])
    assert fill["failing"] < fill["calm"] - 0.005
