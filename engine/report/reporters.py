"""Reporters: interchangeable writers of one run's findings, for people and for programs.

Every reporter has the same three calls: ``start(info)`` before the first finding, ``add``
once per finding (in the order the runner yields them) and ``finish(summary)`` at the end;
use it as a context manager (or call ``close``) to free what it holds. Every reporter takes
the same memory for any number of findings. A finding's value is personal data: it is
written only when ``show_values`` is true.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from types import TracebackType
from typing import TextIO

from lrsrules import spreadsheets
from lrsrules.findings import SEVERITIES, Finding
from lrsrules.limits import REPORT_SPOOL_BYTES
from lrsrules.run.findings import RunInfo, Summary
from lrsrules.spreadsheets import safe_cell

_VALUE_CHARS = 100  # longer values are cut short in text output; other formats keep all


class Reporter(ABC):
    """Base of all reporters: keeps the stream and options, and the run's ``RunInfo``.

    ``spool_dir`` is where a reporter that must hold findings until the end keeps those
    beyond ``REPORT_SPOOL_BYTES`` (default: the system's temporary folder)."""

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

    @abstractmethod
    def add(self, finding: Finding) -> None:
        """Called once per finding."""

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
    """For people: one line per finding as it comes, then a summary."""

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

    The summary comes first but is known only at the end, so each finding is laid out as
    it comes, as an item of the document's list, into a spool (memory up to
    ``REPORT_SPOOL_BYTES``, then an unnamed temporary file in ``spool_dir``) that is
    copied into the document by ``finish``: the same bytes as ``json.dumps(document,
    indent=2)``, in the same memory for any number of findings.
    """

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

    def add(self, finding: Finding) -> None:
        self._spool.write(("," if self._findings else "") + _list_item(
            finding.to_dict(self.show_values)))
        self._findings += 1

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
            "summary": summary.to_dict(),
            "findings": [],
        }
        if info.waivers is not None:
            document["waivers"] = {"path": info.waivers}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if self._findings:
            # Unique: a newline inside a JSON string is written as \n.
            head, empty, tail = text.partition(_EMPTY_FINDINGS)
            self.stream.write(head + empty.removesuffix("]"))
            self._spool.seek(0)
            import shutil

            shutil.copyfileobj(self._spool, self.stream)
            text = "\n  ]" + tail
        self.stream.write(text + "\n")
        super().finish(summary)

    def close(self) -> None:
        self._spool.close()


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
        self._writer.writerow(self.HEADER + (("value",) if self.show_values else ())
                              + (("waived",) if self._waivers else ()))

    def add(self, finding: Finding) -> None:
        row = [
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


REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "jsonl": JsonLinesReporter,
    "csv": CsvReporter,
}
