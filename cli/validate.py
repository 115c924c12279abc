"""`lrsrules validate`: run a pack over a file of records and report the findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.cli.options import (
    AsOfOption,
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
    WaiversOption,
    as_of_date,
)
from lrsrules.cli.output import report_stream
from lrsrules.findings import SEVERITY_RANK
from lrsrules.inputs.readers import open_records
from lrsrules.packs.loader import load_pack
from lrsrules.packs.versions import rules_in_force
from lrsrules.packs.waivers import load_waivers
from lrsrules.report.reporters import REPORTERS
from lrsrules.run.findings import RunInfo
from lrsrules.run.program import compile_pack
from lrsrules.run.runner import Tally, iter_findings
from lrsrules.run.waiving import WaiverFilter


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
) -> None:
    """Check every record of FILE against the rules of a pack (those in force today, or
    on the --as-of date)."""
    run_date = dt.date.today()
    full = load_pack(pack)
    waiver_set = load_waivers(waivers, full) if waivers is not None else None
    compiled = compile_pack(rules_in_force(full, as_of_date(as_of) or run_date))
    loaded = compiled.pack
    tally = Tally()
    worst = -1
    screen = None if waiver_set is None else WaiverFilter(waiver_set, compiled.fields,
                                                          today=run_date, tally=tally)
    with open_records(file, loaded.fields, screen.wanted if screen else compiled.fields,
                      encoding=encoding,
                      delimiter=delimiter,
                      input_format=input_format.value if input_format else None) as records, \
            report_stream(output, inputs=(file,)) as stream:
        reporter = REPORTERS[format.value](stream, show_values=show_values,
                                           source_name=str(file))
        reporter.start(RunInfo(loaded.name, loaded.version, loaded.sha256, loaded.path,
                               str(file), records.format, records.encoding,
                               records.delimiter, show_values, as_of,
                               None if waivers is None else str(waivers)))
        findings = iter_findings(compiled, screen.records(records) if screen else records,
                                 tally)
        for finding in screen.findings(findings) if screen else findings:
            if finding.waived is None:  # waived findings never fail the run
                worst = max(worst, SEVERITY_RANK[finding.severity])
            reporter.add(finding)
        summary = tally.summary(len(loaded.rules), records.match.ignored,
                                records.match.missing)
        reporter.finish(dataclasses.replace(summary, waived=screen.waived) if screen
                        else summary)
    if worst >= SEVERITY_RANK[fail_on.value]:
        raise typer.Exit(ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("validate", epilog=EXIT_CODES_HELP)(reports_errors(validate))
