"""The ``replen`` command line: demo data, the nightly run, reports and store maintenance.

Expected faults (missing store, store locked, bad input, failed report) print one line
``replen: error: ...`` on stderr and exit with the fault's code (see :mod:`replenlib.errors`);
only bugs show a traceback. Heavy libraries are imported inside the commands, so that
``replen --help`` answers at once.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click

from replenlib.commands import backend_options, db_option
from replenlib.errors import ReplenError

SIZES = ("small", "medium", "large")


class _Fault(click.ClickException):
    """A :class:`ReplenError` shown as one line with its own exit status."""

    def __init__(self, error: ReplenError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code  # type: ignore[misc]  # click declares a ClassVar

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"replen: error: {self.message}", err=True)


class _ReplenGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReplenError as error:
            raise _Fault(error) from error


class Steps:
    """Numbered progress lines on stderr with the time each step took."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0

    @contextmanager
    def step(self, text: str) -> Iterator[None]:
        self.done += 1
        click.echo(f"[{self.done}/{self.total}] {text} …", err=True)
        start = time.perf_counter()
        yield
        click.echo(f"      done in {time.perf_counter() - start:.1f} s", err=True)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from exc


@click.group(cls=_ReplenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="replenlib", prog_name="replen")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details.")
def cli(verbose: bool) -> None:
    """Replenishment decision support for medical-device supply chains.

    Typical use: `replen demo` once, then `replen run` and `replen report kpi` every night.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )


@cli.command()
@click.option(
    "--size",
    type=click.Choice(SIZES),
    default="medium",
    show_default=True,
    help="small: tests (≈200 items); medium: demo (≈2,000 items); large: benchmarks.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed.")
@click.option(
    "--reports",
    "reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Reports folder [default: $REPLEN_REPORTS or reports].",
)
@click.option("--no-report", is_flag=True, help="Skip rendering the HTML reports.")
@db_option
def demo(size: str, seed: int, reports: Path | None, no_report: bool, db: Path | None) -> None:
    """Generate the demo data set into a fresh store, run the pipeline and render reports."""
    from replenlib.config import db_path, reports_dir
    from replenlib.pipeline.demo import load_demo

    store, out = db_path(db), reports_dir(reports)
    names = [] if no_report else ["kpi", "demand", "data_health", "planning"]
    steps = Steps(2 + len(names))
    with steps.step(
        f"generating the {size} demo data set (seed {seed}), writing it as source exports "
        f"and importing them into {store}"
    ):
        loaded = load_demo(
            store, size=size, seed=seed, progress=lambda text: click.echo(f"      {text}", err=True)
        )
    counts = loaded.counts
    quarantined = sum(r.rows_quarantined for r in loaded.results)
    click.echo(
        f"      {counts['items']:,} items, {counts['item_location']:,} item-locations, "
        f"{counts['demand_history']:,} demand rows, {counts['movements']:,} movements; "
        f"{quarantined:,} bad rows quarantined (exports in {loaded.exports})",
        err=True,
    )
    _run_and_report(store, out, steps, names)


@cli.command()
@click.option(
    "--as-of", "as_of", default=None, help="Planning day YYYY-MM-DD [default: last demand day]."
)
@db_option
@backend_options
def run(as_of: str | None, db: Path | None, **backend: Any) -> None:
    """Run the nightly pipeline: forecasts, policy parameters, order proposals, KPIs.

    With --backend dask the forecasting and policy work runs on a Dask cluster (the one at
    --scheduler, or a LocalCluster of --workers processes); the results are the same.
    """
    from replenlib.config import db_path
    from replenlib.pipeline.nightly import run_options

    summary = _run(db_path(db), _parse_day(as_of), Steps(1), run_options(**backend))
    _print_summary(summary)


@cli.command()
@click.argument("name")
@click.option("--run-id", default=None, help="Run to report on [default: the latest].")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Reports folder [default: $REPLEN_REPORTS or reports].",
)
@db_option
def report(name: str, run_id: str | None, lang: str, out: Path | None, db: Path | None) -> None:
    """Render report NAME (e.g. kpi) to <out>/<name>-<date>.html."""
    from replenlib.config import db_path, reports_dir
    from replenlib.reports.runner import render_report
    from replenlib.store.db import require_store

    require_store(db_path(db))
    with Steps(1).step(f"rendering the {name} report"):
        path = render_report(
            name, db=db_path(db), out_dir=reports_dir(out), run_id=run_id, lang=lang
        )
    click.echo(str(path))


@cli.group()
def db() -> None:
    """Inspect or upgrade the store."""


@db.command("info")
@db_option
def db_info(db: Path | None) -> None:
    """Show the store's schema version and row counts per table."""
    from replenlib.config import db_path
    from replenlib.store.info import table_counts

    store = db_path(db)
    version, counts = table_counts(store)
    click.echo(f"{store}: schema version {version}")
    for table, count in counts.items():
        click.echo(f"  {table:<24} {count:>12,}")


@db.command("upgrade")
@db_option
def db_upgrade(db: Path | None) -> None:
    """Apply pending schema migrations to the store."""
    from replenlib.config import db_path
    from replenlib.store import SCHEMA_VERSION, writer

    with writer(db_path(db)):
        pass
    click.echo(f"{db_path(db)} is at schema version {SCHEMA_VERSION}")


def _run(store: Path, as_of: date | None, steps: Steps, options: Any = None) -> Any:
    from replenlib.pipeline.nightly import run_nightly
    from replenlib.store.db import require_store

    require_store(store)
    with steps.step(f"running the nightly pipeline on {store}"):
        return run_nightly(
            store,
            as_of=as_of,
            on_step=lambda s: click.echo(f"      {s}", err=True),
            options=options,
        )


def _run_and_report(store: Path, out: Path, steps: Steps, names: list[str] | None) -> None:
    from replenlib.reports.runner import render_report

    summary = _run(store, None, steps)
    _print_summary(summary)
    for name in names or []:
        with steps.step(f"rendering the {name} report into {out}"):
            path = render_report(name, db=store, out_dir=out, run_id=summary.run_id)
        click.echo(f"report: {path}")


def _print_summary(summary: Any) -> None:
    click.echo(
        f"run {summary.run_id} (as of {summary.as_of}, policy v{summary.policy_version}): "
        f"{summary.n_series:,} item-locations, {summary.n_proposals:,} proposals worth "
        f"{summary.proposal_value:,.0f} CNY, {summary.seconds:.1f} s"
    )


#: Commands defined in :mod:`replenlib.commands`: (module, attribute) pairs, added to ``cli``.
PLUGINS: tuple[tuple[str, str], ...] = (
    ("importing", "import_command"),
    ("importing", "duplicates"),
    ("scenario", "scenario"),
    ("trace", "recall"),
    ("trace", "suppliers"),
    ("trace", "trace"),
    ("governance", "plan"),
    ("governance", "approve"),
    ("governance", "policy"),
    ("governance", "audit"),
    ("governance", "export"),
    ("governance", "alerts"),
    ("scheduled", "nightly"),
)


def _register_plugins() -> None:
    import importlib

    for module, attribute in PLUGINS:
        cli.add_command(getattr(importlib.import_module(f"replenlib.commands.{module}"), attribute))


_register_plugins()


def main() -> None:
    """Entry point of the ``replen`` console script."""
    sys.exit(cli.main(prog_name="replen"))


if __name__ == "__main__":  # pragma: no cover
    main()
