"""`lrsrules check`: every problem in packs, and warnings about likely mistakes."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from lrsrules.authoring.lint import lint_packs
from lrsrules.cli.exit_codes import ExitCode
from lrsrules.cli.options import OutputOption
from lrsrules.cli.output import report_stream, with_case_files
from lrsrules.packs.loader import DEFAULT_PACK
from lrsrules.report.diagnostics import write_sarif, write_text

CHECK_EXIT_CODES_HELP = (
    f"Exit codes: {ExitCode.OK.value} no problem (or warnings only, with --fail-on error); "
    f"{ExitCode.FINDINGS.value} warnings only; {ExitCode.ERROR.value} errors, or a pack "
    "that cannot be found."
)


class CheckFormat(str, Enum):
    text = "text"
    sarif = "sarif"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


def check(
    packs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PACK",
            help=f"Packs to check: bundled names or paths to pack files or folders (default "
            f"{DEFAULT_PACK}). A folder or name is checked in every version it holds (name@1.2 "
            "for one). Every pack they include is checked too, each file once.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit non-zero on warnings too (warning), or on "
                     "errors only (error)."),
    ] = FailOn.warning,
    format: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="Report format: text, or SARIF 2.1.0 for code "
                     "review annotations."),
    ] = CheckFormat.text,
    output: OutputOption = None,
) -> None:
    """Check packs: every schema, loading and expression error, and warnings about rules
    that never apply or never fire, unused lists and fields, and rules without tests."""
    report = lint_packs(packs or [DEFAULT_PACK])
    with report_stream(output, inputs=with_case_files(report.files)) as stream:
        if format is CheckFormat.sarif:
            write_sarif(stream, report)
        else:
            write_text(stream, report)
    if report.errors:
        raise typer.Exit(ExitCode.ERROR)
    if report.warnings and fail_on is FailOn.warning:
        raise typer.Exit(ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("check", epilog=CHECK_EXIT_CODES_HELP)(reports_errors(check))
