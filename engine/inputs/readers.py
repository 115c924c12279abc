"""Stream learner records out of CSV or JSON Lines files, one ``Record`` at a time.

``open_records`` reads just enough of a file to know its format, delimiter and headings,
then yields records lazily: memory stays flat however large the file.  Values come out as
the text read (never trimmed) with blank values as ``None``, in the order the compiled pack
asks for them.  Problems that stop the whole file are ``InputError``s; a problem with one
record (wrong number of cells, not a JSON object ...) is the record's ``issue``.  Nothing
here quotes a value: input files hold personal data.  CSV is read in ``csvsource``, JSON Lines in
``jsonlines``; ``Record`` and ``RecordSource`` live in ``records``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

from lrsrules.errors import InputError, Location
from lrsrules.inputs.bounds import BoundedLines
from lrsrules.inputs.compressed import inner_suffix, is_gzip, open_gzip
from lrsrules.inputs.csvsource import CsvSource
from lrsrules.inputs.decoding import codec_for
from lrsrules.inputs.records import (
    Opened,
    RecordSource,
    find_decode_error,
)
from lrsrules.packs.model import FieldDef

FORMATS = ("csv", "jsonl")
DELIMITERS: Mapping[str, str] = {
    ",": ",", ";": ";", "\t": "\t", "|": "|", "\\t": "\t",
    "comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|",
}  # fmt: skip

_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_WORKBOOKS = (".xlsx", ".xlsm")
_CANDIDATES = ",;\t|"  # in order of preference when counts tie


def open_records(
    path: str | os.PathLike[str] | IO[Any],
    fields: Mapping[str, FieldDef],
    wanted: Sequence[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    input_format: str | None = None,
    line_offset: int = 0,
    sheet: str | None = None,
    name: str | None = None,
) -> RecordSource:
    """Open ``path`` and match its headings to ``fields``; iterate the result for records.

    ``wanted`` names the fields whose values each ``Record`` carries, in that order.  The
    format is ``input_format``, else the extension, else sniffed (``{`` first: JSON Lines).
    ``delimiter`` (a character or a name such as "tab") applies to CSV and is otherwise
    ignored; without it the header line decides.  Raises ``InputError`` for anything that
    stops the file from being read.

    ``path`` may also be an open file object, text or binary (bytes are decoded as
    ``encoding`` says); the caller keeps it and closes it. ``line_offset`` is added to every
    line number: a stream holding a file's head and then a part of it further on (see
    ``lrsrules.inputs.splitting``) numbers that part's lines as the whole file does.
    ``encoding`` says), named ``name`` in errors and reports; the caller keeps it and
    closes it. A path ending ``.gz`` is read
    through gzip (``compressed``), the name before it saying the format; ``.xlsx`` is an
    Excel workbook (``workbooks``): its first sheet, or the one named ``sheet``.
    """
    stream = None if isinstance(path, (str, os.PathLike)) else path
    if name is None or stream is None:
        name = os.fspath(path) if stream is None else _stream_name(stream)  # type: ignore[arg-type]
    suffix = inner_suffix(name)
    if stream is None and input_format is None and suffix in _WORKBOOKS and not is_gzip(name):
        from lrsrules.inputs.workbooks import WorkbookSource  # each reader imported when used

        return WorkbookSource(name, fields, wanted, sheet=sheet)
    if suffix == ".xml" and input_format is None:
        raise InputError("validate reads CSV, JSON Lines and Excel workbooks, not XML",
                         Location(name), hint=f"an LRS batch file in XML is checked with: "
                         f"lrsrules batch check {name}")
    fmt = _format(input_format, suffix, name)
    separator = _delimiter(delimiter, name)
    codec = codec_for(encoding, name)
    release = None
    if stream is None:
        file = _open_gzip(name, codec) if is_gzip(name) else _open(name, codec)
    else:
        file, release = _text_stream(stream, codec, name)
    try:
        # CSV lines end with a mark, so that a quote never closed is told at the end.
        lines = BoundedLines(file, name, end_mark=fmt != "jsonl", line_offset=line_offset)
        skipped, first = _read_head(lines, name, codec)
        if first is None:
            what = "a JSON object" if fmt == "jsonl" else "a header row"
            raise InputError(f"the file is empty: expected {what}", Location(name))
        if fmt is None:
            fmt = "jsonl" if first.lstrip("\ufeff \t").startswith("{") else "csv"
        lines.push(first)
        opened = Opened(name, file, codec, lines, skipped + line_offset, release)
        if fmt == "jsonl":
            from lrsrules.inputs.jsonlines import JsonLinesSource

            return JsonLinesSource(opened, fields, wanted)
        separator = separator or _detect_delimiter(first, "\t" if suffix == ".tsv" else ",")
        return CsvSource(opened, fields, wanted, separator)
    except BaseException:
        (release or file.close)()
        raise


def _format(given: str | None, suffix: str, name: str) -> str | None:
    if given is None:
        return _EXTENSIONS.get(suffix)
    fmt = {"ndjson": "jsonl", "jsonlines": "jsonl"}.get(given.lower(), given.lower())
    if fmt not in FORMATS:
        raise InputError(
            f"unknown input format {given!r}",
            Location(name),
            hint=f"use one of: {', '.join(FORMATS)}",
        )
    return fmt


def _delimiter(given: str | None, name: str) -> str | None:
    if given is None:
        return None
    found = DELIMITERS.get(given) or DELIMITERS.get(given.lower())
    if found is None:
        raise InputError(
            f"unsupported delimiter {given!r}",
            Location(name),
            hint="use one of , ; | or a tab (also: comma, semicolon, pipe, tab)",
        )
    return found


def _detect_delimiter(line: str, fallback: str) -> str:
    """The candidate appearing most often outside quotes in the header line."""
    counts = dict.fromkeys(_CANDIDATES, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_CANDIDATES, key=counts.__getitem__)  # max keeps the first of equals
    return best if counts[best] else fallback


def _open(name: str, codec: str) -> IO[str]:
    location = Location(name)
    if os.path.isdir(name):
        raise InputError("this is a directory, not a file", location)
    try:
        # newline="" hands line endings to the csv module, which needs them for quoted
        # values that span lines.
        return open(name, encoding=codec, newline="")
    except FileNotFoundError:
        raise InputError("file not found", location) from None
    except PermissionError:
        raise InputError("permission denied: cannot read the file", location) from None
    except LookupError as exc:  # a codec that exists but does not decode bytes to text
        raise InputError(f"unusable encoding: {exc}", location) from None
    except OSError as exc:
        raise InputError(f"cannot open the file: {exc.strerror}", location) from None


def _open_gzip(name: str, codec: str) -> IO[str]:
    try:
        return io.TextIOWrapper(open_gzip(name), encoding=codec, newline="")
    except LookupError as exc:
        raise InputError(f"unusable encoding: {exc}", Location(name)) from None


def _stream_name(stream: IO[Any]) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) and not name.startswith("<") else "<stream>"


def _text_stream(stream: IO[Any], codec: str, name: str) -> tuple[IO[str], Callable[[], None]]:
    """A caller's file object as text, and how to let go of it without closing it."""
    try:
        if isinstance(stream.read(0), str):
            return stream, lambda: None
        text = io.TextIOWrapper(stream, encoding=codec, newline="")
    except (AttributeError, TypeError, LookupError, OSError) as exc:
        raise InputError(f"cannot read this object as a file ({type(exc).__name__})",
                         Location(name), hint="give a path, a file opened for reading, "
                         "or an iterable of mappings") from None

    def release() -> None:  # detached, the wrapper can no longer close the caller's file
        if not text.closed:
            text.detach()

    return text, release


def _read_head(lines: BoundedLines, name: str, codec: str) -> tuple[int, str | None]:
    """Skip leading blank lines: how many there were, and the first line with text."""
    skipped = 0
    try:  # UnicodeError, the base class: utf-16 without a BOM raises it
        for line in lines:
            if not line.isspace():
                return skipped, line
            skipped += 1
    except UnicodeError:
        raise find_decode_error(name, codec) from None
    return skipped, None

