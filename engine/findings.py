"""What a run produces: one ``Finding`` per broken rule per record and field.

At the base of the library beside ``errors``: readers make findings about the records they
read, the run about the rules, and every reporter writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

# The id of findings about a record that could not be read (waivers may name it).
INPUT_RULE = "INPUT.RECORD"
# Findings about the input as a whole: a heading that is probably a misspelt field, and a
# file with headings but no records (warnings: the file was read, but may not be as meant).
HEADING_RULE = "INPUT.HEADING"
EMPTY_RULE = "INPUT.EMPTY"
MISSING_RULE = "INPUT.MISSING"  # a field some rule requires, with no column in the input

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK: Mapping[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True)
class Finding:
    record: int | None  # 1-based data record number; None for file-level findings
    line: int | None  # physical line where the record starts
    field: str | None  # canonical field name; None when no single field is at fault
    rule: str
    severity: str
    message: str
    # The field's value: personal data, reported only with --show-values, never in repr.
    value: str | None = dataclass_field(default=None, repr=False)
    waived: str | None = None  # the waiver that covers it (reason, approver, place), if any

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


# Each field's own setter, in order: ``new_finding`` fills a Finding with them.
_SETTERS = tuple(Finding.__dict__[name].__set__ for name in (
    "record", "line", "field", "rule", "severity", "message", "value", "waived"))


def new_finding(record: int | None, line: int | None, field: str | None, rule: str,
                severity: str, message: str, value: str | None) -> Finding:
    """``Finding(record, line, field, rule, severity, message, value)``, the same object,
    in two thirds of the time: a run makes one per broken rule, and the frozen
    dataclass's ``__init__`` goes through ``object.__setattr__`` for each field."""
    finding: Finding = _new(Finding)
    set_record, set_line, set_field, set_rule, set_severity, set_message, set_value, \
        set_waived = _SETTERS
    set_record(finding, record)
    set_line(finding, line)
    set_field(finding, field)
    set_rule(finding, rule)
    set_severity(finding, severity)
    set_message(finding, message)
    set_value(finding, value)
    set_waived(finding, None)
    return finding


_new = object.__new__
