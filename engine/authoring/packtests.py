"""Regression cases kept beside a pack: load them, run them, and measure rule coverage.

A pack's ``tests/`` folder (beside its pack file) holds YAML files of cases, each a record
and the exact set of rule ids expected to fire on it (``schemas/packtests.schema.json``);
``before`` lists records the file holds ahead of it, for rules that compare records.
Record keys are input headings, matched to fields as in an input file; values are the text
as written (``01`` stays "01"), blank or null values are blank.

Every file runs against its pack as loaded, includes and all, so included rules fire too
and may be expected. Coverage asks, of each rule the pack itself defines, for a case where
it fires and a case where it is evaluated (its ``when`` holds and its field is not blank)
and does not; only what a case asserts and the run confirms counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrsrules.authoring.coverage import EvaluatedRules, RuleCoverage, measure_coverage
from lrsrules.errors import Location, PackError, Problem
from lrsrules.inputs.headings import describe_clash, field_lookup
from lrsrules.inputs.records import Record
from lrsrules.lang.checker import CheckedExpr
from lrsrules.packs.discovery import PACK_SUFFIXES, find_pack
from lrsrules.packs.loader import DEFAULT_PACK, load_pack
from lrsrules.packs.model import ExprSource, Pack, normalise_heading
from lrsrules.packs.schema import check_shape, item_name, nth, schema_validator
from lrsrules.packs.selection import select_rules
from lrsrules.packs.versions import current_ids, in_version_range, version_range_problem
from lrsrules.packs.yamlsource import YamlDocument, YamlPath, load_yaml
from lrsrules.run.crossrecord import COULD_NOT as _COULD_NOT
from lrsrules.run.crossrecord import CrossRecords
from lrsrules.run.fixes import FixProgram, apply_fixes, compile_fixes
from lrsrules.run.program import CompiledPack, Hit, check_pack, compile_pack
from lrsrules.run.runner import describe_failure

TESTS_FOLDER = "tests"
CLEAN = "clean"  # the label of a case that expects no rule to fire

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Case:
    """One record and the rules expected to fire on it."""

    name: str
    location: Location  # where the case starts in its file
    values: Mapping[str, str | None]  # by canonical field, base merged in; blank is None
    expect: tuple[str, ...]  # as written
    before: tuple[Mapping[str, str | None], ...] = ()  # records read ahead of it, in order
    ids: tuple[str, ...] | None = None  # ``expect`` with former ids (aliases) made current
    fixed: Mapping[str, str | None] | None = None  # by field: what the fixes must give
    own_fields: tuple[str, ...] = ()  # fields the case's own record sets (base left out)

    @property
    def expected(self) -> frozenset[str]:
        return frozenset(self.expect if self.ids is None else self.ids)

    @property
    def label(self) -> str:
        """The expected rule ids joined with ``+``, or ``clean``: how test ids name a case."""
        return "+".join(self.expect) or CLEAN


@dataclass(frozen=True, slots=True)
class CaseFile:
    path: str
    today: dt.date | None  # None: the real date
    cases: tuple[Case, ...]  # those for the pack's version
    skipped: int = 0  # cases scoped (``versions:``) to other versions of the pack


@dataclass(frozen=True, slots=True)
class RuleError:
    """A rule that raised on a case's record (a test record must not break a rule)."""

    rule: str
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    found: frozenset[str]  # rules with a finding on the record
    evaluated: frozenset[str]  # rules evaluated on it: `when` held and a field not blank
    errors: tuple[RuleError, ...] = ()
    # (field, stated, given) for each field whose fixed value differs from ``fixed:``
    fix_mismatches: tuple[tuple[str, str | None, str | None], ...] = ()
    fixed_by: frozenset[str] = frozenset()  # rules whose fix gave a stated value

    @property
    def missing(self) -> frozenset[str]:
        return self.case.expected - self.found

    @property
    def unexpected(self) -> frozenset[str]:
        return self.found - self.case.expected

    @property
    def passed(self) -> bool:
        return not (self.missing or self.unexpected or self.errors or self.fix_mismatches)

    def explain(self) -> list[str]:
        """What went wrong, one line each (test records are synthetic: values are shown)."""
        lines = [f"expected:   {_ids(self.case.expect)}", f"found:      {_ids(self.found)}"]
        if self.missing:
            lines.append(f"missing:    {_ids(self.missing)}")
        if self.unexpected:
            lines.append(f"unexpected: {_ids(self.unexpected)}")
        for error in self.errors:
            lines.append(f"error:      {error.rule} could not be evaluated on {error.field}"
                         f" ({error.message})")
        for name, stated, given in self.fix_mismatches:
            lines.append(f"fixed:      {name} should be {stated!r} after fixing, but is "
                         f"{given!r}")
        values = ", ".join(f"{name}={value!r}" for name, value in self.case.values.items())
        lines.append(f"record:     {values or '(empty)'}")
        return lines


