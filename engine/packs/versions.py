"""Rules over time: the dates a rule is in force, its former ids, and a pack as of a date.

A rule is in force on date ``d`` when ``since <= d < until``: ``since`` is the first day it
applies and ``until`` the first day it no longer does, so a rule retired on a date and its
replacement introduced on the same date never overlap and leave no gap. Either bound may be
absent. Former ids (``aliases``) keep a renamed rule recognisable to ``diff``, waivers and
overrides; they share one namespace with the ids of the whole loaded pack.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from lrsrules.dates import parse_iso_date
from lrsrules.errors import Location, Problem
from lrsrules.packs.model import Pack, RuleDef

if TYPE_CHECKING:
    from lrsrules.packs.yamlsource import YamlDocument, YamlPath


def in_force(rule: RuleDef, on: dt.date) -> bool:
    """True when ``rule`` applies on ``on``: ``since <= on < until``."""
    return (rule.since is None or rule.since <= on) and (rule.until is None or on < rule.until)


def rules_in_force(pack: Pack, on: dt.date) -> Pack:
    """``pack`` with only the rules in force on ``on``; everything else is unchanged."""
    kept = tuple(rule for rule in pack.rules if in_force(rule, on))
    return pack if len(kept) == len(pack.rules) else dataclasses.replace(pack, rules=kept)


def current_ids(rules: Iterable[RuleDef]) -> dict[str, str]:
    """Every rule id and former id, mapped to the rule's id now."""
    ids: dict[str, str] = {}
    for rule in rules:
        ids[rule.id] = rule.id
        for alias in rule.aliases:
            ids.setdefault(alias, rule.id)
    return ids


def read_dates(
    doc: YamlDocument, at: YamlPath, spec: Mapping[str, Any]
) -> tuple[dt.date | None, dt.date | None, list[Problem]]:
    """A rule's ``since`` and ``until`` (the schema has checked their form), and problems:
    a day not in the calendar, or ``until`` not after ``since``."""
    problems: list[Problem] = []
    dates: dict[str, dt.date | None] = {}
    for key in ("since", "until"):
        text = spec.get(key)
        dates[key] = None if text is None else parse_iso_date(str(text))
        if text is not None and dates[key] is None:
            problems.append(Problem(f"{key} {text!r} is not a day in the calendar",
                                    doc.location((*at, key)), "write a real date: YYYY-MM-DD"))
    since, until = dates["since"], dates["until"]
    if since is not None and until is not None and until <= since:
        problems.append(Problem(
            f"until ({until}) must be after since ({since})", doc.location((*at, "until")),
            "until is the first day the rule no longer applies"))
    return since, until, problems


def check_aliases(rules: Iterable[RuleDef], alias_places: Mapping[tuple[str, str], Location],
                  ) -> list[Problem]:
    """Problems with former ids: one equal to a rule's id (its own included), or claimed by
    two rules. ``alias_places`` maps (rule id, alias) to where the alias is written."""
    rules = list(rules)
    ids = {rule.id: rule for rule in rules}
    claimed: dict[str, RuleDef] = {}
    problems: list[Problem] = []
    for rule in rules:
        for alias in rule.aliases:
            where = alias_places.get((rule.id, alias), rule.location)
            if alias == rule.id:
                problems.append(Problem(f"rule {rule.id} lists its own id as a former id",
                                        where, "aliases holds the ids the rule had before"))
            elif alias in ids:
                other = ids[alias]
                problems.append(Problem(
                    f"former id {alias} of rule {rule.id} is the id of another rule"
                    f" (at {other.location.prefix()})", where,
                    "an id is never reused for a different rule"))
            elif claimed.setdefault(alias, rule) is not rule:
                first = claimed[alias]
                problems.append(Problem(
                    f"former id {alias} is claimed by rules {first.id} and {rule.id}", where,
                    "a former id belongs to the one rule that replaced it"))
    return problems


# A clause of a version range: ``>=1.1``, ``<2``, ``==1.0.0`` or a bare ``1.1`` (1.1.x).
_CLAUSE = re.compile(r"^(?P<op>>=|<=|==|>|<)?\s*(?P<version>\d+(?:\.\d+){0,2})$")


def version_range_problem(spec: str) -> str | None:
    """Why ``spec`` is not a version range (``>=1.1``, ``>=1.0, <2``, ``1.1``), or None."""
    for clause in spec.split(","):
        if not _CLAUSE.match(clause.strip()):
            return (f"{clause.strip()!r} is not a version clause: write >=1.1, <2.0, "
                    "==1.0.0, or 1.1 for every 1.1.x, joined by commas")
    return None


def in_version_range(version: str, spec: str) -> bool:
    """True when the pack ``version`` satisfies every clause of ``spec`` (checked first with
    ``version_range_problem``); a prerelease counts as its release."""
    have = _numbers(version.split("-")[0])
    for clause in spec.split(","):
        match = _CLAUSE.match(clause.strip())
        if match is None:
            return False
        written = match["version"]
        op = match["op"]
        if op is None:
            if have[: written.count(".") + 1] != _numbers(written)[: written.count(".") + 1]:
                return False
            continue
        want = _numbers(written)
        if not {">=": have >= want, "<=": have <= want, "==": have == want,
                ">": have > want, "<": have < want}[op]:
            return False
    return True


def _numbers(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".") if p.isdigit()]
    return tuple([*parts, 0, 0, 0][:3])
