"""A pack pattern rewritten for Python's ``re``, only where it provably cannot backtrack
catastrophically.

Patterns run on RE2 (``regexes``) so that no pattern costs more than linear time; but a
call into RE2 costs several times a call into Python's ``re``, and ``matches`` runs on
most values of a file. ``python_fullmatch`` gives a function that answers exactly as
``Regex.fullmatches`` does, run by ``re``, for the patterns whose backtracking is proven
bounded; for every other pattern it gives None and RE2 keeps it.

The proof works on a normal form, built from Python's own parse of the pattern: a few
*alternatives*, each a flat sequence of *items*, an item being one set of characters
repeated ``{low,high}`` times. Anything that does not reduce to it is refused: anchors,
flags, a repeat of anything but one character (``(ab)+``, ``(a+)+``), too many
alternatives. Alternatives under a group are multiplied out (``(?:mr|mrs)\\.? .+`` is two
sequences), and a repeated choice of single characters is one set (``(?:[a-z]|[0-9])+``
is ``[a-z0-9]+``, ``(a|a)*`` is ``[a]*``: the choice the original would backtrack over is
gone from the pattern ``re`` runs).

Then, in each sequence, every item that may match a varying number of characters must
be followed by characters it cannot match (its *follow set*: the first characters of the
items after it, up to the first one that must match), or else be bounded: a bounded item
multiplies the work by at most ``high - low + 1`` whatever the text, an unbounded one by
at most one more than the most the items after it can match, which must be bounded.
With that, a failed attempt backs out of each item in one step per character, and the
work is linear in the text: at most ``MAX_PATHS`` times the length, summed over the alternatives.

The pattern ``re`` runs is generated from the normal form, not the pack's text: sets are
written as ranges of code points, so that it means what the RE2 pattern means, including
for a lone surrogate (RE2 sees U+FFFD in its place, so each set holds the surrogates
exactly when it holds U+FFFD).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from itertools import product
from typing import Any

from lrsrules.lang.regexes import _CATEGORY_RUNS, _code_points

try:  # Python 3.11+
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse

MAX_PATHS = 256  # the bound on backtracking paths per alternative, summed (see above)
_MAX_SPREAD = 16  # a bounded item not followed by characters it cannot match: high - low
_MAX_REST = 64  # ... else an unbounded one: the most the items after it may match
_MAX_ALTERNATIVES = 32
_TOP = sys.maxunicode
_SURROGATES = (0xD800, 0xDFFF)
_REPLACEMENT = 0xFFFD
_SURROGATES_ONLY = (_SURROGATES,)
_UNBOUNDED = _sre_parse.MAXREPEAT
_NEUTRAL_FLAGS = re.UNICODE | re.VERBOSE  # always on for text / changes only the reading

Ranges = tuple[tuple[int, int], ...]  # sorted, disjoint, not adjacent: a set of code points


class _Refused(Exception):
    pass


class Item:
    """One set of characters, repeated ``low`` to ``high`` times."""

    __slots__ = ("chars", "high", "low")

    def __init__(self, chars: Ranges, low: int, high: int) -> None:
        self.chars, self.low, self.high = chars, low, high


def python_fullmatch(pattern: str) -> Callable[[str], Any] | None:
    """``re``'s fullmatch of a pattern meaning what ``pattern`` means (true exactly when
    ``compile_regex(pattern).fullmatches`` is), or None when its backtracking is not
    proven bounded."""
    return _fullmatch(python_pattern(pattern), pattern, _written_for)


def _fullmatch(rewritten: str | None, pattern: str, written_for: dict[re.Pattern[str], str]
               ) -> Callable[[str], Any] | None:
    """``re``'s fullmatch of ``rewritten`` (None: none), noting the pack's ``pattern`` it
    was written for in ``written_for`` (for explain --code)."""
    if rewritten is None:
        return None
    compiled = re.compile(rewritten)
    written_for.setdefault(compiled, pattern)
    return compiled.fullmatch


def pack_pattern(compiled: re.Pattern[str]) -> str | None:
    """The pack's pattern that ``compiled`` was written for (by ``python_fullmatch``)."""
    return _written_for.get(compiled)


def python_sublanguage(pattern: str) -> Callable[[str], Any] | None:
    """``re``'s fullmatch of a pattern that matches only texts ``pattern`` matches (the
    sublanguage of ``sufficient_form``, whose backtracking is proven bounded), for a
    ``pattern`` that ``python_fullmatch`` refuses: a match shows the text matches
    ``pattern``, no match shows nothing (RE2 must then say). None when there is none."""
    return _fullmatch(_sublanguage_pattern(pattern), pattern, _sublanguage_for)


