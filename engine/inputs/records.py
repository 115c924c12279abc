"""What every record reader hands over: ``Record``s, from a ``RecordSource``.

The readers themselves are ``csvsource`` (opened by ``readers``, which opens every file),
``jsonlines`` and ``mappings``; each subclasses ``RecordSource`` (as does a batch file's,
``lrsrules.batch.check.BatchRecords``), the first two from the ``Opened`` file that
``open_records`` prepared. A run (``lrsrules.run.pipeline``) asks a source for its records
and for what it has to say about the input as a whole. Nothing here quotes a value: input
files hold personal data.
"""

from __future__ import annotations

import codecs
import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, NamedTuple, Protocol

from lrsrules.errors import InputError
from lrsrules.findings import EMPTY_RULE, HEADING_RULE, INPUT_RULE, MISSING_RULE, Finding
from lrsrules.inputs.bounds import BoundedLines
from lrsrules.inputs.compressed import is_gzip, open_gzip
from lrsrules.inputs.decoding import DEFAULT_ENCODING, decode_error
from lrsrules.inputs.headings import HeadingMatch

# A pack's check function, or part of it: the hits on a record's values (see Record.check).
CheckFunction = Callable[[Sequence[str | None]], list[Any]]


class Answered:
    """The hits of a line the whole-row proof answered itself: its cells clean but for
    columns whose findings depend on their own values alone, which the proof looked up
    (``lrsrules.run.narrowing``). Its record needs no values, so the reader makes it
    without splitting the line, with ``values`` empty and this for its check (called with
    any values, it gives the hits). A proof gives these only to a run that writes findings
    from the targets that fired, and reads nothing else of such a record."""

    __slots__ = ("hits",)

    def __init__(self, hits: tuple[int, ...]) -> None:
        self.hits = hits

    def __call__(self, values: Sequence[str | None]) -> list[Any]:
        return list(self.hits)  # a list of its own, as a check function's


class LineProof(Protocol):
    """What proves lines of a CSV file clean without building their records (made by the
    run, ``lrsrules.run.rowproof``, for one file's columns). Lines are given as read, with
    their line breaks, numbered as the record and the line they would be."""

    # Whether a line proven clean runs nothing line by line (no check of rules over
    # several fields, no key of a ``unique`` rule noted): proving it is then cheaper than
    # reading it the plain way, whatever the pack.
    plain: bool

    def proves(self, text: str, number: int, line: int) -> bool:
        """Whether one line (no NUL, no longer than a cell may be) is clean."""

    def unproven(self, block: str, number: int, line: int
                 ) -> Iterator[tuple[str, int, CheckFunction | None]] | list[
                     tuple[str, int, CheckFunction | None]]:
        """Each line of ``block`` (whole lines, ``BoundedLines.block``) not proven clean,
        with how many proven lines came before it and the part of the check its record
        needs (None: all of it; see ``Record.check``; an ``Answered``: its hits, the
        record made without values); lastly ``("", n, None)`` for the
        proven lines at the end. Each line is taken as one record on one line; a reader
        that cannot take one so stops reading these and reads the rest of the block again
        itself. A list where proving a line runs nothing that depends on the records
        before it (no key of a ``unique`` rule noted) and the block ends before the lines
        the proof may not prove (a part's end): the reader may then make the records of
        many lines before any is checked; else each line comes only once the record
        before it was taken."""


# Given a CSV file's delimiter, cells a line and each field's column: a LineProof, or None.
ProofMaker = Callable[[str, int, Mapping[str, int]], LineProof | None]


class Record(NamedTuple):
    """One data record: where it starts, and its values in the order asked for.

    ``notes`` are findings the reader made about the record itself, reported before those
    of the rules. ``issue`` says why the record cannot be checked (its values are then all
    ``None``; its notes say so, see ``unreadable``); neither quotes a value. ``values`` stay out
    of ``repr`` so a logged record leaks nothing. A named tuple, not a dataclass: one is
    built per record, and this is the cheapest immutable record Python offers.

    ``check``, when not None, is the part of the pack's check function this record needs
    (given the pack's values, it answers as the whole function would): the whole-row
    proof's, for a line it found clean but for some cells (``lrsrules.run.rowproof``).
    When it is an ``Answered``, the proof knew the record's hits, and ``values`` is empty.
    """

    number: int  # 1-based data record number
    line: int  # physical line where the record starts
    values: tuple[str | None, ...]
    issue: str | None = None
    notes: tuple[Finding, ...] = ()
    check: CheckFunction | None = None

    def __repr__(self) -> str:
        return f"Record(number={self.number}, line={self.line}, issue={self.issue!r})"


def unreadable(number: int, line: int, width: int, issue: str) -> Record:
    """A record that cannot be checked: reported as an ``INPUT.RECORD`` error saying why."""
    return Record(number, line, (None,) * width, issue,
                  (Finding(number, line, None, INPUT_RULE, "error", issue),))


def heading_findings(match: HeadingMatch, line: int | None) -> list[Finding]:
    """An ``INPUT.HEADING`` warning for each heading (on ``line``) that is probably a
    misspelt field: unread, that field would pass every rule unseen."""
    return [Finding(None, line, near.field, HEADING_RULE, "warning", near.message())
            for near in match.near]


def empty_finding(line: int | None) -> Finding:
    """The ``INPUT.EMPTY`` warning for a file with headings (on ``line``) but no records."""
    return Finding(None, line, None, EMPTY_RULE, "warning",
                   "the file has headings but no records")