@dataclass(frozen=True, slots=True)
class PackTestReport:
    pack: Pack
    tests_dir: str
    has_tests: bool  # whether ``tests_dir`` exists
    files: tuple[CaseFile, ...]
    results: tuple[CaseResult, ...]
    coverage: tuple[RuleCoverage, ...]  # the rules the pack itself defines
    keyword: str | None = None  # the cases were selected by it (-k): coverage not measured

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @property
    def gaps(self) -> tuple[RuleCoverage, ...]:
        return tuple(rule for rule in self.coverage if rule.gaps)

    @property
    def passed(self) -> bool:
        return not self.failures and not self.gaps


def tests_dir(pack: Pack) -> Path:
    """The folder of ``pack``'s cases: ``tests/`` beside its pack file."""
    return Path(pack.path).parent / TESTS_FOLDER


def discover_test_files(pack: Pack) -> list[Path]:
    """The YAML files directly in ``tests_dir(pack)``, sorted; none when it is missing."""
    folder = tests_dir(pack)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())


def load_case_file(path: str | os.PathLike[str], pack: Pack) -> CaseFile:
    """Read and check one file of cases against ``pack``; every problem in one ``PackError``."""
    try:
        doc = load_yaml(path, kind="file of pack tests", key="cases")
    except PackError as error:
        raise _as_test_file_error(error) from None
    problems = check_shape(doc, schema_validator("packtests.schema.json"), _describe)
    if problems:
        raise PackError(problems=problems)
    return _CaseReader(doc, pack).read()


def load_case_files(pack: Pack) -> tuple[CaseFile, ...]:
    """Every case file of ``pack``; problems in all of them are raised together."""
    files: list[CaseFile] = []
    problems: list[Problem] = []
    for path in discover_test_files(pack):
        try:
            files.append(load_case_file(path, pack))
        except PackError as error:
            problems.extend(error.problems)
    if problems:
        raise PackError(problems=problems)
    return tuple(files)


