"""What every record reader hands over: ``Record``s, from a ``RecordSource``.

The readers themselves are ``readers`` (which also opens files and reads CSV) and
``jsonlines``; both subclass ``RecordSource`` and start from the ``Opened`` file that
``open_records`` prepared. Nothing here quotes a value: input files hold personal data.
"""

from __future__ import annotations

import codecs
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import IO, NamedTuple

from lrsrules.errors import InputError
from lrsrules.inputs.decoding import decode_error
from lrsrules.inputs.headings import HeadingMatch


class Record(NamedTuple):
    """One data record: where it starts, and its values in the order asked for.

    ``issue`` says why the record cannot be checked (its values are then all ``None``); it
    never quotes a value.  ``values`` stay out of ``repr`` so a logged record leaks nothing.
    A named tuple, not a dataclass: one is built per record, and this is the cheapest
    immutable record Python offers.
    """

    number: int  # 1-based data record number
    line: int  # physical line where the record starts
    values: tuple[str | None, ...]
    issue: str | None = None

    def __repr__(self) -> str:
        return f"Record(number={self.number}, line={self.line}, issue={self.issue!r})"


@dataclass(frozen=True, slots=True)
class Opened:
    """An input file opened as text, with its leading blank lines read past."""

    path: str
    file: IO[str]
    encoding: str
    lines: Iterator[str]  # from the first line with text on
    skipped: int  # blank lines before that one


class RecordSource(ABC):
    """An open input file: what was found in its head, and its records when iterated.

    Attributes: ``path``, ``format`` ("csv" or "jsonl"), ``encoding`` (the codec used),
    ``delimiter`` (CSV only), ``headings`` (as found) and ``match`` (a ``HeadingMatch``).
    Use it as a context manager; iterating it yields ``Record``s once, lazily.  For JSON
    Lines, ``headings`` and ``match`` grow as new keys appear: read them after the records
    for the full picture.
    """

    format: str
    delimiter: str | None = None

    def __init__(self, opened: Opened) -> None:
        self.path = opened.path
        self.encoding = opened.encoding
        self._file = opened.file
        self._records: Iterator[Record] = iter(())

    @property
    @abstractmethod
    def headings(self) -> tuple[str, ...]: ...

    @property
    @abstractmethod
    def match(self) -> HeadingMatch: ...

    def __iter__(self) -> Iterator[Record]:
        return self._records

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _decode_error(self) -> InputError:
        return find_decode_error(self.path, self.encoding)


def find_decode_error(name: str, codec: str) -> InputError:
    """The error for a file that failed to decode, with the line and column where it did."""
    # Text files decode in blocks, so the failing block says nothing about lines; this
    # rare path reads the bytes again, line by line, to find where decoding breaks.
    decoder = codecs.getincrementaldecoder(codec)()
    number = 0
    line: int | None = None
    column: int | None = None
    start = bad = b""
    try:
        with open(name, "rb") as raw:
            start = raw.read(4)
            raw.seek(0)
            for chunk in raw:
                number += 1
                decoder.decode(chunk)
            decoder.decode(b"", final=True)  # a sequence cut short by the end of the file
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1]
        prefix = exc.object[: exc.start].decode(codec, errors="replace")
        line, column = max(number, 1), len(prefix) + 1
    except OSError:
        pass  # not readable twice (a pipe): report without a line
    return decode_error(
        name, codec, start, bad, line, column, workbook="save it as 'CSV UTF-8' first"
    )
