"""`lrsrules validate`: run a pack over files of records and report the findings.

No ``from __future__ import annotations`` here: typer reads the command's annotations,
which as strings it would compile one by one on every run (a few milliseconds of start-up).
"""

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import lrsrules
from lrsrules.cli.config import ShowConfigOption, configured, find_config
from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.cli.inputs import STDIN, find_inputs
from lrsrules.cli.options import (
    AsOfOption,
    Color,
    ColorOption,
    DelimiterOption,
    EncodingOption,
    Engine,
    EngineOption,
    ExitZeroOption,
    FailOnOption,
    FormatOption,
    IgnoreOption,
    InputFormatOption,
    MaxFindingsOption,
    MinSeverityOption,
    NoCacheOption,
    OutputOption,
    PackOption,
    QuietOption,
    ReportFormat,
    SchedulerOption,
    SelectOption,
    Severity,
    ShowValuesOption,
    StatisticsOption,
    VerboseOption,
    WaiversOption,
    WorkersOption,
    as_of_date,
    engine_options,
)
from lrsrules.cli.output import write_report
from lrsrules.packs.model import DEFAULT_PACK
from lrsrules.report.listing import Listing

if TYPE_CHECKING:
    from lrsrules.packs.waivers import WaiverSet
    from lrsrules.run.pipeline import Run
    from lrsrules.run.program import CompiledPack

STDIN_NAME = "<stdin>"
# An LRS batch file's name, or its header's headings: batch check reads those too.
_BATCH_NAME = re.compile(r"LRB_\d+_\d+\.(csv|xml)(\.gz)?", re.IGNORECASE)
_BATCH_HEADINGS = {"FileVersion", "UKPRN"}

PathsArgument = Annotated[list[str], typer.Argument(
    metavar="PATH...", show_default=False,
    help="Files of learner records (.csv, .jsonl, .ndjson, each also .gz, or .xlsx), "
    "folders (searched for those), glob patterns, or - for standard input.")]
OverlaysOption = Annotated[list[str] | None, typer.Option(
    "--overlay", metavar="PACK", show_default=False, help="An overlay pack laid over the pack "
    "(repeat for several, in the order each extends the one before).")]
SheetOption = Annotated[str | None, typer.Option(
    "--sheet", metavar="NAME", help="The sheet of an Excel workbook to read (default: its "
    "first).")]


def validate(
    ctx: typer.Context,
    files: PathsArgument,
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
    sheet: SheetOption = None,
    overlays: OverlaysOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    exit_zero: ExitZeroOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    show_config: ShowConfigOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Check every record of each PATH against the rules of a pack (those in force today,
    or on the --as-of date): one summary per file, and a total."""
    found = find_inputs(files)
    engine_choice = engine_options(workers, engine, scheduler)
    if found.many and statistics:
        raise typer.BadParameter("--statistics reports on one input; give one file",
                                 param_hint="'--statistics'")
    compiled = lrsrules.load_pack(pack or DEFAULT_PACK, as_of=as_of_date(as_of),
                                  overlays=overlays or (), select=select, ignore=ignore,
                                  cache=not no_cache)
    waiver_set = None if waivers is None else lrsrules.load_waivers(waivers, compiled.loaded)
    if verbose:
        tell_pack(compiled)

    def open_run(name: str) -> "Run":
        run = check_input(name, compiled, waiver_set, encoding=encoding,
                          delimiter=delimiter, sheet=sheet,
                          input_format=input_format.value if input_format else None,
                          engine=engine_choice)
        if verbose:
            tell_input(_shown(name), run)
        if not quiet:
            _batch_hint(name, run)
        return run

    quiet_text = quiet and format is ReportFormat.text  # written by the writer of many
    if not found.many and not quiet_text:
        name = found.paths[0]
        run = open_run(name)
        write_report(run, format, output, show_values=show_values,
                     inputs=() if name == STDIN else (Path(name),), statistics=statistics,
                     listing=Listing(max_findings,
                                     min_severity.value if min_severity else None),
                     color=color.value, quiet=quiet)
        if run.failed(fail_on.value) and not exit_zero:
            raise typer.Exit(ExitCode.FINDINGS)
        return
    from lrsrules.cli.manyreport import write_many  # several inputs, or --quiet text

    total = write_many(found.paths, open_run, format, output, show_values=show_values,
                       fail_on=fail_on.value, shown=_shown, quiet=quiet_text,
                       named=found.many,
                       inputs=(*(p for p in found.paths if p != STDIN),
                               *_pack_inputs(compiled, waiver_set)))
    if total.unreadable:
        raise typer.Exit(ExitCode.ERROR)
    if total.failed and not exit_zero:
        raise typer.Exit(ExitCode.FINDINGS)


def check_input(name: str, compiled: "CompiledPack", waivers: "WaiverSet | None", *,
                encoding: str | None, delimiter: str | None, input_format: str | None,
                sheet: str | None, engine: dict[str, Any] | None = None) -> "Run":
    """The run of ``compiled`` over one input: a path, or ``-`` (standard input, CSV unless
    ``input_format`` says otherwise). ``engine``: the ``lrsrules.validate`` arguments of
    --workers, --engine and --scheduler (a path's records only)."""
    if name == STDIN:
        return lrsrules.validate(sys.stdin.buffer, compiled, waivers=waivers,
                                 encoding=encoding, delimiter=delimiter,
                                 input_format=input_format or "csv", name=STDIN_NAME)
    return lrsrules.validate(name, compiled, waivers=waivers, encoding=encoding,
                             delimiter=delimiter, input_format=input_format, sheet=sheet,
                             **(engine or {}))


def tell_pack(compiled: "CompiledPack") -> None:
    """--verbose: the settings file, and the pack and rules that run."""
    path = find_config()
    typer.echo(f"settings file: {path or 'none'}", err=True)
    pack, loaded = compiled.pack, compiled.loaded
    when = f"on {compiled.as_of}" if compiled.as_of else "today"
    typer.echo(f"pack {pack.name} {pack.version} ({pack.path}): {len(pack.rules)} of its "
               f"{len(loaded.rules)} rules run (selected, and in force {when})", err=True)


def tell_input(shown: str, run: "Run") -> None:
    """--verbose: how an input is read."""
    info = run.info
    how = [f"as {info.input_format}"]
    how += [f"encoding {info.encoding}"] if info.encoding else []
    how += [f"delimiter {info.delimiter!r}"] if info.delimiter else []
    typer.echo(f"{shown}: read {', '.join(how)}", err=True)


def _shown(name: str) -> str:
    return STDIN_NAME if name == STDIN else name


def _pack_inputs(compiled: "CompiledPack", waivers: "WaiverSet | None") -> tuple[str, ...]:
    files = list(compiled.pack.files)
    if waivers is not None and waivers.path:
        files.append(waivers.path)
    return tuple(files)


def _batch_hint(name: str, run: "Run") -> None:
    """Point a user who validates an LRS batch file to ``batch check``, which also checks
    its name, header record and layout."""
    ignored = set(run.source.ignored_headings)
    if _BATCH_NAME.fullmatch(Path(name).name) or ignored >= _BATCH_HEADINGS:
        typer.echo(f"hint: {_shown(name)} looks like an LRS batch file; lrsrules batch check "
                   f"{name} also checks its file name, header record and layout", err=True)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("validate", epilog=EXIT_CODES_HELP)(reports_errors(configured(validate)))
