"""Generate a CSV of synthetic learner records for benchmarks.

Values vary as in real files: ULNs and e-mail addresses are unique, postcodes nearly so,
family names and dates of birth come from thousands of values, given names from hundreds,
codes from a handful. About one record in five has a fault. With a third argument, that
share of the records takes the ULN of an earlier record (a duplicate, for R59).

    python benchmarks/make_learners.py 200000 benchmarks/data/learners-200k.csv [0.01]
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HEADINGS = ["GivenName", "FamilyName", "ULN", "DateOfBirth", "Gender", "LastKnownPostCode",
            "EmailAddress", "AbilityToShare", "Notes"]
ONSETS = ["b", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "sh", "t",
          "th", "v", "w", "z", ""]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ee", "ou", "é", "ö"]
CODAS = ["", "n", "r", "s", "l", "th", "m", "ck", "nd", "rt"]
BAD_NAMES = ["Test", "Unknown", "Baby", "Mr", "J0hn", "Not Known", "X|Y", ""]
AREAS = ["B", "M", "L", "S", "N", "E", "W", "CV", "EC", "SO", "LS", "DN", "BS", "NG", "CF"]
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
BAD_POSTCODES = ["Q1A 9AA", "LI10 3QP", "XX XXX", "ZZ99 9ZZ", "A1 9A"]
WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def syllables(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                   for _ in range(count)).capitalize()


def valid_uln(rng: random.Random) -> str:
    while True:
        digits = str(rng.randint(100_000_000, 999_999_999))
        remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
        if remainder:
            return digits + str((10 - remainder) % 10)


def postcode(rng: random.Random) -> str:
    outward = rng.choice(AREAS) + str(rng.randint(1, 29))
    return f"{outward} {rng.randint(0, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"


def make_row(rng: random.Random, given: list[str], family: list[str]) -> list[str]:
    bad = rng.random() < 0.2
    fault = rng.randrange(6) if bad else -1
    first = rng.choice(BAD_NAMES) if fault == 0 else rng.choice(given)
    last = rng.choice(family)
    uln = valid_uln(rng)
    if fault == 1:
        wrong_digit = uln[:9] + str((int(uln[9]) + 1) % 10)
        uln = rng.choice(["9999999999", "0123456789", "12345", wrong_digit])
    dob = f"{rng.randint(1990, 2012)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if fault == 2:
        dob = rng.choice(["1900-02-29", "15/04/2007", "2007-13-01", "2030-01-01"])
    code = rng.choice(BAD_POSTCODES) if fault == 3 else postcode(rng)
    if fault == 4:
        code = code.lower().replace(" ", "")
    local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and ch != " ")
    email = f"{local.strip('.') or 'x'}{rng.randint(1, 99999)}@example.org"
    if fault == 5:
        email = "not an address"
    return [first, last, uln, dob, rng.choice("0129" if fault != 5 else "3"), code, email,
            rng.choice("0121111111"), "free text note " * rng.randint(0, 3)]


def main(count: int, path: Path, seed: int = 2026, duplicates: float = 0.0) -> None:
    rng = random.Random(seed)
    given = [syllables(rng, rng.randint(1, 3)) for _ in range(400)]
    family = [syllables(rng, rng.randint(2, 3)) for _ in range(8000)]
    path.parent.mkdir(parents=True, exist_ok=True)
    ulns: list[str] = []  # those written so far, for the duplicates
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADINGS)
        for _ in range(count):
            row = make_row(rng, given, family)
            if duplicates:
                if ulns and rng.random() < duplicates:
                    row[2] = rng.choice(ulns)
                else:
                    ulns.append(row[2])
            writer.writerow(row)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]),
         duplicates=float(sys.argv[3]) if len(sys.argv) > 3 else 0.0)
