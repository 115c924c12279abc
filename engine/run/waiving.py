"""Waivers applied to one run, record by record.

A finding a live waiver covers comes out with ``waived`` set (reporters show it; the exit
status ignores it); each expired waiver is a ``WAIVER.EXPIRED`` finding reported before the
first record, and waives nothing. A live waiver that covered no finding of the run is
named in the summary (``unmatched``): it may be for a record since fixed, or mistyped.
Key values are compared, never printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lrsrules.findings import Finding
from lrsrules.inputs.records import Record
from lrsrules.packs.waivers import EXPIRED_RULE, EXPIRED_SEVERITY, Waiver, WaiverSet, trim_key


class Waiving:
    """A ``WaiverSet`` applied to the records of one run.

    ``wanted`` names the values each record must carry: the run's ``fields`` first, then
    the key fields that waivers pick records by. ``apply`` marks one record's findings.
    """

    def __init__(self, waivers: WaiverSet, fields: Sequence[str], *, today: dt.date) -> None:
        self.fields = tuple(fields)
        extra = tuple(name for name in waivers.key_fields if name not in self.fields)
        self.wanted = self.fields + extra
        self.waived = 0
        self.waived_by_severity: dict[str, int] = {}
        self.expired = tuple(w for w in waivers.waivers if w.expires < today)
        self._by_rule: dict[str, list[Waiver]] = {}
        for waiver in waivers.waivers:
            if waiver.expires >= today:
                self._by_rule.setdefault(waiver.rule, []).append(waiver)
        self._key_index = {name: self.wanted.index(name) for name in waivers.key_fields}
        self._live = [w for w in waivers.waivers if w.expires >= today]
        self._matched: set[int] = set()  # ids of the live waivers that covered a finding

    def unmatched(self) -> tuple[str, ...]:
        """Each live waiver that covered no finding: where it is and its rule."""
        return tuple(f"{waiver.location.prefix()} (rule {waiver.rule})"
                     for waiver in self._live if id(waiver) not in self._matched)

    def expired_findings(self) -> list[Finding]:
        return [Finding(None, None, None, EXPIRED_RULE, EXPIRED_SEVERITY,
                        f"waiver {waiver.location.prefix()} for rule {waiver.rule} expired"
                        f" on {waiver.expires}; it waives nothing")
                for waiver in self.expired]

    def apply(self, record: Record | None, found: list[Finding]) -> list[Finding]:
        """``found`` (findings of ``record``, or of the whole input when None), each
        waived where a live waiver covers it."""
        by_rule = self._by_rule
        if not any(finding.rule in by_rule for finding in found):
            return found
        keys = {}
        if record is not None and record.issue is None:
            keys = {name: trim_key(record.values[index])
                    for name, index in self._key_index.items()}
        marked = []
        for finding in found:
            match = self._match(finding, keys) if finding.rule in by_rule else None
            if match is not None:
                self._matched.add(id(match))
                self.waived += 1
                severity = finding.severity
                self.waived_by_severity[severity] = self.waived_by_severity.get(severity, 0) + 1
                finding = finding._replace(waived=match.note())
            marked.append(finding)
        return marked

    def _match(self, finding: Finding, keys: dict[str, str | None]) -> Waiver | None:
        for waiver in self._by_rule[finding.rule]:
            if waiver.field is not None and waiver.field != finding.field:
                continue
            if waiver.record is not None:
                if waiver.record == finding.record:
                    return waiver
            elif waiver.key_field is not None and finding.record is not None and \
                    keys.get(waiver.key_field) == waiver.key_value:
                return waiver
        return None