@dataclass(frozen=True, slots=True)
class Opened:
    """An input file opened as text, with its leading blank lines read past."""

    path: str
    file: IO[str]
    encoding: str
    lines: BoundedLines  # from the first line with text on
    skipped: int  # blank lines before that one
    release: Callable[[], None] | None = None  # how to let go of it (None: close it)


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

    def __init__(self, opened: Opened | None) -> None:
        self._release = (None if opened is None
                         else opened.release or opened.file.close)
        if opened is not None:
            self.path = opened.path
            self.encoding: str | None = opened.encoding
        self._records: Iterator[Record] = iter(())
        self._progress_fd, self._size = _regular_file(opened)

    def bytes_read(self) -> tuple[int, int] | None:
        """How far reading has got, for a progress display: the bytes taken from the file
        so far (a buffer ahead of the records) and its size; None when not known (a pipe,
        a stream in memory, a closed source). One system call, safe from another thread."""
        if self._progress_fd is None or self._release is None:
            return None
        try:
            return os.lseek(self._progress_fd, 0, os.SEEK_CUR), self._size
        except OSError:
            return None

    @property
    @abstractmethod
    def headings(self) -> tuple[str, ...]: ...

    @property
    @abstractmethod
    def match(self) -> HeadingMatch: ...

    def __iter__(self) -> Iterator[Record]:
        return self._records

    def runs(self) -> Iterator[Record | list[Record]]:
        """The records, as iterating the source gives them, or some of them in lists: the
        records a reader made together (a CSV block's lines the proof did not prove),
        which a run takes in one go. Read either these or the records, never both."""
        return self._records

    # What a run asks of a source besides its records; a batch file has more to say.

    def head_findings(self) -> list[Finding]:
        """Findings about the input as a whole, known before its first record."""
        return []

    def end_findings(self) -> list[Finding]:
        """Findings that only the end of the input tells."""
        return []

    @property
    def ignored_headings(self) -> tuple[str, ...]:
        return self.match.ignored

    @property
    def missing_fields(self) -> tuple[str, ...]:
        return self.match.missing

    @property
    def header_line(self) -> int | None:
        """The line of the headings (None: the input has no heading line)."""
        return None

    def missing_findings(self, required: Mapping[str, str]) -> list[Finding]:
        """An ``INPUT.MISSING`` warning for each field that a rule requires outright
        (``required``: field -> rule) and that no column of the input holds: every record
        fails that rule, and the cause is the file's headings, not its learners."""
        return [Finding(None, self.header_line, field, MISSING_RULE, "warning",
                        f"no column holds {field}, which rule {required[field]} requires: "
                        "every record fails it; add the column, or check its heading")
                for field in self.missing_fields if field in required]

    # Records the whole-row fast path proved clean and did not hand over (see ``prove_lines``).
    proven = 0

    def prove_lines(self, make: ProofMaker, *, chosen: bool | None = None,
                    large: bool = False) -> None:
        """Offer the source a way to prove a line clean without building its record: a
        CSV source calls ``make`` (with its delimiter, its number of cells and each field's
        column) once enough records have been read for it to pay, then hands over only
        the records it cannot prove, counting the others in ``proven``. Others ignore it.
        ``chosen``: proving is already known to pay on this file (an earlier part of it
        said so, and ``make`` has its proof ready): from the second record on, untried.
        ``large``: the input is known to be large (a part of a file cut for workers): the
        proof is made early."""
        return None

    @property
    def proof_chosen(self) -> bool | None:
        """Whether proving lines paid on this source, once its trial said (None: not
        said, or no proof)."""
        return None

    def summary_extra(self) -> tuple[Mapping[str, Any], tuple[str, ...]]:
        """Keys the JSON summary adds, and lines a text summary adds."""
        return {}, ()

    def close(self) -> None:
        if self._release is not None:
            self._release()
            self._release = None

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
        return find_decode_error(self.path, self.encoding or DEFAULT_ENCODING)


def _regular_file(opened: Opened | None) -> tuple[int | None, int]:
    # Only a regular file has a size to take a percentage of.
    try:
        fd = opened.file.fileno() if opened is not None else -1
        info = os.fstat(fd) if fd >= 0 else None
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation: in memory
        return None, 0
    if info is None or not stat.S_ISREG(info.st_mode) or not info.st_size:
        return None, 0
    return fd, info.st_size


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
        with open_gzip(name) if is_gzip(name) else open(name, "rb") as raw:
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
    except UnicodeError:  # a codec failing without a position (utf-16 without a BOM)
        line = max(number, 1)
    except (OSError, InputError):
        pass  # not readable twice (a pipe), or damaged: report without a line
    return decode_error(
        name, codec, start, bad, line, column,
        workbook="name it .xlsx (validate reads workbooks), or save it as 'CSV UTF-8'",
    )


class HeadedSource(RecordSource):
    """A source whose records follow one row of headings (a CSV file, a workbook's sheet):
    what it says of those headings. Subclasses set ``_headings``, ``_header_line`` and
    ``_match`` when opened, and ``_read`` (records read) once the last record is read."""

    _headings: tuple[str, ...]
    _header_line: int
    _match: HeadingMatch
    _read: int | None

    @property
    def headings(self) -> tuple[str, ...]:
        return self._headings

    @property
    def match(self) -> HeadingMatch:
        return self._match

    def head_findings(self) -> list[Finding]:
        return heading_findings(self._match, self._header_line)

    @property
    def header_line(self) -> int | None:
        return self._header_line

    def end_findings(self) -> list[Finding]:
        return [empty_finding(self._header_line)] if self._read == 0 else []
