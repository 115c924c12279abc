"""`lrsrules diff`: what changed between two packs, and with --records, which records it hits."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from enum import Enum
from itertools import chain, islice
from pathlib import Path
from typing import Annotated

import typer

from lrsrules.authoring.impact import Impact, RecordImpact
from lrsrules.authoring.layoutdiff import diff_layouts
from lrsrules.authoring.packdiff import diff_packs
from lrsrules.batch.layouts import find_layout
from lrsrules.cli.exit_codes import ExitCode
from lrsrules.cli.options import (
    AsOfOption,
    DelimiterOption,
    EncodingOption,
    InputFormatOption,
    OutputOption,
    as_of_date,
)
from lrsrules.cli.output import report_stream
from lrsrules.errors import PackError
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import Pack
from lrsrules.packs.versions import rules_in_force
from lrsrules.packs.yamlsource import YamlDocument, load_yaml
from lrsrules.report.packdiff import version_warning, write_impacts, write_json, write_text
from lrsrules.run.program import CompiledPack, compile_pack

DIFF_EXIT_CODES_HELP = (
    f"Exit codes: {ExitCode.OK.value} nothing differs that can change findings; "
    f"{ExitCode.FINDINGS.value} a rule, field, heading, list, include or override differs "
    f"so that findings can change (or, with --records, a record's findings do); "
    f"{ExitCode.ERROR.value} usage, pack or input error, or with --strict a pack whose "
    "content changed but whose version did not."
)


class DiffFormat(str, Enum):
    text = "text"
    json = "json"


def diff(
    old: Annotated[str, typer.Argument(
        metavar="OLD", help="The pack before: a bundled name, name@version, or a path to a "
        "pack file or folder (folder@1.2).")],
    new: Annotated[str, typer.Argument(metavar="NEW",
                                       help="The pack after, named the same ways.")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Report format.")]
    = DiffFormat.text,
    records: Annotated[Path | None, typer.Option(
        "--records", metavar="FILE", help="Also run both packs over this CSV or JSON Lines "
        "file and list the records whose findings (rule, field, severity) differ.")] = None,
    as_of: AsOfOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="A changed content hash with an unchanged version is an error "
        "(exit 2), not a warning.")] = False,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 when the packs differ (errors, and --strict, still "
        "exit 2): for a pre-commit hook that only guards versions.")] = False,
    output: OutputOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Compare two packs: rules added, removed, renamed (through aliases) and changed, and
    every other change (fields, headings, lists, includes, overrides); or two batch file
    layouts, value by value."""
    layouts = _layouts(old, new)
    if layouts is not None:
        _diff_layouts(*layouts, format=format, strict=strict, exit_zero=exit_zero,
                      output=output)
        return
    on = as_of_date(as_of)
    before, after = (_pack(ref, on) for ref in (old, new))
    compiled = compile_pack(before), compile_pack(after)  # both must be sound
    result = diff_packs(before, after)
    differs = result.affects_findings
    inputs = (*before.files, *after.files, *((records,) if records else ()))
    with report_stream(output, inputs=inputs) as stream:
        impacts: Iterable[RecordImpact] | None = None
        impact = None
        if records is not None:
            # Records are checked as validate checks them: with the rules in force today
            # unless --as-of chose a date (then the packs are filtered already).
            first, second = (c if on else _in_force_today(c) for c in compiled)
            impact = Impact(first, second, records, encoding=encoding, delimiter=delimiter,
                            input_format=input_format.value if input_format else None)
            found_impacts = iter(impact)
            # Fetch the first difference now, so that an input error stops the command
            # before any of the report is written.
            impacts = chain(list(islice(found_impacts, 1)), found_impacts)
        if format is DiffFormat.json:
            count = write_json(stream, result, impacts, str(records), impact)
        else:
            write_text(stream, result, strict=strict)
            count = (0 if impacts is None or impact is None
                     else write_impacts(stream, impacts, str(records), impact))
        differs = differs or count > 0
    if result.version_unchanged:
        if format is DiffFormat.json:  # the text report says it in its own lines
            typer.echo(version_warning(result, strict=strict), err=True)
        if strict:
            raise typer.Exit(ExitCode.ERROR)
    if differs and not exit_zero:
        raise typer.Exit(ExitCode.FINDINGS)


def _layouts(old: str, new: str) -> tuple[YamlDocument, YamlDocument] | None:
    """Both references as layout files (``layout:`` at their top), or None for packs."""
    docs = []
    for ref in (old, new):
        try:
            path = find_layout(ref)
        except PackError:
            return None
        try:
            doc = load_yaml(path, kind="layout", key="layout")
        except PackError:
            return None  # reported as the pack it may be
        if "layout" not in doc.data:
            return None
        docs.append(doc)
    return docs[0], docs[1]


def _diff_layouts(old: YamlDocument, new: YamlDocument, *, format: DiffFormat, strict: bool,
                  exit_zero: bool, output: Path | None) -> None:
    def sha(doc: YamlDocument) -> str:
        return hashlib.sha256(doc.text.encode("utf-8")).hexdigest()

    result = diff_layouts(old.data, new.data, sha(old), sha(new))
    warning = None
    if result.version_unchanged:
        warning = (f"{'error' if strict else 'warning'}: the content of layout "
                   f"{new.data.get('layout')} {new.data.get('version')} changed but its "
                   "version did not: give the edited layout a new version")
    with report_stream(output, inputs=(old.path, new.path)) as stream:
        if format is DiffFormat.json:
            stream.write(json.dumps({
                "old": {"path": old.path, "version": old.data.get("version")},
                "new": {"path": new.path, "version": new.data.get("version")},
                "differs": bool(result.parts), "affects_findings": result.affects_findings,
                "version_unchanged": result.version_unchanged,
                "parts": [part.to_dict() for part in result.parts]}, indent=2) + "\n")
        else:
            stream.write(f"layout {old.data.get('layout')} {old.data.get('version')} -> "
                         f"{new.data.get('layout')} {new.data.get('version')}\n")
            for part in result.parts:
                effect = ("can change findings" if part.affects_findings
                          else "no effect on findings")
                stream.write(f"layout   {part.what} [{effect}]\n")
            affecting = sum(part.affects_findings for part in result.parts)
            stream.write(f"Layout changes: {len(result.parts)} ({affecting} can change "
                         "findings)\n" if result.parts else "No layout value differs.\n")
            if warning:
                stream.write(warning + "\n")
    if warning and format is DiffFormat.json:
        typer.echo(warning, err=True)
    if warning and strict:
        raise typer.Exit(ExitCode.ERROR)
    if result.affects_findings and not exit_zero:
        raise typer.Exit(ExitCode.FINDINGS)


def _pack(ref: str, on: dt.date | None) -> Pack:
    pack = load_pack(ref)
    return pack if on is None else rules_in_force(pack, on)


def _in_force_today(compiled: CompiledPack) -> CompiledPack:
    pack = rules_in_force(compiled.pack, dt.date.today())
    return compiled if pack is compiled.pack else compile_pack(pack)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("diff", epilog=DIFF_EXIT_CODES_HELP)(reports_errors(diff))
