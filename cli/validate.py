"""`lrsrules validate`: run a pack over a file of records and report the findings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.cli.options import (
    DelimiterOption,
    EncodingOption,
    FailOnOption,
    FormatOption,
    InputFormatOption,
    OutputOption,
    PackOption,
    ReportFormat,
    Severity,
    ShowValuesOption,
)
from lrsrules.cli.output import report_stream
from lrsrules.engine.findings import RunInfo
from lrsrules.engine.loader import load_pack
from lrsrules.engine.model import SEVERITY_RANK
from lrsrules.engine.program import compile_pack
from lrsrules.engine.readers import open_records
from lrsrules.engine.reporters import REPORTERS
from lrsrules.engine.runner import Tally, iter_findings


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
) -> None:
    """Check every record of FILE against the rules of a pack."""
    compiled = compile_pack(load_pack(pack))
    loaded = compiled.pack
    tally = Tally()
    worst = -1
    with open_records(file, loaded.fields, compiled.fields, encoding=encoding,
                      delimiter=delimiter,
                      input_format=input_format.value if input_format else None) as records, \
            report_stream(output, inputs=(file,)) as stream:
        reporter = REPORTERS[format.value](stream, show_values=show_values,
                                           source_name=str(file))
        reporter.start(RunInfo(loaded.name, loaded.version, loaded.sha256, loaded.path,
                               str(file), records.format, records.encoding,
                               records.delimiter, show_values))
        for finding in iter_findings(compiled, records, tally):
            worst = max(worst, SEVERITY_RANK[finding.severity])
            reporter.add(finding)
        reporter.finish(tally.summary(len(loaded.rules), records.match.ignored,
                                      records.match.missing))
    if worst >= SEVERITY_RANK[fail_on.value]:
        raise typer.Exit(ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("validate", epilog=EXIT_CODES_HELP)(reports_errors(validate))
