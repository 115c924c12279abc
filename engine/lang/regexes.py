"""Regular expressions in packs and layouts: Python's meaning, run in linear time on RE2.

Packs must run unchanged on the cluster engine, whose regex library is RE2-like, so
syntax RE2 lacks (backreferences, lookaround, atomic groups, possessive repeats,
conditionals, ``\\Z``, ``\\u``, verbose mode, ...) is rejected when the pack loads.

What is accepted runs on RE2 too (``google-re2``), so no pattern can backtrack: a match
costs time linear in the text, whatever the pattern. RE2 is not given the pattern as
written but rebuilt from Python's own parse of it, so that it means what it means in
Python: ``\\d``, ``\\w`` and ``\\s`` become the Unicode classes of Python's ``str``
methods, ``{,n}`` becomes ``{0,n}``, every literal character is written ``\\x{...}``.
Where the two cannot agree, the pattern is rejected: ``\\b`` and ``\\B`` (ASCII-only words
in RE2), and flags other than ``i``, ``m`` and ``s``. One difference is left: ``$``
(without ``m``) matches only at the very end of the text, as in RE2, not also before a
final line break.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any

from lrsrules.limits import REGEX_NESTING

try:  # Python 3.11+
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse

_UNPORTABLE = {
    "GROUPREF": "backreferences are not allowed",
    "GROUPREF_EXISTS": "conditional groups are not allowed",
    "ASSERT": "lookahead/lookbehind is not allowed",
    "ASSERT_NOT": "lookahead/lookbehind is not allowed",
    "ATOMIC_GROUP": "atomic groups are not allowed",
    "POSSESSIVE_REPEAT": "possessive repeats are not allowed",
    "AT_BOUNDARY": "word boundaries (\\b, \\B) are not allowed: RE2 knows only ASCII words",
    "AT_NON_BOUNDARY": "word boundaries (\\b, \\B) are not allowed: RE2 knows only ASCII words",
}
_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}
# Flags that change only how the pattern is read (verbose) or are always on (unicode).
_NEUTRAL_FLAGS = re.VERBOSE | re.UNICODE
_NO_MATCH = (-1, -1)
_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")  # a lone surrogate, surrogatepass
_REPLACEMENT_CHAR = "\ufffd".encode()


class _Unportable(Exception):
    pass


def check_portable_regex(pattern: str) -> str | None:
    """None when the pattern is valid and portable, else what is wrong with it."""
    try:
        _translate(pattern)
    except _Unportable as exc:
        return str(exc)
    return None


def compile_regex(pattern: str) -> Regex:
    """The pattern, checked by ``check_portable_regex``, ready to run; ValueError if not."""
    try:
        return _compiled(pattern)
    except _Unportable as exc:
        raise ValueError(str(exc)) from None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Regex:
    return Regex(pattern, _translate(pattern))


_KNOWN_TEXTS = 4096  # answers a pattern keeps ...
_KNOWN_CHARS = 64  # ... for texts no longer than this


def _re2() -> Any:
    """RE2, imported when a pattern is first compiled for it (some milliseconds of a
    start): a short run may need none, its patterns run by Python's ``re`` where that
    is proven safe (``lang.backtracking``) or not run at all."""
    import re2  # type: ignore[import-untyped]

    return re2


class Answers(dict[str, bool]):
    """Whether each text fully matches one pattern: a text not yet known is run by RE2
    (``test``: whether the text's UTF-8 matches whole) and kept when short, while there
    is room."""

    __slots__ = ("pattern", "test")

    def __init__(self, pattern: str, test: Any) -> None:
        super().__init__()
        self.pattern = pattern  # as the pack wrote it, for explain --code
        self.test = test

    def __missing__(self, text: str) -> bool:
        try:
            data = text.encode()
        except UnicodeEncodeError:
            data = _encoded(text)[1]
        found: bool = self.test(data)
        if len(text) <= _KNOWN_CHARS and len(self) < _KNOWN_TEXTS:
            self[text] = found
        return found


class Regex:
    """A compiled pattern; offers only what packs and layouts use, with Python's meaning.
    RE2 compiles it when it is first run, not when it is made: a prepared pack read from
    the cache holds every pattern of the pack, and a short file runs few of them."""

    __slots__ = ("_known", "_longest", "_re", "_translated", "fullmatches", "pattern")

    def __init__(self, pattern: str, translated: str) -> None:
        self.pattern = pattern
        self._translated = translated  # what RE2 compiles
        self._re: Any = None  # with groups: compiled when first needed (``_groups``)
        self._longest: Any = None
        # Answers for short texts already seen: values repeat (codes, names, postcodes)
        # and a dict lookup costs a fraction of a call into RE2. Bounded in entries and
        # in the length of the texts it keeps. Its test compiles the pattern for a yes or
        # no (no group spans to build: half the time) the first time a text is unknown.
        self._known = Answers(pattern, self._first_test)
        # Whether the whole text matches (``matches``): the fast path, per record. A known
        # answer is the dict's own lookup, in C; an unknown one runs ``_answer``.
        self.fullmatches: Callable[[str], bool] = self._known.__getitem__

    def _first_test(self, data: bytes) -> bool:
        re2 = _re2()
        tester = _options()
        tester.never_capture = True
        match = re2.compile(self._translated, tester)._regexp.Match
        both = re2._Anchor.ANCHOR_BOTH

        def test(data: bytes) -> bool:
            return bool(match(both, data, 0, len(data))[0] != _NO_MATCH)

        self._known.test = test
        return test(data)

    def _groups(self) -> Any:
        """The pattern compiled with its groups (a match's spans, a substitution's)."""
        if self._re is None:
            self._re = _re2().compile(self._translated, _options())
        return self._re

    @property
    def groups(self) -> int:
        return int(self._groups().groups)

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self._groups().groupindex)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Pickled as its pattern (a layout goes to the workers of a batch check), compiled
        # again where it is unpickled: RE2's objects do not pickle.
        return compile_regex, (self.pattern,)

    def fullmatch(self, text: str) -> Any:
        """The match of the whole text (``m[group]``, ``m.span()``), else None."""
        data, clean = _encoded(text)
        return self._groups().fullmatch(text if data is clean else clean.decode())

    def replacer(self, replacement: str) -> Callable[[str], str]:
        """A function: the text with every match replaced, as ``re.sub`` does; in the
        replacement, ``\\1`` .. ``\\9`` are groups and ``\\\\`` is a backslash."""
        return _Replacer(self, replacement)

    def _sub(self, pieces: tuple[bytes | int, ...], text: str) -> str:
        data, clean = _encoded(text)
        match = self._groups()._regexp.Match  # spans of each group, in bytes
        anywhere = _re2()._Anchor.UNANCHORED
        out: list[bytes] = []
        end = pos = 0
        empty_at = -1  # where the last match was empty
        size = len(clean)
        while pos <= size:
            spans = match(anywhere, clean, pos, size)
            start, stop = spans[0]
            if start < 0:
                break
            if start == stop == empty_at:
                # As Python's re (3.7+): no second empty match in one place; a longer one
                # starting there, else the search goes on one character further.
                spans = self._longer(clean, start, size)
                if spans is None:
                    pos = _next_char(clean, start)
                    continue
                stop = spans[0][1]
            out.append(data[end:start])
            out.extend(p if isinstance(p, bytes) else _group(data, spans, p) for p in pieces)
            end = pos = stop
            if start == stop:
                empty_at = stop
        out.append(data[end:])
        return b"".join(out).decode("utf-8", "surrogatepass")

    def _longer(self, clean: bytes, at: int, size: int) -> Any:
        if self._longest is None:
            options = _options()
            options.longest_match = True
            self._longest = _re2().compile(self._translated, options)
        spans = self._longest._regexp.Match(_re2()._Anchor.ANCHOR_START, clean, at, size)
        return spans if spans[0][1] > at else None


class _Replacer:
    """``regex.replacer(replacement)``: callable on a text, shown as made in generated code."""

    __slots__ = ("_pieces", "_regex", "_replacement")

    def __init__(self, regex: Regex, replacement: str) -> None:
        self._regex, self._replacement = regex, replacement
        self._pieces = _template(replacement)

    def __call__(self, text: str) -> str:
        return self._regex._sub(self._pieces, text)

    def __repr__(self) -> str:
        return (f"lrsrules.lang.regexes.compile_regex({self._regex.pattern!r})"
                f".replacer({self._replacement!r})")


def _group(data: bytes, spans: Any, index: int) -> bytes:
    start, stop = spans[index]
    return b"" if start < 0 else data[start:stop]  # a group that took no part: ''


def _next_char(data: bytes, at: int) -> int:
    at += 1
    while at < len(data) and data[at] & 0xC0 == 0x80:  # UTF-8 continuation bytes
        at += 1
    return at


def _encoded(text: str) -> tuple[bytes, bytes]:
    """The text as bytes to slice, and as valid UTF-8 for RE2 (lone surrogates, which can
    come from undecodable file names, read as U+FFFD: the same length in bytes)."""
    try:
        data = text.encode()
        return data, data
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
        return data, _SURROGATE.sub(_REPLACEMENT_CHAR, data)


@cache
def _template(replacement: str) -> tuple[bytes | int, ...]:
    pieces: list[bytes | int] = []
    for literal, escaped in re.findall(r"([^\\]+)|\\(.)", replacement, re.DOTALL):
        if literal:
            pieces.append(literal.encode("utf-8", "surrogatepass"))
        elif escaped.isdigit():
            pieces.append(int(escaped))
        else:
            pieces.append(escaped.encode())
    return tuple(pieces)


def _options() -> Any:
    options = _re2().Options()
    options.log_errors = False  # RE2 would print its parse errors on stderr
    return options


# --- Python's parse -> RE2 syntax ------------------------------------------------------


def _translate(pattern: str) -> str:
    """The RE2 pattern meaning what ``pattern`` means in Python; _Unportable if none."""
    depth = _nesting(pattern)
    if depth > REGEX_NESTING:
        raise _Unportable(f"groups are nested {depth} deep; at most {REGEX_NESTING} are "
                          "allowed (REGEX_NESTING): write a flatter pattern")
    try:
        re.compile(pattern)
        parsed = _sre_parse.parse(pattern)
    except re.error as exc:
        raise _Unportable(str(exc)) from None
    flags = parsed.state.flags & ~_NEUTRAL_FLAGS
    names = {index: name for name, index in parsed.state.groupdict.items()}
    translated = _flags(flags, 0) + _items(parsed, names) + (")" if flags else "")
    # The syntax must be RE2's too, as written: the cluster engine reads it so.
    re2 = _re2()
    for text in (pattern, translated):
        try:
            re2.compile(text, _options())
        except (re2.error, UnicodeEncodeError) as exc:
            raise _Unportable(f"RE2 does not accept it ({_re2_message(exc)})") from None
    return translated


def _re2_message(exc: Exception) -> str:
    if isinstance(exc, UnicodeEncodeError):
        return "a lone surrogate"
    text = exc.args[0] if exc.args else exc
    return text.decode() if isinstance(text, bytes) else str(text)


def _nesting(pattern: str) -> int:
    """How deep groups nest, read from the text (Python's parser recurses per level)."""
    deepest = depth = 0
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 2 if pattern[i + 1:i + 2] == "]" else 1  # ']' first is a member
            i += 1 if pattern[i:i + 2] == "^]" else 0
            continue
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
        i += 1
    return deepest


def _flags(add: int, remove: int) -> str:
    if (add | remove) & ~(_NEUTRAL_FLAGS | sum(_FLAGS)):
        raise _Unportable("only the flags i, m and s are allowed")
    on = "".join(letter for bit, letter in _FLAGS.items() if add & bit)
    off = "".join(letter for bit, letter in _FLAGS.items() if remove & bit)
    if not on and not off:
        return ""
    return f"(?{on}-{off}:" if off else f"(?{on}:"


def _items(items: Iterable[Any], names: dict[int, str]) -> str:
    return "".join(_item(str(op), arg, names) for op, arg in items)


def _item(op: str, arg: Any, names: dict[int, str]) -> str:
    if op in _UNPORTABLE:
        raise _Unportable(_UNPORTABLE[op])
    if op == "LITERAL":
        return _char(arg)
    if op == "NOT_LITERAL":
        return f"[^{_char(arg)}]"
    if op == "ANY":
        return "."
    if op == "IN":
        return _class(arg)
    if op == "BRANCH":
        return "(?:" + "|".join(_items(branch, names) for branch in arg[1]) + ")"
    if op == "SUBPATTERN":
        group, add, remove, sub = arg
        body = _items(sub, names)
        if group is None:
            flags = _flags(add, remove)
            return f"{flags or '(?:'}{body})"
        return f"(?P<{names[group]}>{body})" if group in names else f"({body})"
    if op in ("MAX_REPEAT", "MIN_REPEAT"):
        low, high, sub = arg
        count = f"{{{low},}}" if high == _sre_parse.MAXREPEAT else f"{{{low},{high}}}"
        return f"(?:{_items(sub, names)}){count}{'?' if op == 'MIN_REPEAT' else ''}"
    if op == "AT":
        at = str(arg)
        if at in _UNPORTABLE:
            raise _Unportable(_UNPORTABLE[at])
        return {"AT_BEGINNING": "^", "AT_BEGINNING_STRING": r"\A", "AT_END": "$",
                "AT_END_STRING": r"\z"}[at]
    raise _Unportable(f"{op.lower()} is not allowed")  # pragma: no cover - none left


def _char(code: int) -> str:
    char = chr(code)
    return char if char.isascii() and char.isalnum() else f"\\x{{{code:x}}}"


def _class(items: list[tuple[Any, Any]]) -> str:
    parts: list[str] = []
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            parts.append(_char(arg))
        elif name == "RANGE":
            parts.append(f"{_char(arg[0])}-{_char(arg[1])}")
        elif name == "CATEGORY":
            parts.append(_category(str(arg)))
        else:  # pragma: no cover - sre_parse puts nothing else in a class
            raise _Unportable(f"{name.lower()} in a class is not allowed")
    return f"[{'^' if negate else ''}{''.join(parts)}]"


@cache
def _category(name: str) -> str:
    """A class of Python's: the ranges of code points its ``re`` (\\d, \\s, \\w and their
    negations) matches, from the Unicode tables of the running Python, which may differ
    from RE2's own \\p{...}. Found by Python's ``re`` itself over every code point, in two
    stretches either side of the surrogates (which no text holds)."""
    runs = re.compile(_CATEGORY_RUNS[name])
    ranges: list[str] = []
    for first, text in _code_points():
        for run in runs.finditer(text):
            start, last = first + run.start(), first + run.end() - 1
            ranges.append(_char(start) if start == last else f"{_char(start)}-{_char(last)}")
    return "".join(ranges)


_CATEGORY_RUNS = {
    "CATEGORY_DIGIT": r"\d+", "CATEGORY_NOT_DIGIT": r"\D+",
    "CATEGORY_SPACE": r"\s+", "CATEGORY_NOT_SPACE": r"\S+",
    "CATEGORY_WORD": r"\w+", "CATEGORY_NOT_WORD": r"\W+",
}


@cache
def _code_points() -> tuple[tuple[int, str], ...]:
    """Every code point as text, in the stretches below and above the surrogates."""
    # Through UTF-32, which decodes in C: three times faster than joining chr()s.
    codec = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
    return tuple((start, array("I", range(start, stop)).tobytes().decode(codec))
                 for start, stop in ((0, 0xD800), (0xE000, sys.maxunicode + 1)))
