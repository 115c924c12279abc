"""A rule's condition in words, generated from its syntax tree, for the pack docs.

Governance staff read "uln is 10 digits, the first not 0" more surely than
``uln matches '[1-9][0-9]{9}'``. The renderer covers the node kinds the bundled packs use:
and/or/not, comparisons, ``in`` a list, the common functions and ``matches`` with a simple
pattern (a run of digit, letter and literal pieces); for anything else it gives None and
the page shows the expression alone, so a description is never a guess.
"""

from __future__ import annotations

import re

from lrsrules.errors import PackError
from lrsrules.lang import nodes as n
from lrsrules.lang.parser import parse_expression
from lrsrules.packs.model import ExprSource

_COMPARE = {"==": "is", "!=": "is not", "<": "is less than", "<=": "is at most",
            ">": "is more than", ">=": "is at least"}
_LEN_COMPARE = {"<=": "at most", ">=": "at least", "<": "fewer than", ">": "more than",
                "==": "exactly", "!=": "not"}
_DATE_COMPARE = {"==": "is", "!=": "is not", "<": "is before", "<=": "is on or before",
                 ">": "is after", ">=": "is on or after"}
_CALLS = {"upper": "{0} in capitals", "lower": "{0} in lower case",
          "trim": "{0} without surrounding spaces", "int": "{0} as a number",
          "date": "{0}", "today": "today", "len": "the length of {0}",
          "years_between": "the whole years from {0} to {1}"}
_TESTS = {"present": ("{0} is given", "{0} is blank"), "blank": ("{0} is blank",
                                                                  "{0} is given"),
          "is_date": ("{0} is a date written YYYY-MM-DD", "{0} is not a date written "
                      "YYYY-MM-DD"),
          "is_int": ("{0} is a whole number", "{0} is not a whole number")}
# One piece of a simple pattern: a class, an escape or a plain character, then a count.
_PIECE = re.compile(r"(\[[^\]\\]*\]|\\d|[A-Za-z0-9 @.,'/-])(\{(\d+)(?:,(\d*))?\}|[+*?])?")


def describe(source: ExprSource) -> str | None:
    """The expression in words, or None when some part has no plain reading."""
    try:
        return _Words().say(parse_expression(source))
    except (_NoWords, PackError):  # a broken expression is shown as written, no words
        return None


class _NoWords(Exception):
    pass


class _Words:
    def say(self, node: n.Node, negated: bool = False) -> str:
        if isinstance(node, n.Binary) and node.op in ("and", "or"):
            if negated:  # not (a and b) is: not a, or not b
                op = "or" if node.op == "and" else "and"
                return f"{self.say(node.left, True)} {op} {self.say(node.right, True)}"
            return f"{self.say(node.left)} {node.op} {self.say(node.right)}"
        if isinstance(node, n.Unary) and node.op == "not":
            return self.say(node.operand, not negated)
        if isinstance(node, n.Call) and node.function == "contains_word":
            word = "contains no" if negated else "contains a"
            return f"{self.value(node.args[0])} {word} word {self.collection(node.args[1])}"
        if isinstance(node, n.Call) and node.function in _TESTS:
            yes, no = _TESTS[node.function]
            return (no if negated else yes).format(*map(self.value, node.args))
        if isinstance(node, n.Binary):
            return self.binary(node, negated)
        if isinstance(node, n.Literal) and isinstance(node.value, bool):
            return str(node.value != negated).lower()
        raise _NoWords

    def binary(self, node: n.Binary, negated: bool) -> str:
        op = node.op
        if op in ("in", "not in"):
            inside = (op == "in") != negated
            return f"{self.value(node.left)} is {'' if inside else 'not '}" \
                   f"{self.collection(node.right)}"
        if op == "matches":
            pattern = node.right
            assert isinstance(pattern, n.Literal) and isinstance(pattern.value, str)
            shape = pattern_words(pattern.value)
            if shape is None:
                raise _NoWords
            return f"{self.value(node.left)} {'is not' if negated else 'is'} {shape}"
        if op in _COMPARE:
            if negated:
                op = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[op]
            left = node.left
            if isinstance(left, n.Call) and left.function == "len" and \
                    isinstance(node.right, n.Literal):
                count = node.right.value
                return (f"{self.value(left.args[0])} has {_LEN_COMPARE[op]} {count} "
                        f"character{'' if count == 1 else 's'}")
            dated = any(isinstance(side, n.Call) and side.function in ("date", "today")
                        for side in (left, node.right))
            words = _DATE_COMPARE if dated else _COMPARE
            return f"{self.value(left)} {words[op]} {self.value(node.right)}"
        raise _NoWords

    def value(self, node: n.Node) -> str:
        if isinstance(node, n.Name):
            return "the value" if node.name == "value" else node.name
        if isinstance(node, n.Literal):
            if node.value is None:
                return "blank"
            return repr(node.value) if isinstance(node.value, str) else str(node.value)
        if isinstance(node, n.Call) and node.function in _CALLS:
            return _CALLS[node.function].format(*map(self.value, node.args))
        if isinstance(node, n.Binary) and node.op in ("+", "-", "*", "/", "%"):
            return f"{self.value(node.left)} {node.op} {self.value(node.right)}"
        raise _NoWords

    def collection(self, node: n.Node) -> str:
        if isinstance(node, n.ListRef):
            return f"in the list @{node.name}"
        if isinstance(node, n.ListLiteral):
            return "one of " + ", ".join(self.value(item) for item in node.items)
        raise _NoWords


