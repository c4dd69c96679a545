"""Render a named report from the store: find its notebook, resolve the run, call papermill."""

from __future__ import annotations

from pathlib import Path

from replenlib.config import notebooks_dir
from replenlib.errors import ReplenError
from replenlib.reports.render import render_notebook, report_path
from replenlib.store import reader

#: Report name → notebook file in the notebooks folder.
REPORTS: dict[str, str] = {
    "kpi": "07_kpi_report.ipynb",
    "planning": "06_planning_board.ipynb",
}


def render_report(
    name: str,
    *,
    db: Path | str,
    out_dir: Path | str,
    run_id: str | None = None,
    lang: str = "en",
    notebooks: Path | None = None,
) -> Path:
    """Render report ``name`` for ``run_id`` (default: latest run) and return the HTML path.

    The file is ``<out_dir>/<name>-<planning day>.html`` (``.zh.html`` in Chinese), written
    atomically: a failed render leaves no file and no previous report damaged.
    """
    if name not in REPORTS:
        raise ReplenError(f"unknown report {name!r}; known reports: {', '.join(sorted(REPORTS))}")
    notebook = notebooks_dir(notebooks) / REPORTS[name]
    if not notebook.exists():
        raise ReplenError(f"report notebook {notebook} is missing (set REPLEN_NOTEBOOKS?)")
    db_file = Path(db).resolve()
    with reader(db_file) as con:
        sql = "SELECT run_id, as_of_date FROM runs " + (
            "WHERE run_id = ?" if run_id else "ORDER BY started_at DESC LIMIT 1"
        )
        row = con.execute(sql, [run_id] if run_id else []).fetchone()
    if row is None:
        raise ReplenError(
            f"no run {run_id} in {db_file}"
            if run_id
            else f"{db_file} has no pipeline run yet: run `replen run` first"
        )
    out = report_path(Path(out_dir), name, row[1], lang)
    render_notebook(
        notebook, out, {"db": str(db_file), "run_id": row[0], "lang": lang}, cwd=notebook.parent
    )
    return out
