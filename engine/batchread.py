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

The XML form is parsed with defusedxml: a document type declaration (so any entity, and
so any entity expansion or external entity) is refused before anything is read. XLSX is
read with openpyxl (the ``xlsx`` extra), in read-only mode. Problems that stop the whole
file are ``InputError``s; nothing here quotes a value.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from lrsrules.engine.decoding import DEFAULT_ENCODING, decode_error
from lrsrules.engine.errors import InputError, Location
from lrsrules.engine.headings import normalise_heading
from lrsrules.engine.layouts import Layout, XmlSpec

FORMATS = ("csv", "xml", "xlsx")
BLOCK = 1 << 16  # bytes read at a time
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xml": "xml", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_WORKBOOK_HINT = "name it .xlsx, or save it as CSV"

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

    ``header`` holds the header headings and ``header_values`` their values (either None
    when absent); ``headings`` is the learner heading row (None when the file ends before
    it); ``heading_line`` is where it is or should be. The file stays open until
    ``records`` is read to its end or ``close`` is called.
    """

    path: str
    format: str
    encoding: str | None
    delimiter: str | None
    empty: bool
    header: Row | None
    header_values: Row | None
    headings: Row | None
    heading_line: int
    records: Rows

    def close(self) -> None:
        self.records.close()


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
        return _read_xml(name, layout)
    if fmt == "xlsx":
        return _split(name, "xlsx", None, None, _xlsx_rows(name), layout)
    codec = _codec(encoding, name)
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
    head = list(islice(rows, 3))
    known = {normalise_heading(h) for h in layout.headings + _output_headings(layout)}
    at = next((i for i, row in enumerate(head) if _looks_like_headings(row, known)), None)
    if layout.header:
        # Row 1 the header headings, row 2 their values, row 3 the learner headings; a
        # heading row found earlier means the header (or its values) is missing.
        expected = 2 if at is None or at > 2 else at
        header = head[0] if expected >= 1 and head else None
        values = head[1] if expected == 2 and len(head) > 1 else None
    else:
        expected, header, values = 0 if at is None else at, None, None
    headings = head[expected] if len(head) > expected else None
    before = head[expected - 1].line if 0 < expected <= len(head) else 0
    records = _chained(head[expected + 1:], rows)
    return BatchParts(name, fmt, encoding, delimiter, not head, header, values, headings,
                      headings.line if headings else before + 1, records)


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

def _csv_rows(name: str, codec: str, delimiter: str) -> Rows:
    with io.TextIOWrapper(_open_bytes(name), encoding=codec, newline="") as file:
        # newline="": csv sees line endings as written, for values that span lines.
        reader = csv.reader(file, delimiter=delimiter)
        previous = 0
        try:
            for cells in reader:
                line, previous = previous + 1, reader.line_num
                if not is_blank(cells):
                    yield Row(line, tuple(cells))
        except csv.Error as exc:
            # csv's messages name the character or limit at fault, never a cell's text.
            raise InputError(f"cannot read the file as CSV: {exc}",
                             Location(name, reader.line_num)) from None
        except UnicodeDecodeError:
            _check_decoding(name, codec)  # it decoded before: say where it no longer does
            raise InputError("the file changed while it was being read",
                             Location(name)) from None


def _codec(given: str | None, name: str) -> str:
    if given is None:
        return DEFAULT_ENCODING
    try:
        codec = codecs.lookup(given).name
    except LookupError:
        raise InputError(f"unknown encoding {given!r}", Location(name),
                         hint="use a Python codec name such as utf-8 or cp1252") from None
    return DEFAULT_ENCODING if codec == "utf-8" else codec


def _open_bytes(name: str) -> BinaryIO:
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


def _check_decoding(name: str, codec: str) -> None:
    """Decode the whole file a block at a time, keeping nothing, so that a byte ``codec``
    cannot read is an ``InputError`` (with its line and column) before anything else."""
    try:
        b"\n".decode(codec)
    except LookupError as exc:  # a codec that does not decode bytes to text
        raise InputError(f"unusable encoding: {exc}", Location(name)) from None
    except UnicodeError:
        pass
    with _open_bytes(name) as file:
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


def _held(decoder: codecs.IncrementalDecoder) -> int:
    pending = decoder.getstate()[0]
    return len(pending) if isinstance(pending, bytes) else 0


def _decode_failure(name: str, codec: str, at: int) -> InputError:
    """The error for the byte at offset ``at``: its line and column (in bytes), found by
    reading the file again up to it."""
    line, line_start, done = 1, 0, 0
    with _open_bytes(name) as file:
        start = file.read(4)
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
    try:
        import openpyxl
    except ImportError:
        raise InputError("reading .xlsx files needs openpyxl", Location(name),
                         hint="pip install 'lrsrules[xlsx]'") from None
    if not os.path.isfile(name):
        _open_bytes(name).close()  # raises the usual not found / directory error
    try:
        book = openpyxl.load_workbook(name, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors alike
        raise InputError(f"cannot read the file as an Excel workbook ({type(exc).__name__})",
                         Location(name), hint="save it again from Excel as .xlsx") from None
    return _sheet_rows(name, book)


def _sheet_rows(name: str, book: Any) -> Rows:
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # saved dimensions may be wrong; read what is there
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = tuple(_cell_text(value) for value in values)
            if not is_blank(cells):
                yield Row(number, cells)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read the workbook's first sheet ({type(exc).__name__})",
                         Location(name)) from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
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


# --- XML ------------------------------------------------------------------------------------

def _read_xml(name: str, layout: Layout) -> BatchParts:
    with _open_bytes(name) as file:
        spec = layout.xml
        if spec is None:
            raise InputError(f"layout {layout.name} has no XML form", Location(name),
                             hint="give the file as CSV")
        if _is_blank(file):
            return BatchParts(name, "xml", None, None, True, None, None, None, 1, _no_rows())
        file.seek(0)
        # The whole file is parsed here (so a malformed end stops it before any finding),
        # element by element only until the header and the first learner are read.
        head = _XmlRows(spec, header=True)
        for _ in head.parse(name, file):
            if head.header_read and head.learners:
                head.stop_reading()
    root, root_line = head.root
    if root != spec.root:
        raise InputError(f"the root element is <{root}>; a {layout.title} has <{spec.root}>",
                         Location(name, root_line),
                         hint="check that this is a batch file of this layout (--layout)")
    header, header_values = head.header or (None, None)
    if not head.learners:
        return BatchParts(name, "xml", None, None, False, header, header_values, None,
                          root_line, _no_rows())
    headings = Row(head.learners[0].line, head.first_tags or ())
    return BatchParts(name, "xml", None, None, False, header, header_values, headings,
                      headings.line, _xml_learners(name, spec))


def _is_blank(file: BinaryIO) -> bool:
    return not any(block.strip() for block in iter(lambda: file.read(BLOCK), b""))


def _no_rows() -> Rows:
    yield from ()


def _xml_learners(name: str, spec: XmlSpec) -> Rows:
    with _open_bytes(name) as file:
        rows = _XmlRows(spec, header=False)
        for _ in rows.parse(name, file):
            ready, rows.learners = rows.learners, []
            yield from ready


class _XmlRows:
    """A defused parse that turns the header (if asked) and every learner into ``Row``s.

    Elements are found by their path from the root, namespaces dropped; an element's cells
    are the text of its children (as ``itertext`` reads it) and its line is where it
    starts. A learner whose children's names differ from the first learner's has an issue.
    Handlers are set on the expat parser inside defusedxml's, which keeps its refusal of
    document types and entities.
    """

    def __init__(self, spec: XmlSpec, *, header: bool) -> None:
        self.parser = DefusedXMLParser(target=_NoTarget(), forbid_dtd=True,
                                       forbid_entities=True, forbid_external=True)
        self.expat: Any = self.parser.parser
        self.expat.StartElementHandler = self._start
        self.expat.EndElementHandler = self._end
        self.expat.CharacterDataHandler = self._data
        self.learner_path = spec.learner.split("/")
        self.header_path = spec.header.split("/") if header and spec.header else None
        self.root: tuple[str, int] = ("", 0)
        self.header: tuple[Row, Row] | None = None
        self.header_read = self.header_path is None
        self.every_learner = not header  # else only the first
        self.first_tags: tuple[str, ...] | None = None
        self.learners: list[Row] = []  # read since the caller last took them
        self._stack: list[str] = []  # tags from the root down to the current element
        self._reading = ""  # "header" or "learner" while inside one
        self._depth = 0  # stack depth of the element being read
        self._line = 0
        self._tags: list[str] = []
        self._cells: list[str] = []
        self._text: list[str] | None = None  # while inside one of its children

    def parse(self, name: str, file: BinaryIO) -> Iterator[None]:
        """Feed the file a block at a time, pausing after each."""
        try:
            while block := file.read(BLOCK):
                self.parser.feed(block)
                yield
            self.parser.close()
            yield
        except DefusedXmlException:
            raise InputError(
                "the XML file declares a document type (DTD) or entities, which are refused",
                Location(name),
                hint="a batch file needs neither; entity expansion and external entities "
                     "are never processed") from None
        except ET.ParseError as exc:
            line, column = exc.position
            raise InputError(f"cannot read the file as XML: {_expat_reason(exc)}",
                             Location(name, line, column + 1)) from None

    def stop_reading(self) -> None:
        """Parse the rest without handing elements to Python: only errors are looked for.

        Document types can only come before the root element, so nothing defusedxml
        refuses is missed."""
        for handler in ("StartElementHandler", "EndElementHandler", "CharacterDataHandler",
                        "DefaultHandlerExpand"):
            setattr(self.expat, handler, None)

    def _start(self, name: str, attributes: list[str]) -> None:
        tag = name.rpartition("}")[2]  # expat gives namespace}tag
        stack = self._stack
        stack.append(tag)
        depth = len(stack)
        if self._reading:
            if depth == self._depth + 1:
                self._tags.append(tag)
                self._text = []
        elif depth == 1:
            self.root = (tag, self.expat.CurrentLineNumber)
        elif not self.header_read and stack[1:] == self.header_path:
            self._begin("header", depth)
        elif (self.every_learner or not self.learners) and stack[1:] == self.learner_path:
            self._begin("learner", depth)

    def _begin(self, reading: str, depth: int) -> None:
        self._reading, self._depth = reading, depth
        self._line = self.expat.CurrentLineNumber
        self._tags, self._cells = [], []

    def _data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def _end(self, name: str) -> None:
        stack = self._stack
        depth = len(stack)
        stack.pop()
        if not self._reading:
            return
        if depth == self._depth + 1 and self._text is not None:
            self._cells.append("".join(self._text))
            self._text = None
        elif depth == self._depth:
            self._finish()

    def _finish(self) -> None:
        tags, cells = tuple(self._tags), tuple(self._cells)
        if self._reading == "header":
            self.header = (Row(self._line, tags), Row(self._line, cells))
            self.header_read = True
        else:
            if self.first_tags is None:
                self.first_tags = tags
            issue = None if tags == self.first_tags else "elements differ"
            self.learners.append(Row(self._line, cells, issue))
        self._reading = ""


class _NoTarget:
    def close(self) -> None:
        return None


def _expat_reason(exc: ET.ParseError) -> str:
    # expat's message is "reason: line L, column C"; the position is reported separately.
    return str(exc).split(": line ")[0]
