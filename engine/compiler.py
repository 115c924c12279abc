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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.engine import nodes as n
from lrsrules.engine.checker import CheckedExpr
from lrsrules.engine.codegen import Emitter, ExprCode

# A function returned by compile_rules: values (in CompiledPack.fields order) -> hits, where a
# hit is a target index (the rule failed) or (target index, exception) (it could not be
# evaluated).
CheckFunction = Callable[[Sequence[str | None]], list[Any]]

CACHE_LIMIT = 16384  # distinct values remembered per field before the cache starts afresh
REVIEW_EVERY = 4096  # new values between reviews of whether a field's cache pays


def review_cache(cache: dict[object, object], state: list[Any], calls: int) -> None:
    """Keep caching a field's results only while its values repeat (half the lookups hit).

    Fields whose values are nearly all distinct (ULNs, e-mail addresses) stop being cached
    after the first few thousand records; the cache is emptied when it reaches its limit.
    """
    lookups, state[1] = calls - state[1], calls
    if lookups < 2 * REVIEW_EVERY:
        state[0] = False
        cache.clear()
    elif len(cache) >= CACHE_LIMIT:
        cache.clear()
_COSTLY = re.compile(r"_c[0-9]+\(|\x00")  # a call to a function or regex passed in as a constant


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


def _dependencies(rule: RuleCode, env: Mapping[str, str]) -> set[str]:
    """The local variables (fields) a rule target reads."""
    names: set[str] = set()
    for checked in (rule.when, rule.check, rule.unless):
        if checked is not None:
            names |= n.names_in(checked.root)
    names.discard("field_name")  # a constant within a target
    return {env[rule.field] if name == "value" else env[name] for name in names}


def _rule_lines(index: int, condition: str) -> list[str]:
    return [
        "    try:",
        f"        if {condition}:",
        f"            hits.append({index})",
        "    except Exception as exc:",  # one failing rule is a finding, not a crash
        f"        hits.append(({index}, exc))",
    ]


def _function(name: str, params: str, head: Sequence[str], body: Sequence[str],
              result: str, emitter: Emitter) -> str:
    text, slots = emitter.resolve("\n".join(body))
    lines = [f"def {name}({params}):", *head, "    hits = []"]
    if slots:
        lines.append(f"    {' = '.join(slots)} = _UNSET")
    return "\n".join([*lines, text, f"    return {result}"]) + "\n"


def generate_check_source(rules: Sequence[RuleCode], fields: Sequence[str],
                          lists: Mapping[str, tuple[str, ...]], emitter: Emitter) -> str:
    """Source of ``_check(values)``: every rule target, each in its own try.

    Targets that read one field and do real work (a regex, a function call) are grouped by
    that field into a function of its value whose results are cached per distinct value:
    codes, names, dates and postcodes repeat across a file, and a repeat costs one dict
    lookup. Each cache is cleared when full, so memory stays bounded.
    """
    env = _variables(fields)
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for index, rule in enumerate(rules):
        lines = _rule_lines(index, rule_condition(rule, env, emitter, lists))
        deps = _dependencies(rule, env)
        if len(deps) == 1 and _COSTLY.search(lines[1]):
            by_field.setdefault(deps.pop(), []).extend(lines)
        else:
            general.extend(lines)
    sources = []
    tail: list[str] = []
    for var, body in by_field.items():
        group = f"_g_{var}"
        cache = emitter.constant({}, ("cache", var))
        state = emitter.constant([True, 0], ("cache-state", var))
        sources.append(_function(group, var, [], body, "tuple(hits)", emitter))
        tail += [
            f"    if {state}[0]:",
            f"        found = {cache}.get({var})",
            "        if found is None:",
            f"            found = {group}({var})",
            f"            {cache}[{var}] = found",
            f"            if not len({cache}) % {REVIEW_EVERY}:",
            f"                _review({cache}, {state}, calls)",
            "    else:",
            f"        found = {group}({var})",
            "    if found:",
            "        hits.extend(found)",
        ]
    head = _unpack(fields)
    if by_field:
        head += ["    _calls[0] = calls = _calls[0] + 1"]
        emitter.constants["_calls"] = [0]
        emitter.constants["_review"] = review_cache
    sources.append(_function("_check", "values", head, [*general, *tail], "hits", emitter))
    return "\n".join(sources)


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
    head = ["def _value(values):", *_unpack(fields)]
    if slots:
        head.append(f"    {' = '.join(slots)} = _UNSET")
    source = "\n".join([*head, f"    return {code}"]) + "\n"
    return _build(source, emitter, "_value", "<expression>")  # type: ignore[no-any-return]
