"""Read a batch file (CSV, XML or XLSX) into its parts: header record, headings, learner rows.

A batch file is rows: the header record's headings and values, the learner headings, then
one row per learner (and a trailer, for layouts that have one). ``read_batch`` finds those
parts and hands them over as ``Row``s with their physical line numbers, cells as text,
never trimmed. Where the header is missing or the learner headings come early, the learner
heading row is recognised by its headings, so one missing part is one problem, not every
row after it being taken for the wrong thing.

The XML form is parsed with defusedxml: a document type declaration (so any entity, and
so any entity expansion or external entity) is refused before anything is read. XLSX is
read with openpyxl (the ``xlsx`` extra). Problems that stop the whole file are
``InputError``s; nothing here quotes a value.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from lrsrules.engine.decoding import DEFAULT_ENCODING, decode_error
from lrsrules.engine.errors import InputError, Location
from lrsrules.engine.headings import normalise_heading
from lrsrules.engine.layouts import Layout

FORMATS = ("csv", "xml", "xlsx")
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xml": "xml", ".xlsx": "xlsx", ".xlsm": "xlsx"}


@dataclass(frozen=True, slots=True)
class Row:
    """One non-blank row: where it starts, its cells (kept out of repr: personal data)."""

    line: int
    cells: tuple[str, ...] = field(repr=False)
    issue: str | None = None  # XML: the learner's elements differ from the first learner's


@dataclass
class BatchParts:
    """The parts of a batch file, in file order; ``records`` is an iterator, read once.

    ``header`` holds the header headings and ``header_values`` their values (either None
    when absent); ``headings`` is the learner heading row (None when the file ends before
    it); ``heading_line`` is where it is or should be.
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
    records: Iterator[Row]


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
    """Read ``path`` as a batch file of ``layout``; ``encoding`` applies to CSV only."""
    name = os.fspath(path)
    fmt = batch_format(name)
    if fmt == "xml":
        return _read_xml(name, _read_bytes(name), layout)
    if fmt == "xlsx":
        return _split(name, "xlsx", None, None, _xlsx_rows(name), layout)
    codec = _codec(encoding, name)
    rows = _csv_rows(name, _decode(name, _read_bytes(name), codec), layout.delimiter)
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
           rows: Iterator[Row], layout: Layout) -> BatchParts:
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
    records = chain(head[expected + 1:], rows)
    return BatchParts(name, fmt, encoding, delimiter, not head, header, values, headings,
                      headings.line if headings else before + 1, records)


def _looks_like_headings(row: Row, known: set[str]) -> bool:
    hits = sum(1 for cell in row.cells if normalise_heading(cell) in known)
    return hits >= min(2, len(known))


def _output_headings(layout: Layout) -> tuple[str, ...]:
    return layout.output.headings if layout.output else ()


# --- CSV ------------------------------------------------------------------------------------

