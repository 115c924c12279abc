"""Generate an LRB 2A batch file of synthetic learners (CSV, XML or XLSX) for benchmarks.

The learners are ``make_learners``' rows (about one in five faulty) placed under the 26
learner headings of the bundled layout, as ``examples/LRB_10012345_290920261030.CSV`` is
laid out: one heading row (the header headings, then the learner headings), the header
values leading the first learner row, four empty cells leading each later one. The format
follows the extension.

    python benchmarks/make_batch.py 100000 /tmp/LRB_10012345_290920261030.CSV
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from make_learners import HEADINGS as SOURCE_HEADINGS
from make_learners import make_row, syllables

from lrsrules.batch.layouts import load_layout

HEADER = ["FileVersion", "FileName", "UKPRN", "LearnerRecordCount"]


def header_values(count: int) -> list[str]:
    return ["2A", "REG-BENCH", "10012345", str(count)]


def rows(count: int) -> Iterator[list[str]]:
    """The heading row, then each learner row with the header cells before it."""
    yield [*HEADER, *load_layout().headings]
    blank = [""] * len(HEADER)
    for number, row in enumerate(learners(count)):
        yield [*(header_values(count) if number == 0 else blank), *row]


def learners(count: int, seed: int = 2026) -> Iterator[list[str]]:
    """``count`` learner rows in the layout's heading order."""
    headings = load_layout().headings
    rng = random.Random(seed)
    given = [syllables(rng, rng.randint(1, 3)) for _ in range(400)]
    family = [syllables(rng, rng.randint(2, 3)) for _ in range(8000)]
    for number in range(1, count + 1):
        row = dict.fromkeys(headings, "")
        row.update(zip(SOURCE_HEADINGS, make_row(rng, given, family), strict=True))
        row.update(MISIdentifier=f"MIS{number:07d}", VerificationType="1")
        yield [row[h] for h in headings]


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows(rows(count))


def write_xml(path: Path, count: int) -> None:
    headings = load_layout().headings
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<LRBBatch>\n  <Header>\n')
        out.writelines(f"    <{h}>{v}</{h}>\n" for h, v in zip(HEADER, header_values(count),
                                                               strict=True))
        out.write("  </Header>\n  <Learners>\n")
        for row in learners(count):
            out.write("    <Learner>\n")
            out.writelines(f"      <{h}>{escape(v)}</{h}>\n" if v else f"      <{h}/>\n"
                           for h, v in zip(headings, row, strict=True))
            out.write("    </Learner>\n")
        out.write("  </Learners>\n</LRBBatch>\n")


def write_xlsx(path: Path, count: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows(count):
        sheet.append(row)
    book.save(path)


def main(count: int, path: Path) -> None:
    writers = {".csv": write_csv, ".xml": write_xml, ".xlsx": write_xlsx}
    path.parent.mkdir(parents=True, exist_ok=True)
    writers[path.suffix.lower()](path, count)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
