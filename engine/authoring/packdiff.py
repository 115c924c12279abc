"""What changed between two versions of a pack, rule by rule.

Rules are paired by id, then a NEW rule whose ``aliases`` hold an unpaired OLD id is that
rule renamed. A paired rule has changed when its severity, fields, dates in force, message,
expressions, ``unique`` key or ``casefold`` differ, or the entries of a list its expressions
name (``@name``). Expressions are compared as syntax trees, so spacing, line breaks and
redundant parentheses are not changes. Both packs are expected to have compiled (their
expressions parse).

Beside the rules, the rest of the pack is compared (``PartChange``): fields and their
headings, lists, includes, the base of an overlay, overrides (disabled rules and their
reasons, reasons for changed severities), title and description. Each change says whether
it can change findings: a heading removed can (a column no longer matches its field); a
description cannot. A changed content hash with an unchanged version is flagged too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lrsrules.lang import nodes as n
from lrsrules.lang.parser import parse_expression
from lrsrules.packs.model import ExprSource, Pack, RuleDef, normalise_heading

EXPRESSIONS = ("when", "check", "unless")


@dataclass(frozen=True, slots=True)
class Change:
    aspect: str  # severity, fields, since, until, message, unique, casefold, when, check, unless
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class ListChange:
    name: str  # a list some expression of the rule names
    added: tuple[str, ...]  # entries only NEW has (all of them, for a list NEW alone has)
    removed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartChange:
    """A change outside the rules: a field, heading, list, include, override or the like."""

    part: str  # field, heading, list, include, extends, override, pack
    name: str  # what it is a change to: the field, list, include or rule id
    what: str  # in words: "heading 'Surname' removed from field family_name"
    affects_findings: bool  # whether it can change the findings of some record

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "name": self.name, "what": self.what,
                "affects_findings": self.affects_findings}


@dataclass(frozen=True, slots=True)
class RuleDiff:
    old: RuleDef
    new: RuleDef
    changes: tuple[Change, ...]
    lists: tuple[ListChange, ...]

    @property
    def renamed(self) -> bool:
        return self.old.id != self.new.id

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.lists)


@dataclass(frozen=True, slots=True)
class PackDiff:
    old: Pack
    new: Pack
    added: tuple[RuleDef, ...]  # in NEW order
    removed: tuple[RuleDef, ...]  # in OLD order
    paired: tuple[RuleDiff, ...]  # every rule in both, in NEW order
    parts: tuple[PartChange, ...] = ()  # changes outside the rules

    @property
    def version_unchanged(self) -> bool:
        """The content changed but the version did not: a release was edited in place."""
        return (self.old.name == self.new.name and self.old.version == self.new.version
                and self.old.sha256 != self.new.sha256)

    @property
    def affects_findings(self) -> bool:
        """Whether some change can alter findings: any rule change, or such a part change."""
        rules = bool(self.added or self.removed or self.renamed or self.changed)
        return rules or any(part.affects_findings for part in self.parts)

    @property
    def renamed(self) -> tuple[RuleDiff, ...]:
        return tuple(pair for pair in self.paired if pair.renamed)

    @property
    def changed(self) -> tuple[RuleDiff, ...]:
        return tuple(pair for pair in self.paired if pair.changed)

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.renamed or self.changed or self.parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": pack_dict(self.old),
            "new": pack_dict(self.new),
            "differs": self.differs,
            "added": [_rule_dict(rule) for rule in self.added],
            "removed": [_rule_dict(rule) | _disabled(rule, self.new) for rule in self.removed],
            "renamed": [{"old": pair.old.id, "new": pair.new.id} for pair in self.renamed],
            "changed": [_pair_dict(pair) for pair in self.changed],
            "parts": [part.to_dict() for part in self.parts],
            "affects_findings": self.affects_findings,
            "version_unchanged": self.version_unchanged,
        }


def diff_packs(old: Pack, new: Pack) -> PackDiff:
    """Rules added, removed, renamed and changed from ``old`` to ``new``."""
    old_ids = {rule.id: rule for rule in old.rules}
    new_ids = {rule.id for rule in new.rules}
    partner: dict[str, RuleDef] = {}  # new id -> its old rule
    for rule in new.rules:
        if rule.id in old_ids:
            partner[rule.id] = old_ids[rule.id]
    taken = {rule.id for rule in partner.values()}
    for rule in new.rules:
        if rule.id in partner:
            continue
        # A former id that NEW still uses as an id is that rule's, not a rename.
        former = [a for a in rule.aliases if a in old_ids and a not in taken | new_ids]
        if former:
            partner[rule.id] = old_ids[former[0]]
            taken.add(former[0])
    paired = tuple(_compare(partner[rule.id], rule, old, new)
                   for rule in new.rules if rule.id in partner)
    return PackDiff(
        old, new,
        added=tuple(rule for rule in new.rules if rule.id not in partner),
        removed=tuple(rule for rule in old.rules if rule.id not in taken),
        paired=paired,
        parts=tuple(diff_parts(old, new, paired)),
    )


def diff_parts(old: Pack, new: Pack, paired: Iterable[RuleDiff] = ()) -> Iterable[PartChange]:
    """Changes outside the rules, each saying whether it can change findings."""
    yield from _fields(old, new)
    yield from _lists(old, new)
    for name in _missing_from(new.includes, old.includes):
        yield PartChange("include", name, f"pack {name} now included: its fields, lists and "
                         "rules join", True)
    for name in _missing_from(old.includes, new.includes):
        yield PartChange("include", name, f"pack {name} no longer included: its fields, "
                         "lists and rules leave", True)
    if old.extends != new.extends:
        yield PartChange("extends", new.extends or old.extends or "",
                         f"base pack {old.extends or '(none)'} -> {new.extends or '(none)'}",
                         True)
    yield from _overrides(old, new, paired)
    for aspect in ("title", "description"):
        if getattr(old, aspect) != getattr(new, aspect):
            yield PartChange("pack", aspect, f"pack {aspect} changed", False)


def _fields(old: Pack, new: Pack) -> Iterable[PartChange]:
    for name in [*old.fields, *(f for f in new.fields if f not in old.fields)]:
        before, after = old.fields.get(name), new.fields.get(name)
        if after is None:
            yield PartChange("field", name, f"field {name} removed: its columns are no "
                             "longer read", True)
            continue
        if before is None:
            headings = ", ".join(repr(h) for h in (name, *after.aliases))
            yield PartChange("field", name, f"field {name} added (headings {headings})", True)
            continue
        # Headings match ignoring case, spaces, underscores and hyphens: only a change in
        # what matches can change findings.
        had = {normalise_heading(a): a for a in before.aliases}
        has = {normalise_heading(a): a for a in after.aliases}
        for key in (k for k in had if k not in has):
            yield PartChange("heading", name, f"heading {had[key]!r} removed from field "
                             f"{name}: a column so headed is no longer read as {name}", True)
        for key in (k for k in has if k not in had):
            yield PartChange("heading", name, f"heading {has[key]!r} added to field {name}",
                             True)
        respelled = [has[k] for k in has if k in had and has[k] != had[k]]
        if respelled:
            yield PartChange("heading", name, f"headings of field {name} respelled "
                             f"({', '.join(map(repr, respelled))}); they match the same "
                             "columns", False)
        if before.description != after.description:
            yield PartChange("field", name, f"description of field {name} changed", False)
        if before.format != after.format:
            yield PartChange("field", name, f"format of field {name}: "
                             f"{before.format or '(none)'} -> {after.format or '(none)'} "
                             "(checked when the pack loads)", False)


def _lists(old: Pack, new: Pack) -> Iterable[PartChange]:
    used = {name for rule in (*old.rules, *new.rules) for name in lists_used(rule)}
    for name in [*old.lists, *(k for k in new.lists if k not in old.lists)]:
        had = old.lists[name].entries if name in old.lists else None
        has = new.lists[name].entries if name in new.lists else None
        if had == has:
            continue
        affects = name in used
        if has is None:
            what = f"list @{name} removed"
        elif had is None:
            what = f"list @{name} added ({_entries(has)})"
        else:
            added, removed = _missing_from(has, had), _missing_from(had, has)
            what = f"list @{name}: {_entries(added)} added, {_entries(removed)} removed"
            if not (added or removed):
                what, affects = f"list @{name} reordered", False
        yield PartChange("list", name, what + ("" if affects else " (no rule uses it)"),
                         affects)


def _entries(entries: tuple[str, ...]) -> str:
    return f"{len(entries)} {'entry' if len(entries) == 1 else 'entries'}"


def _overrides(old: Pack, new: Pack, paired: Iterable[RuleDiff]) -> Iterable[PartChange]:
    for rule_id, reason in new.disabled.items():
        before = old.disabled.get(rule_id)
        if before is not None and before != reason:
            yield PartChange("override", rule_id, f"reason for disabling {rule_id} changed",
                             False)
    for rule_id in old.disabled:
        if rule_id not in new.disabled:
            yield PartChange("override", rule_id, f"rule {rule_id} no longer disabled "
                             f"(was: {old.disabled[rule_id]})", True)
    for pair in paired:
        if pair.old.override_reason != pair.new.override_reason and \
                pair.old.severity == pair.new.severity:
            yield PartChange("override", pair.new.id, f"reason for the severity of "
                             f"{pair.new.id} changed", False)


def pack_dict(pack: Pack) -> dict[str, Any]:
    return {"name": pack.name, "version": pack.version, "sha256": pack.sha256,
            "path": pack.path}


def lists_used(rule: RuleDef) -> set[str]:
    """Names of the lists (``@name``) the rule's expressions use."""
    found: set[str] = set()
    for source in _expressions(rule):
        stack: list[n.Node] = [parse_expression(source)]
        while stack:
            node = stack.pop()
            if isinstance(node, n.ListRef):
                found.add(node.name)
            stack.extend(n.children(node))
    return found


