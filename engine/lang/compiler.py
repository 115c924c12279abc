"""Checked rules -> one Python function per pack, compiled once.

Why generated code: the per-record cost of a pack is held under 0.8x a careful hand-written
loop (benchmarks/bench_engine.py); nested closures sit near 1x because every node costs a
call, and a tree walk per record is several times slower. The source is generated only from
the checked syntax tree (``codegen``): every literal is emitted with ``repr()``, every
other object (lists, compiled regexes, functions) is passed in as a named constant, and no
text of the pack is ever pasted into the code.

It is laid out to be read when debugging (``lrsrules explain --code``): each target's block
opens with a comment naming its index, rule id and field (pack text, so only in a comment
and escaped when it is not plainly a name), fields are held in ``f_<field>`` variables, and
long conditions are broken inside brackets (lang/wrapping.py), which leaves the syntax tree
as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from lrsrules import speedups
from lrsrules.lang.checked import CheckedExpr
from lrsrules.lang.checked import CheckFunction as CheckFunction
from lrsrules.lang.checked import RuleCode as RuleCode  # defined apart: see checked
from lrsrules.lang.codegen import Emitter, ExprCode
from lrsrules.lang.groups import bind_groups, hit_index, single_field_groups
from lrsrules.lang.wrapping import WIDTH, fill, wrap_condition

_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")  # rule ids and field names shown as they are
_TARGET_HEADER = re.compile(r"    # \[([0-9]+)\] ")
_IN_A_BLOCK = ("        ", "    try:", "    except Exception as exc:")  # a target's lines


def field_variables(fields: Sequence[str]) -> dict[str, str]:
    """The local of the generated code that holds each field's value."""
    return {name: _variable(name, i) for i, name in enumerate(fields)}


def _variable(field: str, index: int) -> str:
    """The local that holds a field's value: ``f_`` and the field name, else ``v<index>``.

    No name of the generated code (``values``, ``hits``, ``exc``, ``_``-prefixed names),
    keyword or builtin starts with ``f_``, so a field cannot shadow them (a bare ``len``
    field would hide the ``len`` of ``len(x)``). ASCII only: Python folds non-ASCII
    identifiers (NFKC), which could make two fields one variable.
    """
    if field.isascii() and field.isidentifier():
        return f"f_{field}"
    return f"v{index}"


def _unpack(fields: Sequence[str]) -> list[str]:
    names = list(field_variables(fields).values())
    if not names:
        return []
    line = f"    {', '.join(names)}, = values"
    if len(line) <= WIDTH:
        return [line]
    return ["    (", *fill(names, ", ", "        "), "    ) = values"]


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


def _rule_lines(index: int, rule: RuleCode, condition: str) -> list[str]:
    return [
        target_comment(index, rule),
        "    try:",
        *wrap_condition("if", condition, "        "),
        f"            hits.append({index})",
        "    except Exception as exc:",  # one failing rule is a finding, not a crash
        f"        hits.append(({index}, exc))",
    ]


def target_comment(index: int, rule: RuleCode) -> str:
    """The comment line that opens the code of target ``index``."""
    rule_id = f"{_commented(rule.rule_id)} " if rule.rule_id else ""
    return f"    # [{index}] {rule_id}on {_commented(rule.field)}"


def _commented(text: str) -> str:
    """Pack text made safe in a comment: as it is when plainly a name, else its repr(),
    in which no line break (nor any other unprintable character) is left unescaped."""
    return text if _PLAIN.fullmatch(text) else repr(text)


def _empty_memo_slots(slots: Sequence[str]) -> list[str]:
    # `_m0 = _m1 = _UNSET`, on as many lines as it takes
    return [f"{line} _UNSET" for line in fill(slots, " = ", "    ", WIDTH - len(" _UNSET"))]