class CaseRunner:
    """Runs cases on one compiled pack, built for ``today`` (None: the real date)."""

    def __init__(self, compiled: CompiledPack, today: dt.date | None = None) -> None:
        self.compiled = compiled
        self.today = today
        self.evaluated = EvaluatedRules(compiled, today)
        self._fixes: FixProgram | None = None  # compiled for the first case with fixed:

    def run(self, case: Case) -> CaseResult:
        compiled = self.compiled
        values = tuple(case.values.get(name) for name in compiled.fields)
        found: set[str] = set()
        errors: list[RuleError] = []
        hits = list(compiled.hits(values))
        for hit in hits:
            target = hit.target
            if hit.error is not None:
                errors.append(RuleError(target.rule.id, target.field, _failure(hit.error)))
            else:
                found.add(target.rule.id)
        if compiled.cross:
            # The records before pass through the rules that compare records; only the
            # case's own record is asserted. Record n sits on line n + 1, below a heading.
            cross, findings = CrossRecords(compiled.cross), []
            for number, before in enumerate((*case.before, case.values), start=1):
                record = Record(number, number + 1,
                                tuple(before.get(name) for name in compiled.fields))
                findings = cross.findings(record)
            for finding in findings:
                if finding.message.startswith(_COULD_NOT):
                    errors.append(RuleError(finding.rule, finding.field or "", finding.message))
                else:
                    found.add(finding.rule)
        mismatches, fixed_by = self._check_fixes(case, hits)
        return CaseResult(case, frozenset(found), self.evaluated(values), tuple(errors),
                          mismatches, fixed_by)

    def _check_fixes(self, case: Case, hits: list[Hit]
                     ) -> tuple[tuple[tuple[str, str | None, str | None], ...], frozenset[str]]:
        """Apply the fixes of the rules that fired, as ``batch fix`` does, and compare."""
        if case.fixed is None:
            return (), frozenset()
        if self._fixes is None:
            self._fixes = compile_fixes(self.compiled, today=self.today)
        fixed, changes = apply_fixes(self._fixes, hits, case.values)
        mismatches = tuple((name, stated, fixed.get(name)) for name, stated in
                           case.fixed.items() if fixed.get(name) != stated)
        by = frozenset(rule for change in changes if change.field in case.fixed
                       and fixed.get(change.field) == case.fixed[change.field]
                       for rule in change.rules)
        return mismatches, by


def run_cases(compiled: CompiledPack, cases: Iterable[Case],
              today: dt.date | None = None) -> list[CaseResult]:
    """Run ``cases`` on ``compiled``, built for ``today`` (None: the real date)."""
    runner = CaseRunner(compiled, today)
    return [runner.run(case) for case in cases]


def run_pack_tests(ref: str | os.PathLike[str] | Pack | None = None, *,
                   checked: Mapping[ExprSource, CheckedExpr] | None = None,
                   keyword: str | None = None,
                   select: Iterable[str] | None = None,
                   ignore: Iterable[str] | None = None) -> PackTestReport:
    """Load the pack ``ref`` names (default ``DEFAULT_PACK``) and run its own cases.

    ``checked`` holds expressions already checked in the pack's scope, as ``compile_pack``
    takes them. The pack is checked once, however many dates its cases are run for. With
    ``keyword``, only the cases whose name or expected rule ids contain it (ignoring case)
    run, and coverage is not measured (a selection cannot cover the pack).
    ``select`` and ``ignore`` choose the rules tested (see ``packs.selection``; selectors
    naming no rule of this pack are let by, as another pack of its tree may hold them):
    each case then expects only the chosen rules it names.
    """
    loaded = ref if isinstance(ref, Pack) else load_pack(ref)
    pack = select_rules(loaded, select, ignore, strict=False)
    files = load_case_files(loaded)
    if pack is not loaded:
        kept = {name for rule in pack.rules for name in (rule.id, *rule.aliases)}
        fixing = {field for rule in pack.rules if rule.fix is not None
                  for field in rule.fields}
        files = tuple(dataclasses.replace(file, cases=tuple(
            dataclasses.replace(case, expect=tuple(e for e in case.expect if e in kept),
                                ids=None if case.ids is None
                                else tuple(e for e in case.ids if e in kept),
                                # the fixes of rules left out do not run: a case is
                                # asked only what the chosen rules' fixes give
                                fixed=_fixed_by(case.fixed, fixing))
            for case in file.cases)) for file in files)
    results: list[CaseResult] = []
    runners: dict[dt.date, CaseRunner] = {}
    real_today = dt.date.today()  # once, so a run that passes midnight stays consistent
    for file in files:
        cases = [case for case in file.cases if keyword is None or selected(case, keyword)]
        if not cases:
            continue
        today = file.today or real_today
        runner = runners.get(today)
        if runner is None:
            checked = check_pack(pack, checked)  # for the first date; the others reuse it
            compiled = compile_pack(pack, today=today, checked=checked)
            runner = runners[today] = CaseRunner(compiled, today)
        results.extend(runner.run(case) for case in cases)
    folder = tests_dir(pack)
    coverage = () if keyword is not None else measure_coverage(pack, results)
    return PackTestReport(pack, str(folder), folder.is_dir(), files, tuple(results),
                          coverage, keyword)


