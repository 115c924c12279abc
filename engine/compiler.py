"""Checked expressions -> one Python function per pack, compiled once.

Why generated code: a benchmark (benchmarks/bench_engine.py) holds the per-record cost of a
pack under 0.8x a careful hand-written loop; nested closures sit near 1x because every node
costs a call. The source is generated only from the checked syntax tree: every literal is
emitted with ``repr()``, every other object (lists, compiled regexes, functions) is passed in
as a named constant, and no text of the pack is ever pasted into the code.

Null handling follows the language: operators and most functions give null for a null
operand. The checker knows which nodes can be null, so guards appear only where needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.engine import nodes as n
from lrsrules.engine.checker import CheckedExpr
from lrsrules.engine.functions import FUNCTIONS, LIST, blank

# A function returned by compile_rules: values (in CompiledPack.fields order) -> hits, where a
# hit is a target index (the rule failed) or (target index, exception) (it could not be
# evaluated).
CheckFunction = Callable[[Sequence[str | None]], list[Any]]

_COMPARE = {"==", "!=", "<", "<=", ">", ">="}
_ARITH = {"+", "-", "*", "/", "%"}


@dataclass(frozen=True, slots=True)
class RuleCode:
    """The checked conditions of one rule applied to one field (a 'target')."""

    check: CheckedExpr
    when: CheckedExpr | None
    unless: CheckedExpr | None
    field: str  # the field `value` and `field_name` stand for


class _Emitter:
    """Builds the text of one generated module and the constants it refers to."""

    def __init__(self, today: dt.date) -> None:
        self.constants: dict[str, object] = {"_today": today, "_blank": blank}
        self._by_key: dict[tuple[str, object], str] = {}
        self._temps = 0

    def constant(self, value: object, key: tuple[str, object] | None = None) -> str:
        if key is not None and key in self._by_key:
            return self._by_key[key]
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        if key is not None:
            self._by_key[key] = name
        return name

    def temp(self) -> str:
        self._temps += 1
        return f"_t{self._temps}"

    def guarded(self, parts: Sequence[tuple[str, bool]], build: Callable[..., str]) -> str:
        """Code for build(*parts) that is null when any nullable part is null."""
        names: list[str] = []
        tests: list[str] = []
        for code, nullable in parts:
            if nullable and code.isidentifier():
                tests.append(f"{code} is None")
                names.append(code)
            elif nullable:
                name = self.temp()
                tests.append(f"({name} := {code}) is None")
                names.append(name)
            else:
                names.append(code)
        body = build(*names)
        if not tests:
            return body
        return f"(None if {' or '.join(tests)} else {body})"


class _ExprCompiler:
    """Code for one checked expression, given the local variable of each field."""

    def __init__(self, emitter: _Emitter, checked: CheckedExpr, env: Mapping[str, str],
                 field_name: str | None, lists: Mapping[str, tuple[str, ...]]) -> None:
        self.e = emitter
        self.checked = checked
        self.env = env
        self.field_name = field_name
        self.lists = lists

    def nullable(self, node: n.Node) -> bool:
        return self.checked.typed(node).nullable

    def code(self, node: n.Node) -> str:
        if isinstance(node, n.Literal):
            return repr(node.value)
        if isinstance(node, n.Name):
            if node.name == "field_name":
                return repr(self.field_name)
            return self.env[node.name]
        if isinstance(node, (n.ListRef, n.ListLiteral)):
            items = self.constant_list(node)
            if items is not None:
                return self.e.constant(items, ("tuple", items))
            assert isinstance(node, n.ListLiteral)
            return "(" + "".join(f"{self.code(item)}, " for item in node.items) + ")"
        if isinstance(node, n.Call):
            return self.call(node)
        if isinstance(node, n.Unary):
            return self.unary(node)
        return self.binary(node)

    def constant_list(self, node: n.Node) -> tuple[Any, ...] | None:
        if isinstance(node, n.ListRef):
            return self.lists[node.name]
        if isinstance(node, n.ListLiteral) and all(
                isinstance(item, n.Literal) for item in node.items):
            return tuple(item.value for item in node.items)  # type: ignore[union-attr]
        return None

    def part(self, node: n.Node) -> tuple[str, bool]:
        return self.code(node), self.nullable(node)

    def call(self, node: n.Call) -> str:
        spec = FUNCTIONS[node.function]
        if node.function == "today":
            return "_today"
        if node.function == "blank" and isinstance(node.args[0], n.Name):
            # Field values are null when blank, so this is a plain null test.
            return f"({self.code(node.args[0])} is None)"
        args = node.args
        last = self.constant_list(args[-1]) if args and spec.params[-1] == LIST else None
        if last is not None and spec.specialise is not None:
            # e.g. contains_word(x, @list): the list is indexed once, at compile time.
            special = self.e.constant(spec.specialise(last), (node.function, last))
            parts = [self.part(arg) for arg in args[:-1]]
            return self.e.guarded(parts, lambda *a: f"{special}({', '.join(a)})")
        parts = [self.part(arg) for arg in args]
        if spec.takes_null:
            parts = [(code, False) for code, _ in parts]
        if spec.inline is not None:
            return self.e.guarded(parts, lambda *a: spec.inline.format(*a))  # type: ignore[union-attr]
        impl = self.e.constant(spec.impl, ("function", node.function))
        return self.e.guarded(parts, lambda *a: f"{impl}({', '.join(a)})")

    def unary(self, node: n.Unary) -> str:
        operator = "not " if node.op == "not" else "-"
        if node.op == "neg" and isinstance(node.operand, n.Literal):
            return repr(-node.operand.value)  # type: ignore[operator]
        return self.e.guarded([self.part(node.operand)], lambda a: f"({operator}{a})")

    def binary(self, node: n.Binary) -> str:
        op = node.op
        if op in ("and", "or"):
            return self.logical(node)
        if op in ("==", "!=") and (_is_null(node.left) or _is_null(node.right)):
            other = node.right if _is_null(node.left) else node.left
            test = "is" if op == "==" else "is not"
            return f"({self.code(other)} {test} None)"
        if op in _COMPARE or op in _ARITH:
            return self.e.guarded([self.part(node.left), self.part(node.right)],
                                  lambda a, b: f"({a} {op} {b})")
        if op in ("in", "not in"):
            return self.membership(node)
        # matches: the pattern is a checked string literal, compiled once.
        regex = self.checked.regexes[id(node.right)]
        fullmatch = self.e.constant(regex.fullmatch, ("regex", regex.pattern))
        return self.e.guarded([self.part(node.left)],
                              lambda a: f"({fullmatch}({a}) is not None)")

    def membership(self, node: n.Binary) -> str:
        items = self.constant_list(node.right)
        if items is not None:
            container = self.e.constant(frozenset(items), ("set", items))
        else:
            container = self.code(node.right)
        return self.e.guarded([self.part(node.left)],
                              lambda a: f"({a} {node.op} {container})")

    def logical(self, node: n.Binary) -> str:
        left, right = self.part(node.left), self.part(node.right)
        if not left[1] and not right[1]:
            return f"({left[0]} {node.op} {right[0]})"
        # Kleene logic, left to right with short cut: a deciding operand wins over null.
        decide, other = ("False", "True") if node.op == "and" else ("True", "False")
        a, b = self.e.temp(), self.e.temp()
        return (f"({decide} if ({a} := {left[0]}) is {decide} else "
                f"({decide} if ({b} := {right[0]}) is {decide} else "
                f"(None if {a} is None or {b} is None else {other})))")


def _is_null(node: n.Node) -> bool:
    return isinstance(node, n.Literal) and node.value is None


def _condition(code: str, nullable: bool, wanted: bool) -> str:
    """Python test that the condition has the given truth value (null matches neither)."""
    if nullable:
        return f"{code} is {wanted}"
    return code if wanted else f"not {code}"


def generate_check_source(rules: Sequence[RuleCode], fields: Sequence[str],
                          lists: Mapping[str, tuple[str, ...]],
                          emitter: _Emitter) -> str:
    """Source of ``_check(values)``: every rule on every target, each in its own try."""
    env = {name: f"v{i}" for i, name in enumerate(fields)}
    lines = ["def _check(values):"]
    if fields:
        lines.append(f"    {', '.join(env.values())}, = values")
    lines.append("    hits = []")
    for index, rule in enumerate(rules):
        local_env = {**env, "value": env.get(rule.field, "None")}
        tests: list[str] = []
        for checked, wanted in ((rule.when, True), (rule.check, False), (rule.unless, False)):
            if checked is None:
                continue
            compiler = _ExprCompiler(emitter, checked, local_env, rule.field, lists)
            code = compiler.code(checked.root)
            nullable = checked.typed(checked.root).nullable
            if checked is rule.unless:
                # An unless that is null does not excuse the finding.
                tests.append(f"{code} is not True" if nullable else f"not {code}")
            else:
                tests.append(_condition(code, nullable, wanted))
        lines += [
            "    try:",
            f"        if {' and '.join(tests)}:",
            f"            hits.append({index})",
            "    except Exception as exc:",
            f"        hits.append(({index}, exc))",
        ]
    lines.append("    return hits")
    return "\n".join(lines) + "\n"


def build_function(source: str, emitter: _Emitter, name: str, label: str) -> Any:
    namespace: dict[str, Any] = dict(emitter.constants)
    exec(compile(source, label, "exec"), namespace)  # generated from the checked tree only
    return namespace[name]


def compile_rules(rules: Sequence[RuleCode], fields: Sequence[str],
                  lists: Mapping[str, tuple[str, ...]], *, today: dt.date,
                  label: str = "<pack>") -> tuple[CheckFunction, str]:
    emitter = _Emitter(today)
    source = generate_check_source(rules, fields, lists, emitter)
    function: CheckFunction = build_function(source, emitter, "_check", label)
    return function, source


def compile_value(checked: CheckedExpr, fields: Sequence[str],
                  lists: Mapping[str, tuple[str, ...]], *, today: dt.date,
                  field: str | None = None) -> Callable[[Sequence[str | None]], Any]:
    """One expression as a function of the field values: for tests and ``explain``."""
    emitter = _Emitter(today)
    env = {name: f"v{i}" for i, name in enumerate(fields)}
    env["value"] = env.get(field, "None") if field else "None"
    code = _ExprCompiler(emitter, checked, env, field, lists).code(checked.root)
    unpack = f"    {', '.join(f'v{i}' for i in range(len(fields)))}, = values\n" if fields else ""
    source = f"def _value(values):\n{unpack}    return {code}\n"
    return build_function(source, emitter, "_value", "<expression>")  # type: ignore[no-any-return]
