"""CLI command groups of the domain packages, one module each, registered by :mod:`replenlib.cli`.

A module here imports only :mod:`click` (and light standard-library modules) at import time;
everything heavy is imported inside the command functions, so ``replen --help`` stays instant.
Each module exposes the click commands or groups listed in :data:`replenlib.cli.PLUGINS`.
"""

from pathlib import Path

import click
from click.decorators import FC


def db_option(function: FC) -> FC:
    """The ``--db FILE`` option every command that reads or writes the store takes."""
    decorate = click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Store file [default: $REPLEN_DB or data/replen.duckdb].",
    )
    return decorate(function)


BACKENDS = ("local", "dask")


def backend_options(function: FC) -> FC:
    """``--backend``, ``--scheduler``, ``--workers``, ``--partitions``: where the nightly
    computation runs (see :mod:`replenlib.pipeline.backends`)."""
    options = (
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default="local",
            show_default=True,
            help="local: this process; dask: a Dask cluster (--scheduler) or a LocalCluster.",
        ),
        click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            help="Dask scheduler, e.g. tcp://host:8786 [default: a LocalCluster here].",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=2,
            show_default=True,
            help="LocalCluster worker processes (without --scheduler).",
        ),
        click.option(
            "--partitions",
            type=click.IntRange(min=1),
            default=None,
            help="Item partitions [default: 1 locally, 4 × --workers on Dask].",
        ),
        click.option(
            "--exchange",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Folder for the Dask run's Parquet files; every worker must read it "
            "[default: beside the store].",
        ),
    )
    for option in reversed(options):
        function = option(function)
    return function
