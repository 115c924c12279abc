"""How ``lrsrules test`` writes the results of pack tests: text, or JUnit XML for CI.

Text names each failing case with what went wrong, then a line per pack with its coverage
gaps; JUnit XML has a testsuite per pack and a testcase per case and per coverage gap.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from lrsrules.authoring.packtests import CaseResult, PackTestReport
from lrsrules.errors import Location

# Characters XML 1.0 cannot hold at all, even escaped; a case may test for them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def write_text(stream: TextIO, reports: Sequence[PackTestReport], *,
               verbose: bool = False) -> None:
    """Each failing case with what went wrong (``verbose``: every case, PASS or FAIL), then a
    line per pack and its coverage gaps."""
    for report in reports:
        for result in report.results if verbose else report.failures:
            verdict = "PASS" if result.passed else "FAIL"
            stream.write(f"{_where(result.case.location)}: {verdict} {result.case.name}\n")
            if not result.passed:
                for line in result.explain():
                    stream.write(f"    {line}\n")
        stream.write(f"{summary_line(report)}\n")
        for rule in report.gaps:
            stream.write(f"    {rule.rule}: {'; '.join(rule.gaps)}\n")
    if len(reports) > 1:
        cases = sum(len(report.results) for report in reports)
        failed = sum(len(report.failures) for report in reports)
        gaps = sum(len(report.gaps) for report in reports)
        verdict = "all passed" if failed == 0 and gaps == 0 else (
            f"{failed} failed, {_count(gaps, 'rule')} lacking coverage")
        stream.write(f"{len(reports)} packs, {_count(cases, 'case')}: {verdict}\n")


def summary_line(report: PackTestReport) -> str:
    """``lrs-cdd 1.0.0: 84 cases, 84 passed; coverage: 31/31 rules fire and pass``."""
    pack = report.pack
    head = f"{pack.name} {pack.version}: "
    if report.has_tests:
        passed = len(report.results) - len(report.failures)
        head += f"{_count(len(report.results), 'case')}, {passed} passed"
        if report.failures:
            head += f", {len(report.failures)} failed"
        skipped = sum(file.skipped for file in report.files)
        if skipped:
            head += f" ({_count(skipped, 'case')} for other versions)"
    else:
        head += f"no tests (no folder {_shown(report.tests_dir)})"
    if report.keyword is not None:
        matching = f" matching -k {report.keyword!r}" if report.has_tests else ""
        return f"{head}{matching}; coverage: not measured with -k"
    if not report.coverage:
        return f"{head}; coverage: no rules of its own"
    covered = len(report.coverage) - len(report.gaps)
    line = f"{head}; coverage: {covered}/{len(report.coverage)} rules fire and pass"
    fixes = [rule for rule in report.coverage if rule.has_fix]
    if fixes:
        line += f", {sum(rule.fix_tested for rule in fixes)}/{len(fixes)} fixes give what " \
                "their cases state"
    return line


def junit_xml(reports: Sequence[PackTestReport]) -> str:
    """JUnit XML: a testsuite per pack, a testcase per case and per coverage gap."""
    root = ET.Element("testsuites", name="lrsrules test")
    total = failed = 0
    for report in reports:
        pack = report.pack
        suite = ET.SubElement(root, "testsuite", name=pack.name, file=_shown(pack.path))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="version", value=pack.version)
        ET.SubElement(properties, "property", name="sha256", value=pack.sha256)
        for result in report.results:
            _case_element(suite, pack.name, result)
        for rule in report.gaps:
            element = _testcase(suite, pack.name, f"coverage::{rule.rule}", rule.location)
            _failure(element, "coverage", "; ".join(rule.gaps), [])
        tests = len(report.results) + len(report.gaps)
        failures = len(report.failures) + len(report.gaps)
        suite.attrib.update(tests=str(tests), failures=str(failures), errors="0", skipped="0")
        total, failed = total + tests, failed + failures
    root.attrib.update(tests=str(total), failures=str(failed), errors="0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _case_element(suite: ET.Element, pack: str, result: CaseResult) -> None:
    case = result.case
    element = _testcase(suite, pack, f"{case.label}::{case.name}", case.location)
    if not result.passed:
        found = ", ".join(sorted(result.found)) or "none"
        message = f"expected {', '.join(case.expect) or 'none'}; found {found}"
        if result.errors:
            message += f"; {_count(len(result.errors), 'rule')} could not be evaluated"
        if result.fix_mismatches:
            message += f"; {_count(len(result.fix_mismatches), 'field')} not fixed as stated"
        _failure(element, "case", message, result.explain())


def _testcase(suite: ET.Element, pack: str, name: str, where: Location) -> ET.Element:
    element = ET.SubElement(suite, "testcase", classname=pack, name=_xml_text(name))
    if where.file:
        element.set("file", _shown(where.file))
    if where.line is not None:
        element.set("line", str(where.line))
    return element


def _failure(element: ET.Element, kind: str, message: str, lines: list[str]) -> None:
    failure = ET.SubElement(element, "failure", type=kind, message=_xml_text(message))
    if lines:
        failure.text = _xml_text("\n".join(lines))


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match[0]):02x}", text)


def _where(location: Location) -> str:
    return Location(_shown(location.file or ""), location.line, location.column).prefix()


def _shown(path: str) -> str:
    """``path`` relative to the working folder when it lies under it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path
    return path if relative.startswith("..") else relative


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
