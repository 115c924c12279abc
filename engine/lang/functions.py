"""Built-in functions of the expression language, registered in one dict literal.

Each entry declares its parameter and result types so the checker can reject a wrong call
when the pack loads, and whether it takes ``null`` (most functions return ``null`` when given
``null``; the compiler adds that guard so the implementations here never see ``None`` unless
they declare ``takes_null``).

Implementations raise ``EvaluationError`` with messages that never quote the value: the
message ends up in a report, and values are personal data.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from lrsrules.dates import ISO_DATE
from lrsrules.lang.regexes import compile_regex

# Value types of the language. "list" is a list of text or numbers; "any" accepts all.
TEXT, NUMBER, BOOL, DATE, LIST, ANY = "text", "number", "bool", "date", "list", "any"


class EvaluationError(Exception):
    """A function could not produce a value for this record (the message names no value)."""


_INT = re.compile(r"[+-]?[0-9]+")
_WORD = re.compile(r"[^\W_]+")  # runs of letters and digits, any script


def blank(x: object) -> bool:
    return x is None or (isinstance(x, str) and not x.strip())


def is_int(x: object) -> bool:
    return (isinstance(x, int) and not isinstance(x, bool)) or (
        isinstance(x, str) and _INT.fullmatch(x) is not None)


def to_int(x: str | int | float) -> int:
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        if not x.is_integer():
            raise EvaluationError("int() was given a number with a fraction")
        return int(x)
    if _INT.fullmatch(x) is None:
        raise EvaluationError("int() was given text that is not a whole number")
    return int(x)


def is_date(x: object) -> bool:
    if isinstance(x, dt.date):
        return True
    if not isinstance(x, str) or ISO_DATE.fullmatch(x) is None:
        return False
    try:
        dt.date.fromisoformat(x)
    except ValueError:
        return False
    return True


def require_date(parsed: dt.date | None, text: str) -> dt.date:
    """``date(text)`` given ``parse_iso_date(text)``: the date, or why there is none."""
    if parsed is None:
        return to_date(text)  # raises, saying what is wrong
    return parsed


def to_date(x: str | dt.date) -> dt.date:
    if isinstance(x, dt.date):
        return x
    if ISO_DATE.fullmatch(x) is None:
        raise EvaluationError("date() was given text that is not written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(x)
    except ValueError:
        raise EvaluationError("date() was given a day that is not in the calendar") from None


def years_between(a: dt.date, b: dt.date) -> int:
    """Whole years from a to b, as an age is counted (negative when b is before a)."""
    if b < a:
        return -years_between(b, a)
    return b.year - a.year - ((b.month, b.day) < (a.month, a.day))


class WordSet:
    """A list prepared for ``contains_word``: each entry as lower-case words.

    Single-word entries are a set of words; entries of several words are tuples looked up
    over each run of that many words of the text.
    """

    __slots__ = ("lengths", "phrases", "singles", "words")

    def __init__(self, entries: Iterable[object]) -> None:
        phrases = {tuple(_WORD.findall(str(e).casefold())) for e in entries}
        phrases.discard(())
        self.singles = frozenset(p[0] for p in phrases if len(p) == 1)
        self.phrases = frozenset(p for p in phrases if len(p) > 1)
        self.lengths = tuple(sorted({len(p) for p in self.phrases}))
        self.words = frozenset(word for p in phrases for word in p)  # in some entry

    def found_in(self, text: str) -> bool:
        # Set lookups only: the cost does not grow with the list.
        words = _WORD.findall(text.casefold())
        if self.words.isdisjoint(words):  # most texts: no word of any entry
            return False
        if not self.singles.isdisjoint(words):
            return True
        phrases = self.phrases
        for size in self.lengths:
            for start in range(len(words) - size + 1):
                if tuple(words[start:start + size]) in phrases:
                    return True
        return False


class Remembered(dict[str, Any]):
    """The answers of a pure function of one text (``__getitem__`` is the function):
    known answers come from the dict's own lookup, in C; an unknown one is computed and
    kept when the text is short, while there is room. Values repeat in learner files
    (names, dates of birth), and a lookup costs a fraction of a Python call.

    One for each ``key`` in a process (``remembered``): the generated functions of a run
    (the pack's check, the parts of it the whole-row proof runs) share the answers, so a
    value is worked out once; pickled as its key, it is that one again where it is read
    back."""

    __slots__ = ("function", "key")

    def __init__(self, function: Callable[[str], Any], key: Hashable) -> None:
        super().__init__()
        self.function = function
        self.key = key

    def __reduce__(self) -> tuple[Any, ...]:
        return _shared, (self.function, self.key)

    def __missing__(self, text: str) -> Any:
        answer = self.function(text)  # raises as the function does, keeping nothing
        if len(text) <= _REMEMBERED_CHARS and len(self) < _REMEMBERED:
            self[text] = answer
        return answer


_REMEMBERED = 8192  # answers kept ...
_REMEMBERED_CHARS = 64  # ... for texts no longer than this
_SHARED: dict[Hashable, Remembered] = {}  # in this process, by key
_SHARED_KEYS = 256  # memories kept at once (a cluster's worker lives long, many packs)


def remembered(function: Callable[[str], Any], key: Hashable) -> Callable[[str], Any]:
    """The lookup of this process's memory of ``function``, a pure function of one text
    that ``key`` names (the same key: the same answers), made when first asked for."""
    return _shared(function, key).__getitem__


def _shared(function: Callable[[str], Any], key: Hashable) -> Remembered:
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= _SHARED_KEYS:
            _SHARED.clear()  # the functions made so far keep theirs
        found = _SHARED[key] = Remembered(function, key)
    return found


def contains_word(text: str, words: Iterable[object]) -> bool:
    return WordSet(words).found_in(text)


def _weights(items: Iterable[object]) -> tuple[int, ...]:
    return tuple(to_int(w) for w in items)  # type: ignore[arg-type]


def weighted_sum(digits: str, weights: Iterable[object]) -> int:
    """Sum of each digit times its weight: the core of check-digit schemes such as mod-11."""
    return _weighted_sum(digits, _weights(weights))


def _weighted_sum(digits: str, weights: tuple[int, ...]) -> int:
    if len(digits) != len(weights) or not digits.isascii() or not digits.isdigit():
        raise EvaluationError(
            f"weighted_sum() needs exactly {len(weights)} digits, one for each weight")
    return sum(map(operator.mul, map(int, digits), weights))


def _weighted_sum_by(items: tuple[object, ...]) -> Callable[[str], int]:
    weights = _weights(items)
    size = len(weights)
    zeros = ord("0") * sum(weights)  # what the character codes add over the digits

    # One call per record instead of two: this runs on every ULN of a file. The digits'
    # codes come from one encode, not one int() each.
    def weighted(digits: str) -> int:
        if len(digits) != size or not digits.isascii() or not digits.isdigit():
            return _weighted_sum(digits, weights)  # raises, saying what is wrong
        total: int = sum(map(operator.mul, digits.encode(), weights))
        return total - zeros

    return weighted


def replace(text: str, old: str, new: str) -> str:
    return text.replace(old, new) if old else text


def regex_replace(text: str, pattern: str, replacement: str) -> str:
    # Compiled code calls a replacer made once (codegen); this is for other callers. The
    # pattern and replacement are literals checked when the pack loads.
    return compile_regex(pattern).replacer(replacement)(text)


@dataclass(frozen=True, slots=True)
class Function:
    params: tuple[str, ...]
    returns: str
    impl: Callable[..., Any]
    doc: str
    takes_null: bool = False  # False: the compiler returns null for a null argument
    # Python text with {0}, {1} for the compiled arguments, used instead of a call where
    # it is faster; only for templates that use each argument once.
    inline: str | None = None
    # When the last argument is a constant list: builds, once, a faster function of the
    # other arguments (e.g. a word index for contains_word).
    specialise: Callable[[tuple[object, ...]], Callable[..., Any]] | None = None
    # The index of a parameter that must be a string literal holding a portable regex; the
    # parameter after it must be a literal replacement (\1 .. \9 for groups). Both are
    # checked when the pack loads.
    regex_param: int | None = None


FUNCTIONS: dict[str, Function] = {
    "present": Function((ANY,), BOOL, lambda x: x is not None,
                        "true when the value is not null (not blank, not missing)",
                        takes_null=True, inline="({0} is not None)"),
    "blank": Function((ANY,), BOOL, blank,
                      "true when the value is null or only spaces", takes_null=True),
    "len": Function((TEXT,), NUMBER, len, "number of characters", inline="len({0})"),
    "upper": Function((TEXT,), TEXT, str.upper, "upper-case copy", inline="{0}.upper()"),
    "lower": Function((TEXT,), TEXT, str.lower, "lower-case copy", inline="{0}.lower()"),
    "trim": Function((TEXT,), TEXT, str.strip, "copy without leading and trailing spaces",
                     inline="{0}.strip()"),
    "int": Function((ANY,), NUMBER, to_int,
                    "the whole number written in the text (an error when it is not one)"),
    "is_int": Function((ANY,), BOOL, is_int,
                       "true when the text is a whole number (optional sign, digits only)",
                       takes_null=True),
    "is_date": Function((ANY,), BOOL, is_date,
                        "true when the text is a real calendar date written YYYY-MM-DD",
                        takes_null=True),
    "date": Function((ANY,), DATE, to_date,
                     "the date written YYYY-MM-DD (an error when it is not one)"),
    "today": Function((), DATE, dt.date.today, "the date the run started"),
    "years_between": Function((DATE, DATE), NUMBER, years_between,
                              "whole years from the first date to the second (an age)"),
    "contains_word": Function((TEXT, LIST), BOOL, contains_word,
                              "true when some entry of the list is a whole word or run of "
                              "words of the text, ignoring case",
                              specialise=lambda items: WordSet(items).found_in),
    "weighted_sum": Function((TEXT, LIST), NUMBER, weighted_sum,
                             "sum of each digit of the text times the weight in the same "
                             "place of the list (for check digits, e.g. mod 11)",
                             specialise=_weighted_sum_by),
    "replace": Function((TEXT, TEXT, TEXT), TEXT, replace,
                        "copy with every occurrence of the second text replaced by the third"),
    "regex_replace": Function((TEXT, TEXT, TEXT), TEXT, regex_replace,
                              "copy with every match of the regex (a string literal) replaced "
                              "by the replacement, in which \\1 .. \\9 are the groups",
                              regex_param=1),
}
