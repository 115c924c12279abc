"""What a batch file reader hands over: rows with their lines, and the parts of the file.

Shared by the CSV/XLSX reader (``reader``) and the XML reader (``xmlreader``).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import BinaryIO

from lrsrules.errors import InputError, Location

BLOCK = 1 << 16  # bytes read at a time

Rows = Generator["Row", None, None]


@dataclass(frozen=True, slots=True)
class Row:
    """One non-blank row: where it starts, its cells (kept out of repr: personal data)."""

    line: int
    cells: tuple[str, ...] = field(repr=False)
    issue: str | None = None  # XML: the learner's elements differ from the first learner's


@dataclass
class BatchParts:
    """The parts of a batch file, in file order; ``records`` is read once, lazily.

    ``headings`` is the heading row (None when the file ends before it, or an XML file has
    no learner): a layout's header headings first, then the learner headings; the first of
    ``records`` starts with the header values. ``leading`` holds the rows found before
    the heading row (a header record on rows of its own). ``heading_line`` is where the
    heading row is or should be. The file stays open until ``records`` is read to its end
    or ``close`` is called.
    """

    path: str
    format: str
    encoding: str | None
    delimiter: str | None
    empty: bool
    leading: tuple[Row, ...]
    headings: Row | None
    heading_line: int
    records: Rows

    def close(self) -> None:
        self.records.close()


def open_bytes(name: str) -> BinaryIO:
    location = Location(name)
    if os.path.isdir(name):
        raise InputError("this is a directory, not a file", location)
    try:
        return open(name, "rb")
    except FileNotFoundError:
        raise InputError("file not found", location) from None
    except PermissionError:
        raise InputError("permission denied: cannot read the file", location) from None
    except OSError as exc:
        raise InputError(f"cannot open the file: {exc.strerror}", location) from None
