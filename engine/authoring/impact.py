"""The impact of a pack change on real records: which records' findings differ.

Both compiled packs run over the same file (one run each, so each reads the fields it needs
and memory stays flat); per record, the findings are compared as sets of (rule,
field, severity), with OLD's rule ids mapped through NEW's former ids so that a renamed
rule counts as the same rule. Only ids, fields and severities are kept: never a value.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lrsrules.inputs.readers import open_records
from lrsrules.packs.versions import current_ids
from lrsrules.run.pipeline import Checked, Opener, Run
from lrsrules.run.program import CompiledPack

# (rule id, field, severity): a finding as the comparison sees it.
Key = tuple[str, str | None, str]
_Group = tuple[int, int | None, set[Key]]  # a record's number, line and findings
_END: _Group = (sys.maxsize, None, set())  # after the last record of a stream


@dataclass(frozen=True, slots=True)
class RecordImpact:
    record: int
    line: int | None
    added: tuple[Key, ...]  # findings with NEW only, sorted
    removed: tuple[Key, ...]  # findings with OLD only, sorted

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "line": self.line,
                "added": [_key_dict(key) for key in self.added],
                "removed": [_key_dict(key) for key in self.removed]}


class Impact:
    """Both packs run over the file at ``path`` (two runs, each reading the fields its pack
    needs): iterate for each record whose findings differ, in order; ``records`` then
    counts the records read. Raises ``InputError`` as ``open_records`` does, for either
    pack, before the first record is read."""

    def __init__(self, old: CompiledPack, new: CompiledPack, path: str | os.PathLike[str], *,
                 encoding: str | None = None, delimiter: str | None = None,
                 input_format: str | None = None) -> None:
        self._renames = current_ids(new.pack.rules)

        def opener(compiled: CompiledPack) -> Opener:
            return lambda wanted: open_records(path, compiled.pack.fields, wanted,
                                               encoding=encoding, delimiter=delimiter,
                                               input_format=input_format)

        self._old = Run(old, opener(old))
        try:
            self._new = Run(new, opener(new))
        except BaseException:
            self._old.close()
            raise

    def __iter__(self) -> Iterator[RecordImpact]:
        with self._old, self._new:
            yield from _compare(_by_record(self._old.results(), self._renames),
                                _by_record(self._new.results(), {}))

    @property
    def records(self) -> int:
        return self._old.summary.records


def iter_impact(old: CompiledPack, new: CompiledPack, path: str | os.PathLike[str],
                **options: str | None) -> Iterator[RecordImpact]:
    """Each record of ``path`` whose findings differ between ``old`` and ``new``."""
    return iter(Impact(old, new, path, **options))


def _by_record(results: Iterable[Checked], renames: Mapping[str, str]) -> Iterator[_Group]:
    for checked in results:
        if checked.record is not None:
            yield checked.record.number, checked.record.line, {
                (renames.get(f.rule, f.rule), f.field, f.severity) for f in checked.findings}


def _compare(before: Iterator[_Group], after: Iterator[_Group]) -> Iterator[RecordImpact]:
    """Merge two streams of (record, line, findings) ordered by record number."""
    old, new = next(before, _END), next(after, _END)
    while old is not _END or new is not _END:
        number = min(old[0], new[0])
        line = old[1] if old[0] == number else new[1]
        had = old[2] if old[0] == number else set()
        has = new[2] if new[0] == number else set()
        if old[0] == number:
            old = next(before, _END)
        if new[0] == number:
            new = next(after, _END)
        if had != has:
            yield RecordImpact(number, line, tuple(sorted(has - had, key=_order)),
                               tuple(sorted(had - has, key=_order)))


def _order(key: Key) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2])


def _key_dict(key: Key) -> dict[str, Any]:
    return {"rule": key[0], "field": key[1], "severity": key[2]}
