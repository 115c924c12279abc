"""Every report format by the name ``--format`` gives it: the plain formats of
``reporters`` and the CI formats, each in a module of its own that builds on them.

A format's module is imported when its reporter is asked for (``reporter_class``): a run
that writes JSON Lines does not import XML for JUnit. ``REPORTERS`` holds them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrsrules.report.reporters import Reporter

# Each format's module (in lrsrules.report) and reporter, in the order they are listed.
_WHERE = {
    "text": ("reporters", "TextReporter"),
    "json": ("reporters", "JsonReporter"),
    "jsonl": ("reporters", "JsonLinesReporter"),
    "csv": ("reporters", "CsvReporter"),
    "html": ("reporters", "HtmlReporter"),
    "junit": ("junit", "JunitReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "github": ("github", "GithubReporter"),
}
FORMATS = tuple(_WHERE)


def reporter_class(name: str) -> type[Reporter]:
    """The reporter of the format ``name`` (one of ``FORMATS``; KeyError if not)."""
    module, reporter = _WHERE[name]
    found: type[Reporter] = getattr(import_module(f"lrsrules.report.{module}"), reporter)
    return found


if TYPE_CHECKING:
    REPORTERS: dict[str, type[Reporter]]
else:
    def __getattr__(name: str) -> object:
        if name == "REPORTERS":  # every format's reporter, each module imported
            return {format: reporter_class(format) for format in FORMATS}
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
