"""Options shared by several commands (most by the commands that check records)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from lrsrules.dates import parse_iso_date


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"
    junit = "junit"
    sarif = "sarif"
    github = "github"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class ListedSeverity(str, Enum):
    warning = "warning"
    error = "error"


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class InputFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


def output_option(what: str) -> Any:
    """The ``--output`` option of a command whose result is ``what`` (a report, a page ...)."""
    return typer.Option("--output", "-o", metavar="FILE", help=f"Write the {what} to this "
                        "file (written whole, atomically) instead of standard output.")


PackOption = Annotated[
    str | None,
    typer.Option("--pack", "-p", help="Rule pack: a bundled name (default lrs-default), or a "
                 "path to a pack file or folder."),
]
FormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="Report format: text (for people), json, "
                               "jsonl, csv, or for CI junit, sarif (2.1.0) and github "
                               "(workflow annotations).")
]
ColorOption = Annotated[
    Color,
    typer.Option("--color", help="Text report on a terminal: findings grouped by rule, in "
                 "colour, with summary tables (auto: when standard output is a terminal; "
                 "NO_COLOR drops the colour). Piped or never: one plain line per finding."),
]
MaxFindingsOption = Annotated[
    int | None,
    typer.Option("--max-findings", min=0, metavar="N", help="List at most N findings; all are "
                 "still counted, and the summary says how many were not listed."),
]
MinSeverityOption = Annotated[
    ListedSeverity | None,
    typer.Option("--min-severity", help="List only findings of this severity or worse; all "
                 "are still counted (e.g. warning hides info findings)."),
]
OutputOption = Annotated[Path | None, output_option("report")]
FailOnOption = Annotated[
    Severity,
    typer.Option("--fail-on", help="Exit 1 when a finding of this severity or worse exists."),
]
ShowValuesOption = Annotated[
    bool,
    typer.Option("--show-values", help="Include field values (personal data) in the report. "
                 "Off by default."),
]
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="Text encoding of the input, e.g. cp1252 for Excel CSV "
                 "(default UTF-8, with or without BOM)."),
]
DelimiterOption = Annotated[
    str | None,
    typer.Option("--delimiter", help="CSV delimiter: , ; tab or | (default: detected)."),
]
StatisticsOption = Annotated[
    bool,
    typer.Option("--statistics", help="Print only the counts of findings (and records) by "
                 "rule and by field: a text table, or JSON with --format json."),
]
InputFormatOption = Annotated[
    InputFormat | None,
    typer.Option("--input-format", help="Input format (default: from the file name)."),
]


def _date_or_none(value: str | None) -> str | None:
    if value is not None and parse_iso_date(value) is None:
        raise typer.BadParameter(f"{value!r} is not a real date written YYYY-MM-DD")
    return value


def as_of_date(value: str | None) -> dt.date | None:
    """The date an ``--as-of`` option holds (already checked by its callback)."""
    return None if value is None else parse_iso_date(value)


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", callback=_date_or_none,
                 help="Use the rules in force on DATE (YYYY-MM-DD): since <= DATE < until. "
                 "today() in expressions stays the real date."),
]
WaiversOption = Annotated[
    Path | None,
    typer.Option("--waivers", metavar="FILE", help="YAML file of approved waivers: findings "
                 "they cover are reported as waived and do not count toward --fail-on."),
]


class Engine(str, Enum):
    local = "local"
    dask = "dask"


def _workers(value: str) -> str:
    if value != "auto" and not (value.isdigit() and int(value) >= 1):
        raise typer.BadParameter(f"{value!r} is not a number of workers (1 or more) or auto")
    return value


WorkersOption = Annotated[
    str,
    typer.Option("--workers", metavar="N", callback=_workers,
                 help="Check a CSV file's records in N processes side by side (auto: one "
                 "per core); the report is the same as with one."),
]
EngineOption = Annotated[
    Engine,
    typer.Option("--engine", help="Where records are checked: local processes, or a Dask "
                 "cluster (needs lrsrules[dask]; see --scheduler)."),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: the Dask "
                 "scheduler, e.g. tcp://10.0.0.5:8786 (default: a cluster started on this "
                 "machine). Workers must see the input files at the same paths."),
]


def engine_options(workers: str, engine: Engine, scheduler: str | None) -> dict[str, Any]:
    """The ``lrsrules.validate`` arguments that ``--workers``, ``--engine`` and
    ``--scheduler`` give."""
    if scheduler is not None and engine is not Engine.dask:
        raise typer.BadParameter("--scheduler is for --engine dask", param_hint="--scheduler")
    return {"workers": workers if workers == "auto" else int(workers),
            "engine": engine.value, "scheduler": scheduler}
# Rule selection (issue 13): repeatable, each a comma-separated list.
SelectOption = Annotated[
    list[str] | None,
    typer.Option("--select", "-s", metavar="RULES", show_default=False,
                 help="Run only these rules: ids, id prefixes (CDD.ULN runs CDD.ULN.01, "
                 "CDD.ULN.02 ...) or tags (tag:provisional); repeat, or separate with commas."),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option("--ignore", "-i", metavar="RULES", show_default=False,
                 help="Do not run these rules (ids, id prefixes or tag:NAME, as --select)."),
]
ExitZeroOption = Annotated[
    bool,
    typer.Option("--exit-zero", help="Exit 0 even when findings are at or above --fail-on "
                 "(errors in packs or inputs still exit 2)."),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Text report: only the findings at or above --fail-on "
                 "and the line of totals; nothing when the check passes."),
]
VerboseOption = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Also say, on standard error, which settings file, "
                 "pack and rules are used and how each input is read."),
]
NoCacheOption = Annotated[
    bool,
    typer.Option("--no-cache", help="Prepare the pack from its files, neither reading nor "
                 "writing the prepared-pack cache (also: LRSRULES_NO_CACHE=1)."),
]
