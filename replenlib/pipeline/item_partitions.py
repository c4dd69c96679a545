"""A run's item-locations split into partitions by item, and moved through Parquet.

Everything the nightly computation does for one item — its stock points' forecasts, the echelon
demand a parent covers for the stock points below it, their policy levels — depends on that
item's series only (plus a few panel-wide pools, see :mod:`.compute`). So a partition holds
*whole items*: series go to partition ``hash(item_id) mod n`` (:func:`item_partition`), never
one item-location here and its parent there.

:class:`PartitionInputs` is what one partition computes from: the planning inputs of its series
(in the run's series order, with ``row`` = the series' row in the whole run), item launch
dates, category codes (of the whole run), CRM known demand, lot profiles and a stable 64-bit
key per series for keyed random numbers (:mod:`replenlib.demand.keyed`).

For the Dask backend, :func:`export_partitions` has DuckDB write the whole run's inputs in one
``COPY ... TO ... (FORMAT parquet, PARTITION_BY (part))``: one folder per partition, which each
worker reads itself (:func:`read_partition`) — the inputs never pass through the scheduler,
and the folder may be any path every worker can read (a shared file system).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from replenlib.pipeline.demand_stage import KnownDemand
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.policy_inputs import PolicyStoreInputs

#: The series columns the computation reads (the rest of the series frame stays on the driver).
COMPUTE_COLUMNS = (
    "item_id",
    "location_id",
    "source_location_id",
    "category",
    "criticality",
    "risk_class",
    "is_cold_chain",
    "unit_cost",
    "shelf_life_days",
    "min_remaining_shelf_life_days",
    "is_active",
    "supplier_id",
    "unit_price",
    "moq",
    "order_multiple",
    "row",
)
#: Per-series arrays of :class:`~replenlib.pipeline.inputs.PlanningInputs`.
_VECTORS = ("usable_on_hand", "on_order", "lead_time_mean", "lead_time_std", "usable_days")
_KNOWN = ("quantity", "variance", "baseline_share")


@dataclass(frozen=True)
class PartitionInputs:
    """The inputs of one partition of items (module docstring); arrays aligned to
    ``inputs.series``."""

    inputs: PlanningInputs
    launch: NDArray[np.float64]  #: launch date [days since 1970-01-01], NaN unknown
    category: NDArray[np.int64]  #: item category code of the whole run, −1 unknown
    known: KnownDemand | None
    store: PolicyStoreInputs
    keys: NDArray[np.uint64]  #: stable key per series (:func:`series_keys`)

    @property
    def rows(self) -> NDArray[np.int64]:
        """Each series' row in the whole run."""
        return np.asarray(self.inputs.series["row"].to_numpy(), dtype=np.int64)

    def take(self, rows: NDArray[np.int64]) -> PartitionInputs:
        """The partition of the series at positions ``rows`` (in this object's order)."""
        i = self.inputs
        known = self.known
        return PartitionInputs(
            inputs=replace(
                i,
                series=i.series.iloc[rows].reset_index(drop=True),
                weekly_demand=i.weekly_demand[rows],
                **{name: getattr(i, name)[rows] for name in _VECTORS},
            ),
            launch=self.launch[rows],
            category=self.category[rows],
            known=None
            if known is None
            else KnownDemand(*(getattr(known, name)[rows] for name in _KNOWN)),
            store=PolicyStoreInputs(
                self.store.is_substitutable[rows],
                self.store.lot_quantity[rows],
                self.store.lot_days_to_expiry[rows],
            ),
            keys=self.keys[rows],
        )


def item_partition(item_id: pd.Series, n_partitions: int) -> NDArray[np.int64]:
    """Partition of each series: a stable hash of its item id modulo ``n_partitions``."""
    hashed = pd.util.hash_array(item_id.astype(str).to_numpy(dtype=object))
    return np.asarray(hashed % np.uint64(n_partitions), dtype=np.int64)


def series_keys(series: pd.DataFrame) -> NDArray[np.uint64]:
    """A stable 64-bit key per series from its item and location ids (the same in every run,
    process and partition)."""
    names = series["item_id"].astype(str) + "\x1f" + series["location_id"].astype(str)
    return np.asarray(pd.util.hash_array(names.to_numpy(dtype=object)), dtype=np.uint64)


