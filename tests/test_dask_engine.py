"""--engine dask: the parts of a file checked on a Dask cluster give the local report.

Run on a LocalCluster of two workers (the ``dask`` extra, which CI installs); skipped only
where dask.distributed is not installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from partfiles import FORMATS, PACK, cli, make_csv

import lrsrules
from lrsrules.run import cluster, parallel

distributed: Any = pytest.importorskip("dask.distributed", reason="the dask extra is not "
                                       "installed (pip install 'lrsrules[dask]')")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a LocalCluster of two workers, in this process (threads)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK, "utf-8")
    return path


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Parts of 700 bytes; yields the parts a task checked."""
    monkeypatch.setattr(parallel, "PART_BYTES", 700)
    parts: list[int] = []
    submit = cluster.DaskWorkers.submit

    def counted(self: cluster.DaskWorkers, task: parallel.PartTask) -> Any:
        parts.append(task.part)
        return submit(self, task)

    monkeypatch.setattr(cluster.DaskWorkers, "submit", counted)
    yield parts


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_the_dask_engine_writes_the_local_report_in_every_format(
        tmp_path: Path, pack: Path, scheduler: str, small_parts: list[int], newline: str
        ) -> None:
    data = make_csv(tmp_path / "learners.csv", 400, newline=newline)
    for fmt in FORMATS:
        local = cli("validate", data, "--pack", pack, "--format", fmt)
        dask = cli("validate", data, "--pack", pack, "--format", fmt, "--engine", "dask",
                   "--scheduler", scheduler)
        assert local[0] == 1 and local == dask, fmt
    assert len(set(small_parts)) > 10  # the cluster checked the parts


def test_findings_summary_and_repeats_are_those_of_a_local_run(
        tmp_path: Path, pack: Path, scheduler: str, small_parts: list[int]) -> None:
    data = make_csv(tmp_path / "learners.csv", 300, seed=11)
    local = lrsrules.validate(data, pack)
    dask = lrsrules.validate(data, pack, engine="dask", scheduler=scheduler)
    assert list(local) == list(dask) and local.summary == dask.summary
    assert small_parts


def test_without_a_scheduler_a_local_cluster_is_started(
        tmp_path: Path, pack: Path, small_parts: list[int]) -> None:
    data = make_csv(tmp_path / "learners.csv", 200, seed=13)
    local = cli("validate", data, "--pack", pack, "--format", "jsonl")
    dask = cli("validate", data, "--pack", pack, "--format", "jsonl", "--engine", "dask")
    assert local == dask and small_parts


def test_the_library_api_runs_inside_a_dask_task(tmp_path: Path, pack: Path,
                                                 scheduler: str) -> None:
    data = make_csv(tmp_path / "learners.csv", 100, seed=17)

    def findings(path: str, pack: str) -> list[lrsrules.Finding]:
        with lrsrules.validate(path, pack) as run:
            return list(run)

    with distributed.Client(scheduler) as client:
        remote = client.submit(findings, str(data), str(pack)).result()
    assert remote == list(lrsrules.validate(data, pack)) and remote


def test_without_dask_the_error_names_the_extra(tmp_path: Path, pack: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real(name, *a))
    data = make_csv(tmp_path / "learners.csv", 20)
    code, output = cli("validate", data, "--pack", pack, "--engine", "dask")
    assert code == 2 and "lrsrules[dask]" in output and "Traceback" not in output
    with pytest.raises(cluster.ClusterError, match=r"needs dask\.distributed"):
        lrsrules.validate(data, pack, engine="dask")


def test_a_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    code, output = cli("validate", tmp_path / "x.csv", "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--engine dask" in output
