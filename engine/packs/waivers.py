"""Waiver files: approved exceptions that mark findings as waived instead of dropping them.

A waiver file (shape: ``schemas/waivers.schema.json``) lists entries of a rule, the records
it covers (a record number, or a key: a field and its value), a reason, who approved it and
the last day it applies. ``load_waivers`` reads and checks one against a pack; the run
applies it (``lrsrules.run.waiving``). Key values are personal data: they are compared,
never printed, and so no error about a waiver file quotes its lines or its values; each
names its place and the waiver ("key of waiver 2").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrsrules.dates import parse_iso_date
from lrsrules.errors import Location, PackError, Problem
from lrsrules.findings import INPUT_RULE
from lrsrules.packs.model import Pack
from lrsrules.packs.versions import current_ids

if TYPE_CHECKING:  # reading a waiver file (YAML, jsonschema) is imported when one is read
    from lrsrules.packs.yamlsource import YamlDocument, YamlPath

EXPIRED_RULE = "WAIVER.EXPIRED"
# Warning: the expiry itself is no fault in the data, and the finding it stops waiving comes
# back at its own severity, which already decides the exit status.
EXPIRED_SEVERITY = "warning"


@dataclass(frozen=True, slots=True)
class Waiver:
    rule: str  # the rule's id in the pack (a former id written in the file is resolved)
    reason: str
    approved_by: str
    expires: dt.date  # the last day it applies
    location: Location  # of the entry in the waiver file
    record: int | None = None
    key_field: str | None = None
    key_value: str | None = field(default=None, repr=False)  # trimmed; never printed
    field: str | None = None  # only findings on this field

    def note(self) -> str:
        """What a waived finding says about its waiver (never the key value)."""
        return (f"{self.reason} (approved by {self.approved_by}, until {self.expires};"
                f" waiver {self.location.prefix()})")


@dataclass(frozen=True, slots=True)
class WaiverSet:
    path: str
    waivers: tuple[Waiver, ...]

    @property
    def key_fields(self) -> tuple[str, ...]:
        """Fields whose values pick records, each once."""
        return tuple(dict.fromkeys(w.key_field for w in self.waivers if w.key_field))


def load_waivers(path: str | os.PathLike[str], pack: Pack) -> WaiverSet:
    """Read and check a waiver file against ``pack``; every problem is raised at once."""
    from lrsrules.packs.schema import check_shape, schema_validator
    from lrsrules.packs.yamlsource import load_yaml

    try:
        doc = load_yaml(path, kind="waiver file", key="waivers")
    except PackError as error:
        raise _unquoted(error.problems) from None
    problems = check_shape(doc, schema_validator("waivers.schema.json"), _describe,
                           quote=False)
    if problems:
        raise PackError(problems=problems)
    reader = _Reader(doc, pack)
    waivers = tuple(reader.read(index, spec)
                    for index, spec in enumerate(doc.data["waivers"]))
    if reader.problems:
        raise PackError(problems=reader.problems)
    return WaiverSet(doc.path, tuple(w for w in waivers if w is not None))


def _unquoted(problems: Iterable[Problem]) -> PackError:
    return PackError(problems=[dataclasses.replace(problem, quote_source=False)
                               for problem in problems])


def trim_key(value: str | None) -> str | None:
    return None if value is None else value.strip()


class _Reader:
    def __init__(self, doc: YamlDocument, pack: Pack) -> None:
        self.doc = doc
        self.pack = pack
        self.ids = current_ids(pack.rules)
        # Rules an overlay disabled never fire, but a waiver for one is no mistake.
        for rule_id in (INPUT_RULE, *pack.disabled):
            self.ids.setdefault(rule_id, rule_id)
        self.problems: list[Problem] = []

    def read(self, index: int, spec: dict[str, Any]) -> Waiver | None:
        at: YamlPath = ("waivers", index)
        count = len(self.problems)
        rule = self._rule(spec["rule"], (*at, "rule"))
        if ("record" in spec) == ("key" in spec):
            self._problem("give record or key, not both" if "record" in spec
                          else "say which records it covers: give record or key",
                          self.doc.location(at))
        key = spec.get("key") or {}
        for name, where in ((key.get("field"), (*at, "key", "field")),
                            (spec.get("field"), (*at, "field"))):
            if name is not None:
                self._field(name, where)
        fields = next((r.fields for r in self.pack.rules if r.id == rule), None)
        if fields is not None and spec.get("field", fields[0]) not in fields:
            self._problem(f"rule {rule} is not on field {spec['field']}",
                          self.doc.location((*at, "field")), f"its fields: {', '.join(fields)}")
        expires = parse_iso_date(spec["expires"])
        if expires is None:
            self._problem(f"expires {spec['expires']!r} is not a day in the calendar",
                          self.doc.location((*at, "expires")), "write a real date: YYYY-MM-DD")
        if len(self.problems) > count or rule is None or expires is None:
            return None
        return Waiver(
            rule=rule, reason=spec["reason"], approved_by=spec["approved_by"],
            expires=expires, location=self.doc.location(at), record=spec.get("record"),
            key_field=key.get("field"),
            key_value=trim_key(self.doc.raw((*at, "key", "value"))) if key else None,
            field=spec.get("field"),
        )

    def _rule(self, name: str, at: YamlPath) -> str | None:
        if name in self.ids:
            return self.ids[name]
        close = difflib.get_close_matches(name, list(self.ids), n=1)
        hint = f"did you mean {close[0]}?" if close else f"pack {self.pack.name} has no such rule"
        self._problem(f"unknown rule {name}", self.doc.location(at), hint)
        return None

    def _field(self, name: str, at: YamlPath) -> None:
        if name not in self.pack.fields:
            close = difflib.get_close_matches(name, list(self.pack.fields), n=1)
            self._problem(f"unknown field {name!r}", self.doc.location(at),
                          f"did you mean {close[0]!r}?" if close else None)

    def _problem(self, message: str, where: Location, hint: str | None = None) -> None:
        # The entry's line may hold its key value: name the place, quote nothing.
        self.problems.append(Problem(message, where, hint, quote_source=False))


def _describe(doc: YamlDocument, path: YamlPath) -> str:
    """Names the value at ``path`` for a message: "expires of waiver 2"."""
    if not path:
        return "the waiver file"
    if len(path) < 2 or path[0] != "waivers" or not isinstance(path[1], int):
        return " ".join(str(part) for part in path)
    owner = f"waiver {path[1] + 1}"
    rest = [str(part) for part in path[2:]]
    return " ".join([*rest, "of", owner]) if rest else owner