def sublanguage_of(compiled: re.Pattern[str]) -> str | None:
    """The pack's pattern that ``compiled`` is a sublanguage of (``python_sublanguage``)."""
    return _sublanguage_for.get(compiled)


@cache
def _sublanguage_pattern(pattern: str) -> str | None:
    if normal_form(pattern) is not None:
        return None  # exact: python_fullmatch's
    alternatives = _bounded_form(pattern, sub=True)
    return None if alternatives is None else written(alternatives)


_sublanguage_for: dict[re.Pattern[str], str] = {}


# The first pack pattern each rewritten one was made for, to name it in explain --code (a
# rewritten class spells out every code point of \w). As bounded as the patterns of the
# packs a process loads.
_written_for: dict[re.Pattern[str], str] = {}


@cache
def python_pattern(pattern: str) -> str | None:
    """The normal form of ``pattern`` as a pattern for ``re``, or None (see the module)."""
    alternatives = normal_form(pattern)
    if alternatives is None:
        return None
    return written(alternatives)


@cache
def normal_form(pattern: str) -> tuple[tuple[Item, ...], ...] | None:
    """The alternatives ``pattern`` comes to, each a sequence of items, when its
    backtracking is proven bounded (see the module); else None. Shared, not to be changed."""
    return _bounded_form(pattern, sub=False)


@cache
def sufficient_form(pattern: str) -> tuple[tuple[Item, ...], ...] | None:
    """``normal_form(pattern)``, or where that is refused, the normal form of a pattern
    that matches only texts ``pattern`` matches (a sublanguage), made by taking a repeated
    group only its least number of times or once more (``(\\.[a-z]+)*`` as none or one)
    and a bounded repeat that overlaps what follows only up to ``_SUB_SPREAD`` more than
    its least. Never exact: only for showing a text passes (the whole-row proof), when
    the sublanguage still cannot backtrack for long; else None."""
    exact = normal_form(pattern)
    return exact if exact is not None else _bounded_form(pattern, sub=True)


def _bounded_form(pattern: str, *, sub: bool) -> tuple[tuple[Item, ...], ...] | None:
    """The normal form (``sub``: of a sublanguage, see ``sufficient_form``) when its
    backtracking is proven bounded; else None."""
    try:
        parsed = _sre_parse.parse(pattern)
    except (re.error, RecursionError):
        return None
    if parsed.state.flags & ~_NEUTRAL_FLAGS:
        return None
    try:
        alternatives = _sequences(list(parsed), sub)
    except _Refused:
        return None
    alternatives = [_capped(seq) if sub else seq for seq in alternatives
                    if all(i.chars or not i.low for i in seq)]
    if not alternatives or _paths(alternatives) > MAX_PATHS:
        return None
    return tuple(tuple(seq) for seq in alternatives)


_SUB_SPREAD = 8


def _capped(seq: list[Item]) -> list[Item]:
    """``seq`` with each bounded repeat that overlaps what follows taking at most
    ``_SUB_SPREAD`` more than its least (a sublanguage)."""
    capped = []
    for index, item in enumerate(seq):
        if (item.high != _UNBOUNDED and item.high - item.low > _MAX_SPREAD
                and not _disjoint(item.chars, _follow(seq, index))):
            item = Item(item.chars, item.low, item.low + _SUB_SPREAD)
        capped.append(item)
    return capped


def contained(pattern: str) -> str | None:
    """``M`` when ``pattern`` is ``.*M.*`` (a text holding a match of ``M`` somewhere),
    ``M`` a pattern of its own; else None."""
    if not (pattern.startswith(".*") and pattern.endswith(".*") and len(pattern) > 4):
        return None
    inner = pattern[2:-2]
    try:
        whole, alone = _sre_parse.parse(pattern), _sre_parse.parse(inner)
    except (re.error, RecursionError):
        return None
    any_run = (_sre_parse.MAX_REPEAT, (0, _UNBOUNDED, [(_sre_parse.ANY, None)]))
    items = list(whole)
    if len(items) < 3 or _plain(items[0]) != _plain(any_run) or _plain(items[-1]) != _plain(
            any_run) or _plain_all(items[1:-1]) != _plain_all(list(alone)):
        return None
    return inner


def _plain(item: Any) -> str:
    return repr(item)


def _plain_all(items: Sequence[Any]) -> str:
    return repr(list(items))


MAXREPEAT = _UNBOUNDED  # an item's ``high`` when it may repeat without end


def written(alternatives: Sequence[Sequence[Item]]) -> str:
    """A normal form as a pattern for ``re``."""
    return "|".join("".join(_written(item) for item in seq if item.high and item.chars)
                    or "(?:)"
                    for seq in alternatives)


