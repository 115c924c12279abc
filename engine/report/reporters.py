"""Reporters: interchangeable writers of one run's findings, for people and for programs.

Every reporter has the same three calls: ``start(info)`` before the first finding, ``add``
once per finding (in the order the runner yields them) and ``finish(summary)`` at the end;
use it as a context manager (or call ``close``) to free what it holds. Every reporter takes
the same memory for any number of findings. A finding's value is personal data: it is
written only when ``show_values`` is true.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import TracebackType
from typing import IO, TextIO

from lrsrules import speedups, spreadsheets
from lrsrules.findings import SEVERITIES, Finding
from lrsrules.limits import MAX_HTML_FINDINGS, REPORT_SPOOL_BYTES
from lrsrules.run.findings import RunInfo, Summary
from lrsrules.run.rendering import PartRenderer, TargetParts, TargetsText
from lrsrules.spreadsheets import safe_cell

_VALUE_CHARS = 100  # longer values are cut short in text output; other formats keep all


class Reporter(ABC):
    """Base of all reporters: keeps the stream and options, and the run's ``RunInfo``.

    ``spool_dir`` is where a reporter that must hold findings until the end keeps those
    beyond ``REPORT_SPOOL_BYTES`` (default: the system's temporary folder). Set
    ``name_files`` when the report is one of several inputs' written one after another:
    reporters that can then name each finding's file (``source_name``) do."""

    name_files = False

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None) -> None:
        self.stream = stream
        self.show_values = show_values
        self.source_name = source_name
        self.spool_dir = spool_dir
        self.info: RunInfo | None = None

    def start(self, info: RunInfo) -> None:
        """Called once, before the first finding."""
        self.info = info

    # Whether findings reach the stream as they come (a progress line on the same
    # terminal would be torn by them); false for reporters that write at the end.
    streams = True

    @abstractmethod
    def add(self, finding: Finding) -> None:
        """Called once per finding."""

    def part_renderer(self) -> PartRenderer | None:
        """How a worker that checks a part of the input may write its findings for this
        report (``lrsrules.run.rendering``); None (most reporters): each finding goes to
        ``add``. A reporter that offers one writes each finding to its stream as it comes,
        so that text written to the stream between them is in its place."""
        return None

    def count(self, finding: Finding) -> None:  # noqa: B027 (a hook: most only list)
        """Called instead of ``add`` for a finding counted but not listed (``--max-findings``,
        ``--min-severity``): reports that count per rule count it too."""

    def finish(self, summary: Summary) -> None:
        """Called once, after the last finding."""
        self.stream.flush()

    def close(self) -> None:  # noqa: B027 (a hook: most reporters hold nothing)
        """Free what the reporter holds (the stream is the caller's)."""

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _run_info(self) -> RunInfo:
        if self.info is None:
            raise RuntimeError(f"{type(self).__name__}.start() was not called")
        return self.info


class TextReporter(Reporter):
    """For people: one line per finding as it comes, then a summary (``brief``: its line
    of totals alone, as ``--quiet`` asks)."""

    brief = False

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None) -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        self._name = source_name or "<input>"
        self._written = 0

    def start(self, info: RunInfo) -> None:
        super().start(info)
        self._name = self.source_name or info.input_path

    def add(self, finding: Finding) -> None:
        text = self._name if finding.line is None else f"{self._name}:{finding.line}"
        subject = [] if finding.record is None else [f"record {finding.record}"]
        subject += [finding.field] if finding.field else []
        if subject:
            text += f": {', '.join(subject)}"
        # A message on several lines would break the one-line-per-finding layout.
        message = " ".join(finding.message.splitlines())
        text += f": {finding.severity} {finding.rule}: {message}"
        if self.show_values and finding.field is not None:
            text += f" [value: {shown_value(finding.value)}]"
        if finding.waived is not None:
            text += f" [waived: {' '.join(finding.waived.splitlines())}]"
        self.stream.write(text + "\n")
        self._written += 1

    def finish(self, summary: Summary) -> None:
        info = self._run_info()
        lines = [""] if self._written else []
        checked = f"{_count(summary.records, 'record')} checked with pack"
        if self.name_files:  # one of several inputs: its summary says which
            checked = f"{self._name}: {checked}"
        checked += f" {info.pack_name} {info.pack_version} (sha256 {info.pack_sha256[:12]})"
        if info.as_of is not None:
            checked += f", rules in force on {info.as_of}"
        if summary.findings:
            severities = ", ".join(_severity_counts(summary.by_severity))
            lines.append(
                f"{checked}: {_count(summary.findings, 'finding')} ({severities})"
                f" in {_count(summary.records_with_findings, 'record')}"
            )
        else:
            lines += [checked, "No findings."]
        if summary.waived:
            lines.append(f"Waived: {_count(summary.waived, 'finding')} (reported, but not"
                         " counted toward --fail-on)")
        if summary.ignored_headings:
            ignored = ", ".join(summary.ignored_headings)
            lines.append(f"Ignored headings (no field of the pack): {ignored}")
        if summary.missing_fields:
            missing = ", ".join(summary.missing_fields)
            lines.append(f"Missing fields (not in the input): {missing}")
        lines += summary.notes
        if self.brief:  # the blank line after the findings, and the totals
            lines = lines[: 2 if self._written else 1]
        self.stream.write("\n".join(lines) + "\n")
        super().finish(summary)


