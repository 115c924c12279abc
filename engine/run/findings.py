"""What a run reports besides its findings: what was run on what, and the totals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lrsrules.packs.model import Pack, RuleDef


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What was run on what: given to a reporter before the first finding."""

    pack_name: str
    pack_version: str
    pack_sha256: str
    pack_path: str
    input_path: str
    input_format: str  # "csv" | "jsonl"
    encoding: str | None = None
    delimiter: str | None = None
    show_values: bool = False
    as_of: str | None = None  # --as-of: the date whose rules ran (None: the run date)
    waivers: str | None = None  # the waiver file applied, if any
    # The pack itself, for reports that describe its rules (the HTML page); None when a
    # reporter is driven without a run (tests).
    pack: Pack | None = field(default=None, repr=False, compare=False)
    # The rules in force (their metadata, for reports that list every rule: JUnit, SARIF).
    rules: tuple[RuleDef, ...] = field(default=(), repr=False, compare=False)

    def pack_dict(self) -> dict[str, Any]:
        data = {"name": self.pack_name, "version": self.pack_version, "sha256": self.pack_sha256}
        if self.as_of is not None:
            data["as_of"] = self.as_of
        return data


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals after the last record; given to a reporter when the run ends."""

    records: int
    findings: int
    by_severity: dict[str, int]  # every severity present, zero included
    records_with_findings: int
    rules: int
    ignored_headings: tuple[str, ...] = ()
    missing_fields: tuple[str, ...] = ()  # pack fields the input has no column for
    waived: int | None = None  # findings a waiver covers; None when no waiver file was given
    # What a particular command adds (a batch file's layout and return codes): extra keys
    # of the JSON summary, and the lines a text report prints for them.
    extra: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unmatched_waivers: tuple[str, ...] = ()  # live waivers that covered no finding: places

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "findings": self.findings,
            "by_severity": dict(self.by_severity),
            "records_with_findings": self.records_with_findings,
            "rules": self.rules,
            "ignored_headings": list(self.ignored_headings),
            "missing_fields": list(self.missing_fields),
        } | ({} if self.waived is None else {
            "waived": self.waived, "unmatched_waivers": list(self.unmatched_waivers)}
        ) | dict(self.extra)
