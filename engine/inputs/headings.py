"""Match the headings of an input file (CSV header cells, JSON keys) to the pack's fields.

A heading matches a field when, normalised, it equals the field's canonical name or one of
its aliases; normalising ignores case, spaces, underscores and hyphens so that
"Date of Birth", "date_of_birth", "DATE-OF-BIRTH" and "DateOfBirth" are all one field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lrsrules.errors import InputError, Location
from lrsrules.packs.model import FieldDef, normalise_heading

# How much of an unmatched header to quote in an error: when the delimiter is wrong the
# whole header line is one heading, and a file without a header row shows its first record.
_MAX_QUOTED_HEADINGS = 5
_MAX_HEADING_CHARS = 64  # longer is a line of data read as one heading, not a heading


@dataclass(frozen=True, slots=True)
class HeadingMatch:
    """Which column holds each field, and what did not match.

    ``columns`` maps a field name to its 0-based column index; ``ignored`` lists headings
    matching no field (file order, each once); ``missing`` lists the pack's fields without
    a column (pack order); ``near`` holds a ``NearMiss`` for each ignored heading that is
    probably a misspelt missing field.
    """

    columns: dict[str, int]
    ignored: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    near: tuple[NearMiss, ...] = ()


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A heading (``label``, as ``ignored`` names it) that matches no field but is close to
    ``field`` (as the pack writes it, ``written``: its name or one of its aliases)."""

    label: str
    field: str
    written: str

    def message(self) -> str:
        shown = self.label if self.label.startswith("(") else repr(self.label)
        also = "" if self.written == self.field else f" ({self.written})"
        return f"heading {shown} matches no field; did you mean {self.field}{also}?"


def field_lookup(fields: Mapping[str, FieldDef]) -> dict[str, str]:
    """Map every normalised field name and alias to its canonical field name.

    Canonical names win over aliases, and earlier fields over later ones, should two
    normalise alike (the pack loader is the place to reject such packs).
    """
    lookup: dict[str, str] = {}
    for name in fields:
        lookup.setdefault(normalise_heading(name), name)
    for name, field in fields.items():
        for alias in field.aliases:
            lookup.setdefault(normalise_heading(alias), name)
    return lookup


def blank_label(index: int | None = None) -> str:
    """How a blank heading (``index`` given) or blank JSON key is named in ``ignored``."""
    return "(blank key)" if index is None else f"(blank heading, column {index + 1})"


def ignored_label(heading: str, index: int | None = None) -> str:
    """How a heading (column ``index``) or key matching no field is named in ``ignored``:
    as written, unless it looks like a learner's value or is no heading at all (long, or
    with characters a terminal would act on)."""
    why = unshown(heading)
    if why is None:
        return heading
    return f"(a key that {why}, not shown)" if index is None \
        else f"(column {index + 1}: {why}, not shown)"


def unshown(heading: str) -> str | None:
    """Why ``heading`` is not quoted in a message, if it is not: it looks like a learner's
    value, is longer than any heading (a wrong encoding or delimiter reads whole lines of
    data as one heading), or holds control characters."""
    if len(heading) > _MAX_HEADING_CHARS:
        return "too long for a heading"
    if not heading.isprintable():
        return "holds control characters"
    if looks_like_data(heading):
        return "looks like data"
    return None


def describe_clash(first: str, second: str, field: str, columns: tuple[int, int] | None) -> str:
    """The message for two headings (0-based ``columns``) or keys matching one field."""
    if columns is None:
        return f"keys {first!r} and {second!r} both match field {field}"
    return (
        f"headings {first!r} (column {columns[0] + 1}) and {second!r}"
        f" (column {columns[1] + 1}) both match field {field}"
    )


def match_headings(
    headings: Sequence[str],
    fields: Mapping[str, FieldDef],
    *,
    source: str,
    line: int = 1,
    keys: bool = False,
) -> HeadingMatch:
    """Match ``headings`` to ``fields``; raise ``InputError`` when that cannot work.

    Two headings matching one field, or no heading matching any field, are errors located
    at ``line`` of ``source``.  ``keys=True`` words messages for JSON keys, which have
    no columns.
    """
    lookup = field_lookup(fields)
    columns: dict[str, int] = {}
    ignored: dict[str, None] = {}  # a dict keeps first-seen order and drops repeats
    for index, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key:
            ignored[blank_label(None if keys else index)] = None
            continue
        name = lookup.get(key)
        if name is None:
            ignored[ignored_label(heading, None if keys else index)] = None
        elif name in columns:
            first = columns[name]
            raise InputError(
                describe_clash(headings[first], heading, name, None if keys else (first, index)),
                Location(source, line),
                hint="rename or remove one of them",
            )
        else:
            columns[name] = index
    if not columns:
        noun = "keys" if keys else "headings"
        if any(looks_like_data(heading) for heading in headings):
            # A file without a header row: its first record is a learner's values, and
            # those next to a date or a ULN (names above all) are no safer to show.
            found = (f"the {len(headings)} {noun} found look like a learner's values, so"
                     " none is shown")
            hint = ("the file may have no header row: add one" if not keys
                    else "each object's keys must be headings, not values")
        else:
            found = f"found {_quote_some(headings, noun)}"
            hint = ""
        raise InputError(
            f"no {'key' if keys else 'heading'} matches a field of the pack; {found}",
            Location(source, line),
            hint=hint + ("; " if hint else "") + (
                "check the delimiter (--delimiter) or the pack (--pack)"
                if not keys
                else "check the pack (--pack) and that the file is JSON Lines"
            ),
        )
    missing = tuple(name for name in fields if name not in columns)
    near = tuple(
        NearMiss(ignored_label(heading, None if keys else index), *guess)
        for index, heading in enumerate(headings)
        if (guess := guess_field(heading, fields, missing)) is not None
    )
    return HeadingMatch(columns, tuple(ignored), missing, near)


