"""The Dask backend of the nightly run: the same numbers as the local backend, any partitions.

One ``LocalCluster`` of two single-threaded worker *processes* serves the module (the workers
import this source tree through PYTHONPATH, like workers of a real cluster import the installed
replenlib). The equality checks are exact: every table the run writes, sorted by its columns,
with the run id masked.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.demand.lead_time import LeadTimeModel
from replenlib.pipeline.backends import Backend, DaskExecutor, InProcess
from replenlib.pipeline.compute import ComputeConfig, compute_plan, finish_step
from replenlib.pipeline.demand_stage import DemandStageConfig
from replenlib.pipeline.inputs import read_planning_inputs
from replenlib.pipeline.item_partitions import item_partition, series_keys
from replenlib.pipeline.nightly import RunOptions, _run_inputs, run_nightly
from replenlib.pipeline.policy_versions import current_strategy
from replenlib.store import reader

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent

#: Tables whose rows record the run itself (hash chain over timestamps, file paths): not
#: results of the computation.
NOT_RESULTS = {"audit_log", "audit_head", "loads"}
#: Columns that differ between any two runs (times, durations, ids).
VOLATILE_SUFFIXES = ("_at", "seconds")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A client of a LocalCluster of 2 single-threaded worker processes."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture(scope="module")
def local_run(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the small store after one more nightly run on the local backend."""
    db = tmp_path_factory.mktemp("local") / "replen.duckdb"
    shutil.copyfile(small_store, db)
    return db, run_nightly(db).run_id


