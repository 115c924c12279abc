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
from lrsrules.packs.discovery import find_pack_versions
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
            f"{DEFAULT_PACK}). A folder or name is tested in every version it holds (name@1.2 "
            "for one). Each is tested with every pack in its include tree, each pack "
            "once, on the cases in the tests/ folder beside its own pack file.",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        CaseReportFormat,
        typer.Option("--format", "-f", help="Report format: text, or JUnit XML for CI."),
    ] = CaseReportFormat.text,
    keyword: Annotated[str | None, typer.Option(
        "-k", metavar="PATTERN", help="Run only the cases whose name or expected rule ids "
        "contain PATTERN (ignoring case), e.g. -k CDD.ULN or -k postcode; coverage is not "
        "measured.")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="List every case run with PASS or FAIL, not only the "
        "failures.")] = False,
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
    reports = _run(files, keyword, select, ignore)
    with report_stream(output, inputs=with_case_files(files)) as stream:
        if format is CaseReportFormat.junit:
            stream.write(junit_xml(reports))
        else:
            write_text(stream, reports, verbose=verbose)
    if keyword is not None and not any(report.results for report in reports):
        typer.echo(f"no case matches -k {keyword!r}: give part of a case name or rule id",
                   err=True)
        raise typer.Exit(ExitCode.ERROR)
    if not all(report.passed for report in reports):
        raise typer.Exit(ExitCode.FINDINGS)


def _pack_files(refs: Iterable[str]) -> list[Path]:
    files: dict[Path, Path] = {}
    for ref in refs:
        for version in find_pack_versions(ref):  # every version of a folder, oldest first
            for path in include_tree(version):
                files.setdefault(path.resolve(), path)
    return list(files.values())


def _run(paths: Sequence[Path], keyword: str | None = None, select: list[str] | None = None,
         ignore: list[str] | None = None) -> list[PackTestReport]:
    # Every broken test file of every pack is reported, not only the first one's.
    reports: list[PackTestReport] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            reports.append(run_pack_tests(path, keyword=keyword, select=select, ignore=ignore))
        except PackError as error:
            problems.extend(error.problems)
    if problems:
        raise PackError(problems=problems)
    return reports


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("test", epilog=TEST_EXIT_CODES_HELP)(reports_errors(run_tests))