def shown_value(value: str | None) -> str:
    """A value as the text report shows it: quoted on one line, cut short when long."""
    if value is None:
        return "(blank)"
    # repr() keeps the value on one line and makes spaces and control characters visible.
    if len(value) > _VALUE_CHARS:
        return f"{value[:_VALUE_CHARS]!r}…"
    return repr(value)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 or noun == 'info' else 's'}"


def _severity_counts(by_severity: dict[str, int]) -> list[str]:
    # Most severe first; a severity the model does not know (none today) goes last.
    order = [*reversed(SEVERITIES), *sorted(set(by_severity) - set(SEVERITIES))]
    return [_count(by_severity.get(name, 0), name) for name in order]


class JsonLinesReporter(Reporter):
    """One JSON object per finding per line, and nothing else: for streaming consumers.

    Each line is the bytes ``json.dumps(finding.to_dict(show_values), ensure_ascii=False)``
    gives, laid out here for the one shape a finding has: the texts a run repeats (rule
    ids, fields, severities, most messages) are quoted once, by json's own quoting."""

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None) -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        self._quoted: dict[str, str] = {}
        self._rests: dict[tuple[str | None, str, str, str], str] = {}
        self._plain = not speedups.enabled()
        self.raised_by = 0  # added to each finding's record number (see JsonLinesPart)

    def add(self, finding: Finding) -> None:
        record, line = finding.record, finding.line
        if self._plain or self.name_files or not (
                record.__class__ is int or record is None) or not (
                line.__class__ is int or line is None):
            data = finding.to_dict(self.show_values)  # not the shape laid out below
            if self.raised_by and isinstance(record, int):
                data["record"] = record + self.raised_by
            if self.name_files:
                data = {"file": self.source_name, **data}
            self.stream.write(json.dumps(data, ensure_ascii=False) + "\n")
            return
        shape = (finding.field, finding.rule, finding.severity, finding.message)
        rest = self._rests.get(shape)
        if rest is None:
            rest = self.rest_of(shape)
        out = (f'{{"record": {"null" if record is None else record + self.raised_by}, '
               f'"line": {"null" if line is None else line}, {rest}')
        if self.show_values:
            value = finding.value
            out += f', "value": {"null" if value is None else _quote(value)}'
        if finding.waived is not None:
            out += f', "waived": {_quote(finding.waived)}'
        self.stream.write(out + "}\n")

    def part_renderer(self) -> JsonLinesPart | None:
        return None if self.name_files else JsonLinesPart(self.show_values)

    def rest_of(self, shape: tuple[str | None, str, str, str]) -> str:
        """What a finding's line holds after its record and line, for a finding of
        ``shape`` (field, rule id, severity, message) that is not waived, values not shown."""
        # What follows the record and line: the same for every finding of a rule on a
        # field (its message is the rule's), so laid out once for each.
        text = self._text
        field, rule, severity, message = shape
        rest = (f'"field": {text(field)}, "rule": {text(rule)}, '
                f'"severity": {text(severity)}, "message": {text(message)}')
        if len(self._rests) < _QUOTED_KEPT:  # bounded: a repeat's message is its own
            self._rests[shape] = rest
        return rest

    def _text(self, value: str | None) -> str:
        if value is None:
            return "null"
        quoted = self._quoted.get(value)
        if quoted is None:
            quoted = _quote(value)
            if len(self._quoted) < _QUOTED_KEPT:  # bounded: a repeat's message is its own
                self._quoted[value] = quoted
        return quoted


