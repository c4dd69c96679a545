"""Where the nightly computation runs: in this process, or on a Dask cluster.

The backend only decides where the partitions of :mod:`.compute` run; the computation is the
same. An :class:`Executor` submits a function call and gathers results:

* :class:`InProcess` (``local``, the default) calls at once; results are values.
* :class:`DaskExecutor` (``dask``) submits to a ``dask.distributed`` cluster — a running
  scheduler (``tcp://host:8786``; Kubernetes, YARN, HPC or cloud deployments of Dask all
  give one) or a ``LocalCluster`` on this machine. Results are futures that stay on the
  worker that computed them until the next step needs them; a failed task is retried
  (``retries``), and the tasks of a worker that dies are recomputed elsewhere by Dask.

Dask is imported only when the Dask backend is used.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from replenlib.errors import ReplenError

log = logging.getLogger(__name__)

#: Attempts after the first of a task that raised (a lost worker's tasks are rescheduled
#: by Dask without counting here).
DEFAULT_RETRIES = 2
#: How long to wait for a scheduler given by address [s].
CONNECT_TIMEOUT_SECONDS = 30


class Backend(StrEnum):
    """Where the nightly computation runs."""

    LOCAL = "local"
    DASK = "dask"


class Executor(Protocol):
    """Runs function calls and gathers their results (module docstring)."""

    @property
    def remote(self) -> bool:
        """Whether calls run in other processes (inputs then travel as Parquet files)."""
        ...

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Start ``fn(*args)``; arguments may be results of earlier calls."""
        ...

    def gather(self, handles: list[Any]) -> list[Any]:
        """The values of earlier calls."""
        ...


class InProcess:
    """Calls at once in this process."""

    remote = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)``."""
        return fn(*args)

    def gather(self, handles: list[Any]) -> list[Any]:
        """``handles`` themselves (they are values)."""
        return list(handles)


@dataclass
class DaskExecutor:
    """Submits to a ``dask.distributed.Client``; results stay on the workers as futures."""

    client: Any  #: a dask.distributed.Client
    retries: int = DEFAULT_RETRIES
    #: wraps every submitted function (tests inject faults through it)
    wrap: Callable[[Callable[..., Any]], Callable[..., Any]] | None = field(default=None)
    remote = True

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``client.submit(fn, *args)`` with retries; never cached (``pure=False``)."""
        call = fn if self.wrap is None else self.wrap(fn)
        return self.client.submit(call, *args, retries=self.retries, pure=False)

    def gather(self, handles: list[Any]) -> list[Any]:
        """The futures' values (raises the first task error that retries could not fix)."""
        return list(self.client.gather(handles))


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new ``LocalCluster`` of ``workers``
    single-threaded worker processes (closed on exit)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ReplenError(
            f"the dask backend needs dask.distributed ({exc}); pip install 'dask[distributed]'"
        ) from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_SECONDS)
        except OSError as exc:
            raise ReplenError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        with client:
            yield client
        return
    # distributed logs every worker start and stop at INFO; show them only when asked (-v)
    logging.getLogger("distributed").setLevel(max(log.getEffectiveLevel(), logging.WARNING))
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never collides with another cluster
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster) as client,
    ):
        log.info("dask: LocalCluster of %d workers at %s", workers, cluster.scheduler_address)
        yield client


@contextlib.contextmanager
def open_executor(
    backend: Backend | str,
    scheduler: str | None = None,
    workers: int = 2,
    retries: int = DEFAULT_RETRIES,
) -> Iterator[Executor]:
    """The executor of ``backend`` (for Dask: of ``scheduler`` or a LocalCluster)."""
    if Backend(backend) is Backend.LOCAL:
        yield InProcess()
        return
    with dask_client(scheduler, workers) as client:
        yield DaskExecutor(client, retries)
