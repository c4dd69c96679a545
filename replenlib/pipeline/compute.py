"""The nightly computation for a set of items: the one implementation both backends run.

:func:`compute_plan` takes the run's inputs (:class:`~.item_partitions.PartitionInputs` of every
series), splits them by item (:mod:`.item_partitions`) and runs three steps per partition,
with three small exchanges in between — the panel-wide decisions that link series of different
items (:mod:`replenlib.demand.evidence`, :mod:`replenlib.demand.error_pools`):

1. :func:`evidence_step`: segments and backtests of the partition's series → per series
   ABC value and volume, criterion scores, class, lifecycle and launch curve;
   *exchange 1* (:func:`~replenlib.demand.evidence.demand_context`, on the gathered
   summaries in the run's row order): ABC classes, the method per series, launch profiles;
2. :func:`plan_step`: the chosen methods fitted, the demand stage, the strategy resolved → the
   longest protection interval per method and echelon level;
   *exchange 2* (:class:`~.demand_stage.CycleWindows`): the error windows (the origins at
   which the cumulative forecast errors of a method are measured depend on it);
3. :func:`terms_step`: the pool terms of the protection-interval error model per echelon
   level, measured with those windows;
   *exchange 3* (:class:`~.demand_stage.CyclePools`): the pooled error ratios;
4. :func:`finish_step`: lead-time demand, policy parameters and the rows of ``forecasts``,
   ``policy_parameters``, ``segments``, ``forecast_backtests``, ``forecast_values`` and
   ``lead_time_demand``.

An :class:`~.backends.Executor` decides where the steps run: in this process (the ``local``
backend; one partition unless told otherwise) or on a Dask cluster, where each step's result
stays on its worker as the next step's input and only the summaries, terms and (as Parquet
files) the result rows travel. The exchanges gather per-series numbers in the run's row order
and compute the shared decisions with the same functions as a single panel does, so every
number is the same on any backend with any number of partitions — bit for bit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.demand.distributions import DemandDistribution, Family
from replenlib.demand.evidence import DemandContext, DemandEvidence, DemandSummary, demand_context
from replenlib.pipeline.backends import Executor
from replenlib.pipeline.demand_stage import (
    CyclePools,
    CycleTerms,
    CycleWindows,
    DemandStage,
    DemandStageConfig,
    evidence_of,
    stage_of,
)
from replenlib.pipeline.item_partitions import (
    PartitionInputs,
    export_partitions,
    item_partition,
    read_partition,
    split,
)
from replenlib.pipeline.plan_inputs import series_index
from replenlib.pipeline.planning import PlanResult, cycle_terms, cycle_windows, plan
from replenlib.policy.strategy import Strategy

log = logging.getLogger(__name__)

#: Result tables per partition; ``_series`` carries per-series values that are no table.
TABLES = (
    "forecasts",
    "policy_parameters",
    "segments",
    "forecast_backtests",
    "forecast_values",
    "lead_time_demand",
    "_series",
)
#: Row order of a gathered table: forecast_backtests is method-major, the others series-major.
_ORDER = {"forecast_backtests": ["_sub", "_row"]}

Source = PartitionInputs | str  #: a partition in memory, or the folder it was exported to


@dataclass(frozen=True)
class ComputeConfig:
    """What the steps need besides the inputs."""

    strategy: Strategy
    demand: DemandStageConfig


@dataclass(frozen=True)
class ComputedPlan:
    """The gathered result of :func:`compute_plan`, in the run's series order."""

    result: PlanResult
    demand_tables: dict[str, pd.DataFrame]  #: segments, backtests, forecast values, LTD
    n_partitions: int


def evidence_step(
    source: Source, config: ComputeConfig
) -> tuple[tuple[PartitionInputs, DemandEvidence], DemandSummary]:
    """Step 1 (module docstring): the partition's evidence and its summary."""
    part = source if isinstance(source, PartitionInputs) else read_partition(source)
    evidence = evidence_of(part.inputs, part.launch, part.category, config.demand)
    return (part, evidence), DemandSummary.of(evidence)


def plan_step(
    first: tuple[tuple[PartitionInputs, DemandEvidence], DemandSummary],
    context: DemandContext,
    config: ComputeConfig,
) -> tuple[tuple[PartitionInputs, DemandStage], CycleWindows]:
    """Step 2: the demand stage with the run's ``context`` and the partition's error windows."""
    (part, evidence), _ = first
    stage = stage_of(part.inputs, evidence, context, part.known, config.demand, part.keys)
    return (part, stage), cycle_windows(part.inputs, config.strategy, part.store, stage)


def terms_step(
    second: tuple[tuple[PartitionInputs, DemandStage], CycleWindows],
    windows: CycleWindows,
    config: ComputeConfig,
) -> CycleTerms:
    """Step 3: the partition's pool terms, measured with the run's ``windows``."""
    (part, stage), _ = second
    return cycle_terms(part.inputs, config.strategy, part.store, stage, windows)


def finish_step(
    second: tuple[tuple[PartitionInputs, DemandStage], CycleWindows],
    pools: CyclePools,
    config: ComputeConfig,
    out: str | None = None,
) -> dict[str, pd.DataFrame] | str:
    """Step 4: the partition's result rows (with ``_row``/``_sub`` ordering columns); written
    as ``<out>/<table>.parquet`` when ``out`` is given (its path is returned)."""
    (part, stage), _ = second
    result = plan(part.inputs, config.strategy, part.store, stage, pools)
    params = result.policy_parameters
    protection = (params["lead_time_mean_days"] + params["review_period_days"]).to_numpy()
    tables = stage.frames(result.lead_time_demand, protection)
    tables |= {"forecasts": result.forecasts, "policy_parameters": params}
    assert result.lead_time_demand is not None  # a demand stage always gives one
    ltd = result.lead_time_demand
    tables["_series"] = stage.keys.assign(
        inventory_position=result.inventory_position,
        ltd_family=ltd.family.astype(str),
        ltd_mean=ltd.mean,
        ltd_variance=ltd.variance,
        ltd_samples=_sample_column(ltd).to_numpy(),
    )
    methods = {m.value: k for k, m in enumerate(stage.plan.backtest.methods)}
    tables = {name: _ordered(name, frame, part, methods) for name, frame in tables.items()}
    if out is None:
        return tables
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return str(folder)


