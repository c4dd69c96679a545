"""The nightly run: read the store, plan, write forecasts, parameters, proposals and KPIs.

The whole run happens inside one :func:`replenlib.store.writer` block, so it is one
transaction: a run that fails leaves the store exactly as it was, and readers (notebooks,
reports) are never blocked by it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from replenlib import __version__
from replenlib.pipeline import plan_stage
from replenlib.pipeline.demand_stage import run_demand_stage
from replenlib.pipeline.inputs import latest_demand_date, read_planning_inputs
from replenlib.pipeline.kpis import run_kpis
from replenlib.pipeline.planning import PlanResult, plan
from replenlib.pipeline.policy_inputs import read_policy_inputs
from replenlib.pipeline.policy_versions import current_strategy
from replenlib.pipeline.supply_stage import refresh_supply_state
from replenlib.store import append_frame, writer

log = logging.getLogger(__name__)

StepCallback = Callable[[str], None]


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the CLI and for tests."""

    run_id: str
    as_of: date
    policy_version: int
    n_series: int
    n_proposals: int
    proposal_value: float  #: [CNY]
    seconds: float
    kpis: dict[str, float] = field(default_factory=dict)  #: scope 'all' only


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id: timestamp (to the microsecond) plus process id."""
    moment = now or datetime.now()
    return f"{moment:%Y%m%dT%H%M%S.%f}-{os.getpid()}"


def run_nightly(
    db: Path | str, *, as_of: date | None = None, on_step: StepCallback | None = None
) -> RunSummary:
    """Run the nightly pipeline on the store at ``db``; see the module docstring."""
    step = on_step or (lambda name: log.info("nightly: %s", name))
    started, clock = datetime.now(), time.perf_counter()
    run_id = new_run_id(started)
    with writer(db) as con:
        refresh_supply_state(con, as_of or latest_demand_date(con), step)
        step("reading store")
        inputs = read_planning_inputs(con, as_of)
        version, strategy = current_strategy(con)
        step(f"forecasting {inputs.n_series:,} item-locations (segments, backtests)")
        demand = run_demand_stage(con, inputs)
        step(f"planning {inputs.n_series:,} item-locations")
        store = read_policy_inputs(con, inputs.series, inputs.as_of)
        result = plan(inputs, strategy, store, demand=demand)
        step("short-term plan, rolling plan and alerts")  # plan stage (governance branch)
        stage = plan_stage.prepare(con, inputs, result, version, started)
        result = replace(result, proposals=stage.proposals)
        step("computing KPIs")
        kpis = run_kpis(con, inputs, result)
        step("writing results")
        params = result.policy_parameters
        protection = params["lead_time_mean_days"] + params["review_period_days"]
        demand_tables = demand.frames(result.lead_time_demand, protection.to_numpy())
        _write(
            con,
            run_id,
            started,
            inputs.as_of,
            version,
            inputs.n_series,
            result,
            kpis,
            demand_tables,
        )
        plan_stage.write(con, run_id, stage, started)
    summary = RunSummary(
        run_id=run_id,
        as_of=inputs.as_of,
        policy_version=version,
        n_series=inputs.n_series,
        n_proposals=len(result.proposals),
        proposal_value=float(result.proposals["order_value"].sum()),
        seconds=time.perf_counter() - clock,
        kpis={
            str(name): float(value)
            for name, value in kpis.loc[kpis["scope"] == "all", ["kpi", "value"]].to_numpy()
        },
    )
    log.info("run %s: %d proposals in %.1f s", run_id, summary.n_proposals, summary.seconds)
    return summary


def _write(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    started: datetime,
    as_of: date,
    version: int,
    n_series: int,
    result: PlanResult,
    kpis: pd.DataFrame,
    extra_tables: dict[str, pd.DataFrame] | None = None,
) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'succeeded', ?, ?, ?)",
            [
                run_id,
                started,
                datetime.now(),
                as_of,
                version,
                n_series,
                len(result.proposals),
                __version__,
            ],
        )
        for table, frame in (
            ("forecasts", result.forecasts),
            ("policy_parameters", result.policy_parameters),
            ("proposals", result.proposals),
            ("run_kpis", kpis),
            *(extra_tables or {}).items(),
        ):
            append_frame(con, table, frame.assign(run_id=run_id))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
