"""Every problem in packs at once, and warnings about what is probably a mistake.

Loading stops a file at the first stage that fails (a shape error hides the expressions),
and a pack that fails to load is not compiled. ``lint_packs`` goes further, for ``lrsrules
check``: it reads each pack file of the include trees itself, reports its YAML and shape
problems and the loader's, and checks the expressions of every rule whose own shape is valid
(names resolved as far as the readable files allow). Then, per pack file, it warns about:

- rules that can never apply or never fire: a ``when`` that is always false or null, a
  ``check`` always true or null, an ``unless`` always true (``false``, ``not true``,
  ``present(x) and false``: parts that read no field and do not call ``today()`` are
  evaluated once, with the compiler);
- lists and fields the file defines that no rule of its pack (its own or included) uses;
  a pack with no rules at all, such as lrs-fields, defines them for others and is exempt;
- rules without a test: as ``lrsrules test`` counts, a case in ``tests/`` where the rule
  fires and one where it is evaluated and passes.

Warnings are given for a pack file once it loads; unused definitions and tests once its
pack has no error at all.

Each file is read once (one ``PackFiles`` for the run) and each expression parsed once; an
expression is checked in the pack whose file holds it, and the packs that include that
file reuse the result (see ``_Expressions``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrsrules.authoring.diagnostics import Diagnostic, shown_path
from lrsrules.authoring.packtests import run_pack_tests
from lrsrules.errors import PackError, Problem
from lrsrules.lang import nodes as n
from lrsrules.lang.checker import CheckedExpr, Scope, check_expression
from lrsrules.lang.parser import parse_expression
from lrsrules.lang.subexpr import calls_today, evaluate, reads_record, walk
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import ExprSource, FieldDef, ListDef, Pack, RuleDef
from lrsrules.packs.packfiles import PackFiles
from lrsrules.packs.schema import schema_validator
from lrsrules.packs.yamlsource import YamlDocument, YamlPath
from lrsrules.run.program import lists_of

ROLES = ("when", "check", "unless")
_Checked = dict[ExprSource, CheckedExpr]  # checked in the pack's scope without problems


@dataclass(frozen=True, slots=True)
class LintReport:
    files: tuple[str, ...]  # the pack files checked, includes first
    diagnostics: tuple[Diagnostic, ...]  # sorted by place

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")


@dataclass(frozen=True, slots=True)
class _Rule:
    """What the expression checks need of a rule, from a loaded pack or a raw file."""

    id: str
    fields: tuple[str, ...]
    exprs: Mapping[str, ExprSource]  # by role, those the rule has


@dataclass
class _File:
    path: Path
    doc: YamlDocument | None
    includes: list[Path] = field(default_factory=list)


def lint_packs(refs: Iterable[str | os.PathLike[str]], *,
               files: PackFiles | None = None) -> LintReport:
    """Check the packs ``refs`` name and every pack they include, each file once, read
    through ``files`` (by default, a reader of its own).

    A reference that names no pack raises ``PackError``; problems inside packs are reported.
    """
    linter = _Linter(files)
    for ref in refs:
        try:
            paths = linter.pack_files.find_versions(ref)  # every version of a folder
        except PackError as error:
            # A folder is searched by reading its YAML files: a broken one is a finding.
            if not all(problem.location.line for problem in error.problems):
                raise
            linter.add("yaml", error.problems)
            continue
        for path in paths:
            linter.visit(path)
    for path in linter.files:
        linter.lint_file(path)
    found = {d.key(): d for d in reversed(linter.found)}  # the first route wins
    ordered = sorted(found.values(), key=Diagnostic.sort_key)
    return LintReport(tuple(str(f.path) for f in linter.files.values()), tuple(ordered))


class _Linter:
    def __init__(self, files: PackFiles | None = None) -> None:
        self.files: dict[Path, _File] = {}  # by resolved path, includes first
        self.found: list[Diagnostic] = []
        self._open: set[Path] = set()  # files whose includes are being read
        self.pack_files = files or PackFiles()
        self.exprs = _Expressions()

    def add(self, code: str, problems: Iterable[Problem]) -> None:
        self.found += [Diagnostic(code, problem) for problem in problems]

    def visit(self, path: Path) -> Path:
        """Read ``path`` and, depth first, what it includes; tolerant of every failure."""
        key = path.resolve()
        if key in self.files or key in self._open:
            return key  # done, or an include cycle (the loader reports it)
        try:
            doc: YamlDocument | None = self.pack_files.read(path)
        except PackError as error:
            self.add("yaml", error.problems)
            doc = None
        entry = _File(path, doc)
        data = doc.data if doc else {}
        includes = data.get("include")
        # An overlay's base (extends) is reached like a first include.
        refs: list[tuple[YamlPath, Any]] = [(("extends",), data.get("extends"))]
        refs += [(("include", i), ref) for i, ref in
                 enumerate(includes if isinstance(includes, list) else [])]
        self._open.add(key)
        for at, ref in refs:
            if not isinstance(ref, str) or doc is None:
                continue
            try:
                found = self.pack_files.find(ref, base_dir=path.parent,
                                             root=self.pack_files.root_of(path))
            except PackError as error:
                # As the loader words it (it does not get this far past a shape error).
                self.add("pack", (problem if problem.location.line else
                                  Problem(problem.message, doc.location(at), problem.hint)
                                  for problem in error.problems))
                continue
            entry.includes.append(self.visit(found))
        self._open.discard(key)
        self.files[key] = entry
        return key

    def lint_file(self, key: Path) -> None:
        entry = self.files[key]
        if entry.doc is None:
            return
        self.add("schema", self.pack_files.shape(entry.doc))
        try:
            pack = load_pack(entry.path, files=self.pack_files)
        except PackError as error:
            self.add("pack", error.problems)
            self._check_rules(_raw_rules(entry.doc), self._scope(key))
            return
        own = [_Rule(r.id, r.fields, _exprs(r)) for r in pack.rules if r.pack == pack.name]
        checked, broken = self._check_pack(pack)
        _Constants(self, pack).warn(own, checked)
        if not broken:
            self._warn_unused(pack, checked)
            self._warn_untested(pack, checked)

    def _check_pack(self, pack: Pack) -> tuple[_Checked, bool]:
        """Check every rule of ``pack`` in its scope, reporting the problems of its own rules
        (its file reports the others'); and whether any rule has a problem."""
        checked: _Checked = {}
        broken = False
        for rule in pack.rules:
            scope = Scope(pack.fields, pack.lists, rule.fields)
            for role, source in _exprs(rule).items():
                result, problems = self.exprs.check(source, scope, role,
                                                    keep=source.file == pack.path)
                if rule.pack == pack.name:
                    self.add("expression", problems)
                broken = broken or bool(problems)
                if result is not None and not problems:
                    checked[source] = result
        return checked, broken

    def _check_rules(self, rules: Sequence[_Rule], scope: Scope) -> None:
        for rule in rules:
            rule_scope = Scope(scope.fields, scope.lists, rule.fields)
            for role, source in rule.exprs.items():
                self.add("expression", self.exprs.check(source, rule_scope, role)[1])

    def _scope(self, key: Path) -> Scope:
        """Fields and lists of the readable files of ``key``'s include tree, as written."""
        fields: dict[str, FieldDef] = {}
        lists: dict[str, ListDef] = {}
        for path in self._tree(key, set()):
            doc = self.files[path].doc
            data = doc.data if doc else {}
            defined = data.get("fields")
            for name, spec in defined.items() if isinstance(defined, dict) else ():
                # Names are what the checker needs; aliases word its hints.
                aliases = spec.get("aliases") if isinstance(spec, dict) else None
                written = aliases if isinstance(aliases, list) else []
                fields.setdefault(name, FieldDef(name, tuple(map(str, written))))
            named = data.get("lists")
            for name in named if isinstance(named, dict) else ():
                lists.setdefault(name, ListDef(name, ()))
        return Scope(fields, lists)

    def _tree(self, key: Path, seen: set[Path]) -> list[Path]:
        if key in seen:
            return []
        seen.add(key)
        found = [key]
        for include in self.files[key].includes:
            found += self._tree(include, seen)
        return found

    def _warn_unused(self, pack: Pack, checked: _Checked) -> None:
        if not pack.rules:
            return  # a pack of definitions for others to include
        lists: set[str] = set()
        fields: set[str] = set()
        for rule in pack.rules:
            fields.update(rule.fields)
            for source in _exprs(rule).values():
                for node in walk(checked[source].root):
                    if isinstance(node, n.ListRef):
                        lists.add(node.name)
                    elif isinstance(node, n.Name):
                        fields.add(node.name)
        for spec in pack.lists.values():
            if spec.location.file == pack.path and spec.name not in lists:
                self.add("unused-list", [Problem(
                    f"list {spec.name} is used by no rule of pack {pack.name}",
                    spec.location, f"use it as @{spec.name} in an expression, or remove it")])
        for name, definition in pack.fields.items():
            if definition.location.file == pack.path and name not in fields:
                self.add("unused-field", [Problem(
                    f"field {name} is read by no rule of pack {pack.name}",
                    definition.location,
                    "a rule may read it, or it may go if no input needs the heading")])

    def _warn_untested(self, pack: Pack, checked: _Checked) -> None:
        try:
            report = run_pack_tests(pack, checked=checked)
        except PackError as error:
            self.add("tests", error.problems)
            return
        for rule in report.gaps:
            self.add("untested-rule", [Problem(
                f"rule {rule.rule} is not tested: {'; '.join(rule.gaps)}", rule.location,
                f"add cases to {shown_path(report.tests_dir)} (see lrsrules test)")])


class _Expressions:
    """The run's expressions, each parsed once and, where it can be, checked once.

    Whether a check passes depends on its scope only through which fields and lists exist,
    and a pack that includes a file has every definition that file's pack has (the same, or
    it fails to load). So an expression that checks clean in the pack of the file holding
    it (``keep``) checks the same in every pack that reaches it, and that result is reused;
    one that does not is checked again in each scope, from its one parse.
    """

    def __init__(self) -> None:
        self._parsed: dict[ExprSource, n.Node | tuple[Problem, ...]] = {}
        self._clean: dict[ExprSource, CheckedExpr] = {}

    def check(self, source: ExprSource, scope: Scope, role: str,
              *, keep: bool = False) -> tuple[CheckedExpr | None, list[Problem]]:
        known = self._clean.get(source)
        if known is not None:
            return known, []
        root = self._parsed.get(source)
        if root is None:
            try:
                root = parse_expression(source)
            except PackError as error:
                root = error.problems
            self._parsed[source] = root
        if isinstance(root, tuple):
            return None, list(root)
        result, problems = check_expression(root, source, scope, role=role)
        if keep and not problems:
            self._clean[source] = result
        return result, problems


class _Constants:
    """Warnings about conditions that are the same on every record."""

    def __init__(self, linter: _Linter, pack: Pack) -> None:
        self.linter = linter
        self.lists = lists_of(pack)
        self.today = dt.date.today()

    def warn(self, rules: Sequence[_Rule], checked: _Checked) -> None:
        for rule in rules:
            for role in ROLES:
                source = rule.exprs.get(role)
                expr = None if source is None else checked.get(source)
                if expr is None:
                    continue
                values = {self.fold(expr, expr.root, name) for name in rule.fields}
                if len(values) == 1:
                    self._report(rule, role, expr, values.pop())

    def _report(self, rule: _Rule, role: str, expr: CheckedExpr, value: object) -> None:
        if role == "when" and (value is False or value is None):
            code, message = "never-applies", f"rule {rule.id} can never apply"
        elif value is True or (role == "check" and value is None):
            if role == "when":
                return
            code, message = "never-fires", f"rule {rule.id} never fires"
        else:
            return
        shown = "null" if value is None else str(value).lower()
        self.linter.add(code, [Problem(f"{message}: its {role} is always {shown}",
                                       expr.source.location(0))])

    def fold(self, expr: CheckedExpr, node: n.Node, field_name: str) -> Any:
        """The node's value when it is the same on every record, else ``_UNKNOWN``."""
        if not reads_record(node) and not calls_today(node):
            try:
                return evaluate(expr, node, (), self.lists, (), today=self.today,
                                field=field_name)
            except Exception:
                return _UNKNOWN  # fails on every record: the run reports that
        if isinstance(node, n.Unary) and node.op == "not":
            inner = self.fold(expr, node.operand, field_name)
            return inner if inner is _UNKNOWN or inner is None else not inner
        if isinstance(node, n.Binary) and node.op in ("and", "or"):
            # Kleene logic: the deciding value (false for and, true for or) on either side
            # decides; otherwise null wins over the other value.
            decide = node.op == "or"
            sides = (self.fold(expr, node.left, field_name),
                     self.fold(expr, node.right, field_name))
            if any(side is decide for side in sides):
                return decide
            if any(side is _UNKNOWN for side in sides):
                return _UNKNOWN
            return None if any(side is None for side in sides) else not decide
        return _UNKNOWN


_UNKNOWN = object()  # a value that depends on the record


def _exprs(rule: RuleDef) -> dict[str, ExprSource]:
    found = {"when": rule.when, "check": rule.check, "unless": rule.unless, "fix": rule.fix}
    return {role: source for role, source in found.items() if source is not None}


def _raw_rules(doc: YamlDocument) -> list[_Rule]:
    """The rules of a file that failed to load whose own shape is valid."""
    rules = doc.data.get("rules")
    if not isinstance(rules, list):
        return []
    broken: set[int] = set()
    for error in schema_validator("pack.schema.json").iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if path[:1] == ("rules",):
            if len(path) == 1:
                return []
            broken.add(int(path[1]))
    found = []
    for index, spec in enumerate(rules):
        if index in broken:
            continue
        names = spec["field"]
        exprs = {role: doc.expr_source(("rules", index, role)) for role in ROLES if role in spec}
        found.append(_Rule(spec["id"], (names,) if isinstance(names, str) else tuple(names),
                           exprs))
    return found
