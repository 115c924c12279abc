"""Generate a CSV of synthetic learner records (about 1 in 5 with a fault) for benchmarks.

    python benchmarks/make_learners.py 200000 benchmarks/data/learners-200k.csv
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HEADINGS = ["GivenName", "FamilyName", "ULN", "DateOfBirth", "Gender", "LastKnownPostCode",
            "EmailAddress", "AbilityToShare", "Notes"]
GIVEN = ["Amelia", "Oliver", "Isla", "Jamie", "Priya", "Zoë", "Seán", "Mary-Jane", "Test", ""]
FAMILY = ["Okonkwo", "Smith", "O'Neill", "Shah", "Featherstonehaugh", "Child", "Unknown",
          "Nguyen", "Wójcik", "Smith2"]
POSTCODES = ["CV4 9EE", "B33 8TH", "M1 1AE", "EC1A 1BB", "SO10 9AA", "ls44pl", "Q1A 9AA",
             "W1A 0AX", "", "GIR 0AA"]
VALID_ULNS = ["1026893096", "1748529632", "1000000043", "6936002314", "4444599390"]
BAD_ULNS = ["1000000042", "9999999999", "0123456789", "12345", ""]


def make_row(rng: random.Random) -> list[str]:
    bad = rng.random() < 0.2  # most real records are clean
    uln = rng.choice(BAD_ULNS if bad and rng.random() < 0.5 else VALID_ULNS)
    year = rng.randint(1950, 2015)
    dob = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if bad and rng.random() < 0.3:
        dob = rng.choice(["1900-02-29", "15/04/2007", "2007-13-01"])
    given = rng.choice(GIVEN if bad else GIVEN[:8])
    family = rng.choice(FAMILY if bad else FAMILY[:5])
    email = f"{given.lower() or 'x'}.{rng.randint(1, 999)}@example.org"
    if bad and rng.random() < 0.3:
        email = "not-an-address"
    return [given, family, uln, dob, rng.choice("0129" if not bad else "01293"),
            rng.choice(POSTCODES if bad else POSTCODES[:5]), email,
            rng.choice("012" if not bad else "0123"), "free text note " * rng.randint(0, 3)]


def main(count: int, path: Path, seed: int = 2026) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADINGS)
        for _ in range(count):
            writer.writerow(make_row(rng))


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
