"""`lrsrules rules`: list the rules of a pack."""

from __future__ import annotations

import json

import typer

from lrsrules.cli.options import PackOption
from lrsrules.engine.loader import load_pack
from lrsrules.engine.program import compile_pack


def rules(
    pack: PackOption = None,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per rule."),
) -> None:
    """List the rules of a pack: id, field, severity and message."""
    compiled = compile_pack(load_pack(pack))  # compiling proves the pack is sound
    loaded = compiled.pack
    if as_json:
        for rule in loaded.rules:
            typer.echo(json.dumps({"id": rule.id, "fields": list(rule.fields),
                                   "severity": rule.severity, "message": rule.message,
                                   "pack": rule.pack, "provenance": rule.provenance}))
        return
    typer.echo(f"{loaded.name} {loaded.version}: {len(loaded.rules)} rules")
    width = max((len(rule.id) for rule in loaded.rules), default=0)
    for rule in loaded.rules:
        fields = ", ".join(rule.fields)
        typer.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {fields}: {rule.message}")


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("rules")(reports_errors(rules))
