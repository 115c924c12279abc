"""A CSV file's records, read after its headings: split by hand where csv would read the
line the same way, by csv where it must, and in blocks of lines with the whole-row proof.

``CsvSource`` is what ``open_records`` returns for CSV. Lines come from ``BoundedLines``
(bounded lines, blocks of whole lines). A line without quotes or NULs that splits into as
many cells as there are headings is split with ``str.split``; any other line goes to a
csv reader, as a line pushed back to the feed it reads (with the lines after it, for a
quoted line break). Once enough records are read, a run's whole-row proof
(``lrsrules.run.rowproof``, offered through ``prove_lines``) may read blocks of lines at
once and hand over only the records it cannot prove clean, where the trial of the two
ways (``prooftrial``) finds it faster. Nothing here quotes a value: input files hold
personal data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from operator import itemgetter

from lrsrules import speedups
from lrsrules.errors import InputError, Location
from lrsrules.inputs.bounds import BoundedLines, allow_cells, check_span, csv_error
from lrsrules.inputs.headings import match_headings
from lrsrules.inputs.prooftrial import ProofTrial, lines_of
from lrsrules.inputs.records import (
    Answered,
    CheckFunction,
    HeadedSource,
    LineProof,
    Opened,
    ProofMaker,
    Record,
    unreadable,
)
from lrsrules.limits import MAX_CELL_CHARS
from lrsrules.packs.model import FieldDef

# Records read the plain way before a whole-row proof is made: a small file never pays
# for making one (a regular expression and functions compiled for the file's columns), and
# the trial of the two ways (``prooftrial``) then times them with their caches warm.
PROVE_AFTER = 4096
# A file known to be large (its size, or a part of a file cut for workers) pays for its
# proof many times over: it is made after these records, which warm the plain way's caches.
PROVE_EARLY = 512
LARGE_BYTES = 2 << 20  # some 20,000 learner records
BLOCK_CHARS = 1 << 18  # then read in blocks of whole lines of about this many characters
TRIAL_SHARE = 4  # while the two ways are tried, blocks this many times smaller


class CsvSource(HeadedSource):
    format = "csv"

    def __init__(
        self, opened: Opened, fields: Mapping[str, FieldDef], wanted: Sequence[str], delimiter: str
    ) -> None:
        super().__init__(opened)
        self.delimiter = delimiter
        allow_cells()
        self._offset = opened.skipped  # blank lines before the header, which csv never saw
        self._lines = opened.lines
        # The fast path splits plain lines itself and hands csv the others through _Feed.
        self._feed = _Feed(opened.lines) if speedups.enabled() else None
        self._reader = csv.reader(self._feed or opened.lines, delimiter=delimiter)
        header, line = self._read_header()
        self._headings = tuple(header)
        self._header_line = line
        self._match = match_headings(header, fields, source=self.path, line=line)
        self._read: int | None = None  # records read, once the last one is
        self._make_proof: ProofMaker | None = None
        # Records read before the proof is made.
        self._prove_after = PROVE_EARLY if self._size >= LARGE_BYTES else PROVE_AFTER
        self._trial = ProofTrial(warmed=self._prove_after)  # whether proving pays here
        self._runs = self._iter_records(tuple(wanted))
        self._records = _flattened(self._runs)

    def prove_lines(self, make: ProofMaker, *, chosen: bool | None = None,
                    large: bool = False) -> None:
        if self._feed is not None:  # the proof lives in the fast path's loop
            self._make_proof = make
            if chosen:  # made at the first record, which is read before: it comes back
                self._prove_after, self._trial = 0, ProofTrial(chosen)
            elif large:
                self._prove_after = min(self._prove_after, PROVE_EARLY)
                self._trial = ProofTrial(warmed=self._prove_after)

    @property
    def proof_chosen(self) -> bool | None:
        return self._trial.chosen


    @property
    def body_line(self) -> int:
        """The physical line after the header row (where records may start), as numbered
        with ``line_offset``; read before the records are."""
        return self._reader.line_num + self._offset + 1


    def _read_header(self) -> tuple[list[str], int]:
        reader, previous = self._reader, self._offset
        try:
            for row in reader:
                line, previous = previous + 1, reader.line_num + self._offset
                if previous != line:
                    check_span(self.path, row, line, previous, self._lines.ended)
                if any(cell.strip() for cell in row):
                    return row, line
        except csv.Error as exc:
            raise self._csv_error(exc, previous + 1) from None
        except UnicodeError:
            raise self._decode_error() from None
        raise InputError("the file has no header row", Location(self.path))

    def runs(self) -> Iterator[Record | list[Record]]:
        return self._runs

    def _iter_records(self, wanted: tuple[str, ...]) -> Iterator[Record | list[Record]]:
        if self._feed is not None:
            return self._iter_split(wanted, self._feed)
        return self._iter_parsed(wanted)

    def _iter_split(self, wanted: tuple[str, ...], feed: _Feed
                    ) -> Iterator[Record | list[Record]]:
        """The records as ``_iter_parsed`` reads them, but a line without quotes or NULs
        that splits into as many cells as there are headings is split here, with no
        csv call: what csv would make of it. Any other line goes to csv, as a line pushed
        back to the feed it reads (with the lines after it, for a quoted line break)."""
        width = len(self._headings)
        indices = tuple(self._match.columns.get(name, width) for name in wanted)
        reader, offset, lines, delimiter = self._reader, self._offset, self._lines, self.delimiter
        assert delimiter is not None
        number, previous = 0, reader.line_num + offset
        new, cut = tuple.__new__, len(wanted)
        read = feed.lines.__next__
        # The wanted cells in one C call; '' made None by a dict's get; a cell of spaces
        # (rare) found by str.isspace, which sends it to the cell by cell test. Where the
        # run wants more values than the line has cells (a pack's fields the file lacks,
        # each then None), the blanks are made None over the cells before they are picked.
        pick = itemgetter(*indices) if len(indices) > 1 else None
        by_cells = pick is not None and width < len(indices)
        blank_to_none = {"": None}.get
        isspace = str.isspace
        counted = reader.line_num  # csv counts only the lines it reads

        def split(text: str, number: int, line: int, check: CheckFunction | None = None
                  ) -> Record | None:
            """The record of a line csv need not read (None: csv must); ``check``: the
            part of the pack's check it needs (``Record.check``)."""
            if '"' in text or "\x00" in text or len(text) > MAX_CELL_CHARS:
                return None
            content = text.rstrip("\r\n")
            row = content.split(delimiter)
            if len(row) != width or (width == 1 and not row[0]):
                return None
            values: tuple[str | None, ...]
            if by_cells and True not in map(isspace, row):
                cells = list(map(blank_to_none, row, row))
                cells.append(None)  # the value of a field without a column
                return new(Record, (number, line, pick(cells), None, (), check))  # type: ignore[misc]
            row.append("")
            if pick is not None and True not in map(isspace, picked := pick(row)):
                values = tuple(map(blank_to_none, picked, picked))
            else:
                values = tuple([None if not (v := row[i]) or v.isspace() else v
                                for i in indices])
            return new(Record, (number, line, values, None, (), check))

        def quoted(text: str, number: int, line: int, check: CheckFunction | None = None
                   ) -> Record | None:
            """The record of a line with quotes csv reads as one whole record (None: it
            may not be one: a quoted value that goes on, a ragged or blank line)."""
            if "\x00" in text or len(text) > MAX_CELL_CHARS:
                return None
            try:  # strict fails where a value is left open; else it reads as csv does
                row = next(csv.reader((text,), delimiter=delimiter, strict=True))
            except (csv.Error, StopIteration):
                return None
            if len(row) != width or (width == 1 and not row[0]):
                return None
            row.append("")
            return new(Record, (number, line, tuple(
                [None if not (v := row[i]) or v.isspace() else v for i in indices]), None, (),
                check))

        # The whole-row proof, made once enough records were read for it to pay; with it,
        # blocks of lines are read at once and only the lines it cannot prove come here.
        prove: LineProof | None = None
        make, proven = self._make_proof, 0
        block: str | None = None
        unproven: Iterator[tuple[str, int, CheckFunction | None]] | None = None
        # The records of a block's lines made before any is taken (see LineProof.unproven),
        # handed over in one list; None: each as it is made.
        batch: list[Record] | None = None
        taken = 0  # lines of the block taken so far
        trial, after = self._trial, self._prove_after
        plain_left = 0  # lines of a block given back to be read the plain way
        judged: int | None = None  # while the trial runs: the lines proven before a block
        try:
            while True:
                if unproven is not None:
                    text, skipped, needs = next(unproven)
                    number += skipped
                    previous += skipped
                    proven += skipped
                    taken += skipped + 1
                    self.proven = proven  # for a progress display
                    if not text:  # the end of the block, whose lines were all taken
                        lines.took(taken - 1)
                        unproven = None
                        if judged is not None and prove is not None:
                            trial.proved(taken - 1, proven - judged, plain=prove.plain)
                            judged = None
                        if batch:
                            yield batch
                        continue
                    record: Record | None
                    if (needs.__class__ is Answered and "\x00" not in text
                            and len(text) <= MAX_CELL_CHARS):  # one record, its hits known
                        record = new(Record, (number + 1, previous + 1, (), None, (), needs))
                    else:
                        record = (split(text, number + 1, previous + 1, needs)
                                  if '"' not in text
                                  else quoted(text, number + 1, previous + 1, needs))
                    if record is not None:
                        number += 1
                        previous += 1
                        if batch is None:
                            yield record
                        else:
                            batch.append(record)
                        continue
                    # csv must read it (and perhaps the lines after it): give the rest of
                    # the block back to be read line by line.
                    assert block is not None
                    lines.push_lines(lines_of(block)[taken - 1:])
                    unproven = None
                    judged = None
                    if batch:
                        yield batch
                elif prove is not None and trial.chosen is False:
                    prove = None  # the plain way is faster on this file: line by line
                elif prove is not None:
                    block = lines.block(BLOCK_CHARS if trial.chosen is not None
                                        else max(BLOCK_CHARS // TRIAL_SHARE, 1))
                    if block is not None:
                        if trial.starts(block):
                            judged = proven if trial.chosen is None else None
                            items = prove.unproven(block, number, previous)
                            batch = [] if isinstance(items, list) else None
                            unproven, taken = iter(items), 0
                        else:  # the plain way, timed: the block's lines one by one
                            given = lines_of(block)
                            lines.took(len(given))
                            lines.push_lines(given)
                            plain_left = len(given)
                        continue
                try:
                    text = read()
                except StopIteration:
                    break
                line = previous + 1
                proving = prove is not None and not plain_left
                if plain_left:
                    plain_left -= 1
                if prove is None and make is not None and number >= after:
                    prove, make = make(delimiter, width, self._match.columns), None
                    if (far := self.bytes_read()) is not None and far[0]:
                        trial.expect(number * far[1] // far[0])  # about the file's lines
                if "\x00" not in text and len(text) <= MAX_CELL_CHARS:
                    if proving and prove is not None and prove.proves(text, number + 1, line):
                        previous = line
                        number += 1
                        proven += 1
                        continue
                    record = split(text, number + 1, line)
                    if record is not None:
                        previous = line
                        number += 1
                        yield record
                        continue
                feed.line = text  # to csv, as read
                counted = reader.line_num
                row = next(reader)
                previous += reader.line_num - counted
                if previous != line:  # a value spanning lines, or a quote never closed
                    check_span(self.path, row, line, previous, lines.ended)
                if len(row) != width:
                    if not row or (len(row) == 1 and row[0].isspace()):
                        continue  # a blank line
                    number += 1
                    yield unreadable(number, line, cut, _count_issue(len(row), width))
                    continue
                number += 1
                row.append("")
                yield new(Record, (number, line, tuple(
                    [None if not (v := row[i]) or v.isspace() else v for i in indices]),
                    None, (), None))
            self._read = number
        except csv.Error as exc:
            reached = previous + reader.line_num - counted  # the lines csv read for it
            raise csv_error(self.path, exc, previous + 1, reached) from None
        except UnicodeError:
            raise self._decode_error() from None
        finally:
            self.proven = proven

    def _iter_parsed(self, wanted: tuple[str, ...]) -> Iterator[Record]:
        width = len(self._headings)
        # A wanted field without a column reads the empty cell appended to every row, which
        # keeps the hot loop free of branches.
        indices = tuple(self._match.columns.get(name, width) for name in wanted)
        reader, offset, lines = self._reader, self._offset, self._lines
        number, previous = 0, reader.line_num + offset
        try:
            for row in reader:
                line = previous + 1
                previous = reader.line_num + offset
                if previous != line:  # a value spanning lines, or a quote never closed
                    check_span(self.path, row, line, previous, lines.ended)
                if len(row) != width:
                    if not row or (len(row) == 1 and row[0].isspace()):
                        continue  # a blank line
                    number += 1
                    yield unreadable(number, line, len(wanted), _count_issue(len(row), width))
                    continue
                number += 1
                row.append("")
                yield Record(
                    number,
                    line,
                    tuple([None if not (v := row[i]) or v.isspace() else v for i in indices]),
                )
            self._read = number
        except csv.Error as exc:
            raise self._csv_error(exc, previous + 1) from None
        except UnicodeError:
            raise self._decode_error() from None

    def _csv_error(self, exc: csv.Error, start: int) -> InputError:
        return csv_error(self.path, exc, start, self._reader.line_num + self._offset)


def _flattened(runs: Iterator[Record | list[Record]]) -> Iterator[Record]:
    """The records of ``runs`` one by one."""
    for run in runs:
        if isinstance(run, list):
            yield from run
        else:
            yield run


class _Feed:
    """The lines a csv reader reads: ``line`` first when set (one the fast path gave up
    on), then the file's."""

    __slots__ = ("line", "lines")

    def __init__(self, lines: BoundedLines) -> None:
        self.line: str | None = None
        self.lines = lines

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self.line
        if line is None:
            return next(self.lines)
        self.line = None
        return line


def _count_issue(count: int, width: int) -> str:
    values = "value" if count == 1 else "values"
    headings = "heading" if width == 1 else "headings"
    return f"record has {count} {values} but the header has {width} {headings}"
