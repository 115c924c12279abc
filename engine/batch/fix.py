"""Correct a batch file: write it again in the official layout with the rules' fixes applied,
and list what was changed and what still needs a person.

The corrected file has the layout's headings, spelt and ordered as prescribed, whatever the
input had; each learner's values are taken by the input's own headings, fixed where a rule
with a ``fix`` fires (``fixes``), then checked again. Rows that cannot be placed (wrong
number of columns) are left out and listed. The error report has one entry per change and
per finding that remains; values (personal data) appear in it only with ``show_values``.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TextIO
from xml.sax.saxutils import escape

from lrsrules import spreadsheets
from lrsrules.batch.check import BatchFile, BatchRecords
from lrsrules.batch.layouts import Layout
from lrsrules.errors import InputError, Location
from lrsrules.findings import SEVERITY_RANK, Finding
from lrsrules.inputs.records import Record
from lrsrules.limits import REPORT_SPOOL_BYTES
from lrsrules.run.fixes import FixProgram, apply_fixes
from lrsrules.run.pipeline import Checked, Run
from lrsrules.run.runner import record_findings
from lrsrules.spreadsheets import safe_cell

FIXED, CHANGED, NEEDS_PERSON, LEFT_OUT, NOTED = (
    "fixed", "changed", "needs a person", "left out", "noted")
OUTPUT_FORMATS = {".csv": "csv", ".xml": "xml"}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class FixEntry:
    """One line of the error report: a change made, or a problem left for a person.

    ``status``: ``fixed`` (changed, and its rules no longer fire), ``changed`` (changed,
    but a finding on the field remains: listed too), ``needs a person``, ``noted`` (an
    info finding: nothing to correct) or ``left out`` (a row not written to the corrected
    file).
    """

    record: int | None
    line: int | None
    field: str | None
    rule: str
    severity: str
    status: str
    message: str
    old: str | None = None
    new: str | None = None

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "record": self.record, "line": self.line, "field": self.field, "rule": self.rule,
            "severity": self.severity, "status": self.status, "message": self.message}
        if show_values:
            data.update(old=self.old, new=self.new)
        return data


@dataclass
class FixTotals:
    records: int = 0  # learner rows read
    written: int = 0  # learner rows written to the corrected file
    records_changed: int = 0
    values_changed: int = 0
    by_status: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((FIXED, CHANGED, NEEDS_PERSON, NOTED, LEFT_OUT), 0))
    worst_remaining: int = -1  # severity rank of the worst entry a person must see to

    def count(self, entry: FixEntry) -> FixEntry:
        self.by_status[entry.status] += 1
        if entry.status != FIXED:
            self.worst_remaining = max(self.worst_remaining, SEVERITY_RANK[entry.severity])
        return entry

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "written": self.written,
                "records_changed": self.records_changed,
                "values_changed": self.values_changed, "by_status": dict(self.by_status)}


def output_format(name: str) -> str:
    """csv or xml, by the corrected file's extension (the LRS takes no other)."""
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    fmt = OUTPUT_FORMATS.get(suffix)
    if fmt is None:
        raise InputError(f"the corrected file {name} must be named .CSV or .XML",
                         Location(name), hint="the LRS takes batch files as CSV or XML")
    return fmt


def fix_fields(layout: Layout) -> tuple[str, ...]:
    """What a fix run needs on each record beyond the pack's fields: every learner field of
    the layout, and its output headings (written back as they were)."""
    outputs = layout.output.headings if layout.output else ()
    return (*(name for _, name in layout.learner), *outputs)


