"""What a report lists of a run's findings: ``--min-severity`` filters the listing and
``--max-findings`` caps it; neither changes what is counted (the summary, the exit code).

``ListedReporter`` wraps any reporter: findings it lists reach the reporter's ``add``, the
others its ``count``, and the summary it finishes with says how many were left out and
why (a line of the text summary, a ``not_listed`` object in the JSON one).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lrsrules.findings import SEVERITY_RANK, Finding
from lrsrules.report.reporters import Reporter
from lrsrules.run.findings import RunInfo, Summary


@dataclass(frozen=True, slots=True)
class Listing:
    """Which findings a report lists: at most ``max_findings`` (None: all) of those at
    ``min_severity`` or worse (None: every severity)."""

    max_findings: int | None = None
    min_severity: str | None = None

    def __post_init__(self) -> None:
        if self.max_findings is not None and self.max_findings < 0:
            raise ValueError("max_findings is a count: 0 or more")
        if self.min_severity is not None and self.min_severity not in SEVERITY_RANK:
            raise ValueError(f"min_severity {self.min_severity!r} is not a severity")

    @property
    def everything(self) -> bool:
        return self.max_findings is None and self.min_severity is None


class ListedReporter(Reporter):
    """``inner`` listing only what ``listing`` lets through."""

    def __init__(self, inner: Reporter, listing: Listing) -> None:
        super().__init__(inner.stream, show_values=inner.show_values,
                         source_name=inner.source_name, spool_dir=inner.spool_dir)
        self.inner = inner
        self.listing = listing
        self.streams = inner.streams
        self.listed = 0
        self.below = 0  # left out by --min-severity
        self.over = 0  # left out by --max-findings
        self._rank = SEVERITY_RANK[listing.min_severity] if listing.min_severity else 0

    def start(self, info: RunInfo) -> None:
        super().start(info)
        self.inner.start(info)

    def add(self, finding: Finding) -> None:
        if SEVERITY_RANK[finding.severity] < self._rank:
            self.below += 1
        elif self.listing.max_findings is not None and self.listed >= self.listing.max_findings:
            self.over += 1
        else:
            self.listed += 1
            self.inner.add(finding)
            return
        self.inner.count(finding)

    def count(self, finding: Finding) -> None:
        self.inner.count(finding)

    def finish(self, summary: Summary) -> None:
        self.inner.finish(self.noted(summary))

    def noted(self, summary: Summary) -> Summary:
        """``summary`` saying what was not listed (as it was when all was listed)."""
        if self.listing.everything:
            return summary
        notes = []
        if self.below:
            notes.append(f"… {self.below:,} finding{_s(self.below)} below "
                         f"{self.listing.min_severity} not listed "
                         f"(--min-severity {self.listing.min_severity})")
        if self.over:
            notes.append(f"… {self.over:,} more finding{_s(self.over)} not listed "
                         f"(--max-findings {self.listing.max_findings})")
        extra = dict(summary.extra)
        extra["not_listed"] = {"findings": self.below + self.over,
                               "below_min_severity": self.below,
                               "over_max_findings": self.over,
                               "min_severity": self.listing.min_severity,
                               "max_findings": self.listing.max_findings}
        return dataclasses.replace(summary, extra=extra, notes=(*summary.notes, *notes))

    def close(self) -> None:
        self.inner.close()


def _s(number: int) -> str:
    return "" if number == 1 else "s"


def listed(reporter: Reporter, listing: Listing | None) -> Reporter:
    """``reporter`` as it lists under ``listing`` (itself when everything is listed)."""
    if listing is None or listing.everything:
        return reporter
    return ListedReporter(reporter, listing)
