"""Hints for type errors, written with the author's own expression.

A hint that shows fixed text (``compare with '1'``) can lead an author to a rule that loads
and is wrong on data; so every hint here rewrites the expression at hand, keeping the
literals the author wrote: ``weekly_hours >= '1'`` gets ``int(weekly_hours) >= 1``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lrsrules.dates import parse_iso_date
from lrsrules.lang import nodes as n
from lrsrules.lang.functions import DATE, NUMBER, TEXT

# A number as people write it in a text literal: '1', '-2', '40.5'.
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")

TypeOf = Callable[[n.Node], str]


def _is_number(node: n.Node) -> bool:
    return isinstance(node, n.Literal) and isinstance(node.value, (int, float)) and \
        not isinstance(node.value, bool)


class Hints:
    """Rewrites of parts of one expression, given its text and each node's type."""

    def __init__(self, text: str, type_of: TypeOf) -> None:
        self.text = text
        self.type_of = type_of

    def src(self, node: n.Node) -> str:
        return self.text[node.span.start:node.span.end].strip()

    def as_number(self, node: n.Node) -> str | None:
        """The node as a number: a text literal unquoted, other text through int()."""
        if isinstance(node, n.Literal) and isinstance(node.value, str):
            written = node.value.strip()
            return written if _NUMBER.fullmatch(written) else None
        kind = self.type_of(node)
        if kind == NUMBER:
            return self.src(node)
        if kind == TEXT:
            return f"int({self.src(node)})"
        return None

    def as_date(self, node: n.Node) -> str | None:
        """The node as a date: text through date(); None for a text literal that is no date."""
        kind = self.type_of(node)
        if kind == DATE:
            return self.src(node)
        if kind != TEXT:
            return None
        if isinstance(node, n.Literal) and isinstance(node.value, str) and \
                parse_iso_date(node.value) is None:
            return None
        return f"date({self.src(node)})"

    def as_text(self, node: n.Node) -> str:
        """A number literal quoted as the text a field holds; anything else unchanged."""
        if _is_number(node):
            return f"'{self.src(node)}'"
        return self.src(node)

    def text_and_number(self, node: n.Binary) -> str:
        """``a OP 1`` where a is text: for ordering, numbers; for ==/!=, text or numbers."""
        left, right = self.as_number(node.left), self.as_number(node.right)
        numbers = f"{left} {node.op} {right}" if left and right else None
        if node.op in ("==", "!=") and any(_is_number(side) for side in (node.left, node.right)):
            text = f"{self.as_text(node.left)} {node.op} {self.as_text(node.right)}"
            if numbers:
                return f"field values are text: write {text}, or compare numbers: {numbers}"
            return f"field values are text: write {text}"
        if numbers:
            return f"field values are text: write {numbers}"
        return "field values are text: convert them with int() to compare numbers"

    def text_ordering(self, node: n.Binary, dated: tuple[bool, bool]) -> str:
        """``a OP b``, both text: say whether numbers or dates were meant, in their words."""
        op = node.op
        sides = (node.left, node.right)
        literals = [s for s in sides if isinstance(s, n.Literal) and isinstance(s.value, str)]
        if any(dated) or any(parse_iso_date(str(s.value)) for s in literals):
            dates = [self.as_date(s) for s in sides]
            if all(dates):
                return f"compare dates: {dates[0]} {op} {dates[1]}"
            bad = next(s for s, d in zip(sides, dates, strict=True) if d is None)
            return (f"{self.src(bad)} is not a date written YYYY-MM-DD; write it that way "
                    f"and compare dates with date()")
        numbers = [self.as_number(s) for s in sides]
        if all(numbers):
            if literals:
                return f"compare numbers: {numbers[0]} {op} {numbers[1]}"
            dates = [self.as_date(s) for s in sides]
            return (f"compare numbers: {numbers[0]} {op} {numbers[1]}, or dates: "
                    f"{dates[0]} {op} {dates[1]}")
        bad = next(s for s, m in zip(sides, numbers, strict=True) if m is None)
        return (f"{self.src(bad)} is neither a number nor a date written YYYY-MM-DD: "
                "ordering compares numbers (convert with int()) or dates (date())")

    def date_and_other(self, node: n.Binary) -> str | None:
        """``date(x) OP other``: convert the other side to a date, with its own text."""
        dates = [self.as_date(s) for s in (node.left, node.right)]
        if all(dates):
            return f"compare dates: {dates[0]} {node.op} {dates[1]}"
        other = node.right if dates[1] is None else node.left
        if self.type_of(other) == TEXT:
            return (f"{self.src(other)} is not a date written YYYY-MM-DD; write it that way "
                    "and convert it with date()")
        if self.type_of(other) == NUMBER:
            return "a date compares with a date; years_between(a, b) gives the years between two"
        return None

    def convert(self, node: n.Node, wanted: str) -> str | None:
        """The node converted to the ``wanted`` type, as the author would write it."""
        if wanted == NUMBER:
            number = self.as_number(node)
            return f"write {number}" if number else None
        if wanted == DATE:
            date = self.as_date(node)
            return f"write {date}" if date else "write the date YYYY-MM-DD inside date()"
        return None

    def condition(self, node: n.Node, kind: str) -> str | None:
        """A text, number or date used where true/false is needed: a test of it."""
        src = self.src(node)
        if kind == TEXT:
            if isinstance(node, n.Name):
                return f"test it: present({src}), or compare it: {src} == '...'"
            return f"compare it: {src} != ''"
        if kind == NUMBER:
            return f"compare it: {src} > 0"
        if kind == DATE:
            return f"compare it: {src} <= today()"
        return None

    def text_list(self, node: n.Binary) -> str:
        """``x in [0, 1]`` where x is text: the same list with the codes quoted."""
        assert isinstance(node.right, n.ListLiteral)
        items = ", ".join(self.as_text(item) for item in node.right.items)
        return f"write the codes as text: {self.src(node.left)} {node.op} [{items}]"

    def pattern_literal(self, node: n.Binary) -> str:
        """``x matches y`` with y no literal: say what each likely intent is written as."""
        left, right = self.src(node.left), self.src(node.right)
        if isinstance(node.right, n.ListRef):
            return f"to test whether the value is in the list, write {left} in {right}"
        if isinstance(node.right, n.Name):
            return (f"write the pattern itself in quotes after 'matches'; to compare with "
                    f"another field write {left} == {right}")
        return "write the pattern itself in quotes after 'matches'"

    def fix(self, root: n.Node) -> str:
        """A fix that does not give text: the text it most likely meant to give."""
        if isinstance(root, n.Binary) and root.op == "==" and isinstance(root.right, n.Literal) \
                and isinstance(root.right.value, str):
            return f"a fix gives the corrected text itself: write {self.src(root.right)}"
        read = sorted(n.names_in(root) - {"field_name"})
        target = read[0] if read else "value"
        return f"a fix gives the corrected text itself, for example trim({target})"
