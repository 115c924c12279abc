"""`lrsrules validate`: run a pack over a file of records and report the findings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import lrsrules
from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.cli.options import (
    AsOfOption,
    Color,
    ColorOption,
    DelimiterOption,
    EncodingOption,
    Engine,
    EngineOption,
    FailOnOption,
    FormatOption,
    InputFormatOption,
    MaxFindingsOption,
    MinSeverityOption,
    OutputOption,
    PackOption,
    ReportFormat,
    SchedulerOption,
    Severity,
    ShowValuesOption,
    StatisticsOption,
    WaiversOption,
    WorkersOption,
    as_of_date,
    engine_options,
)
from lrsrules.cli.output import write_report
from lrsrules.packs.loader import DEFAULT_PACK
from lrsrules.report.listing import Listing


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
    statistics: StatisticsOption = False,
    color: ColorOption = Color.auto,
    max_findings: MaxFindingsOption = None,
    min_severity: MinSeverityOption = None,
    workers: WorkersOption = "1",
    engine: EngineOption = Engine.local,
    scheduler: SchedulerOption = None,
) -> None:
    """Check every record of FILE against the rules of a pack (those in force today, or
    on the --as-of date)."""
    run = lrsrules.validate(file, pack or DEFAULT_PACK, waivers=waivers,
                            as_of=as_of_date(as_of), encoding=encoding, delimiter=delimiter,
                            input_format=input_format.value if input_format else None,
                            **engine_options(workers, engine, scheduler))
    write_report(run, format, output, show_values=show_values, inputs=(file,),
                 statistics=statistics,
                 listing=Listing(max_findings, min_severity.value if min_severity else None),
                 color=color.value)
    if run.failed(fail_on.value):
        raise typer.Exit(ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("validate", epilog=EXIT_CODES_HELP)(reports_errors(validate))
