"""A rule's check as a pattern of one CSV cell: a cell the pattern matches passes the check.

The whole-row fast path of a run (``lrsrules.run.rowproof``) proves a CSV line clean with
one regular expression instead of building its record and calling the check function.
This module gives the part of that expression a check of one field comes to: a
zero-width assertion made at the start of the field's cell, true only when the rule cannot
fail on that cell. It is *sufficient*, never necessary: a cell it rejects is simply
checked the plain way, so every shape not translated below is refused (None), and a
refused check stays with the Python check of the fast path (its *residual*).

The assertion is about the cell's raw text ``t``, whose value in the record is ``None``
when ``t`` is empty or all white space, else ``t`` itself. A check passes when it is true
or null (a null check gives no finding), so a null operand passes too. Translated:

- ``present(f)``: the cell starts with a character that is not white space;
- ``f matches P`` (``upper(f)``/``lower(f)`` too, each character of ``P`` standing for those
  the case mapping maps to it: itself when the mapping leaves it alone, and an ASCII
  letter of the other case; ``trim(f)`` when the cell neither starts nor ends with
  white space): ``P``'s normal form (``backtracking``: the same meaning as the pack's
  pattern, with no catastrophic backtracking) or, where that is refused, the normal form of
  a sublanguage of ``P`` (``sufficient_form``), or an empty cell; ``.*M.*`` as a cell
  holding a match of ``M``;
- ``not (f matches P)``: the cell does not match ``P``'s exact normal form (no case
  mapping, no sublanguage: a negation must be exact);
- ``len(f)`` compared with a whole number: a repeat of any cell character, or an empty cell;
- ``f in [...]``, ``f == '...'`` and their negations: the literals, or an empty cell;
- ``is_date(f)``: a day every year has, written YYYY-MM-DD (``DATE``);
- ``date(f)`` compared with ``today()``, ``years_between(date(f), today())`` with a whole
  number: a real date on the right side of the day where the comparison turns (found by
  bisection with the comparison itself), or an empty cell;
- ``weighted_sum(f, [...]) % M == R``: as many digits as weights for the pattern,
  and the sum itself over a whole column at once (``CheckDigits``);
- ``and`` and ``or`` of those (Kleene logic: both operands true or null make either true or
  null), ``not`` where it flips ``in``, ``==`` and ``matches``.

Every pattern stays inside its cell: the characters that end a cell (the delimiter, a line
break) and those the fast path never takes (quotes, NUL) are taken out of every set, which
only narrows what a pattern matches.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.lang import nodes as n
from lrsrules.lang.backtracking import (
    MAXREPEAT,
    Item,
    contained,
    holds,
    normal_form,
    normal_ranges,
    sufficient_form,
    written,
)
from lrsrules.lang.checkdigits import CheckDigits
from lrsrules.lang.checked import CheckedExpr
from lrsrules.lang.functions import years_between

MAX_LITERALS = 64  # a longer list stays a set lookup in Python (its cost must not grow)
_MAX_CASED_CHARS = 4096  # the most characters a set may hold for upper()/lower() to be tested
_COMPARISONS = ("<=", "<", ">=", ">", "==")
_OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
# A day the calendar has in every year (29 February aside: such a cell is checked the plain
# way), written YYYY-MM-DD with a year that is not 0000: what is_date and date() accept.
DATE = ("(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)-"
        "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
        "|(?:0[13578]|1[02])-31)")


@dataclass(frozen=True, slots=True)
class CellCheck:
    """A check translated: the field whose cell it reads, and the assertion for that cell
    (zero-width, made at the cell's start). When the assertion only says that the whole
    cell matches one pattern, that is ``body`` (with ``empty``: or the cell is empty),
    which a proof may match in place of the assertion, reading the cell once."""

    field: str
    assertion: str
    body: str | None = None
    empty: bool = False
    # A check no pattern can make (a check digit): of the texts of many cells that match
    # ``assertion``, those that may fail it (1) and those that pass (0), in one pass.
    column: Callable[[Sequence[str]], bytes] | None = None
    # When ``body`` is one set of characters repeated: the set (a class) and the least and
    # most repeats (None: no most), so that a proof can fold a length limit into it.
    repeat: tuple[str, int, int | None] | None = None


def whole_cell(body: str, end: str, *, empty: bool,
               repeat: tuple[str, int, int | None] | None = None) -> str:
    """The assertion that a whole cell, up to ``end``, matches ``body`` or (``empty``) is
    empty. A body that is one set repeated from 0 (``repeat``) takes the empty cell
    itself: made optional as well, it would be a repeat of a repeat, which ``re`` runs
    far slower (the LRS e-mail length limit: 15% of a line's time)."""
    if empty and not (repeat is not None and repeat[1] == 0):
        return f"(?=(?:{body}|){end})"  # as a branch: re runs (?:X|) faster than (?:X)?
    return f"(?=(?:{body}){end})"


class CellSyntax:
    """The characters of a cell's text in one file: not the delimiter, a quote, NUL or a
    line break. ``end`` matches where the text ends: the delimiter, the line break or the
    end, after the closing quote of a quoted cell (``"text"``, whose value is the text)."""

    def __init__(self, delimiter: str, *, quoted: bool = True) -> None:
        self.delimiter = delimiter
        self.quoted = quoted  # False: for lines without quotes (a simpler expression)
        self.forbidden = frozenset({delimiter, '"', "\x00", "\r", "\n"})
        escaped = re.escape(delimiter)
        self.char = f'[^{escaped}"\\x00\\r\\n]'
        self.first_not_space = f'[^\\s{escaped}"\\x00]'
        closing = '"?' if quoted else ""
        self.end = f"{closing}(?:{escaped}|[\\r\\n]|\\Z)"


def cell_check(checked: CheckedExpr, target_field: str, syntax: CellSyntax,
               lists: Mapping[str, tuple[str, ...]], today: dt.date) -> CellCheck | None:
    """The check ``checked`` of a rule on ``target_field`` as an assertion about one cell,
    when it reads one field and has a translated shape; else None. ``today`` is the date
    ``today()`` stands for."""
    fields = {target_field if name == "value" else name for name in n.names_in(checked.root)}
    if len(fields) != 1 or "field_name" in fields:
        return None
    field = fields.pop()
    digits = _check_digit(checked.root)
    if digits is not None:
        if not _is_named(digits[0], field, target_field):
            return None
        weights, modulus, remainder = digits[1:]
        return CellCheck(field, f"(?=[0-9]{{{len(weights)}}}{syntax.end})",
                         column=CheckDigits(weights, modulus, remainder).failures)
    translator = _Translator(checked, field, target_field, syntax, lists, today)
    translated = translator.passes(checked.root)
    if translated is None:
        return None
    whole = translator.wholes.get(translated)
    if whole is None:
        return CellCheck(field, translated)
    return CellCheck(field, translated, whole[0], whole[1], repeat=whole[2])


class _Translator:
    def __init__(self, checked: CheckedExpr, field: str, target_field: str,
                 syntax: CellSyntax, lists: Mapping[str, tuple[str, ...]],
                 today: dt.date) -> None:
        self.checked, self.field, self.target_field = checked, field, target_field
        self.s, self.lists, self.today = syntax, lists, today
        # assertion -> (body, empty too, the body as one repeated set if it is one)
        self.wholes: dict[str, tuple[str, bool, tuple[str, int, int | None] | None]] = {}

    def is_field(self, node: n.Node) -> bool:
        if not isinstance(node, n.Name):
            return False
        return (self.target_field if node.name == "value" else node.name) == self.field

    def passes(self, node: n.Node) -> str | None:
        """An assertion true only when ``node`` is true or null on the cell."""
        if isinstance(node, n.Binary) and node.op in ("and", "or"):
            left, right = self.passes(node.left), self.passes(node.right)
            if left is None or right is None:
                return None
            return left + right if node.op == "and" else f"(?:{left}|{right})"
        if isinstance(node, n.Unary) and node.op == "not":
            return self.negated(node.operand)
        if isinstance(node, n.Call) and node.function == "present" and len(node.args) == 1:
            return f"(?={self.s.first_not_space})" if self.is_field(node.args[0]) else None
        if isinstance(node, n.Call) and node.function == "is_date" and len(node.args) == 1:
            # is_date of a blank value is false, not null: an empty cell fails.
            return self.cell(DATE, empty=False) if self.is_field(node.args[0]) else None
        if isinstance(node, n.Binary) and node.op in _COMPARISONS and _is_age(node.left):
            return self.age(node)
        if (isinstance(node, n.Binary) and node.op in _COMPARISONS and _is_date_of(node.left)
                and isinstance(node.right, n.Call) and node.right.function == "today"):
            assert isinstance(node.left, n.Call)
            compare = _OPERATORS[node.op]
            return self.dated(node.left.args[0], lambda day: compare(day, self.today))
        if isinstance(node, n.Binary):
            if node.op == "matches":
                return self.matching(node)
            if node.op in ("in", "=="):
                return self.among(node, negated=False)
            if node.op in ("not in", "!="):
                return self.among(node, negated=True)
            if node.op in _COMPARISONS:
                return self.length(node)
        return None

    def negated(self, node: n.Node) -> str | None:
        if isinstance(node, n.Binary) and node.op in ("in", "==", "not in", "!="):
            return self.among(node, negated=node.op in ("in", "=="))
        if isinstance(node, n.Binary) and node.op == "matches":
            return self.matching(node, negated=True)
        return None

    def cell(self, body: str, *, empty: bool = True,
             repeat: tuple[str, int, int | None] | None = None) -> str:
        """The assertion that the whole cell matches ``body``, or (``empty``) is empty;
        ``repeat``: ``body`` as one set of characters repeated (see ``CellCheck``)."""
        assertion = whole_cell(body, self.s.end, empty=empty, repeat=repeat)
        self.wholes[assertion] = (body, empty, repeat)
        return assertion

    def age(self, node: n.Binary) -> str | None:
        """``years_between(date(f), today()) OP N``: see ``dated``."""
        assert isinstance(node.left, n.Call) and isinstance(node.left.args[0], n.Call)
        limit = node.right
        if not (isinstance(limit, n.Literal) and limit.value.__class__ is int):
            return None
        compare, years = _OPERATORS[node.op], limit.value
        assert isinstance(years, int)
        return self.dated(node.left.args[0].args[0],
                          lambda day: compare(years_between(day, self.today), years))

    def dated(self, field: n.Node, holds: Callable[[dt.date], bool]) -> str | None:
        """A comparison of ``date(field)`` with a fixed day (``holds``, true on one side
        of the day where it turns): a real date on that side, or an empty cell (null).
        The day is found with the comparison itself."""
        if not self.is_field(field):
            return None

        def on(ordinal: int) -> bool:
            return holds(dt.date.fromordinal(ordinal))

        first, last = dt.date.min.toordinal(), dt.date.max.toordinal()
        if on(first) == on(last):
            return None  # always or never: not a limit
        early = on(first)  # true for the earliest dates (up to the day) or the latest
        low, high = first, last  # on(low) != on(high)
        while high - low > 1:
            middle = (low + high) // 2
            if on(middle) == on(low):
                low = middle
            else:
                high = middle
        turn = dt.date.fromordinal(low if early else high).isoformat()
        return self.cell(f"(?={DATE}{self.s.end}){_ordered(turn, up_to=early)}")

    def matching(self, node: n.Binary, *, negated: bool = False) -> str | None:
        """``f matches P`` (or, ``negated``, its negation) as an assertion. Under ``trim()``
        the cell may not start or end with white space, under ``upper()``/``lower()`` each
        character of the pattern stands for those the mapping maps to it (``_cased_into``),
        so that the mapped text matches as the cell's does. A negation takes no such
        function: its pattern must be exact."""
        regex = self.checked.regexes.get(id(node.right))
        if regex is None:
            return None
        cases: list[str] = []
        trimmed, left = False, node.left
        while (isinstance(left, n.Call) and left.function in ("upper", "lower", "trim")
               and len(left.args) == 1):
            if left.function == "trim":
                trimmed = True
            else:
                cases.append(left.function)
            left = left.args[0]
        if not self.is_field(left) or (negated and (cases or trimmed)):
            return None
        inner = contained(regex.pattern)
        if inner is not None:  # ".*M.*": the cell holds a text M matches
            written_inner = self.pattern_of(inner, cases, bounded=True, exact=negated)
            if written_inner is None:
                return None
            holds = f"{self.s.char}*(?:{written_inner})"
            if negated:
                return f"(?!{holds})"
            return f"(?:(?={holds})|(?={self.s.end}))"
        body = self.pattern_of(regex.pattern, cases, exact=negated)
        if body is None or negated:
            if body is None or not negated:
                return None
            return f"(?!(?:{body}){self.s.end})"
        if trimmed:
            return self.cell(f"(?!\\s)(?:{body})(?<!\\s)")
        return self.cell(body, repeat=one_repeat(body))

    def pattern_of(self, pattern: str, cases: Sequence[str], *, bounded: bool = False,
                   exact: bool = False) -> str | None:
        """``pattern``'s normal form narrowed to what a cell holds (and to the characters
        ``cases`` leave alone), as a pattern for ``re``; None when refused (``bounded``:
        also when it may match texts of any length)."""
        # A negation needs the exact language; a pattern that must pass, a part of it.
        alternatives = normal_form(pattern) if exact else sufficient_form(pattern)
        if alternatives is None:
            return None
        kept = []
        for seq in alternatives:
            if bounded and any(item.high == MAXREPEAT for item in seq):
                return None
            items = [self.narrowed(item, cases) for item in seq]
            if all(item is not None for item in items):
                kept.append(tuple(item for item in items if item is not None))
        return written(kept) if kept else None

    def narrowed(self, item: Item, cases: Sequence[str]) -> Item | None:
        """``item`` without the characters a cell cannot hold (and, under ``upper()`` or
        ``lower()``, as the characters the case mapping maps into it: ``_cased_into``);
        None when it must match one and none is left. Without a case mapping, exact for
        the texts a cell can hold."""
        chars = _without(item.chars, self.s.forbidden)
        if cases:
            for case in cases:
                if sum(high - low + 1 for low, high in chars) > _MAX_CASED_CHARS:
                    return None
                chars = _cased_into(chars, case)
            # A letter of the other case may be the delimiter, which a cell never holds.
            chars = _without(chars, self.s.forbidden)
        if not chars:
            return None if item.low else Item((), 0, 0)
        return Item(chars, item.low, item.high)

    def among(self, node: n.Binary, *, negated: bool) -> str | None:
        if not self.is_field(node.left):
            return None
        literals = self.literals(node.right)
        if literals is None:
            return None
        texts = sorted({text for text in literals if not (self.s.forbidden & set(text))})
        if not texts:  # no literal fits in a cell
            return None if not negated else ""
        choice = "|".join(re.escape(text) for text in texts)
        if negated:
            return f"(?!(?:{choice}){self.s.end})"
        return self.cell(choice)

    def literals(self, node: n.Node) -> Sequence[str] | None:
        if isinstance(node, n.Literal):
            items: tuple[object, ...] = (node.value,)
        elif isinstance(node, n.ListRef):
            items = self.lists.get(node.name, ())
        elif isinstance(node, n.ListLiteral) and all(isinstance(i, n.Literal) for i in node.items):
            items = tuple(i.value for i in node.items)  # type: ignore[union-attr]
        else:
            return None
        if len(items) > MAX_LITERALS:
            return None
        # A literal that is not text never equals a value (values are text).
        return [item for item in items if isinstance(item, str)]

    def length(self, node: n.Binary) -> str | None:
        left, right = node.left, node.right
        if not (isinstance(left, n.Call) and left.function == "len" and len(left.args) == 1
                and self.is_field(left.args[0])):
            return None
        if not (isinstance(right, n.Literal) and right.value.__class__ is int):
            return None
        limit = right.value
        assert isinstance(limit, int)
        low, high = {"<=": (0, limit), "<": (0, limit - 1), ">=": (limit, None),
                     ">": (limit + 1, None), "==": (limit, limit)}[node.op]
        if high is not None and high < max(low, 0):
            return None  # no length passes: every non-blank cell fails
        repeat = f"{{{max(low, 0)},{'' if high is None else high}}}"
        return self.cell(f"{self.s.char}{repeat}", repeat=(self.s.char, max(low, 0), high))


def _without(chars: tuple[tuple[int, int], ...], points: frozenset[str]
             ) -> tuple[tuple[int, int], ...]:
    found = list(chars)
    for point in sorted(ord(p) for p in points):
        kept: list[tuple[int, int]] = []
        for low, high in found:
            if low <= point <= high:
                if low < point:
                    kept.append((low, point - 1))
                if point < high:
                    kept.append((point + 1, high))
            else:
                kept.append((low, high))
        found = kept
    return tuple(found)


def _cased_into(chars: tuple[tuple[int, int], ...], case: str
                ) -> tuple[tuple[int, int], ...]:
    """The characters that ``upper()`` (or ``lower()``) maps into ``chars``: those of
    ``chars`` it leaves as they are, and the ASCII letters it maps to one of ``chars``
    (``a`` for an ``A`` under ``upper()``). Other letters are left out: their mapping may
    change a text's length or hang on the letters around them (a final sigma)."""
    mapped = str.upper if case == "upper" else str.lower
    kept = [(point, point) for low, high in chars for point in range(low, high + 1)
            if mapped(chr(point)) == chr(point)]
    kept += [(ord(letter), ord(letter)) for letter in string.ascii_letters
             if holds(chars, ord(mapped(letter)))]
    return normal_ranges(kept)


def _is_age(node: n.Node) -> bool:
    """``years_between(date(x), today())``."""
    return (isinstance(node, n.Call) and node.function == "years_between"
            and len(node.args) == 2 and _is_date_of(node.args[0])
            and isinstance(node.args[1], n.Call) and node.args[1].function == "today")


def _is_date_of(node: n.Node) -> bool:
    """``date(x)``."""
    return isinstance(node, n.Call) and node.function == "date" and len(node.args) == 1


def _ordered(day: str, *, up_to: bool) -> str:
    """Texts of the shape YYYY-MM-DD that sort before ``day`` (``up_to``) or after it, or
    are it: for such texts, the order of the dates."""
    choices = [re.escape(day)]
    for index, char in enumerate(day):
        if not char.isdigit():
            continue
        digit = int(char)
        other = (f"[0-{digit - 1}]" if digit > 0 else None) if up_to else (
            f"[{digit + 1}-9]" if digit < 9 else None)
        if other is None:
            continue
        rest = "".join("-" if c == "-" else "[0-9]" for c in day[index + 1:])
        choices.append(re.escape(day[:index]) + other + rest)
    return f"(?:{'|'.join(choices)})"


def _is_named(node: n.Node, field: str, target_field: str) -> bool:
    return isinstance(node, n.Name) and (
        target_field if node.name == "value" else node.name) == field


def _check_digit(node: n.Node) -> tuple[n.Node, tuple[int, ...], int, int] | None:
    """``weighted_sum(f, [w, ...]) % M == R`` as (f, weights, M, R), weights and M whole
    numbers that ``CheckDigits`` can add up without a carry; else None."""
    if not (isinstance(node, n.Binary) and node.op == "==" and isinstance(node.right, n.Literal)
            and isinstance(node.left, n.Binary) and node.left.op == "%"
            and isinstance(node.left.right, n.Literal)):
        return None
    call = node.left.left
    if not (isinstance(call, n.Call) and call.function == "weighted_sum"
            and isinstance(call.args[1], n.ListLiteral)):
        return None
    weights = tuple(item.value for item in call.args[1].items
                    if isinstance(item, n.Literal) and item.value.__class__ is int)
    modulus, remainder = node.left.right.value, node.right.value
    if (len(weights) != len(call.args[1].items) or not weights
            or modulus.__class__ is not int or remainder.__class__ is not int):
        return None
    assert isinstance(modulus, int) and isinstance(remainder, int)
    whole = tuple(int(w) for w in weights)  # ints, as the test above found
    if min(whole) < 0 or modulus <= 0 or ord("9") * sum(whole) >= CheckDigits.BASE:
        return None
    return call.args[0], whole, modulus, remainder


_ONE_REPEAT = re.compile(r"(\[[^\[\]]*\])\{([0-9]+),([0-9]*)\}")


def one_repeat(body: str) -> tuple[str, int, int | None] | None:
    """``body`` (as ``backtracking.written`` writes a normal form) when it is one set of
    characters with a count: the set, the least and the most (None: no most)."""
    found = _ONE_REPEAT.fullmatch(body)
    if found is None:
        return None
    return found[1], int(found[2]), int(found[3]) if found[3] else None