def _compare(old: RuleDef, new: RuleDef, old_pack: Pack, new_pack: Pack) -> RuleDiff:
    changes: list[Change] = []
    # A unique rule's key and casefold decide which records repeat: changes too.
    for aspect in ("severity", "fields", "since", "until", "message", "unique", "casefold"):
        before, after = _text(getattr(old, aspect)), _text(getattr(new, aspect))
        if before != after:
            changes.append(Change(aspect, before, after))
    for aspect in EXPRESSIONS:
        before_src, after_src = getattr(old, aspect), getattr(new, aspect)
        if _tree(before_src) != _tree(after_src):
            changes.append(Change(aspect, _spaced(before_src), _spaced(after_src)))
    lists: list[ListChange] = []
    for name in sorted(lists_used(old) | lists_used(new)):
        had = old_pack.lists[name].entries if name in old_pack.lists else ()
        has = new_pack.lists[name].entries if name in new_pack.lists else ()
        if had != has:
            lists.append(ListChange(name, _missing_from(has, had), _missing_from(had, has)))
    return RuleDiff(old, new, tuple(changes), tuple(lists))


def _missing_from(entries: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Entries of ``entries`` that ``other`` lacks, in order."""
    known = set(other)
    return tuple(entry for entry in entries if entry not in known)


def _expressions(rule: RuleDef) -> Iterable[ExprSource]:
    return (source for aspect in EXPRESSIONS if (source := getattr(rule, aspect)) is not None)


def _tree(source: ExprSource | None) -> object:
    """The expression's syntax tree without positions: equal trees mean equal rules."""
    return None if source is None else _shape(parse_expression(source))


def _shape(node: n.Node) -> object:
    parts: list[object] = [type(node).__name__]
    for item in dataclasses.fields(node):
        if item.name == "span":
            continue
        value = getattr(node, item.name)
        if isinstance(value, tuple):
            parts.append(tuple(_shape(child) for child in value))
        elif dataclasses.is_dataclass(value):
            parts.append(_shape(value))  # type: ignore[arg-type]
        else:
            # 1 and 1.0 and true are different literals: keep the type with the value.
            parts.append((type(value).__name__, value))
    return tuple(parts)


def _spaced(source: ExprSource | None) -> str | None:
    return None if source is None else " ".join(source.text.split())


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):  # casefold, written as YAML writes it
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _rule_dict(rule: RuleDef) -> dict[str, Any]:
    return {"id": rule.id, "severity": rule.severity, "fields": list(rule.fields),
            "message": rule.message}


def _disabled(rule: RuleDef, new: Pack) -> dict[str, Any]:
    reason = new.disabled.get(rule.id)
    return {} if reason is None else {"disabled": reason}


def _pair_dict(pair: RuleDiff) -> dict[str, Any]:
    data: dict[str, Any] = {"id": pair.new.id}
    if pair.renamed:
        data["old_id"] = pair.old.id
    data["changes"] = [{"aspect": c.aspect, "old": c.old, "new": c.new} for c in pair.changes]
    data["lists"] = [{"name": c.name, "added": list(c.added), "removed": list(c.removed)}
                     for c in pair.lists]
    return data
