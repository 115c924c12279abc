"""Per-record cost of whole ``lrsrules validate`` processes, against the strict hand loop.

Each contender runs as its own process on a generated file of ``--records`` learners and
on one of 10; the per-record cost is the difference of the two times over the difference
of the records, so start-up (imports, loading the pack) falls out. Times are medians of
``--rounds`` runs, taken in turn so that a slow spell of the machine falls on all, each
round starting with the next contender.

- ``bench`` pack (benchmarks/pack/bench.yaml): lrsrules against the hand-written
  csv+re loop of bench_engine.py (``hand_checks``), which writes the same findings as
  JSON Lines; both must find the same number.
- ``lrs-default``: lrsrules alone, and against ``--baseline-python`` (an interpreter with
  another lrsrules installed, e.g. the main branch's) when given. The baseline's findings
  are counted, not compared: another version's pack may have other rules and messages.

    python benchmarks/bench_per_record.py [--records 200000] [--rounds 5]
        [--baseline-python /work/main/.venv/bin/python] [--pack bench|lrs-default|all]

Both wall and CPU time (user + system of the child) are shown: on a shared machine the
CPU time is the steadier. Exits 1 when the bench pack's ratio (CPU) is above --max-ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).parent
BENCH_PACK = HERE / "pack" / "bench.yaml"
CLI = "import sys; from lrsrules.cli.app import main; sys.argv[0] = 'lrsrules'; main()"


def hand_loop(data: Path, out: Path) -> int:
    """The hand-written loop as a process would run it: read, check, write JSON Lines."""
    sys.path.insert(0, str(HERE))
    import csv

    from bench_engine import HEADINGS, SEVERITY, hand_checks  # type: ignore[import-not-found]

    from lrsrules.packs.loader import load_pack

    messages = {rule.id: rule.message for rule in load_pack(BENCH_PACK).rules}
    count = 0
    with data.open(encoding="utf-8-sig", newline="") as handle, out.open(
            "w", encoding="utf-8") as sink:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [header.index(h) for h in HEADINGS]
        last_line = reader.line_num
        write = sink.write
        for number, row in enumerate(reader, 1):
            line, last_line = last_line + 1, reader.line_num
            values = [row[i] if row[i] and not row[i].isspace() else None for i in columns]
            for rule, field in hand_checks(values):
                write(json.dumps({"record": number, "line": line, "field": field,
                                  "rule": rule, "severity": SEVERITY.get(rule, "error"),
                                  "message": messages[rule]}, ensure_ascii=False) + "\n")
                count += 1
    return count


def timed(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def lines_in(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pack", choices=["bench", "lrs-default", "all"], default="all")
    parser.add_argument("--baseline-python", help="a python with another lrsrules installed")
    parser.add_argument("--max-ratio", type=float, default=0.5)
    parser.add_argument("--hand", nargs=2, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.hand:
        hand_loop(Path(args.hand[0]), Path(args.hand[1]))
        return 0

    sys.path.insert(0, str(HERE))
    from make_learners import main as make_learners

    python = sys.executable
    status = 0
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sizes = {10: work / "small.csv", args.records: work / "large.csv"}
        for count, path in sizes.items():
            make_learners(count, path, duplicates=0.01)
        packs = ["bench", "lrs-default"] if args.pack == "all" else [args.pack]
        for pack in packs:
            pack_args = ["--pack", str(BENCH_PACK)] if pack == "bench" else []
            contenders: dict[str, list[str] | None] = {"lrsrules": [python, "-c", CLI]}
            if args.baseline_python:
                contenders["baseline"] = [args.baseline_python, "-c", CLI]
            if pack == "bench":
                contenders["hand loop"] = None
            times: dict[tuple[str, int], list[tuple[float, float]]] = {}
            found: dict[str, int] = {}
            names = list(contenders)
            for round_ in range(args.rounds):
                # Each round starts with the next contender: a place in the order must not
                # favour one (two runs of the same command differ by ~10% by place here).
                turn = round_ % len(names)
                for name in names[turn:] + names[:turn]:
                    command = contenders[name]
                    for count, path in sizes.items():
                        out = work / f"{name}-{count}.jsonl"
                        full = ([python, __file__, "--hand", str(path), str(out)]
                                if command is None else
                                [*command, "validate", str(path), *pack_args, "--format",
                                 "jsonl", "-o", str(out)])
                        times.setdefault((name, count), []).append(timed(full))
                        if count == args.records:
                            found[name] = lines_in(out)
            # Another version's pack may have other rules: its count is shown, not compared.
            compared = {name: count for name, count in found.items() if name != "baseline"}
            if len(set(compared.values())) != 1:
                print(f"{pack}: the contenders disagree on the findings: {found}",
                      file=sys.stderr)
                return 2
            if "baseline" in found and found["baseline"] != found["lrsrules"]:
                print(f"{pack}: the baseline found {found['baseline']} (another pack "
                      "version, or another engine)")
            per: dict[str, tuple[float, float]] = {}
            print(f"\n{pack} pack: {args.records} records ({found['lrsrules']} findings) "
                  f"minus 10, medians of {args.rounds} runs")
            for name in contenders:
                small = [statistics.median(t[i] for t in times[(name, 10)]) for i in (0, 1)]
                large = [statistics.median(t[i] for t in times[(name, args.records)])
                         for i in (0, 1)]
                wall, cpu = ((large[i] - small[i]) / (args.records - 10) * 1e6 for i in (0, 1))
                per[name] = (wall, cpu)
                print(f"  {name:10s} {wall:6.2f} us/record wall  {cpu:6.2f} us/record cpu   "
                      f"(10 rows: {small[0]:.2f} s wall; {args.records}: {large[0]:.2f} s)")
            for other in ("hand loop", "baseline"):
                if other in per:
                    wall = per["lrsrules"][0] / per[other][0]
                    cpu = per["lrsrules"][1] / per[other][1]
                    print(f"  lrsrules / {other}: {wall:.2f} wall, {cpu:.2f} cpu")
                    if other == "hand loop" and cpu > args.max_ratio:
                        print(f"  above the target {args.max_ratio}")
                        status = 1
    return status


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