_quote = json.encoder.encode_basestring  # json.dumps's own quoting, with ensure_ascii off
_QUOTED_KEPT = 4096


class JsonLinesPart:
    """A part's findings as JSON Lines, written where the part is checked (a
    ``PartRenderer``): each the line ``JsonLinesReporter`` writes for it, its record
    numbered within the part until ``renumbered``."""

    def __init__(self, show_values: bool) -> None:
        self.show_values = show_values
        self._line = _LastLine()
        self._reporter = JsonLinesReporter(self._line, show_values=show_values)

    def __reduce__(self) -> tuple[type[JsonLinesPart], tuple[bool]]:
        return JsonLinesPart, (self.show_values,)  # sent to workers: the options alone

    def rendered(self, finding: Finding, before: int) -> str:
        reporter = self._reporter
        reporter.raised_by = before
        reporter.add(finding)
        return self._line.text

    def targets_text(self, parts: Sequence[TargetParts]) -> TargetsText | None:
        if self.show_values or not speedups.enabled():
            return None  # values vary by record; the plain path lays out with json.dumps
        rests = [self._reporter.rest_of(part[:4]) for part in parts]

        def text(record: int, line: int, fired: Sequence[int]) -> str:
            if len(fired) == 1:
                return f'{{"record": {record}, "line": {line}, {rests[fired[0]]}}}\n'
            head = f'{{"record": {record}, "line": {line}, '
            return "".join([f"{head}{rests[index]}}}\n" for index in fired])

        return text

    def renumbered(self, text: str, by: int) -> str:
        if not by:
            return text
        # A line's record is where it starts, and the only place its text holds
        # '{"record": ': within a JSON string every quote is escaped.
        return _RECORD.sub(lambda found: f'{{"record": {int(found[1]) + by}', text)


_RECORD = re.compile(r'^\{"record": (\d+)', re.MULTILINE)


class _LastLine(io.StringIO):
    """A stream that keeps only the last text written to it."""

    text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


class JsonReporter(Reporter):
    """One JSON document (pack, input, summary, findings) written at the end.

    The summary comes first but is known only at the end, so each finding is laid out as
    it comes, as an item of the document's list, into a spool (memory up to
    ``REPORT_SPOOL_BYTES``, then an unnamed temporary file in ``spool_dir``) that is
    copied into the document by ``finish``: the same bytes as ``json.dumps(document,
    indent=2)``, in the same memory for any number of findings.
    """

    streams = False

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None) -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        # surrogatepass: a lone surrogate in a value comes back as it went in.
        import tempfile  # imported when a report is spooled: start-up is most of a small run

        self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close)
            max_size=REPORT_SPOOL_BYTES, mode="w+", encoding="utf-8", errors="surrogatepass",
            newline="", dir=spool_dir)
        self._findings = 0
        from lrsrules.report.statistics import Statistics  # for the formats that count

        self._statistics = Statistics()

    def add(self, finding: Finding) -> None:
        self._spool.write(("," if self._findings else "") + _list_item(
            finding.to_dict(self.show_values)))
        self._findings += 1
        self._statistics.add(finding)

    def finish(self, summary: Summary) -> None:
        info = self._run_info()
        document: dict[str, object] = {
            "pack": info.pack_dict(),
            "input": {
                "path": info.input_path,
                "format": info.input_format,
                "encoding": info.encoding,
                "delimiter": info.delimiter,
            },
            "summary": summary.to_dict() | {"statistics": self._statistics.to_dict()},
            "findings": [],
        }
        if info.waivers is not None:
            document["waivers"] = {"path": info.waivers}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        # Unique: a newline inside a JSON string is written as \n.
        write_spooled(self.stream, text, _EMPTY_FINDINGS, self._spool if self._findings
                      else None, "\n  ]")
        super().finish(summary)

    def close(self) -> None:
        self._spool.close()


def write_spooled(stream: TextIO, text: str, empty: str, spool: IO[str] | None,
                  closing: str) -> None:
    """Write the JSON ``text`` with the spooled list items in place of its one empty list
    ``empty`` (the last such text in it), the list closed by ``closing``; as it is when
    ``spool`` is None (nothing was spooled)."""
    if spool is not None:
        head, found, tail = text.rpartition(empty)
        stream.write(head + found.removesuffix("]"))
        spool.seek(0)
        shutil.copyfileobj(spool, stream)
        text = closing + tail
    stream.write(text + "\n")


