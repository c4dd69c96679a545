"""Report rendering: papermill execution, offline HTML export, atomic writes, real browser check.

The smoke notebook is rendered once per module (≈ 5 s); failure tests run tiny notebooks.
Kernels get ``PYTHONPATH`` = this checkout, so they import the replenlib under test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from replenlib.errors import ReportError
from replenlib.reports.render import (
    RenderResult,
    _clean_outputs,
    external_resources,
    render_notebook,
    report_path,
)
from tests.browser import chromium_path, dump_dom, screenshot

CHECKOUT = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
KERNEL_ENV = {"PYTHONPATH": str(CHECKOUT)}
TITLE = "Smoke report 补货 KPI"
N_POINTS = 7
N_FIGURES = 2

needs_chromium = pytest.mark.skipif(
    chromium_path() is None,
    reason="chromium not installed at /usr/bin/chromium (apt-get install -y chromium)",
)


def _tmp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".tmp-*"))


def _outside_plotlyjs(html: str) -> str:
    """The document without the embedded plotly.js bundle (its source names CDN URLs as data)."""
    start = html.index("plotly.js v")
    return html[: html.rindex("<script", 0, start)] + html[html.index("</script>", start) :]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    reports = tmp_path_factory.mktemp("reports")
    output = report_path(reports, "smoke", date(2026, 9, 30), lang="zh")
    parameters = {"title": TITLE, "n": N_POINTS, "lang": "zh"}
    return render_notebook(NOTEBOOKS / "render_smoke.ipynb", output, parameters, env=KERNEL_ENV)


@pytest.fixture(scope="module")
def smoke_html(smoke: RenderResult) -> str:
    return smoke.path.read_text(encoding="utf-8")


# --- paths -------------------------------------------------------------------------------


def test_report_path_names_report_day_and_language() -> None:
    day = date(2026, 9, 30)
    assert report_path(Path("reports"), "kpi", day) == Path("reports/kpi-2026-09-30.html")
    assert report_path(Path("reports"), "kpi", day, "zh") == Path("reports/kpi-2026-09-30.zh.html")


@pytest.mark.parametrize(("name", "lang"), [("../kpi", "en"), ("kpi report", "en"), ("kpi", "z/")])
def test_report_path_refuses_names_that_escape_the_folder(name: str, lang: str) -> None:
    with pytest.raises(ValueError, match=r"report name|language code"):
        report_path(Path("reports"), name, date(2026, 9, 30), lang)


# --- a successful render -----------------------------------------------------------------


def test_render_result_describes_the_written_report(smoke: RenderResult) -> None:
    assert smoke.path.name == "smoke-2026-09-30.zh.html"
    assert smoke.path.stat().st_size == smoke.n_bytes > 1_000_000
    assert smoke.n_cells == 6  # 5 code cells + papermill's injected parameters cell
    assert 0 < smoke.seconds < 120
    assert _tmp_files(smoke.path.parent) == []
    assert list(smoke.path.parent.glob(".failed-*")) == []


def test_parameters_reach_the_report(smoke_html: str) -> None:
    assert f'<h2 class="smoke-title">{TITLE}</h2>' in smoke_html
    assert f"<title>{TITLE}</title>" in smoke_html
    assert '"x":[1,2,3,4,5,6,7]' in smoke_html.replace(" ", "")
    assert '<html lang="zh"' in smoke_html


def test_input_cells_and_prompts_are_hidden(smoke_html: str) -> None:
    assert "INPUT-MARKER-render-smoke" not in smoke_html
    assert "use_offline_renderer" not in smoke_html
    assert 'class="jp-InputPrompt' not in smoke_html
    assert 'class="jp-OutputPrompt' not in smoke_html


def test_markdown_cells_stay_visible(smoke_html: str) -> None:
    assert "Two small figures follow" in smoke_html


def test_report_loads_nothing_from_the_network(smoke_html: str) -> None:
    assert re.search(r"<script[^>]+src=[\"']?https?:", smoke_html, re.IGNORECASE) is None
    assert re.search(r"<link[^>]+href=[\"']?https?:", smoke_html, re.IGNORECASE) is None
    assert "https://cdn" not in _outside_plotlyjs(smoke_html)
    assert "cdnjs" not in _outside_plotlyjs(smoke_html)  # require.js, MathJax, mermaid
    assert external_resources(smoke_html) == []


def test_plotlyjs_is_embedded_exactly_once(smoke_html: str) -> None:
    assert smoke_html.count("plotly.js v") == 1
    assert smoke_html.count('class="plotly-graph-div"') == N_FIGURES


def test_report_has_header_and_footer(smoke_html: str) -> None:
    assert '<header class="replen-header">' in smoke_html
    # the smoke report is in Chinese: header and footer follow the report's language
    assert "来源: render_smoke.ipynb · 参数: title=" in smoke_html
    assert "生成时间 " in smoke_html and "Generated" not in smoke_html


# --- the kernel's environment --------------------------------------------------------------


def test_kernel_gets_plotly_renderer_without_touching_our_environment(tmp_path: Path) -> None:
    environ_before = dict(os.environ)
    output = tmp_path / "env.html"
    render_notebook(
        NOTEBOOKS / "render_env.ipynb",
        output,
        {"marker": "m-42"},
        cwd=tmp_path,
        env=KERNEL_ENV,
        timeout_s=60,
    )
    html = output.read_text(encoding="utf-8")
    assert "PLOTLY_RENDERER=notebook" in html
    assert f"KERNEL_CWD={tmp_path.resolve()}" in html
    assert "MARKER=m-42" in html
    assert html.count('class="plotly-graph-div"') == 1  # no use_offline_renderer() in it
    assert html.count("plotly.js v") == 1
    assert dict(os.environ) == environ_before


# --- failures ------------------------------------------------------------------------------


def test_failing_cell_leaves_an_existing_report_untouched(tmp_path: Path) -> None:
    output = tmp_path / "fail-2026-09-30.html"
    output.write_text("yesterday's report", encoding="utf-8")
    os.utime(output, (1_700_000_000, 1_700_000_000))
    with pytest.raises(ReportError) as caught:
        render_notebook(NOTEBOOKS / "render_fail.ipynb", output, {"n": 4}, env=KERNEL_ENV)
    message = str(caught.value)
    assert "\n" not in message
    assert "render_fail.ipynb failed in cell 3" in message
    assert '(`raise ValueError(f"smoke failure on purpose (n={n})")`)' in message
    assert "ValueError: smoke failure on purpose (n=4)" in message
    kept = tmp_path / ".failed-fail-2026-09-30.ipynb"
    assert f"executed notebook kept at {kept}" in message
    assert json.loads(kept.read_text(encoding="utf-8"))["cells"]  # readable, for debugging
    assert output.read_text(encoding="utf-8") == "yesterday's report"
    assert output.stat().st_mtime == 1_700_000_000
    assert _tmp_files(tmp_path) == []


def test_failing_cell_creates_no_report(tmp_path: Path) -> None:
    output = tmp_path / "reports" / "fail.html"
    with pytest.raises(ReportError, match=r"failed in cell 3 .*ValueError"):
        render_notebook(NOTEBOOKS / "render_fail.ipynb", output, {}, env=KERNEL_ENV)
    assert not output.exists()
    assert _tmp_files(output.parent) == []


def test_timeout_names_the_cell_and_writes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "slow.html"
    with pytest.raises(ReportError) as caught:
        render_notebook(
            NOTEBOOKS / "render_slow.ipynb", output, {"sleep_s": 30.0}, env=KERNEL_ENV, timeout_s=2
        )
    message = str(caught.value)
    assert "failed in cell 3 (`time.sleep(sleep_s)`)" in message
    assert "CellTimeoutError: no result after 2 s (per-cell timeout)" in message
    assert not output.exists()
    assert _tmp_files(tmp_path) == []


def test_unknown_parameter_is_refused_before_running(tmp_path: Path) -> None:
    output = tmp_path / "smoke.html"
    with pytest.raises(ReportError, match=r"has no parameter 'titel' \(declared: title, n, lang\)"):
        render_notebook(NOTEBOOKS / "render_smoke.ipynb", output, {"titel": "typo"})
    assert list(tmp_path.iterdir()) == []


def test_missing_notebook_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        render_notebook(tmp_path / "nope.ipynb", tmp_path / "nope.html", {})


# --- output cleaning (no kernel) -------------------------------------------------------------


def _notebook_with_html_outputs(texts: list[str]) -> NotebookNode:
    outputs = [
        {"output_type": "display_data", "data": {"text/html": text}, "metadata": {}}
        for text in texts
    ]
    cell = {"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs}
    nb: NotebookNode = nbformat.from_dict(  # type: ignore[no-untyped-call]
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    )
    return nb


def test_clean_outputs_strips_cdn_tags_and_duplicate_plotlyjs() -> None:
    bundle = "<script>/**\n* plotly.js v4.1.1\n*/ var Plotly = 1;</script>"
    mathjax = '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/x.js"></script>'
    nb = _notebook_with_html_outputs(
        [
            bundle,
            mathjax + "<div>fig 1</div>",
            bundle + "<div>fig 2</div>",
            '<link rel="stylesheet" href="//cdn.example.org/x.css"><p>t</p>',
        ]
    )
    _clean_outputs(nb)
    texts = [o["data"]["text/html"] for o in nb.cells[0].outputs]
    assert texts == [bundle, "<div>fig 1</div>", "<div>fig 2</div>", "<p>t</p>"]


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdn.example.org/a.js"></script>',
        "<script type='text/javascript' src='//cdn.example.org/a.js'></script>",
        '<link rel="stylesheet" href="http://fonts.example.org/css">',
        "<style>@import url('https://fonts.example.org/css');</style>",
        '<script type="module">await import("https://cdn.example.org/m.mjs")</script>',
    ],
)
def test_external_resources_finds_network_loads(snippet: str) -> None:
    assert len(external_resources(f"<html><head>{snippet}</head></html>")) == 1


def test_external_resources_ignores_plain_links_and_local_scripts() -> None:
    html = '<a href="https://example.org">x</a><script src="local.js"></script><script>1</script>'
    assert external_resources(html) == []


# --- startup cost --------------------------------------------------------------------------


def test_importing_the_renderer_does_not_import_papermill_or_nbconvert() -> None:
    code = (
        "import sys, replenlib.reports.render, replenlib.viz.setup\n"
        "heavy = {'papermill', 'nbconvert', 'nbclient', 'jupyter_client', 'plotly'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=CHECKOUT,
        env={**os.environ, **KERNEL_ENV},
    )
    assert done.stdout.strip() == "[]"


# --- a real browser, offline ----------------------------------------------------------------


@pytest.mark.browser
@needs_chromium
def test_charts_draw_in_an_offline_browser(smoke: RenderResult) -> None:
    dom = dump_dom(smoke.path)
    assert dom.count('class="main-svg"') >= N_FIGURES
    assert len(re.findall(r'class="[^"]*\bjs-plotly-plot\b', dom)) == N_FIGURES
    png = ARTIFACTS / "render_smoke.png"
    screenshot(smoke.path, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a blank 1400×1000 page is ≈ 6 kB
