"""The nightly run: read the store, plan, write forecasts, parameters, proposals and KPIs.

The whole run happens inside one :func:`replenlib.store.writer` block, so it is one
transaction: a run that fails leaves the store exactly as it was, and readers (notebooks,
reports) are never blocked by it.

Forecasting, lead-time demand and policy parameters — the bulk of the work — run per
partition of items (:mod:`.compute`) on the backend of :class:`RunOptions`: in this process
(``local``, the default) or on a Dask cluster (``dask``, :mod:`.backends`), with the same
results. Reading the store, the plan stage (proposals need every item of a supplier for its
minimum order value; the rolling plan follows the BOM across items), alerts, KPIs and the one
write stay here, next to the store.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from replenlib import __version__
from replenlib.errors import ReplenError
from replenlib.pipeline import plan_stage
from replenlib.pipeline.backends import DEFAULT_RETRIES, Backend, Executor, open_executor
from replenlib.pipeline.compute import ComputeConfig, ComputedPlan, compute_plan
from replenlib.pipeline.demand_stage import (
    DemandStageConfig,
    category_codes,
    launch_dates,
    read_known_demand,
    stage_keys,
)
from replenlib.pipeline.inputs import PlanningInputs, latest_demand_date, read_planning_inputs
from replenlib.pipeline.item_partitions import PartitionInputs, whole_run
from replenlib.pipeline.kpis import run_kpis
from replenlib.pipeline.planning import PlanResult
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
    backend: str = Backend.LOCAL.value
    partitions: int = 1


@dataclass(frozen=True)
class RunOptions:
    """Where the computation runs (:mod:`.backends`) and how it is split (:mod:`.compute`).

    ``partitions`` defaults to 1 on the local backend and to 4 × ``workers`` on Dask;
    ``exchange`` is the folder for the Parquet files of the Dask backend — one every worker
    can read (default: a temporary folder beside the store, removed after the run).
    """

    backend: Backend = Backend.LOCAL
    scheduler: str | None = None  #: Dask scheduler address; None: a LocalCluster
    workers: int = 2  #: LocalCluster worker processes
    partitions: int | None = None
    exchange: Path | None = None
    retries: int = DEFAULT_RETRIES
    demand: DemandStageConfig = field(default_factory=DemandStageConfig)
    executor: Executor | None = None  #: use this executor instead of opening one

    def n_partitions(self) -> int:
        """The number of item partitions."""
        if self.partitions is not None:
            return max(int(self.partitions), 1)
        return 1 if Backend(self.backend) is Backend.LOCAL else 4 * max(self.workers, 1)


def run_options(
    backend: str = "local",
    scheduler: str | None = None,
    workers: int = 2,
    partitions: int | None = None,
    exchange: Path | None = None,
) -> RunOptions:
    """:class:`RunOptions` from the CLI's backend options (a scheduler needs the Dask backend)."""
    if scheduler and Backend(backend) is not Backend.DASK:
        raise ReplenError(f"--scheduler {scheduler} needs --backend dask")
    return RunOptions(Backend(backend), scheduler, workers, partitions, exchange)


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id: timestamp (to the microsecond) plus process id."""
    moment = now or datetime.now()
    return f"{moment:%Y%m%dT%H%M%S.%f}-{os.getpid()}"


def run_nightly(
    db: Path | str,
    *,
    as_of: date | None = None,
    on_step: StepCallback | None = None,
    options: RunOptions | None = None,
) -> RunSummary:
    """Run the nightly pipeline on the store at ``db``; see the module docstring."""
    step = on_step or (lambda name: log.info("nightly: %s", name))
    opts = options or RunOptions()
    started, clock = datetime.now(), time.perf_counter()
    run_id = new_run_id(started)
    with writer(db) as con:
        refresh_supply_state(con, as_of or latest_demand_date(con), step)
        step("reading store")
        inputs = read_planning_inputs(con, as_of)
        version, strategy = current_strategy(con)
        run = _run_inputs(con, inputs, opts.demand)
        step(
            f"forecasting and planning {inputs.n_series:,} item-locations "
            f"({opts.backend} backend, {opts.n_partitions()} partition(s))"
        )
        computed = _compute(run, ComputeConfig(strategy, opts.demand), opts, con, Path(db), run_id)
        result = computed.result
        step("short-term plan, rolling plan and alerts")  # plan stage (governance branch)
        stage = plan_stage.prepare(con, inputs, result, version, started, strategy)
        step("computing KPIs")
        kpis = run_kpis(con, inputs, result, stage.proposals)
        step("writing results")
        _write(
            con,
            run_id,
            started,
            inputs.as_of,
            version,
            inputs.n_series,
            result,
            stage.proposals,
            kpis,
            computed.demand_tables,
        )
        plan_stage.write(con, run_id, stage, started)
    summary = RunSummary(
        run_id=run_id,
        as_of=inputs.as_of,
        policy_version=version,
        n_series=inputs.n_series,
        n_proposals=len(stage.proposals),
        proposal_value=float(stage.proposals["order_value"].sum()),
        seconds=time.perf_counter() - clock,
        kpis={
            str(name): float(value)
            for name, value in kpis.loc[kpis["scope"] == "all", ["kpi", "value"]].to_numpy()
        },
        backend=Backend(opts.backend).value,
        partitions=computed.n_partitions,
    )
    log.info("run %s: %d proposals in %.1f s", run_id, summary.n_proposals, summary.seconds)
    return summary


def _run_inputs(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs, config: DemandStageConfig
) -> PartitionInputs:
    """Everything the computation reads, for every series of the run."""
    known = read_known_demand(con, stage_keys(inputs), inputs.as_of, config.demand.horizon)
    return whole_run(
        inputs,
        launch_dates(con, inputs.series),
        category_codes(inputs.series),
        known,
        read_policy_inputs(con, inputs.series, inputs.as_of),
    )


def _compute(
    run: PartitionInputs,
    config: ComputeConfig,
    opts: RunOptions,
    con: duckdb.DuckDBPyConnection,
    db: Path,
    run_id: str,
) -> ComputedPlan:
    """:func:`~.compute.compute_plan` on the backend of ``opts``; the Parquet exchange folder
    of a Dask run is removed afterwards, whether the run succeeds or not."""
    with contextlib.ExitStack() as stack:
        executor = opts.executor or stack.enter_context(
            open_executor(opts.backend, opts.scheduler, opts.workers, opts.retries)
        )
        exchange = None
        if executor.remote:
            exchange = (opts.exchange or db.resolve().parent) / f".replen-exchange-{run_id}"
            stack.callback(shutil.rmtree, exchange, True)
        return compute_plan(run, config, executor, opts.n_partitions(), exchange, con)


def _write(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    started: datetime,
    as_of: date,
    version: int,
    n_series: int,
    result: PlanResult,
    proposals: pd.DataFrame,
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
                len(proposals),
                __version__,
            ],
        )
        for table, frame in (
            ("forecasts", result.forecasts),
            ("policy_parameters", result.policy_parameters),
            ("proposals", proposals),
            ("run_kpis", kpis),
            *(extra_tables or {}).items(),
        ):
            append_frame(con, table, frame.assign(run_id=run_id))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