def _csv_rows(name: str, text: str, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
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


def _codec(given: str | None, name: str) -> str:
    if given is None:
        return DEFAULT_ENCODING
    try:
        codec = codecs.lookup(given).name
    except LookupError:
        raise InputError(f"unknown encoding {given!r}", Location(name),
                         hint="use a Python codec name such as utf-8 or cp1252") from None
    return DEFAULT_ENCODING if codec == "utf-8" else codec


def _read_bytes(name: str) -> bytes:
    # Batch files are small (the LRS takes them whole), so they are read whole.
    location = Location(name)
    if os.path.isdir(name):
        raise InputError("this is a directory, not a file", location)
    try:
        with open(name, "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise InputError("file not found", location) from None
    except PermissionError:
        raise InputError("permission denied: cannot read the file", location) from None
    except OSError as exc:
        raise InputError(f"cannot open the file: {exc.strerror}", location) from None


def _decode(name: str, content: bytes, codec: str) -> str:
    try:
        return content.decode(codec)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        raise decode_error(name, codec, content[:4], content[exc.start : exc.start + 1],
                           line, column, workbook="name it .xlsx, or save it as CSV") from None
    except LookupError as exc:  # a codec that does not decode bytes to text
        raise InputError(f"unusable encoding: {exc}", Location(name)) from None


# --- XLSX -----------------------------------------------------------------------------------

def _xlsx_rows(name: str) -> Iterator[Row]:
    try:
        import openpyxl
    except ImportError:
        raise InputError("reading .xlsx files needs openpyxl", Location(name),
                         hint="pip install 'lrsrules[xlsx]'") from None
    if not os.path.isfile(name):
        _read_bytes(name)  # raises the usual not found / directory error
    try:
        book = openpyxl.load_workbook(name, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors alike
        raise InputError(f"cannot read the file as an Excel workbook ({type(exc).__name__})",
                         Location(name), hint="save it again from Excel as .xlsx") from None
    return _sheet_rows(name, book)


def _sheet_rows(name: str, book: Any) -> Iterator[Row]:
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

class _LineTarget:
    """Builds the tree like ``TreeBuilder``, dropping namespaces and noting start lines."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.lines: dict[int, int] = {}  # id(element) -> line
        self.parser: Any = None  # the expat parser, set once the XMLParser exists

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = self.builder.start(tag.rpartition("}")[2], attrs)
        self.lines[id(element)] = self.parser.CurrentLineNumber if self.parser else 0
        return element

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag.rpartition("}")[2])

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def _parse_xml(name: str, content: bytes) -> tuple[ET.Element, dict[int, int]]:
    target = _LineTarget()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    target.parser = parser.parser
    try:
        parser.feed(content)
        root = parser.close()
    except DefusedXmlException:
        raise InputError(
            "the XML file declares a document type (DTD) or entities, which are refused",
            Location(name),
            hint="a batch file needs neither; entity expansion and external entities are "
                 "never processed") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(f"cannot read the file as XML: {_expat_reason(exc)}",
                         Location(name, line, column + 1)) from None
    return root, target.lines


def _expat_reason(exc: ET.ParseError) -> str:
    # expat's message is "reason: line L, column C"; the position is reported separately.
    return str(exc).split(": line ")[0]


def _read_xml(name: str, content: bytes, layout: Layout) -> BatchParts:
    spec = layout.xml
    if spec is None:
        raise InputError(f"layout {layout.name} has no XML form", Location(name),
                         hint="give the file as CSV")
    if not content.strip():
        return BatchParts(name, "xml", None, None, True, None, None, None, 1, iter(()))
    root, lines = _parse_xml(name, content)
    if root.tag != spec.root:
        raise InputError(f"the root element is <{root.tag}>; a {layout.title} has <{spec.root}>",
                         Location(name, lines.get(id(root))),
                         hint="check that this is a batch file of this layout (--layout)")
    header = header_values = None
    element = root.find(spec.header) if spec.header else None
    if element is not None:
        line = lines[id(element)]
        header = Row(line, tuple(child.tag for child in element))
        header_values = Row(line, tuple("".join(child.itertext()) for child in element))
    learners = root.findall(spec.learner)
    if not learners:
        return BatchParts(name, "xml", None, None, False, header, header_values, None,
                          lines[id(root)], iter(()))
    tags = tuple(child.tag for child in learners[0])
    headings = Row(lines[id(learners[0])], tags)
    records = (_learner_row(learner, tags, lines) for learner in learners)
    return BatchParts(name, "xml", None, None, False, header, header_values, headings,
                      headings.line, records)


def _learner_row(learner: ET.Element, tags: tuple[str, ...], lines: dict[int, int]) -> Row:
    children = list(learner)
    cells = tuple("".join(child.itertext()) for child in children)
    issue = None if tuple(child.tag for child in children) == tags else "elements differ"
    return Row(lines[id(learner)], cells, issue)
