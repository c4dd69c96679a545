"""The KPI report rendered from the small demo: values, languages, offline, drawn in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from replenlib.reports.html import format_value
from replenlib.reports.render import external_resources
from replenlib.store import reader
from tests.browser import chromium_path, dump_dom, screenshot

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def reports(rendered_reports: dict[tuple[str, str], Path]) -> dict[str, Path]:
    """The KPI report in both languages (rendered once per session, see conftest)."""
    return {lang: rendered_reports[("kpi", lang)] for lang in ("en", "zh")}


def test_file_names_follow_the_planning_day(reports: dict[str, Path]) -> None:
    assert reports["en"].name == "kpi-2026-09-30.html"
    assert reports["zh"].name == "kpi-2026-09-30.zh.html"
    assert not list(reports["en"].parent.glob(".tmp-*"))


def test_report_shows_the_runs_kpis(reports: dict[str, Path], small_store: Path) -> None:
    html = reports["en"].read_text()
    with reader(small_store) as con:
        kpis = con.execute("SELECT kpi, value, unit FROM run_kpis WHERE scope = 'all'").fetchall()
        run_id = con.execute("SELECT run_id FROM runs").fetchone()[0]  # type: ignore[index]
    assert run_id in html and "Replenishment KPI report" in html
    for name in ("stockout_rate", "fill_rate", "inventory_days", "proposal_count"):
        value, unit = next((v, u) for k, v, u in kpis if k == name)
        assert format_value(value, unit) in html, name
    assert "demand lines not fully served ÷ demand lines" in html  # formula footnote


def test_reports_are_offline_and_hide_code(reports: dict[str, Path]) -> None:
    for path in reports.values():
        html = path.read_text()
        assert external_resources(html) == []
        assert not re.search(r"<script[^>]+src=\"http", html)
        assert html.count("plotly.js v") == 1
        assert "report.load(db" not in html  # input cells hidden


def test_chinese_report_uses_the_catalogue(reports: dict[str, Path]) -> None:
    html = reports["zh"].read_text()
    for text in ("补货关键指标报告", "缺货率", "满足率"):
        assert text in html
    # chart titles live in plotly's JSON, where non-ASCII text is \u-escaped
    assert json.dumps("现有库存与再订货点")[1:-1] in html
    assert "Stockout rate" not in html


@pytest.mark.browser
@pytest.mark.skipif(
    chromium_path() is None,
    reason="Debian chromium is not installed (make test installs it as root)",
)
def test_charts_draw_offline_in_chromium(reports: dict[str, Path]) -> None:
    dom = dump_dom(reports["en"])
    assert dom.count('class="main-svg"') >= 4  # two figures draw at least two SVG layers each
    ARTIFACTS.mkdir(exist_ok=True)
    for lang, path in reports.items():
        png = ARTIFACTS / f"kpi-report-{lang}.png"
        screenshot(path, png, width=1400, height=2400)
        assert png.stat().st_size > 50_000
