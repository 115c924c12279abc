"""What changed between two batch file layouts, entry by entry.

A layout is data (headings, their order, header fields, codes, messages), so two are
compared as documents: every value added, removed or changed, by its place (``header /
FileVersion / values``). Items of a list that name themselves (``heading:``, ``id:``,
``code:``) are paired by that name, so inserting a heading reports one addition, not a
shift of every later one. Each change says whether it can change findings: words meant for
people (title, description, provenance, provisional, doc) cannot; anything else can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lrsrules.authoring.packdiff import PartChange

WORDS_ONLY = frozenset({"title", "description", "provenance", "provisional", "doc"})
_NAMING_KEYS = ("heading", "id", "code", "name", "check")


@dataclass(frozen=True, slots=True)
class LayoutDiff:
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    old_sha256: str
    new_sha256: str
    parts: tuple[PartChange, ...]

    @property
    def affects_findings(self) -> bool:
        return any(part.affects_findings for part in self.parts)

    @property
    def version_unchanged(self) -> bool:
        return (self.old.get("layout") == self.new.get("layout")
                and self.old.get("version") == self.new.get("version")
                and self.old_sha256 != self.new_sha256)


def diff_layouts(old: Mapping[str, Any], new: Mapping[str, Any], old_sha256: str = "",
                 new_sha256: str = "") -> LayoutDiff:
    """Every value added, removed or changed from the layout data ``old`` to ``new``."""
    return LayoutDiff(old, new, old_sha256, new_sha256, tuple(_compare((), old, new)))


def _compare(at: tuple[str, ...], old: Any, new: Any) -> Iterable[PartChange]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from _compare((*at, str(key)), old.get(key), new.get(key))
        return
    if isinstance(old, list) and isinstance(new, list):
        old_items, new_items = _named(old), _named(new)
        for key in [*old_items, *(k for k in new_items if k not in old_items)]:
            yield from _compare((*at, key), old_items.get(key), new_items.get(key))
        return
    if old == new:
        return
    place = " / ".join(at) or "(the layout)"
    affects = not (set(at) & WORDS_ONLY)
    if old is None:
        what = f"{place} added: {_short(new)}"
    elif new is None:
        what = f"{place} removed (was {_short(old)})"
    else:
        what = f"{place}: {_short(old)} -> {_short(new)}"
    yield PartChange("layout", place, what, affects)


def _named(items: list[Any]) -> dict[str, Any]:
    """List items by their own name when they all have one, else by position (1, 2 ...)."""
    for key in _NAMING_KEYS:
        if items and all(isinstance(item, Mapping) and isinstance(item.get(key), str)
                         for item in items):
            names = [item[key] for item in items]
            if len(set(names)) == len(names):
                return dict(zip(names, items, strict=True))
    if all(isinstance(item, (str, int, float, bool)) for item in items):
        # A list of plain values, e.g. accepted codes: each value is its own name.
        return {str(item): item for item in items}
    return {str(index): item for index, item in enumerate(items, start=1)}


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:57] + "..."
