"""Time and peak memory of ``lrsrules validate`` with the default pack on a file with
repeated ULNs (R59, FILE.ULN.01), and proof that every repeat is reported.

The file comes from make_learners.py with a share of records taking an earlier record's
ULN; the repeats expected are counted by a plain pass over the file (9999999999 and blank
ULNs aside). The run writes its findings as JSON Lines to a temporary file, counted after.

    python benchmarks/bench_unique.py [--records 2000000] [--duplicates 0.01]

Also prints the memory a distinct key takes in the state (``UniqueKeys``). Exits 1 when
the repeats reported differ from those expected.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from make_learners import main as make_learners

from lrsrules.run.crossrecord import UniqueKeys, key_digest

PLACEHOLDER = "9999999999"


def expected_repeats(path: Path) -> int:
    seen: set[str] = set()
    repeats = 0
    with path.open(encoding="utf-8", newline="") as data:
        rows = csv.reader(data)
        uln = next(rows).index("ULN")
        for row in rows:
            value = row[uln]
            if not value.strip() or value == PLACEHOLDER:
                continue
            repeats += value in seen
            seen.add(value)
    return repeats


def bytes_per_key(count: int = 200_000) -> float:
    tracemalloc.start()
    keys = UniqueKeys()
    start = tracemalloc.get_traced_memory()[0]
    for number in range(1, count + 1):
        keys.add(key_digest([f"{number:010d}"]), number, number + 1)
    used = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    return used / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000_000)
    parser.add_argument("--duplicates", type=float, default=0.01)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, report = Path(folder) / "learners.csv", Path(folder) / "findings.jsonl"
        make_learners(args.records, data, duplicates=args.duplicates)
        expected = expected_repeats(data)
        started = time.perf_counter()
        done = subprocess.run([Path(sys.executable).parent / "lrsrules", "validate", data,
                               "--format", "jsonl", "--output", report], check=False)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB
        if done.returncode not in (0, 1):
            print(f"validate failed with exit code {done.returncode}")
            return 2
        found = findings = 0
        with report.open(encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                if "rule" in item:
                    findings += 1
                    found += item["rule"] == "FILE.ULN.01"
    print(f"{args.records:,} records, {args.duplicates:.1%} taking an earlier ULN:"
          f" {seconds:.1f} s, peak RSS {peak:,.0f} MiB, {findings:,} findings")
    print(f"repeated ULNs reported: {found:,} of {expected:,} expected")
    print(f"state: {bytes_per_key():.0f} bytes a distinct key (tracemalloc)")
    return 0 if found == expected else 1


if __name__ == "__main__":
    sys.exit(main())