def _fixed_by(fixed: Mapping[str, str | None] | None, fields: set[str]
              ) -> Mapping[str, str | None] | None:
    """The values a case states for ``fields`` (those a selection's fixes change)."""
    kept = {field: value for field, value in (fixed or {}).items() if field in fields}
    return kept or None


def selected(case: Case, keyword: str) -> bool:
    """Whether ``keyword`` (``-k``) is in the case's name or its expected ids, ignoring case."""
    folded = keyword.casefold()
    return any(folded in text.casefold() for text in (case.name, *case.expect, *case.expected))


def include_tree(ref: str | os.PathLike[str] | None = None) -> list[Path]:
    """Pack files of ``ref`` and of every pack in its include tree (bases of overlays too),
    includes first, once each.

    Loads ``ref`` first, so a broken tree is reported as ``load_pack`` reports it.
    """
    root = find_pack(DEFAULT_PACK if ref is None else ref)
    load_pack(root)
    order: dict[Path, Path] = {}

    def visit(path: Path) -> None:
        key = path.resolve()
        if key in order:
            return
        order[key] = path  # placed now so a cycle stops here; re-placed after its includes
        data = load_yaml(path).data
        includes = data.get("include", [])
        base = [data["extends"]] if "extends" in data else []  # an overlay's base, first
        for include in [*base, *(includes if isinstance(includes, list) else [])]:
            visit(find_pack(include, base_dir=path.parent))
        del order[key]
        order[key] = path

    visit(root)
    return list(order.values())


class _CaseReader:
    """Turns a shape-checked file of cases into a ``CaseFile``, collecting every problem."""

    def __init__(self, doc: YamlDocument, pack: Pack) -> None:
        self.doc = doc
        self.pack = pack
        self.lookup = field_lookup(pack.fields)
        self.rule_ids = [rule.id for rule in pack.rules]
        self.current = current_ids(pack.rules)  # ids and former ids, to the id now
        self.problems: list[Problem] = []

    def read(self) -> CaseFile:
        data = self.doc.data
        today = self._today() if "today" in data else None
        base = self._record(("base",), data.get("base", {}))
        cases: list[Case] = []
        seen: dict[str, Location] = {}
        whole_file = self._for_this_version(("versions",), data.get("versions"))
        skipped = 0
        for index, spec in enumerate(data["cases"]):
            at: YamlPath = ("cases", index)
            name = spec["name"]
            where = self.doc.location((*at, "name"))
            if name in seen:
                self._problem(f"duplicate case name {name!r} (first at line {seen[name].line})",
                              where, "case names are unique within a file")
            seen.setdefault(name, where)
            if not (self._for_this_version((*at, "versions"), spec.get("versions"))
                    and whole_file):
                skipped += 1  # written for other versions: its rule ids may not exist here
                continue
            record = self._record((*at, "record"), spec.get("record", {}))
            before = tuple({**base, **self._record((*at, "before", i), earlier)}
                           for i, earlier in enumerate(spec.get("before", [])))
            for i, rule_id in enumerate(spec["expect"]):
                self._check_rule_id(rule_id, (*at, "expect", i))
            ids = tuple(self.current.get(rule_id, rule_id) for rule_id in spec["expect"])
            fixed = self._record((*at, "fixed"), spec["fixed"]) if "fixed" in spec else None
            cases.append(Case(name, self.doc.location(at), {**base, **record},
                              tuple(spec["expect"]), before, ids, fixed, tuple(record)))
        if self.problems:
            raise PackError(problems=self.problems)
        return CaseFile(self.doc.path, today, tuple(cases), skipped)

    def _for_this_version(self, at: YamlPath, spec: str | None) -> bool:
        """Whether cases scoped with ``versions: spec`` apply to the pack's version."""
        if spec is None:
            return True
        problem = version_range_problem(spec)
        if problem is not None:
            self._problem(problem, self.doc.location(at),
                          "versions scopes cases to pack versions, e.g. versions: '>=1.1'")
            return False
        return in_version_range(self.pack.version, spec)

    def _today(self) -> dt.date | None:
        text: str = self.doc.data["today"]
        try:
            if _DATE.fullmatch(text):
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        self._problem(f"today must be a real date written YYYY-MM-DD, not {text!r}",
                      self.doc.location(("today",)), "for example: today: 2026-06-15")
        return None

    def _record(self, at: YamlPath, record: Mapping[str, Any]) -> dict[str, str | None]:
        """Values by canonical field name; each heading must match one field, once."""
        values: dict[str, str | None] = {}
        headings: dict[str, str] = {}
        for heading, value in record.items():
            where = self.doc.key_location((*at, heading))
            name = self.lookup.get(normalise_heading(heading))
            if name is None:
                message, hint = self._unknown_heading(heading)
                self._problem(message, where, hint)
                continue
            if name in headings:
                self._problem(describe_clash(headings[name], heading, name, None), where,
                              "remove one of them")
                continue
            headings[name] = heading
            values[name] = None if value is None else _text(self.doc.raw((*at, heading)))
        return values

    def _unknown_heading(self, heading: str) -> tuple[str, str | None]:
        message = f"{heading!r} matches no field of pack {self.pack.name}"
        # Compared as written, so the suggestion follows the author's style of heading.
        headings = [h for f in self.pack.fields.values() for h in (f.name, *f.aliases)]
        close = difflib.get_close_matches(heading, headings, n=1)
        if close:
            return f"{message}; did you mean {close[0]!r}?", None
        return message, "keys are input headings: a field's name or one of its aliases"

    def _check_rule_id(self, rule_id: str, at: YamlPath) -> None:
        if rule_id in self.current:
            return  # an id, or a former id of a renamed rule
        message = f"unknown rule id {rule_id!r}"
        close = difflib.get_close_matches(rule_id, self.rule_ids, n=1)
        if close:
            self._problem(f"{message}; did you mean {close[0]!r}?", self.doc.location(at))
        else:
            self._problem(f"{message}: pack {self.pack.name} has no such rule",
                          self.doc.location(at), "expect lists the ids of rules that fire")

    def _problem(self, message: str, where: Location, hint: str | None = None) -> None:
        self.problems.append(Problem(message, where, hint))


