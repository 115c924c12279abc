"""Read a batch file (CSV, XML or XLSX) into its parts: header record, headings, learner rows.

A batch file is rows: the header record's headings and values, the learner headings, then
one row per learner (and a trailer, for layouts that have one). ``read_batch`` finds those
parts and hands them over as ``Row``s with their physical line numbers, cells as text,
never trimmed. Where the header is missing or the learner headings come early, the learner
heading row is recognised by its headings, so one missing part is one problem, not every
row after it being taken for the wrong thing.

Files are streamed: ``read_batch`` reads the head of the file, and the learner rows are
read as ``records`` is iterated, so memory does not grow with the number of learners. What
would stop a file part-way is looked for first, in a pass that keeps nothing: CSV is
decoded and XML parsed to the end, a block at a time, so an undecodable or malformed file
is an ``InputError`` before any finding is reported.

The XML form is read by ``xmlreader`` with defusedxml: a document type declaration (so any
entity, and so any entity expansion or external entity) is refused before anything is read. XLSX is
read with openpyxl (the ``xlsx`` extra), in read-only mode. Problems that stop the whole
file are ``InputError``s; nothing here quotes a value.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable
from itertools import islice
from typing import BinaryIO

from lrsrules.batch.layouts import Layout
from lrsrules.batch.parts import BLOCK, BatchParts, Row, Rows, open_bytes
from lrsrules.batch.xmlreader import read_xml
from lrsrules.errors import InputError, Location
from lrsrules.inputs.bounds import (
    BoundedLines,
    allow_cells,
    check_span,
    csv_error,
)
from lrsrules.inputs.decoding import DEFAULT_ENCODING, codec_for, decode_error
from lrsrules.inputs.workbooks import workbook_rows
from lrsrules.packs.model import normalise_heading

FORMATS = ("csv", "xml", "xlsx")
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xml": "xml", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_WORKBOOK_HINT = "name it .xlsx, or save it as CSV"

def batch_format(path: str | os.PathLike[str]) -> str:
    """csv, xml or xlsx, by the file's extension (any case)."""
    name = os.fspath(path)
    fmt = _EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if fmt is None:
        raise InputError("cannot tell the batch file's format from its name",
                         Location(name), hint="name it .CSV, .XML or .xlsx")
    return fmt


def read_batch(path: str | os.PathLike[str], layout: Layout, *,
               encoding: str | None = None) -> BatchParts:
    """Read the head of ``path`` as a batch file of ``layout``; ``encoding`` applies to CSV
    only. The learner rows are read as ``records`` is iterated."""
    name = os.fspath(path)
    fmt = batch_format(name)
    if fmt == "xml":
        return read_xml(name, layout)
    if fmt == "xlsx":
        return _split(name, "xlsx", None, None, _xlsx_rows(name), layout)
    codec = codec_for(encoding, name)
    _check_decoding(name, codec)
    rows = _csv_rows(name, codec, layout.delimiter)
    return _split(name, "csv", codec, layout.delimiter, rows, layout)


def is_blank(cells: Iterable[str]) -> bool:
    return all(not cell or cell.isspace() for cell in cells)


def trim_cells(cells: tuple[str, ...]) -> tuple[str, ...]:
    """``cells`` without trailing blank cells (spreadsheets pad rows to the widest one)."""
    end = len(cells)
    while end and (not cells[end - 1] or cells[end - 1].isspace()):
        end -= 1
    return cells[:end]


# --- Row formats: find the parts -----------------------------------------------------------

def _split(name: str, fmt: str, encoding: str | None, delimiter: str | None,
           rows: Rows, layout: Layout) -> BatchParts:
    # The heading row is row 1; it is recognised by its learner headings, so a header
    # record on rows of its own before it is two rows, not the headings being wrong.
    head = list(islice(rows, _LOOK_AHEAD))
    known = {normalise_heading(h)
             for h in (*layout.headings, *layout.variants, *_output_headings(layout))}
    at = next((i for i, row in enumerate(head) if _looks_like_headings(row, known)), 0)
    headings = head[at] if head else None
    records = _chained(head[at + 1:], rows)
    return BatchParts(name, fmt, encoding, delimiter, not head, tuple(head[:at]), headings,
                      headings.line if headings else 1, records)


_LOOK_AHEAD = 3  # rows looked at for the heading row


def _chained(first: list[Row], rest: Rows) -> Rows:
    try:
        yield from first
        yield from rest
    finally:
        rest.close()  # closing the parts closes the file


def _looks_like_headings(row: Row, known: set[str]) -> bool:
    hits = sum(1 for cell in row.cells if normalise_heading(cell) in known)
    return hits >= min(2, len(known))


