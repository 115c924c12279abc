"""The XML form of a batch file, read safely (defusedxml: no DTD, no entities) and lazily.

The whole file is parsed once up front so a malformed end stops the run before any
finding, keeping elements only until the header and the first learner are read; a second
pass hands learners over one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from lrsrules.batch.layouts import Layout, XmlSpec
from lrsrules.batch.parts import BLOCK, BatchParts, Row, Rows, open_bytes
from lrsrules.errors import InputError, Location
from lrsrules.inputs.bounds import cell_too_long
from lrsrules.limits import MAX_CELL_CHARS, MAX_XML_MARKUP_BYTES


def read_xml(name: str, layout: Layout) -> BatchParts:
    with open_bytes(name) as file:
        spec = layout.xml
        if spec is None:
            raise InputError(f"layout {layout.name} has no XML form", Location(name),
                             hint="give the file as CSV")
        if _is_blank(file):
            return BatchParts(name, "xml", None, None, True, (), None, 1, _no_rows())
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
    if not head.learners:
        return BatchParts(name, "xml", None, None, False, (), None, root_line, _no_rows())
    # As the CSV form has it: the header's elements lead the heading row, and their values
    # the first learner's cells.
    tags, values = head.header or ((), ())
    headings = Row(head.learners[0].line, tags + (head.first_tags or ()))
    return BatchParts(name, "xml", None, None, False, (), headings, headings.line,
                      _xml_learners(name, spec, values))


def _is_blank(file: BinaryIO) -> bool:
    return not any(block.strip() for block in iter(lambda: file.read(BLOCK), b""))


def _no_rows() -> Rows:
    yield from ()


def _xml_learners(name: str, spec: XmlSpec, header: tuple[str, ...]) -> Rows:
    prefix, blank = header, ("",) * len(header)
    with open_bytes(name) as file:
        rows = _XmlRows(spec, header=False)
        for _ in rows.parse(name, file):
            ready, rows.learners = rows.learners, []
            for row in ready:
                yield Row(row.line, prefix + row.cells, row.issue)
                prefix = blank


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
        self.header: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # tags, values
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
        self._size = 0  # characters in _text
        self.name = ""  # the file's, for errors

    def parse(self, name: str, file: BinaryIO) -> Iterator[None]:
        """Feed the file a block at a time, pausing after each."""
        self.name = name
        fed = 0
        try:
            while block := file.read(BLOCK):
                self.parser.feed(block)
                # What expat has not parsed yet is one piece of markup it holds whole (text
                # is handed over as it comes): past the limit, stop before it grows more.
                fed += len(block)
                if fed - self.expat.CurrentByteIndex > MAX_XML_MARKUP_BYTES:
                    raise InputError(
                        f"a piece of markup (a tag with its attributes, a comment) is longer"
                        f" than {MAX_XML_MARKUP_BYTES} bytes (the most one may hold)",
                        Location(name, self.expat.CurrentLineNumber),
                        hint="check that this is a batch file: its tags are short")
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
        except (LookupError, ValueError):  # expat asked Python for the declared
            # encoding (DefusedXmlException, a ValueError too, is caught above)
            raise InputError(
                "the encoding named in the XML declaration is unknown or cannot be used",
                Location(name, 1),
                hint='save the file as UTF-8, declared as <?xml version="1.0" '
                     'encoding="UTF-8"?>') from None

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
                self._text, self._size = [], 0
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
            self._size += len(text)
            if self._size > MAX_CELL_CHARS:
                raise cell_too_long(self.name, self.expat.CurrentLineNumber,
                                    "the text of an element")

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
            self.header = (tags, cells)
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
