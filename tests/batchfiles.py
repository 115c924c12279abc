"""Builders of batch files and small layouts for the batch tests (not a test module)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import count
from pathlib import Path

from lrsrules.batch.layouts import load_layout

LRB = load_layout()
HEADINGS = list(LRB.headings)
HEADER = ["FileVersion", "FileName", "UKPRN", "LearnerRecordCount"]
HEADER_VALUES = ["2A", "REG-1", "10012345"]  # the count follows: the number of learners
GOOD_NAME = "LRB_10012345_290920261030.CSV"


def _ulns() -> Iterator[str]:
    """Valid ULNs, 1026893096 first: weights 10..1 leave remainder 10 mod 11."""
    yield "1026893096"
    for stem in count(102689310):
        for last in "0123456789":
            uln = f"{stem}{last}"
            if sum(int(d) * w for d, w in zip(uln, range(10, 0, -1), strict=True)) % 11 == 10:
                yield uln


_ULN = _ulns()


def learner(**values: str) -> list[str]:
    """A learner row in the prescribed order: the sample LRS learner, changed by ``values``.
    Each learner has a ULN of its own (the default pack reports a repeated one)."""
    row = dict.fromkeys(HEADINGS, "")
    row.update(GivenName="Sample", FamilyName="Testname", ULN=next(_ULN),
               LastKnownPostCode="CV4 9EE", DateOfBirth="1976-08-16", Gender="2",
               AbilityToShare="1", VerificationType="1")
    row.update(values)
    return [row[h] for h in HEADINGS]


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def header_values(count: int) -> list[str]:
    return [*HEADER_VALUES, str(count)]


def batch_rows(*learners: list[str], headings: list[str] | None = None,
               header: list[list[str]] | None = None) -> list[list[str]]:
    """The rows of a batch file laid out as the layout says: one heading row (the header
    headings, then the learner headings), the header values leading the first learner row,
    blank cells in their place on later rows. ``header``: [headings, values] ([] for none);
    by default the right ones, the count that of ``learners``."""
    names, values = [HEADER, header_values(len(learners))] if header is None else (
        header or [[], []])
    rows = [[*names, *(headings or HEADINGS)]]
    blank = [""] * len(names)
    rows += [[*(values if i == 0 else blank), *row] for i, row in enumerate(learners)]
    return rows


def write_batch(folder: Path, *learners: list[str], name: str = GOOD_NAME,
                headings: list[str] | None = None, header: list[list[str]] | None = None,
                encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(csv_text(batch_rows(*learners, headings=headings, header=header))
                     .encode(encoding))
    return path


MINI_PACK = """\
pack: mini
version: 1.0.0
fields:
  name: {}
  kind: {}
rules:
  - id: MINI.NAME.01
    field: name
    severity: error
    check: name == trim(name)
    fix: trim(value)
    message: Name has spaces around it
  - id: MINI.KIND.01
    field: kind
    severity: warning
    check: kind in ['a', 'b']
    message: Kind is not a or b
"""

_RULES = {
    "file.empty": "MINI.FILE.01", "headings.none": "MINI.HEADINGS.00",
    "headings.missing": "MINI.HEADINGS.01", "headings.unexpected": "MINI.HEADINGS.02",
    "headings.misspelt": "MINI.HEADINGS.03", "headings.moved": "MINI.HEADINGS.04",
    "headings.duplicate": "MINI.HEADINGS.05", "records.none": "MINI.RECORDS.01",
    "record.columns": "MINI.RECORD.01", "trailer.missing": "MINI.TRAILER.01",
    "trailer.count": "MINI.TRAILER.02",
}


def mini_layout(folder: Path, extra: str = "", rules: dict[str, str] | None = None,
                trailer: bool = True) -> Path:
    """A layout without header or file-name rule, on a two-field pack, with a trailer."""
    (folder / "mini.yaml").write_text(MINI_PACK, "utf-8")
    chosen = dict(_RULES)
    if not trailer:
        chosen = {k: v for k, v in chosen.items() if not k.startswith("trailer")}
    chosen.update(rules or {})
    # A rule given with its message is written as given: "ID, message: text".
    lines = [f"  {check}: {{id: {rule}}}" if "message:" in rule
             else f"  {check}: {{id: {rule}, message: '{check}'}}"
             for check, rule in chosen.items()]
    text = ("layout: mini\nversion: 1.0.0\ntitle: Mini batch\npack: mini.yaml\n"
            "learner:\n  - {heading: Name, field: name}\n  - {heading: Kind, field: kind}\n"
            + ("trailer: {marker: TRL, count_column: 2}\n" if trailer else "")
            + extra + "rules:\n" + "\n".join(lines) + "\n")
    path = folder / "mini-layout.yaml"
    path.write_text(text, "utf-8")
    return path
