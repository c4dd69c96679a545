"""In a real browser: every rendered report draws offline without console errors, and the
what-if notebook served by Voilà recomputes when a slider moves.

Headless Debian Chromium driven by Playwright (``executable_path=/usr/bin/chromium``; never
``playwright install``). Reports open from ``file://`` with every other request aborted and
the host resolver mapped to nothing, so a chart that draws here draws offline. The Voilà
server is started by the test on localhost and stopped by its process group. Screenshots go
to ``tests/artifacts/`` and, for the README, small PNGs to ``docs/images/`` (refreshed with
``make images``).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from replenlib.i18n import _LABELS
from replenlib.reports.runner import REPORTS
from tests.browser import chromium_path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
IMAGES = ROOT / "docs" / "images"
#: Console messages that are not ours: Voilà's own JupyterLab package-version notices.
#: English catalogue labels that must not show in a Chinese report (text a browser shows,
#: chart text included); labels that read the same in both languages are left out.
ENGLISH_LABELS = sorted(
    {en for en, zh in _LABELS.values() if en != zh and re.search(r"[A-Za-z]{3}", en)},
    key=len,
    reverse=True,
)
#: What a browser shows of the report's own words: table cells and ``.replen-data`` (texts
#: quoted from the data, e.g. a scenario file's descriptions or alert messages) hidden.
OWN_TEXT = """() => {
    document.querySelectorAll('td, .replen-data').forEach(e => e.style.display = 'none');
    return document.body.innerText;
}"""
#: Charts that drew: a plotly div with an SVG that has width and marks (paths or images).
DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')].filter(d => {
    const svg = d.querySelector('svg.main-svg');
    return svg && svg.getBoundingClientRect().width > 100 && d.querySelectorAll('path, image').length > 3;
}).length"""
HARMLESS = ("Unsatisfied version", "No satisfying version", "Failed to load resource")

try:
    import playwright.sync_api as pw
except ImportError:  # pragma: no cover - the test extra installs it
    pw = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        chromium_path() is None,
        reason="Debian chromium is not installed (make test installs it as root)",
    ),
    pytest.mark.skipif(
        pw is None, reason="the playwright package is not installed (pip install -e '.[test]')"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert pw is not None
    with pw.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        )
        yield chromium
        chromium.close()


def _offline_page(browser: Any, errors: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    return page


@pytest.mark.parametrize(
    ("name", "lang"), [(n, "zh") for n in sorted(REPORTS)] + [("kpi", "en"), ("scenario", "en")]
)
def test_report_draws_offline_without_console_errors(
    browser: Any, rendered_reports: dict[tuple[str, str], Path], name: str, lang: str
) -> None:
    errors: list[str] = []
    page = _offline_page(browser, errors)
    page.goto(rendered_reports[(name, lang)].as_uri(), wait_until="load")
    figures = page.locator(".plotly-graph-div").count()
    if figures:
        page.wait_for_function(
            "n => document.querySelectorAll('.plotly-graph-div .main-svg').length >= n",
            arg=figures,
            timeout=30_000,
        )
        drawn = page.evaluate(DRAWN)
        assert drawn == figures, f"{figures - drawn} of {figures} charts did not draw"
    assert errors == [], errors
    if lang == "zh":
        text = page.evaluate(OWN_TEXT)
        assert [
            e
            for e in ENGLISH_LABELS
            if re.search(rf"(?<![A-Za-z_]){re.escape(e)}(?![A-Za-z_])", text)
        ] == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-report-{lang}.png"), full_page=True)
    if lang == "en":
        _readme_image(page, f"{name}-report.png", height=1500)
    page.close()


def _readme_image(page: Any, file_name: str, height: int) -> None:
    """A small PNG of the top of the page for the README: written when missing, or always with
    ``REPLEN_UPDATE_IMAGES=1`` (``make images``), so a plain test run leaves git clean."""
    if (IMAGES / file_name).exists() and os.environ.get("REPLEN_UPDATE_IMAGES") != "1":
        return
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": height})
    page.screenshot(path=str(IMAGES / file_name), full_page=False, type="png")


# ---------------------------------------------------------------------- the what-if in Voilà


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _parameterised(notebook: Path, target: Path, parameters: dict[str, object]) -> Path:
    """A copy of ``notebook`` with a cell after the parameters cell setting ``parameters``
    (what papermill injects; Voilà has no parameters of its own)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in parameters.items()))
    cell.id = "injected-parameters"
    nb.cells.insert(index + 1, cell)
    nbformat.write(nb, target)
    return target


@contextlib.contextmanager
def _voila(notebook: Path, port: int, log: Path) -> Iterator[str]:
    voila = Path(sys.executable).with_name("voila")
    command = [str(voila), notebook.name, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=notebook.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "api", timeout=2)  # localhost only
                break
            except urllib.error.HTTPError:  # any answer: the server is up
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"voila did not start: {log.read_text()[-500:]}") from None
                time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.mark.skipif(
    not Path(sys.executable).with_name("voila").exists(),
    reason="voila is not installed (pip install -e '.[test]')",
)
def test_whatif_slider_recomputes_in_voila(browser: Any, small_store: Path, tmp_path: Path) -> None:
    from replenlib.policy.whatif import WhatIfEngine, WhatIfSettings, with_base_targets
    from replenlib.store import reader
    from replenlib.store.whatif_views import load_whatif
    from replenlib.widgets.whatif import METRICS, format_metric, totals_row

    notebook = _parameterised(
        ROOT / "notebooks" / "03_policy_whatif.ipynb",
        tmp_path / "whatif.ipynb",
        {"db": str(small_store), "scenarios_dir": str(tmp_path / "scenarios")},
    )
    with reader(small_store) as con:
        data = load_whatif(con)
    engine = WhatIfEngine(data.panel)
    base = with_base_targets(data.panel)
    first = next(t for t in ("critical", "high", "medium", "low") if t in base)
    expected_before = totals_row(engine.recompute(WhatIfSettings(targets=base)).totals())
    moved = {**base, first: round(base[first] + 0.001, 6)}
    expected_after = totals_row(engine.recompute(WhatIfSettings(targets=moved)).totals())

    errors: list[str] = []
    with _voila(notebook, _free_port(), tmp_path / "voila.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.goto(url, wait_until="domcontentloaded")
        cell = page.locator('td.replen-wi-now[data-key="inventory_value"]')
        cell.wait_for(timeout=90_000)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        shown = _numbers(page)
        assert shown == {k: format_metric(expected_before[k], u) for k, u in METRICS}
        page.locator(".widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "b => document.querySelector('td.replen-wi-now[data-key=inventory_value]').innerText !== b",
            arg=shown["inventory_value"],
            timeout=30_000,
        )
        assert _numbers(page) == {k: format_metric(expected_after[k], u) for k, u in METRICS}
        assert expected_after["inventory_value"] > expected_before["inventory_value"]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "whatif-voila.png"), full_page=True)
        _readme_image(page, "whatif.png", height=900)
        page.close()
    assert [e for e in errors if not e.startswith(HARMLESS)] == []


def _numbers(page: Any) -> dict[str, str]:
    cells = page.locator("td.replen-wi-now")
    return {
        cells.nth(i).get_attribute("data-key"): cells.nth(i).inner_text().strip()
        for i in range(cells.count())
    }
