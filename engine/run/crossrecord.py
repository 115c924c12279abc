"""Rules across records: a ``unique`` key must not repeat within one file.

One pass, and memory in proportion to the distinct keys, not the records: each key is kept
as an 8-byte BLAKE2b digest (as an int) with the number and line of the first record that
had it, packed into one int. In CPython that is about 120 bytes a distinct key, dict slot
included (benchmarks/bench_unique.py measures it); two different keys share a digest with
odds of about n²/2⁶⁵ for n keys (10⁻⁷ at two million), and would then be reported as a
repeat.

The state of one rule is a ``UniqueKeys``, built for one partition of the records; two
partitions' states ``merge`` (for runs that read a file in parts side by side), giving the
repeats only the merge can see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from lrsrules.findings import Finding
from lrsrules.inputs.records import Record
from lrsrules.packs.model import RuleDef
from lrsrules.run.program import CrossTarget
from lrsrules.run.runner import describe_failure

_blake2b = hashlib.blake2b
_LINE_BITS = 40  # a line number below 2**40 packs under the record number
_NO_LINE = (1 << _LINE_BITS) - 1  # a record without a line (a mapping, a test case)


class First(NamedTuple):
    """Where a key was first seen."""

    record: int
    line: int | None


class Repeat(NamedTuple):
    """A record whose key an earlier record had (``digest`` names the key)."""

    digest: int
    record: int
    line: int | None
    first: First


def key_digest(parts: Sequence[str], casefold: bool = False) -> int:
    """The digest a key is kept as: its parts, each prefixed by its length so that
    ("ab", "c") and ("a", "bc") differ."""
    text = "".join(f"{len(part)}:{part}" for part in parts) if len(parts) > 1 else parts[0]
    if casefold:
        text = text.casefold()
    data = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _pack(record: int, line: int | None) -> int:
    return record << _LINE_BITS | (_NO_LINE if line is None or line >= _NO_LINE else line)


def _unpack(packed: int) -> First:
    line = packed & _NO_LINE
    return First(packed >> _LINE_BITS, None if line == _NO_LINE else line)


class UniqueKeys:
    """The keys one rule has seen in one partition of the records, each with its first
    record."""

    __slots__ = ("_first",)

    def __init__(self) -> None:
        self._first: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._first)

    def add(self, digest: int, record: int, line: int | None) -> First | None:
        """Note ``record``'s key; where an earlier record had it, that record."""
        packed = self._first.setdefault(digest, _pack(record, line))
        return None if packed >> _LINE_BITS == record else _unpack(packed)

    def first(self, digest: int) -> First | None:
        """The first record with the key ``digest``, if any."""
        packed = self._first.get(digest)
        return None if packed is None else _unpack(packed)

    def merge(self, other: UniqueKeys) -> Iterator[Repeat]:
        """Take in ``other``'s keys (another partition, its records numbered in the same
        file); for each key both saw, the later of the two first records is a repeat of
        the earlier, which is kept. A repeat found inside a partition names that
        partition's first record: ``first`` gives the file's after merging."""
        mine = self._first
        for digest, theirs in other._first.items():
            ours = mine.setdefault(digest, theirs)
            if ours != theirs:
                early, late = (ours, theirs) if ours < theirs else (theirs, ours)
                mine[digest] = early
                first = _unpack(late)
                yield Repeat(digest, first.record, first.line, _unpack(early))


