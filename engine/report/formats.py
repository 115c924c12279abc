"""Every report format by the name ``--format`` gives it: the plain formats of
``reporters`` and the CI formats, each in a module of its own that builds on them."""

from __future__ import annotations

from lrsrules.report.github import GithubReporter
from lrsrules.report.junit import JunitReporter
from lrsrules.report.reporters import (
    CsvReporter,
    HtmlReporter,
    JsonLinesReporter,
    JsonReporter,
    Reporter,
    TextReporter,
)
from lrsrules.report.sarif import SarifReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "jsonl": JsonLinesReporter,
    "csv": CsvReporter,
    "html": HtmlReporter,
    "junit": JunitReporter,
    "sarif": SarifReporter,
    "github": GithubReporter,
}
