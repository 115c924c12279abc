"""lrsrules side by side with its peers, whole processes, in one command:

    python benchmarks/run.py            # 10 and 200,000 rows, the start-up line, the targets
    python benchmarks/run.py --big      # and 2,000,000 rows (the slow peers left out there)
    python benchmarks/run.py --rss      # peak memory of every report format, 20k and 2M rows

Every contender runs in a process of its own on the same generated CSV
(benchmarks/make_learners.py): lrsrules on the benchmark pack (benchmarks/pack/bench.yaml)
and on the default pack, the strict hand-written csv+re loop, ``csv.reader`` alone, and
Polars, DuckDB, Frictionless and Pandera where they are installed (``pip install -e
'.[bench]'``), each with the benchmark pack's checks (benchmarks/peers.py). Each must find
the same number of errors as lrsrules on the benchmark pack; a peer that does not is
marked MISMATCH. Times are the median of the runs (wall clock and CPU), taken in turns
(each round runs every contender once), peak RSS the largest of them; the per-row cost
is (time at N rows - time at 10 rows) / N, so start-up is left out of it. The start-up
line compares lrsrules on a 10-row file with the default pack (its prepared pack in the
cache, as on every run after the first) with ``python -c pass`` and the hand loop. Then
each target of issue 11 is printed, met or not.

The machine may be shared: CPU times are printed beside wall times, and the ratios are
of CPU time when --cpu is given.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
BENCH_PACK = HERE / "pack" / "bench.yaml"
PEERS = HERE / "peers.py"
PYTHON = sys.executable
FORMATS = ("text", "json", "jsonl", "csv")
SLOW = ("frictionless", "pandera")  # left out at 2M rows: minutes a run
TODAY_DEFAULT_US = 36.0  # the default pack's cost per row when issue 11 was filed


@dataclass
class Result:
    wall: float
    cpu: float
    rss: int  # bytes
    errors: int | None
    out: str = ""


@dataclass
class Contender:
    name: str
    command: list[str]
    counts: str = "stdout"  # where its error count is read: stdout, or the jsonl output
    compared: bool = True  # whether its count must equal lrsrules's
    results: dict[int, Result] = field(default_factory=dict)


def lrsrules_command() -> list[str]:
    found = Path(PYTHON).parent / "lrsrules"
    return [str(found)] if found.exists() else [PYTHON, "-m", "lrsrules.cli.app"]


def child_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up as installed: byte code kept
    env.pop("LRSRULES_NO_CACHE", None)
    env["LRSRULES_CACHE_DIR"] = str(cache)
    return env


def measure(command: list[str], env: dict[str, str], repeat: int, output: Path | None,
            counts: str) -> Result:
    """``repeat`` runs of ``command`` in a row (one when a run takes over 30 s), combined,
    and the errors the last one found."""
    runs = [run_once(command, env)]
    while len(runs) < repeat and runs[-1].wall <= 30:  # a slow peer: one run tells enough
        runs.append(run_once(command, env))
    return counted(combined(runs), output, counts)


def run_once(command: list[str], env: dict[str, str]) -> Result:
    """One run of ``command``: its wall and CPU time, peak RSS and standard output."""
    with tempfile.TemporaryFile() as errors_to:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors_to,
                                   env=env)
        stdout = process.stdout.read() if process.stdout else b""  # small: a count
        # wait4, not wait: this child's own CPU time and peak memory.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        errors_to.seek(0)
        stderr = errors_to.read()
    returncode = os.waitstatus_to_exitcode(status)
    if returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({returncode}):\n"
                         f"{stderr.decode()[-2000:]}")
    return Result(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, None,
                  stdout.decode())


def combined(runs: list[Result]) -> Result:
    """Several runs of one command: the medians of their times, the largest peak RSS, the
    last one's output."""
    return Result(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
                  max(r.rss for r in runs), None, runs[-1].out)


def counted(result: Result, output: Path | None, counts: str) -> Result:
    """``result`` with the errors its (last) run found: a line ``errors N`` of its standard
    output, or the error findings in the JSON Lines file ``output``."""
    errors = None
    if counts == "stdout":
        for line in result.out.splitlines():
            if line.startswith("errors "):
                errors = int(line.split()[1])
    elif output is not None and output.exists():
        with output.open(encoding="utf-8") as findings:
            errors = sum(1 for line in findings if '"severity": "error"' in line)
    return replace(result, errors=errors)


