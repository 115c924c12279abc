"""Reporters: interchangeable writers of one run's findings, for people and for programs.

Every reporter has the same three calls: ``start(info)`` before the first finding, ``add``
once per finding (in the order the runner yields them) and ``finish(summary)`` at the end.
A finding's value is personal data: it is written only when ``show_values`` is true.
"""

from __future__ import annotations

import csv
import json
from abc import ABC, abstractmethod
from typing import Any, TextIO

from lrsrules.findings import SEVERITIES, Finding
from lrsrules.run.findings import RunInfo, Summary

_VALUE_CHARS = 100  # longer values are cut short in text output; other formats keep all


class Reporter(ABC):
    """Base of all reporters: keeps the stream and options, and the run's ``RunInfo``."""

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "") -> None:
        self.stream = stream
        self.show_values = show_values
        self.source_name = source_name
        self.info: RunInfo | None = None

    def start(self, info: RunInfo) -> None:
        """Called once, before the first finding."""
        self.info = info

    @abstractmethod
    def add(self, finding: Finding) -> None:
        """Called once per finding."""

    def finish(self, summary: Summary) -> None:
        """Called once, after the last finding."""
        self.stream.flush()

    def _run_info(self) -> RunInfo:
        if self.info is None:
            raise RuntimeError(f"{type(self).__name__}.start() was not called")
        return self.info


class TextReporter(Reporter):
    """For people: one line per finding as it comes, then a summary."""

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "") -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name)
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
            text += f" [value: {_shown(finding.value)}]"
        if finding.waived is not None:
            text += f" [waived: {' '.join(finding.waived.splitlines())}]"
        self.stream.write(text + "\n")
        self._written += 1

    def finish(self, summary: Summary) -> None:
        info = self._run_info()
        lines = [""] if self._written else []
        checked = f"{_count(summary.records, 'record')} checked with pack"
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
        self.stream.write("\n".join(lines) + "\n")
        super().finish(summary)


def _shown(value: str | None) -> str:
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
    """One JSON object per finding per line, and nothing else: for streaming consumers."""

    def add(self, finding: Finding) -> None:
        data = finding.to_dict(self.show_values)
        self.stream.write(json.dumps(data, ensure_ascii=False) + "\n")


class JsonReporter(Reporter):
    """One JSON document (pack, input, summary, findings) written at the end.

    The findings are held until ``finish``: a document cannot be streamed and stay one
    document; use ``jsonl`` for very large runs.
    """

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "") -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name)
        self._findings: list[dict[str, Any]] = []

    def add(self, finding: Finding) -> None:
        self._findings.append(finding.to_dict(self.show_values))

    def finish(self, summary: Summary) -> None:
        info = self._run_info()
        document = {
            "pack": info.pack_dict(),
            "input": {
                "path": info.input_path,
                "format": info.input_format,
                "encoding": info.encoding,
                "delimiter": info.delimiter,
            },
            "summary": summary.to_dict(),
            "findings": self._findings,
        }
        if info.waivers is not None:
            document["waivers"] = {"path": info.waivers}
        self.stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        super().finish(summary)


# Spreadsheet programs run a cell starting with one of these as a formula (OWASP "CSV
# injection"); values come from learner records and messages may quote them, so such
# cells get a leading apostrophe, which spreadsheets show as text and do not evaluate.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str | None) -> str:
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class CsvReporter(Reporter):
    """One row per finding, streamed, under a header row; safe to open in a spreadsheet."""

    HEADER = ("record", "line", "field", "rule", "severity", "message")

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "") -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name)
        # "\n": a text stream already turns it into the platform's line ending.
        self._writer = csv.writer(stream, lineterminator="\n")
        self._waivers = False

    def start(self, info: RunInfo) -> None:
        super().start(info)
        # The waived column appears only in runs with a waiver file, keeping others as they were.
        self._waivers = info.waivers is not None
        self._writer.writerow(self.HEADER + (("value",) if self.show_values else ())
                              + (("waived",) if self._waivers else ()))

    def add(self, finding: Finding) -> None:
        row = [
            "" if finding.record is None else finding.record,
            "" if finding.line is None else finding.line,
            _cell(finding.field),
            _cell(finding.rule),
            finding.severity,
            _cell(finding.message),
        ]
        if self.show_values:
            row.append(_cell(finding.value))
        if self._waivers:
            row.append(_cell(finding.waived))
        self._writer.writerow(row)


REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "jsonl": JsonLinesReporter,
    "csv": CsvReporter,
}
