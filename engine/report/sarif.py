"""SARIF 2.1.0 for code-scanning tools: a result per finding, located at the input's file
and line, and the rules' metadata from the pack (message, documentation, what enforces
each, whether it is provisional, its tags).

Written at the end, as one document, in the same memory for any number of findings: each
result is laid out as it comes (one line each) into a spool, copied into the document by
``finish`` (as the JSON reporter does); the rules that only the input's own checks add
(``INPUT.RECORD`` ...) are known by then. A value is in a result only with ``show_values``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from lrsrules.findings import Finding
from lrsrules.limits import REPORT_SPOOL_BYTES
from lrsrules.packs.model import RuleDef
from lrsrules.report.locations import relative_path
from lrsrules.report.reporters import Reporter, write_spooled
from lrsrules.run.findings import RunInfo, Summary

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_EMPTY_RESULTS = '"results": []'
_ITEM = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


class SarifReporter(Reporter):
    """The run as a SARIF 2.1.0 log, written at the end."""

    streams = False

    def __init__(self, stream: TextIO, *, show_values: bool = False, source_name: str = "",
                 spool_dir: str | None = None) -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close)
            max_size=REPORT_SPOOL_BYTES, mode="w+", encoding="utf-8", errors="surrogatepass",
            newline="", dir=spool_dir)
        self._results = 0
        self._rules: dict[str, dict[str, Any]] = {}
        self._index: dict[str, int] = {}

    def start(self, info: RunInfo) -> None:
        super().start(info)
        self._uri = artifact_uri(self.source_name or info.input_path)
        for rule in info.rules:
            self._rule(rule.id, lambda rule=rule: rule_descriptor(rule))

    def _rule(self, rule_id: str, describe: Any) -> int:
        index = self._index.get(rule_id)
        if index is None:
            index = self._index[rule_id] = len(self._rules)
            self._rules[rule_id] = describe()
        return index

    def add(self, finding: Finding) -> None:
        index = self._rule(finding.rule, lambda: {"id": finding.rule, "name": finding.rule})
        result = self._result(finding, index)
        self._spool.write(("," if self._results else "") + "\n        " + _ITEM.encode(result))
        self._results += 1

    def _result(self, finding: Finding, index: int) -> dict[str, Any]:
        subject = [] if finding.record is None else [f"record {finding.record}"]
        subject += [f"field {finding.field}"] if finding.field else []
        text = finding.message if not subject else f"{', '.join(subject)}: {finding.message}"
        physical: dict[str, Any] = {"artifactLocation": {"uri": self._uri, "index": 0}}
        if finding.line is not None:
            physical["region"] = {"startLine": finding.line}
        location: dict[str, Any] = {"physicalLocation": physical}
        if finding.field:
            location["logicalLocations"] = [{"name": finding.field, "kind": "member"}]
        result: dict[str, Any] = {
            "ruleId": finding.rule, "ruleIndex": index,
            "level": LEVELS.get(finding.severity, "note"), "message": {"text": text},
            "locations": [location],
        }
        properties: dict[str, Any] = {"severity": finding.severity}
        if finding.record is not None:
            properties["record"] = finding.record
        if finding.field is not None:
            properties["field"] = finding.field
        if self.show_values and finding.field is not None:
            properties["value"] = finding.value
        result["properties"] = properties
        if finding.waived is not None:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": finding.waived}]
        return result

    def finish(self, summary: Summary) -> None:
        info = self._run_info()
        driver: dict[str, Any] = {"name": "lrsrules", "version": _own_version(),
                                  "rules": list(self._rules.values())}
        properties: dict[str, Any] = {"pack": info.pack_dict(), "summary": summary.to_dict()}
        if info.waivers is not None:
            properties["waivers"] = {"path": info.waivers}
        if summary.notes:
            properties["notes"] = list(summary.notes)
        run: dict[str, Any] = {
            "tool": {"driver": driver},
            "invocations": [{"executionSuccessful": True}],
            "artifacts": [{"location": {"uri": self._uri}, "roles": ["analysisTarget"],
                           **({"encoding": info.encoding} if info.encoding else {})}],
            "columnKind": "unicodeCodePoints",
            "properties": properties,
            "results": [],
        }
        document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        # The results are the last key of the one run; inside a JSON string a quote is
        # escaped, so the empty list appears once.
        write_spooled(self.stream, text, _EMPTY_RESULTS,
                      self._spool if self._results else None, "\n      ]")
        super().finish(summary)

    def close(self) -> None:
        self._spool.close()


def rule_descriptor(rule: RuleDef) -> dict[str, Any]:
    """A SARIF reportingDescriptor for ``rule``: its metadata from the pack."""
    # Imported here: the registry loads this module at every start, the docs only now.
    from lrsrules.authoring.packdocs import is_provisional

    descriptor: dict[str, Any] = {
        "id": rule.id, "name": rule.id,
        "shortDescription": {"text": " ".join(rule.message.split())},
    }
    if rule.doc:
        descriptor["fullDescription"] = {"text": " ".join(rule.doc.split())}
    descriptor["defaultConfiguration"] = {"level": LEVELS.get(rule.severity, "note")}
    properties: dict[str, Any] = {
        "enforced_by": rule.enforced_by,
        "provisional": is_provisional(rule),
        "tags": list(dict.fromkeys(rule.tags)),
        "fields": list(rule.fields),
        "severity": rule.severity,
    }
    if rule.provenance:
        properties["provenance"] = " ".join(rule.provenance.split())
    if rule.pack:
        properties["pack"] = rule.pack
    descriptor["properties"] = properties
    if rule.aliases:
        descriptor["deprecatedIds"] = list(rule.aliases)
    return descriptor


def artifact_uri(path: str) -> str:
    """The input as a SARIF artifact URI: relative to the working folder when it lies
    inside it (as code scanning wants), else an absolute file URI."""
    shown = relative_path(path)
    if shown.startswith("<"):
        return quote(shown.strip("<>"))
    if Path(shown).is_absolute():
        return Path(shown).as_uri()
    return quote(shown)


def _own_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # slow to import: lazily

    try:
        return version("lrsrules")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
