"""How ``lrsrules rules`` lists the rules of a pack: aligned text, or a JSON object per rule.

Both yield lines without their line ends, so the caller writes them as it writes any line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from lrsrules.packs.model import Pack, RuleDef


def text_lines(pack: Pack, in_force_on: str | None = None) -> Iterator[str]:
    """A heading, a line per rule (id, severity, what enforces it when said, fields,
    message), one per disabled rule."""
    in_force = f" in force on {in_force_on}" if in_force_on else ""
    yield f"{pack.name} {pack.version}: {len(pack.rules)} rules{in_force}"
    width = max((len(rule.id) for rule in pack.rules), default=0)
    for rule in pack.rules:
        fields = ", ".join(rule.fields)
        if rule.unique:  # compares records: say on which key
            fields += f" (unique in the file: {', '.join(rule.unique)}" + (
                ", ignoring case)" if rule.casefold else ")")
        by = f"[{rule.enforced_by}]  " if rule.enforced_by else ""
        yield f"{rule.id:<{width}}  {rule.severity:<7}  {by}{fields}: {rule.message}"
    for rule_id, reason in pack.disabled.items():
        yield f"{rule_id:<{width}}  disabled by {pack.name}: {reason}"


def json_lines(pack: Pack) -> Iterator[str]:
    """One JSON object per rule: id, fields, severity, message, pack, provenance,
    enforced_by (null when not said), history."""
    for rule in pack.rules:
        yield json.dumps({"id": rule.id, "fields": list(rule.fields),
                          "severity": rule.severity, "message": rule.message,
                          "pack": rule.pack, "provenance": rule.provenance,
                          "enforced_by": rule.enforced_by} | _history(rule))


def _history(rule: RuleDef) -> dict[str, object]:
    # Only rules that have them carry these keys, so other output stays as it was.
    found: dict[str, object] = {"aliases": list(rule.aliases)} if rule.aliases else {}
    found |= {key: str(day) for key in ("since", "until")
              if (day := getattr(rule, key)) is not None}
    if rule.unique:
        found |= {"unique": list(rule.unique), "casefold": rule.casefold}
    return found
