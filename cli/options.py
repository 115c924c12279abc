"""Options shared by the commands that check records."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


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


PackOption = Annotated[
    str | None,
    typer.Option("--pack", "-p", help="Rule pack: a bundled name (default lrs-default), or a "
                 "path to a pack file or folder."),
]
FormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="Report format.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file (written whole, "
                 "atomically) instead of standard output."),
]
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
