"""What a run produces: one ``Finding`` per broken rule per record and field.

At the base of the library beside ``errors``: readers make findings about the records they
read, the run about the rules, and every reporter writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

# The id of findings about a record that could not be read (waivers may name it).
INPUT_RULE = "INPUT.RECORD"
# Findings about the input as a whole: a heading that is probably a misspelt field, and a
# file with headings but no records (warnings: the file was read, but may not be as meant).
HEADING_RULE = "INPUT.HEADING"
EMPTY_RULE = "INPUT.EMPTY"
MISSING_RULE = "INPUT.MISSING"  # a field some rule requires, with no column in the input

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK: Mapping[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}


class Finding(NamedTuple):
    """One broken rule on one record and field (or on the input as a whole), immutable.

    A named tuple: a run makes one per broken rule, and a tuple is made in one C call where
    a frozen dataclass sets each field through ``object.__setattr__``. ``_replace`` gives
    a copy with some fields changed."""

    record: int | None  # 1-based data record number; None for file-level findings
    line: int | None  # physical line where the record starts
    field: str | None  # canonical field name; None when no single field is at fault
    rule: str
    severity: str
    message: str
    # The field's value: personal data, reported only with --show-values, never in repr.
    value: str | None = None
    waived: str | None = None  # the waiver that covers it (reason, approver, place), if any

    def __repr__(self) -> str:  # the value left out: personal data
        return (f"Finding(record={self.record!r}, line={self.line!r}, field={self.field!r}, "
                f"rule={self.rule!r}, severity={self.severity!r}, message={self.message!r}, "
                f"waived={self.waived!r})")

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.record or 0, -SEVERITY_RANK[self.severity], self.rule, self.field or "")

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "record": self.record,
            "line": self.line,
            "field": self.field,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }
        if show_values:
            data["value"] = self.value
        if self.waived is not None:  # absent otherwise: runs without waivers stay as they were
            data["waived"] = self.waived
        return data


def new_finding(record: int | None, line: int | None, field: str | None, rule: str,
                severity: str, message: str, value: str | None) -> Finding:
    """``Finding(record, line, field, rule, severity, message, value)``, without the
    Python ``__new__`` of a named tuple: a run makes one per broken rule."""
    return _new(Finding, (record, line, field, rule, severity, message, value, None))


_new = tuple.__new__
