"""Regular expressions in packs: the syntax common to Python ``re`` and RE2.

Packs must run unchanged on the cluster engine, whose regex library is RE2-like, so
features RE2 lacks (backreferences, lookaround, atomic groups, possessive repeats,
conditionals) are rejected when the pack loads.
"""

from __future__ import annotations

import re
from typing import Any

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
}


def check_portable_regex(pattern: str) -> str | None:
    """None when the pattern is valid and portable, else what is wrong with it."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # pragma: no cover - re.compile accepted it
        return None
    return _first_unportable(parsed)


def _first_unportable(items: Any) -> str | None:
    for op, arg in items:
        reason = _UNPORTABLE.get(str(op))
        if reason:
            return reason
        for sub in _subpatterns(arg):
            found = _first_unportable(sub)
            if found:
                return found
    return None


def _subpatterns(arg: Any) -> list[Any]:
    found: list[Any] = []
    if isinstance(arg, _sre_parse.SubPattern):
        found.append(arg)
    elif isinstance(arg, (list, tuple)):
        for item in arg:
            found.extend(_subpatterns(item))
    return found
