"""The Dask engine: the parts of a file (``lrsrules.run.parallel``) checked on a cluster.

The client (this process) reads the file's head, cuts the file into parts and hands each
worker the pack once (``PackRecipe``, scattered to every worker; each compiles it once);
a task is one part, read by the worker from the file's path, so the file must be visible
to every worker at that path (a shared or copied folder). A task hands back its part's
findings as data; the client takes them in input order and writes the report, so the
findings are those of a local run. Without a scheduler address, a ``LocalCluster`` of
worker processes on this machine is started for the run.

Dask is the ``dask`` extra, imported only when this engine is asked for.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from lrsrules.errors import EngineError, Location
from lrsrules.run.parallel import WorkersFactory
from lrsrules.run.partcheck import PackRecipe, PartResult, PartTask, run_part

EXTRA_HINT = "pip install 'lrsrules[dask]'"


class ClusterError(EngineError):
    """The Dask engine cannot be used: dask is not installed, or the scheduler cannot be
    reached."""

    quote_source = False


class DaskWorkers:
    """The workers of the cluster at ``scheduler`` (None: a local one, started here)."""

    def __init__(self, scheduler: str | None, recipe: PackRecipe,
                 local_workers: int | None = None) -> None:
        try:
            distributed: Any = importlib.import_module("dask.distributed")
        except ImportError:
            raise ClusterError("the dask engine needs dask.distributed, which is not "
                               "installed", Location("--engine dask"), hint=EXTRA_HINT) from None
        self._cluster: Any = None
        try:
            if scheduler is None:
                self._cluster = distributed.LocalCluster(
                    n_workers=local_workers, threads_per_worker=1, dashboard_address=":0")
                self._client: Any = distributed.Client(self._cluster)
            else:
                self._client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ClusterError(f"cannot reach the Dask scheduler ({type(exc).__name__})",
                               Location(scheduler or "dask"),
                               hint="give the scheduler's address as tcp://HOST:PORT, and "
                               "check it is running") from None
        self.count = max(1, sum(self._client.nthreads().values()))
        self._recipe = self._client.scatter(recipe, broadcast=True, hash=False)

    def submit(self, task: PartTask) -> Any:
        return _Waited(self._client.submit(run_part, task, self._recipe, pure=False))

    def close(self) -> None:
        client, cluster = getattr(self, "_client", None), self._cluster
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


class _Waited:
    """A Dask future as the run waits on it."""

    def __init__(self, future: Any) -> None:
        self._future = future

    def result(self) -> PartResult:
        result: PartResult = self._future.result()
        return result


def dask_workers(scheduler: str | None, local_workers: int | None = None) -> WorkersFactory:
    """How a run starts its workers on the cluster at ``scheduler``."""
    return lambda recipe: DaskWorkers(scheduler, recipe, local_workers)


def require_dask() -> None:
    """Raise ``ClusterError`` now when dask.distributed is not installed (before a run
    starts writing its report)."""
    if importlib.util.find_spec("distributed") is None:
        raise ClusterError("the dask engine needs dask.distributed, which is not installed",
                           Location("--engine dask"), hint=EXTRA_HINT)
