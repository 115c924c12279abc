"""Fix expressions: rules that say how to correct the value they find wrong.

A rule may carry ``fix: <expression>``, giving the corrected text of its field (``value``
is the field at hand, so one fix serves every field of a multi-field rule). The fix is
checked like the rule's conditions when the pack is compiled (names, types, regexes; it
must give text) and compiled once per field. ``apply_fixes`` applies, after one check of a
record, the fix of each rule that fired where it gives a value that is not blank and
differs from the current one, and returns what changed; one more check of the result tells
what is fixed from what still needs a person (two checks a record, never more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.errors import Problem
from lrsrules.lang.checker import CheckedExpr, Scope, parse_and_check
from lrsrules.lang.compiler import compile_value
from lrsrules.packs.model import ExprSource, RuleDef
from lrsrules.run.program import CompiledPack, Hit, lists_of

FIX_KEY = "fix"  # the rule key, kept by the loader in ``RuleDef.extra``


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
    fixes: Mapping[tuple[str, str], Fix]  # by (rule id, field)

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
    """Compile every fix of the pack, once per target; ``compile_pack`` checked them."""
    pack = compiled.pack
    fields = tuple(pack.fields)
    lists = lists_of(pack)
    fixes: dict[tuple[str, str], Fix] = {}
    for target in compiled.targets:
        checked = compiled.fixes.get(target.rule.id)
        if checked is not None:
            compute = compile_value(checked, fields, lists, today=today or dt.date.today(),
                                    field=target.field)
            fixes[target.rule.id, target.field] = Fix(target.rule, target.field, compute)
    return FixProgram(compiled, fields, fixes)


def check_fix(source: ExprSource, scope: Scope) -> tuple[CheckedExpr | None, list[Problem]]:
    """Parse and check one fix expression; it must give text."""
    checked, problems = parse_and_check(source, scope, "fix")
    return (checked if not problems else None), problems


def apply_fixes(program: FixProgram, hits: Iterable[Hit], values: Mapping[str, str | None]
                ) -> tuple[dict[str, str | None], tuple[Change, ...]]:
    """Apply the fixes of the rules in ``hits`` (one check of ``values``, by field): the
    fixed values and what changed. A fix that fails, gives blank or changes nothing is not
    applied; each fix sees the values as they were checked, so the order of rules does not
    matter."""
    current = dict(values)
    changed: dict[str, list[str]] = {}
    given = tuple(values.get(name) for name in program.fields)
    for hit in hits:
        fix = program.fixes.get((hit.target.rule.id, hit.target.field))
        if fix is None or hit.error is not None:
            continue
        try:
            new = fix.compute(given)
        except Exception:
            continue  # a fix that cannot be evaluated leaves the value to a person
        if not isinstance(new, str) or not new.strip() or new == values.get(fix.field):
            continue
        rules = changed.setdefault(fix.field, [])
        if fix.rule.id not in rules:
            rules.append(fix.rule.id)
        current[fix.field] = new
    changes = tuple(Change(name, tuple(rules), values.get(name), current[name])  # type: ignore[arg-type]
                    for name, rules in changed.items())
    return current, changes


def fix_record(program: FixProgram, values: Mapping[str, str | None]
               ) -> tuple[dict[str, str | None], tuple[Change, ...]]:
    """Check ``values`` (by field) once and apply the fixes of the rules that fire."""
    compiled = program.compiled
    return apply_fixes(program, compiled.hits(tuple(values.get(name) for name in compiled.fields)),
                       values)
