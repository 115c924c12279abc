"""Whole-process wall time and peak memory of ``lrsrules validate --workers N`` against the
strict hand-written loop of ``bench_engine`` (the same checks, the same findings).

Each contender is run as its own process on the same generated CSV, writing JSON Lines to
a file; the median of several rounds is reported with its ratio to the hand loop, and the
peak RSS of the main process and of the largest worker (read from /proc while it runs).
The engine's reports for every worker count are first checked to be byte-identical.

Then ``lrsrules batch check --workers N`` on a generated LRB batch file of as many learners
(``make_batch``; the default pack), its reports also checked to be byte-identical, with the
ratio of each worker count's wall and CPU time to one worker's (``--no-batch``: skip it).

    python benchmarks/bench_workers.py [--records 200000] [--rounds 3] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).parent
PACK = HERE / "pack" / "bench.yaml"


def hand_main(path: str, out: str) -> None:
    """The hand loop as a process: read, check, write each finding as a JSON line."""
    sys.path.insert(0, str(HERE))
    from bench_engine import hand_run

    from lrsrules.packs.loader import load_pack

    messages = {rule.id: rule.message for rule in load_pack(PACK).rules}
    with open(out, "w", encoding="utf-8") as file:
        for finding in hand_run(Path(path), messages):
            file.write(json.dumps(finding.to_dict(), ensure_ascii=False) + "\n")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (workers started by a forkserver are its grandchildren)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def cpu_seconds(pid: int) -> float:
    """User and system time of ``pid`` so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def hwm(pid: int) -> int:
    """VmHWM (KiB): the peak resident memory of ``pid`` so far."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Measured(NamedTuple):
    wall: float
    cpu: float  # seconds, the process and its workers (as last seen, every 50 ms)
    rss: int  # peak MiB of the process
    worker_rss: int  # peak MiB of its largest descendant


def timed(command: Sequence[str]) -> Measured:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    cpu: dict[int, float] = {}
    while process.poll() is None:
        for pid in process_tree(process.pid):
            peaks[pid] = max(peaks.get(pid, 0), hwm(pid))
            cpu[pid] = max(cpu.get(pid, 0.0), cpu_seconds(pid))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    workers = [size for pid, size in peaks.items() if pid != process.pid]
    return Measured(wall, sum(cpu.values()), peaks.get(process.pid, 0) // 1024,
                    max(workers, default=0) // 1024)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-batch", action="store_true", help="skip batch check")
    parser.add_argument("--target", type=float, default=0.3,
                        help="the ratio --workers 2 should reach (reported, not enforced)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from make_learners import main as make_learners

    lrsrules = [str(Path(sys.executable).with_name("lrsrules"))]  # the installed command
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "learners.csv"
        make_learners(args.records, data)
        contenders = {"hand loop": [sys.executable, __file__, "--hand", str(data),
                                    str(Path(folder) / "hand.jsonl")]}
        for count in args.workers:
            contenders[f"--workers {count}"] = [
                *lrsrules, "validate", str(data), "--pack", str(PACK), "--format", "jsonl",
                "-o", str(Path(folder) / f"w{count}.jsonl"), "--workers", str(count)]
        results: dict[str, list[Measured]] = {name: [] for name in contenders}
        names = list(contenders)
        for round_ in range(args.rounds):  # each round starts with the next: no place favoured
            turn = round_ % len(names)
            for name in names[turn:] + names[:turn]:
                results[name].append(timed(contenders[name]))
        reports = {count: (Path(folder) / f"w{count}.jsonl").read_bytes()
                   for count in args.workers}
        if len(set(reports.values())) != 1:
            print("the reports of different worker counts differ", file=sys.stderr)
            return 2
        hand_lines = (Path(folder) / "hand.jsonl").read_bytes().count(b"\n")
        engine_lines = next(iter(reports.values())).count(b"\n")
        if hand_lines != engine_lines:
            print(f"hand loop found {hand_lines}, lrsrules {engine_lines}", file=sys.stderr)
            return 2

    hand = statistics.median(run.wall for run in results["hand loop"])
    print(f"{args.records} records, {engine_lines} findings, median of {args.rounds} rounds, "
          f"{os.cpu_count()} cores")
    print(f"{'':14} {'wall s':>8} {'us/row':>8} {'ratio':>6} {'CPU s':>7} "
          f"{'RSS MiB':>8} {'worker MiB':>10}")
    for name, runs in results.items():
        wall = statistics.median(run.wall for run in runs)
        cpu = statistics.median(run.cpu for run in runs)
        main_rss, worker_rss = max(run.rss for run in runs), max(run.worker_rss for run in runs)
        print(f"{name:14} {wall:8.2f} {wall / args.records * 1e6:8.2f} {wall / hand:6.2f} "
              f"{cpu:7.2f} {main_rss:8d} {worker_rss:10d}")
    print(f"load average {os.getloadavg()[0]:.1f}: wall times measure a busy machine's share "
          "(CPU s is the work done, the process and its workers together)")
    if 2 in args.workers:
        two = statistics.median(run.wall for run in results["--workers 2"])
        verdict = "met" if two / hand <= args.target else "not met"
        print(f"target --workers 2 <= {args.target} x hand loop: {verdict} "
              f"({two / hand:.2f})")
    return 0 if args.no_batch else batch_check(args, lrsrules)


def batch_check(args: argparse.Namespace, lrsrules: list[str]) -> int:
    """batch check with each worker count on one generated batch file: wall, CPU, ratios."""
    from make_batch import main as make_batch

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "LRB_10012345_290920261030.CSV"
        make_batch(args.records, data)
        results: dict[int, list[Measured]] = {count: [] for count in args.workers}
        for round_ in range(args.rounds):  # each round starts with the next: no place favoured
            turn = round_ % len(args.workers)
            for count in [*args.workers[turn:], *args.workers[:turn]]:
                results[count].append(timed([
                    *lrsrules, "batch", "check", str(data), "--format", "jsonl",
                    "-o", str(Path(folder) / f"b{count}.jsonl"), "--workers", str(count)]))
        reports = {(Path(folder) / f"b{count}.jsonl").read_bytes() for count in args.workers}
        if len(reports) != 1:
            print("the batch check reports of different worker counts differ", file=sys.stderr)
            return 2
        found = next(iter(reports)).count(b"\n")
    first = args.workers[0]
    base_wall = statistics.median(run.wall for run in results[first])
    base_cpu = statistics.median(run.cpu for run in results[first])
    print(f"\nbatch check, {args.records} learners, {found} findings, median of "
          f"{args.rounds} rounds; ratios to --workers {first}")
    print(f"{'':14} {'wall s':>8} {'ratio':>6} {'CPU s':>7} {'ratio':>6} {'RSS MiB':>8}")
    for count, runs in results.items():
        wall = statistics.median(run.wall for run in runs)
        cpu = statistics.median(run.cpu for run in runs)
        rss = max(run.rss for run in runs)
        print(f"{'--workers ' + str(count):14} {wall:8.2f} {wall / base_wall:6.2f} "
              f"{cpu:7.2f} {cpu / base_cpu:6.2f} {rss:8d}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--hand":
        hand_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
