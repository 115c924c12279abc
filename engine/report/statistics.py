"""Per-rule and per-field statistics of a run's findings: how many, in how many records, of
which severity, how many waived.

A reporter feeds ``Statistics.add`` each finding as it comes; memory grows with the number
of rules and fields, never with the number of findings. Records are counted by noticing a
new record number: a run yields each record's findings together, in input order, so a
record is never counted twice for one rule or field. Findings about the input as a whole
(no record) count as findings, never as records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lrsrules.findings import SEVERITIES, Finding

# Most severe first, as every table of counts lists them.
SEVERITY_ORDER = tuple(reversed(SEVERITIES))
NO_FIELD = "(none)"  # how a text table names findings that no single field is at fault for
K = TypeVar("K")


@dataclass(slots=True)
class Counts:
    """The findings of one rule, one field or one severity."""

    findings: int = 0
    records: int = 0
    waived: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    last_record: int | None = None  # the record counted last (see the module's docstring)

    def add(self, finding: Finding) -> None:
        self.findings += 1
        severity = finding.severity
        self.by_severity[severity] = self.by_severity.get(severity, 0) + 1
        if finding.waived is not None:
            self.waived += 1
        record = finding.record
        if record is not None and record != self.last_record:
            self.records += 1
            self.last_record = record

    def to_dict(self) -> dict[str, Any]:
        return {"findings": self.findings, "records": self.records,
                "by_severity": {name: self.by_severity.get(name, 0) for name in
                                _severities(self.by_severity)},
                "waived": self.waived}


class Statistics:
    """Counts of findings by rule, by field and by severity, fed one finding at a time."""

    def __init__(self) -> None:
        self.by_rule: dict[str, Counts] = {}
        self.by_field: dict[str | None, Counts] = {}
        self.by_severity: dict[str, Counts] = {}
        self.total = Counts()

    def add(self, finding: Finding) -> None:
        _counts(self.by_rule, finding.rule).add(finding)
        _counts(self.by_field, finding.field).add(finding)
        _counts(self.by_severity, finding.severity).add(finding)
        self.total.add(finding)

    def rules(self) -> list[tuple[str, Counts]]:
        """Rules with findings, most findings first, then by id."""
        return sorted(self.by_rule.items(), key=lambda item: (-item[1].findings, item[0]))

    def fields(self) -> list[tuple[str | None, Counts]]:
        """Fields with findings, most findings first, then by name; no field last of equals."""
        return sorted(self.by_field.items(),
                      key=lambda item: (-item[1].findings, item[0] is None, item[0] or ""))

    def records_with(self, severity: str) -> int:
        """Records with at least one finding of ``severity``."""
        counts = self.by_severity.get(severity)
        return 0 if counts is None else counts.records

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary's ``statistics``: lists in the order of ``rules`` and ``fields``,
        and the records with a finding of each severity."""
        return {
            "by_rule": [{"rule": rule} | counts.to_dict() for rule, counts in self.rules()],
            "by_field": [{"field": name} | counts.to_dict() for name, counts in self.fields()],
            "records_by_severity": {name: self.records_with(name) for name in
                                    _severities(self.by_severity)},
        }

    def text_lines(self, *, waived: bool = False) -> Iterator[str]:
        """The ``--statistics`` table: a block by rule and a block by field, each under a
        heading row and closed by a total row; columns aligned, no colour, stable order.
        ``waived`` adds the waived column (runs with a waiver file)."""
        severities = _severities(self.total.by_severity)
        rules = [(rule, counts) for rule, counts in self.rules()]
        fields = [(NO_FIELD if name is None else name, counts)
                  for name, counts in self.fields()]
        numbers = ["findings", "records", *severities, *(["waived"] if waived else [])]
        rows = [*rules, *fields, ("total", self.total)]
        widths = [max(len(heading), *(len(str(value)) for value in
                                      (_numbers(counts, severities, waived)[column]
                                       for _, counts in rows)))
                  for column, heading in enumerate(numbers)]

        def line(cells: list[str], name: str) -> str:
            return "  ".join(cell.rjust(width) for cell, width in zip(cells, widths,
                                                                     strict=True)) + "  " + name

        for title, block in (("rule", rules), ("field", fields)):
            if title == "field":
                yield ""
            yield line(numbers, title)
            for name, counts in block:
                yield line([str(n) for n in _numbers(counts, severities, waived)], name)
            yield line([str(n) for n in _numbers(self.total, severities, waived)], "total")


def _counts(table: dict[K, Counts], key: K) -> Counts:
    counts = table.get(key)
    if counts is None:
        counts = table[key] = Counts()
    return counts


def _numbers(counts: Counts, severities: tuple[str, ...], waived: bool) -> list[int]:
    return [counts.findings, counts.records,
            *(counts.by_severity.get(name, 0) for name in severities),
            *([counts.waived] if waived else [])]


def _severities(present: Mapping[str, object]) -> tuple[str, ...]:
    # Every known severity, most severe first, then any the model does not know (none today).
    return SEVERITY_ORDER + tuple(sorted(set(present) - set(SEVERITY_ORDER)))
