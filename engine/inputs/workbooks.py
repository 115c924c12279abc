"""Excel workbooks (.xlsx): rows of a sheet as text, and a ``RecordSource`` over them.

Read with openpyxl (the ``xlsx`` extra, imported only here) in read-only mode, which
streams a sheet's rows. Before openpyxl opens a workbook it is checked against the
workbook limits (``MAX_XLSX_BYTES``, ``MAX_XLSX_RATIO``, ``MAX_XLSX_SHARED_STRINGS``), as
the sizes its zip declares, so a zip bomb is refused unread. Cells read as the text a CSV
export holds: whole numbers without ``.0``, dates as YYYY-MM-DD. The batch file reader
reads workbooks through ``workbook_rows`` too. Nothing here quotes a value.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from lrsrules.errors import InputError, Location
from lrsrules.inputs.bounds import cell_too_long
from lrsrules.inputs.headings import match_headings
from lrsrules.inputs.records import (
    HeadedSource,
    Record,
    unreadable,
)
from lrsrules.limits import MAX_CELL_CHARS, MAX_XLSX_BYTES, MAX_XLSX_RATIO, MAX_XLSX_SHARED_STRINGS
from lrsrules.packs.model import FieldDef

_BLOCK = 1 << 16
_RATIO_FROM = 1 << 20  # parts smaller than this may expand any number of times
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")

WorkbookRows = Iterator[tuple[int, tuple[str, ...]]]


def workbook_rows(name: str, sheet: str | None = None) -> WorkbookRows:
    """The non-blank rows of a workbook's first sheet (or the one named ``sheet``): each
    its row number and cells as text. Raises ``InputError`` for a workbook that cannot be
    read, is past a workbook limit, or has no such sheet; the rows are read lazily."""
    try:
        import openpyxl
    except ImportError:
        raise InputError("reading .xlsx files needs openpyxl", Location(name),
                         hint="pip install 'lrsrules[xlsx]'") from None
    location = Location(name)
    if os.path.isdir(name):
        raise InputError("this is a directory, not a file", location)
    if not os.path.isfile(name):
        raise InputError("file not found" if not os.path.exists(name)
                         else "cannot open the file: not a regular file", location)
    check_workbook(name)
    try:
        book = openpyxl.load_workbook(name, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors alike
        raise InputError(f"cannot read the file as an Excel workbook ({type(exc).__name__})",
                         location, hint="save it again from Excel as .xlsx") from None
    try:
        chosen = _sheet(name, book, sheet)
    except BaseException:
        book.close()
        raise
    return _sheet_rows(name, book, chosen, sheet)


def is_blank(cells: Iterable[str]) -> bool:
    return all(not cell or cell.isspace() for cell in cells)


def _sheet(name: str, book: Any, sheet: str | None) -> Any:
    if sheet is None:
        return book.worksheets[0]
    if sheet in book.sheetnames:
        return book[sheet]
    raise InputError(f"the workbook has no sheet named {sheet!r}", Location(name),
                     hint=f"its sheets: {', '.join(map(repr, book.sheetnames))}")


def _sheet_rows(name: str, book: Any, sheet: Any, named: str | None) -> WorkbookRows:
    try:
        sheet.reset_dimensions()  # saved dimensions may be wrong; read what is there
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = tuple(cell_text(value) for value in values)
            if max(map(len, cells), default=0) > MAX_CELL_CHARS:
                raise cell_too_long(name, number, "a cell of this row")
            if not is_blank(cells):
                yield number, cells
    except InputError:
        raise
    except Exception as exc:
        which = "first sheet" if named is None else f"sheet {named!r}"
        raise InputError(f"cannot read the workbook's {which} ({type(exc).__name__})",
                         Location(name)) from None
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A cell as the text a CSV export would hold: 1026893096 not 1026893096.0, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# --- limits -----------------------------------------------------------------------------------

def check_workbook(name: str) -> None:
    """Refuse a workbook whose members expand past ``MAX_XLSX_BYTES`` in all, or more than
    ``MAX_XLSX_RATIO`` times, or with more than ``MAX_XLSX_SHARED_STRINGS`` shared strings,
    before openpyxl reads it. The sizes are those the zip declares; zipfile reads no member
    past its declared size."""
    try:
        with zipfile.ZipFile(name) as book:
            members = book.infolist()
            if sum(member.file_size for member in members) > MAX_XLSX_BYTES:
                raise _too_big(name, f"expands to more than {MAX_XLSX_BYTES} bytes"
                               " (the most a workbook may)")
            for member in members:
                if (member.file_size > _RATIO_FROM
                        and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1)):
                    raise _too_big(name, f"has a part that expands more than {MAX_XLSX_RATIO}"
                                   " times its stored size (the most a part may)")
                if member.filename.lower().endswith("sharedstrings.xml"):
                    _count_shared_strings(name, book, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return  # not a readable zip: openpyxl says so in its own words (workbook_rows)


def _count_shared_strings(name: str, book: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    if member.file_size < MAX_XLSX_SHARED_STRINGS * 5:  # "<si/>" is the shortest entry
        return
    count, tail = 0, b""
    with book.open(member) as part:
        while block := part.read(_BLOCK):
            # An entry cut by a block's end is found with the next block's first bytes; one
            # ending in the tail kept from the last block was counted with it.
            text, kept = tail + block, len(tail)
            count += sum(1 for found in _SHARED_STRING.finditer(text) if found.end() > kept)
            tail = text[-40:]
            if count > MAX_XLSX_SHARED_STRINGS:
                raise _too_big(name, f"has more than {MAX_XLSX_SHARED_STRINGS} shared strings"
                               " (the most a workbook may)")


def _too_big(name: str, what: str) -> InputError:
    return InputError(f"the workbook {what}", Location(name),
                      hint="an Excel workbook of learners never does: "
                           "check the file, or save it as CSV")


# --- records ----------------------------------------------------------------------------------

class WorkbookSource(HeadedSource):
    """Learner records from a sheet: its first non-blank row holds the headings, each row
    after it one learner (``line`` is the row number). See ``RecordSource``."""

    format = "xlsx"

    def __init__(self, name: str, fields: Mapping[str, FieldDef], wanted: Sequence[str], *,
                 sheet: str | None = None) -> None:
        super().__init__(None)
        self.path = name
        self.encoding = None
        rows = workbook_rows(name, sheet)
        self._rows = rows
        try:
            first = next(rows, None)
            if first is None:
                raise InputError("the sheet is empty: expected a header row", Location(name),
                                 hint=None if sheet else "name the sheet of learners with "
                                 "--sheet")
            self._header_line, header = first
            self._headings = _trimmed(header)
            self._match = match_headings(self._headings, fields, source=name,
                                         line=self._header_line)
        except BaseException:
            rows.close()  # type: ignore[attr-defined]
            raise
        self._read: int | None = None
        self._records = self._iter_records(tuple(wanted))



    def close(self) -> None:
        self._rows.close()  # type: ignore[attr-defined]

    def _iter_records(self, wanted: tuple[str, ...]) -> Iterator[Record]:
        width = len(self._headings)
        indices = tuple(self._match.columns.get(name, -1) for name in wanted)
        number = 0
        for line, cells in self._rows:
            number += 1
            if len(_trimmed(cells)) > width:
                yield unreadable(number, line, len(wanted), "the row has values beyond the "
                                 f"last of its {width} headings")
                continue
            yield Record(number, line, tuple(
                None if index < 0 or index >= len(cells) or not (value := cells[index])
                or value.isspace() else value for index in indices))
        self._read = number


def _trimmed(cells: tuple[str, ...]) -> tuple[str, ...]:
    """``cells`` without trailing blank cells (spreadsheets pad rows to the widest one)."""
    end = len(cells)
    while end and (not cells[end - 1] or cells[end - 1].isspace()):
        end -= 1
    return cells[:end]
