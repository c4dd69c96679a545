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
