"""Overlays: a pack that ``extends`` a base pack and ``overrides`` some of its rules.

``include`` merges peers: every included pack's rules join as they are, and an id may be
defined once. ``extends`` names one base pack that joins the same way (the loader treats it
as the first include) and, in addition, lets the extending pack change the base's rules
through ``overrides``: a new ``severity``, or ``disabled: true`` with a ``reason``. Its own
rules are added beside the base's; reusing a base rule's id is an error, never a silent
replacement.

Conflicts are load errors: an override of a rule the base does not have (with a did-you-mean),
a rule overridden twice by one pack or by two packs neither of which extends the other, an
override of a rule a base overlay already disabled, and an override that changes nothing.
Along a chain (a college pack extending a regional one extending a national one) the pack
further out wins.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.errors import Location, Problem
from lrsrules.packs.model import RuleDef
from lrsrules.packs.versions import current_ids
from lrsrules.packs.yamlsource import YamlDocument


@dataclass(frozen=True, slots=True)
class Overlay:
    """One pack file that extends a base: its document and the packs in the base's tree."""

    doc: YamlDocument
    name: str  # the extending pack
    base: str  # the pack it extends
    base_packs: frozenset[str]  # the base and everything it includes or extends


@dataclass(frozen=True, slots=True)
class _Applied:
    overlay: Overlay
    location: Location


def apply_overrides(
    rules: Sequence[RuleDef], overlays: Iterable[Overlay]
) -> tuple[tuple[RuleDef, ...], dict[str, str], list[Problem]]:
    """Rules with every overlay's overrides applied (bases first), the disabled rules'
    ids with their reasons, and the problems found."""
    current = {rule.id: rule for rule in rules}
    disabled: dict[str, tuple[str, str]] = {}  # id -> (reason, disabling pack)
    applied: dict[str, _Applied] = {}
    problems: list[Problem] = []
    for overlay in overlays:
        doc = overlay.doc
        base_rules = [rule for rule in rules if rule.pack in overlay.base_packs]
        ids = current_ids(base_rules)
        for index, spec in enumerate(doc.data.get("overrides", [])):
            at = ("overrides", index)
            where = doc.location((*at, "rule"))
            rule_id = ids.get(spec["rule"])
            if rule_id is None:
                problems.append(_unknown_rule(spec["rule"], overlay, current, ids, where))
                continue
            first = applied.get(rule_id)
            if first is not None and first.overlay.name not in overlay.base_packs:
                problems.append(Problem(
                    f"rule {rule_id} is overridden twice (first at {first.location.prefix()})",
                    where, "override a rule once; when two packs extend one base, neither"
                    " may override a rule the other overrides"))
                continue
            if rule_id in disabled:
                reason, by = disabled[rule_id]
                problems.append(Problem(
                    f"rule {rule_id} is already disabled by pack {by} ({reason})", where,
                    "a disabled rule cannot be changed further out"))
                continue
            problem = _check_override(spec, rule_id, doc.location(at))
            if problem is not None:
                problems.append(problem)
                continue
            applied[rule_id] = _Applied(overlay, where)
            if spec.get("disabled"):
                disabled[rule_id] = (spec["reason"], overlay.name)
            elif spec["severity"] != current[rule_id].severity:
                rule = current[rule_id]
                current[rule_id] = dataclasses.replace(
                    rule, severity=spec["severity"], override_reason=spec.get("reason"),
                    base_severity=rule.base_severity or rule.severity)
    kept = tuple(current[rule.id] for rule in rules if rule.id not in disabled)
    return kept, {rule_id: reason for rule_id, (reason, _) in disabled.items()}, problems


def overrides_without_base(doc: YamlDocument) -> Problem | None:
    """A problem when ``doc`` has overrides but extends nothing."""
    if "overrides" in doc.data and "extends" not in doc.data:
        return Problem("overrides change the rules of a base pack, but this pack has no"
                       " extends", doc.key_location(("overrides",)),
                       "add `extends: <base pack>`, or change the rules themselves")
    return None


def duplicate_hint(base: str | None) -> str:
    """The hint for a rule id defined twice; ``base`` names the pack extended, if any."""
    if base is None:
        return "rule ids are unique across a pack and everything it includes"
    return (f"this pack extends {base}: change a rule of {base} through overrides, or give"
            " the new rule an id of its own")


def _check_override(spec: dict[str, Any], rule_id: str, where: Location) -> Problem | None:
    if spec.get("disabled"):
        if "severity" in spec:
            return Problem(f"the override of rule {rule_id} both disables it and sets its"
                           " severity", where, "choose one")
        if "reason" not in spec:
            return Problem(f"disabling rule {rule_id} needs a reason", where,
                           "add `reason: ...`: why the rule does not apply here")
        return None
    if "severity" not in spec:
        return Problem(f"the override of rule {rule_id} changes nothing", where,
                       "give severity: error|warning|info, or disabled: true with a reason")
    return None


def _unknown_rule(name: str, overlay: Overlay, rules: dict[str, RuleDef],
                  ids: dict[str, str], where: Location) -> Problem:
    if name in rules:
        return Problem(
            f"rule {name} is not a rule of {overlay.base} (it is defined in pack"
            f" {rules[name].pack})", where, "overrides change the rules of the base pack"
            " only; change this rule where it is defined")
    close = difflib.get_close_matches(name, list(ids), n=1)
    if close:
        return Problem(f"unknown rule {name} in pack {overlay.base}; did you mean"
                       f" {close[0]}?", where)
    return Problem(f"unknown rule {name} in pack {overlay.base}", where,
                   f"`lrsrules rules --pack {overlay.base}` lists its rules")
