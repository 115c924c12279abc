"""Per-record cost of the engine against a careful hand-written Python loop.

Both sides read the same generated CSV and apply the same checks (benchmarks/pack/bench.yaml
and ``hand_checks`` below), and the run first proves they find exactly the same things.
Two ratios are reported, engine time / hand time, best of several rounds:

- ``checks``: the compiled pack's check function against ``hand_checks`` on the same
  pre-read values (the cost the compiler controls);
- ``end-to-end``: reading the file and producing findings, engine (readers + runner) against
  a csv.reader loop that builds the same ``Finding`` objects.

    python benchmarks/bench_engine.py [--records 100000] [--rounds 5] [--max-ratio 0.8]

Exits 1 when the checks ratio is above --max-ratio.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import lrsrules
from lrsrules.findings import Finding
from lrsrules.inputs.readers import open_records
from lrsrules.packs.loader import load_pack
from lrsrules.run.program import CompiledPack, compile_pack

sys.path.insert(0, str(Path(__file__).parent))
from make_learners import main as make_learners

PACK = Path(__file__).parent / "pack" / "bench.yaml"
TODAY = dt.date.today()

NAME_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ' .’-]+")
ULN_RE = re.compile(r"[1-9][0-9]{9}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
POSTCODE_RE = re.compile(r"[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2}")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,6}")
WORD_RE = re.compile(r"[^\W_]+")
PLACEHOLDERS = frozenset({("test",), ("unknown",), ("not", "known"), ("dummy",), ("xxx",),
                          ("refused",), ("anonymous",), ("baby",), ("twin",), ("child",)})
GENDERS = frozenset({"0", "1", "2", "9"})
SHARE_CODES = frozenset({"0", "1", "2"})
WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
HEADINGS = ("GivenName", "FamilyName", "ULN", "DateOfBirth", "Gender", "LastKnownPostCode",
            "EmailAddress", "AbilityToShare")
FIELDS = ("given_name", "family_name", "uln", "date_of_birth", "gender",
          "last_known_postcode", "email_address", "ability_to_share")


def has_placeholder(text: str) -> bool:
    words = WORD_RE.findall(text.casefold())
    for i, word in enumerate(words):
        if (word,) in PLACEHOLDERS or tuple(words[i:i + 2]) in PLACEHOLDERS:
            return True
    return False


def parse_date(text: str) -> dt.date | None:
    if DATE_RE.fullmatch(text) is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def hand_checks(values: Sequence[str | None]) -> list[tuple[str, str]]:
    """The bench pack's rules written by hand: (rule id, field) of each failure."""
    given, family, uln, dob, gender, postcode, email, share = values
    found: list[tuple[str, str]] = []
    if given is None:
        found.append(("B.GIVEN.01", "given_name"))
    if family is None:
        found.append(("B.FAMILY.01", "family_name"))
    for field, name in (("given_name", given), ("family_name", family)):
        if name is None:
            continue
        if len(name) > 35:
            found.append(("B.NAMES.02", field))
        if NAME_RE.fullmatch(name) is None:
            found.append(("B.NAMES.03", field))
        if has_placeholder(name):
            found.append(("B.NAMES.04", field))
    if uln is not None:
        if ULN_RE.fullmatch(uln) is None:
            found.append(("B.ULN.01", "uln"))
        elif sum(int(d) * w for d, w in zip(uln, WEIGHTS, strict=True)) % 11 != 10:
            found.append(("B.ULN.02", "uln"))
    if dob is not None:
        born = parse_date(dob)
        if born is None:
            found.append(("B.DOB.01", "date_of_birth"))
        elif age(born, TODAY) < 14:
            found.append(("B.DOB.02", "date_of_birth"))
    if gender is not None and gender not in GENDERS:
        found.append(("B.GENDER.01", "gender"))
    if postcode is not None and POSTCODE_RE.fullmatch(postcode.upper()) is None:
        found.append(("B.POSTCODE.01", "last_known_postcode"))
    if email is not None and (len(email) > 254 or EMAIL_RE.fullmatch(email) is None):
        found.append(("B.EMAIL.01", "email_address"))
    if share is not None:
        if share not in SHARE_CODES:
            found.append(("B.SHARE.01", "ability_to_share"))
        if share == "2":
            found.append(("B.SHARE.02", "ability_to_share"))
    return found


