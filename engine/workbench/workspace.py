"""What the workbench knows about its folder: the packs in it, a rule, and an unsaved edit.

Every question is answered by the library, never by code of its own: packs by the loader,
errors by ``lint_packs`` (so the editor shows what ``lrsrules check`` prints), cases by the
pack test runner, changes by ``packdiff``, records newly failing or passing by ``impact``
(the engine of ``lrsrules diff --records``), a record's verdict by ``explain``. An edit not
yet saved is read in the file's place through ``PackFiles(texts=...)``, so the pack is
checked and run exactly as it would be once saved, with its includes and its tests.

Nothing here returns a record's value unless ``show_values`` asks for it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lrsrules
from lrsrules.authoring.explain import explain_rule, explain_unique, find_cross
from lrsrules.authoring.impact import Impact
from lrsrules.authoring.lint import lint_packs
from lrsrules.authoring.packdiff import diff_packs
from lrsrules.authoring.packdocs import ENFORCERS, is_provisional
from lrsrules.authoring.packtests import CaseResult, PackTestReport, run_pack_tests
from lrsrules.errors import EngineError, Problem
from lrsrules.findings import Finding
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import Pack, RuleDef
from lrsrules.packs.packfiles import PackFiles
from lrsrules.packs.versions import rules_in_force
from lrsrules.packs.yamlsource import YAML_SUFFIXES, YamlDocument, load_yaml, parse_yaml_text
from lrsrules.report.explanation import format_explanation
from lrsrules.run.program import CompiledPack, check_pack, compile_pack
from lrsrules.workbench.paths import Folder
from lrsrules.workbench.splice import (
    EDITABLE,
    current_values,
    rule_index,
    save_text,
    splice_rule,
)

SAMPLE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
EXPRESSIONS = ("when", "check", "unless")
MAX_SHOWN_FINDINGS = 200  # of one rule on a sample; the rest are counted
MAX_SHOWN_RECORDS = 200  # records whose findings change, likewise


@dataclass(frozen=True, slots=True)
class PackEntry:
    """A pack file of the folder, as the packs page lists it."""

    file: str  # relative to the folder
    name: str
    version: str
    title: str | None
    rules: tuple[RuleDef, ...]  # the rules this file itself defines
    provisional: int
    tests: str  # "passed", "failed", "gaps", "none" or "broken"
    tests_text: str  # the same in words
    error: str | None = None  # why the pack cannot be loaded
    includes: tuple[str, ...] = ()  # the packs it includes


@dataclass(frozen=True, slots=True)
class Issue:
    """An error or warning of ``lrsrules check``, placed at a field of the edited rule."""

    severity: str
    message: str
    hint: str | None
    line: int | None
    column: int | None
    field: str | None  # an editable key of the edited rule, or None: elsewhere
    offset: int | None  # the character in that field's text it points at
    source: str  # the line of the (unsaved) file it points at, for the caret

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass
class Edit:
    """An edit of one rule: the file, the rule, and the values the form holds."""

    file: str
    rule: str
    values: dict[str, str] = field(default_factory=dict)


class Workspace:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Folder(folder)
        # Test status by what it depends on: the pack's files and its test files.
        self._statuses: dict[tuple[object, ...], tuple[str, str]] = {}

    def _test_status(self, pack: Pack) -> tuple[str, str]:
        tests = Path(pack.path).parent / "tests"
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                             for p in tests.glob("*") if p.is_file())) if tests.is_dir() else ()
        key = (pack.path, pack.sha256, stamp)
        if key not in self._statuses:
            self._statuses[key] = _test_status(pack)
        return self._statuses[key]

    # --- the folder ----------------------------------------------------------------------

    def pack_files(self) -> list[Path]:
        """The pack files in the folder (``pack:`` at their top), outside tests/ folders."""
        found = []
        for path in sorted(self.folder.root.rglob("*")):
            relative = path.relative_to(self.folder.root).parts
            if path.suffix.lower() not in YAML_SUFFIXES or "tests" in relative[:-1]:
                continue
            if any(part.startswith(".") for part in relative) or not path.is_file():
                continue
            try:
                data = load_yaml(path).data
            except EngineError:
                continue
            if "pack" in data and "layout" not in data:  # a batch layout names its pack
                found.append(path)
        return found

    def samples(self) -> list[str]:
        """Record files in the folder (CSV, JSON Lines) to try rules on."""
        return [self.folder.relative(path) for path in sorted(self.folder.root.rglob("*"))
                if path.suffix.lower() in SAMPLE_SUFFIXES and path.is_file()
                and path.resolve().is_relative_to(self.folder.root)]

    def packs(self) -> list[PackEntry]:
        entries = []
        for path in self.pack_files():
            file = self.folder.relative(path)
            try:
                pack = load_pack(path)
            except EngineError as error:
                entries.append(PackEntry(file, path.stem, "?", None, (), 0, "broken",
                                         "cannot be loaded", error.problems[0].message))
                continue
            rules = own_rules(pack)
            tests, words = self._test_status(pack)
            entries.append(PackEntry(file, pack.name, pack.version, pack.title, rules,
                                     sum(is_provisional(rule) for rule in rules), tests,
                                     words, includes=pack.includes))
        return entries

    # --- one pack file and one rule ------------------------------------------------------

    def path_of(self, file: str) -> Path:
        return self.folder.resolve(file, suffixes=YAML_SUFFIXES)

    def document(self, file: str) -> YamlDocument:
        return load_yaml(self.path_of(file))

    def pack(self, file: str, text: str | None = None) -> Pack:
        """The pack of ``file``, read from ``text`` in the file's place when given."""
        path = self.path_of(file)
        return load_pack(path, files=PackFiles({path: text} if text is not None else None))

    def rule(self, file: str, rule_id: str) -> RuleDef:
        for rule in own_rules(self.pack(file)):
            if rule.id == rule_id:
                return rule
        raise EngineError(f"{file} defines no rule {rule_id}")

    def form_values(self, file: str, rule_id: str) -> dict[str, str]:
        return current_values(self.document(file), rule_id)

    def cases(self, pack: Pack, rule_id: str | None) -> tuple[PackTestReport, list[CaseResult]]:
        """The pack's test run, and the cases about ``rule_id`` (all, when None): those
        expecting it or on which it fired, and those evaluating it in the files that hold
        them (a record's other rules evaluate it too, but prove nothing about it)."""
        report = run_pack_tests(pack)
        if rule_id is None:
            return report, list(report.results)
        about = {r.case.location.file for r in report.results
                 if rule_id in r.case.expected or rule_id in r.found}
        return report, [r for r in report.results
                        if rule_id in r.case.expected or rule_id in r.found
                        or (rule_id in r.evaluated and r.case.location.file in about)]

    # --- an unsaved edit -----------------------------------------------------------------

    def candidate(self, edit: Edit) -> str:
        """The file's text with the edit spliced in."""
        return splice_rule(self.document(edit.file), edit.rule, edit.values)

    def check(self, edit: Edit) -> list[Issue]:
        """What ``lrsrules check`` reports on the file with the edit, each at its field."""
        path = self.path_of(edit.file)
        text = self.candidate(edit)
        try:
            doc: YamlDocument | None = parse_yaml_text(path, text)
        except EngineError:
            doc = None
        report = lint_packs([path], files=PackFiles({path: text}))
        issues = [_issue(d.severity, d.problem, path, text, doc, edit.rule)
                  for d in report.diagnostics]
        return sorted(issues, key=lambda issue: (issue.field is None, issue.severity != "error"))

    def loads(self, edit: Edit) -> tuple[Pack | None, list[Issue]]:
        """The pack with the edit, or the errors that keep it from loading (or compiling)."""
        path = self.path_of(edit.file)
        text = self.candidate(edit)
        try:
            pack = self.pack(edit.file, text)
            check_pack(pack)  # its expressions: the loader reads them as text
            return pack, []
        except EngineError as error:
            try:
                doc: YamlDocument | None = parse_yaml_text(path, text)
            except EngineError:
                doc = None
            return None, [_issue("error", problem, path, text, doc, edit.rule)
                          for problem in error.problems]

    def diff(self, edit: Edit) -> dict[str, Any]:
        """The lines of the file the edit changes, and what changed in the rule's terms."""
        saved = self.document(edit.file).text
        text = self.candidate(edit)
        lines = list(difflib.unified_diff(saved.splitlines(keepends=True),
                                          text.splitlines(keepends=True),
                                          "saved", "edited", n=2))
        changes: list[dict[str, Any]] = []
        new, _ = self.loads(edit)
        if new is not None:
            for pair in diff_packs(self.pack(edit.file), new).changed:
                if pair.new.id == edit.rule:
                    changes = [{"aspect": c.aspect, "old": c.old, "new": c.new}
                               for c in pair.changes]
        return {"lines": [line.rstrip("\n") for line in lines], "changes": changes,
                "changed": text != saved}

    def impact(self, edit: Edit, sample: Path, *, show_values: bool = False
               ) -> dict[str, Any]:
        """Records of ``sample`` newly failing or passing with the edit, per rule, and the
        edited rule's findings on it (values masked unless ``show_values``)."""
        new_pack, issues = self.loads(edit)
        if new_pack is None:
            return {"errors": [issue.to_dict() for issue in issues]}
        today = dt.date.today()
        old, new = _compiled(self.pack(edit.file), today), _compiled(new_pack, today)
        per_rule: dict[str, dict[str, int]] = {}
        records: list[dict[str, Any]] = []
        impact = Impact(old, new, sample)
        for changed in impact:
            for key, kind in [*((k, "fails") for k in changed.added),
                              *((k, "passes") for k in changed.removed)]:
                counts = per_rule.setdefault(key[0], {"fails": 0, "passes": 0})
                counts[kind] += 1
                if len(records) < MAX_SHOWN_RECORDS:
                    records.append({"record": changed.record, "line": changed.line,
                                    "rule": key[0], "field": key[1], "severity": key[2],
                                    "now": kind})
        findings = list(_findings_of(new, sample, edit.rule))
        return {
            "records": impact.records,
            "per_rule": [{"rule": rule, **counts} for rule, counts in sorted(per_rule.items())],
            "changes": records,
            "findings": [_finding_dict(f, show_values) for f in findings[:MAX_SHOWN_FINDINGS]],
            "more_findings": max(0, len(findings) - MAX_SHOWN_FINDINGS),
        }

    def explain(self, edit: Edit, sample: Path, number: int, *,
                show_values: bool = False) -> dict[str, Any]:
        """The edited rule on record ``number`` of ``sample``: each part's value, the
        verdict (values masked unless ``show_values``)."""
        new_pack, issues = self.loads(edit)
        if new_pack is None:
            return {"errors": [issue.to_dict() for issue in issues]}
        today = dt.date.today()
        compiled = _compiled(new_pack, today)
        with lrsrules.validate(sample, compiled) as run:
            for checked in run.results():
                record = checked.record
                if record is None or record.number != number:
                    continue
                cross = find_cross(compiled, edit.rule)
                if cross is not None:
                    verdict, reason = explain_unique(cross, record.values, checked.findings)
                    return {"text": f"field {cross.field}: {verdict}: {reason}\n"}
                explained = explain_rule(compiled, edit.rule, record.values, today=today)
                if not explained:
                    return {"text": f"rule {edit.rule} is not in force today\n"}
                return {"text": format_explanation(explained, show_values=show_values),
                        "line": record.line}
        return {"text": f"the file has no record {number} (it holds {run.summary.records})\n"}

    def save(self, edit: Edit) -> list[Issue]:
        """Write the edit into its file if the pack loads with it; else its errors."""
        pack, issues = self.loads(edit)
        if pack is None:
            return issues
        save_text(self.path_of(edit.file), self.candidate(edit))
        return []


