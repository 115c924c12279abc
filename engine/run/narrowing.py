"""The part of a pack's check a line needs when only some of its fields may fail.

The whole-row proof (``lrsrules.run.rowproof``) shows most lines clean; a line that matches
its expression but fails a column's test (a check digit, a placeholder name) may break only
the rules of those columns' fields, and the rules over several fields the expression
cannot say. ``Narrowing`` holds, for each field, the targets a line may then fail, compiled
into a check function of their own when first needed (their hits numbered as the pack's,
``compile_rules(numbers=...)``), and gives the function for a set of fields: the hits the
pack's whole check function gives on such a line, for a fraction of its work.

Where every target a field may fail reads that field alone (a code list, a placeholder
word, a check digit) and no rule over several fields is left, a line that fails only such
columns needs no record at all: its hits are those fields' own, looked up by value
(``answer_for``), and its record is made without splitting it (an ``Answered`` check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from functools import partial
from typing import Any

from lrsrules.inputs.records import Answered
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
                 today: dt.date, *, answerable: Collection[str] = ()) -> None:
        """``answerable``: the fields whose every target of ``suspects`` reads that field
        and no other, for a run that lets their hits on a line be answered by value
        (``answer_for``); none, and ``answer_for`` gives ``check_for``'s."""
        self._compiled, self._lists, self._today = compiled, lists, today
        self._fields = list(suspects)
        self._bits = {field: 1 << place for place, field in enumerate(self._fields)}
        self._targets = suspects
        self._residual = residual
        self._parts: dict[str, CheckFunction] = {}
        self._by_mask: dict[int, CheckFunction] = {}
        # The bits of the fields whose hits are answered by value (none with a residual,
        # which reads several fields), each one's answers made when first needed.
        self._answerable = {} if residual is not None else {
            self._bits[field]: field for field in answerable if field in self._bits}
        self._answers: dict[int, _FieldAnswers] = {}
        self._answered: dict[tuple[int, ...], Answered] = {}  # one for each set of hits

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

    def answer_for(self, mask: int, found: Sequence[str], places: Mapping[int, int]
                   ) -> CheckFunction:
        """``check_for(mask)``, or where each field of ``mask`` is answered by value (see
        the module), an ``Answered`` with the line's hits: each field's, looked up by its
        value in ``found`` (the line's values as findall gives them, "" for none;
        ``places``: each field's bit's place there)."""
        answers = self._answers.get(mask)
        if answers is not None:  # one field (most lines that fail a column)
            answered = answers[found[places[mask]]]
            return self.check_for(mask) if answered is None else answered
        answerable, hits = self._answerable, list[int]()
        left = mask
        while left:
            bit = left & -left
            left ^= bit
            if bit not in answerable:
                return self.check_for(mask)
            one = self._answers.get(bit)
            if one is None:
                one = self._answers[bit] = _FieldAnswers(
                    self._one_value(answerable[bit]), self._answered)
            answered = one[found[places[bit]]]
            if answered is None:
                return self.check_for(mask)
            hits += answered.hits
        if len(hits) > 1:
            hits.sort()
        return _FieldAnswers.shared(self._answered, tuple(hits))

    def _one_value(self, field: str) -> CheckFunction:
        """The targets ``field`` may fail, as a function of its value alone."""
        compiled, indexes = self._compiled, self._targets[field]
        return compile_rules([compiled.targets[index].code for index in indexes], (field,),
                             self._lists, today=self._today, numbers=indexes,
                             label=f"<pack {compiled.pack.name} {field} by value>")[0]

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


class _FieldAnswers(dict[str, Answered | None]):
    """The hits of one field's targets by its value (findall's: "" for none), as an
    ``Answered`` (None: a hit holds an error, which each record must make its own), kept
    while there is room."""

    __slots__ = ("_check", "_shared")
    ROOM = 8192  # answers kept ...
    LONGEST = 64  # ... for values no longer than this

    def __init__(self, check: CheckFunction, shared: dict[tuple[int, ...], Answered]) -> None:
        super().__init__()
        self._check = check
        self._shared = shared

    def __missing__(self, text: str) -> Answered | None:
        hits = self._check((text or None,))
        answered = (self.shared(self._shared, tuple(hits))
                    if all(hit.__class__ is int for hit in hits) else None)
        if len(text) <= self.LONGEST and len(self) < self.ROOM:
            self[text] = answered
        return answered

    @staticmethod
    def shared(shared: dict[tuple[int, ...], Answered], hits: tuple[int, ...]) -> Answered:
        """The one ``Answered`` for ``hits``."""
        answered = shared.get(hits)
        if answered is None:
            answered = shared[hits] = Answered(hits)
        return answered
