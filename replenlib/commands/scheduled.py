"""``replen nightly``: import (if configured) → pipeline → reports, for cron or systemd.

Only click is imported here; the work loads inside the command.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from replenlib.commands import backend_options


@click.command("nightly")
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Store file [default: $REPLEN_DB or data/replen.duckdb].",
)
@click.option(
    "--reports",
    "reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Reports folder [default: $REPLEN_REPORTS or reports].",
)
@click.option(
    "--import-config",
    "import_config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML listing the exports to import first (kind + paths); none: no import.",
)
@click.option(
    "--lang",
    "langs",
    type=click.Choice(["en", "zh"]),
    multiple=True,
    default=("en",),
    show_default=True,
    help="Report language; repeat for both (--lang en --lang zh).",
)
@click.option(
    "--report",
    "names",
    multiple=True,
    help="Report to render; repeat for several [default: kpi, demand, data_health].",
)
@backend_options
def nightly(
    db: Path | None,
    reports: Path | None,
    import_config: Path | None,
    langs: tuple[str, ...],
    names: tuple[str, ...],
    **backend: Any,
) -> None:
    """Run the night: import → pipeline → reports, one night at a time.

    A second `replen nightly` on the same store while one runs exits at once with status 13.
    Any failure exits non-zero with a one-line message; the store and the reports are left
    as the last finished step wrote them (reports are replaced atomically).
    """
    from replenlib.config import db_path, reports_dir
    from replenlib.pipeline.nightly import run_options
    from replenlib.pipeline.scheduled import NIGHTLY_REPORTS, run_scheduled

    start = time.perf_counter()

    def step(text: str) -> None:
        click.echo(f"[{time.perf_counter() - start:7.1f} s] {text}", err=True)

    summary = run_scheduled(
        db_path(db),
        reports_dir(reports),
        import_config=import_config,
        langs=langs,
        reports=names or NIGHTLY_REPORTS,
        on_step=step,
        options=run_options(**backend),
    )
    click.echo(f"run {summary.run_id}: {summary.files_imported} file(s) imported")
    for path in summary.reports:
        click.echo(f"report: {path}")
