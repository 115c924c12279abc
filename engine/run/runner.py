"""Records -> findings: runs a compiled pack over a stream of records, keeping totals."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lrsrules.findings import SEVERITIES, Finding, new_finding
from lrsrules.inputs.records import Record
from lrsrules.lang.functions import EvaluationError
from lrsrules.run.program import CompiledPack, Hit


@dataclass
class Tally:
    """Running totals for a run's summary (``lrsrules.run.pipeline.Run`` keeps one)."""

    records: int = 0
    findings: int = 0
    records_with_findings: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))

    def count(self, found: list[Finding], *, record: bool = True) -> None:
        """Count one record (unless ``record`` is false) and its findings."""
        if record:
            self.records += 1
        if found:
            if record:
                self.records_with_findings += 1
            self.findings += len(found)
            by_severity = self.by_severity
            for finding in found:
                by_severity[finding.severity] += 1


def describe_failure(error: BaseException) -> str:
    # Our built-ins say what went wrong without quoting the value; Python's own exceptions
    # may quote it (personal data), so only their type is named.
    if isinstance(error, EvaluationError):
        return str(error)
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    return type(error).__name__


def check_record(compiled: CompiledPack, record: Record) -> tuple[list[Hit], list[Finding]]:
    """One check of one record: the rules that fire, and the record's findings (its
    reader's notes, then one per hit). A record that could not be read is not checked:
    its notes say why."""
    if record.issue is not None:
        return [], list(record.notes)
    hits = compiled.hits(record.values)
    return hits, record_findings_of(record, hits)


def record_findings_of(record: Record, hits: list[Hit]) -> list[Finding]:
    """The record's notes, then a finding for each hit."""
    number, line, values = record.number, record.line, record.values
    found = []
    for target, error in hits:  # finding_of, inlined for the rules that ran (most hits)
        if error is None:
            rule = target.rule
            found.append(new_finding(number, line, target.field, rule.id, rule.severity,
                                     rule.message, values[target.value_index]))
        else:
            found.append(finding_of(record, Hit(target, error)))
    return [*record.notes, *found] if record.notes else found


def record_findings(compiled: CompiledPack, record: Record) -> list[Finding]:
    """The findings of one record (see ``check_record``)."""
    return check_record(compiled, record)[1]


def iter_findings(compiled: CompiledPack, records: Iterable[Record],
                  tally: Tally | None = None) -> Iterator[Finding]:
    """Findings of every record, in record order; one failing rule never stops the run."""
    tally = tally if tally is not None else Tally()
    for record in records:
        found = record_findings(compiled, record)
        tally.count(found)
        yield from found


def finding_of(record: Record, hit: Hit) -> Finding:
    """The finding a hit makes on ``record`` (values in the pack's ``fields`` order)."""
    target = hit.target
    if hit.error is not None:
        message = (f"rule could not be evaluated on this record ({describe_failure(hit.error)}); "
                   f"the rule's own check: {target.rule.message}")
        severity = "error"
    else:
        message = target.rule.message
        severity = target.rule.severity
    return new_finding(record.number, record.line, target.field, target.rule.id, severity,
                       message, record.values[target.value_index])