def data_file(rows: int) -> Path:
    path = DATA / f"learners-{rows}.csv"
    if not path.exists():
        subprocess.run([PYTHON, str(HERE / "make_learners.py"), str(rows), str(path)],
                       check=True)
    return path


def installed(module: str) -> bool:
    found = subprocess.run([PYTHON, "-c", f"import {module}"], capture_output=True)
    return found.returncode == 0


def has_workers(env: dict[str, str]) -> bool:
    shown = subprocess.run([*lrsrules_command(), "validate", "--help"], capture_output=True,
                           text=True, env=env)
    return "--workers" in shown.stdout


def contenders(out: Path, env: dict[str, str]) -> list[Contender]:
    lrs = lrsrules_command()
    found = [
        Contender("lrsrules (bench pack)", [*lrs, "validate", "{data}", "-p", str(BENCH_PACK),
                                            "-f", "jsonl", "-o", str(out / "lrs.jsonl")],
                  counts=str(out / "lrs.jsonl")),
        Contender("lrsrules (default pack)", [*lrs, "validate", "{data}", "-f", "jsonl",
                                              "-o", str(out / "default.jsonl")],
                  counts="none", compared=False),
    ]
    if has_workers(env):
        found.append(Contender("lrsrules --workers 2", [
            *lrs, "validate", "{data}", "-p", str(BENCH_PACK), "--workers", "2", "-f",
            "jsonl", "-o", str(out / "lrs2.jsonl")], counts=str(out / "lrs2.jsonl")))
    found.append(Contender("hand loop (csv+re)", [PYTHON, str(PEERS), "hand", "{data}",
                                                   str(out / "hand.jsonl")]))
    found.append(Contender("csv.reader alone", [PYTHON, str(PEERS), "csv.reader", "{data}",
                                                 str(out / "none")], compared=False))
    for peer, module in (("polars", "polars"), ("duckdb", "duckdb"),
                         ("frictionless", "frictionless"), ("pandera", "pandera")):
        if installed(module):
            found.append(Contender(peer, [PYTHON, str(PEERS), peer, "{data}",
                                          str(out / peer)]))
        else:
            print(f"({peer} is not installed: pip install -e '.[bench]')")
    return found


def run_table(sizes: list[int], env: dict[str, str], out: Path, repeat: int) -> list[Contender]:
    """Each contender's runs at each size, taken in turns (a round runs every contender
    once, each round starting one contender later), so that a slow spell of the machine
    falls on all of them rather than on whichever ran then: the ratios are of medians
    taken over the same stretch of time."""
    table = contenders(out, env)
    for rows in sizes:
        path = data_file(rows)
        running = [c for c in table if not (rows >= 1_000_000 and c.name in SLOW)]
        runs: dict[str, list[Result]] = {c.name: [] for c in running}
        times = repeat if rows > 10 else max(repeat, 5)
        for turn in range(times):
            for contender in running[turn % len(running):] + running[:turn % len(running)]:
                done = runs[contender.name]
                if done and done[-1].wall > 30:
                    continue  # a slow peer: one run tells enough
                done.append(run_once([str(path) if part == "{data}" else part
                                      for part in contender.command], env))
        for contender in running:
            output = Path(contender.counts) if contender.counts not in ("stdout",
                                                                        "none") else None
            result = contender.results[rows] = counted(
                combined(runs[contender.name]), output, "file" if output else contender.counts)
            print(f"  {rows:>9,} rows  {contender.name:<24} {result.wall:8.3f} s wall "
                  f"{result.cpu:8.3f} s cpu  {result.rss / 2**20:7.1f} MiB", flush=True)
    return table


def per_row(contender: Contender, rows: int, cpu: bool) -> float | None:
    small, big = contender.results.get(10), contender.results.get(rows)
    if small is None or big is None:
        return None
    pick = (lambda r: r.cpu) if cpu else (lambda r: r.wall)
    return max(pick(big) - pick(small), 0.0) / (rows - 10) * 1e6