def narrowed(body: str, classes: Sequence[str], low: int, high: int | None
             ) -> tuple[str, bool] | None:
    """See ``_narrowed``: its answers kept, as a proof for a file's columns asks the same
    of the same sets (a pack's name patterns, one for each name field and way of quoting),
    and parsing a set of many Unicode ranges takes tens of milliseconds."""
    return _narrowed(body, tuple(classes), low, high)


@lru_cache(maxsize=64)
def _narrowed(body: str, classes: tuple[str, ...], low: int, high: int | None
              ) -> tuple[str, bool] | None:
    """``body`` narrowed to the texts it matches whose every character is in each of
    ``classes`` (sets written ``[...]``) and whose length is ``low`` to ``high`` (None:
    no most): the narrowed pattern, and whether it says the length limit itself (False:
    the limit must still be asserted). ``body`` must be a sequence of sets, each taken a
    number of times (as ``written`` writes one alternative); else, or when no text is
    left, None. Surrogates are left out of every set: the result only ever narrows."""
    try:
        ways = _sequences(list(_sre_parse.parse(body)))
        sets = [_char_set(str(op), arg) for op, arg in
                (_sre_parse.parse(chars)[0] for chars in classes)]
    except (re.error, RecursionError, IndexError, _Refused):
        return None
    if len(ways) != 1:
        return None  # not one sequence of sets
    common = _complement(_SURROGATES_ONLY)
    for chars in sets:
        common = _intersection(common, chars)
    items: list[Item] = []
    for item in ways[0]:
        chars = _intersection(item.chars, common)
        if not chars and item.low:
            return None  # no text is left
        if chars and item.high:
            items.append(Item(chars, item.low, item.high))
    least = sum(item.low for item in items)
    most = sum(item.high for item in items)  # _UNBOUNDED is big: an unbounded sum stays big
    if least >= low and (high is None or most <= high):
        return "".join(map(_written, items)) or "(?:)", True
    varying = [item for item in items if item.low != item.high]
    if len(varying) != 1:  # the sets narrowed, the length still to be asserted
        return "".join(map(_written, items)) or "(?:)", False
    item = varying[0]
    fixed = least - item.low
    item.low = max(item.low, low - fixed)
    if high is not None:
        item.high = min(item.high, high - fixed)
    if item.low > item.high or item.high < 0:
        return None
    return "".join(_written(item) for item in items if item.high) or "(?:)", True


def _paths(alternatives: Sequence[Sequence[Item]]) -> float:
    """How many ways backtracking may split a text among the items, at most, summed over
    the alternatives (inf: unbounded)."""
    total = 0.0
    for seq in alternatives:
        paths = 1.0
        for index, item in enumerate(seq):
            if item.low == item.high or _disjoint(item.chars, _follow(seq, index)):
                continue  # fixed, or backs out at once
            if item.high != _UNBOUNDED and item.high - item.low <= _MAX_SPREAD:
                paths *= item.high - item.low + 1
                continue
            # Each character given back may start the rest again: fine while the rest
            # can only ever match a few characters (an e-mail's `+\.[a-z]{2,6}`).
            rest = sum(later.high for later in seq[index + 1:])
            if rest > _MAX_REST:
                return float("inf")
            paths *= rest + 1
        total += paths
    return total


def _follow(seq: Sequence[Item], index: int) -> Ranges:
    """The characters that may come right after item ``index`` (the end aside)."""
    found: list[tuple[int, int]] = []
    for item in seq[index + 1:]:
        found += item.chars
        if item.low:
            break
    return normal_ranges(found)


# --- the normal form, from Python's parse ----------------------------------------------


def _sequences(items: Sequence[tuple[Any, Any]], sub: bool = False) -> list[list[Item]]:
    """The alternatives a parsed sequence comes to, each a flat list of items (``sub``:
    see ``sufficient_form``)."""
    options: list[list[list[Item]]] = [_options(str(op), arg, sub) for op, arg in items]
    count = 1
    for choice in options:
        count *= len(choice)
        if count > _MAX_ALTERNATIVES:
            raise _Refused
    return [[item for part in parts for item in part] for parts in product(*options)]