SEVERITY = {"B.DOB.02": "warning", "B.SHARE.02": "info"}


def hand_run(path: Path, messages: dict[str, str]) -> list[Finding]:
    """Read the CSV and build findings with a csv.reader loop around hand_checks."""
    findings: list[Finding] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [header.index(h) for h in HEADINGS]
        last_line = reader.line_num
        for number, row in enumerate(reader, 1):
            line, last_line = last_line + 1, reader.line_num
            values = [row[i] if row[i] and not row[i].isspace() else None for i in columns]
            for rule, field in hand_checks(values):
                value = values[FIELDS.index(field)]
                findings.append(Finding(number, line, field, rule,
                                        SEVERITY.get(rule, "error"), messages[rule], value))
    return findings


def engine_run(path: Path, compiled: CompiledPack) -> list[Finding]:
    # The library's own run, as lrsrules validate and every caller use it.
    return list(lrsrules.validate(path, compiled))


def best_of(rounds: int, contenders: dict[str, Callable[[CompiledPack], object]]
            ) -> dict[str, float]:
    """Best time of each contender. Rounds alternate between contenders, so a slow spell of
    the machine falls on all of them; each round gets a freshly compiled pack; the garbage
    collector is paused while a contender runs."""
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(rounds):
        for name, work in contenders.items():
            compiled = compile_pack(load_pack(PACK), today=TODAY)
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                work(compiled)
                best[name] = min(best[name], time.perf_counter() - start)
            finally:
                gc.enable()
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--max-ratio", type=float, default=0.8)
    args = parser.parse_args(argv)

    compiled = compile_pack(load_pack(PACK), today=TODAY)
    assert compiled.fields == FIELDS, compiled.fields
    messages = {rule.id: rule.message for rule in compiled.pack.rules}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "learners.csv"
        make_learners(args.records, path)
        with open_records(path, compiled.pack.fields, compiled.fields) as records:
            rows = [record.values for record in records]

        engine_findings = engine_run(path, compiled)
        hand_findings = hand_run(path, messages)
        if sorted(f.sort_key() for f in engine_findings) != sorted(
                f.sort_key() for f in hand_findings):
            print("engine and hand-written loop disagree; fix the benchmark", file=sys.stderr)
            return 2

        times = best_of(args.rounds, {
            "engine checks": lambda c: [c.check(v) for v in rows],
            "hand checks": lambda c: [hand_checks(v) for v in rows],
            "engine total": lambda c: engine_run(path, c),
            "hand total": lambda c: hand_run(path, messages),
        })
        engine_checks, hand_only = times["engine checks"], times["hand checks"]
        engine_total, hand_total = times["engine total"], times["hand total"]

    n = args.records
    per = lambda seconds: seconds / n * 1e6  # noqa: E731 - microseconds per record
    print(f"{n} records, {len(engine_findings)} findings, best of {args.rounds} rounds")
    print(f"checks:     engine {per(engine_checks):6.2f} us/record   "
          f"hand {per(hand_only):6.2f} us/record   ratio {engine_checks / hand_only:.2f}")
    print(f"end-to-end: engine {per(engine_total):6.2f} us/record   "
          f"hand {per(hand_total):6.2f} us/record   ratio {engine_total / hand_total:.2f}")
    ratio = engine_checks / hand_only
    if ratio > args.max_ratio:
        print(f"checks ratio {ratio:.2f} is above the target {args.max_ratio}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
