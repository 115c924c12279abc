"""Bounded reading, shared by every reader: lines of at most ``MAX_LINE_CHARS``, cells of at
most ``MAX_CELL_CHARS``, quoted CSV values that end; and the errors when a file goes past
them. Each error names the limit and says what to do; none quotes a value.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import IO

from lrsrules.errors import InputError, Location
from lrsrules.limits import MAX_CELL_CHARS, MAX_LINE_CHARS, MAX_VALUE_LINES

_ENDS = ("\n", "\r")
_LONG_HINT = "shorten it, or close the quote that starts it if it is not closed"
_QUOTE_HINT = "close the quote; a quote inside a quoted value is written twice (\"\")"


class BoundedLines:
    """The lines of a text file, each ending in a line break, none longer than
    ``MAX_LINE_CHARS`` (else an ``InputError`` at its line).

    Lines are numbered from ``line_offset + 1`` (in errors). A last line without a break
    gets one. With ``end_mark``, one blank line follows the
    last: a csv reader then completes every record at its line break, so a record read
    past the mark is a quoted value never closed (``ended`` is set once the mark is given;
    see ``check_span``).
    """

    def __init__(self, file: IO[str], name: str, *, end_mark: bool = False,
                 line_offset: int = 0) -> None:
        self.name = name
        self.ended = False
        self._set_lines(self._read(file, end_mark, line_offset))

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def push(self, line: str) -> None:
        """Give ``line`` again before the rest (a line read to look at the file's head)."""
        self._set_lines(chain((line,), self._lines))

    def __next__(self) -> str:
        return next(self._lines)

    def _set_lines(self, lines: Iterator[str]) -> None:
        self._lines = lines
        # ``lines.__next__`` read as an attribute (as a reader takes it, once) is then the
        # iterator's own, in C: one Python frame less a line. ``next(lines)`` goes through
        # the class's ``__next__``, which gives the same lines.
        self.__next__ = lines.__next__  # type: ignore[method-assign]

    def _read(self, file: IO[str], end_mark: bool, line_offset: int) -> Iterator[str]:
        # readline with a size never holds more than that, however long the line; two more
        # than the limit leave room for "\r\n". line_offset: lines of the file before the
        # first (a part of a file, see open_records).
        read, size = file.readline, MAX_LINE_CHARS + 2
        number = line_offset
        while line := read(size):
            number += 1
            if not line.endswith(_ENDS):
                if len(line) > MAX_LINE_CHARS:
                    raise line_too_long(self.name, number)
                line += "\n"  # only the last line of a file can lack a break
            elif len(line) > MAX_LINE_CHARS and len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
                raise line_too_long(self.name, number)
            yield line
        if end_mark:
            self.ended = True
            yield "\n"


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