# How far a heading may be from a field's name or alias, normalised, to be taken for a
# misspelling of it: Damerau-Levenshtein (optimal string alignment) distance, so that a
# swapped pair ("DateOfBrith") counts as one slip, not two as difflib's ratio counts it.
# Short names sit close together (uln, sex, dob), so they need a longer heading to guess.
_NEAR_BY_LENGTH = ((6, 2), (4, 1))  # (at least this many characters, at most this distance)


def guess_field(heading: str, fields: Mapping[str, FieldDef],
                candidates: Sequence[str]) -> tuple[str, str] | None:
    """The field among ``candidates`` (names in ``fields``) that ``heading`` probably
    misspells, and the name or alias it is closest to; None when no field is close, when
    the heading already matches one, or when two fields are equally close."""
    key = normalise_heading(heading)
    allowed = next((most for least, most in _NEAR_BY_LENGTH if len(key) >= least), 0)
    if not allowed or key in field_lookup(fields):
        return None
    best: tuple[int, str, str] | None = None
    tied = False
    for name in candidates:
        for written in (name, *fields[name].aliases):
            target = normalise_heading(written)
            if len(target) < _NEAR_BY_LENGTH[-1][0]:
                continue
            distance = edit_distance(key, target, allowed)
            if distance > allowed:
                continue
            if best is None or distance < best[0]:
                best, tied = (distance, name, written), False
            elif distance == best[0] and name != best[1]:
                tied = True
            elif distance == best[0] and best[2] == name:
                # As close to an alias as to the name: the alias is how files write it.
                best = (distance, name, written)
    if best is None or tied:
        return None
    return best[1], best[2]


def edit_distance(first: str, second: str, most: int) -> int:
    """The optimal-string-alignment distance between the two texts (adjacent swaps count
    one); any answer above ``most`` is ``most + 1``."""
    if abs(len(first) - len(second)) > most:
        return most + 1
    before: list[int] | None = None
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b))
            if (before is not None and j > 1 and a == second[j - 2]
                    and first[i - 2] == b):
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > most:
            return most + 1
    return min(row[-1], most + 1)


# A file without a header row offers its first record as headings. Values that look like
# personal data (e-mail addresses, dates, long digit runs such as ULNs, postcodes, a name
# of two to four words) are not quoted. A one-word name cannot be told from a heading:
# when any heading looks like data none is quoted (see match_headings).
_PERSONAL = re.compile(
    r"@|[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}"
    r"|[0-9]{5,}|[0-9]{3,}[ -][0-9]{3,}"
    r"|\b[A-Za-z]{1,2}[0-9][0-9A-Za-z]? ?[0-9][A-Za-z]{2}\b"
)
_WORDS = re.compile(r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){1,3}")
# Words of headings (LRS and others): a phrase of words none of which is among these is
# taken for a name. Missing a word only means a heading is not quoted.
_HEADING_WORDS = frozenset({
    "ability", "abode", "address", "age", "area", "birth", "candidate", "capture", "city",
    "code", "contact", "county", "date", "day", "description", "dob", "e", "email", "end",
    "family", "file", "first", "fore", "forename", "gender", "given", "home", "house",
    "id", "identifier", "known", "last", "learner", "line", "mail", "middle", "mis",
    "mobile", "name", "names", "nationality", "no", "notes", "number", "of", "other",
    "phone", "place", "post", "postcode", "preferred", "previous", "provider", "record",
    "ref", "reference", "return", "school", "scottish", "sex", "share", "start", "status",
    "street", "sur", "surname", "telephone", "title", "to", "town", "type", "uln", "ukprn",
    "verification", "version",
})


def looks_like_data(text: str) -> bool:
    """True when ``text`` looks like a learner's value: an e-mail, a date, a ULN, a phone
    number, a postcode, or a name: two to four words, each capitalised as names are
    ("Zebedee Quantock", "ZEBEDEE QUANTOCK"), none of them a heading's ("Shoe size" and
    "Favourite colour" are headings people write; "Given Name" has a heading word)."""
    if _PERSONAL.search(text) is not None:
        return True
    if _WORDS.fullmatch(text.strip()) is None:
        return False
    words = [word for word in re.split(r"[\s'’.-]+", text.strip()) if word]
    if not all(word[0].isupper() for word in words):
        return False
    return not any(word.lower() in _HEADING_WORDS for word in words)


def _quote_some(headings: Sequence[str], noun: str) -> str:
    if not headings:
        return f"no {noun}"
    shown = []
    for index, heading in enumerate(headings[:_MAX_QUOTED_HEADINGS]):
        why = unshown(heading)
        if why is not None:
            shown.append(f"(column {index + 1}: {why}, not shown)")
            continue
        shown.append(repr(heading))
    more = len(headings) - len(shown)
    return ", ".join(shown) + (f" (and {more} more)" if more else "")
