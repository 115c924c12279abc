"""Checked rules -> one Python function per pack, compiled once.

Why generated code: the per-record cost of a pack is held under 0.8x a careful hand-written
loop (benchmarks/bench_engine.py); nested closures sit near 1x because every node costs a
call, and a tree walk per record is several times slower. The source is generated only from
the checked syntax tree (engine/codegen.py): every literal is emitted with ``repr()``, every
other object (lists, compiled regexes, functions) is passed in as a named constant, and no
text of the pack is ever pasted into the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.lang.checker import CheckedExpr
from lrsrules.lang.codegen import Emitter, ExprCode

# A function returned by compile_rules: values (in CompiledPack.fields order) -> hits, where a
# hit is a target index (the rule failed) or (target index, exception) (it could not be
# evaluated).
CheckFunction = Callable[[Sequence[str | None]], list[Any]]


@dataclass(frozen=True, slots=True)
class RuleCode:
    """The checked conditions of one rule applied to one field (a 'target')."""

    check: CheckedExpr
    when: CheckedExpr | None
    unless: CheckedExpr | None
    field: str  # the field `value` and `field_name` stand for


def _variables(fields: Sequence[str]) -> dict[str, str]:
    return {name: f"v{i}" for i, name in enumerate(fields)}


def _unpack(fields: Sequence[str]) -> list[str]:
    names = _variables(fields).values()
    return [f"    {', '.join(names)}, = values"] if fields else []


def rule_condition(rule: RuleCode, env: Mapping[str, str], emitter: Emitter,
                   lists: Mapping[str, tuple[str, ...]]) -> str:
    """Python test that the rule applies, its check is false, and nothing excuses it."""
    env = {**env, "value": env.get(rule.field, "None")}
    known: frozenset[str] = frozenset()
    tests: list[str] = []
    if rule.when is not None:  # a when that is null skips the rule
        code, known = _coder(rule.when, env, rule, emitter, lists).test(
            rule.when.root, True, known)
        tests.append(code)
    code, known = _coder(rule.check, env, rule, emitter, lists).test(
        rule.check.root, False, known)  # a check that is null gives no finding
    tests.append(code)
    if rule.unless is not None:  # an unless that is null does not excuse
        code, _ = _coder(rule.unless, env, rule, emitter, lists).test(
            rule.unless.root, True, known)
        tests.append(f"not {code}")
    return " and ".join(tests)


def _coder(checked: CheckedExpr, env: Mapping[str, str], rule: RuleCode, emitter: Emitter,
           lists: Mapping[str, tuple[str, ...]]) -> ExprCode:
    return ExprCode(emitter, checked, env, rule.field, lists)


def _rule_lines(index: int, condition: str) -> list[str]:
    return [
        "    try:",
        f"        if {condition}:",
        f"            hits.append({index})",
        "    except Exception as exc:",  # one failing rule is a finding, not a crash
        f"        hits.append(({index}, exc))",
    ]


def _empty_memo_slots(slots: Sequence[str]) -> list[str]:
    return [f"    {' = '.join(slots)} = _UNSET"] if slots else []


def generate_check_source(rules: Sequence[RuleCode], fields: Sequence[str],
                          lists: Mapping[str, tuple[str, ...]], emitter: Emitter) -> str:
    """Source of ``_check(values)``: every rule target, each in its own try."""
    env = _variables(fields)
    body: list[str] = []
    for index, rule in enumerate(rules):
        body += _rule_lines(index, rule_condition(rule, env, emitter, lists))
    text, slots = emitter.resolve("\n".join(body))
    head = ["def _check(values):", *_unpack(fields), "    hits = []", *_empty_memo_slots(slots)]
    return "\n".join([*head, text, "    return hits"]) + "\n"


def _build(source: str, emitter: Emitter, name: str, label: str) -> Any:
    namespace: dict[str, Any] = dict(emitter.constants)
    exec(compile(source, label, "exec"), namespace)  # generated from the checked tree only
    return namespace[name]


def compile_rules(rules: Sequence[RuleCode], fields: Sequence[str],
                  lists: Mapping[str, tuple[str, ...]], *, today: dt.date,
                  label: str = "<pack>") -> tuple[CheckFunction, str]:
    emitter = Emitter(today)
    source = generate_check_source(rules, fields, lists, emitter)
    function: CheckFunction = _build(source, emitter, "_check", label)
    return function, source


def compile_value(checked: CheckedExpr, fields: Sequence[str],
                  lists: Mapping[str, tuple[str, ...]], *, today: dt.date,
                  field: str | None = None) -> Callable[[Sequence[str | None]], Any]:
    """One expression as a function of the field values: for tests and ``explain``."""
    emitter = Emitter(today)
    env = _variables(fields)
    env["value"] = env.get(field, "None") if field else "None"
    code = ExprCode(emitter, checked, env, field, lists).value(checked.root, frozenset())
    code, slots = emitter.resolve(code)
    head = ["def _value(values):", *_unpack(fields), *_empty_memo_slots(slots)]
    source = "\n".join([*head, f"    return {code}"]) + "\n"
    return _build(source, emitter, "_value", "<expression>")  # type: ignore[no-any-return]
