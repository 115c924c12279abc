"""What ``lrsrules check`` reports: problems in packs, each with a severity and a kind.

A ``Diagnostic`` wraps an ``errors.Problem`` (message, place, hint) with its severity and a
code naming its kind, so the one wording serves the text report (``file:line:col:
severity: message`` and a caret line) and SARIF 2.1.0 for code-review annotations (both
written by ``lrsrules.report.diagnostics``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lrsrules.errors import Location, Problem

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    severity: str
    summary: str


# Every kind of diagnostic; SARIF lists them as the tool's rules.
CODES: Mapping[str, Code] = {
    "yaml": Code(ERROR, "The file cannot be read as YAML."),
    "schema": Code(ERROR, "The pack does not have the shape of a pack (its JSON Schema)."),
    "pack": Code(ERROR, "The pack cannot be loaded: includes, list files, fields or rule ids."),
    "expression": Code(ERROR, "An expression has a syntax, name, type or regex error."),
    "tests": Code(ERROR, "A file of test cases beside the pack is malformed."),
    "never-applies": Code(WARNING, "A rule's when is always false or null: it never applies."),
    "never-fires": Code(WARNING, "A rule's check is always true or null, or its unless always "
                        "true: it never reports anything."),
    "unused-list": Code(WARNING, "A list the pack defines is used by none of its rules."),
    "unused-field": Code(WARNING, "A field the pack defines is read by none of its rules."),
    "untested-rule": Code(WARNING, "A rule lacks a test case where it fires, or one where it is "
                          "evaluated and passes."),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str  # a key of CODES
    problem: Problem

    @property
    def severity(self) -> str:
        return CODES[self.code].severity

    @property
    def location(self) -> Location:
        return self.problem.location

    def key(self) -> tuple[str, str, Location]:
        """Two diagnostics with equal keys say the same thing (found by two routes)."""
        return (self.severity, self.problem.message, self.location)

    def sort_key(self) -> tuple[str, int, int, int]:
        loc = self.location
        return (loc.file or "", loc.line or 0, loc.column or 0, self.severity != ERROR)

    def format(self) -> str:
        """``file:line:col: severity: message``, its hint, the source line and a caret."""
        problem = self.problem
        shown = Location(shown_path(problem.location.file), problem.location.line,
                         problem.location.column)
        return Problem(f"{self.severity}: {problem.message}", shown, problem.hint,
                       problem.quote_source).format()


def shown_path(path: str | None) -> str | None:
    """``path`` relative to the working folder when it lies under it, else as given."""
    if path is None:
        return None
    try:
        relative = Path(path).resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path
    return str(relative)
