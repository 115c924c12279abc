"""Read JSON Lines records: one JSON object a line, its keys matched to the pack's fields.

Keys may differ from line to line, so the heading match grows as new keys appear and each
distinct tuple of keys is planned once: which key holds each wanted field.  Numbers stay
the text they were written as; strings, ``true``/``false`` and ``null`` are values, while
arrays and objects make the record's ``issue``.  Nothing here quotes a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from lrsrules.errors import InputError, Location
from lrsrules.inputs.headings import (
    HeadingMatch,
    blank_label,
    describe_clash,
    field_lookup,
    match_headings,
)
from lrsrules.inputs.records import Opened, Record, RecordSource
from lrsrules.packs.model import FieldDef, normalise_heading

_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean"}
# Bounds on what JSON Lines bookkeeping may hold, so a file whose keys vary from line to
# line (ids used as keys, say) cannot make memory grow with the file.
_MAX_PLANS = 1024
_MAX_IGNORED = 1000

# A key tuple's plan: the key holding each wanted field (None: absent), or an issue.
_Plan = tuple[tuple[str | None, ...], str | None]


class JsonLinesSource(RecordSource):
    """A JSON Lines file, read by ``open_records``; see ``RecordSource``."""

    format = "jsonl"

    def __init__(
        self, opened: Opened, fields: Mapping[str, FieldDef], wanted: Sequence[str]
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
