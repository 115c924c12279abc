"""Meaning checks on parsed expressions, done once when the pack loads.

Resolves every name (fields, ``value``, ``field_name``, ``@lists``, functions), checks arity
and types, and validates regular expressions. The result records each node's type and
whether it can be ``null``, which the compiler uses to leave out null guards it does not
need. Problems are collected, not raised one by one, so a pack author sees them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lrsrules.dates import parse_iso_date
from lrsrules.errors import Location, PackError, Problem
from lrsrules.lang import nodes as n
from lrsrules.lang.checked import CheckedExpr as CheckedExpr  # defined apart: see checked
from lrsrules.lang.checked import Typed as Typed
from lrsrules.lang.functions import ANY, BOOL, DATE, FUNCTIONS, LIST, NUMBER, TEXT
from lrsrules.lang.hints import Hints
from lrsrules.lang.regexes import check_portable_regex, compile_regex
from lrsrules.packs.model import ExprSource, FieldDef, ListDef

NULL = "null"  # the type of the literal null: fits any parameter

_WORDS = {TEXT: "text", NUMBER: "a number", BOOL: "true/false", DATE: "a date",
          LIST: "a list", NULL: "null", ANY: "a value"}
_ORDERED = {TEXT, NUMBER, DATE}
SPECIAL_NAMES = ("value", "field_name")
# What a regex replacement may hold: group references \1-\9 (not followed by a digit, which
# Python would read as a two-digit group) and \\ for a backslash; the syntax RE2 shares.
_REPLACEMENT = re.compile(r"(?:[^\\]|\\[1-9](?![0-9])|\\\\)*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Scope:
    fields: Mapping[str, FieldDef]
    lists: Mapping[str, ListDef]
    rule_fields: tuple[str, ...] = ()


class _Checker:
    def __init__(self, source: ExprSource, scope: Scope, out: CheckedExpr) -> None:
        self.scope = scope
        self.source = source
        self.problems: list[Problem] = []
        self.hints = Hints(source.text, lambda node: out.typed(node).type)

    def fail(self, node: n.Node, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, self._where(node), hint))

    def _where(self, node: n.Node) -> Location:
        return self.source.location(node.span.start)

    def visit(self, node: n.Node, out: CheckedExpr) -> Typed:
        typed = self._visit(node, out)
        out.types[id(node)] = typed
        return typed

    def _visit(self, node: n.Node, out: CheckedExpr) -> Typed:
        if isinstance(node, n.Literal):
            return Typed(_literal_type(node.value), node.value is None)
        if isinstance(node, n.Name):
            return self._name(node)
        if isinstance(node, n.ListRef):
            if node.name not in self.scope.lists:
                self.fail(node, f"unknown list '@{node.name}'"
                          + _suggest(node.name, self.scope.lists, prefix="@"))
            return Typed(LIST, False)
        if isinstance(node, n.ListLiteral):
            for item in node.items:
                typed = self.visit(item, out)
                if typed.type not in (TEXT, NUMBER, NULL):
                    self.fail(item, f"list entries must be text or numbers, not "
                              f"{_WORDS[typed.type]}")
            return Typed(LIST, False)
        if isinstance(node, n.Call):
            return self._call(node, out)
        if isinstance(node, n.Unary):
            operand = self.visit(node.operand, out)
            wanted = BOOL if node.op == "not" else NUMBER
            self._expect(node.operand, operand, wanted, "'not'" if node.op == "not" else "'-'")
            return Typed(wanted, operand.nullable)
        return self._binary(node, out)

    def _name(self, node: n.Name) -> Typed:
        if node.name == "value":
            return Typed(TEXT, True)
        if node.name == "field_name":
            return Typed(TEXT, False)
        if node.name not in self.scope.fields:
            self.fail(node, f"unknown field '{node.name}'" + self._field_hint(node.name))
        return Typed(TEXT, True)

    def _field_hint(self, name: str) -> str:
        folded = name.casefold()
        for canonical, spec in self.scope.fields.items():
            if folded in (alias.casefold() for alias in spec.aliases):
                return (f"; '{name}' is a heading of field '{canonical}': expressions use "
                        "canonical field names")
        return _suggest(name, self.scope.fields)

    def _call(self, node: n.Call, out: CheckedExpr) -> Typed:
        args = [self.visit(arg, out) for arg in node.args]
        spec = FUNCTIONS.get(node.function)
        if spec is None:
            self.fail(node, f"unknown function '{node.function}()'"
                      + _suggest(node.function, FUNCTIONS, suffix="()"))
            return Typed(ANY, True)
        if len(args) != len(spec.params):
            count = len(spec.params)
            self.fail(node, f"{node.function}() takes {count} argument"
                      f"{'' if count == 1 else 's'}, not {len(args)}")
            return Typed(spec.returns, True)
        for arg, typed, wanted in zip(node.args, args, spec.params, strict=True):
            self._expect(arg, typed, wanted, f"{node.function}()")
        if spec.regex_param is not None:
            self._regex_arguments(node, spec.regex_param, out)
        nullable = not spec.takes_null and any(a.nullable for a in args)
        return Typed(spec.returns, nullable)

    def _binary(self, node: n.Binary, out: CheckedExpr) -> Typed:
        left = self.visit(node.left, out)
        right = self.visit(node.right, out)
        op = node.op
        either_null = left.nullable or right.nullable
        if op in ("and", "or"):
            self._expect(node.left, left, BOOL, f"'{op}'")
            self._expect(node.right, right, BOOL, f"'{op}'")
            return Typed(BOOL, either_null)
        if op in ("==", "!="):
            if left.type == NULL or right.type == NULL:
                return Typed(BOOL, False)  # x == null asks whether x is null
            self._same_type(node, left, right)
            return Typed(BOOL, either_null)
        if op in ("<", "<=", ">", ">="):
            if left.type not in (NULL, ANY) and left.type not in _ORDERED:
                self.fail(node.left, f"'{op}' compares numbers or dates, not "
                          f"{_WORDS[left.type]}")
            elif left.type == TEXT and right.type == TEXT:
                self._text_ordering(node)
            else:
                self._same_type(node, left, right)
            return Typed(BOOL, either_null)
        if op in ("in", "not in"):
            self._expect(node.right, right, LIST, f"'{op}'")
            if left.type not in (TEXT, NUMBER, NULL, ANY):
                self.fail(node.left, f"'{op}' looks for text or a number, not "
                          f"{_WORDS[left.type]}")
            self._list_entries_fit(node, left)
            return Typed(BOOL, left.nullable)
        if op == "matches":
            self._expect(node.left, left, TEXT, "'matches'")
            self._regex(node, out)
            return Typed(BOOL, left.nullable)
        if op == "+" and left.type == TEXT:
            self._expect(node.right, right, TEXT, "'+' after text")
            return Typed(TEXT, either_null)
        self._expect(node.left, left, NUMBER, f"'{op}'")
        self._expect(node.right, right, NUMBER, f"'{op}'")
        return Typed(NUMBER, either_null)

    def _regex(self, node: n.Binary, out: CheckedExpr) -> None:
        pattern = node.right
        if not (isinstance(pattern, n.Literal) and isinstance(pattern.value, str)):
            self.fail(pattern, "'matches' needs the pattern written as a string literal",
                      hint=self.hints.pattern_literal(node))
            return
        error = check_portable_regex(pattern.value)
        if error:
            self.fail(pattern, f"invalid regular expression: {error}")
            return
        out.regexes[id(pattern)] = compile_regex(pattern.value)

    def _regex_arguments(self, node: n.Call, index: int, out: CheckedExpr) -> None:
        """A regex argument and the replacement after it: literals, portable, consistent."""
        pattern, replacement = node.args[index], node.args[index + 1]
        name = f"{node.function}()"
        if not (isinstance(pattern, n.Literal) and isinstance(pattern.value, str)):
            self.fail(pattern, f"{name} needs the pattern written as a string literal")
            return
        error = check_portable_regex(pattern.value)
        if error:
            self.fail(pattern, f"invalid regular expression: {error}")
            return
        if not (isinstance(replacement, n.Literal) and isinstance(replacement.value, str)):
            self.fail(replacement, f"{name} needs the replacement written as a string literal")
            return
        regex = out.regexes[id(pattern)] = compile_regex(pattern.value)
        if not _REPLACEMENT.fullmatch(replacement.value):
            self.fail(replacement, "a replacement may hold \\1 to \\9 for groups and \\\\ "
                      "for a backslash, and no other backslash")
            return
        groups = regex.groups
        pairs = re.findall(r"\\(.)", replacement.value, re.DOTALL)  # a doubled \\ is one pair
        used = max((int(d) for d in pairs if d.isdigit()), default=0)
        if used > groups:
            self.fail(replacement, f"the replacement uses group {used}, but the pattern has "
                      f"{groups} group{'' if groups == 1 else 's'}")

    def _list_entries_fit(self, node: n.Binary, left: Typed) -> None:
        right = node.right
        if left.type != TEXT or not isinstance(right, n.ListLiteral):
            return
        if any(isinstance(item, n.Literal) and isinstance(item.value, (int, float))
               and not isinstance(item.value, bool) for item in right.items):
            self.fail(right, "this list holds numbers but values are text, so they never "
                      "match", hint=self.hints.text_list(node))

    def _text_ordering(self, node: n.Binary) -> None:
        """Text orders letter by letter ('9' after '10'), right only for ISO dates."""
        dated = (self._holds_iso_dates(node.left), self._holds_iso_dates(node.right))
        if all(dated):
            return
        self.fail(node, f"'{node.op}' compares text with text, which orders it letter by "
                  "letter ('9' comes after '10')", self.hints.text_ordering(node, dated))

    def _holds_iso_dates(self, node: n.Node) -> bool:
        """A date literal YYYY-MM-DD, or a field (or ``value`` of fields) of format date."""
        if isinstance(node, n.Literal):
            return isinstance(node.value, str) and parse_iso_date(node.value) is not None
        if not isinstance(node, n.Name):
            return False
        names = self.scope.rule_fields if node.name == "value" else (node.name,)
        fields = [self.scope.fields.get(name) for name in names]
        return bool(fields) and all(f is not None and f.format == "date" for f in fields)

    def _same_type(self, node: n.Binary, left: Typed, right: Typed) -> None:
        if NULL in (left.type, right.type) or ANY in (left.type, right.type):
            return
        if left.type != right.type:
            hint = None
            if {left.type, right.type} == {TEXT, NUMBER}:
                hint = self.hints.text_and_number(node)
            elif DATE in (left.type, right.type):
                hint = self.hints.date_and_other(node)
            self.fail(node, f"'{node.op}' compares {_WORDS[left.type]} with "
                      f"{_WORDS[right.type]}", hint)

    def _expect(self, node: n.Node, typed: Typed, wanted: str, where: str) -> None:
        if wanted == ANY or typed.type in (wanted, NULL, ANY):
            return
        hint = None
        if wanted == BOOL:
            hint = self.hints.condition(node, typed.type)
        elif typed.type == TEXT:
            hint = self.hints.convert(node, wanted)
        self.fail(node, f"{where} expects {_WORDS[wanted]}, but this is "
                  f"{_WORDS[typed.type]}", hint)


def parse_and_check(source: ExprSource, scope: Scope,
                    role: str | None) -> tuple[CheckedExpr | None, list[Problem]]:
    """Parse and check one expression of a rule; every problem found, none raised."""
    from lrsrules.lang.parser import parse_expression  # lark: imported when parsing

    try:
        root = parse_expression(source)
    except PackError as exc:
        return None, list(exc.problems)
    return check_expression(root, source, scope, role=role)


def check_expression(root: n.Node, source: ExprSource, scope: Scope,
                     *, role: str | None = "check") -> tuple[CheckedExpr, list[Problem]]:
    """Type-check one expression of a rule in its ``role``: a condition ('when', 'check',
    'unless') must be true/false, a 'fix' must give text; role None accepts any type."""
    out = CheckedExpr(root, source)
    checker = _Checker(source, scope, out)
    typed = checker.visit(root, out)
    if role == "fix":
        if typed.type not in (TEXT, ANY):
            checker.fail(root, f"a 'fix' must give text, but this is {_WORDS[typed.type]}",
                         hint=checker.hints.fix(root))
    elif role is not None and typed.type not in (BOOL, NULL, ANY):
        checker.fail(root, f"a '{role}' must be true or false, but this is "
                     f"{_WORDS[typed.type]}", hint=checker.hints.condition(root, typed.type))
    return out, checker.problems


def _literal_type(value: object) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    return TEXT


def _suggest(name: str, known: Mapping[str, object], prefix: str = "",
             suffix: str = "") -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{prefix}{close[0]}{suffix}'?" if close else ""