class CrossRecords:
    """The state of a run's cross-record rules; ``findings`` for each record in turn."""

    __slots__ = ("_plan", "keys", "targets")

    def __init__(self, targets: Sequence[CrossTarget]) -> None:
        self.targets = tuple(targets)
        self.keys = tuple(UniqueKeys() for _ in self.targets)
        # Each rule, its keys, and the index of its one key field (None: several).
        self._plan = tuple(
            (target, keys, target.key_indexes[0] if len(target.key_indexes) == 1 else None)
            for target, keys in zip(self.targets, self.keys, strict=True))

    def findings(self, record: Record, values: Sequence[str | None] | None = None
                 ) -> list[Finding]:
        """The record's findings of the cross-record rules, in rule order; ``values``
        are its values in ``CompiledPack.fields`` order (by default, ``record.values``)."""
        found: list[Finding] = []
        values = record.values if values is None else values
        for target, keys, single in self._plan:
            key = _key(target, single, values)
            if key is None:
                continue
            if target.takes_part is not None:
                takes_part = target.applies(values)
                if takes_part is False:
                    continue
                if takes_part is not True:
                    found.append(_failed(record, target, takes_part))
                    continue
            first = keys.add(_digest(target, single, key), record.number, record.line)
            if first is not None:
                found.append(repeat_finding(record, target, first, key))
        return found

    def admit(self, number: int, line: int, values: Sequence[str | None]) -> bool:
        """Note the keys of a record that no rule here finds anything on, and say so:
        True when no key of it repeats and every when and unless could be evaluated;
        else False, noting nothing (the record is then given to ``findings``). For the
        whole-row fast path (``rowproof``), which builds no record."""
        new: list[tuple[UniqueKeys, int]] = []
        for target, keys, single in self._plan:
            key = _key(target, single, values)
            if key is None:
                continue
            if target.takes_part is not None:
                takes_part = target.applies(values)
                if takes_part is False:
                    continue
                if takes_part is not True:
                    return False
            digest = _digest(target, single, key)
            if keys.first(digest) is not None:
                return False
            new.append((keys, digest))
        for keys, digest in new:
            keys.add(digest, number, line)
        return True


def _key(target: CrossTarget, single: int | None, values: Sequence[str | None]
         ) -> list[str] | None:
    """The record's key for ``target`` (None: a blank part, the record takes no part);
    ``single``: the index of its one key field, if it has one."""
    if single is None:
        return target.key_of(values)
    part = values[single]  # key_of, inlined for a key of one field
    if part is None or not part.strip():
        return None
    return [part]


def _digest(target: CrossTarget, single: int | None, key: list[str]) -> int:
    if single is None:
        return key_digest(key, target.casefold)
    text = key[0].casefold() if target.casefold else key[0]  # key_digest, inlined
    data = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(_blake2b(data, digest_size=8).digest(), "big")


def describe_unique(rule: RuleDef) -> str:
    """What a rule that compares records does, in words (for explain and docs)."""
    key = " and ".join(rule.unique)
    takes_part = {(False, False): "", (True, False): "; only records where its when holds",
                  (False, True): "; records where its unless holds are left out",
                  (True, True): "; only records where its when holds and its unless does"
                                " not"}[(rule.when is not None, rule.unless is not None)]
    return (f"compares the records of a file: reports every record whose {key} an earlier"
            f" record had (naming the first), compared"
            f" {'ignoring case' if rule.casefold else 'as written'}; a record with a blank"
            f" {'one' if len(rule.unique) == 1 else 'field of the key'} takes no part"
            f"{takes_part}")


def repeat_finding(record: Record, target: CrossTarget, first: First,
                   key: Sequence[str]) -> Finding:
    """The finding on a repeat: the rule's message and where the key was first seen. The
    finding's value (shown only with --show-values) is the key as this record has it."""
    where = f"record {first.record}" + ("" if first.line is None else f", line {first.line}")
    message = f"{target.rule.message} (first seen at {where})"
    return Finding(record.number, record.line, target.field, target.rule.id,
                   target.rule.severity, message, " | ".join(key))


COULD_NOT = "rule could not be evaluated on this record"  # opens the message of a failure


def failure_finding(record: Record, target: CrossTarget, error: BaseException) -> Finding:
    """The finding on a record whose when or unless could not be evaluated."""
    return _failed(record, target, error)


def _failed(record: Record, target: CrossTarget, error: BaseException) -> Finding:
    message = (f"{COULD_NOT} ({describe_failure(error)}); "
               f"the rule's own check: {target.rule.message}")
    return Finding(record.number, record.line, target.field, target.rule.id, "error",
                   message, record.values[target.value_index])