def _options(op: str, arg: Any, sub: bool = False) -> list[list[Item]]:
    if op in ("MAX_REPEAT", "MIN_REPEAT"):  # lazy or greedy: the same full matches
        low, high, body = arg
        try:
            return [[Item(_one_char(list(body)), low, high)]]
        except _Refused:
            if not sub:
                raise
        # A sublanguage: the body repeated its least number of times, or once more.
        ways = _sequences(list(body), sub)
        found = [[item for part in parts for item in part]
                 for count in range(low, min(high, low + 1) + 1)
                 for parts in product(ways, repeat=count)]
        if len(found) > _MAX_ALTERNATIVES:
            raise _Refused
        return found
    if op == "SUBPATTERN":
        _group, add, remove, body = arg
        if add or remove:
            raise _Refused
        return _sequences(list(body), sub)
    if op == "BRANCH":
        found = [seq for branch in arg[1] for seq in _sequences(list(branch), sub)]
        if len(found) > _MAX_ALTERNATIVES:
            raise _Refused
        return found
    return [[Item(_char_set(op, arg), 1, 1)]]


def _one_char(items: list[tuple[Any, Any]]) -> Ranges:
    """The set a repeated body matches, when each way it can match is one character: a
    set, a group of one, a choice of single characters (``(a|a)+`` is ``[a]+``)."""
    ways = _sequences(items)
    if not all(len(way) == 1 and way[0].low == way[0].high == 1 for way in ways):
        raise _Refused
    return normal_ranges([pair for way in ways for pair in way[0].chars])


def _char_set(op: str, arg: Any) -> Ranges:
    if op == "LITERAL":
        return _with_surrogates(((arg, arg),))
    if op == "NOT_LITERAL":
        return _with_surrogates(_complement(((arg, arg),)))
    if op == "ANY":  # no DOTALL: flags are refused
        return _with_surrogates(_complement(((10, 10),)))
    if op == "IN":
        negate = False
        found: list[tuple[int, int]] = []
        for part, value in arg:
            name = str(part)
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                found.append((value, value))
            elif name == "RANGE":
                found.append((value[0], value[1]))
            elif name == "CATEGORY":
                found += _category(str(value))
            else:
                raise _Refused
        chars = normal_ranges(found)
        return _with_surrogates(_complement(chars) if negate else chars)
    raise _Refused  # anchors, backreferences, lookaround ...


# --- sets of code points ---------------------------------------------------------------


def normal_ranges(pairs: Sequence[tuple[int, int]]) -> Ranges:
    """``pairs`` of code points (low, high) as a set's sorted, merged ranges."""
    merged: list[list[int]] = []
    for low, high in sorted(pairs):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def _complement(chars: Ranges) -> Ranges:
    found: list[tuple[int, int]] = []
    start = 0
    for low, high in chars:
        if low > start:
            found.append((start, low - 1))
        start = high + 1
    if start <= _TOP:
        found.append((start, _TOP))
    return tuple(found)


def _intersection(first: Ranges, second: Ranges) -> Ranges:
    return _complement(normal_ranges([*_complement(first), *_complement(second)]))


def _disjoint(first: Ranges, second: Ranges) -> bool:
    i = j = 0
    while i < len(first) and j < len(second):
        (a_low, a_high), (b_low, b_high) = first[i], second[j]
        if a_low <= b_high and b_low <= a_high:
            return False
        if a_high < b_high:
            i += 1
        else:
            j += 1
    return True


def holds(chars: Ranges, point: int) -> bool:
    """Whether the set ``chars`` holds the code point ``point``."""
    return any(low <= point <= high for low, high in chars)


def _with_surrogates(chars: Ranges) -> Ranges:
    """The set as RE2 applies it to a text with lone surrogates, which it reads as
    U+FFFD: every surrogate in it exactly when U+FFFD is."""
    low, high = _SURROGATES
    pieces: list[tuple[int, int]] = []
    for a, b in chars:  # cut the surrogates out
        if b < low or a > high:
            pieces.append((a, b))
            continue
        if a < low:
            pieces.append((a, low - 1))
        if b > high:
            pieces.append((high + 1, b))
    if holds(chars, _REPLACEMENT):
        pieces.append(_SURROGATES)
    return normal_ranges(pieces)


@cache
def _category(name: str) -> Ranges:
    """Python's class (\\d, \\w, \\s, their negations) as ranges, found as ``regexes``
    finds them for RE2 (by Python's ``re`` over every code point but the surrogates)."""
    runs = re.compile(_CATEGORY_RUNS[name])
    return tuple((first + run.start(), first + run.end() - 1)
                 for first, text in _code_points() for run in runs.finditer(text))


# --- written for re --------------------------------------------------------------------


def _written(item: Item) -> str:
    chars = "".join(_escaped(low) if low == high else f"{_escaped(low)}-{_escaped(high)}"
                    for low, high in item.chars)
    count = ("" if item.low == item.high == 1 else
             f"{{{item.low},}}" if item.high == _UNBOUNDED else f"{{{item.low},{item.high}}}")
    return f"[{chars}]{count}"


def _escaped(point: int) -> str:
    char = chr(point)
    if char.isascii() and char.isalnum():
        return char
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"
