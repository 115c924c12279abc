"""Check an LRS batch file: the file-level rules of its layout, then every learner record
through the layout's pack.

``open_batch`` reads the head of the file (``reader``) and works out, once, everything
about the file as a whole: the name, the header record, the heading rows aligned with the
layout's (``headingdiff``), whether it is an output file. ``BatchFile.as_source`` is the
source of a run (``lrsrules.run.pipeline``), which checks the learner rows as they are
read: file-level findings first (``record`` and ``field`` null), then each learner row's
(its row number as ``record``, its physical line as ``line``), then what only the end of
the file can tell (no learner rows, the trailer). Nothing is kept per learner but counts,
so memory does not grow with the file. Values are taken by the file's own headings, so
swapped columns are still checked as the fields they are.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from types import TracebackType
from typing import Any

from lrsrules.batch.headingdiff import HeadingAlignment, HeadingIssue, align_headings
from lrsrules.batch.layouts import Layout
from lrsrules.batch.names import check_file_name
from lrsrules.batch.parts import BatchParts, Row
from lrsrules.batch.reader import is_blank, read_batch, trim_cells
from lrsrules.errors import PackError, Problem
from lrsrules.findings import Finding
from lrsrules.inputs.headings import HeadingMatch, looks_like_data
from lrsrules.inputs.records import Record, RecordSource
from lrsrules.packs.model import normalise_heading
from lrsrules.run.program import CompiledPack


@dataclass(frozen=True, slots=True)
class LearnerRow:
    """One learner row: its number among the learner rows and where it starts.

    ``cells`` are the row's cells, one per heading, then one blank cell that absent
    headings read; None when the row cannot be placed (wrong number of columns) or the
    headings are unknown. ``problem`` is the row's own finding, if any. Read values with
    ``BatchFile.values`` and ``BatchFile.value``.
    """

    number: int
    line: int
    cells: tuple[str, ...] | None = dataclass_field(repr=False)
    problem: Finding | None = None


UNPLACED = "the row cannot be placed under the file's headings"  # a row's issue


class BatchFile:
    """A batch file read against a layout; iterate ``findings`` (once) to check it.

    The file stays open until its rows are read to the end: use it as a context manager,
    or call ``close``.
    """

    def __init__(self, parts: BatchParts, layout: Layout, *,
                 now: dt.datetime | None = None) -> None:
        self.parts = parts
        self.layout = layout
        self.now = now or dt.datetime.now()
        self.name = os.path.basename(parts.path)
        self.header: dict[str, str | None] = {}  # header heading -> value
        self.header_present = False
        self.header_line: int | None = None  # of the header values
        self.header_columns: dict[str, int] = {}  # header heading -> column, in learner rows
        self.is_output = False
        self.expected: tuple[str, ...] = layout.headings
        self.alignment: HeadingAlignment | None = None  # the heading row
        self.width = 0
        self.records = 0
        self.later_header = (0, 0)  # learner rows after the first with header values; first line
        self.return_codes: Counter[str] = Counter()
        self.unknown_codes = 0
        self.trailer: Row | None = None
        self.columns: dict[str, int] = {}  # pack field or output heading -> column
        # The first learner row holds the header values: read it now, hand it on later.
        self._first = next(parts.records, None)
        self.file_findings = self._check_file()  # name, header, headings

    def close(self) -> None:
        self.parts.close()

    def __enter__(self) -> BatchFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- the file as a whole -----------------------------------------------------------------

    def _check_file(self) -> list[Finding]:
        parts, layout, rules = self.parts, self.layout, self.layout.rules
        if parts.empty:
            return [rules["file.empty"].finding()]
        headings = parts.headings
        if headings is None:
            return self.name_findings(self.name)
        cells, variants = _usual_spellings(trim_cells(headings.cells), layout.variants)
        output = layout.output
        if output is not None:
            marks = {normalise_heading(h) for h in output.headings}
            self.is_output = any(normalise_heading(cell) in marks for cell in cells)
            if self.is_output:
                self.expected = layout.headings + output.headings
        own = [field.heading for field in layout.header]
        self.width = len(cells)
        self.alignment = align_headings((*own, *self.expected), cells)
        where = self.alignment.columns
        self.columns = {name: where[heading] for heading, name in layout.learner
                        if heading in where}
        self.columns.update({heading: where[heading] for heading in self.expected
                             if heading in where and heading not in self.columns})
        learner_found = any(h in where for h in self.expected)
        header, values = self._check_header(headings.line, learner_found)
        found = self.name_findings(self.name) + header
        if not learner_found:
            found.append(rules["headings.none"].finding(line=headings.line, row=headings.line))
            return found + values
        issues = [(issue.column, self._heading_finding(issue, headings.line))
                  for issue in self.alignment.issues
                  if self.header_columns or issue.expected not in own]
        variant_findings = [(column, rules["headings.variant"].finding(
            line=headings.line, heading=usual, found=shown_heading(spelling),
            column=column + 1, expected_column=where[usual] + 1))
            for column, spelling, usual in variants]
        # In file order: the heading row, then the header values on the row after it.
        return found + _merge(issues, variant_findings) + values

    def _check_header(self, line: int, learner_found: bool
                      ) -> tuple[list[Finding], list[Finding]]:
        """The header's findings before the heading row's, and those of its values (the
        first learner row's, or those of a header record on rows of its own)."""
        layout, parts, rules = self.layout, self.parts, self.layout.rules
        if not layout.header:
            return [], []
        own = [field.heading for field in layout.header]
        where = self.alignment.columns if self.alignment else {}
        self.header_columns = {h: where[h] for h in own if h in where}
        if parts.leading:
            return self._own_rows(line)
        if not learner_found:  # not a heading row at all: headings.none says so
            return [], []
        if not self.header_columns:
            return [rules["header.missing"].finding(line=line)], []
        self.header_present = True
        first = self._first
        cells = first.cells if first else ()
        for heading, column in self.header_columns.items():
            value = cells[column] if column < len(cells) else ""
            self.header[heading] = None if not value or value.isspace() else value
        if first is None:  # no learner row: records.none says so, not each header value
            return [], []
        self.header_line = first.line
        # A field whose heading is missing has its own finding; its value is not also blank.
        return [], self.header_findings(first.line, frozenset(own) - set(self.header_columns))

    def _own_rows(self, line: int) -> tuple[list[Finding], list[Finding]]:
        """Rows before the heading row: one finding; their values are read when they are a
        header record (headings, then values), so that ``batch fix`` can carry them over."""
        leading, layout = self.parts.leading, self.layout
        self.header_columns = {}
        found = [layout.rules["header.own_rows"].finding(
            line=leading[0].line, first=leading[0].line, last=leading[-1].line, row=line)]
        if len(leading) < 2:
            return found, []
        alignment = align_headings([f.heading for f in layout.header],
                                   trim_cells(leading[0].cells))
        if not alignment.recognised:
            return found, []
        self.header_present = True
        self.header_line = leading[1].line
        cells, names = leading[1].cells, leading[0].cells
        # Only headings spelt right: this is another layout, whose fields differ.
        exact = {heading: column for heading, column in alignment.columns.items()
                 if names[column] == heading}
        for heading, column in exact.items():
            value = cells[column] if column < len(cells) else ""
            self.header[heading] = None if not value or value.isspace() else value
        absent = frozenset(f.heading for f in layout.header) - set(exact)
        return found, self.header_findings(leading[1].line, absent)

    def name_findings(self, name: str) -> list[Finding]:
        """Findings of the file-name rule on ``name``, against this file's header."""
        rule = self.layout.file_name
        if rule is None or self.parts.format not in rule.formats:
            return []
        return check_file_name(name, rule, self.layout.rules,
                               header=self.header if self.header_present else None,
                               header_fields=self.layout.header, now=self.now)

    def header_findings(self, line: int | None = None,
                        skip: frozenset[str] = frozenset(),
                        header: Mapping[str, str | None] | None = None) -> list[Finding]:
        """The header value rules on ``header`` (this file's header values unless given),
        but on those in ``skip``."""
        values = self.header if header is None else header
        return [field.rule.finding(line=line, value=values.get(field.heading),
                                   heading=field.heading)
                for field in self.layout.header
                if field.heading not in skip and not field.accepts(values.get(field.heading))]

    def _heading_finding(self, issue: HeadingIssue, line: int) -> Finding:
        own = {field.heading for field in self.layout.header}
        in_header = issue.expected in own if issue.expected is not None else (
            issue.column is not None and issue.column < len(own) and bool(self.header_columns))
        check = f"header.heading_{issue.kind}" if in_header else f"headings.{issue.kind}"
        return self.layout.rules[check].finding(
            line=line, heading=issue.expected or "", found=shown_heading(issue.found),
            column="" if issue.column is None else issue.column + 1,
            expected_column="" if issue.position is None else issue.position + 1)

    # --- learner rows ------------------------------------------------------------------------

    def _learner_rows(self) -> Iterator[Row]:
        if self._first is not None:
            yield self._first
        yield from self.parts.records

    def rows(self) -> Iterator[LearnerRow]:
        """Every learner row, placed by the file's own headings (read once)."""
        parts, layout = self.parts, self.layout
        header_columns = tuple(self.header_columns.values())
        placed = self.alignment is not None and self.alignment.recognised
        marker = layout.trailer.marker if layout.trailer else None
        width = self.width
        pad = parts.format == "xlsx"  # a workbook has no "missing" cells, only blank ones
        for row in self._learner_rows():
            cells = row.cells
            if marker is not None and cells and cells[0] == marker:
                self.trailer = row
                continue
            self.records += 1
            number = self.records
            if number > 1 and header_columns and not is_blank(
                    cells[c] for c in header_columns if c < len(cells)):
                count, line = self.later_header
                self.later_header = (count + 1, line or row.line)
            if row.issue is not None:
                problem = layout.rules["record.elements"].finding(number, row.line)
                yield LearnerRow(number, row.line, None, problem)
                continue
            if len(cells) > width:
                cells = cells[:width] + trim_cells(cells[width:])
            if pad and len(cells) < width:
                cells += ("",) * (width - len(cells))
            if not placed:
                yield LearnerRow(number, row.line, None)
                continue
            if len(cells) != width:
                problem = layout.rules["record.columns"].finding(
                    number, row.line, count=len(cells), width=width)
                yield LearnerRow(number, row.line, None, problem)
                continue
            yield LearnerRow(number, row.line, (*cells, ""))

    def indices(self, names: tuple[str, ...]) -> tuple[int, ...]:
        """Where each of ``names`` (pack fields, output headings) is in a row's cells; a
        name the file lacks reads the blank cell at the end."""
        return tuple(self.columns.get(name, self.width) for name in names)

    def values(self, row: LearnerRow, indices: tuple[int, ...]) -> tuple[str | None, ...]:
        """The row's values at ``indices`` (see ``indices``), blank values as None."""
        cells = row.cells or ()
        return tuple([None if not (v := cells[i]) or v.isspace() else v for i in indices])

    def value_map(self, row: LearnerRow) -> dict[str, str | None]:
        """The row's values by pack field, for every field of the layout."""
        names, indices = self._layout_fields
        return dict(zip(names, self.values(row, indices), strict=True))

    @cached_property
    def _layout_fields(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        names = tuple(name for _, name in self.layout.learner)
        return names, self.indices(names)

    def value(self, row: LearnerRow, name: str) -> str | None:
        return self.values(row, self.indices((name,)))[0]

    def return_code_findings(self, row: LearnerRow) -> list[Finding]:
        """Check the learner's return code (output files), counting it for the summary."""
        output = self.layout.output
        if output is None or not self.is_output or row.cells is None:
            return []
        rules = self.layout.rules
        heading = output.return_code
        code = self.value(row, heading)
        if code is None:
            self.return_codes["(blank)"] += 1
            return [rules["return_code.missing"].finding(row.number, row.line, heading=heading)]
        code = code.strip()
        known = output.codes.get(code)
        self.return_codes[code] += 1
        if known is None:
            self.unknown_codes += 1
            return [rules["return_code.unknown"].finding(row.number, row.line, value=code,
                                                         code=code, heading=heading)]
        if known.severity is None:
            return []
        reported = rules["return_code.reported"].finding(
            row.number, row.line, value=code, code=code, meaning=known.meaning,
            action=known.action or "see the LRS guidance on this code")
        return [_with_severity(reported, known.severity)]

    def end_findings(self) -> list[Finding]:
        """What only the end of the file tells: no learner rows, the trailer."""
        if self.parts.empty:
            return []
        rules, found = self.layout.rules, []
        if self.records == 0:
            found.append(rules["records.none"].finding())
        found += self._count_findings()
        later, line = self.later_header
        if later:
            found.append(rules["header.later_values"].finding(
                line=line, headings=", ".join(self.header_columns), count=later, row=line))
        trailer = self.layout.trailer
        if trailer is not None:
            if self.trailer is None:
                found.append(rules["trailer.missing"].finding(marker=trailer.marker))
            elif trailer.count_column is not None:
                cells = self.trailer.cells
                index = trailer.count_column - 1
                declared = cells[index].strip() if index < len(cells) else ""
                if declared != str(self.records):
                    found.append(rules["trailer.count"].finding(
                        line=self.trailer.line, declared=declared or "(blank)",
                        count=self.records))
        return found

    def _count_findings(self) -> list[Finding]:
        """The header's learner count against the learner rows."""
        if not self.header_present or self.records == 0:
            return []
        rules, found = self.layout.rules, []
        for field in self.layout.header:
            if field.count is None:
                continue
            declared = self.header.get(field.heading)
            if declared is not None and field.accepts(declared) \
                    and int(declared) != self.records:
                found.append(rules["header.count"].finding(
                    line=self.header_line, value=declared, declared=declared,
                    count=self.records))
            low, high = field.count
            if (low is not None and self.records < low) or (
                    high is not None and self.records > high):
                found.append(rules["header.count_range"].finding(
                    count=self.records, min="" if low is None else low,
                    max="" if high is None else high))
        return found

    def as_source(self, wanted: Sequence[str]) -> BatchRecords:
        """The learner rows as records carrying ``wanted`` (pack fields, output headings),
        for a run (``lrsrules.run.pipeline``); read once."""
        return BatchRecords(self, wanted)


class BatchRecords(RecordSource):
    """A batch file as a run's source: file-level findings first (``record`` and ``field``
    null), then each learner row as a record (its row number as ``number``, its physical
    line as ``line``, its own findings as notes), then what only the end of the file tells;
    the summary adds the layout and, for output files, the return codes."""

    def __init__(self, batch: BatchFile, wanted: Sequence[str]) -> None:
        super().__init__(None)
        parts = batch.parts
        self.batch = batch
        self.path = parts.path
        self.format = parts.format
        self.encoding = parts.encoding
        self.delimiter = parts.delimiter
        self._records = self._iter_records(batch.indices(tuple(wanted)))

    @property
    def body_line(self) -> int | None:
        """Where the learner rows start, for a run that cuts the file into parts
        (``lrsrules.batch.cutting``): a CSV file's first learner row (None: not CSV, or no
        learner row, so nothing to cut)."""
        first = self.batch._first
        return first.line if self.format == "csv" and first is not None else None

    @property
    def headings(self) -> tuple[str, ...]:
        headings = self.batch.parts.headings
        return trim_cells(headings.cells) if headings else ()

    @property
    def match(self) -> HeadingMatch:
        batch, layout = self.batch, self.batch.layout
        alignment = batch.alignment
        if alignment is None or not alignment.recognised:
            return HeadingMatch({}, (), ())
        ignored = tuple(shown_heading(i.found) for i in alignment.issues
                        if i.kind == "unexpected")
        fields = dict(layout.learner)
        missing = tuple(fields[h] for h in layout.headings if h not in alignment.columns)
        names = set(fields.values())
        columns = {name: column for name, column in batch.columns.items() if name in names}
        return HeadingMatch(columns, ignored, missing)

    def _iter_records(self, indices: tuple[int, ...]) -> Iterator[Record]:
        batch = self.batch
        nones = (None,) * len(indices)
        for row in batch.rows():
            own = ([row.problem] if row.problem else []) + batch.return_code_findings(row)
            if row.cells is None:
                yield Record(row.number, row.line, nones, UNPLACED, tuple(own))
            else:
                yield Record(row.number, row.line, batch.values(row, indices), None, tuple(own))

    def head_findings(self) -> list[Finding]:
        return list(self.batch.file_findings)

    def missing_findings(self, required: Mapping[str, str]) -> list[Finding]:
        return []  # the layout's checks of the headings report a missing column

    def end_findings(self) -> list[Finding]:
        return self.batch.end_findings()

    def summary_extra(self) -> tuple[Mapping[str, Any], tuple[str, ...]]:
        """The layout and, for output files, the return codes."""
        file = self.batch
        layout = file.layout
        about: dict[str, Any] = {
            "layout": layout.name, "layout_version": layout.version,
            "provisional": layout.provisional is not None,
            "kind": "output" if file.is_output else "input",
        }
        kind = "output file" if file.is_output else "file"
        notes = [f"Batch {kind} checked with layout {layout.name} {layout.version}"
                 f" ({layout.title}{', provisional' if layout.provisional else ''})."]
        if file.is_output and layout.output is not None:
            codes = layout.output.codes
            counted = sorted(file.return_codes.items())
            about["return_codes"] = {
                code: {"meaning": codes[code].meaning if code in codes else None,
                       "action": codes[code].action if code in codes else None,
                       "count": count}
                for code, count in counted}
            about["unknown_return_codes"] = file.unknown_codes
            notes.append("Return codes:" if counted else "Return codes: none")
            width = max((len(code) for code, _ in counted), default=0)
            for code, count in counted:
                known = codes.get(code)
                meaning = known.meaning if known else "not a known code"
                action = known.action if known and known.severity else None
                notes.append(f"  {code:<{width}}  {count:>6}  {meaning}"
                             + (f": {action}" if action else ""))
        return {"batch": about}, tuple(notes)

    def close(self) -> None:
        self.batch.close()


def open_batch(path: str | os.PathLike[str], layout: Layout, *, encoding: str | None = None,
               now: dt.datetime | None = None) -> BatchFile:
    """Read the head of ``path`` and check the file as a whole; iterate ``findings`` for
    the rest (the learner rows are read as they are checked)."""
    return BatchFile(read_batch(path, layout, encoding=encoding), layout, now=now)


def check_layout_against(layout: Layout, compiled: CompiledPack) -> None:
    """Raise ``PackError`` when the layout maps a heading to a field the pack lacks, or
    uses a rule id of the pack."""
    pack = compiled.pack
    problems = [Problem(f"layout {layout.name}: heading {heading} maps to field {field}, "
                        f"which pack {pack.name} does not define")
                for heading, field in layout.learner if field not in pack.fields]
    ids = {rule.id for rule in pack.rules}
    problems += [Problem(f"layout {layout.name}: rule id {rule.id} is also a rule of pack "
                         f"{pack.name}") for rule in layout.rules.values() if rule.id in ids]
    if problems:
        raise PackError(problems=problems)


def shown_heading(text: str | None) -> str:
    """A found heading as messages quote it: personal data is never quoted."""
    if text is None or not text.strip():
        return "(blank)"
    if looks_like_data(text):
        return "(a value that looks like personal data; not shown)"
    return repr(text)


def _usual_spellings(cells: tuple[str, ...], variants: Mapping[str, str]
                     ) -> tuple[tuple[str, ...], list[tuple[int, str, str]]]:
    """``cells`` with each accepted other spelling of a heading written the usual way, and
    where each was: (column, spelling, usual heading)."""
    found = [(column, cell, variants[cell]) for column, cell in enumerate(cells)
             if cell in variants]
    if not found:
        return cells, []
    return tuple(variants.get(cell, cell) for cell in cells), found


def _merge(issues: list[tuple[int | None, Finding]],
           others: list[tuple[int, Finding]]) -> list[Finding]:
    """``issues`` (in file order, a missing heading without a column) with ``others``
    put in before the first issue in a later column."""
    merged: list[Finding] = []
    pending = sorted(others, key=lambda item: item[0])
    for column, finding in issues:
        while pending and column is not None and pending[0][0] < column:
            merged.append(pending.pop(0)[1])
        merged.append(finding)
    return merged + [finding for _, finding in pending]


def _with_severity(finding: Finding, severity: str) -> Finding:
    return finding._replace(severity=severity)
