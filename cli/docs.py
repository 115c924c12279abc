"""`lrsrules docs`: a documentation page of a pack for governance staff."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from lrsrules.authoring.packdocs import build_pack_docs
from lrsrules.cli.options import output_option
from lrsrules.cli.output import report_stream, with_case_files
from lrsrules.packs.loader import DEFAULT_PACK
from lrsrules.report.docpages import render_html, render_markdown


class DocsFormat(str, Enum):
    md = "md"
    html = "html"


def docs(
    pack: Annotated[
        str,
        typer.Argument(metavar="PACK", help="The pack: a bundled name or a path to a pack file "
                       "or folder."),
    ] = DEFAULT_PACK,
    format: Annotated[
        DocsFormat,
        typer.Option("--format", "-f", help="Markdown, or one HTML file with its style inline."),
    ] = DocsFormat.md,
    output: Annotated[Path | None, output_option("page")] = None,
) -> None:
    """Write a page documenting a pack: each rule's id, severity, fields, description,
    expressions, provenance and dates in force, with its test cases as examples; the rules
    of included packs too, by pack; the fields and lists; the count of provisional rules."""
    built = build_pack_docs(pack)
    page = render_html(built) if format is DocsFormat.html else render_markdown(built)
    with report_stream(output, inputs=with_case_files(built.pack.files)) as stream:
        stream.write(page)


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("docs")(reports_errors(docs))
