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


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class InputFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


def output_option(what: str) -> Any:
    """The ``--output`` option of a command whose result is ``what`` (a report, a page ...)."""
    return typer.Option("--output", "-o", help=f"Write the {what} to this file (written whole, "
                        "atomically) instead of standard output.")


PackOption = Annotated[
    str | None,
    typer.Option("--pack", "-p", help="Rule pack: a bundled name (default lrs-default), or a "
                 "path to a pack file or folder."),
]
FormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="Report format.")
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
NoCacheOption = Annotated[
    bool,
    typer.Option("--no-cache", help="Prepare the pack from its files, neither reading nor "
                 "writing the prepared-pack cache (also: LRSRULES_NO_CACHE=1)."),
]
