"""Records whose keys name their fields (JSON objects, Python mappings): which key holds
each wanted field, worked out once per distinct tuple of keys.

Keys may differ from record to record, so the heading match grows as new keys appear.
Nothing here quotes a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lrsrules.inputs.headings import (
    HeadingMatch,
    blank_label,
    describe_clash,
    field_lookup,
    ignored_label,
    match_headings,
)
from lrsrules.packs.model import FieldDef, normalise_heading

# Bounds on what the bookkeeping may hold, so records whose keys vary from one to the next
# (ids used as keys, say) cannot make memory grow with the input.
_MAX_PLANS = 1024
_MAX_IGNORED = 1000

# A key tuple's plan: the key holding each wanted field (None: absent), or an issue.
Plan = tuple[tuple[str | None, ...], str | None]


class KeyMatch:
    """The match of keys to fields, started from the first record's keys.

    Raises ``InputError`` (located at ``line`` of ``source``) when the first keys cannot
    work: none matches a field, or two match one.
    """

    def __init__(self, first: Sequence[str], fields: Mapping[str, FieldDef],
                 wanted: Sequence[str], *, source: str, line: int = 1) -> None:
        self._fields = fields
        self._wanted = tuple(wanted)
        self._lookup = field_lookup(fields)
        start = match_headings(first, fields, source=source, line=line, keys=True)
        self._keys: dict[str, None] = dict.fromkeys(first)  # keys seen, first-seen order
        self._columns = dict(start.columns)
        self._ignored = dict.fromkeys(start.ignored)
        self._more_ignored = False
        self._match: HeadingMatch | None = start
        self.plans: dict[tuple[str, ...], Plan] = {}

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

    def plan(self, keys: tuple[str, ...]) -> Plan:
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
        if len(self.plans) >= _MAX_PLANS:
            self.plans.clear()
        self.plans[keys] = plan
        return plan

    def _note_new_key(self, key: str, name: str | None, norm: str) -> None:
        if name is not None:
            self._keys[key] = None
            self._columns.setdefault(name, len(self._keys) - 1)
        elif len(self._ignored) < _MAX_IGNORED:
            self._keys[key] = None
            self._ignored[ignored_label(key) if norm else blank_label()] = None
        else:
            self._more_ignored = True
        self._match = None
