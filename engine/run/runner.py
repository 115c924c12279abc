"""Records -> findings: runs a compiled pack over a stream of records, keeping totals."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lrsrules.findings import INPUT_RULE, SEVERITIES, Finding
from lrsrules.inputs.records import Record
from lrsrules.lang.functions import EvaluationError
from lrsrules.run.findings import Summary
from lrsrules.run.program import CompiledPack, Target


@dataclass
class Tally:
    """Running totals for the summary; updated as findings stream past."""

    records: int = 0
    findings: int = 0
    records_with_findings: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))

    def summary(self, rules: int, ignored: tuple[str, ...] = (),
                missing: tuple[str, ...] = ()) -> Summary:
        return Summary(self.records, self.findings, dict(self.by_severity),
                       self.records_with_findings, rules, ignored, missing)


def describe_failure(error: BaseException) -> str:
    # Our built-ins say what went wrong without quoting the value; Python's own exceptions
    # may quote it (personal data), so only their type is named.
    if isinstance(error, EvaluationError):
        return str(error)
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    return type(error).__name__


def iter_findings(compiled: CompiledPack, records: Iterable[Record],
                  tally: Tally | None = None) -> Iterator[Finding]:
    """Findings of every record, in record order; one failing rule never stops the run."""
    tally = tally if tally is not None else Tally()
    check = compiled.check
    targets = compiled.targets
    by_severity = tally.by_severity
    for record in records:
        tally.records += 1
        if record.issue is not None:
            found = [Finding(record.number, record.line, None, INPUT_RULE, "error",
                             record.issue)]
        else:
            hits = check(record.values)
            if not hits:
                continue
            found = [_finding(record, targets, hit) for hit in hits]
        tally.records_with_findings += 1
        tally.findings += len(found)
        for finding in found:
            by_severity[finding.severity] += 1
            yield finding


def _finding(record: Record, targets: tuple[Target, ...],
             hit: int | tuple[int, BaseException]) -> Finding:
    if isinstance(hit, tuple):
        index, error = hit
        target = targets[index]
        message = (f"rule could not be evaluated on this record ({describe_failure(error)}); "
                   f"the rule's own check: {target.rule.message}")
        severity = "error"
    else:
        target = targets[hit]
        message = target.rule.message
        severity = target.rule.severity
    return Finding(record.number, record.line, target.field, target.rule.id, severity,
                   message, record.values[target.value_index])