def fix_batch(run: Run, fixes: FixProgram, stream: TextIO, *, out_name: str, fmt: str,
              totals: FixTotals, folder: str | None = None) -> Iterator[FixEntry]:
    """Write the corrected file to ``stream`` as ``fmt``; yield the report's entries.

    The header (whose learner count is known only at the end) comes first in the file, so
    the learners are spooled until then: in memory up to ``REPORT_SPOOL_BYTES``, then in an
    unnamed temporary file in ``folder`` (default: the system's).

    ``run`` is a batch run (``lrsrules.check_batch``) whose records carry ``fix_fields``:
    each learner row is checked once by the run and, when a fix changed it, once more.
    Raises ``InputError`` (before writing anything) for a file whose learners cannot be
    placed at all: an empty file, or learner headings none of which is known.
    """
    source = run.source
    if not isinstance(source, BatchRecords):
        raise TypeError("fix_batch needs a batch file's run (lrsrules.check_batch)")
    batch = source.batch
    parts = batch.parts
    where = Location(parts.path, parts.heading_line)
    if parts.empty:
        raise InputError("the file is empty: there is nothing to correct", Location(parts.path))
    if batch.alignment is not None and not batch.alignment.recognised:
        raise InputError("the learner headings are not recognised, so learners cannot be "
                         "placed in a corrected file", where,
                         hint="run lrsrules batch check for the details")
    layout = batch.layout
    headings = batch.expected
    writer = (_XmlWriter if fmt == "xml" else _CsvWriter)(stream, layout, headings, folder)
    # The input's file-level findings; the corrected file's are worked out again, as written.
    before = list(batch.file_findings)
    rows = _RowFixer(run, fixes, batch)
    for checked in run.results():
        if checked.record is None:
            if totals.records:  # the end of the file: the learner count, header cells
                before += [f for f in checked.findings if f.record is None]
            continue
        totals.records += 1
        entries, values = rows.fix(checked, totals)
        for entry in entries:
            yield totals.count(entry)
        if values is not None:
            writer.learner([values.get(h) or "" for h in headings])
            totals.written += 1
    header = written_header(batch, totals.written)
    with writer:
        writer.finish([header[f.heading] or "" for f in layout.header])
    after = _file_findings_of_output(batch, out_name, header, totals.written)
    remaining = {finding.rule for finding in after}
    for finding in before:
        if finding.rule not in remaining:
            yield totals.count(_entry(finding, FIXED))
    for finding in after:
        yield totals.count(_entry(finding, NEEDS_PERSON))


class _RowFixer:
    """Fixes one learner row at a time: the run's check of it, its fixes, one more check."""

    def __init__(self, run: Run, fixes: FixProgram, batch: BatchFile) -> None:
        self.compiled = compiled = fixes.compiled
        self.fixes = fixes
        self.batch = batch
        where = {name: index for index, name in enumerate(run.wanted)}
        self.fix_index = tuple(where.get(name) for name in fixes.fields)
        self.check_index = tuple(where[name] for name in compiled.fields)
        self.rules = {rule.id: rule for rule in compiled.pack.rules}
        layout = batch.layout
        self.learner = tuple((heading, where[name]) for heading, name in layout.learner)
        outputs = layout.output.headings if batch.is_output and layout.output else ()
        self.outputs = tuple((heading, where[heading]) for heading in outputs)

    def fix(self, checked: Checked, totals: FixTotals
            ) -> tuple[list[FixEntry], dict[str, str | None] | None]:
        """The row's report entries and its values by heading (None: left out)."""
        record = checked.record
        assert record is not None
        own = list(checked.findings[:len(record.notes)])
        if record.issue is not None:
            return [_entry(f, LEFT_OUT) for f in own], None
        values = record.values
        by_field = {name: None if i is None else values[i]
                    for name, i in zip(self.fixes.fields, self.fix_index, strict=True)}
        fixed, changes = apply_fixes(self.fixes, checked.hits, by_field)
        if changes:  # the second and last check of this row
            again = Record(record.number, record.line,
                           tuple(fixed.get(name) for name in self.compiled.fields))
            remaining = record_findings(self.compiled, again)
        else:
            remaining = list(checked.findings[len(record.notes):])
        still = {(f.rule, f.field) for f in remaining}
        entries = []
        for change in changes:
            fired = [self.rules[r] for r in change.rules]
            status = CHANGED if any((r.id, change.field) in still for r in fired) else FIXED
            worst = max(fired, key=lambda r: SEVERITY_RANK[r.severity])
            entries.append(FixEntry(record.number, record.line, change.field,
                                    " ".join(change.rules), worst.severity, status,
                                    worst.message, change.old, change.new))
        if changes:
            totals.records_changed += 1
            totals.values_changed += len(changes)
        entries += [_entry(f, NEEDS_PERSON) for f in [*remaining, *own]]
        names = dict(self.batch.layout.learner)
        by_heading = {heading: fixed.get(names[heading]) for heading, _ in self.learner}
        by_heading.update({heading: values[i] for heading, i in self.outputs})
        return entries, by_heading


