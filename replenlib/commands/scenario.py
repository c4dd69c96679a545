"""``replen scenario``: simulate and compare replenishment scenarios described in a file."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from replenlib.commands import db_option


@click.group("scenario")
def scenario() -> None:
    """Simulate scenarios (YAML or TOML files) and list stored scenario runs."""


@scenario.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--replications",
    type=click.IntRange(2, 10_000),
    default=None,
    help="Replications per scenario [default: the file's].",
)
@click.option("--seed", type=int, default=None, help="Random seed [default: the file's].")
def run(file: Path, db: Path | None, replications: int | None, seed: int | None) -> None:
    """Simulate the scenarios of FILE against the store and store the results.

    Prints one line per scenario (scope: all item-locations) with the difference to the
    baseline and its 95 % confidence interval; `replen report scenario` renders the report.
    """
    from replenlib.config import db_path
    from replenlib.pipeline.scenario_stage import run_scenario_file

    start = time.perf_counter()

    def step(text: str) -> None:
        click.echo(f"[{time.perf_counter() - start:6.1f} s] {text} …", err=True)

    summary = run_scenario_file(
        db_path(db), file, replications=replications, seed=seed, on_step=step
    )
    click.echo(
        f"scenario run {summary.scenario_run_id} ({summary.name}): {summary.n_scenarios} scenarios, "
        f"{summary.n_series:,} item-locations, {summary.replications} replications, "
        f"{summary.seconds:.1f} s"
    )
    kpis = summary.kpis.set_index(["scenario", "kpi"])
    click.echo(
        f"{'scenario':<24} {'stockout rate':>22} {'fill rate':>9} {'inv. days':>9} {'inventory value':>16}"
    )
    for name in dict.fromkeys(summary.kpis["scenario"]):
        stockout = kpis.loc[(name, "stockout_rate")]
        click.echo(
            f"{name:<24} {_pct(stockout['mean']):>7} {_diff(stockout):>14} "
            f"{_pct(kpis.loc[(name, 'fill_rate')]['mean']):>9} "
            f"{_num(kpis.loc[(name, 'inventory_days')]['mean'], '.1f'):>9} "
            f"{_num(kpis.loc[(name, 'inventory_value')]['mean'], ',.0f'):>16}"
        )


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _pct(value: object) -> str:
    return "n/a" if _missing(value) else f"{float(value):.2%}"  # type: ignore[arg-type]


def _num(value: object, spec: str) -> str:
    return "n/a" if _missing(value) else format(float(value), spec)  # type: ignore[arg-type]


def _diff(row: Mapping[str, Any]) -> str:
    mean, low, high = (row.get(k) for k in ("diff_mean", "diff_low", "diff_high"))
    if _missing(mean) or _missing(low) or _missing(high):
        return "(baseline)"
    return f"{float(mean) * 100:+.2f} pp ±{(float(high) - float(low)) * 50:.2f}"  # type: ignore[arg-type]


@scenario.command("list")
@db_option
def list_runs(db: Path | None) -> None:
    """List the stored scenario runs, newest first."""
    from replenlib.config import db_path
    from replenlib.store import reader

    with reader(db_path(db)) as con:
        rows = con.execute(
            "SELECT scenario_run_id, created_at, name, replications, n_series FROM scenario_runs "
            "ORDER BY created_at DESC"
        ).fetchall()
    for run_id, created, name, reps, n in rows:
        click.echo(
            f"{run_id}  {created:%Y-%m-%d %H:%M}  {name}  ({reps} replications, {n:,} series)"
        )
    if not rows:
        click.echo("no scenario runs yet: run `replen scenario run FILE`")
