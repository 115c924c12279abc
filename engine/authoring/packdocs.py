"""What a pack's documentation page says, gathered from the loaded pack and its test cases.

One page per pack, for governance staff: the pack, then its rules grouped by the pack file
that defines them (the pack's own first, then each included pack in load order, so the page
of a composition such as lrs-default documents every rule it runs), then its fields and
lists. Each rule carries examples: the test cases, from the ``tests/`` folders of the pack
and of every pack defining rules, on which the rule fires (as expected) or is evaluated and
passes. Only what a case asserts and the run confirms is used, and only the rule's own
cases: one that expects it, or whose record sets one of its fields (not a case about
another field that merely passes through). Each condition is also told in words
(``words.describe``), and an overlay's changes to its base are listed with their reasons.

``render_markdown`` and ``render_html`` (in ``lrsrules.report.docpages``) turn a ``PackDocs``
into a page.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lrsrules.authoring.packtests import CaseResult, run_pack_tests
from lrsrules.authoring.words import describe
from lrsrules.lang import nodes as n
from lrsrules.lang.parser import parse_expression
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import Pack, RuleDef

MAX_EXAMPLES = 3  # of each kind per rule; the rest are counted
# What a rule's ``enforced_by`` means, in words a data manager reads.
ENFORCERS = {
    "lrs": "LRS: the LRS rejects the record (or treats it so)",
    "ilr": "ILR: an ILR rule, applied here",
    "quality": "good practice: advice, nothing rejects the record",
}


@dataclass(frozen=True, slots=True)
class Example:
    case: str  # the case's name
    file: str  # its test file
    values: tuple[tuple[str, str | None], ...]  # the fields the rule reads: its own first


@dataclass(frozen=True, slots=True)
class RuleDoc:
    rule: RuleDef
    fires: tuple[Example, ...]
    passes: tuple[Example, ...]
    more_fires: int = 0  # examples left out
    more_passes: int = 0

    @property
    def in_words(self) -> tuple[tuple[str, str], ...]:
        """(role, the condition in words) for each of when/check/unless that has words."""
        found = []
        for role in ("when", "check", "unless"):
            source = getattr(self.rule, role)
            words = describe(source) if source is not None else None
            if words is not None:
                found.append((role, words))
        return tuple(found)

    @property
    def override(self) -> str | None:
        """How an overlay changed the rule's severity, and why: None when it did not."""
        rule = self.rule
        if rule.base_severity is None:
            return None
        reason = f": {rule.override_reason}" if rule.override_reason else ""
        return f"changed from {rule.base_severity} by the overlay{reason}"

    @property
    def description(self) -> str:
        return self.rule.doc or self.rule.message

    @property
    def provisional(self) -> bool:
        return is_provisional(self.rule)

    @property
    def enforced_by(self) -> str:
        """The rule's ``enforced_by`` in words; "not stated" when it has none."""
        value = self.rule.enforced_by
        return ENFORCERS.get(value, value) if value else "not stated"

    @property
    def in_force(self) -> tuple[tuple[str, str], ...]:
        """("since", "2025-08-01") and ("until", ...), those the rule has."""
        found = []
        for key in ("since", "until"):
            # Read defensively: dated rules are stored as attributes or in ``extra``.
            value = getattr(self.rule, key, None) or self.rule.extra.get(key)
            if value is not None:
                found.append((key, str(value)))
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Section:
    """The rules one pack file defines, with that pack's own name and description."""

    pack: str
    version: str
    title: str | None
    description: str | None
    path: str
    rules: tuple[RuleDoc, ...]


@dataclass(frozen=True, slots=True)
class PackDocs:
    pack: Pack
    sections: tuple[Section, ...]  # the pack's own rules first, then each included pack's

    @property
    def rules(self) -> tuple[RuleDoc, ...]:
        return tuple(rule for section in self.sections for rule in section.rules)

    @property
    def provisional(self) -> int:
        return sum(rule.provisional for rule in self.rules)


def is_provisional(rule: RuleDef) -> bool:
    """A rule whose provenance says it rests on points not yet confirmed."""
    return (rule.provenance or "").lstrip().lower().startswith("provisional")


def build_pack_docs(ref: str | os.PathLike[str] | Pack | None = None) -> PackDocs:
    """The documentation of the pack ``ref`` names (default: the default pack)."""
    pack = ref if isinstance(ref, Pack) else load_pack(ref)
    files = dict.fromkeys([pack.path, *(_file(rule, pack) for rule in pack.rules)])
    # Each pack file defining rules, loaded as itself: its name, version and test cases.
    parts = {file: pack if file == pack.path else load_pack(Path(file), root=pack.root)
             for file in files}
    results = [result for part in parts.values() for result in run_pack_tests(part).results]
    examples = _Examples(pack, results)
    sections = []
    for file, part in parts.items():
        rules = tuple(examples.of(rule) for rule in pack.rules if _file(rule, pack) == file)
        if rules or part is pack:
            sections.append(Section(part.name, part.version, part.title, part.description,
                                    part.path, rules))
    return PackDocs(pack, tuple(sections))


def _file(rule: RuleDef, pack: Pack) -> str:
    return rule.location.file or pack.path


class _Examples:
    def __init__(self, pack: Pack, results: list[CaseResult]) -> None:
        self.order = list(pack.fields)
        self.results = results

    def of(self, rule: RuleDef) -> RuleDoc:
        fires: list[Example] = []
        passes: list[Example] = []
        seen: set[tuple[str, str]] = set()
        home = Path(rule.location.file or "").parent
        # Cases beside the rule's own pack first: they were written for it.
        ordered = sorted(self.results,
                         key=lambda r: Path(r.case.location.file or "").parent.parent != home)
        for result in ordered:
            case = result.case
            key = (case.location.file or "", case.name)  # two packs may share a folder
            if key in seen:
                continue
            broken = any(error.rule == rule.id for error in result.errors)
            own = rule.id in case.expected or bool(set(rule.fields) & set(case.own_fields))
            if not own:
                continue  # a case about something else, which the rule merely passes
            if rule.id in case.expected and rule.id in result.found and not broken:
                fires.append(self._example(result, rule))
            elif (rule.id in result.evaluated and rule.id not in result.found
                  and rule.id not in case.expected and not broken):
                passes.append(self._example(result, rule))
            else:
                continue
            seen.add(key)
        return RuleDoc(rule, tuple(fires[:MAX_EXAMPLES]), tuple(passes[:MAX_EXAMPLES]),
                       max(0, len(fires) - MAX_EXAMPLES), max(0, len(passes) - MAX_EXAMPLES))

    def _example(self, result: CaseResult, rule: RuleDef) -> Example:
        values: Mapping[str, str | None] = result.case.values
        read = set(rule.fields)
        for source in (rule.when, rule.check, rule.unless):
            if source is not None:
                read |= n.names_in(parse_expression(source))
        # The values the rule reads, its own fields first; the rest of a record is noise.
        order = [*rule.fields, *(name for name in self.order if name in read)]
        # Blank values are shown only for the rule's own fields, when all of them are blank.
        all_blank = all(values.get(name) is None for name in rule.fields)
        shown = tuple((name, values.get(name)) for name in dict.fromkeys(order)
                      if values.get(name) is not None or (all_blank and name in rule.fields))
        return Example(result.case.name, result.case.location.file or "", shown)
