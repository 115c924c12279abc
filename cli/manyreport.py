"""One report over several inputs (``lrsrules validate a.csv dir/ -``): each input's report
in turn, then the total.

- text: each input's findings and summary line (naming the file), then a ``Total:`` line;
- jsonl and csv: the findings of every input, each carrying its ``file`` (csv: one header
  row, ``file`` its first column);
- json: ``{"inputs": [report, ...], "total": {...}}``, each report the document a single
  input gives (an input that could not be checked: its ``input`` and ``error``).

An input that cannot be read (missing, undecodable, past a limit) is reported on standard
error and the others are still checked; the run then exits 2, as not all was checked.
The report is written whole or not at all, as a single input's is (``output``).
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TextIO, cast

import typer

from lrsrules.cli.output import Output, pending_output, spooling
from lrsrules.errors import EngineError
from lrsrules.findings import SEVERITIES, SEVERITY_RANK, Finding
from lrsrules.limits import REPORT_SPOOL_BYTES
from lrsrules.report.reporters import Reporter
from lrsrules.run.findings import RunInfo, Summary
from lrsrules.run.pipeline import Run

# Formats whose reports can follow one another in one stream; json is wrapped instead.
STREAMED = ("text", "jsonl", "csv")
MANY_FORMATS = (*STREAMED, "json")


@dataclass
class Total:
    """The sum of the inputs' summaries, and what became of each input."""

    inputs: int = 0
    records: int = 0
    findings: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    records_with_findings: int = 0
    waived: int = 0
    done: int = 0  # inputs reported so far, read or not
    failed: list[str] = field(default_factory=list)  # at or above --fail-on
    unreadable: list[str] = field(default_factory=list)  # could not be checked

    def add(self, summary: Summary, name: str, failed: bool) -> None:
        self.records += summary.records
        self.findings += summary.findings
        for severity, count in summary.by_severity.items():
            self.by_severity[severity] = self.by_severity.get(severity, 0) + count
        self.records_with_findings += summary.records_with_findings
        self.waived += summary.waived or 0
        if failed:
            self.failed.append(name)

    def to_dict(self) -> dict[str, object]:
        return {"inputs": self.inputs, "checked": self.inputs - len(self.unreadable),
                "records": self.records, "findings": self.findings,
                "by_severity": dict(self.by_severity),
                "records_with_findings": self.records_with_findings, "waived": self.waived,
                "failed": list(self.failed), "unreadable": list(self.unreadable)}

    def line(self, fail_on: str) -> str:
        order = [*reversed(SEVERITIES)]
        severities = ", ".join(_count(self.by_severity.get(s, 0), s) for s in order)
        text = (f"Total: {_count(self.inputs, 'input')}, {_count(self.records, 'record')}: "
                f"{_count(self.findings, 'finding')} ({severities})"
                f" in {_count(self.records_with_findings, 'record')}")
        if self.failed:
            text += f"; {_count(len(self.failed), 'input')} with findings at or above {fail_on}"
        if self.unreadable:
            text += f"; {_count(len(self.unreadable), 'input')} could not be checked"
        return text


OpenRun = Callable[[str], Run]


def write_many(names: Sequence[str], open_run: OpenRun, format: Enum, output: Path | None, *,
               show_values: bool, fail_on: str, inputs: Iterable[Path | str],
               shown: Callable[[str], str] = str, quiet: bool = False,
               named: bool = True) -> Total:
    """Check each of ``names`` (``open_run`` opens its run) into one report as ``format``,
    in order; ``inputs`` are the files the output may not replace. ``quiet`` (text): only
    the findings at or above ``fail_on`` that no waiver covers, with each failing input's
    line of totals; nothing for an input that passes. ``named=False``: one input, reported
    as ``write_report`` reports it (no file names added, no total)."""
    fmt = str(format.value)
    if fmt not in MANY_FORMATS:
        raise typer.BadParameter(f"the {fmt} format reports on one input; give one file, or "
                                 f"use one of {', '.join(MANY_FORMATS)}", param_hint="--format")
    total = Total(inputs=len(names))
    with pending_output(output, inputs=inputs) as opened:
        if fmt == "json":
            _write_json(names, open_run, opened, total, show_values, fail_on, shown)
        else:
            for name in names:
                _write_streamed(name, open_run, opened, fmt, total, show_values=show_values,
                                fail_on=fail_on, shown=shown(name), named=named,
                                quiet=quiet and fmt == "text")
            failing = total.failed or total.unreadable
            if fmt == "text" and named and (failing or not quiet):
                opened.stream.write(("\n" if names else "") + total.line(fail_on) + "\n")
        opened.commit()
    return total


