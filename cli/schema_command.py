"""`lrsrules schema`: print the JSON Schema of packs, pack test files, waivers or layouts."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from lrsrules.cli.options import output_option
from lrsrules.cli.output import report_stream
from lrsrules.packs.schema import load_schema

SCHEMAS = {"pack": "pack.schema.json", "tests": "packtests.schema.json",
           "waivers": "waivers.schema.json", "layout": "layout.schema.json"}


class SchemaKind(str, Enum):
    pack = "pack"
    tests = "tests"
    waivers = "waivers"
    layout = "layout"


def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(metavar="KIND", help="pack: the pack format; tests: the files of "
                       "cases in a pack's tests/ folder; waivers: waiver files (--waivers); "
                       "layout: batch file layouts (lrsrules batch --layout)."),
    ] = SchemaKind.pack,
    output: Annotated[Path | None, output_option("schema")] = None,
) -> None:
    """Print the JSON Schema packs (or test files, waiver files, layouts) are checked
    against, for editors: save it beside your files and start each with
    `# yaml-language-server: $schema=pack.schema.json` (or the name you saved)."""
    text = json.dumps(load_schema(SCHEMAS[kind.value]), indent=2, ensure_ascii=False)
    with report_stream(output) as stream:
        stream.write(text + "\n")


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("schema")(reports_errors(schema))