def written_header(batch: BatchFile, written: int) -> dict[str, str | None]:
    """The header values of the corrected file: the input's, each learner count the number
    of learners written."""
    header = {field.heading: batch.header.get(field.heading) for field in batch.layout.header}
    header.update({field.heading: str(written) for field in batch.layout.header
                   if field.count is not None})
    return header


def _file_findings_of_output(batch: BatchFile, out_name: str, header: dict[str, str | None],
                             written: int) -> list[Finding]:
    """File-level findings the corrected file still has: its name and its header values
    (as written), and having no learners."""
    found = batch.name_findings(out_name) if batch.layout.file_name else []
    if written:  # the header values ride on the first learner row
        found += batch.header_findings(2 if batch.layout.header else None, header=header)
    if written == 0:
        found.append(batch.layout.rules["records.none"].finding())
    return found


def _entry(finding: Finding, status: str) -> FixEntry:
    if status == NEEDS_PERSON and finding.severity == "info":
        status = NOTED
    return FixEntry(finding.record, finding.line, finding.field, finding.rule,
                    finding.severity, status, finding.message, finding.value)


# --- the corrected file ---------------------------------------------------------------------

class _Writer(ABC):
    """The corrected file, its header first: learners are spooled until ``finish`` is given
    the header values (a learner count among them). Use it as a context manager."""

    def __init__(self, stream: TextIO, layout: Layout, headings: Sequence[str],
                 folder: str | None) -> None:
        self.stream = stream
        self.layout = layout
        self.headings = headings
        # surrogatepass: a lone surrogate in a value comes back out as it went in.
        self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close)
            max_size=REPORT_SPOOL_BYTES, mode="w+", encoding="utf-8",
            errors="surrogatepass", newline="", dir=folder)
        self.count = 0

    def learner(self, values: Sequence[str]) -> None:
        self.count += 1
        self.write_learner(values)

    @abstractmethod
    def write_learner(self, values: Sequence[str]) -> None:
        """Write one learner's values, in the layout's heading order."""

    @abstractmethod
    def finish(self, header: Sequence[str]) -> None:
        """Write the file out: its head (with the header values) and the spooled rows."""

    def copy_spool(self) -> None:
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, self.stream)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.spool.close()


class _CsvWriter(_Writer):
    """One heading row (header headings, then learner headings); the header values lead
    the first learner row, and later rows leave their cells empty."""

    def __init__(self, stream: TextIO, layout: Layout, headings: Sequence[str],
                 folder: str | None) -> None:
        super().__init__(stream, layout, headings, folder)
        # CRLF, as RFC 4180 and the spreadsheets providers use write CSV.
        self.writer = csv.writer(stream, delimiter=layout.delimiter, lineterminator="\r\n")
        self.rows = csv.writer(self.spool, delimiter=layout.delimiter, lineterminator="\r\n")
        self.blank = [""] * len(layout.header)
        self.first: list[str] | None = None

    def write_learner(self, values: Sequence[str]) -> None:
        if self.first is None:
            self.first = list(values)
        else:
            self.rows.writerow([*self.blank, *values])

    def finish(self, header: Sequence[str]) -> None:
        self.writer.writerow([*(f.heading for f in self.layout.header), *self.headings])
        if self.first is not None:
            self.writer.writerow([*header, *self.first])
        self.copy_spool()
        trailer = self.layout.trailer
        if trailer is not None:
            row = [trailer.marker] + [""] * ((trailer.count_column or 1) - 1)
            if trailer.count_column:
                row[trailer.count_column - 1] = str(self.count)
            self.writer.writerow(row)


