"""The loaded pack: immutable data handed from the loader to the compiler and runner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from lrsrules.errors import Location

DEFAULT_PACK = "lrs-default"  # the bundled pack used when none is named

# Separators people put between words of a heading; a BOM can reach the first heading when
# a file is read with an encoding that does not strip it (e.g. --encoding utf-8).
# Invisible format characters (zero-width spaces and joiners, bidi marks, soft hyphens)
# go too: a heading typed or pasted with one still names its field.
_DROP = str.maketrans("", "", " _-\t\ufeff\u00a0\u00ad\u200b\u200c\u200d\u200e\u200f"
                      "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064")


def normalise_heading(text: str) -> str:
    """Casefold ``text``, strip it and drop spaces, underscores and hyphens."""
    return text.casefold().strip().translate(_DROP)


@dataclass(frozen=True, slots=True)
class ExprSource:
    """An expression's text and, for each character offset, where it sits in its YAML file.

    ``positions`` has one (line, column) per character plus one for the end of the text,
    so errors inside an expression point at the right place in the pack file.
    """

    text: str
    file: str
    positions: tuple[tuple[int, int], ...]

    def location(self, offset: int) -> Location:
        if not self.positions:
            return Location(self.file)
        line, column = self.positions[max(0, min(offset, len(self.positions) - 1))]
        return Location(self.file, line, column)

    @classmethod
    def inline(cls, text: str, file: str = "<expression>") -> ExprSource:
        """An expression typed directly (tests, the command line): line 1, column = offset+1."""
        return cls(text, file, tuple((1, i + 1) for i in range(len(text) + 1)))


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    location: Location = Location()
    format: str | None = None  # "date": the field holds dates written YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class ListDef:
    name: str
    entries: tuple[str, ...]
    location: Location = Location()
    file: str | None = None  # the list file, when the entries come from one


@dataclass(frozen=True, slots=True)
class RuleDef:
    id: str
    fields: tuple[str, ...]
    severity: str
    check: ExprSource | None  # None for a cross-record rule (``unique``)
    message: str
    when: ExprSource | None = None
    unless: ExprSource | None = None
    doc: str | None = None
    provenance: str | None = None
    tags: tuple[str, ...] = ()
    location: Location = Location()
    pack: str = ""  # name of the pack whose file defines the rule
    aliases: tuple[str, ...] = ()  # former ids (renames)
    since: dt.date | None = None  # first day in force
    until: dt.date | None = None  # first day no longer in force (exclusive)
    # Set by an overlay's override of the severity: the base's severity, and the reason given.
    base_severity: str | None = None
    override_reason: str | None = None
    # Keys later issues add (fix, since, until, aliases ...) are kept here untouched.
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def fix(self) -> ExprSource | None:
        """The rule's ``fix`` expression (kept in ``extra`` by the loader), if any."""
        fix = self.extra.get("fix")
        return fix if isinstance(fix, ExprSource) else None

    @property
    def enforced_by(self) -> str | None:
        """What enforces the rule: ``lrs``, ``ilr`` or ``quality`` (kept in ``extra``)."""
        value = self.extra.get("enforced_by")
        return value if isinstance(value, str) else None

    @property
    def unique(self) -> tuple[str, ...]:
        """The key fields of a cross-record rule (``unique:``; kept in ``extra`` by the
        loader): a record whose key an earlier record had is reported. Empty for a rule
        checked on each record alone."""
        key = self.extra.get("unique")
        if isinstance(key, str):
            return (key,)
        return tuple(str(name) for name in key) if isinstance(key, list | tuple) else ()

    @property
    def casefold(self) -> bool:
        """Whether a ``unique`` key is compared ignoring case."""
        return self.extra.get("casefold") is True

    @property
    def multi_field(self) -> bool:
        return len(self.fields) > 1


@dataclass(frozen=True, slots=True)
class Pack:
    name: str
    version: str
    title: str | None
    path: str
    fields: Mapping[str, FieldDef]
    lists: Mapping[str, ListDef]
    rules: tuple[RuleDef, ...]
    files: tuple[str, ...]  # every file that makes up the pack: itself, includes, list files
    sha256: str  # over the content of ``files``
    includes: tuple[str, ...] = ()
    description: str | None = None
    extends: str | None = None  # name of the base pack, for an overlay
    disabled: Mapping[str, str] = field(default_factory=dict)  # rule id -> reason (overlays)
    root: str = ""  # the folder its files stay inside (see ``discovery``)
