"""A CSV batch file checked in parts by workers (``batch check --workers``): the same report.

``lrsrules.run.parallel`` cuts the learner rows into parts and checks them side by side, as
it does any CSV file; this module is how a worker reads one part of a batch file. The
main process has read the head (``read_batch``: the file decoded whole, the heading row
found, the file-level findings made), so a worker is handed that head's rows (``BatchHead``)
rather than finding them again, and reads the part's rows after the file's head bytes
(``read_part_rows``) under the same headings, numbered as the file numbers them.

What only the end of the file tells (the learner count against the header and the trailer,
the header values on later rows, the return codes of an output file) is counted in each
part (``PartTally``, rows before the next part only) and added to the whole file's
``BatchFile`` in input order, which then makes those findings once, as one pass does.
A row at or after the next part's first line ends a part, a trailer row too: the run
learns from it where the next part truly starts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from lrsrules.batch.check import BatchFile, BatchRecords
from lrsrules.batch.layouts import Layout
from lrsrules.batch.parts import BatchParts, Row, Rows
from lrsrules.batch.reader import is_blank, read_part_rows
from lrsrules.inputs.records import RecordSource
from lrsrules.run.partcheck import PartTask


@dataclass(frozen=True)
class PartTally:
    """What one part counted toward the findings about the file's end."""

    records: int
    later: tuple[int, int]  # rows after the part's first with header values; first line
    lead: int | None  # line of the part's first learner row, when it holds header values
    return_codes: Counter[str]
    unknown_codes: int
    trailer: Row | None  # the part's last trailer row


class PartRecords(BatchRecords):
    """The learner rows of one part as a run's source; ``stopped`` holds the line of the
    first row after the part, once met."""

    def __init__(self, batch: BatchFile, wanted: Sequence[str], stopped: list[int]) -> None:
        super().__init__(batch, wanted)
        self.stopped = stopped


@dataclass(frozen=True)
class BatchHead:
    """A batch file's head as its main process read it: what a worker needs to read any
    part of it (a ``PartReader`` of ``lrsrules.run.parallel``). Pickles: rows and the
    layout, no open file."""

    layout: Layout
    encoding: str
    delimiter: str
    leading: tuple[Row, ...]
    headings: Row
    heading_line: int
    now: dt.datetime

    @classmethod
    def of(cls, batch: BatchFile) -> BatchHead | None:
        """The head of ``batch`` (None: not a CSV file with headings, so not cut)."""
        parts = batch.parts
        if parts.format != "csv" or parts.headings is None or parts.encoding is None \
                or parts.delimiter is None:
            return None
        return cls(batch.layout, parts.encoding, parts.delimiter, parts.leading,
                   parts.headings, parts.heading_line, batch.now)

    def open_part(self, stream: BinaryIO, task: PartTask, wanted: Sequence[str]
                  ) -> RecordSource:
        body_line = task.plan.body_line  # the file's first learner row
        rows = read_part_rows(task.plan.path, self.encoding, self.delimiter, stream,
                              head_lines=body_line - 1, shift=task.line - body_line)
        stopped: list[int] = []
        parts = BatchParts(task.plan.path, "csv", self.encoding, self.delimiter, False,
                           self.leading, self.headings, self.heading_line,
                           _until(rows, task.end, stopped))
        return PartRecords(BatchFile(parts, self.layout, now=self.now), wanted, stopped)

    def stopped_at(self, source: RecordSource) -> int | None:
        assert isinstance(source, PartRecords)
        return source.stopped[0] if source.stopped else None

    def tally(self, source: RecordSource) -> PartTally:
        assert isinstance(source, PartRecords)
        batch = source.batch
        return PartTally(batch.records, batch.later_header, _lead(batch), batch.return_codes,
                         batch.unknown_codes, batch.trailer)

    def take(self, source: RecordSource, tally: Any, before: int) -> None:
        assert isinstance(source, BatchRecords) and isinstance(tally, PartTally)
        batch = source.batch
        batch.records += tally.records
        count, line = tally.later
        if tally.lead is not None and before:  # the part's first row is not the file's
            count, line = count + 1, tally.lead
        if count:
            earlier, first = batch.later_header
            batch.later_header = (earlier + count, first or line)
        batch.return_codes.update(tally.return_codes)
        batch.unknown_codes += tally.unknown_codes
        if tally.trailer is not None:  # the last trailer row is the one that counts
            batch.trailer = tally.trailer


def _until(rows: Rows, end: int | None, stopped: list[int]) -> Rows:
    """``rows`` up to the first that starts on line ``end`` or later, whose line goes in
    ``stopped``."""
    try:
        for row in rows:
            if end is not None and row.line >= end:
                stopped.append(row.line)
                return
            yield row
    finally:
        rows.close()


def _lead(batch: BatchFile) -> int | None:
    # The part's first row holds header values (as BatchFile.rows tells of later rows):
    # a finding unless that row is the file's first learner row.
    first = batch._first
    marker = batch.layout.trailer.marker if batch.layout.trailer else None
    columns = tuple(batch.header_columns.values())
    if first is None or not columns or (marker is not None and first.cells[:1] == (marker,)):
        return None
    cells = first.cells
    return None if is_blank(cells[c] for c in columns if c < len(cells)) else first.line
