"""`lrsrules validate`: run a pack over a file of records and report the findings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import lrsrules
from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.cli.options import (
    AsOfOption,
    DelimiterOption,
    EncodingOption,
    FailOnOption,
    FormatOption,
    InputFormatOption,
    NoCacheOption,
    OutputOption,
    PackOption,
    ReportFormat,
    Severity,
    ShowValuesOption,
    WaiversOption,
    as_of_date,
)
from lrsrules.cli.output import write_report
from lrsrules.packs.model import DEFAULT_PACK


def validate(
    file: Annotated[Path, typer.Argument(help="CSV or JSON Lines file of learner records.")],
    pack: PackOption = None,
    format: FormatOption = ReportFormat.text,
    output: OutputOption = None,
    fail_on: FailOnOption = Severity.error,
    show_values: ShowValuesOption = False,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    input_format: InputFormatOption = None,
    as_of: AsOfOption = None,
    waivers: WaiversOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Check every record of FILE against the rules of a pack (those in force today, or
    on the --as-of date)."""
    run = lrsrules.validate(file, pack or DEFAULT_PACK, waivers=waivers,
                            as_of=as_of_date(as_of), encoding=encoding, delimiter=delimiter,
                            input_format=input_format.value if input_format else None,
                            cache=not no_cache)
    write_report(run, format, output, show_values=show_values, inputs=(file,))
    if run.failed(fail_on.value):
        raise typer.Exit(ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("validate", epilog=EXIT_CODES_HELP)(reports_errors(validate))