_EMPTY_FINDINGS = '\n  "findings": []'
# A flat object laid out as json.dumps(indent=2) lays out an item of the document's list,
# by the C encoder (the indenting one is Python, and a third slower here).
_FLAT_ITEM = json.JSONEncoder(ensure_ascii=False, separators=(",\n      ", ": "))
_SCALARS = (str, int, float, bool, type(None))


def _list_item(data: dict[str, object]) -> str:
    if data and all(isinstance(value, _SCALARS) for value in data.values()):
        return "\n    {\n      " + _FLAT_ITEM.encode(data)[1:-1] + "\n    }"
    item = json.dumps(data, indent=2, ensure_ascii=False)
    return "\n    " + item.replace("\n", "\n    ")


class CsvReporter(Reporter):
    """One row per finding, streamed, under a header row; safe to open in a spreadsheet."""

    HEADER = ("record", "line", "field", "rule", "severity", "message")
    header = True  # False for the second and later inputs of one report (name_files)

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None) -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        self._writer = spreadsheets.writer(stream)
        self._waivers = False

    def start(self, info: RunInfo) -> None:
        super().start(info)
        # The waived column appears only in runs with a waiver file, keeping others as they were.
        self._waivers = info.waivers is not None
        if self.header:
            self._writer.writerow((("file",) if self.name_files else ()) + self.HEADER
                                  + (("value",) if self.show_values else ())
                                  + (("waived",) if self._waivers else ()))

    def add(self, finding: Finding) -> None:
        row: list[object] = [safe_cell(self.source_name)] if self.name_files else []
        row += [
            "" if finding.record is None else finding.record,
            "" if finding.line is None else finding.line,
            safe_cell(finding.field),
            safe_cell(finding.rule),
            finding.severity,
            safe_cell(finding.message),
        ]
        if self.show_values:
            row.append(safe_cell(finding.value))
        if self._waivers:
            row.append(safe_cell(finding.waived))
        self._writer.writerow(row)


class StatisticsReporter(Reporter):
    """``--statistics``: only the counts of findings by rule and by field, as a text table
    (``as_json``: the JSON summary's ``statistics`` object)."""

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None, as_json: bool = False) -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        self.as_json = as_json
        from lrsrules.report.statistics import Statistics  # for the formats that count

        self._statistics = Statistics()

    def add(self, finding: Finding) -> None:
        self._statistics.add(finding)

    def finish(self, summary: Summary) -> None:
        if self.as_json:
            self.stream.write(json.dumps(self._statistics.to_dict(), indent=2,
                                         ensure_ascii=False) + "\n")
        else:
            waived = self._run_info().waivers is not None
            self.stream.writelines(line + "\n" for line in
                                   self._statistics.text_lines(waived=waived))
        super().finish(summary)


class HtmlReporter(Reporter):
    """One self-contained HTML page for people (see ``htmlpage``; needs the html extra).

    Every finding is counted; the first ``MAX_HTML_FINDINGS`` are kept as the rows of its
    table, and the page says when there were more."""

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None) -> None:
        from lrsrules.report import htmlpage  # imported for an HTML report only

        htmlpage.require_jinja()  # before the run: a missing extra is an error, not a crash
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        from lrsrules.report.statistics import Statistics  # for the formats that count

        self._statistics = Statistics()
        self._rows: list[Finding] = []
        self._input_sha256: str | None = None

    def start(self, info: RunInfo) -> None:
        from lrsrules.report import htmlpage

        super().start(info)
        self._input_sha256 = htmlpage.file_sha256(info.input_path)

    def add(self, finding: Finding) -> None:
        self._statistics.add(finding)
        if len(self._rows) < MAX_HTML_FINDINGS:
            self._rows.append(finding)

    def finish(self, summary: Summary) -> None:
        from lrsrules.report import htmlpage

        info = self._run_info()
        model = htmlpage.page_model(
            info, summary, self._statistics, self._rows, show_values=self.show_values,
            input_name=self.source_name or info.input_path, input_sha256=self._input_sha256,
            generated=dt.datetime.now(dt.timezone.utc), limit=MAX_HTML_FINDINGS)
        htmlpage.render(self.stream, model)
        super().finish(summary)
