"""`lrsrules test`: run the cases kept beside packs and check that they cover every rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from lrsrules.authoring.packtests import PackTestReport, include_tree, run_pack_tests
from lrsrules.cli.exit_codes import ExitCode
from lrsrules.cli.options import IgnoreOption, OutputOption, SelectOption
from lrsrules.cli.output import report_stream, with_case_files
from lrsrules.errors import PackError, Problem
from lrsrules.packs.loader import DEFAULT_PACK, load_pack
from lrsrules.packs.selection import select_rules
from lrsrules.report.packtests import junit_xml, write_text

TEST_EXIT_CODES_HELP = (
    f"Exit codes: {ExitCode.OK.value} every case passed and every rule has a case where it "
    f"fires and one where it is evaluated and passes; {ExitCode.FINDINGS.value} a case failed "
    f"or a rule lacks such a case; {ExitCode.ERROR.value} usage, pack or test-file error."
)


class CaseReportFormat(str, Enum):
    text = "text"
    junit = "junit"


def run_tests(
    packs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PACK",
            help=f"Packs to test: bundled names or paths to pack files or folders (default "
            f"{DEFAULT_PACK}). Each is tested with every pack in its include tree, each pack "
            "once, on the cases in the tests/ folder beside its own pack file.",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        CaseReportFormat,
        typer.Option("--format", "-f", help="Report format: text, or JUnit XML for CI."),
    ] = CaseReportFormat.text,
    output: OutputOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
) -> None:
    """Run the regression cases of packs and check that every rule is covered (or only the
    rules --select and --ignore choose)."""
    refs = packs or [DEFAULT_PACK]
    for ref in refs:  # a selector must name a rule of the packs tested, as on validate
        select_rules(load_pack(ref), select, ignore)
    files = _pack_files(refs)
    reports = _run(files, select, ignore)
    with report_stream(output, inputs=with_case_files(files)) as stream:
        if format is CaseReportFormat.junit:
            stream.write(junit_xml(reports))
        else:
            write_text(stream, reports)
    if not all(report.passed for report in reports):
        raise typer.Exit(ExitCode.FINDINGS)


def _pack_files(refs: Iterable[str]) -> list[Path]:
    files: dict[Path, Path] = {}
    for ref in refs:
        for path in include_tree(ref):
            files.setdefault(path.resolve(), path)
    return list(files.values())


def _run(paths: Sequence[Path], select: list[str] | None = None,
         ignore: list[str] | None = None) -> list[PackTestReport]:
    # Every broken test file of every pack is reported, not only the first one's.
    reports: list[PackTestReport] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            reports.append(run_pack_tests(path, select=select, ignore=ignore))
        except PackError as error:
            problems.extend(error.problems)
    if problems:
        raise PackError(problems=problems)
    return reports


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("test", epilog=TEST_EXIT_CODES_HELP)(reports_errors(run_tests))
