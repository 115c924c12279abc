"""Waivers applied to one run: a finding a live waiver covers comes out with ``waived`` set
(reporters show it; the exit status ignores it); each expired waiver comes out first as a
``WAIVER.EXPIRED`` finding, and waives nothing. Key values are compared, never printed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from lrsrules.findings import Finding
from lrsrules.inputs.records import Record
from lrsrules.packs.waivers import EXPIRED_RULE, EXPIRED_SEVERITY, Waiver, WaiverSet, trim_key
from lrsrules.run.runner import Tally


class WaiverFilter:
    """Applies a ``WaiverSet`` to one run.

    Give ``records`` the reader's records (opened with ``wanted`` fields) and pass what it
    yields to the runner; give ``findings`` the runner's findings. The runner yields a
    record's findings before it reads the next record, so key values are looked up in the
    record last read. ``tally`` (the runner's) also counts the expired-waiver findings.
    """

    def __init__(self, waivers: WaiverSet, fields: Sequence[str], *, today: dt.date,
                 tally: Tally | None = None) -> None:
        self.fields = tuple(fields)
        extra = tuple(name for name in waivers.key_fields if name not in self.fields)
        self.wanted = self.fields + extra  # ask the reader for these, in this order
        self.waived = 0
        self.expired = tuple(w for w in waivers.waivers if w.expires < today)
        self._tally = tally
        self._by_rule: dict[str, list[Waiver]] = {}
        for waiver in waivers.waivers:
            if waiver.expires >= today:
                self._by_rule.setdefault(waiver.rule, []).append(waiver)
        self._key_index = {name: self.wanted.index(name) for name in waivers.key_fields}
        self._record: int | None = None
        self._keys: dict[str, str | None] = {}

    def records(self, records: Iterable[Record]) -> Iterator[Record]:
        """The records, unchanged but for the extra key values, which are kept aside."""
        if not self._key_index:  # waivers by record number alone need no values
            yield from records
            return
        width = len(self.fields)
        for record in records:
            self._record = record.number
            self._keys = {name: trim_key(record.values[index]) if record.issue is None else None
                          for name, index in self._key_index.items()}
            if len(record.values) > width:
                record = Record(record.number, record.line, record.values[:width],
                                record.issue)
            yield record

    def findings(self, findings: Iterable[Finding]) -> Iterator[Finding]:
        """Expired waivers first, then every finding, waived where a live waiver covers it."""
        for waiver in self.expired:
            if self._tally is not None:
                self._tally.findings += 1
                self._tally.by_severity[EXPIRED_SEVERITY] += 1
            yield Finding(None, None, None, EXPIRED_RULE, EXPIRED_SEVERITY,
                          f"waiver {waiver.location.prefix()} for rule {waiver.rule} expired"
                          f" on {waiver.expires}; it waives nothing")
        for finding in findings:
            match = self._match(finding) if finding.rule in self._by_rule else None
            if match is None:
                yield finding
            else:
                self.waived += 1
                yield dataclasses.replace(finding, waived=match.note())

    def _match(self, finding: Finding) -> Waiver | None:
        for waiver in self._by_rule[finding.rule]:
            if waiver.field is not None and waiver.field != finding.field:
                continue
            if waiver.record is not None:
                if waiver.record == finding.record:
                    return waiver
            elif (finding.record == self._record and waiver.key_field is not None
                  and self._keys.get(waiver.key_field) == waiver.key_value):
                return waiver
        return None
