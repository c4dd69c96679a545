"""Render a named report from the store: find its notebook, resolve the run, call papermill."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from replenlib.config import notebooks_dir
from replenlib.errors import ReplenError
from replenlib.i18n import label
from replenlib.reports.render import render_notebook, report_path
from replenlib.store import reader

#: Report name → notebook file in the notebooks folder.
REPORTS: dict[str, str] = {
    "data_health": "01_data_health.ipynb",
    "demand": "02_demand.ipynb",
    "kpi": "07_kpi_report.ipynb",
    "planning": "06_planning_board.ipynb",
    "scenario": "08_scenario_report.ipynb",
    "recall": "09_recall_report.ipynb",
}
#: Report name → key of its title in :mod:`replenlib.i18n` (default: ``<name>_report_title``).
TITLES: dict[str, str] = {"data_health": "dh_title"}

#: Reports about the store's data rather than a pipeline run: no run needed, dated today.
RUNLESS: frozenset[str] = frozenset({"data_health", "recall"})


def render_report(
    name: str,
    *,
    db: Path | str,
    out_dir: Path | str,
    run_id: str | None = None,
    lang: str = "en",
    notebooks: Path | None = None,
    extra: Mapping[str, Any] | None = None,
    tag: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Render report ``name`` for ``run_id`` (default: latest run) and return the HTML path.

    The file is ``<out_dir>/<name>[-<tag>]-<planning day>.html`` (``.zh.html`` in Chinese),
    written atomically: a failed render leaves no file and no previous report damaged.
    ``extra`` adds notebook parameters (e.g. a recall's criteria); ``env`` adds kernel
    environment variables.
    """
    if name not in REPORTS:
        raise ReplenError(f"unknown report {name!r}; known reports: {', '.join(sorted(REPORTS))}")
    notebook = notebooks_dir(notebooks) / REPORTS[name]
    if not notebook.exists():
        raise ReplenError(f"report notebook {notebook} is missing (set REPLEN_NOTEBOOKS?)")
    db_file = Path(db).resolve()
    parameters: dict[str, Any] = {"db": str(db_file), "lang": lang, **(extra or {})}
    if name in RUNLESS:
        day = date.today()
    else:
        parameters["run_id"], day = _resolve_run(db_file, run_id)
    out = report_path(Path(out_dir), name if tag is None else f"{name}-{tag}", day, lang)
    render_notebook(
        notebook,
        out,
        parameters,
        cwd=notebook.parent,
        env=env,
        title=label(TITLES.get(name, f"{name}_report_title"), lang),
        stamp=report_stamp(db_file, parameters.get("run_id"), lang),
    )
    return out


def report_stamp(db_file: Path, run_id: str | None, lang: str = "en") -> str:
    """'Run … · data up to … · policy version v…' for a report's header: the run reported on
    (runless reports: the latest run), the latest business date in the store (demand history
    or any import but those whose dates look ahead), and the policy version that run planned
    with."""
    from replenlib.io.tables import FORWARD_TABLES  # replenlib.io loads the import stack

    forward = ", ".join(f"'{name}'" for name in FORWARD_TABLES)
    with reader(db_file) as con:
        sql = "SELECT run_id, policy_version FROM runs " + (
            "WHERE run_id = ?" if run_id else "ORDER BY started_at DESC LIMIT 1"
        )
        run = con.execute(sql, [run_id] if run_id else []).fetchall()
        fresh = con.execute(
            "SELECT greatest((SELECT max(demand_date) FROM demand_history), "
            f"(SELECT max(latest_date) FROM loads WHERE table_name NOT IN ({forward})))"
        ).fetchall()[0][0]
    run_text, version = (str(run[0][0]), str(run[0][1])) if run else ("–", "–")
    return label("report_stamp", lang).format(run=run_text, fresh=fresh or "–", version=version)


def _resolve_run(db_file: Path, run_id: str | None) -> tuple[str, date]:
    """The run to report on (the given one, or the latest) and its planning day."""
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
    return str(row[0]), row[1]
