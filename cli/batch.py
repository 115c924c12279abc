"""`lrsrules batch check` and `lrsrules batch fix`: LRS batch files (LRB_<UKPRN>_<date>.CSV)."""

from __future__ import annotations

from contextlib import ExitStack
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

import lrsrules
from lrsrules.batch.fix import (
    LEFT_OUT,
    NEEDS_PERSON,
    ErrorReport,
    FixTotals,
    fix_batch,
    fix_fields,
    output_format,
)
from lrsrules.batch.layouts import DEFAULT_LAYOUT, load_layout
from lrsrules.cli.config import ShowConfigOption, configured
from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.cli.manyreport import write_many
from lrsrules.cli.options import (
    AsOfOption,
    Color,
    ColorOption,
    EncodingOption,
    ExitZeroOption,
    FailOnOption,
    FormatOption,
    IgnoreOption,
    MaxFindingsOption,
    MinSeverityOption,
    NoCacheOption,
    OutputOption,
    QuietOption,
    ReportFormat,
    SelectOption,
    Severity,
    ShowValuesOption,
    StatisticsOption,
    VerboseOption,
    WaiversOption,
    WorkersOption,
    as_of_date,
)
from lrsrules.cli.output import (
    pending_output,
    run_inputs,
    spool_error,
    spooling,
    write_report,
)
from lrsrules.cli.validate import tell_input, tell_pack
from lrsrules.findings import SEVERITY_RANK
from lrsrules.report.listing import Listing
from lrsrules.run.fixes import compile_fixes

batch_app = typer.Typer(
    name="batch",
    help="Check and correct LRS batch files: the file name, header record, headings and "
    "every learner record.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

FIX_EXIT_CODES_HELP = (
    "Exit codes: 0 nothing at or above --fail-on is left for a person; 1 something at or "
    "above --fail-on still needs a person; 2 usage, pack, layout or input error (no file is "
    "written)."
)


class FixReportFormat(str, Enum):
    csv = "csv"
    json = "json"


BatchFileArgument = Annotated[
    Path, typer.Argument(metavar="FILE", show_default=False, help="The batch file: .CSV or "
                         ".XML (named LRB_<UKPRN>_<DDMMYYYYHHMM>), or an Excel workbook (.xlsx).")]
LayoutOption = Annotated[
    str | None,
    typer.Option("--layout", "-l", help=f"Batch file layout: a bundled name (default "
                 f"{DEFAULT_LAYOUT}) or the path of a layout file."),
]
BatchPackOption = Annotated[
    str | None,
    typer.Option("--pack", "-p", help="Rule pack run on every learner record (default: the "
                 "layout's, lrs-default for the bundled layouts)."),
]


def check(
    ctx: typer.Context,
    file: BatchFileArgument,
    layout: LayoutOption = None,
    pack: BatchPackOption = None,
    format: FormatOption = ReportFormat.text,
    output: OutputOption = None,
    fail_on: FailOnOption = Severity.error,
    show_values: ShowValuesOption = False,
    encoding: EncodingOption = None,
    as_of: AsOfOption = None,
    waivers: WaiversOption = None,
    statistics: StatisticsOption = False,
    color: ColorOption = Color.auto,
    max_findings: MaxFindingsOption = None,
    min_severity: MinSeverityOption = None,
    workers: WorkersOption = "1",
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    exit_zero: ExitZeroOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    show_config: ShowConfigOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Check a batch file: file name, header, headings, and every learner record through
    the layout's pack (the rules in force today, or on the --as-of date); for an output
    file, each learner's return code."""
    run = lrsrules.check_batch(file, layout=layout, pack=pack, waivers=waivers,
                               as_of=as_of_date(as_of), encoding=encoding, select=select,
                               ignore=ignore, cache=not no_cache,
                               workers=workers if workers == "auto" else int(workers))
    if verbose:
        tell_pack(run.compiled)
        tell_input(str(file), run)
    if quiet and format is ReportFormat.text:
        write_many([str(file)], lambda _: run, format, output, show_values=show_values,
                   fail_on=fail_on.value, inputs=(file, *run_inputs(run)), quiet=True,
                   named=False)
    else:
        write_report(run, format, output, show_values=show_values, inputs=(file,),
                     statistics=statistics,
                     listing=Listing(max_findings, min_severity.value if min_severity else None),
                     color=color.value, quiet=quiet)
    if run.failed(fail_on.value) and not exit_zero:
        raise typer.Exit(ExitCode.FINDINGS)


def fix(
    file: BatchFileArgument,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The corrected batch file to write, .CSV or .XML (written "
        "whole, atomically; never over the input).")],
    report: Annotated[Path | None, typer.Option(
        "--report", "-r", help="Write the error report to this file instead of standard "
        "output.")] = None,
    report_format: Annotated[FixReportFormat, typer.Option(
        "--report-format", help="Error report format.")] = FixReportFormat.csv,
    layout: LayoutOption = None,
    pack: BatchPackOption = None,
    fail_on: FailOnOption = Severity.error,
    show_values: ShowValuesOption = False,
    encoding: EncodingOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Write a corrected batch file in the official layout, with the rules' fixes applied,
    and an error report of what was changed and what still needs a person. (One process:
    --workers is for batch check.)"""
    fmt = output_format(output.name)
    chosen = load_layout(layout)
    run = lrsrules.check_batch(file, layout=chosen, pack=pack, as_of=as_of_date(as_of),
                               encoding=encoding, extra_fields=fix_fields(chosen))
    fixes = compile_fixes(run.compiled)
    totals = FixTotals()
    inputs: tuple[Path | str, ...] = (file, *run_inputs(run))
    with run, ExitStack() as outputs:
        # Both outputs are checked and opened before anything is written; both are written
        # whole to temporary files, then put in place together. The report is spooled
        # beside itself (or the corrected file), as its summary is known only at the end.
        fixed = outputs.enter_context(pending_output(output, inputs=inputs))
        errors = outputs.enter_context(pending_output(report, inputs=(*inputs, output)))
        spool = errors.folder or fixed.folder
        entries = outputs.enter_context(ErrorReport(
            report_format.value, show_values=show_values, folder=spool))
        for entry in fix_batch(run, fixes, fixed.stream, out_name=output.name, fmt=fmt,
                               totals=totals, folder=fixed.folder):
            try:
                entries.add(entry)
            except OSError as exc:
                raise spool_error(errors, exc, spool) from exc
        with spooling(errors, spool):
            entries.write(errors.stream, totals, source=str(file), output=str(output))
        fixed.commit()
        errors.commit()
    left = totals.by_status
    typer.echo(
        f"{output}: {totals.written} of {_count(totals.records, 'learner record')} written; "
        f"{_count(totals.values_changed, 'value')} changed in "
        f"{_count(totals.records_changed, 'record')}; "
        f"{_count(left[NEEDS_PERSON], 'finding')} left for a person; "
        f"{_count(left[LEFT_OUT], 'row')} left out", err=True)
    if totals.worst_remaining >= SEVERITY_RANK[fail_on.value]:
        raise typer.Exit(ExitCode.FINDINGS)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    batch_app.command("check", epilog=EXIT_CODES_HELP)(reports_errors(configured(check)))
    batch_app.command("fix", epilog=FIX_EXIT_CODES_HELP)(reports_errors(fix))
    app.add_typer(batch_app, name="batch")
