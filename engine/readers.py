"""Stream learner records out of CSV or JSON Lines files, one ``Record`` at a time.

``open_records`` reads just enough of a file to know its format, delimiter and headings,
then yields records lazily: memory stays flat however large the file.  Values come out as
the text read (never trimmed) with blank values as ``None``, in the order the compiled pack
asks for them.  Problems that stop the whole file are ``InputError``s; a problem with one
record (wrong number of cells, not a JSON object ...) is the record's ``issue``.  Nothing
here quotes a value: input files hold personal data.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from types import TracebackType
from typing import IO, Any, NamedTuple

from lrsrules.engine.errors import InputError, Location
from lrsrules.engine.headings import (
    HeadingMatch,
    blank_label,
    describe_clash,
    field_lookup,
    match_headings,
    normalise_heading,
)
from lrsrules.engine.model import FieldDef

FORMATS = ("csv", "jsonl")
DEFAULT_ENCODING = "utf-8-sig"  # UTF-8, with or without the BOM Excel writes
DELIMITERS: Mapping[str, str] = {
    ",": ",", ";": ";", "\t": "\t", "|": "|", "\\t": "\t",
    "comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|",
}  # fmt: skip
FIELD_SIZE_LIMIT = 10 * 1024 * 1024  # the csv default (128 KiB) is too small for free text

_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_CANDIDATES = ",;\t|"  # in order of preference when counts tie
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean"}
# Bounds on what JSON Lines bookkeeping may hold, so a file whose keys vary from line to
# line (ids used as keys, say) cannot make memory grow with the file.
_MAX_PLANS = 1024
_MAX_IGNORED = 1000


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


class RecordSource:
    """An open input file: what was found in its head, and its records when iterated.

    Attributes: ``path``, ``format`` ("csv" or "jsonl"), ``encoding`` (the codec used),
    ``delimiter`` (CSV only), ``headings`` (as found) and ``match`` (a ``HeadingMatch``).
    Use it as a context manager; iterating it yields ``Record``s once, lazily.  For JSON
    Lines, ``headings`` and ``match`` grow as new keys appear: read them after the records
    for the full picture.
    """

    format: str
    delimiter: str | None = None

    def __init__(self, opened: _Opened) -> None:
        self.path = opened.path
        self.encoding = opened.encoding
        self._file = opened.file
        self._records: Iterator[Record] = iter(())

    @property
    def headings(self) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def match(self) -> HeadingMatch:
        raise NotImplementedError

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
        return _decode_error(self.path, self.encoding)


def open_records(
    path: str | os.PathLike[str],
    fields: Mapping[str, FieldDef],
    wanted: Sequence[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    input_format: str | None = None,
) -> RecordSource:
    """Open ``path`` and match its headings to ``fields``; iterate the result for records.

    ``wanted`` names the fields whose values each ``Record`` carries, in that order.  The
    format is ``input_format``, else the extension, else sniffed (``{`` first: JSON Lines).
    ``delimiter`` (a character or a name such as "tab") applies to CSV and is otherwise
    ignored; without it the header line decides.  Raises ``InputError`` for anything that
    stops the file from being read.
    """
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower()
    fmt = _format(input_format, suffix, name)
    separator = _delimiter(delimiter, name)
    codec = _codec(encoding, name)
    file = _open(name, codec)
    try:
        skipped, first = _read_head(file, name, codec)
        if first is None:
            what = "a JSON object" if fmt == "jsonl" else "a header row"
            raise InputError(f"the file is empty: expected {what}", Location(name))
        if fmt is None:
            fmt = "jsonl" if first.lstrip("\ufeff \t").startswith("{") else "csv"
        opened = _Opened(name, file, codec, chain((first,), file), skipped)
        if fmt == "jsonl":
            return _JsonLinesSource(opened, fields, wanted)
        separator = separator or _detect_delimiter(first, "\t" if suffix == ".tsv" else ",")
        return _CsvSource(opened, fields, wanted, separator)
    except BaseException:
        file.close()
        raise


@dataclass(frozen=True, slots=True)
class _Opened:
    path: str
    file: IO[str]
    encoding: str
    lines: Iterator[str]  # from the first line with text on
    skipped: int  # blank lines before that one


class _CsvSource(RecordSource):
    format = "csv"

    def __init__(
        self, opened: _Opened, fields: Mapping[str, FieldDef], wanted: Sequence[str], delimiter: str
    ) -> None:
        super().__init__(opened)
        self.delimiter = delimiter
        # The limit is process-wide; it is only ever raised, never lowered.
        if csv.field_size_limit() < FIELD_SIZE_LIMIT:
            csv.field_size_limit(FIELD_SIZE_LIMIT)
        self._offset = opened.skipped  # blank lines before the header, which csv never saw
        self._reader = csv.reader(opened.lines, delimiter=delimiter)
        header, line = self._read_header()
        self._headings = tuple(header)
        self._match = match_headings(header, fields, source=self.path, line=line)
        self._records = self._iter_records(tuple(wanted))

    @property
    def headings(self) -> tuple[str, ...]:
        return self._headings

    @property
    def match(self) -> HeadingMatch:
        return self._match

    def _read_header(self) -> tuple[list[str], int]:
        reader, previous = self._reader, self._offset
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    return row, previous + 1
                previous = reader.line_num + self._offset
        except csv.Error as exc:
            raise self._csv_error(exc) from None
        except UnicodeDecodeError:
            raise self._decode_error() from None
        raise InputError("the file has no header row", Location(self.path))

    def _iter_records(self, wanted: tuple[str, ...]) -> Iterator[Record]:
        width = len(self._headings)
        # A wanted field without a column reads the empty cell appended to every row, which
        # keeps the hot loop free of branches.
        indices = tuple(self._match.columns.get(name, width) for name in wanted)
        nones = (None,) * len(wanted)
        reader, offset = self._reader, self._offset
        number, previous = 0, reader.line_num + offset
        try:
            for row in reader:
                line = previous + 1
                previous = reader.line_num + offset
                if len(row) != width:
                    if not row or (len(row) == 1 and row[0].isspace()):
                        continue  # a blank line
                    number += 1
                    yield Record(number, line, nones, _count_issue(len(row), width))
                    continue
                number += 1
                row.append("")
                yield Record(
                    number,
                    line,
                    tuple([None if not (v := row[i]) or v.isspace() else v for i in indices]),
                )
        except csv.Error as exc:
            raise self._csv_error(exc) from None
        except UnicodeDecodeError:
            raise self._decode_error() from None

    def _csv_error(self, exc: csv.Error) -> InputError:
        # csv's messages name the limit or character at fault, never the cell's text.
        return InputError(
            f"cannot read the file as CSV: {exc}",
            Location(self.path, self._reader.line_num + self._offset),
        )


def _count_issue(count: int, width: int) -> str:
    values = "value" if count == 1 else "values"
    headings = "heading" if width == 1 else "headings"
    return f"record has {count} {values} but the header has {width} {headings}"


# A key tuple's plan: the key holding each wanted field (None: absent), or an issue.
_Plan = tuple[tuple[str | None, ...], str | None]


class _JsonLinesSource(RecordSource):
    format = "jsonl"

    def __init__(
        self, opened: _Opened, fields: Mapping[str, FieldDef], wanted: Sequence[str]
    ) -> None:
        super().__init__(opened)
        self._fields = fields
        self._wanted = tuple(wanted)
        self._lookup = field_lookup(fields)
        # Numbers stay the text they were written as: 007 is not 7 and 1.10 is not 1.1.
        self._decode = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str).decode
        numbered = enumerate(opened.lines, opened.skipped + 1)
        line, text = next(numbered)
        first = self._parse(text, line)
        if not isinstance(first, dict):
            raise InputError(
                f"the first line holds a JSON {_json_type(first)}, not an object",
                Location(self.path, line),
                hint="each line must be one JSON object",
            )
        keys = list(first)
        start = match_headings(keys, fields, source=self.path, line=line, keys=True)
        self._keys: dict[str, None] = dict.fromkeys(keys)  # keys seen, first-seen order
        self._columns = dict(start.columns)
        self._ignored = dict.fromkeys(start.ignored)
        self._more_ignored = False
        self._match: HeadingMatch | None = start
        self._plans: dict[tuple[str, ...], _Plan] = {}
        self._records = self._iter_records(chain(((line, text),), numbered))

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(self._keys)

    @property
    def match(self) -> HeadingMatch:
        if self._match is None:
            ignored = tuple(self._ignored)
            if self._more_ignored:
                ignored += ("(and more keys)",)
            missing = tuple(name for name in self._fields if name not in self._columns)
            self._match = HeadingMatch(dict(self._columns), ignored, missing)
        return self._match

    def _parse(self, text: str, line: int) -> Any:
        try:
            return self._decode(text)
        except json.JSONDecodeError as exc:
            raise self._json_error(exc, line) from None

    def _json_error(self, exc: json.JSONDecodeError, line: int) -> InputError:
        # JSONDecodeError's own message quotes nothing; its position is what helps.
        return InputError(
            f"the line is not valid JSON: {exc.msg}",
            Location(self.path, line, exc.colno),
            hint="each line must be one JSON object",
        )

    def _iter_records(self, numbered: Iterator[tuple[int, str]]) -> Iterator[Record]:
        wanted, plans, decode = self._wanted, self._plans, self._decode
        nones = (None,) * len(wanted)
        number = 0
        try:
            for line, text in numbered:
                if text.isspace():
                    continue
                number += 1
                try:
                    obj = decode(text)
                except json.JSONDecodeError as exc:
                    raise self._json_error(exc, line) from None
                if obj.__class__ is not dict:
                    issue = f"the line holds a JSON {_json_type(obj)}, not an object"
                    yield Record(number, line, nones, issue)
                    continue
                keys = tuple(obj)
                plan = plans.get(keys) or self._plan(keys)
                if plan[1] is not None:
                    yield Record(number, line, nones, plan[1])
                    continue
                values: list[str | None] = []
                for key in plan[0]:
                    value = obj.get(key)
                    if value.__class__ is str:
                        values.append(None if not value or value.isspace() else value)
                    elif value is None:
                        values.append(None)
                    elif value is True or value is False:
                        values.append("true" if value else "false")
                    else:
                        kind = _json_type(value)
                        issue = f"field {wanted[len(values)]} holds a JSON {kind}; expected text"
                        yield Record(number, line, nones, issue)
                        break
                else:
                    yield Record(number, line, tuple(values))
        except UnicodeDecodeError:
            raise self._decode_error() from None

    def _plan(self, keys: tuple[str, ...]) -> _Plan:
        """Work out, once per distinct key tuple, which key holds each wanted field."""
        holders: dict[str, str] = {}
        issue = None
        for key in keys:
            norm = normalise_heading(key)
            name = self._lookup.get(norm) if norm else None
            if key not in self._keys:
                self._note_new_key(key, name, norm)
            if name is None:
                continue
            if name in holders:
                issue = issue or describe_clash(holders[name], key, name, None)
            else:
                holders[name] = key
        plan = (tuple(holders.get(name) for name in self._wanted), issue)
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        self._plans[keys] = plan
        return plan

    def _note_new_key(self, key: str, name: str | None, norm: str) -> None:
        if name is not None:
            self._keys[key] = None
            self._columns.setdefault(name, len(self._keys) - 1)
        elif len(self._ignored) < _MAX_IGNORED:
            self._keys[key] = None
            self._ignored[key if norm else blank_label()] = None
        else:
            self._more_ignored = True
        self._match = None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "value")


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


def _codec(given: str | None, name: str) -> str:
    if given is None:
        return DEFAULT_ENCODING
    try:
        codec = codecs.lookup(given).name
    except LookupError:
        raise InputError(
            f"unknown encoding {given!r}",
            Location(name),
            hint="use a Python codec name such as utf-8, cp1252 or latin-1",
        ) from None
    # A BOM is never data, so plain UTF-8 also drops one.
    return DEFAULT_ENCODING if codec == "utf-8" else codec


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


def _read_head(file: IO[str], name: str, codec: str) -> tuple[int, str | None]:
    """Skip leading blank lines: how many there were, and the first line with text."""
    skipped = 0
    try:
        for line in file:
            if not line.isspace():
                return skipped, line
            skipped += 1
    except UnicodeDecodeError:
        raise _decode_error(name, codec) from None
    return skipped, None


def _decode_error(name: str, codec: str) -> InputError:
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
    shown = "utf-8" if codec == DEFAULT_ENCODING else codec
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = "the file starts with a UTF-16 byte order mark; try --encoding utf-16"
    elif start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        hint = "this looks like an Excel workbook: save it as 'CSV UTF-8' first"
    elif shown == "utf-8":
        hint = "the file may be in a Windows encoding: try --encoding cp1252"
    else:
        hint = "check the file's encoding and give it with --encoding"
    detail = f": byte 0x{bad.hex()} is not valid here" if bad else ""
    return InputError(
        f"cannot decode the file as {shown}{detail}",
        Location(name, line, column),
        hint=hint,
    )