class _XmlWriter(_Writer):
    """The layout's XML form; characters XML cannot hold are dropped."""

    def __init__(self, stream: TextIO, layout: Layout, headings: Sequence[str],
                 folder: str | None) -> None:
        if layout.xml is None:
            raise InputError(f"layout {layout.name} has no XML form",
                             hint="name the corrected file .CSV")
        super().__init__(stream, layout, headings, folder)
        self.xml = layout.xml
        *self.wrappers, self.element = self.xml.learner.split("/")

    def write_learner(self, values: Sequence[str]) -> None:
        pad = "  " * (len(self.wrappers) + 1)
        parts = [f"{pad}<{self.element}>\n"]
        parts += [f"{pad}  {_element(h, v)}\n" for h, v in zip(self.headings, values, strict=True)]
        parts.append(f"{pad}</{self.element}>\n")
        self.spool.write("".join(parts))

    def finish(self, header: Sequence[str]) -> None:
        write = self.stream.write
        write(f'<?xml version="1.0" encoding="UTF-8"?>\n<{self.xml.root}>\n')
        if self.xml.header and self.layout.header:
            write(f"  <{self.xml.header}>\n")
            for spec, value in zip(self.layout.header, header, strict=True):
                write(f"    {_element(spec.heading, value)}\n")
            write(f"  </{self.xml.header}>\n")
        for depth, name in enumerate(self.wrappers, start=1):
            write(f"{'  ' * depth}<{name}>\n")
        self.copy_spool()
        for depth, name in reversed(list(enumerate(self.wrappers, start=1))):
            write(f"{'  ' * depth}</{name}>\n")
        write(f"</{self.xml.root}>\n")


def _element(name: str, value: str) -> str:
    if not value:
        return f"<{name}/>"
    return f"<{name}>{escape(_NOT_XML.sub('', value))}</{name}>"


# --- the error report -----------------------------------------------------------------------

REPORT_FORMATS = ("csv", "json")
_CSV_HEADER = ["record", "line", "field", "rule", "severity", "status", "message"]


class ErrorReport:
    """The error report: CSV (one row per entry) or JSON (summary and entries).

    Entries are written as they come (``add``) into a spool that holds up to
    ``REPORT_SPOOL_BYTES`` in memory and the rest in an unnamed temporary file in ``folder``,
    so the report takes the same memory for any number of learners; ``write`` puts the
    whole report out once the corrected file is written (the JSON summary, first in the
    document, is known only then). Use it as a context manager.
    """

    def __init__(self, fmt: str, *, show_values: bool = False,
                 folder: str | None = None) -> None:
        self.fmt = fmt
        self.show_values = show_values
        self.entries = 0
        # surrogatepass: a lone surrogate in a value comes back out as it went in.
        self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close)
            max_size=REPORT_SPOOL_BYTES, mode="w+", encoding="utf-8",
            errors="surrogatepass", newline="", dir=folder)
        self._rows = spreadsheets.writer(self._spool)

    def add(self, entry: FixEntry) -> None:
        if self.fmt == "json":
            # Each entry as json.dumps(indent=2) lays out an item of the document's list.
            item = json.dumps(entry.to_dict(self.show_values), indent=2, ensure_ascii=False)
            self._spool.write(("," if self.entries else "") + "\n    "
                              + item.replace("\n", "\n    "))
        else:
            row = ["" if entry.record is None else entry.record,
                   "" if entry.line is None else entry.line,
                   safe_cell(entry.field), safe_cell(entry.rule), entry.severity, entry.status,
                   safe_cell(entry.message)]
            if self.show_values:
                row += [safe_cell(entry.old), safe_cell(entry.new)]
            self._rows.writerow(row)
        self.entries += 1

    def write(self, stream: TextIO, totals: FixTotals, *, source: str = "",
              output: str = "") -> None:
        """The whole report, the entries added so far after its opening."""
        if self.fmt == "json":
            document = {"input": source, "output": output, "summary": totals.to_dict(),
                        "entries": []}
            opening = json.dumps(document, indent=2, ensure_ascii=False)
            if not self.entries:
                stream.write(opening + "\n")
                return
            stream.write(opening.removesuffix("]\n}"))
            self._copy(stream)
            stream.write("\n  ]\n}\n")
            return
        spreadsheets.writer(stream).writerow(
            _CSV_HEADER + (["old", "new"] if self.show_values else []))
        self._copy(stream)

    def _copy(self, stream: TextIO) -> None:
        self._spool.seek(0)
        shutil.copyfileobj(self._spool, stream)

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> ErrorReport:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
