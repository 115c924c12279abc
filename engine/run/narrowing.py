"""The part of a pack's check a line needs when only some of its fields may fail.

The whole-row proof (``lrsrules.run.rowproof``) shows most lines clean; a line that matches
its expression but fails a column's test (a check digit, a placeholder name) may break only
the rules of those columns' fields, and the rules over several fields the expression
cannot say. ``Narrowing`` holds, for each field, the targets a line may then fail, compiled
into a check function of their own when first needed (their hits numbered as the pack's,
``compile_rules(numbers=...)``), and gives the function for a set of fields: the hits the
pack's whole check function gives on such a line, for a fraction of its work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from lrsrules.lang.compiler import CheckFunction, compile_rules
from lrsrules.lang.groups import hit_index
from lrsrules.run.program import CompiledPack


class Narrowing:
    """The parts of the pack's check a line needs when the proof finds some of its cells
    (or columns) not clean: for each such field, the targets it may then fail (those it
    is a cell of, and its residual rules of one field), compiled when first needed with
    the pack's numbers for their hits; and the residual rules over several fields, which
    every such line runs. The parts for a set of fields (a mask of their bits) give
    the hits the pack's check function gives on a line whose other cells are clean."""

    KEPT = 4096  # the most sets of fields whose merged part is kept

    def __init__(self, compiled: CompiledPack, suspects: Mapping[str, Sequence[int]],
                 residual: CheckFunction | None, lists: Mapping[str, tuple[str, ...]],
                 today: dt.date) -> None:
        self._compiled, self._lists, self._today = compiled, lists, today
        self._fields = list(suspects)
        self._bits = {field: 1 << place for place, field in enumerate(self._fields)}
        self._targets = suspects
        self._residual = residual
        self._parts: dict[str, CheckFunction] = {}
        self._by_mask: dict[int, CheckFunction] = {}

    def bit(self, field: str) -> int:
        return self._bits[field]

    def check_for(self, mask: int) -> CheckFunction:
        """The part of the check for the fields of ``mask`` (0: the residual alone)."""
        found = self._by_mask.get(mask)
        if found is None:
            found = self._made(mask)
            if len(self._by_mask) < self.KEPT:
                self._by_mask[mask] = found
        return found

    def _made(self, mask: int) -> CheckFunction:
        fields = [field for field in self._fields if mask & self._bits[field]]
        parts = [self._part(field) for field in fields]
        if self._residual is not None:
            parts.append(self._residual)
        if not parts:
            return _no_hits
        if len(parts) == 1:
            return parts[0]
        counted = [index for field in fields for index in self._targets[field]]
        return partial(_merged, tuple(parts), len(set(counted)) < len(counted))

    def _part(self, field: str) -> CheckFunction:
        part = self._parts.get(field)
        if part is None:
            compiled, indexes = self._compiled, self._targets[field]
            part = self._parts[field] = compile_rules(
                [compiled.targets[index].code for index in indexes], compiled.fields,
                self._lists, today=self._today, numbers=indexes,
                label=f"<pack {compiled.pack.name} {field} part>")[0]
        return part


def _no_hits(values: Sequence[str | None]) -> list[Any]:
    return []


def _merged(parts: Sequence[CheckFunction], overlap: bool, values: Sequence[str | None]
            ) -> list[Any]:
    """The hits of ``parts`` on ``values``, in target order (once each: with ``overlap``,
    a target two parts hold)."""
    hits: list[Any] = []
    for part in parts:
        hits += part(values)
    if overlap:  # the first hit of each target
        first: dict[int, Any] = {}
        for hit in hits:
            first.setdefault(hit_index(hit), hit)
        hits = list(first.values())
    if len(hits) > 1:
        hits.sort(key=hit_index)
    return hits
