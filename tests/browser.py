"""Headless Chromium for tests: screenshots and the DOM after a page's scripts ran, offline.

Chromium is the Debian package (``apt-get install -y chromium``); tests that need it are
marked ``@pytest.mark.browser`` and skip when :func:`chromium_path` returns ``None``. Every
run uses a fresh profile and the host-resolver rule ``MAP * ~NOTFOUND``, so a page can fetch
nothing from the network: a report that draws here draws offline.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
"""Where Debian's chromium package puts the browser."""

VIRTUAL_TIME_BUDGET_MS = 10_000
"""Virtual time Chromium grants the page's scripts before dumping or capturing [ms]."""

_OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chromium_path() -> str | None:
    """Return the Chromium executable, or ``None`` when it is not installed.

    Returns
    -------
    str or None
        ``/usr/bin/chromium`` if present and executable, else ``chromium`` found on ``PATH``.
    """
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    return shutil.which("chromium")


def _run_chromium(args: list[str], timeout_s: float) -> str:
    """Run Chromium with the offline flags and a throw-away profile; return its stdout."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError(f"chromium is not installed (expected {CHROMIUM})")
    with tempfile.TemporaryDirectory(prefix="replen-chromium-") as profile:
        command = [executable, *_OFFLINE_FLAGS, f"--user-data-dir={profile}", *args]
        logger.debug("running %s", command)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-5:])
        raise RuntimeError(f"chromium exited with {done.returncode}: {tail}")
    return done.stdout


def screenshot(html: Path, png: Path, *, width: int = 1400, height: int = 1000) -> None:
    """Open ``html`` offline and save a ``width`` × ``height`` screenshot to ``png``.

    Parameters
    ----------
    html : Path
        The page to open (a local file).
    png : Path
        Where the PNG goes; its folder is created if needed.
    width, height : int
        Window size [px].
    """
    png = png.resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run_chromium(
        [
            f"--window-size={width},{height}",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            f"--screenshot={png}",
            html.resolve().as_uri(),
        ],
        timeout_s=120,
    )
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot at {png}")


def dump_dom(html: Path) -> str:
    """Open ``html`` offline, let its scripts run, and return the resulting DOM as HTML.

    Parameters
    ----------
    html : Path
        The page to open (a local file).

    Returns
    -------
    str
        ``document.documentElement.outerHTML`` after the virtual time budget, so elements
        created by JavaScript (plotly's ``<svg class="main-svg">``) are included.
    """
    return _run_chromium(
        [f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", "--dump-dom", html.resolve().as_uri()],
        timeout_s=120,
    )
