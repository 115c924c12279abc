"""Targets that read one field and nothing else: their hits remembered by the field's value.

Most of a pack's work is on fields whose values repeat through a file: given and family
names (hundreds or thousands of distinct values in a file of many thousands), dates of
birth, codes. The targets that read one such field (every name rule on ``given_name``)
depend on its value alone, so the compiler (``compile_rules``) checks them in a function
of their own, ``_g<n>(value)``, and the check function takes their hits from ``_G<n>``:
a value seen before costs one dict lookup in C, whatever the rules do with it.

A field whose values do not repeat (ULNs, e-mail addresses, postcodes) would only pay for
the lookups. So every ``_KEPT`` misses (and once early, after ``_EARLY``, for values that
all but never repeat) a group's memory asks how often a lookup found its value (the check
function counts its calls, ``_tick``, one C call a record): too seldom (fewer than one in
``KEEP_WHEN_ONE_IN``, early one in ``NEVER_ONE_IN``), and ``_G<n>`` in the module's
namespace is rebound to the group function itself, the memory emptied. Either way the
hits are those the function gives: the choice costs time, never a finding. Nothing of it
is stored with a prepared pack: ``bind_groups`` makes it again when the module is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from itertools import count
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrsrules.lang.compiler import RuleCode

KEEP_WHEN_ONE_IN = 4  # remembering pays when one lookup in this many finds its value
_KEPT = 8192  # values remembered, at most ...
_KEPT_CHARS = 64  # ... each no longer than this
# A field whose values all but never repeat (ULNs, e-mail addresses) is told sooner: after
# this many misses, a memory whose lookups found their value fewer than one in
# ``NEVER_ONE_IN`` times is dropped at once.
_EARLY = 1024
NEVER_ONE_IN = 64

GroupFunction = Callable[[str | None], list[Any]]


class RememberedHits(dict[str | None, tuple[Any, ...]]):
    """A group's hits by value (``__getitem__`` runs the group for a value not yet seen).
    Hits that hold an exception (a rule that could not be evaluated) are never kept: each
    record gets its own."""

    __slots__ = ("_calls", "_misses", "_name", "_namespace", "function")

    def __init__(self, function: GroupFunction, calls: count[int], namespace: dict[str, Any],
                 name: str) -> None:
        super().__init__()
        self.function = function
        self._calls = calls  # the check function's calls: each looks this group up once
        self._misses = 0
        self._namespace = namespace  # the generated module's, where _G<n> is read
        self._name = name

    def __missing__(self, value: str | None) -> tuple[Any, ...]:
        hits = tuple(self.function(value))
        self._misses += 1
        if self._misses % _KEPT == 0:
            self._judge(KEEP_WHEN_ONE_IN)
        elif self._misses == _EARLY:
            self._judge(NEVER_ONE_IN)
        if len(self) < _KEPT and (value is None or len(value) <= _KEPT_CHARS):
            for hit in hits:
                if hit.__class__ is not int:
                    return hits
            self[value] = hits
        return hits

    def _judge(self, one_in: int) -> None:
        # Every _KEPT misses (values too long to keep, and failures, count too), and once
        # at _EARLY: whether enough lookups so far found their value (one in ``one_in``).
        calls = next(self._calls)
        if (calls - self._misses) * one_in < calls:  # the values seldom repeat
            self._namespace[self._name] = self.function
            self.clear()


def single_field_groups(rules: Sequence[RuleCode], env: Mapping[str, str],
                        distinct: Collection[str] = ()) -> dict[str, list[int]]:
    """The targets that read one field and nothing else, by the field's variable: only
    fields with two targets or more (one cheap test gains nothing from a lookup), and
    none of the ``distinct`` fields (the key of a ``unique`` rule: its values are meant
    not to repeat)."""
    from lrsrules.lang.nodes import names_in  # compiling: a run loads groups, not nodes

    found: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        names: set[str] = set()
        for expr in (rule.when, rule.check, rule.unless):
            if expr is not None:
                names |= names_in(expr.root)
        names.discard("field_name")  # the rule's own field name: not read from the record
        # ``value`` of a rule whose field has no variable is compiled as null: read from
        # no field.
        variables = {env.get(rule.field if name == "value" else name) for name in names}
        variables.discard(None)
        if len(variables) == 1:
            found.setdefault(str(variables.pop()), []).append(index)
    kept = {env[name] for name in distinct if name in env}
    return {variable: indexes for variable, indexes in found.items()
            if len(indexes) > 1 and variable not in kept}


def bind_groups(namespace: dict[str, Any]) -> None:
    """Give each group function ``_g<n>`` of a generated module its ``_G<n>``, and the
    module its ``_tick``: after the module is executed, and again when it is loaded from
    the prepared-pack cache."""
    if "_g0" not in namespace:
        return
    calls = count()
    namespace["_tick"] = calls.__next__
    number = 0
    while f"_g{number}" in namespace:
        name = f"_G{number}"
        namespace[name] = RememberedHits(namespace[f"_g{number}"], calls, namespace,
                                         name).__getitem__
        number += 1


def hit_index(hit: Any) -> int:
    """The target index of a hit (an index, or an index and an exception)."""
    return hit if hit.__class__ is int else hit[0]
