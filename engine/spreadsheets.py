"""CSV that is safe to open in a spreadsheet: shared by every CSV report.

Spreadsheet programs run a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR as a
formula (OWASP "CSV injection"); values come from learner records and messages may quote
them, so such cells get a leading apostrophe, which spreadsheets show as text and do not
evaluate. And a spreadsheet starts a new row at a bare CR outside quotes, whose first cell
could be a formula; csv.writer quotes a field only for the characters of its line
terminator, so ``writer`` tells it CRLF and ends each row with "\\n" itself.
"""

from __future__ import annotations

import csv
from typing import IO, Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str | None) -> str:
    """``text`` as a cell no spreadsheet runs as a formula ("" for None)."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _LfRows:
    """Where the writer told CRLF puts its rows: ended by "\\n" instead (a text stream turns
    it into the platform's line ending)."""

    def __init__(self, stream: IO[str]) -> None:
        self._write = stream.write

    def write(self, row: str) -> int:
        return self._write(row[:-2] + "\n")  # one call per row, ending in "\r\n"


def writer(stream: IO[str]) -> Any:
    """A csv.writer for ``stream`` that quotes a bare CR and ends rows with "\\n"."""
    return csv.writer(_LfRows(stream), lineterminator="\r\n")
