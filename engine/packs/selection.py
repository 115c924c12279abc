"""Rule selection (``--select``, ``--ignore``): which of a pack's rules run.

A selector is a rule id (or a former id), an id prefix by whole parts (``CDD.ULN``
selects ``CDD.ULN.01`` and ``CDD.ULN.02``, not ``CDD.ULNX.01``), or ``tag:NAME`` (the
rules tagged NAME). With ``select``, only the rules some selector names are kept; then
every rule an ``ignore`` selector names is dropped. A selector that names no rule of the
pack is an error with the closest ones it may mean: a misspelt ``--ignore`` must never
pass silently. Selection is made on the pack as loaded, before the rules in force are
chosen, so a rule not yet in force can be named. Findings about the input as a whole
(``INPUT.*``) come from the readers, not from rules, and cannot be selected.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Sequence

from lrsrules.errors import Location, PackError, Problem
from lrsrules.packs.model import Pack, RuleDef

TAG = "tag:"


def split_selectors(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Selectors as given, repeated or comma-separated (``-s CDD.ULN,CDD.DOB``), in order."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def select_rules(pack: Pack, select: Iterable[str] | str | None = None,
                 ignore: Iterable[str] | str | None = None, *, strict: bool = True) -> Pack:
    """``pack`` with only the rules ``select`` names (all, when empty) and none that
    ``ignore`` names. Raises ``PackError`` for a selector that names no rule, unless not
    ``strict`` (a pack of an include tree, whose selectors were checked on the tree)."""
    chosen, dropped = split_selectors(select), split_selectors(ignore)
    if not chosen and not dropped:
        return pack
    options = (("--select", chosen), ("--ignore", dropped)) if strict else ()
    problems = [problem for option, selectors in options for selector in selectors
                if (problem := _unknown(pack, selector, option)) is not None]
    if problems:
        raise PackError(problems=problems)
    kept = tuple(rule for rule in pack.rules
                 if (not chosen or _named_by_any(rule, chosen))
                 and not _named_by_any(rule, dropped))
    return pack if len(kept) == len(pack.rules) else dataclasses.replace(pack, rules=kept)


def names(rule: RuleDef, selector: str) -> bool:
    """Whether ``selector`` names ``rule``."""
    if selector.startswith(TAG):
        return selector[len(TAG):] in rule.tags
    for rule_id in (rule.id, *rule.aliases):
        if rule_id == selector or rule_id.startswith(selector.rstrip(".") + "."):
            return True
    return False


def _named_by_any(rule: RuleDef, selectors: Sequence[str]) -> bool:
    return any(names(rule, selector) for selector in selectors)


def _unknown(pack: Pack, selector: str, option: str) -> Problem | None:
    if any(names(rule, selector) for rule in pack.rules):
        return None
    where = Location(f"{option} {selector}")
    if selector.upper().startswith("INPUT."):
        return Problem(f"{selector} is a finding about the input, not a rule of the pack",
                       where, "INPUT findings cannot be selected; waive them, or use --fail-on "
                       "error to let warnings pass")
    if selector.startswith(TAG):
        tags = sorted({tag for rule in pack.rules for tag in rule.tags})
        close = difflib.get_close_matches(selector[len(TAG):], tags, n=3)
        hint = (f"did you mean {', '.join(TAG + tag for tag in close)}?" if close else
                f"the tags of pack {pack.name}: {', '.join(tags) or 'none'}")
        return Problem(f"no rule of pack {pack.name} has the tag {selector[len(TAG):]!r}",
                       where, hint)
    known = sorted({part for rule in pack.rules for rule_id in (rule.id, *rule.aliases)
                    for part in _prefixes(rule_id)})
    close = difflib.get_close_matches(selector.upper(), known, n=3, cutoff=0.7)
    hint = (f"did you mean {', '.join(close)}?" if close else
            f"lrsrules rules --pack {pack.name} lists its rules; a tag is written tag:NAME")
    return Problem(f"no rule of pack {pack.name} has the id or id prefix {selector!r}",
                   where, hint)


def _prefixes(rule_id: str) -> list[str]:
    parts = rule_id.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]