def whole_run(
    inputs: PlanningInputs,
    launch: NDArray[np.float64],
    category: NDArray[np.int64],
    known: KnownDemand | None,
    store: PolicyStoreInputs,
) -> PartitionInputs:
    """All of a run's series as one partition (the computation's columns only)."""
    series = inputs.series[list(COMPUTE_COLUMNS)].reset_index(drop=True)
    return PartitionInputs(
        replace(inputs, series=series), launch, category, known, store, series_keys(series)
    )


def split(run: PartitionInputs, n_partitions: int) -> list[PartitionInputs]:
    """``run`` by item into at most ``n_partitions`` non-empty partitions, in partition order."""
    part = item_partition(run.inputs.series["item_id"], n_partitions)
    return [run.take(np.flatnonzero(part == k)) for k in range(n_partitions) if (part == k).any()]


def export_partitions(
    con: duckdb.DuckDBPyConnection, run: PartitionInputs, n_partitions: int, folder: Path
) -> list[Path]:
    """Write ``run`` as Parquet, one folder per non-empty partition (``folder/part=k``)."""
    table = _to_arrow(run).append_column(
        "part", pa.array(item_partition(run.inputs.series["item_id"], n_partitions), pa.int32())
    )
    folder.mkdir(parents=True, exist_ok=True)
    con.register("_partition_inputs", table)
    try:
        con.execute(
            f"COPY (SELECT * FROM _partition_inputs) TO '{folder}' "
            "(FORMAT parquet, PARTITION_BY (part), OVERWRITE_OR_IGNORE)"
        )
    finally:
        con.unregister("_partition_inputs")
    parts = np.unique(table.column("part").to_numpy())
    return [folder / f"part={k}" for k in parts]


def read_partition(path: Path | str) -> PartitionInputs:
    """One partition written by :func:`export_partitions`, rows in the run's order."""
    table = pq.read_table(str(path)).sort_by("row")
    return _from_arrow(table)


def _to_arrow(run: PartitionInputs) -> pa.Table:
    i, n = run.inputs, run.inputs.n_series
    columns: dict[str, pa.Array] = {
        name: pa.Array.from_pandas(i.series[name]) for name in COMPUTE_COLUMNS
    }
    columns |= {name: pa.array(getattr(i, name)) for name in _VECTORS}
    columns |= {
        "as_of": pa.array([i.as_of] * n, pa.date32()),
        "weekly_demand": _matrix(i.weekly_demand),
        "launch": pa.array(run.launch),
        "category_code": pa.array(run.category),
        "series_key": pa.array(run.keys, pa.uint64()),
        "is_substitutable": pa.array(run.store.is_substitutable),
        "lot_quantity": _matrix(run.store.lot_quantity),
        "lot_days_to_expiry": _matrix(run.store.lot_days_to_expiry),
    }
    if run.known is not None:
        columns |= {f"known_{name}": _matrix(getattr(run.known, name)) for name in _KNOWN}
    return pa.table(columns)


def _matrix(values: NDArray[np.float64]) -> pa.FixedSizeListArray:
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    return pa.FixedSizeListArray.from_arrays(pa.array(flat), max(values.shape[1], 1))


def _from_arrow(table: pa.Table) -> PartitionInputs:
    n = table.num_rows
    series = table.select(list(COMPUTE_COLUMNS)).to_pandas()
    as_of: date = table.column("as_of")[0].as_py()
    inputs = PlanningInputs(
        as_of=as_of,
        series=series,
        weekly_demand=_numpy_matrix(table, "weekly_demand", n),
        **{name: table.column(name).to_numpy() for name in _VECTORS},
    )
    known = None
    if "known_quantity" in table.column_names:
        known = KnownDemand(*(_numpy_matrix(table, f"known_{name}", n) for name in _KNOWN))
    return PartitionInputs(
        inputs=inputs,
        launch=table.column("launch").to_numpy(),
        category=table.column("category_code").to_numpy().astype(np.int64),
        known=known,
        store=PolicyStoreInputs(
            table.column("is_substitutable").to_numpy(zero_copy_only=False),
            _numpy_matrix(table, "lot_quantity", n),
            _numpy_matrix(table, "lot_days_to_expiry", n),
        ),
        keys=table.column("series_key").to_numpy().astype(np.uint64),
    )


def _numpy_matrix(table: pa.Table, name: str, n_rows: int) -> NDArray[np.float64]:
    flat = pc.list_flatten(table.column(name)).to_numpy(zero_copy_only=False)
    return np.asarray(flat, dtype=np.float64).reshape(n_rows, -1)