def own_rules(pack: Pack) -> tuple[RuleDef, ...]:
    """The rules the pack's own file defines (not those of packs it includes)."""
    mine = Path(pack.path).resolve()
    return tuple(rule for rule in pack.rules
                 if rule.location.file and Path(rule.location.file).resolve() == mine)


def enforced_by_words(rule: RuleDef) -> str:
    value = rule.enforced_by
    return ENFORCERS.get(value, value) if value else "not stated"


def editable_keys() -> tuple[str, ...]:
    return EDITABLE


def _test_status(pack: Pack) -> tuple[str, str]:
    try:
        report = run_pack_tests(pack)
    except EngineError:
        return "broken", "a test file cannot be read"
    if not report.has_tests or not report.results:
        return "none", "no tests"
    count = len(report.results)
    if report.failures:
        return "failed", f"{len(report.failures)} of {count} cases fail"
    if report.gaps:
        return "gaps", f"{count} cases pass; {len(report.gaps)} rules lack a case"
    return "passed", f"all {count} cases pass"


def _compiled(pack: Pack, today: dt.date) -> CompiledPack:
    return compile_pack(rules_in_force(pack, today), today=today, loaded=pack)


def _findings_of(compiled: CompiledPack, sample: Path, rule_id: str) -> Iterator[Finding]:
    with lrsrules.validate(sample, compiled) as run:
        for finding in run:
            if finding.rule == rule_id:
                yield finding