def _output_headings(layout: Layout) -> tuple[str, ...]:
    return layout.output.headings if layout.output else ()


# --- CSV ------------------------------------------------------------------------------------

def read_part_rows(name: str, codec: str, delimiter: str, stream: BinaryIO, *,
                   head_lines: int, shift: int) -> Rows:
    """The rows of one part of a CSV batch file, for a worker that checks that part
    (``lrsrules.batch.cutting``). ``stream`` is the file's head (its first ``head_lines``
    lines) and then the part's bytes, so that a BOM and the csv reader's state are those of
    one pass; the head's rows are left out and the part's numbered ``shift`` lines on, as
    the file numbers them. The file was decoded whole when its head was read
    (``read_batch``): a part is not decoded twice."""
    return _csv_rows(name, codec, delimiter, stream, head_lines, shift)


def _csv_rows(name: str, codec: str, delimiter: str, stream: BinaryIO | None = None,
              head_lines: int = 0, shift: int = 0) -> Rows:
    allow_cells()
    with io.TextIOWrapper(stream or open_bytes(name), encoding=codec, newline="") as file:
        # newline="": csv sees line endings as written, for values that span lines.
        lines = BoundedLines(file, name, end_mark=True, line_offset=shift)
        reader = csv.reader(lines, delimiter=delimiter)
        previous = 0
        try:
            for cells in reader:
                line, previous = previous + 1, reader.line_num
                if line <= head_lines:  # a part's head: the file's first rows, read before
                    continue
                if previous != line:  # a value spanning lines, or a quote never closed
                    check_span(name, cells, line + shift, previous + shift, lines.ended)
                if not is_blank(cells):
                    yield Row(line + shift, tuple(cells))
        except csv.Error as exc:
            raise csv_error(name, exc, previous + 1 + shift, reader.line_num + shift) from None
        except UnicodeError:
            _check_decoding(name, codec)  # it decoded before: say where it no longer does
            raise InputError("the file changed while it was being read",
                             Location(name)) from None


def _check_decoding(name: str, codec: str) -> None:
    """Decode the whole file a block at a time, keeping nothing, so that a byte ``codec``
    cannot read is an ``InputError`` (with its line and column) before anything else."""
    try:
        b"\n".decode(codec)
    except LookupError as exc:  # a codec that does not decode bytes to text
        raise InputError(f"unusable encoding: {exc}", Location(name)) from None
    except UnicodeError:
        pass
    with open_bytes(name) as file:
        offset = 0  # of the next block in the file
        if codec == DEFAULT_ENCODING:  # utf-8-sig: past the BOM, positions stay the file's
            offset = 3 if file.read(3) == codecs.BOM_UTF8 else 0
            file.seek(offset)
            codec_read = "utf-8"
        else:
            codec_read = codec
        decoder = codecs.getincrementaldecoder(codec_read)()
        held = 0  # bytes of a character cut short by the end of the last block
        try:
            while block := file.read(BLOCK):
                held = _held(decoder)
                decoder.decode(block)
                offset += len(block)
            held = _held(decoder)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            # The error's positions count from the bytes the decoder held back.
            raise _decode_failure(name, codec, max(0, offset - held + exc.start)) from None
        except UnicodeError:  # a codec failing without a position (utf-16 without a BOM)
            raise _decode_failure(name, codec, None) from None


def _held(decoder: codecs.IncrementalDecoder) -> int:
    pending = decoder.getstate()[0]
    return len(pending) if isinstance(pending, bytes) else 0


def _decode_failure(name: str, codec: str, at: int | None) -> InputError:
    """The error for the byte at offset ``at``: its line and column (in bytes), found by
    reading the file again up to it; ``at`` None: the codec did not say where."""
    line, line_start, done = 1, 0, 0
    with open_bytes(name) as file:
        start = file.read(4)
        if at is None:
            return decode_error(name, codec, start, b"", None, None, workbook=_WORKBOOK_HINT)
        file.seek(0)
        while done < at and (block := file.read(min(BLOCK, at - done))):
            line += block.count(b"\n")
            end = block.rfind(b"\n")
            if end >= 0:
                line_start = done + end + 1
            done += len(block)
        bad = file.read(1)
    return decode_error(name, codec, start, bad, line, at - line_start + 1,
                        workbook=_WORKBOOK_HINT)


# --- XLSX -----------------------------------------------------------------------------------

def _xlsx_rows(name: str) -> Rows:
    # Read as validate reads a workbook (lrsrules.inputs.workbooks), limits and all.
    for number, cells in workbook_rows(name):
        yield Row(number, cells)


# --- XML ------------------------------------------------------------------------------------