def _ordered(
    name: str, frame: pd.DataFrame, part: PartitionInputs, methods: dict[str, int]
) -> pd.DataFrame:
    """``frame`` with ``_row`` (the series' row in the run) and ``_sub`` (position within)."""
    rows = part.rows[series_index(part.inputs.series, frame)]
    sub = (
        frame["horizon"].to_numpy(dtype=np.int64)
        if name == "forecast_values"
        else frame["method"].map(methods).to_numpy(dtype=np.int64)
        if name == "forecast_backtests"
        else np.zeros(len(frame), dtype=np.int64)
    )
    return frame.assign(_row=rows, _sub=sub)


def compute_plan(
    run: PartitionInputs,
    config: ComputeConfig,
    executor: Executor,
    n_partitions: int = 1,
    exchange: Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> ComputedPlan:
    """Forecasts, lead-time demand and policy parameters of every series of ``run``
    (module docstring). A remote executor's partitions go through Parquet files in
    ``exchange``, written by DuckDB (``con``: the run's connection; default: in memory)."""
    part = item_partition(run.inputs.series["item_id"], n_partitions)
    members = [np.flatnonzero(part == k) for k in range(n_partitions) if (part == k).any()]
    order = np.concatenate(members)
    sources: Sequence[Source] = split(run, n_partitions)
    outputs: list[str | None] = [None] * len(members)
    if executor.remote:
        if exchange is None:
            raise ValueError("a remote executor needs an exchange folder for Parquet")
        folders = export_partitions(con or duckdb.connect(), run, n_partitions, exchange / "inputs")
        sources = [str(p) for p in folders]
        outputs = [str(exchange / "results" / folder.name) for folder in folders]
    log.info("computing %d series in %d partition(s)", len(order), len(members))
    first = [executor.submit(evidence_step, source, config) for source in sources]
    summaries = executor.gather([executor.submit(_second, h) for h in first])
    context = demand_context(DemandSummary.concat(summaries, order), config.demand.demand)
    second = [
        executor.submit(plan_step, h, context.take(rows), config)
        for h, rows in zip(first, members, strict=True)
    ]
    windows = CycleWindows.gather(executor.gather([executor.submit(_second, h) for h in second]))
    terms = executor.gather([executor.submit(terms_step, h, windows, config) for h in second])
    pools = CyclePools.gather(terms, order, windows)
    third = [
        executor.submit(finish_step, h, pools, config, out)
        for h, out in zip(second, outputs, strict=True)
    ]
    return _gathered(executor.gather(third), len(members))


def _second(pair: tuple[Any, Any]) -> Any:
    return pair[1]


def _gathered(parts: list[dict[str, pd.DataFrame] | str], n_partitions: int) -> ComputedPlan:
    """The partitions' tables as one run's, in the run's order."""
    frames = [_read(part) if isinstance(part, str) else part for part in parts]
    tables = {}
    for name in TABLES:
        joined = pd.concat([f[name] for f in frames], ignore_index=True)
        by = _ORDER.get(name, ["_row", "_sub"])
        tables[name] = (
            joined.sort_values(by, kind="stable")
            .drop(columns=["_row", "_sub"])
            .reset_index(drop=True)
        )
    series = tables.pop("_series")
    distribution = DemandDistribution(
        family=np.asarray([Family(f) for f in series["ltd_family"]], dtype=object),
        mean=series["ltd_mean"].to_numpy(dtype=np.float64),
        variance=series["ltd_variance"].to_numpy(dtype=np.float64),
        samples=_sample_matrix(series["ltd_samples"]),
    )
    result = PlanResult(
        forecasts=tables.pop("forecasts"),
        policy_parameters=tables.pop("policy_parameters"),
        inventory_position=series["inventory_position"].to_numpy(dtype=np.float64),
        lead_time_demand=distribution,
    )
    return ComputedPlan(result, tables, n_partitions)


def _sample_column(distribution: DemandDistribution) -> pd.Series:
    """The bootstrap samples of the empirical rows (None for the others)."""
    samples = distribution.samples
    empirical = distribution.family == Family.EMPIRICAL
    if samples is None:
        return pd.Series([None] * len(empirical), dtype=object)
    rows = [row if keep else None for row, keep in zip(samples, empirical, strict=True)]
    return pd.Series(rows, dtype=object)


def _sample_matrix(column: pd.Series) -> NDArray[np.float64] | None:
    """(series, draws) samples from :func:`_sample_column`'s rows (0 where there are none)."""
    present = column.notna().to_numpy(dtype=bool)
    if not present.any():
        return None
    rows = np.stack(list(column[present])).astype(np.float64)
    out = np.zeros((len(column), rows.shape[1]))
    out[present] = rows
    return out


def _read(folder: str) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(Path(folder) / f"{name}.parquet") for name in TABLES}


def partition_sizes(run: PartitionInputs, n_partitions: int) -> NDArray[np.int64]:
    """Series per partition (for logs and benchmarks)."""
    part = item_partition(run.inputs.series["item_id"], n_partitions)
    return np.bincount(part, minlength=n_partitions).astype(np.int64)
