"""How ``lrsrules diff`` writes what changed between two packs, and which records it hits.

Text for people (a line per rule difference, then one per record whose findings differ)
or one JSON document for programs, which names every list entry the text cuts short.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from lrsrules.authoring.impact import Impact, Key, RecordImpact
from lrsrules.authoring.packdiff import Change, ListChange, PackDiff
from lrsrules.packs.model import Pack, RuleDef

_SHOWN_ENTRIES = 5  # list entries named in text output; JSON has them all


def write_json(stream: TextIO, result: PackDiff, impacts: Iterable[RecordImpact] | None,
               name: str, read: Impact | None) -> int:
    """The differences as one JSON document, with the records of the file ``name`` whose
    findings differ when the packs were run over it (``impacts`` not None); returns their
    count."""
    document = result.to_dict()
    found = [] if impacts is None else [impact.to_dict() for impact in impacts]
    if impacts is not None:
        document["records"] = {"path": name, "records": read.records if read else 0,
                               "differing": len(found), "differences": found}
    document["differs"] = result.differs or bool(found)
    stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(found)


def write_text(stream: TextIO, result: PackDiff, *, strict: bool = False) -> None:
    """The rule differences, one block per rule, the other changes (each saying whether it
    can change findings), a count of each kind, and a warning (``strict``: an error) when
    the content changed but the version did not."""
    stream.write(f"{_name(result.old)} -> {_name(result.new)}\n")
    for rule in result.added:
        stream.write(f"added    {rule.id} {_about(rule)}\n")
    for rule in result.removed:
        reason = result.new.disabled.get(rule.id)
        disabled = f" [disabled: {reason}]" if reason is not None else ""
        stream.write(f"removed  {rule.id} {_about(rule)}{disabled}\n")
    for pair in result.renamed:
        stream.write(f"renamed  {pair.old.id} -> {pair.new.id}\n")
    for pair in result.changed:
        stream.write(f"changed  {pair.new.id}\n")
        for change in pair.changes:
            stream.writelines(f"    {line}\n" for line in _change_lines(change))
        for listed in pair.lists:
            stream.write(f"    list @{listed.name}: {_list_words(listed)}\n")
    for part in result.parts:
        effect = "can change findings" if part.affects_findings else "no effect on findings"
        stream.write(f"pack     {part.what} [{effect}]\n")
    counts = [(len(result.added), "added"), (len(result.removed), "removed"),
              (len(result.renamed), "renamed"), (len(result.changed), "changed")]
    if any(number for number, _ in counts):
        stream.write("Rules: " + ", ".join(f"{n} {what}" for n, what in counts) + "\n")
    else:
        stream.write("No rule differs.\n")
    if result.parts:
        affecting = sum(part.affects_findings for part in result.parts)
        stream.write(f"Other changes: {len(result.parts)} ({affecting} can change "
                     "findings)\n")
    if result.version_unchanged:
        stream.write(f"{version_warning(result, strict=strict)}\n")


def version_warning(result: PackDiff, *, strict: bool = False) -> str:
    """The content hash changed and the version did not: a release edited in place."""
    old, new = result.old, result.new
    return (f"{'error' if strict else 'warning'}: the content of {new.name} {new.version} "
            f"changed (sha256 {old.sha256[:12]} -> {new.sha256[:12]}) but its version did "
            "not: give the edited pack a new version, so reports name which rules they used")


def write_impacts(stream: TextIO, impacts: Iterable[RecordImpact], name: str,
                  read: Impact) -> int:
    """A line per record whose findings differ (as they come), then a count; returns it."""
    count = 0
    for impact in impacts:
        count += 1
        where = name if impact.line is None else f"{name}:{impact.line}"
        changes = [f"+ {_key(key)}" for key in impact.added]
        changes += [f"- {_key(key)}" for key in impact.removed]
        stream.write(f"{where}: record {impact.record}: {'; '.join(changes)}\n")
    stream.write(f"Records whose findings differ: {count} of {read.records}.\n")
    return count


def _name(pack: Pack) -> str:
    return f"{pack.name} {pack.version} (sha256 {pack.sha256[:12]})"


def _about(rule: RuleDef) -> str:
    return f"({rule.severity}; {', '.join(rule.fields)}): {rule.message}"


def _change_lines(change: Change) -> list[str]:
    old, new = change.old or "(none)", change.new or "(none)"
    if change.aspect in ("severity", "fields", "since", "until"):
        return [f"{change.aspect}: {old} -> {new}"]
    return [f"{change.aspect}:", f"  - {old}", f"  + {new}"]


def _list_words(change: ListChange) -> str:
    parts = []
    for entries, what in ((change.added, "added"), (change.removed, "removed")):
        if entries:
            shown = ", ".join(entries[:_SHOWN_ENTRIES])
            more = len(entries) - _SHOWN_ENTRIES
            shown += f" and {more} more" if more > 0 else ""
            parts.append(f"{len(entries)} {what} ({shown})")
    return "; ".join(parts)


def _key(key: Key) -> str:
    rule, field, severity = key
    return f"{rule} {severity}" + (f" ({field})" if field else "")
