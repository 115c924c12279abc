"""Prohibited-text cost against the length of the word list: it must not grow with it.

A pack with one ``contains_word(value, @words)`` rule is compiled with lists of 10 to
10,000 entries (single words and two-word phrases, as lrs-prohibited has) and its check
runs over the same names; the cost per name is printed for each size, with the ratio of
the largest list to the smallest (best of --rounds, CPU time).

    python benchmarks/bench_prohibited.py [--names 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections.abc import Sequence

from lrsrules.packs.loader import load_pack
from lrsrules.run.program import compile_pack

PACK = """\
pack: words
version: 1.0.0
fields:
  name: {aliases: [Name]}
lists:
  words: {file: words.txt}
rules:
  - {id: W.1, field: name, severity: error, check: "not contains_word(name, @words)", message: m}
"""


def word(rng: random.Random, consonants: str = "bcdfghklmnprstvz") -> str:
    return "".join(rng.choice(consonants) + rng.choice("aeiou")
                   for _ in range(rng.randint(2, 4)))


def listed(rng: random.Random) -> str:
    """A word no generated name holds (names that do are a cost of their own)."""
    return word(rng, "jqwxy") + "q"


def main(argv: Sequence[str] | None = None) -> int:
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(2026)
    names = [(f"{word(rng).title()} {word(rng).title()}" if rng.random() < 0.5
              else word(rng).title(),) for _ in range(args.names)]
    names[::50] = [("Not Known",)] * len(names[::50])
    costs: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (10, 100, 1_000, 10_000):
            entries = ["test", "not known", *(listed(rng) for _ in range(size - 4)),
                       *(f"{listed(rng)} {listed(rng)}" for _ in range(2))]
            (Path(folder) / "words.txt").write_text("\n".join(entries) + "\n", "utf-8")
            (Path(folder) / "words.yaml").write_text(PACK, "utf-8")
            check = compile_pack(load_pack(Path(folder) / "words.yaml")).check
            best = float("inf")
            for _ in range(args.rounds):
                gc.collect()
                start = time.process_time()
                for values in names:
                    check(values)
                best = min(best, time.process_time() - start)
            costs[size] = best / len(names) * 1e6
            print(f"{size:6d} entries: {costs[size]:.3f} us/name")
    print(f"10,000 entries / 10 entries: {costs[10_000] / costs[10]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
