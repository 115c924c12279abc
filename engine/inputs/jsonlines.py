"""Read JSON Lines records: one JSON object a line, its keys matched to the pack's fields.

Keys may differ from line to line (``keys`` plans each distinct tuple of them).  Numbers stay
the text they were written as; strings, ``true``/``false`` and ``null`` are values, while
arrays and objects make the record's ``issue``.  Nothing here quotes a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from lrsrules.errors import InputError, Location
from lrsrules.inputs.headings import HeadingMatch
from lrsrules.inputs.keys import KeyMatch
from lrsrules.inputs.records import Opened, Record, RecordSource, unreadable
from lrsrules.packs.model import FieldDef

_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean"}


class JsonLinesSource(RecordSource):
    """A JSON Lines file, read by ``open_records``; see ``RecordSource``."""

    format = "jsonl"

    def __init__(
        self, opened: Opened, fields: Mapping[str, FieldDef], wanted: Sequence[str]
    ) -> None:
        super().__init__(opened)
        self._wanted = tuple(wanted)
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
        self._keys = KeyMatch(list(first), fields, wanted, source=self.path, line=line)
        self._records = self._iter_records(chain(((line, text),), numbered))

    @property
    def headings(self) -> tuple[str, ...]:
        return self._keys.headings

    @property
    def match(self) -> HeadingMatch:
        return self._keys.match

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
        wanted, decode = self._wanted, self._decode
        plans, plan_of = self._keys.plans, self._keys.plan
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
        except UnicodeDecodeError:
            raise self._decode_error() from None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "value")
