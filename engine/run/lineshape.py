"""The expression of a clean CSV line, made from a pack's checks for one file's columns.

``lrsrules.run.rowproof`` decides which checks go in it (``CellCheck``s, by field) and
matches it against blocks of lines; this module writes it: each cell's assertions (its
longest pattern matched in place, the others looked ahead, its repeats folded into one),
the groups that capture the values the proof reads, and, with a cap, the long length
limits left out (a line no longer than the cap holds no longer cell). ``Shapes`` holds
the expressions for lines with quotes and without, capped and not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from operator import itemgetter
from typing import NamedTuple

from lrsrules.lang.backtracking import narrowed
from lrsrules.lang.cellpatterns import DATE, CellCheck, CellSyntax, one_repeat, whole_cell

MAX_PROOF_CHARS = 1 << 20  # an expression longer than this proves no line (a huge pack)
# A length limit this long or longer (an e-mail address's 254) is not read cell by cell:
# a line no longer than the shortest such limit holds no cell longer than it (longer
# lines are read the plain way: ``rowproof``).
LONG_LIMIT = 254
_ANY_LINE = "([^\r\n]*(?:\r\n|\r|\n))"


class Layout(NamedTuple):
    """Where a CSV file holds each field: what the proof is made for."""

    delimiter: str
    width: int  # cells a line holds (its headings)
    columns: Mapping[str, int]  # field -> the index of its cell (fields with a column)


def clean_line(asserted: Mapping[str, list[CellCheck]], layout: Layout,
               by_column: Mapping[int, str], syntax: CellSyntax, *, cap: int | None
               ) -> tuple[str, dict[str, int], int | None]:
    """The expression of a clean line, the number of the group of each value read, and
    the longest line it proves (None: any): with ``cap``, the length limits of ``cap`` or
    more left out (see ``LONG_LIMIT``), and the shortest of them is that length."""
    dropped: list[int] = []
    field_at = {column: field for field, column in layout.columns.items()}
    cells, groups, group = [], 0, {}  # group: field -> the number of the group of its value
    for column in range(layout.width):
        quote = None
        if syntax.quoted:
            groups += 1  # the cell's opening quote, if it has one
            quote = f"q{column}"
        checks = asserted.get(field_at.get(column, ""), [])
        if column in by_column:
            group[by_column[column]] = groups + 1
            groups += 1
        if cap is not None:
            limits = [_long_limit(check, syntax, cap) for check in checks]
            dropped += [limit for limit in limits if limit is not None]
            checks = [check for check, limit in zip(checks, limits, strict=True)
                      if limit is None]
        cells.append(_cell(checks, syntax, quote=quote, captured=column in by_column))
    never = "(?:((?!)))?"  # a group that never takes part: None for fields without a column
    group[""] = groups + 1
    return (re.escape(layout.delimiter).join(cells) + "(?:\r\n|\r|\n)" + never, group,
            min(dropped, default=None))


def _long_limit(check: CellCheck, syntax: CellSyntax, cap: int) -> int | None:
    """The limit, when ``check`` says only that the cell holds at most some ``cap`` or
    more characters (``len(f) <= 254``); else None."""
    repeat = check.repeat
    if (repeat is None or repeat[0] != syntax.char or repeat[1] != 0 or repeat[2] is None
            or repeat[2] < cap or not check.empty or check.column is not None):
        return None
    return repeat[2]


ColumnTest = Callable[[Sequence[str]], bytes]


class Shape:
    """One clean line's expression (for lines with quotes, or without), ready to match one
    line or every line of a block, and where it holds the values."""

    def __init__(self, clean: tuple[str, dict[str, int], int | None], fields: Sequence[str],
                 tests: Sequence[tuple[int, ColumnTest, int]]) -> None:
        # One clean line, its values in its groups; the longest line it proves (None: any).
        self.pattern, group, self.cap = clean
        order = [group.get(field, group[""]) - 1 for field in fields]  # in its groups()
        self._compiled: re.Pattern[str] | None = None
        # The values out of a match of ``lines`` (or a tuple of its findall), whose group
        # 1 is the clean line whole: each value's place is 1 more.
        self.pick = _picker([index + 1 for index in order])
        # (place in findall's tuple, test, the bit of the field it tests)
        self.columns = tuple((order[index] + 1, test, bit) for index, test, bit in tests)
        self.column_tests = tuple((index, test) for index, test, _ in tests)  # by value
        self.places = {bit: place for place, _, bit in self.columns}  # a field's, by its bit

    @property
    def lines(self) -> re.Pattern[str]:
        """Any one line: the clean line whole (group 1) with its values, or any other line
        (the last group). Compiled when first needed (a big pack's takes milliseconds); an
        expression too big for ``re`` proves no line (group 1 is then always empty)."""
        if self._compiled is None:
            try:
                if len(self.pattern) > MAX_PROOF_CHARS:
                    raise OverflowError("too big")
                self._compiled = re.compile(f"({self.pattern})|{_ANY_LINE}")
            except (re.error, OverflowError, RecursionError, MemoryError):
                self._compiled = re.compile(f"((?!))|{_ANY_LINE}")
        return self._compiled


class Shapes:
    """The expressions a proof matches lines with: for lines without quotes (``bare``)
    and with, first those that leave out long length limits (``clean_line``'s ``cap``),
    then, once ``uncap`` is called, those that read them. Shared by a proof's parts."""

    def __init__(self, bare: Shape, quoted: Shape, full_bare: Shape, full_quoted: Shape
                 ) -> None:
        self.bare, self.quoted = bare, quoted
        self._full = full_bare, full_quoted

    def uncap(self) -> None:
        self.bare, self.quoted = self._full


def _cell(checks: list[CellCheck], syntax: CellSyntax, *, quote: str | None,
          captured: bool) -> str:
    """One cell of the expression: an opening quote (the group named ``quote``), its
    checks' assertions, then the cell's text read (captured: as a group, which is None when
    the text is empty), then the closing quote if it opened with one. One check that is
    one whole pattern is matched in place (the text read once for it), the others looked
    ahead."""
    text = _text(checks, syntax, captured=captured)
    return text if quote is None else f'(?P<{quote}>")?{text}(?({quote})")'


def _text(checks: list[CellCheck], syntax: CellSyntax, *, captured: bool) -> str:
    if any(check.body == DATE for check in checks):  # is_date: others need not test it
        inner = f"(?={DATE}{syntax.end})"
        checks = [replace(check, assertion=check.assertion.replace(inner, ""),
                          body=None if check.body is None else check.body.replace(inner, ""))
                  if check.body != DATE else check for check in checks]
    checks = _repeats_folded(checks, syntax)
    present = f"(?={syntax.first_not_space})"  # present(f): the cell starts with a character
    required = any(check.assertion == present for check in checks)
    if captured:  # the group's own test says as much
        checks = [check for check in checks if check.assertion != present]
    # The longest pattern is matched in place: it says most of the cell (a length limit
    # beside it is a cheap look ahead).
    whole = max((check for check in checks if check.body is not None),
                key=lambda check: len(check.body or ""), default=None)
    ahead = "".join(check.assertion for check in checks if check is not whole)
    if whole is None:
        body, empty = f"{syntax.char}*", True
    else:
        body, empty = f"(?:{whole.body})", whole.empty
    if captured:  # a value, never a cell of white space (whose value would be None)
        body = f"{present}({body})"
        return f"{ahead}(?:{body}|)" if empty and not required else ahead + body
    # The cell's pattern or nothing, as a branch: re runs (?:X|) faster than (?:X)?.
    return ahead + (f"(?:{whole.body}|)" if empty and whole is not None else body)


def _repeats_folded(checks: list[CellCheck], syntax: CellSyntax) -> list[CellCheck]:
    """``checks`` with those that say the cell is one set of characters repeated (a
    length limit is a repeat of any cell character) folded into the longest pattern of
    the cell: its sets narrowed to the characters every such set takes and its counts to
    their lengths, so that the cell is read once for all of them (``[A-Za-z][a-z']*``
    with ``[A-Za-z' -]{1,35}`` is ``[A-Za-z][a-z']{0,34}``). The folded ones accept an
    empty cell, so what they add to the pattern is only the narrowing."""
    limits = [check for check in checks if check.repeat is not None and check.empty]
    target = max((check for check in checks if check.body is not None),
                 key=lambda check: len(check.body or ""), default=None)
    others = [check for check in limits if check is not target]
    if target is None or target.body is None or not others:
        return checks
    repeats = [check.repeat for check in others if check.repeat is not None]
    low = max(least for _, least, _ in repeats)
    highs = [most for _, _, most in repeats if most is not None]
    high = min(highs) if highs else None
    found = narrowed(target.body, [chars for chars, _, _ in repeats], low, high)
    if found is None:
        return checks
    body, says_length = found
    repeat = one_repeat(body)
    folded = replace(target, body=body, repeat=repeat,
                     assertion=whole_cell(body, syntax.end, empty=target.empty, repeat=repeat))
    kept = [folded if check is target else check for check in checks if check not in others]
    if not says_length:  # the limit still asserted, on any cell character
        limit = f"{syntax.char}{{{low},{'' if high is None else high}}}"
        kept.append(CellCheck(target.field, whole_cell(
            limit, syntax.end, empty=True, repeat=(syntax.char, low, high))))
    return kept


def _picker(order: Sequence[int]) -> Callable[[tuple[str | None, ...]], tuple[str | None, ...]]:
    """The values in fields order out of the expression's groups, in one C call."""
    if len(order) == 1:
        index = order[0]
        return lambda groups: (groups[index],)
    return itemgetter(*order)
