"""Fix expressions: rules that say how to correct the value they find wrong.

A rule may carry ``fix: <expression>``, giving the corrected text of its field (``value``
is the field at hand, so one fix serves every field of a multi-field rule). The fix is
checked like the rule's conditions when compiled (names, types, regexes; it must give
text) and compiled once per field. ``fix_record`` applies a fix where its rule fires and
the fix gives a value that is not blank and differs from the current one, rounds until
nothing changes, and returns what changed; re-running the pack on the result tells what
is fixed from what still needs a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.errors import PackError, Problem
from lrsrules.lang.checker import CheckedExpr, Scope, parse_and_check
from lrsrules.lang.compiler import compile_value
from lrsrules.packs.model import ExprSource, RuleDef
from lrsrules.run.program import CompiledPack, lists_of

FIX_KEY = "fix"  # the rule key, kept by the loader in ``RuleDef.extra``
MAX_ROUNDS = 3  # a fix may make another rule fire whose fix then applies; no more than this


@dataclass(frozen=True, slots=True)
class Fix:
    rule: RuleDef
    field: str
    compute: Callable[[Sequence[str | None]], Any]  # values in ``FixProgram.fields`` order


@dataclass(frozen=True, slots=True)
class FixProgram:
    """A compiled pack with the fixes of its rules, by target index."""

    compiled: CompiledPack
    fields: tuple[str, ...]  # every field of the pack: the values a fix takes
    fixes: Mapping[int, Fix]

    def __bool__(self) -> bool:
        return bool(self.fixes)


@dataclass(frozen=True, slots=True)
class Change:
    """A field's value before and after fixing, and the rules whose fixes changed it."""

    field: str
    rules: tuple[str, ...]
    old: str | None
    new: str


def fix_source(rule: RuleDef) -> ExprSource | None:
    """The rule's fix expression, if it has one."""
    return rule.fix


def compile_fixes(compiled: CompiledPack, *, today: dt.date | None = None) -> FixProgram:
    """Check and compile every fix of the pack; all problems at once, as a ``PackError``."""
    pack = compiled.pack
    fields = tuple(pack.fields)
    lists = lists_of(pack)
    problems: list[Problem] = []
    fixes: dict[int, Fix] = {}
    checked_of: dict[str, Any] = {}
    for rule in pack.rules:
        source = fix_source(rule)
        if source is None:
            continue
        checked, found = check_fix(source, Scope(pack.fields, pack.lists, rule.fields))
        problems += found
        checked_of[rule.id] = checked
    if problems:
        raise PackError(problems=problems)
    for index, target in enumerate(compiled.targets):
        checked = checked_of.get(target.rule.id)
        if checked is not None:
            compute = compile_value(checked, fields, lists, today=today or dt.date.today(),
                                    field=target.field)
            fixes[index] = Fix(target.rule, target.field, compute)
    return FixProgram(compiled, fields, fixes)


def check_fix(source: ExprSource, scope: Scope) -> tuple[CheckedExpr | None, list[Problem]]:
    """Parse and check one fix expression; it must give text."""
    checked, problems = parse_and_check(source, scope, "fix")
    return (checked if not problems else None), problems


def fix_record(program: FixProgram, values: Mapping[str, str | None]
               ) -> tuple[dict[str, str | None], tuple[Change, ...]]:
    """Apply the fixes of the rules that fire on ``values`` (by field): the fixed values
    and what changed (each field once, from its first value to its last)."""
    current = dict(values)
    compiled = program.compiled
    history: dict[str, tuple[str | None, list[str]]] = {}
    for _ in range(MAX_ROUNDS):
        changed = False
        for hit in compiled.check(tuple(current.get(name) for name in compiled.fields)):
            fix = program.fixes.get(hit) if isinstance(hit, int) else None
            if fix is None:
                continue
            try:
                new = fix.compute(tuple(current.get(name) for name in program.fields))
            except Exception:
                continue  # a fix that cannot be evaluated leaves the value to a person
            old = current.get(fix.field)
            if not isinstance(new, str) or not new.strip() or new == old:
                continue
            _, rules = history.setdefault(fix.field, (old, []))
            if fix.rule.id not in rules:
                rules.append(fix.rule.id)
            current[fix.field] = new
            changed = True
        if not changed:
            break
    changes = tuple(Change(name, tuple(rules), first, current[name])  # type: ignore[arg-type]
                    for name, (first, rules) in history.items() if current[name] != first)
    return current, changes
