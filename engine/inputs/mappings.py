"""Records from Python: an iterable of mappings (dicts, csv.DictReader rows, ORM rows ...).

Keys are matched to the pack's fields as headings are (case, spaces, underscores and
hyphens ignored; aliases count), planned once per distinct tuple of keys. Values become
the text a file would hold: text as given, numbers as ``str()`` writes them (a whole
float as its integer, as a spreadsheet cell reads), ``True`` and ``False`` as ``true`` and
``false``, dates (and date-times at midnight) as YYYY-MM-DD; ``None``, NaN and blank text
are null. Any other value (a list, a dict ...) is the record's ``issue``. Records are numbered
from 1 in the order given; ``line`` is that number too. Nothing here quotes a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain
from typing import Any

from lrsrules.errors import InputError, Location
from lrsrules.findings import Finding
from lrsrules.inputs.bounds import cell_too_long
from lrsrules.inputs.headings import HeadingMatch
from lrsrules.inputs.keys import KeyMatch
from lrsrules.inputs.records import Record, RecordSource, heading_findings, unreadable
from lrsrules.limits import MAX_CELL_CHARS
from lrsrules.packs.model import FieldDef

SOURCE_NAME = "<records>"  # where errors about mappings say they are


class MappingSource(RecordSource):
    """Mappings given by a Python caller; see ``RecordSource``."""

    format = "mappings"

    def __init__(self, rows: Iterable[Mapping[str, Any]], fields: Mapping[str, FieldDef],
                 wanted: Sequence[str], *, name: str = SOURCE_NAME) -> None:
        super().__init__(None)
        self.path = name
        self.encoding = None
        self._wanted = tuple(wanted)
        items = iter(rows)
        first = next(items, None)
        self._keys: KeyMatch | None = None
        self._none = HeadingMatch({}, (), tuple(fields))  # no records: every field missing
        if first is None:  # no records, as a CSV file with headings alone: nothing to check
            return
        if not isinstance(first, Mapping):
            raise InputError(f"record 1 is a {type(first).__name__}, not a mapping",
                             Location(name, 1), hint="give one mapping (a dict) per learner, "
                             "e.g. csv.DictReader rows or a DataFrame's to_dict('records')")
        self._keys = KeyMatch([str(key) for key in first], fields, wanted, source=name)
        self._records = self._iter_records(chain((first,), items))

    @property
    def headings(self) -> tuple[str, ...]:
        return () if self._keys is None else self._keys.headings

    @property
    def match(self) -> HeadingMatch:
        return self._none if self._keys is None else self._keys.match

    def missing_findings(self, required: Mapping[str, str]) -> list[Finding]:
        return []  # mappings have no heading line: each record's own findings say it

    def head_findings(self) -> list[Finding]:
        # Mappings have no heading line: the finding's line is None, as its record is.
        return [] if self._keys is None else heading_findings(self._keys.match, None)

    def _iter_records(self, rows: Iterator[Any]) -> Iterator[Record]:
        assert self._keys is not None
        wanted, plans, plan_of = self._wanted, self._keys.plans, self._keys.plan
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping):
                issue = f"the record is a {type(row).__name__}, not a mapping"
                yield unreadable(number, number, len(wanted), issue)
                continue
            keys = tuple(key if isinstance(key, str) else str(key) for key in row)
            plan = plans.get(keys) or plan_of(keys)
            if plan[1] is not None:
                yield unreadable(number, number, len(wanted), plan[1])
                continue
            by_key = row if all(isinstance(key, str) for key in row) else {
                str(key): value for key, value in row.items()}
            values: list[str | None] = []
            for name, key in zip(wanted, plan[0], strict=True):
                text = as_text(by_key.get(key)) if key is not None else None
                if text is _NOT_TEXT:
                    kind = type(by_key.get(key)).__name__
                    yield unreadable(number, number, len(wanted),
                                     f"field {name} holds a {kind}; expected text")
                    break
                if text is not None and len(text) > MAX_CELL_CHARS:
                    raise cell_too_long(self.path, number, f"field {name} of record {number}")
                values.append(text)
            else:
                yield Record(number, number, tuple(values))


_NOT_TEXT: Any = object()


def as_text(value: object) -> str | None:
    """A Python value as the text a file would hold (None when blank or null)."""
    if value.__class__ is str:
        return None if not value or value.isspace() else value
    if value is None:
        return None
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return None if not value or value.isspace() else str(value)
    if isinstance(value, float):
        if value != value:  # NaN: how pandas and numpy say "missing"
            return None
        # A whole number as a spreadsheet or pandas gives it (1748529632.0) reads as the
        # text of the number, as an Excel cell does.
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):  # pandas' Timestamp too
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _NOT_TEXT  # type: ignore[no-any-return]
