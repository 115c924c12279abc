"""`lrsrules explain`: the value of every part of a rule on one record, and the verdict; or,
with ``--code``, the Python the rule (or the whole pack) is compiled to."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

import lrsrules
from lrsrules.authoring.explain import (
    explain_code,
    explain_rule,
    explain_unique,
    find_cross,
    find_targets,
)
from lrsrules.cli.exit_codes import ExitCode
from lrsrules.cli.options import (
    DelimiterOption,
    EncodingOption,
    InputFormatOption,
    PackOption,
)
from lrsrules.errors import InputError, Location
from lrsrules.findings import Finding
from lrsrules.inputs.headings import describe_clash, field_lookup
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import FieldDef, normalise_heading
from lrsrules.report.explanation import format_code, format_explanation, format_heading
from lrsrules.run.crossrecord import describe_unique
from lrsrules.run.program import CompiledPack, compile_pack

EXPLAIN_EXIT_CODES_HELP = (
    f"Exit codes: {ExitCode.OK.value} the rule was explained, whatever its verdict; "
    f"{ExitCode.ERROR.value} usage, pack or input error."
)
_RECORD_REF = re.compile(r"^(?P<file>.+):(?P<number>[0-9]+)$")


def explain(
    rule: Annotated[
        str | None,
        typer.Argument(metavar="RULE", help="The id of the rule to explain (with --code, "
                       "leave it out for the whole pack).", show_default=False),
    ] = None,
    pack: PackOption = None,
    code: Annotated[
        bool,
        typer.Option("--code", help="Show the generated Python the rule's fields are checked "
                     "with (the whole pack's check function without RULE), and what each "
                     "name in it holds, instead of explaining a record."),
    ] = False,
    record: Annotated[
        str | None,
        typer.Option("--record", "-r", metavar="FILE:N",
                     help="Record N (1-based, as in reports) of a CSV or JSON Lines file."),
    ] = None,
    json_record: Annotated[
        str | None,
        typer.Option("--json", metavar="JSON",
                     help='A record typed as a JSON object: {"Heading": "value", ...}; '
                     "headings are matched to fields as in an input file."),
    ] = None,
    show_values: Annotated[
        bool,
        typer.Option("--show-values", help="Show text and dates from the record (personal "
                     "data); by default only their kind and size are shown."),
    ] = False,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Show a rule's when, check and unless with the value of every sub-expression on one
    record, and the verdict (once per field for a rule on several fields); or, with --code,
    the generated code that checks it."""
    if code:
        record_options = {"--record": record, "--json": json_record, "--encoding": encoding,
                          "--delimiter": delimiter, "--input-format": input_format,
                          "--show-values": show_values or None}
        given = [name for name, value in record_options.items() if value is not None]
        if given:
            _usage_error(f"--code reads no record: leave out {', '.join(given)}")
        _show_code(rule, pack)
        return
    if rule is None:
        _usage_error("give the RULE to explain (or --code to see the whole pack's code)")
    if (record is None) == (json_record is None):
        _usage_error("give one record: --record FILE:N or --json '{...}'")
    today = dt.date.today()
    compiled = compile_pack(load_pack(pack), today=today)
    find_targets(compiled, rule)  # an unknown rule is reported before the input is read
    found: list[Finding] | None = None
    if record is not None:
        where, values, found = _read_record(record, compiled, encoding, delimiter,
                                            input_format.value if input_format else None)
    else:
        where = "the record given with --json"
        values = _typed_record(json_record or "", compiled.pack.fields, compiled.fields)
    cross = find_cross(compiled, rule)
    if cross is not None:  # compares records: its verdict comes from the run of the file
        verdict, reason = explain_unique(cross, values, found)
        typer.echo(format_heading(compiled.pack, where)
                   + f"rule {rule} ({cross.rule.severity}): {cross.rule.message}\n"
                   + f"  {describe_unique(cross.rule)}\n"
                   + f"field {cross.field}: {verdict}: {reason}\n", nl=False)
        return
    explained = explain_rule(compiled, rule, values, today=today)
    typer.echo(format_heading(compiled.pack, where)
               + format_explanation(explained, show_values=show_values), nl=False)


def _show_code(rule: str | None, pack: str | None) -> None:
    compiled = compile_pack(load_pack(pack))
    cross = None if rule is None else find_cross(compiled, rule)
    if cross is not None:
        typer.echo(format_heading(compiled.pack, f"rule {rule}")
                   + f"no generated check: it {describe_unique(cross.rule)}\n", nl=False)
        return
    explained = explain_code(compiled, rule)
    count = sum(1 for target in compiled.targets if rule is None or target.rule.id == rule)
    what = f"rule {rule}" if rule is not None else "the whole pack"
    heading = format_heading(compiled.pack, f"generated code of {what} ({count} target"
                             f"{'' if count == 1 else 's'})")
    typer.echo(heading + format_code(explained), nl=False)


def _read_record(ref: str, compiled: CompiledPack, encoding: str | None,
                 delimiter: str | None,
                 input_format: str | None
                 ) -> tuple[str, tuple[str | None, ...], list[Finding]]:
    match = _RECORD_REF.match(ref)
    if match is None or int(match["number"]) < 1:
        _usage_error(f"--record {ref!r}: expected FILE:N, e.g. learners.csv:3")
    path, number = Path(match["file"]), int(match["number"])
    count = 0
    # Read as validate reads it: through the run, whose records carry compiled.fields.
    with lrsrules.validate(path, compiled, encoding=encoding, delimiter=delimiter,
                           input_format=input_format) as run:
        for checked in run.results():
            found = checked.record
            if found is None:
                continue
            count = found.number
            if found.number != number:
                continue
            if found.issue is not None:
                raise InputError(f"record {number} cannot be checked: {found.issue}",
                                 Location(str(path), found.line))
            return (f"record {number} (line {found.line}) of {path}", found.values,
                    list(checked.findings))
    raise InputError(f"there is no record {number}: the file has {count} record"
                     f"{'' if count == 1 else 's'}", Location(str(path)))


def _typed_record(text: str, fields: Mapping[str, FieldDef],
                  wanted: tuple[str, ...]) -> tuple[str | None, ...]:
    """Values of a record typed as JSON, read as a JSON Lines record is."""
    where = Location("--json")
    try:
        data: Any = json.JSONDecoder(parse_int=str, parse_float=str,
                                     parse_constant=str).decode(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", Location("--json", 1, error.colno),
                         hint='write an object: {"Heading": "value"}') from None
    if not isinstance(data, dict):
        raise InputError("the record must be a JSON object", where,
                         hint='write an object: {"Heading": "value"}')
    lookup = field_lookup(fields)
    values: dict[str, str | None] = {}
    keys: dict[str, str] = {}
    for key, value in data.items():
        name = lookup.get(normalise_heading(key))
        if name is None:
            raise InputError(f"key {key!r} matches no field of the pack", where,
                             hint="keys are headings: a field's name or one of its aliases")
        if name in keys:
            raise InputError(describe_clash(keys[name], key, name, None), where)
        keys[name] = key
        if isinstance(value, bool):
            values[name] = "true" if value else "false"
        elif value is None or isinstance(value, str):
            values[name] = None if not value or value.isspace() else value
        else:
            raise InputError(f"the value of {key!r} must be text, a number, true, false "
                             "or null", where)
    return tuple(values.get(name) for name in wanted)


def _usage_error(message: str) -> NoReturn:
    raise typer.BadParameter(message)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("explain", epilog=EXPLAIN_EXIT_CODES_HELP)(reports_errors(explain))