def generate_check_source(rules: Sequence[RuleCode], fields: Sequence[str],
                          lists: Mapping[str, tuple[str, ...]], emitter: Emitter, *,
                          remember: bool = False, distinct: Collection[str] = (),
                          numbers: Sequence[int] | None = None) -> str:
    """Source of ``_check(values)``: every rule target, each in its own try; a hit is the
    target's index in ``rules``, or its number in ``numbers`` (ascending) when given.

    With ``remember``, the targets that read one field and nothing else (two or more on
    that field) are checked in a function of their own, ``_g<n>(value)``, whose hits are
    remembered by value (``_G<n>``, see ``lang/groups.py``):
    ``_check`` looks them up first, then runs the other targets, then puts the hits back
    in target order. ``distinct`` fields (whose values do not repeat) are left inline."""
    env = field_variables(fields)
    conditions = [rule_condition(rule, env, emitter, lists) for rule in rules]
    groups = single_field_groups(rules, env, distinct) if remember else {}
    grouped = {index: number for number, (_, indexes) in enumerate(groups.items())
               for index in indexes}
    bodies: list[list[str]] = [[] for _ in groups]
    group_slots: list[list[str]] = [[] for _ in groups]
    body: list[str] = []
    slots: list[str] = []
    for index, (rule, condition) in enumerate(zip(rules, conditions, strict=True)):
        code, used = emitter.resolve(condition)  # after all rules: uses are counted by then
        number = grouped.get(index)
        into, kept = (body, slots) if number is None else (bodies[number],
                                                            group_slots[number])
        kept += [slot for slot in used if slot not in kept]
        into += _rule_lines(index if numbers is None else numbers[index], rule, code)
    lines: list[str] = []
    for number, variable in enumerate(groups):
        lines += [f"def _g{number}({variable}):", "    hits = []",
                  *_empty_memo_slots(group_slots[number]), *bodies[number],
                  "    return hits", ""]
    head = ["def _check(values):", *_unpack(fields)]
    if groups:
        head += ["    _tick()", "    hits = [", *(f"        *_G{number}({variable}),"
                                   for number, variable in enumerate(groups)), "    ]"]
    else:
        head.append("    hits = []")
    tail = _SORT_HITS if groups else []
    return "\n".join([*lines, *head, *_empty_memo_slots(slots), *body, *tail,
                      "    return hits"]) + "\n"


# The hits of remembered groups come first: sorted back into target order (a hit that
# holds an exception is a tuple, which does not compare with an index).
_SORT_HITS = [
    "    if len(hits) > 1:",
    "        try:",
    "            hits.sort()",
    "        except TypeError:",
    "            hits.sort(key=_hit_index)",
]


def target_blocks(source: str) -> dict[int, str]:
    """The code of each target in a source from ``generate_check_source``, by index."""
    blocks: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in source.splitlines():
        header = _TARGET_HEADER.match(line)
        if header is not None:
            current = blocks.setdefault(int(header[1]), [])
        elif not line.startswith(_IN_A_BLOCK):  # what follows the targets of a function
            current = None
        if current is not None:
            current.append(line)
    return {index: "\n".join(lines) + "\n" for index, lines in blocks.items()}


def constants_of(function: CheckFunction) -> Mapping[str, object]:
    """The named constants (lists, regexes, functions, today) a generated function reads:
    its module namespace, which holds nothing else but the function itself."""
    namespace: dict[str, object] = function.__globals__
    return namespace


def _build(source: str, emitter: Emitter, name: str, label: str) -> Any:
    namespace: dict[str, Any] = dict(emitter.constants)
    namespace["_hit_index"] = hit_index
    exec(compile(source, label, "exec"), namespace)  # generated from the checked tree only
    bind_groups(namespace)
    return namespace[name]


def compile_rules(rules: Sequence[RuleCode], fields: Sequence[str],
                  lists: Mapping[str, tuple[str, ...]], *, today: dt.date,
                  label: str = "<pack>", distinct: Collection[str] = (),
                  numbers: Sequence[int] | None = None) -> tuple[CheckFunction, str]:
    emitter = Emitter(today)
    source = generate_check_source(rules, fields, lists, emitter, remember=speedups.enabled(),
                                   distinct=distinct, numbers=numbers)
    function: CheckFunction = _build(source, emitter, "_check", label)
    return function, source


def compile_value(checked: CheckedExpr, fields: Sequence[str],
                  lists: Mapping[str, tuple[str, ...]], *, today: dt.date,
                  field: str | None = None) -> Callable[[Sequence[str | None]], Any]:
    """One expression as a function of the field values: for tests and ``explain``."""
    emitter = Emitter(today)
    env = field_variables(fields)
    env["value"] = env.get(field, "None") if field else "None"
    code = ExprCode(emitter, checked, env, field, lists).value(checked.root, frozenset())
    code, slots = emitter.resolve(code)
    head = ["def _value(values):", *_unpack(fields), *_empty_memo_slots(slots)]
    source = "\n".join([*head, f"    return {code}"]) + "\n"
    return _build(source, emitter, "_value", "<expression>")  # type: ignore[no-any-return]