def pattern_words(pattern: str) -> str | None:
    """``[1-9][0-9]{9}`` -> "10 digits, the first not 0"; None for a pattern not simple."""
    pieces: list[tuple[str, int, int | None]] = []  # (what one is, fewest, most)
    at = 0
    while at < len(pattern):
        match = _PIECE.match(pattern, at)
        if match is None:
            return None
        one = _class_words(match[1])
        if one is None:
            return None
        low, high = _count(match)
        pieces.append((one, low, high))
        at = match.end()
    if not pieces:
        return None
    pieces = _joined_literals(pieces)
    digits = [p for p in pieces if p[0] in ("a digit", "a digit 1-9")]
    if len(digits) == len(pieces) and all(p[1] == p[2] for p in pieces):
        total = sum(p[1] for p in pieces)
        first = " the first not 0" if pieces[0][0] == "a digit 1-9" and pieces[0][1] == 1 else ""
        return f"{total} digits" + ("," + first if first else "")
    return "written as " + ", then ".join(_piece_words(*p) for p in pieces)


def _joined_literals(pieces: list[tuple[str, int, int | None]]
                     ) -> list[tuple[str, int, int | None]]:
    """Runs of single plain characters as one literal: 'Z', 'Z', '9' -> 'ZZ9'."""
    joined: list[tuple[str, int, int | None]] = []
    for one, low, high in pieces:
        last = joined[-1] if joined else None
        if last and (low, high) == (1, 1) == last[1:] and one.startswith("'") and \
                last[0].startswith("'") and one != "a space":
            joined[-1] = (last[0][:-1] + one[1:], 1, 1)
        else:
            joined.append((one, low, high))
    return joined


def _count(match: re.Match[str]) -> tuple[int, int | None]:
    quantifier = match[2]
    if quantifier is None:
        return 1, 1
    if quantifier == "+":
        return 1, None
    if quantifier == "*":
        return 0, None
    if quantifier == "?":
        return 0, 1
    low = int(match[3])
    if match[4] is None:
        return low, low
    return low, int(match[4]) if match[4] else None


def _class_words(piece: str) -> str | None:
    known = {"[0-9]": "a digit", "\\d": "a digit", "[1-9]": "a digit 1-9",
             "[A-Z]": "a capital letter", "[a-z]": "a lower-case letter",
             "[A-Za-z]": "a letter", "[a-zA-Z]": "a letter",
             "[A-Z0-9]": "a capital letter or digit", "[0-9A-Z]": "a capital letter or digit"}
    if piece in known:
        return known[piece]
    if piece.startswith("["):
        return None
    return "a space" if piece == " " else repr(piece)


def _piece_words(one: str, low: int, high: int | None) -> str:
    if (low, high) == (1, 1):
        return one
    if (low, high) == (0, 1):
        return f"optionally {one}"
    plural = one.removeprefix("a ").removeprefix("an ")
    plural = plural + "s" if not plural.startswith("'") else f"{plural} characters"
    if high is None:
        return f"{'any number of' if low == 0 else f'{low} or more'} {plural}"
    if low == high:
        return f"{low} {plural}"
    return f"{low} to {high} {plural}"
