"""Bounded reading, shared by every reader: lines of at most ``MAX_LINE_CHARS``, cells of at
most ``MAX_CELL_CHARS``, quoted CSV values that end; and the errors when a file goes past
them. Each error names the limit and says what to do; none quotes a value.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import IO

from lrsrules.errors import InputError, Location
from lrsrules.limits import MAX_CELL_CHARS, MAX_LINE_CHARS, MAX_VALUE_LINES

_ENDS = ("\n", "\r")
_SIZE = MAX_LINE_CHARS + 2  # the most of a line read at once
_LONG_HINT = "shorten it, or close the quote that starts it if it is not closed"
_QUOTE_HINT = "close the quote; a quote inside a quoted value is written twice (\"\")"


class BoundedLines:
    """The lines of a text file, each ending in a line break, none longer than
    ``MAX_LINE_CHARS`` (else an ``InputError`` at its line).

    Lines are numbered from ``line_offset + 1`` (in errors). A last line without a break
    gets one. With ``end_mark``, one blank line follows the
    last: a csv reader then completes every record at its line break, so a record read
    past the mark is a quoted value never closed (``ended`` is set once the mark is given;
    see ``check_span``). ``block`` reads many whole lines at once, for a reader that checks
    them without taking them one by one (and that may say how many it held, ``took``).
    """

    def __init__(self, file: IO[str], name: str, *, end_mark: bool = False,
                 line_offset: int = 0) -> None:
        self.name = name
        self.ended = False
        self._file = file
        self._number = line_offset  # lines read from the file so far
        self._end_mark = end_mark
        self._given_back: list[str] = []  # lines to give again, the next one last
        self._done = False
        self._uncounted: str | None = None  # the last block, until its lines are counted

    def __iter__(self) -> BoundedLines:
        return self

    def __next__(self) -> str:
        if self._given_back:
            return self._given_back.pop()
        if self._done:
            raise StopIteration
        if self._uncounted is not None:
            self._count_block()
        # readline with a size never holds more than that, however long the line; two more
        # than the limit leave room for "\r\n".
        line = self._file.readline(_SIZE)
        if not line:
            self._done = True
            if self._end_mark:
                self.ended = True
                return "\n"
            raise StopIteration
        self._number += 1
        if not line.endswith(_ENDS):
            if len(line) > MAX_LINE_CHARS:
                raise line_too_long(self.name, self._number)
            line += "\n"  # only the last line of a file can lack a break
        elif len(line) > MAX_LINE_CHARS and len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            raise line_too_long(self.name, self._number)
        return line

    def push(self, line: str) -> None:
        """Give ``line`` again before the rest (a line read to look at the file's head)."""
        self._given_back.append(line)

    def push_lines(self, lines: Sequence[str]) -> None:
        """Give ``lines`` again, in their order, before the rest."""
        self._given_back.extend(reversed(lines))

    def block(self, size: int) -> str | None:
        """Whole lines, about ``size`` characters of them (``size`` below the line limit),
        as one text, each ending in its line break as ``__next__`` gives it; None when
        lines are given back or the file has ended (read them one by one then)."""
        if self._given_back or self._done:
            return None
        if self._uncounted is not None:
            self._count_block()
        read = self._file.read
        text = read(size)
        if not text:
            return None
        while not text.endswith("\n"):  # complete the last line
            if text.endswith("\r"):  # a break of its own, or the first half of "\r\n"
                more = read(1)
                text += more
                if not more or more == "\n":
                    break
            start = max(text.rfind("\n"), text.rfind("\r")) + 1  # where the line began
            rest = self._file.readline(max(_SIZE - (len(text) - start), 1))
            text += rest
            if not rest.endswith(_ENDS):  # the file's end, or a line past the limit
                if len(text) - start > MAX_LINE_CHARS:
                    self._number += _breaks(text) + 1
                    raise line_too_long(self.name, self._number)
                text += "\n"  # only the last line of a file can lack a break
                break
        last = text.rstrip("\r\n")
        if len(last) - max(last.rfind("\n"), last.rfind("\r")) - 1 > MAX_LINE_CHARS:
            self._number += _breaks(text)
            raise line_too_long(self.name, self._number)
        self._uncounted = text  # counted when the next lines are read, unless took says
        return text

    def took(self, count: int) -> None:
        """The block just read held ``count`` lines (a reader that split it into its lines
        knows, which spares counting its line breaks again)."""
        assert self._uncounted is not None, "took follows a block"
        self._number += count
        self._uncounted = None

    def _count_block(self) -> None:
        assert self._uncounted is not None
        self._number += _breaks(self._uncounted)
        self._uncounted = None


def line_too_long(name: str, line: int) -> InputError:
    return InputError(
        f"the line is longer than {MAX_LINE_CHARS} characters (the most a line may hold)",
        Location(name, line),
        hint="check that this is a file of learner records, one record a line")


def cell_too_long(name: str, line: int | None, where: str = "a value", *,
                  hint: str = "shorten it; a learner's values are never this long") -> InputError:
    """The error for a cell past ``MAX_CELL_CHARS``; ``where`` names it (never its text)."""
    return InputError(
        f"{where} is longer than {MAX_CELL_CHARS} characters (the most a cell may hold)",
        Location(name, line), hint=hint)


def check_span(name: str, cells: Sequence[str], line: int, last: int, ended: bool) -> None:
    """Raise ``InputError`` when a CSV record read from ``line`` to ``last`` (physical lines)
    is a quoted value never closed, spans more than ``MAX_VALUE_LINES`` or holds a cell
    past ``MAX_CELL_CHARS``; ``ended`` is ``BoundedLines.ended``."""
    if ended or last - line >= MAX_VALUE_LINES:
        # At the end of the file the value never closed is the last; else the one spanning
        # most lines. It starts below the line breaks of the values before it.
        breaks = [_breaks(cell) for cell in cells] or [0]
        column = len(breaks) - 1 if ended else breaks.index(max(breaks))
        start = line + sum(breaks[:column])
        what = (f"the quoted value in column {column + 1} is never closed: it runs to the end"
                " of the file" if ended else
                f"the quoted value in column {column + 1} spans more than {MAX_VALUE_LINES}"
                " lines (the most a value may span): its quote is probably not closed")
        raise InputError(what, Location(name, start), hint=_QUOTE_HINT)
    if any(len(cell) > MAX_CELL_CHARS for cell in cells):
        raise cell_too_long(name, line, "a value in the record starting on this line",
                            hint=_LONG_HINT)


def csv_error(name: str, exc: csv.Error, start: int, line: int) -> InputError:
    """The error for ``exc`` raised by a csv reader at ``line`` in a record from ``start``."""
    if "field limit" in str(exc):  # the cell limit, passed before the record ended
        return cell_too_long(name, start, "a value in the record starting on this line",
                             hint=_LONG_HINT)
    # csv's other messages name the character at fault, never the cell's text.
    return InputError(f"cannot read the file as CSV: {exc}", Location(name, line))


def allow_cells() -> None:
    """Let csv readers hold cells of ``MAX_CELL_CHARS``; the csv limit is process-wide, so it
    is only ever raised, never lowered (a caller who raised it keeps theirs)."""
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)


def _breaks(cell: str) -> int:
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")
