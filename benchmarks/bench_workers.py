"""Whole-process wall time and peak memory of ``lrsrules validate --workers N`` against the
strict hand-written loop of ``bench_engine`` (the same checks, the same findings).

Each contender is run as its own process on the same generated CSV, writing JSON Lines to
a file; the median of several rounds is reported with its ratio to the hand loop, and the
peak RSS of the main process and of the largest worker (read from /proc while it runs).
The engine's reports for every worker count are first checked to be byte-identical.

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


def peak_rss(pid: int) -> tuple[int, int]:
    """VmHWM (KiB) of ``pid`` and the largest of its descendants, now."""
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
    sizes = {p: _hwm(p) for p in tree}
    return sizes.get(pid, 0), max((s for p, s in sizes.items() if p != pid), default=0)


def _hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(command: Sequence[str]) -> tuple[float, int, int]:
    """Wall seconds, and peak RSS (MiB) of the process and of its largest descendant."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    main = worker = 0
    while process.poll() is None:
        now_main, now_worker = peak_rss(process.pid)
        main, worker = max(main, now_main), max(worker, now_worker)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    return wall, main // 1024, worker // 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
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
        results: dict[str, list[tuple[float, int, int]]] = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, command in contenders.items():
                results[name].append(timed(command))
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

    hand = statistics.median(wall for wall, _, _ in results["hand loop"])
    print(f"{args.records} records, {engine_lines} findings, median of {args.rounds} rounds, "
          f"{os.cpu_count()} cores")
    print(f"{'':14} {'wall s':>8} {'us/row':>8} {'ratio':>6} {'RSS MiB':>8} {'worker MiB':>10}")
    for name, runs in results.items():
        wall = statistics.median(run[0] for run in runs)
        main_rss, worker_rss = max(run[1] for run in runs), max(run[2] for run in runs)
        print(f"{name:14} {wall:8.2f} {wall / args.records * 1e6:8.2f} {wall / hand:6.2f} "
              f"{main_rss:8d} {worker_rss:10d}")
    if 2 in args.workers:
        two = statistics.median(run[0] for run in results["--workers 2"])
        verdict = "met" if two / hand <= args.target else "not met"
        print(f"target --workers 2 <= {args.target} x hand loop: {verdict} "
              f"({two / hand:.2f})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--hand":
        hand_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
