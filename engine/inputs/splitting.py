"""One CSV file cut into parts that separate processes read side by side.

The method: the file is cut at line starts (one pass over its bytes, counting line breaks
as the readers count them: ``\\n``, ``\\r`` and ``\\r\\n``), so that each part knows the
number of its first line without reading what comes before. A line start is a record
boundary unless a quoted value runs across it; that cannot be told without parsing from
the start, so a part is read *speculatively*: its reader starts at its first line as if it
were a boundary, and reads records until one starts at or after the next part's first line
(running past its own end to finish a record that spans the cut). The part before, read
from a true boundary, then says where the next record truly starts; a part whose first
record starts there read exactly what one pass would have (two readers in the same state
at the same line read the same from there on), and one that did not is read again from
the true start (``line_start`` finds its byte offset). ``lrsrules.run.parallel`` makes
those checks.

Each part is read through ``Spliced``: the file's head (blank lines and header row) and
then the part's bytes, as one stream, so the ordinary reader (``open_records``, with a
``line_offset``) matches the same headings and numbers lines as one pass does. Only
encodings in which a line break is one byte that no other character contains can be cut
at a byte (``splittable``); others are read in one pass.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator
from typing import NamedTuple

from lrsrules.errors import InputError, Location

BLOCK = 1 << 20  # bytes read at a time when looking for cuts
# Encodings in which b"\n" and b"\r" are only ever those characters (ASCII-compatible, one
# byte per line break, never part of another character): UTF-8, the single-byte codes.
_SPLITTABLE = re.compile(r"(utf[-_]?8(_sig)?|ascii|latin[-_]?1|iso8859[-_]\d+|cp\d+|mac[-_]\w+)")
_CUT = re.compile(rb"[\r\n]+(?=[^\r\n])")  # line breaks, then the start of a line with text
_BREAK = re.compile(rb"\r\n|\r|\n")
_LONE_RETURN = re.compile(rb"\r(?!\n)")  # a line break of its own (not before a \n)


class Part(NamedTuple):
    """Where one part starts: its byte offset, and the number of the line there."""

    start: int
    line: int


class Plan(NamedTuple):
    """How a file is cut into parts: ``head_end`` is the byte offset where the header
    row's lines end (the head a part's stream starts with, and where the first part
    starts, on line ``body_line``); ``part_count`` parts of about ``size`` bytes, each ending
    where the next starts. ``cut_parts`` finds where each starts, as it reads the file."""

    path: str
    head_end: int
    body_line: int
    part_count: int
    size: int


def splittable(codec: str) -> bool:
    """Whether a file in ``codec`` can be cut at a line-break byte."""
    info = codecs.lookup(codec)
    if _SPLITTABLE.fullmatch(info.name.replace("-", "_")) is None:
        return False
    return b"\r\n".decode(codec) == "\r\n"  # not EBCDIC, whose code pages are cp too


def plan_parts(path: str, body_line: int, part_bytes: int, *, multiple: int = 1) -> Plan:
    """Cut ``path`` (whose records start on line ``body_line``) into parts of about
    ``part_bytes``, their number a multiple of ``multiple`` (the workers, so that each gets
    as much); one part when the records take no more than ``part_bytes``. (The cuts may
    find fewer: the last bytes may hold no line start to cut at.)"""
    head_end = line_start(path, 0, 1, body_line)
    body = os.path.getsize(path) - head_end
    count = max(1, -(-body // max(part_bytes, 1)))
    count = -(-count // multiple) * multiple if count > 1 and body > 0 else 1
    return Plan(path, head_end, body_line, count, max(1, body // count))


def cut_parts(plan: Plan) -> Iterator[Part]:
    """Where each part of ``plan`` starts, found as the file is read (the line numbers
    counted on the way): a part can be read before the cuts after it are found."""
    if plan.part_count == 1:
        return iter((Part(plan.head_end, plan.body_line),))
    return _cuts(plan.path, plan.head_end, plan.body_line, plan.size)


def _cuts(path: str, start: int, line: int, size: int) -> Iterator[Part]:
    """Parts of about ``size`` bytes from ``start`` (on ``line``): each starts at a line
    with text, after a line break (so never between \\r and \\n)."""
    yield Part(start, line)
    target = start + size
    with open(path, "rb") as file:
        file.seek(start)
        offset = start  # of block[0] in the file
        block = _read_block(file)
        while block:
            last = len(block)
            returns = b"\r" in block  # (most files have none: one pass to count breaks)
            counted = 0  # the block's bytes whose breaks ``line`` counts
            # The cut may be the block's first byte, after the last block's break: keep
            # one byte of that block in front.
            while target < offset + last:
                found = _CUT.search(block, max(target - offset - 1, 0))
                if found is None:
                    break
                cut = found.end()
                line += _breaks(block, counted, cut, returns)
                counted = cut
                yield Part(offset + cut, line)
                target = offset + cut + size
            line += _breaks(block, counted, last, returns)
            keep = block[-1:]
            offset += last
            block = _read_block(file)
            if block:
                block = keep + block
                offset -= 1
                line -= _breaks(keep, 0, 1, returns)


def _read_block(file: io.BufferedReader) -> bytes:
    block = file.read(BLOCK)
    if block.endswith(b"\r"):  # never split \r\n between blocks
        block += file.read(1)
    return block


def _breaks(data: bytes, start: int, end: int, returns: bool) -> int:
    """The line breaks in ``data[start:end]`` (``returns``: whether ``data`` holds a
    ``\\r`` anywhere; a break split by ``end`` counts as its ``\\r``): each ``\\n``, and
    each ``\\r`` no ``\\n`` follows (looked for, rather than counting every ``\\r\\n``:
    a file of ``\\r\\n`` line ends has none)."""
    breaks = data.count(b"\n", start, end)
    if not returns or _LONE_RETURN.search(data, start, end) is None:
        return breaks
    return breaks + len(_LONE_RETURN.findall(data, start, end))


def line_start(path: str, offset: int, line: int, wanted: int) -> int:
    """The byte offset where line ``wanted`` starts, counting from ``offset`` (the start of
    line ``line``)."""
    if wanted <= line:
        return offset
    with open(path, "rb") as file:
        file.seek(offset)
        while block := _read_block(file):
            for found in _BREAK.finditer(block):
                line += 1
                if line == wanted:
                    return offset + found.end()
            offset += len(block)
    raise InputError("the file changed while it was being read", Location(path, wanted))


class Spliced(io.RawIOBase):
    """The bytes of ``path`` before ``head_end``, then those from ``start`` on: the file's
    head followed by one part of it. ``name`` is the file's (errors name it, and a byte that
    does not decode is found by reading the file itself)."""

    def __init__(self, path: str, head_end: int, start: int) -> None:
        super().__init__()
        self.name = path
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close)
        self._head = head_end  # bytes of the head still to read
        self._start = start
        if head_end == 0:
            self._file.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            count = self._file.readinto(memoryview(buffer)[: self._head])
            self._head -= count
            if self._head == 0 or not count:
                self._head = 0
                self._file.seek(self._start)
            return count
        return self._file.readinto(buffer)

    def close(self) -> None:
        self._file.close()
        super().close()


def open_part(plan: Plan, start: int) -> io.BufferedReader:
    """A binary stream of ``plan``'s file: its head, then its bytes from ``start`` on."""
    return io.BufferedReader(Spliced(plan.path, plan.head_end, start))