def _as_test_file_error(error: PackError) -> PackError:
    # load_yaml words an empty file for pack files; a test file starts otherwise.
    first = error.problems[0]
    if len(error.problems) == 1 and first.message == "the file is empty":
        return PackError("the test file is empty", first.location,
                         hint="a test file holds `cases:`, a list of cases with name,"
                              " record and expect")
    return error


def _text(raw: str) -> str | None:
    # As the readers do: an empty or all-space value is blank.
    return None if not raw or raw.isspace() else raw


def _failure(error: BaseException) -> str:
    # Test records are synthetic, so Python's own message may be shown in full.
    described = describe_failure(error)
    return described if described != type(error).__name__ else f"{described}: {error}"


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids)) or "(none)"


def _describe(doc: YamlDocument, path: YamlPath) -> str:
    """Name a value of a test file: "case 'x'", "expect entry 2 of case 'x'" ..."""
    if not path:
        return "the test file"
    head, rest = path[0], path[1:]
    if head == "base":
        return f"value of {rest[0]} in base" if rest else "base"
    if head != "cases" or not rest:
        return str(head)
    name = item_name(doc, "cases", rest[0], "name")
    label = f"case {name!r}" if name else f"case {nth(rest[0])}"
    if len(rest) == 1:
        return label
    if len(rest) == 2:
        return f"{rest[1]} of {label}"
    if rest[1] == "record":
        return f"value of {rest[2]} in {label}"
    if rest[1] == "before" and len(rest) > 3:
        return f"value of {rest[3]} in record {nth(rest[2])} before {label}"
    return f"{rest[1]} entry {nth(rest[2])} of {label}"