def print_table(table: list[Contender], sizes: list[int], cpu: bool) -> list[str]:
    lines = []
    reference = next(c for c in table if c.name.startswith("lrsrules (bench"))
    hand = next(c for c in table if c.name.startswith("hand"))
    for rows in [size for size in sizes if size > 10]:
        want = reference.results[rows].errors
        lines += ["", f"{rows:,} rows ({'CPU' if cpu else 'wall'} time per row, start-up "
                  "left out; ratios to the hand loop)", "",
                  "| contender | wall s | cpu s | µs/row | × hand loop | peak RSS MiB | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        hand_us = per_row(hand, rows, cpu)
        for contender in table:
            result = contender.results.get(rows)
            if result is None:
                continue
            us = per_row(contender, rows, cpu)
            ratio = f"{us / hand_us:.2f}" if us is not None and hand_us else "-"
            errors = "-" if result.errors in (None, -1) else f"{result.errors:,}"
            if contender.compared and result.errors not in (None, -1) and result.errors != want:
                errors += " MISMATCH"
            lines.append(f"| {contender.name} | {result.wall:.3f} | {result.cpu:.3f} | "
                         f"{us:.2f} | {ratio} | {result.rss / 2**20:.1f} | {errors} |"
                         if us is not None else
                         f"| {contender.name} | {result.wall:.3f} | {result.cpu:.3f} | - | - |"
                         f" {result.rss / 2**20:.1f} | {errors} |")
    return lines


def startup(env: dict[str, str], repeat: int) -> dict[str, Result]:
    ten = data_file(10)
    lrs = lrsrules_command()
    out = Path(env["LRSRULES_CACHE_DIR"]).parent / "startup.jsonl"
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "hand loop, 10 rows": [PYTHON, str(PEERS), "hand", str(ten), str(out)],
        "lrsrules validate, 10 rows (default pack)": [
            *lrs, "validate", str(ten), "--format", "jsonl", "-o", str(out)],
        "the same with --no-cache": [
            *lrs, "validate", str(ten), "--format", "jsonl", "-o", str(out), "--no-cache"],
    }
    subprocess.run(commands["lrsrules validate, 10 rows (default pack)"], env=env,
                   capture_output=True)  # the first run prepares the pack and caches it
    return {name: measure(command, env, repeat if "no-cache" not in name else 3, None, "none")
            for name, command in commands.items()}


def rss_by_format(env: dict[str, str], out: Path, small: int, big: int
                  ) -> dict[str, tuple[int, int]]:
    """Peak RSS of each report format on the benchmark pack, which has no rule across
    records; and of the default pack, whose ``unique`` ULN rule keeps ~120 bytes a distinct
    key (lrsrules.run.crossrecord) by design, so grows with the learners, not the format."""
    lrs = lrsrules_command()
    found = {}
    runs = [(f"bench pack, --format {fmt}", fmt, ["-p", str(BENCH_PACK)]) for fmt in FORMATS]
    runs.append(("default pack, --format jsonl", "jsonl", []))
    for pack in (["-p", str(BENCH_PACK)], []):  # each pack prepared once, into the cache
        subprocess.run([*lrs, "validate", str(data_file(10)), *pack, "-o", str(out / "x")],
                       env=env, capture_output=True)
    for name, format, pack in runs:
        peaks = []
        for rows in (small, big):
            command = [*lrs, "validate", str(data_file(rows)), *pack, "-f", format, "-o",
                       str(out / f"rss.{format}")]
            peaks.append(measure(command, env, 1, None, "none").rss)
            print(f"  {rows:>9,} rows  {name:<30} {peaks[-1] / 2**20:7.1f} MiB", flush=True)
        found[name] = (peaks[0], peaks[1])
    return found


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {model}; Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--big", action="store_true", help="also 2,000,000 rows")
    parser.add_argument("--rss", action="store_true",
                        help="peak RSS of every format at 20,000 and 2,000,000 rows")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--startup-repeat", type=int, default=10)
    parser.add_argument("--cpu", action="store_true", help="ratios of CPU time, not wall")
    parser.add_argument("--only-startup", action="store_true")
    args = parser.parse_args()

    compileall.compile_dir(str(ROOT / "engine"), quiet=1)  # as installed: byte code kept
    compileall.compile_dir(str(ROOT / "cli"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="lrsrules-bench-"))
    env = child_env(work / "cache")
    report = [f"Machine: {machine()}", ""]
    print(report[0], flush=True)
    try:
        print("start-up:", flush=True)
        starts = startup(env, args.startup_repeat)
        report += ["Start-up (median of runs, warm cache unless said):", "",
                   "| command | wall s | cpu s | peak RSS MiB |", "|---|---:|---:|---:|"]
        report += [f"| {name} | {r.wall:.3f} | {r.cpu:.3f} | {r.rss / 2**20:.1f} |"
                   for name, r in starts.items()]
        table: list[Contender] = []
        sizes = [10, args.rows] + ([2_000_000] if args.big else [])
        if not args.only_startup:
            print("side by side:", flush=True)
            table = run_table(sizes, env, work, args.repeat)
            report += print_table(table, sizes, args.cpu)
        rss: dict[str, tuple[int, int]] = {}
        if args.rss:
            print("peak RSS by format:", flush=True)
            rss = rss_by_format(env, work, 20_000, 2_000_000)
            report += ["", "Peak RSS of lrsrules validate by report format:", "",
                       "| run | 20,000 rows MiB | 2,000,000 rows MiB | growth |",
                       "|---|---:|---:|---:|"]
            report += [f"| {fmt} | {a / 2**20:.1f} | {b / 2**20:.1f} | {b / a - 1:+.0%} |"
                       for fmt, (a, b) in rss.items()]
        report += ["", "Targets (issue 11):", "",
                   *targets(starts, table, args.rows, rss, args.cpu)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(report))
    return 0


