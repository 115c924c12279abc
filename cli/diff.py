"""`lrsrules diff`: what changed between two packs, and with --records, which records it hits."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from enum import Enum
from itertools import chain, islice
from pathlib import Path
from typing import Annotated, TextIO

import typer

from lrsrules.authoring.impact import Key, RecordImpact, iter_impact
from lrsrules.authoring.packdiff import Change, ListChange, PackDiff, diff_packs
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
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import Pack, RuleDef
from lrsrules.packs.versions import rules_in_force
from lrsrules.run.program import CompiledPack, compile_pack
from lrsrules.run.runner import Tally

DIFF_EXIT_CODES_HELP = (
    f"Exit codes: {ExitCode.OK.value} nothing differs; {ExitCode.FINDINGS.value} a rule "
    f"differs (or, with --records, a record's findings do); {ExitCode.ERROR.value} usage, "
    "pack or input error."
)
_SHOWN_ENTRIES = 5  # list entries named in text output; JSON has them all


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
    output: OutputOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Compare two packs: rules added, removed, renamed (through aliases) and changed."""
    on = as_of_date(as_of)
    before, after = (_pack(ref, on) for ref in (old, new))
    compiled = compile_pack(before), compile_pack(after)  # both must be sound
    result = diff_packs(before, after)
    differs = result.differs
    with report_stream(output, inputs=(records,) if records else ()) as stream:
        impacts: Iterable[RecordImpact] = ()
        tally = Tally()
        if records is not None:
            # Records are checked as validate checks them: with the rules in force today
            # unless --as-of chose a date (then the packs are filtered already).
            first, second = (c if on else _in_force_today(c) for c in compiled)
            found_impacts = iter_impact(
                first, second, records, tally=tally, encoding=encoding, delimiter=delimiter,
                input_format=input_format.value if input_format else None)
            # Fetch the first difference now, so that an input error stops the command
            # before any of the report is written.
            impacts = chain(list(islice(found_impacts, 1)), found_impacts)
        if format is DiffFormat.json:
            document = result.to_dict()
            if records is not None:
                found = [impact.to_dict() for impact in impacts]
                document["records"] = {"path": str(records), "records": tally.records,
                                       "differing": len(found), "differences": found}
                differs = differs or bool(found)
            document["differs"] = differs
            stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        else:
            write_text(stream, result)
            if records is not None:
                count = write_impacts(stream, impacts, str(records), tally)
                differs = differs or count > 0
    if differs:
        raise typer.Exit(ExitCode.FINDINGS)


def _pack(ref: str, on: dt.date | None) -> Pack:
    pack = load_pack(ref)
    return pack if on is None else rules_in_force(pack, on)


def _in_force_today(compiled: CompiledPack) -> CompiledPack:
    pack = rules_in_force(compiled.pack, dt.date.today())
    return compiled if pack is compiled.pack else compile_pack(pack)


def write_text(stream: TextIO, result: PackDiff) -> None:
    """The rule differences, one block per rule, then a count of each kind."""
    stream.write(f"{_name(result.old)} -> {_name(result.new)}\n")
    for rule in result.added:
        stream.write(f"added    {rule.id} {_about(rule)}\n")
    for rule in result.removed:
        reason = result.new.disabled.get(rule.id)
        disabled = f" [disabled: {reason}]" if reason is not None else ""
        stream.write(f"removed  {rule.id} {_about(rule)}{disabled}\n")
    for pair in result.renamed:
        stream.write(f"renamed  {pair.old.id} -> {pair.new.id}\n")
    for pair in result.changed:
        stream.write(f"changed  {pair.new.id}\n")
        for change in pair.changes:
            stream.writelines(f"    {line}\n" for line in _change_lines(change))
        for listed in pair.lists:
            stream.write(f"    list @{listed.name}: {_list_words(listed)}\n")
    counts = [(len(result.added), "added"), (len(result.removed), "removed"),
              (len(result.renamed), "renamed"), (len(result.changed), "changed")]
    if result.differs:
        stream.write("Rules: " + ", ".join(f"{n} {what}" for n, what in counts) + "\n")
    else:
        stream.write("No rule differs.\n")


def write_impacts(stream: TextIO, impacts: Iterable[RecordImpact], name: str,
                  tally: Tally) -> int:
    """A line per record whose findings differ (as they come), then a count; returns it."""
    count = 0
    for impact in impacts:
        count += 1
        where = name if impact.line is None else f"{name}:{impact.line}"
        changes = [f"+ {_key(key)}" for key in impact.added]
        changes += [f"- {_key(key)}" for key in impact.removed]
        stream.write(f"{where}: record {impact.record}: {'; '.join(changes)}\n")
    stream.write(f"Records whose findings differ: {count} of {tally.records}.\n")
    return count


def _name(pack: Pack) -> str:
    return f"{pack.name} {pack.version} (sha256 {pack.sha256[:12]})"


def _about(rule: RuleDef) -> str:
    return f"({rule.severity}; {', '.join(rule.fields)}): {rule.message}"


def _change_lines(change: Change) -> list[str]:
    old, new = change.old or "(none)", change.new or "(none)"
    if change.aspect in ("severity", "fields", "since", "until"):
        return [f"{change.aspect}: {old} -> {new}"]
    return [f"{change.aspect}:", f"  - {old}", f"  + {new}"]


def _list_words(change: ListChange) -> str:
    parts = []
    for entries, what in ((change.added, "added"), (change.removed, "removed")):
        if entries:
            shown = ", ".join(entries[:_SHOWN_ENTRIES])
            more = len(entries) - _SHOWN_ENTRIES
            shown += f" and {more} more" if more > 0 else ""
            parts.append(f"{len(entries)} {what} ({shown})")
    return "; ".join(parts)


def _key(key: Key) -> str:
    rule, field, severity = key
    return f"{rule} {severity}" + (f" ({field})" if field else "")


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("diff", epilog=DIFF_EXIT_CODES_HELP)(reports_errors(diff))
