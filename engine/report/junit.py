"""JUnit XML for CI systems: the run as one testsuite, a testcase per rule of the pack in
force (a rule without findings is a passing testcase), a failure per rule that fired,
listing the records and lines.

Rules outside the pack that report on the input itself (``INPUT.RECORD``, a batch file's
own checks) get a testcase when they fire. A finding a waiver covers does not fail its
testcase; it is listed in the testcase's output. The places listed are bounded by
``MAX_HELD_FINDINGS`` in all (the rest are counted, and the failure says how many), so
the report takes the same memory for any number of findings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from lrsrules.findings import Finding
from lrsrules.limits import MAX_HELD_FINDINGS
from lrsrules.report.locations import relative_path
from lrsrules.report.reporters import Reporter, shown_value
from lrsrules.run.findings import RunInfo, Summary

# Characters XML 1.0 cannot hold (control characters but tab, CR and LF; lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(slots=True)
class _Case:
    """One rule's testcase, as findings come."""

    rule: str
    classname: str
    severity: str
    message: str
    failures: int = 0  # findings no waiver covers
    waived: int = 0
    records: int = 0
    last_record: int | None = None
    listed: list[str] = field(default_factory=list)  # where it failed
    listed_waived: list[str] = field(default_factory=list)
    unlisted: int = 0

    def count(self, finding: Finding) -> None:
        if finding.waived is None:
            self.failures += 1
        else:
            self.waived += 1
        if finding.record is not None and finding.record != self.last_record:
            self.records += 1
            self.last_record = finding.record


class JunitReporter(Reporter):
    """The run as a JUnit testsuite, written at the end."""

    streams = False

    def start(self, info: RunInfo) -> None:
        super().start(info)
        self._name = relative_path(self.source_name or info.input_path)
        self._held = 0
        self._cases: dict[str, _Case] = {
            rule.id: _Case(rule.id, rule.pack or info.pack_name, rule.severity, rule.message)
            for rule in info.rules}

    def _case(self, finding: Finding) -> _Case:
        case = self._cases.get(finding.rule)
        if case is None:  # a check of the input itself: named for what it checks
            case = self._cases[finding.rule] = _Case(
                finding.rule, "input", finding.severity, finding.message)
        return case

    def add(self, finding: Finding) -> None:
        case = self._case(finding)
        case.count(finding)
        if self._held >= MAX_HELD_FINDINGS:
            case.unlisted += 1
            return
        self._held += 1
        (case.listed if finding.waived is None else case.listed_waived).append(
            self._place(finding))

    def count(self, finding: Finding) -> None:
        case = self._case(finding)
        case.count(finding)
        case.unlisted += 1

    def _place(self, finding: Finding) -> str:
        text = self._name if finding.line is None else f"{self._name}:{finding.line}"
        subject = [] if finding.record is None else [f"record {finding.record}"]
        subject += [f"field {finding.field}"] if finding.field else []
        if subject:
            text += f": {', '.join(subject)}"
        text += f": {' '.join(finding.message.splitlines())}"
        if self.show_values and finding.field is not None:
            text += f" [value: {shown_value(finding.value)}]"
        if finding.waived is not None:
            text += f" [waived: {' '.join(finding.waived.splitlines())}]"
        return text

    def finish(self, summary: Summary) -> None:
        info = self._run_info()
        root = ET.Element("testsuites", name="lrsrules")
        suite = ET.SubElement(root, "testsuite", name=f"{info.pack_name} on {self._name}")
        properties = ET.SubElement(suite, "properties")
        for name, value in _properties(info, summary):
            ET.SubElement(properties, "property", name=name, value=_xml_text(value))
        failed = 0
        for case in self._cases.values():
            element = ET.SubElement(suite, "testcase", classname=case.classname,
                                    name=case.rule)
            if case.failures:
                failed += 1
                _failure(element, case)
            if case.waived:
                output = ET.SubElement(element, "system-out")
                output.text = _xml_text("\n".join(
                    [f"{_count(case.waived, 'finding')} waived", *case.listed_waived]))
        tests = str(len(self._cases))
        suite.attrib.update(tests=tests, failures=str(failed), errors="0", skipped="0")
        root.attrib.update(tests=tests, failures=str(failed), errors="0", skipped="0")
        if summary.notes:
            ET.SubElement(suite, "system-out").text = _xml_text("\n".join(summary.notes))
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                          + ET.tostring(root, "unicode") + "\n")
        super().finish(summary)


def _failure(element: ET.Element, case: _Case) -> None:
    found = _count(case.failures, "finding")
    if case.records:
        found += f" in {_count(case.records, 'record')}"
    message = f"{found}: {' '.join(case.message.splitlines())}"
    lines = list(case.listed)
    if case.unlisted:
        lines.append(f"… {case.unlisted:,} more not listed")
    failure = ET.SubElement(element, "failure", type=case.severity, message=_xml_text(message))
    failure.text = _xml_text("\n".join(lines))


def _properties(info: RunInfo, summary: Summary) -> list[tuple[str, str]]:
    found = [("pack", info.pack_name), ("pack_version", info.pack_version),
             ("pack_sha256", info.pack_sha256), ("input", info.input_path),
             ("records", str(summary.records)), ("findings", str(summary.findings))]
    found += [(f"findings_{name}", str(count)) for name, count in summary.by_severity.items()]
    if info.as_of is not None:
        found.append(("as_of", info.as_of))
    if info.waivers is not None:
        found.append(("waivers", info.waivers))
    return found


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match[0]):02x}", text)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
