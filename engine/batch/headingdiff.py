"""Align the headings a file has with the headings its layout prescribes, as a diff does.

A batch file's headings must be spelt exactly, in the prescribed order. When they are not,
people need each mistake named once: "FamilyName is missing", not a cascade of every later
heading being "in the wrong column". ``align_headings`` lines the two lists up with
``difflib.SequenceMatcher`` (the longest run of headings in order), then names what is
left over:

- **moved**: a prescribed heading found, spelt right, out of order (a swapped pair is one
  move: the other heading of the pair is in order relative to the rest);
- **misspelt**: a found heading close to a prescribed one not found (same letters ignoring
  case, spaces, underscores and hyphens, or a ``difflib`` ratio at or above ``cutoff``),
  or the one heading standing where a single prescribed one is missing;
- **duplicate**: a prescribed heading found a second time;
- **missing** / **unexpected**: what is left on either side.

Each found column is mapped to the prescribed heading it stands for (exact, moved or
misspelt), so values can be read by the file's own headings.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lrsrules.packs.model import normalise_heading

MISSING, UNEXPECTED, MISSPELT, MOVED, DUPLICATE = (
    "missing", "unexpected", "misspelt", "moved", "duplicate")
KINDS = (MISSING, UNEXPECTED, MISSPELT, MOVED, DUPLICATE)
CUTOFF = 0.8  # difflib's get_close_matches default: "GivenNme" is close, "Title" is not


@dataclass(frozen=True, slots=True)
class HeadingIssue:
    """One mistake in a heading row; columns and positions are 0-based."""

    kind: str
    expected: str | None  # the prescribed heading (None for unexpected)
    found: str | None  # the heading in the file (None for missing)
    column: int | None  # where ``found`` is in the file
    position: int | None  # where ``expected`` belongs, in the prescribed order


@dataclass(frozen=True, slots=True)
class HeadingAlignment:
    """Which file column holds each prescribed heading, and the mistakes, in file order.

    ``recognised`` is false when no found heading matched a prescribed one, exactly or
    closely: the row is then not a heading row at all, and ``issues`` is empty.
    """

    columns: dict[str, int]
    issues: tuple[HeadingIssue, ...]
    recognised: bool


def align_headings(expected: Sequence[str], found: Sequence[str], *,
                   cutoff: float = CUTOFF) -> HeadingAlignment:
    """Align ``found`` with ``expected`` (whose entries are distinct)."""
    columns: dict[str, int] = {}
    left = dict.fromkeys(range(len(expected)))  # prescribed positions not yet placed
    spare = dict.fromkeys(range(len(found)))  # file columns not yet placed
    matcher = difflib.SequenceMatcher(None, list(expected), list(found), autojunk=False)
    replaced: list[tuple[range, range]] = []
    for tag, e1, e2, f1, f2 in matcher.get_opcodes():
        if tag == "equal":
            for e, f in zip(range(e1, e2), range(f1, f2), strict=True):
                columns[expected[e]] = f
                del left[e], spare[f]
        elif tag == "replace":
            replaced.append((range(e1, e2), range(f1, f2)))
    issues: list[HeadingIssue] = []
    position = {heading: index for index, heading in enumerate(expected)}
    for f in list(spare):
        at = position.get(found[f])
        if at is None:
            continue
        kind = MOVED if at in left else DUPLICATE
        issues.append(HeadingIssue(kind, found[f], found[f], f, at))
        del spare[f]
        if kind == MOVED:
            columns[found[f]] = f
            del left[at]
    for e, f in _close_pairs(expected, found, left, spare, cutoff):
        _misspelt(expected, found, e, f, columns, issues, left, spare)
    recognised = bool(columns)
    if not recognised:
        return HeadingAlignment({}, (), False)
    # One heading standing alone where one prescribed heading is missing is that heading,
    # however it is spelt ("DOB" where DateOfBirth belongs); a blank cell there is the
    # heading missing from its own column, whose values are still read.
    for e_range, f_range in replaced:
        es = [e for e in e_range if e in left]
        fs = [f for f in f_range if f in spare]
        if len(es) == 1 and len(fs) == 1 and len(e_range) == len(f_range) == 1:
            if found[fs[0]].strip():
                _misspelt(expected, found, es[0], fs[0], columns, issues, left, spare)
            else:
                issues.append(HeadingIssue(MISSING, expected[es[0]], None, fs[0], es[0]))
                columns[expected[es[0]]] = fs[0]
                del left[es[0]], spare[fs[0]]
    issues += [HeadingIssue(MISSING, expected[e], None, None, e) for e in left]
    issues += [HeadingIssue(UNEXPECTED, None, found[f], f, None) for f in spare]
    order = _file_order(expected, columns, len(found))
    return HeadingAlignment(columns, tuple(sorted(issues, key=order)), True)


def _misspelt(expected: Sequence[str], found: Sequence[str], e: int, f: int,
              columns: dict[str, int], issues: list[HeadingIssue],
              left: dict[int, None], spare: dict[int, None]) -> None:
    issues.append(HeadingIssue(MISSPELT, expected[e], found[f], f, e))
    columns[expected[e]] = f
    del left[e], spare[f]


def _close_pairs(expected: Sequence[str], found: Sequence[str], left: dict[int, None],
                 spare: dict[int, None], cutoff: float) -> list[tuple[int, int]]:
    """Pairs (prescribed, found) of close headings, best first, each side used once."""
    scored = []
    for f in spare:
        key = normalise_heading(found[f])
        if not key:
            continue
        for e in left:
            if key == normalise_heading(expected[e]):
                score = 2.0  # the same heading written with other case or separators
            else:
                score = difflib.SequenceMatcher(
                    None, expected[e].casefold(), found[f].casefold()).ratio()
            if score >= cutoff:
                # Ties go to the pair nearest in position, then to file order.
                scored.append((-score, abs(e - f), f, e))
    pairs: list[tuple[int, int]] = []
    used_e: set[int] = set()
    used_f: set[int] = set()
    for _, _, f, e in sorted(scored):
        if e not in used_e and f not in used_f:
            pairs.append((e, f))
            used_e.add(e)
            used_f.add(f)
    return pairs


def _file_order(expected: Sequence[str], columns: dict[str, int],
                width: int) -> Callable[[HeadingIssue], tuple[float, int]]:
    """Sort key: issues in file column order, a missing heading where it should stand
    (just before the next prescribed heading that was found)."""
    def key(issue: HeadingIssue) -> tuple[float, int]:
        if issue.column is not None:
            return (issue.column, 0)
        after = (columns[h] for h in expected[(issue.position or 0) + 1:] if h in columns)
        return (next(after, width) - 0.5, 1)
    return key
