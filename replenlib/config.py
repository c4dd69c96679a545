"""Where things live: the store file, the reports folder, the notebooks folder.

Each default can be overridden by an environment variable, and every CLI command takes an
option that wins over both.

=====================  ======================  ==========================================
setting                environment variable    default
=====================  ======================  ==========================================
store file             ``REPLEN_DB``           ``data/replen.duckdb`` (relative to cwd)
reports folder         ``REPLEN_REPORTS``      ``reports`` (relative to cwd)
notebooks folder       ``REPLEN_NOTEBOOKS``    ``notebooks/`` beside the installed package
=====================  ======================  ==========================================
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data") / "replen.duckdb"
DEFAULT_REPORTS = Path("reports")


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the store path: the explicit argument, else ``$REPLEN_DB``, else the default."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("REPLEN_DB") or DEFAULT_DB)


def reports_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the reports folder: the explicit argument, else ``$REPLEN_REPORTS``, else default."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("REPLEN_REPORTS") or DEFAULT_REPORTS)


def notebooks_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder holding the report notebooks.

    The notebooks live at the top of the source tree (``notebooks/``), next to the package when
    it is installed in development mode, which is what ``make demo`` does.
    """
    if explicit:
        return Path(explicit)
    env = os.environ.get("REPLEN_NOTEBOOKS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "notebooks"
