"""Shared fixtures: one small demo store with one pipeline run, built once per test session.

The store is built through the CLI (``replen demo --size small --no-report``), so the fixture
itself exercises the documented command. Tests that write must work on a copy
(:func:`store_copy`), never on the shared file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# CI must judge the change, not the dice: there hypothesis draws the same examples every run
# (a failure it finds locally is pinned with @example). Locally each run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo store (seed 42) after one nightly run. Read it; do not write it."""
    from replenlib.cli import cli

    db = tmp_path_factory.mktemp("small") / "replen.duckdb"
    result = CliRunner().invoke(cli, ["demo", "--size", "small", "--db", str(db), "--no-report"])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def store_copy(small_store: Path, tmp_path: Path) -> Path:
    """A private copy of the small store for tests that write."""
    target = tmp_path / "replen.duckdb"
    shutil.copyfile(small_store, target)
    return target


@pytest.fixture(scope="session")
def kernel_env() -> dict[str, str]:
    """Environment for papermill kernels: this source tree first on the path."""
    return {"PYTHONPATH": str(ROOT)}


#: A quick scenario set for the scenario report: the first three scenarios of the shipped
#: strategy options over a short horizon, every analysis on, coarse.
QUICK_SCENARIOS = {
    "horizon_days": 90,
    "warmup_days": 30,
    "analyses": {
        "frontier": {"targets": [0.9, 0.99], "scenario": "tiered"},
        "tornado": {"scenario": "tiered"},
        "calibration": {"step_days": 56, "history_days": 112, "streams": 1},
    },
}


@pytest.fixture(scope="session")
def report_store(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small store with one quick scenario run (for the scenario report)."""
    import yaml

    from replenlib.cli import cli

    folder = tmp_path_factory.mktemp("report_store")
    db = folder / "replen.duckdb"
    shutil.copyfile(small_store, db)
    body = yaml.safe_load((ROOT / "data" / "scenarios" / "strategy_options.yaml").read_text())
    body.update(QUICK_SCENARIOS, scenarios=body["scenarios"][:3])
    body["business_case"] = {"before": body["scenarios"][0]["name"], "after": "tiered"}
    quick = folder / "quick.yaml"
    quick.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["scenario", "run", str(quick), "--db", str(db), "--replications", "2", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="session")
def rendered_reports(
    report_store: Path, tmp_path_factory: pytest.TempPathFactory, kernel_env: dict[str, str]
) -> dict[tuple[str, str], Path]:
    """Every report of :data:`replenlib.reports.runner.REPORTS` rendered once per session from
    the small store (with a quick scenario run), in Chinese, plus the KPI and scenario reports
    in English: (name, lang) → HTML file.

    Shared by the report, notebook and browser tests, so that no report renders twice.
    """
    import os

    from replenlib.reports.runner import REPORTS, render_report

    out = tmp_path_factory.mktemp("rendered")
    wanted = [(name, "zh") for name in sorted(REPORTS)] + [("kpi", "en"), ("scenario", "en")]
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = kernel_env["PYTHONPATH"]  # the kernel imports this source tree
    try:
        return {
            (name, lang): render_report(name, db=report_store, out_dir=out, lang=lang)
            for name, lang in wanted
            if name in REPORTS
        }
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


@pytest.fixture(scope="session")
def erp_base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding only the ERP master files of ``tests.io_helpers.base_files``: the base
    the import tests load their files onto. Read it; copy it to write."""
    from replenlib.io import ImportRequest, import_files
    from tests.io_helpers import base_files

    folder = tmp_path_factory.mktemp("erp_base")
    db = folder / "base.duckdb"
    import_files(db, [ImportRequest("erp", p) for p in base_files(folder)])
    return db