def _tables(db: Path, run_id: str) -> dict[str, pd.DataFrame]:
    """Every table of the store, run id masked, volatile columns dropped, rows sorted."""
    out = {}
    with reader(db) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        for name in sorted(set(names) - NOT_RESULTS):
            frame = con.execute(f'SELECT * FROM "{name}"').df()
            frame = frame.drop(columns=[c for c in frame.columns if c.endswith(VOLATILE_SUFFIXES)])
            frame = frame.replace(run_id, "<run>")
            out[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def _assert_same_store(db: Path, run_id: str, reference: Path, reference_run: str) -> None:
    ours, theirs = _tables(db, run_id), _tables(reference, reference_run)
    assert sorted(ours) == sorted(theirs)
    for name in ("forecasts", "policy_parameters", "proposals", "lead_time_demand"):
        assert len(ours[name]) > 0, name  # the comparison compares something
    for name, frame in ours.items():
        pd.testing.assert_frame_equal(frame, theirs[name], check_exact=True, obj=name)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_dask_run_on_two_workers_equals_the_local_run(
    client: Any, local_run: tuple[Path, str], small_store: Path, tmp_path: Path
) -> None:
    db = tmp_path / "replen.duckdb"
    shutil.copyfile(small_store, db)
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "--db",
            str(db),
            "--backend",
            "dask",
            "--scheduler",
            client.scheduler.address,
            "--partitions",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    run_id = result.output.split()[result.output.split().index("run") + 1]
    assert "dask backend, 3 partition(s)" in result.output
    _assert_same_store(db, run_id, *local_run)
    assert not list(tmp_path.glob(".replen-exchange-*"))  # the Parquet exchange is removed


def _computed(db: Path, partitions: int, config: DemandStageConfig) -> dict[str, pd.DataFrame]:
    with reader(db) as con:
        inputs = read_planning_inputs(con, None)
        _, strategy = current_strategy(con)
        run = _run_inputs(con, inputs, config)
    computed = compute_plan(run, ComputeConfig(strategy, config), InProcess(), partitions)
    result = computed.result
    return {
        "forecasts": result.forecasts,
        "policy_parameters": result.policy_parameters,
        **computed.demand_tables,
    }


@pytest.mark.parametrize("model", ["parametric", "auto"])
def test_one_or_three_partitions_give_the_same_numbers(small_store: Path, model: str) -> None:
    # "auto" bootstraps sparse series: their random numbers are keyed by series, not by row
    config = DemandStageConfig(lead_time_model=LeadTimeModel(model))
    one, three = _computed(small_store, 1, config), _computed(small_store, 3, config)
    assert set(one) == set(three)
    for name, frame in one.items():
        pd.testing.assert_frame_equal(frame, three[name], check_exact=True, obj=name)
    if model == "auto":
        assert (one["lead_time_demand"]["family"] == "empirical").sum() > 10


def test_items_are_partitioned_by_a_stable_hash() -> None:
    items = pd.Series(["CRD000024", "CRD000024", "DRS000007", "X"])
    part = item_partition(items, 4)
    assert part[0] == part[1]  # an item's stock points stay together
    # pandas' hash_array with its fixed key: the same in every process and run
    np.testing.assert_array_equal(part, item_partition(items.iloc[::-1], 4)[::-1])
    keys = series_keys(pd.DataFrame({"item_id": ["A", "A"], "location_id": ["L1", "L2"]}))
    assert keys[0] != keys[1]
    assert keys.dtype == np.uint64


class FailOnce:
    """Wraps a function so that its first call (per marker folder) raises."""

    def __init__(self, fn: Callable[..., Any], folder: Path) -> None:
        self.fn, self.marker = fn, folder / f"{fn.__name__}.failed"

    def __call__(self, *args: Any) -> Any:
        if not self.marker.exists():
            self.marker.touch()
            raise RuntimeError(f"injected fault in {self.fn.__name__}")
        return self.fn(*args)


class FailFinish:
    """Wraps a function so that the last step of the computation always raises."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        if self.fn is finish_step:
            raise RuntimeError("injected permanent fault")
        return self.fn(*args)


def _square(x: int) -> int:
    return x * x


def test_a_task_that_fails_once_is_retried(client: Any, tmp_path: Path) -> None:
    retried = DaskExecutor(client, retries=1, wrap=lambda fn: FailOnce(fn, tmp_path))
    assert retried.gather([retried.submit(_square, 7)]) == [49]
    assert (tmp_path / "_square.failed").exists()  # it did fail the first time
    (tmp_path / "_square.failed").unlink()
    once = DaskExecutor(client, retries=0, wrap=lambda fn: FailOnce(fn, tmp_path))
    with pytest.raises(RuntimeError, match="injected fault in _square"):
        once.gather([once.submit(_square, 7)])


@pytest.mark.slow
def test_a_run_that_fails_on_a_worker_writes_nothing(
    client: Any, small_store: Path, tmp_path: Path
) -> None:
    db = tmp_path / "replen.duckdb"
    shutil.copyfile(small_store, db)
    before = _sha(db)
    with reader(db) as con:
        runs = con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
    executor = DaskExecutor(client, retries=1, wrap=FailFinish)
    options = RunOptions(backend=Backend.DASK, executor=executor, partitions=2)
    with pytest.raises(RuntimeError, match="injected permanent fault"):
        run_nightly(db, options=options)
    assert _sha(db) == before  # not one byte written
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == runs
    assert not list(tmp_path.glob(".replen-exchange-*"))


def test_a_scheduler_needs_the_dask_backend(store_copy: Path) -> None:
    before = _sha(store_copy)
    result = CliRunner().invoke(
        cli, ["run", "--db", str(store_copy), "--scheduler", "tcp://127.0.0.1:8786"]
    )
    assert result.exit_code == 1
    assert "--scheduler tcp://127.0.0.1:8786 needs --backend dask" in result.output
    assert _sha(store_copy) == before


def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from replenlib.pipeline import backends

    monkeypatch.setattr(backends, "CONNECT_TIMEOUT_SECONDS", 1)
    before = _sha(store_copy)
    result = CliRunner().invoke(
        cli,
        ["run", "--db", str(store_copy), "--backend", "dask", "--scheduler", "tcp://127.0.0.1:9"],
    )
    assert result.exit_code == 1, result.output
    assert "replen: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert _sha(store_copy) == before


def test_the_local_backend_does_not_import_dask() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import replenlib.cli, replenlib.pipeline.nightly, replenlib.pipeline.compute\n"
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
