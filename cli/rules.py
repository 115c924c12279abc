"""`lrsrules rules`: list the rules of a pack."""

from __future__ import annotations

import json

import typer

from lrsrules.cli.options import AsOfOption, PackOption, as_of_date
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import RuleDef
from lrsrules.packs.versions import rules_in_force
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
    loaded = compiled.pack
    if as_json:
        for rule in loaded.rules:
            typer.echo(json.dumps({"id": rule.id, "fields": list(rule.fields),
                                   "severity": rule.severity, "message": rule.message,
                                   "pack": rule.pack, "provenance": rule.provenance}
                                  | _history(rule)))
        return
    in_force = f" in force on {as_of}" if as_of else ""
    typer.echo(f"{loaded.name} {loaded.version}: {len(loaded.rules)} rules{in_force}")
    width = max((len(rule.id) for rule in loaded.rules), default=0)
    for rule in loaded.rules:
        fields = ", ".join(rule.fields)
        typer.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {fields}: {rule.message}")
    for rule_id, reason in loaded.disabled.items():
        typer.echo(f"{rule_id:<{width}}  disabled by {loaded.name}: {reason}")


def _history(rule: RuleDef) -> dict[str, object]:
    # Only rules that have them carry these keys, so other output stays as it was.
    found: dict[str, object] = {"aliases": list(rule.aliases)} if rule.aliases else {}
    found |= {key: str(day) for key in ("since", "until")
              if (day := getattr(rule, key)) is not None}
    return found


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("rules")(reports_errors(rules))
