"""The error report of ``batch fix``, written as entries come, and ``fix_batch`` on a file
of many learners in flat memory."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from batchfiles import (
    GOOD_NAME,
    LRB,
    batch_rows,
    csv_text,
    learner,
)

import lrsrules
from lrsrules.batch import fix as batchfix
from lrsrules.batch.check import open_batch
from lrsrules.batch.fix import ErrorReport, FixEntry, FixTotals, fix_batch, fix_fields
from lrsrules.packs.discovery import find_pack
from lrsrules.packs.loader import load_pack
from lrsrules.run.fixes import compile_fixes
from lrsrules.run.pipeline import Run
from lrsrules.run.program import compile_pack

ENTRIES = [
    FixEntry(2, 5, "last_known_postcode", "CDD.POSTCODE.03", "warning", "fixed",
             "Postcode is not written as the LRS expects", "ls44pl", "LS4 4PL"),
    FixEntry(3, 6, "given_name", "CDD.NAMES.01", "error", "needs a person",
             "=Name\nhas \"quotes\" and Zoë", "=x", None),
    FixEntry(None, None, None, "BATCH.NAME.01", "error", "needs a person", "Bad name"),
]


def written(fmt: str, entries: list[FixEntry], show_values: bool) -> str:
    totals = FixTotals(records=3, written=2)
    stream = io.StringIO()
    with ErrorReport(fmt, show_values=show_values) as report:
        for entry in entries:
            report.add(totals.count(entry))
        report.write(stream, totals, source="in.CSV", output="out.CSV")
    return stream.getvalue()


@pytest.mark.parametrize("count", [0, 1, 3])
@pytest.mark.parametrize("show_values", [False, True])
def test_the_json_report_is_the_document_json_dumps_writes(count: int, show_values: bool) -> None:
    entries = ENTRIES[:count]
    text = written("json", entries, show_values)
    totals = FixTotals(records=3, written=2)
    for entry in entries:
        totals.count(entry)
    document = {"input": "in.CSV", "output": "out.CSV", "summary": totals.to_dict(),
                "entries": [entry.to_dict(show_values) for entry in entries]}
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_the_csv_report_has_a_header_row_then_one_row_per_entry() -> None:
    rows = list(csv.reader(io.StringIO(written("csv", ENTRIES, True))))
    assert rows[0] == ["record", "line", "field", "rule", "severity", "status", "message",
                       "old", "new"]
    assert rows[2][6:] == ["'=Name\nhas \"quotes\" and Zoë", "'=x", ""]
    assert rows[3][:3] == ["", "", ""] and len(rows) == 4


def test_a_bare_carriage_return_in_a_value_is_quoted_so_the_row_stays_whole() -> None:
    # Unquoted, a spreadsheet would start a row at the CR, with =cmd as its first cell.
    entry = FixEntry(1, 2, "notes", "R.1", "error", "needs a person", "m", "a\r=cmd", "b")
    text = written("csv", [entry], True)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and rows[1][7:] == ["a\r=cmd", "b"]
    assert text.endswith("\n") and "\r\n" not in text


def test_fix_memory_stays_flat_however_many_learners(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batchfix, "REPORT_SPOOL_BYTES", 1 << 16)  # the report spools to disk
    count = 400
    path = tmp_path / GOOD_NAME
    rows = [learner(MISIdentifier=f"MIS{n}", LastKnownPostCode="cv49ee", Notes="z" * 6000)
            for n in range(count)]
    path.write_text(csv_text(batch_rows(*rows)), "utf-8")
    del rows
    today = dt.date(2026, 11, 29)
    compiled = compile_pack(load_pack(find_pack(LRB.pack, base_dir=LRB.pack_base)), today=today)
    fixes = compile_fixes(compiled, today=today)
    totals = FixTotals()
    tracemalloc.start()
    try:
        run = Run(compiled, open_batch(path, LRB).as_source, extra_fields=fix_fields(LRB))
        with run, ErrorReport("json", folder=str(tmp_path)) as report, \
                open(os.devnull, "w", encoding="utf-8") as sink:
            for entry in fix_batch(run, fixes, sink, out_name="LRB_10012345_290920261031.CSV",
                                   fmt="csv", totals=totals):
                report.add(entry)
            report.write(sink, totals)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (totals.written, totals.values_changed) == (count, count)
    assert report.entries == sum(totals.by_status.values()) >= count
    assert path.stat().st_size > 2_000_000
    assert peak < 1_000_000, f"peak {peak} bytes fixing a {path.stat().st_size}-byte file"


def test_fix_checks_a_row_once_and_again_only_when_a_fix_changed_it(tmp_path: Path) -> None:
    today = dt.date(2026, 11, 29)
    base = compile_pack(load_pack(find_pack(LRB.pack, base_dir=LRB.pack_base)), today=today)
    calls: list[int] = []

    def counting(values: Sequence[str | None]) -> list[Any]:
        calls.append(1)
        return base.check(values)

    compiled = dataclasses.replace(base, check=counting)
    fixable = [learner(MISIdentifier=f"MIS{n}", LastKnownPostCode="cv49ee") for n in range(30)]
    clean = [learner(MISIdentifier=f"MIS{n}") for n in range(30, 80)]
    needs_person = [learner(MISIdentifier=f"MIS{n}", Gender="7") for n in range(80, 100)]
    path = tmp_path / GOOD_NAME
    path.write_text(csv_text(batch_rows(*fixable, *clean,
                              *needs_person)), "utf-8")
    run = lrsrules.check_batch(path, pack=compiled, extra_fields=fix_fields(LRB), today=today)
    totals = FixTotals()
    with run, open(os.devnull, "w", encoding="utf-8") as sink:
        statuses = [entry.status for entry in fix_batch(
            run, compile_fixes(compiled, today=today), sink,
            out_name="LRB_10012345_290920261031.CSV", fmt="csv", totals=totals)]
    assert totals.records == 100 and totals.records_changed == 30
    assert statuses.count("fixed") == 30 and statuses.count("needs a person") == 20
    assert len(calls) == 100 + 30  # at most two checks a row, one where nothing changed