def targets(starts: dict[str, Result], table: list[Contender], rows: int,
            rss: dict[str, tuple[int, int]], cpu: bool) -> list[str]:
    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else "MET" if ok else "NOT MET"

    lines = []
    lrs_start = starts["lrsrules validate, 10 rows (default pack)"]
    bare = starts["python -c pass"]
    lines.append(f"- start-up ≤ 0.15 s wall on 10 rows: {lrs_start.wall:.3f} s "
                 f"(python -c pass {bare.wall:.3f} s; CPU {lrs_start.cpu:.3f} s against "
                 f"{bare.cpu:.3f} s): {verdict(lrs_start.wall <= 0.15)}")
    by_name = {c.name: c for c in table}
    hand = by_name.get("hand loop (csv+re)")
    hand_us = per_row(hand, rows, cpu) if hand else None

    def ratio(name: str) -> float | None:
        contender = by_name.get(name)
        us = per_row(contender, rows, cpu) if contender else None
        return None if us is None or not hand_us else us / hand_us

    one = ratio("lrsrules (bench pack)")
    lines.append(f"- per-record cost ≤ 0.5× the hand loop (bench pack, {rows:,} rows): "
                 + (f"{one:.2f}×: {verdict(one <= 0.5)}" if one is not None else verdict(None)))
    default = by_name.get("lrsrules (default pack)")
    us = per_row(default, rows, cpu) if default else None
    lines.append(f"- default pack ≥ 2× faster than {TODAY_DEFAULT_US:.0f} µs/row: "
                 + (f"{us:.1f} µs/row: {verdict(us <= TODAY_DEFAULT_US / 2)}"
                    if us is not None else verdict(None)))
    two = ratio("lrsrules --workers 2")
    lines.append("- --workers 2 ≤ 0.3× the hand loop: "
                 + (f"{two:.2f}×: {verdict(two <= 0.3)}" if two is not None
                    else verdict(None)))
    if rss:
        worst = max(b / a - 1 for name, (a, b) in rss.items() if name.startswith("bench"))
        lines.append(f"- peak RSS flat within 20% from 20k to 2M rows, every format (bench "
                     f"pack): worst {worst:+.0%}: {verdict(worst <= 0.20)}")
    else:
        lines.append("- peak RSS flat within 20%: not measured here (--rss)")
    reference = by_name.get("lrsrules (bench pack)")
    want = reference.results[rows].errors if reference and rows in reference.results else None
    mismatched = [c.name for c in table if c.compared and rows in c.results
                  and c.results[rows].errors not in (None, -1, want)]
    lines.append(f"- every peer finds the same number of errors ({want}): "
                 + ("yes" if not mismatched else f"NO: {', '.join(mismatched)}"))
    return lines


if __name__ == "__main__":
    sys.exit(main())