def _finding_dict(finding: Finding, show_values: bool) -> dict[str, Any]:
    data = finding.to_dict(show_values=show_values)
    if not show_values:
        data["value"] = None if finding.value is None else "(hidden)"
    return data


def _issue(severity: str, problem: Problem, path: Path, text: str, doc: YamlDocument | None,
           rule_id: str) -> Issue:
    loc = problem.location
    line, column = loc.line, loc.column
    same_file = loc.file is not None and Path(loc.file).resolve() == path.resolve()
    source = ""
    if same_file and line is not None:
        lines = text.splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
    placed = _place(doc, rule_id, line, column) if same_file and doc is not None else None
    key, offset = placed if placed else (None, None)
    return Issue(severity, problem.message, problem.hint, line if same_file else None,
                 column if same_file else None, key, offset, source)


def _place(doc: YamlDocument, rule_id: str, line: int | None,
           column: int | None) -> tuple[str, int] | None:
    """Which editable key of the rule (line, column) falls in, and the character there."""
    if line is None:
        return None
    try:
        index = rule_index(doc, rule_id)
    except EngineError:
        return None
    spec: Mapping[str, Any] = doc.data["rules"][index]
    for key in EDITABLE:
        if key not in spec:
            continue
        path = ("rules", index, key)
        _, end = doc.span(path)
        key_start, _ = doc.key_span(path)
        end_line = doc.text.count("\n", 0, end) + 1
        key_line = doc.text.count("\n", 0, key_start) + 1
        if not key_line <= line <= end_line:
            continue
        if key in EXPRESSIONS and isinstance(spec[key], str):
            positions = doc.expr_source(path).positions
            for offset, place in enumerate(positions):
                if place >= (line, column or 1):
                    return key, offset
            return key, len(positions) - 1
        return key, 0
    return None
