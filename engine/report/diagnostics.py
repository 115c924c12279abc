"""How ``lrsrules check`` writes the diagnostics of packs: text, or SARIF 2.1.0.

Text is each diagnostic's own form (``Diagnostic.format``) and a count; SARIF is one log of
one run for code-review annotations, the kinds of diagnostic listed as the tool's rules.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from lrsrules.authoring.diagnostics import CODES, ERROR, Diagnostic, shown_path
from lrsrules.authoring.lint import LintReport
from lrsrules.errors import Location

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def write_text(stream: TextIO, report: LintReport) -> None:
    """A diagnostic after another, then the count of files checked and of diagnostics."""
    for diagnostic in report.diagnostics:
        stream.write(diagnostic.format() + "\n")
    files = len(report.files)
    stream.write(f"checked {files} pack file{'' if files == 1 else 's'}: "
                 f"{count_words(report.diagnostics)}\n")


def write_sarif(stream: TextIO, report: LintReport) -> None:
    """The SARIF log of ``to_sarif``, as indented JSON."""
    stream.write(json.dumps(to_sarif(report.diagnostics), indent=2) + "\n")


def count_words(diagnostics: Sequence[Diagnostic]) -> str:
    """``2 errors, 1 warning``."""
    errors = sum(d.severity == ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"


def to_sarif(diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run; file locations relative to the working folder."""
    codes = list(CODES)
    rules = [
        {"id": code, "shortDescription": {"text": spec.summary},
         "defaultConfiguration": {"level": spec.severity}}
        for code, spec in CODES.items()
    ]
    results = []
    for diagnostic in diagnostics:
        problem = diagnostic.problem
        text = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": codes.index(diagnostic.code),
            "level": diagnostic.severity,
            "message": {"text": text},
        }
        location = _sarif_location(problem.location)
        if location is not None:
            result["locations"] = [location]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "lrsrules", "version": _version(), "rules": rules}},
            "originalUriBaseIds": {"SRCROOT": {"uri": Path.cwd().resolve().as_uri() + "/"}},
            "results": results,
        }],
    }


def _sarif_location(location: Location) -> dict[str, Any] | None:
    if location.file is None:
        return None
    shown = shown_path(location.file) or location.file
    artifact: dict[str, Any]
    if os.path.isabs(shown):
        artifact = {"uri": Path(shown).as_uri()}
    else:
        artifact = {"uri": Path(shown).as_posix(), "uriBaseId": "SRCROOT"}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if location.line is not None:
        region = {"startLine": location.line}
        if location.column is not None:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _version() -> str:
    try:
        return metadata.version("lrsrules")
    except metadata.PackageNotFoundError:
        return "0"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
