"""`lrsrules rules`: list the rules of a pack."""

from __future__ import annotations

import typer

from lrsrules.cli.options import AsOfOption, PackOption, as_of_date
from lrsrules.packs.loader import load_pack
from lrsrules.packs.versions import rules_in_force
from lrsrules.report.rules import json_lines, text_lines
from lrsrules.run.program import compile_pack


def rules(
    pack: PackOption = None,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per rule."),
    as_of: AsOfOption = None,
) -> None:
    """List the rules of a pack (all of them, or those in force on the --as-of date)."""
    loaded_all = load_pack(pack)
    on = as_of_date(as_of)
    compiled = compile_pack(loaded_all if on is None else rules_in_force(loaded_all, on))
    lines = json_lines(compiled.pack) if as_json else text_lines(compiled.pack, as_of)
    for line in lines:
        typer.echo(line)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("rules")(reports_errors(rules))