def _write_streamed(name: str, open_run: OpenRun, opened: Output, fmt: str, total: Total, *,
                    show_values: bool, fail_on: str, shown: str, named: bool,
                    quiet: bool) -> None:
    first = total.done == 0
    try:
        with open_run(name) as run:
            reporter = _reporter(fmt, opened.stream, show_values, shown, opened.folder, named)
            if not first and fmt == "csv":
                reporter.header = False  # type: ignore[attr-defined]
            if quiet:
                reporter = _Quiet(reporter, fail_on)
            elif not first and fmt == "text":
                opened.stream.write("\n")
            failed = _report(run, reporter, opened, show_values)
            total.add(run.summary, shown, failed(fail_on))
    except EngineError as exc:
        _unreadable(total, shown, exc)
    total.done += 1


class _Quiet(Reporter):
    """``--quiet``: a text report of the findings that fail the run, and its totals."""

    def __init__(self, text: Reporter, fail_on: str) -> None:
        super().__init__(text.stream, show_values=text.show_values,
                         source_name=text.source_name, spool_dir=text.spool_dir)
        self._text = text
        self._rank = SEVERITY_RANK[fail_on]
        self._failing = 0
        text.brief = True  # type: ignore[attr-defined]

    def start(self, info: RunInfo) -> None:
        super().start(info)
        self._text.start(info)

    def add(self, finding: Finding) -> None:
        if finding.waived is None and SEVERITY_RANK[finding.severity] >= self._rank:
            self._failing += 1
            self._text.add(finding)

    def finish(self, summary: Summary) -> None:
        if self._failing:
            self._text.finish(summary)

    def close(self) -> None:
        self._text.close()


def _write_json(names: Sequence[str], open_run: OpenRun, opened: Output, total: Total,
                show_values: bool, fail_on: str, shown: Callable[[str], str]) -> None:
    stream = opened.stream
    stream.write('{\n  "inputs": [')
    for index, name in enumerate(names):
        stream.write(",\n" if index else "\n")
        # Each input's document is spooled, so that one failing part-way leaves no half.
        with tempfile.SpooledTemporaryFile(
                max_size=REPORT_SPOOL_BYTES, mode="w+", encoding="utf-8",
                errors="surrogatepass", newline="", dir=opened.folder) as spool:
            try:
                with open_run(name) as run:
                    reporter = _reporter("json", cast(TextIO, spool), show_values,
                                         shown(name), opened.folder)
                    failed = _report(run, reporter, opened, show_values)
                    total.add(run.summary, shown(name), failed(fail_on))
            except EngineError as exc:
                _unreadable(total, shown(name), exc)
                spool.seek(0)
                spool.truncate()
                json.dump({"input": {"path": shown(name)}, "error": str(exc)}, spool,
                          indent=2, ensure_ascii=False)
            spool.seek(0)
            with spooling(opened):
                # Indented as an item of the list (JSON text holds no raw line break).
                for number, line in enumerate(spool):
                    stream.write(("\n" if number else "") + "    " + line.rstrip("\n"))
    text = json.dumps({"total": total.to_dict()}, indent=2, ensure_ascii=False)
    stream.write(("\n  ]" if names else "]") + ",\n" + text[2:] + "\n")


def _reporter(fmt: str, stream: TextIO, show_values: bool, shown: str,
              folder: str | None, named: bool = True) -> Reporter:
    from lrsrules.report.formats import reporter_class  # imported when a report is made

    reporter = reporter_class(fmt)(stream, show_values=show_values, source_name=shown,
                              spool_dir=folder)
    reporter.name_files = named
    return reporter


def _report(run: Run, reporter: Reporter, opened: Output,
            show_values: bool) -> Callable[[str], bool]:
    with reporter:
        reporter.start(dataclasses.replace(run.info, show_values=show_values))
        for finding in run:
            reporter.add(finding)
        with spooling(opened):
            reporter.finish(run.summary)
    return run.failed


def _unreadable(total: Total, shown: str, exc: EngineError) -> None:
    total.unreadable.append(shown)
    typer.echo(str(exc), err=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 or noun == 'info' else 's'}"
