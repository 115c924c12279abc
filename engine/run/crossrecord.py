"""Rules across records: a ``unique`` key must not repeat within one file.

One pass, and memory in proportion to the distinct keys, not the records: each key is kept
with the number and line of the first record that had it, packed into one int. A key of
up to 16 characters (a ULN, a candidate number) is kept as itself: no hashing per record,
and no two keys are ever taken for one. A longer key is kept as an 8-byte BLAKE2b digest
(as an int); two different long keys share a digest with odds of about n²/2⁶⁵ for n keys
(10⁻⁷ at two million), and would then be reported as a repeat. In CPython that is about
120 bytes a distinct key (130 for a ULN kept as itself), dict slot included
(benchmarks/bench_unique.py measures it).

The state of one rule is a ``UniqueKeys``, built for one partition of the records; two
partitions' states ``merge`` (for runs that read a file in parts side by side), giving the
repeats only the merge can see.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from lrsrules.digests import blake2b
from lrsrules.findings import Finding
from lrsrules.inputs.records import Record
from lrsrules.packs.model import RuleDef
from lrsrules.run.program import CrossTarget
from lrsrules.run.runner import describe_failure

_LINE_BITS = 40  # a line number below 2**40 packs under the record number
_NO_LINE = (1 << _LINE_BITS) - 1  # a record without a line (a mapping, a test case)


class First(NamedTuple):
    """Where a key was first seen."""

    record: int
    line: int | None


class Repeat(NamedTuple):
    """A record whose key an earlier record had (``digest`` names the key)."""

    digest: Key
    record: int
    line: int | None
    first: First


# What a key is kept as: its text when short, else a digest of it (see the module).
Key = str | int
EXACT_CHARS = 16


def key_digest(parts: Sequence[str], casefold: bool = False) -> Key:
    """What a key is kept as: its parts, each prefixed by its length so that ("ab", "c")
    and ("a", "bc") differ; that text itself when short, else its digest."""
    text = "".join(f"{len(part)}:{part}" for part in parts) if len(parts) > 1 else parts[0]
    if casefold:
        text = text.casefold()
    if len(text) <= EXACT_CHARS:
        return text
    data = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "big")


def pack_first(record: int, line: int | None) -> int:
    """Where a key was first seen, as one int (a record's number above its line)."""
    return record << _LINE_BITS | (_NO_LINE if line is None or line >= _NO_LINE else line)



def unpack_first(packed: int) -> First:
    """``pack_first``'s record and line."""
    line = packed & _NO_LINE
    return First(packed >> _LINE_BITS, None if line == _NO_LINE else line)



class UniqueKeys:
    """The keys one rule has seen in one partition of the records, each with its first
    record."""

    __slots__ = ("_first",)

    def __init__(self) -> None:
        self._first: dict[Key, int] = {}

    def __len__(self) -> int:
        return len(self._first)

    def add(self, digest: Key, record: int, line: int | None) -> First | None:
        """Note ``record``'s key; where an earlier record had it, that record."""
        packed = self._first.setdefault(digest, pack_first(record, line))
        return None if packed >> _LINE_BITS == record else unpack_first(packed)

    def took(self, digests: Sequence[Key], firsts: Sequence[int], before: int
             ) -> list[tuple[int, First]]:
        """Note the keys a later partition saw: ``digests[i]`` first at ``firsts[i]``
        (``pack_first``, its record numbered within the partition, which ``before``
        records come before), each once. For each key an earlier partition had (which
        stays the first): ``(i, that first)``. In bulk: a part of a file brings thousands
        of keys, and this runs in the one process that merges the parts."""
        mine = self._first
        shift = before << _LINE_BITS
        theirs = dict(zip(digests, map(shift.__add__, firsts), strict=True))
        both = theirs.keys() & mine.keys()
        kept = {digest: mine[digest] for digest in both}
        mine.update(theirs)
        if not both:
            return []
        mine.update(kept)
        where = dict(zip(digests, range(len(digests)), strict=True))
        return sorted((where[digest], unpack_first(packed)) for digest, packed in kept.items())

    def first(self, digest: Key) -> First | None:
        """The first record with the key ``digest``, if any."""
        packed = self._first.get(digest)
        return None if packed is None else unpack_first(packed)

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
                first = unpack_first(late)
                yield Repeat(digest, first.record, first.line, unpack_first(early))


class CrossRecords:
    """The state of a run's cross-record rules; ``findings`` for each record in turn."""

    __slots__ = ("keys", "plan", "targets")

    def __init__(self, targets: Sequence[CrossTarget]) -> None:
        self.targets = tuple(targets)
        self.keys = tuple(UniqueKeys() for _ in self.targets)
        # Each rule, the dict of its keys, the index of its one key field (None: several),
        # its when and unless, and whether it ignores case: what each record needs, found
        # once (a part's keys are noted by the same plan: ``partcheck``).
        self.plan = tuple(
            (target, keys._first,
             target.key_indexes[0] if len(target.key_indexes) == 1 else None,
             target.takes_part, target.casefold)
            for target, keys in zip(self.targets, self.keys, strict=True))

    def findings(self, record: Record, values: Sequence[str | None] | None = None
                 ) -> list[Finding]:
        """The record's findings of the cross-record rules, in rule order; ``values``
        are its values in ``CompiledPack.fields`` order (by default, ``record.values``)."""
        found: list[Finding] = []
        values = record.values if values is None else values
        for target, first, single, takes_part, casefold in self.plan:
            # key_of, applies, key_digest and UniqueKeys.add, inlined: this runs per record.
            parts: list[str] | None
            if single is not None:  # a key of one field
                value = values[single]
                if value is None or not value.strip():
                    continue
                text, parts = value, None
            else:
                parts = target.key_of(values)
                if parts is None:
                    continue
                text = ""
            if takes_part is not None:
                raw = takes_part(values)
                if not raw:
                    continue
                if raw[0].__class__ is not int:  # its when or unless could not be evaluated
                    found.append(_failed(record, target, raw[0][1]))
                    continue
            digest: Key
            if parts is None:
                folded = text.casefold() if casefold else text
                digest = folded if len(folded) <= EXACT_CHARS else int.from_bytes(blake2b(
                    folded.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")
            else:
                digest = key_digest(parts, casefold)
            number, line = record.number, record.line
            packed = first.setdefault(digest, number << _LINE_BITS | (
                _NO_LINE if line is None or line >= _NO_LINE else line))
            if packed >> _LINE_BITS != number:
                found.append(repeat_finding(record, target, unpack_first(packed),
                                            [text] if parts is None else parts))
        return found

    def admit(self, number: int, line: int, values: Sequence[str | None]) -> bool:
        """Note the keys of a record that no rule here finds anything on, and say so:
        True when no key of it repeats and every when and unless could be evaluated;
        else False, noting nothing (the record is then given to ``findings``). For the
        whole-row fast path (``rowproof``), which builds no record."""
        new: list[tuple[dict[Key, int], Key]] = []
        for target, first, single, takes_part, casefold in self.plan:
            if single is not None:  # a key of one field
                value = values[single]
                if value is None or not value.strip():
                    continue
                parts = [value]
            else:
                found = target.key_of(values)
                if found is None:
                    continue
                parts = found
            if takes_part is not None:
                raw = takes_part(values)
                if not raw:
                    continue
                if raw[0].__class__ is not int:  # its when or unless could not be evaluated
                    return False
            digest = key_digest(parts, casefold)
            if digest in first:
                return False
            new.append((first, digest))
        packed = number << _LINE_BITS | (_NO_LINE if line >= _NO_LINE else line)
        for first, digest in new:
            first[digest] = packed
        return True


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
