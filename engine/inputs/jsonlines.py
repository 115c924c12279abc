"""Read JSON Lines records: one JSON object a line, its keys matched to the pack's fields.

Keys may differ from line to line (``keys`` plans each distinct tuple of them).  Numbers stay
the text they were written as; strings, ``true``/``false`` and ``null`` are values, while
arrays and objects make the record's ``issue``.  Nothing here quotes a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from lrsrules.errors import InputError, Location
from lrsrules.findings import Finding
from lrsrules.inputs.bounds import cell_too_long
from lrsrules.inputs.headings import HeadingMatch, looks_like_data
from lrsrules.inputs.keys import KeyMatch
from lrsrules.inputs.records import Opened, Record, RecordSource, heading_findings, unreadable
from lrsrules.limits import MAX_CELL_CHARS, MAX_JSON_DEPTH
from lrsrules.packs.model import FieldDef

_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean"}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
TOO_DEEP = f"the line nests arrays or objects more than {MAX_JSON_DEPTH} deep"


class JsonLinesSource(RecordSource):
    """A JSON Lines file, read by ``open_records``; see ``RecordSource``."""

    format = "jsonl"

    def __init__(
        self, opened: Opened, fields: Mapping[str, FieldDef], wanted: Sequence[str]
    ) -> None:
        super().__init__(opened)
        self._wanted = tuple(wanted)
        # Numbers stay the text they were written as: 007 is not 7 and 1.10 is not 1.1.
        # A key given twice would otherwise keep its last value unseen (see _object).
        self._decode = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str,
                                        object_pairs_hook=_object).decode
        numbered = enumerate(opened.lines, opened.skipped + 1)
        line, text = next(numbered)
        first = self._parse(text, line)
        if not isinstance(first, dict):
            what = TOO_DEEP if first is TOO_DEEP else (
                f"the first line holds a JSON {_json_type(first)}, not an object")
            raise InputError(
                what,
                Location(self.path, line),
                hint="each line must be one JSON object",
            )
        self._keys = KeyMatch(list(first), fields, wanted, source=self.path, line=line)
        self._first = (line, self._keys.match)  # the keys a run hears of before the records
        self._records = self._iter_records(chain(((line, text),), numbered))

    @property
    def headings(self) -> tuple[str, ...]:
        return self._keys.headings

    @property
    def match(self) -> HeadingMatch:
        return self._keys.match

    def head_findings(self) -> list[Finding]:
        return heading_findings(self._first[1], self._first[0])

    @property
    def header_line(self) -> int | None:
        return self._first[0]

    def _parse(self, text: str, line: int) -> Any:
        """The line's JSON value, or ``TOO_DEEP``; invalid JSON is an ``InputError``."""
        # Flat records have few brackets, so the exact count runs only on lines with many.
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _too_deep(text):
            return TOO_DEEP
        try:
            obj = self._decode(text)
        except json.JSONDecodeError as exc:
            raise self._json_error(exc, line) from None
        except RecursionError:  # deep nesting that the count missed (invalid JSON at that)
            return TOO_DEEP
        if len(text) > MAX_CELL_CHARS and obj.__class__ is dict and any(
                isinstance(value, str) and len(value) > MAX_CELL_CHARS for value in obj.values()):
            raise cell_too_long(self.path, line, "a value on this line")
        return obj

    def _json_error(self, exc: json.JSONDecodeError, line: int) -> InputError:
        # JSONDecodeError's own message quotes nothing; its position is what helps.
        return InputError(
            f"the line is not valid JSON: {exc.msg}",
            Location(self.path, line, exc.colno),
            hint="each line must be one JSON object",
        )

    def _iter_records(self, numbered: Iterator[tuple[int, str]]) -> Iterator[Record]:
        wanted, parse = self._wanted, self._parse
        plans, plan_of = self._keys.plans, self._keys.plan
        number = 0
        try:
            for line, text in numbered:
                if text.isspace():
                    continue
                number += 1
                obj = parse(text, line)
                if obj.__class__ is not dict:
                    issue = (obj if obj is TOO_DEEP else obj.issue if isinstance(obj, _Repeated)
                             else f"the line holds a JSON {_json_type(obj)}, not an object")
                    yield unreadable(number, line, len(wanted), issue)
                    continue
                keys = tuple(obj)
                plan = plans.get(keys) or plan_of(keys)
                if plan[1] is not None:
                    yield unreadable(number, line, len(wanted), plan[1])
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
                        yield unreadable(number, line, len(wanted), issue)
                        break
                else:
                    yield Record(number, line, tuple(values))
        except UnicodeError:  # the base class, as utf-16 without a BOM raises
            raise self._decode_error() from None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "value")


class _Repeated(dict[str, Any]):
    """An object with a key given twice: the record's issue says which key."""

    issue = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    key = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
    repeated = _Repeated(obj)
    shown = "a key" if looks_like_data(key) else f"key {key!r}"
    repeated.issue = f"the object has {shown} more than once"
    return repeated


def _too_deep(text: str) -> bool:
    """Whether arrays and objects nest more than ``MAX_JSON_DEPTH`` deep, outside strings."""
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            return True
    return False
