"""Text for people of an explanation from ``lrsrules.authoring.explain``.

Values from the record are personal data. Unless asked to show them, text and dates that
depend on the record are shown only by their kind and size (``<text, 7 chars>``, ``<date>``),
as are numbers read from its text with ``int()`` (that is the text itself); booleans,
nulls and other numbers (lengths, ages, sums) are shown as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from lrsrules.authoring.explain import NOT_EVALUATED, CodeExplanation, Step, TargetExplanation
from lrsrules.lang.backtracking import pack_pattern, sublanguage_of
from lrsrules.lang.functions import Remembered
from lrsrules.lang.groups import RememberedHits
from lrsrules.lang.regexes import Answers, Regex
from lrsrules.packs.model import Pack
from lrsrules.run.runner import describe_failure

_MAX_SHOWN = 60  # characters of a shown value; longer ones are cut short
_CODE_WIDTH = 100  # of a line describing a constant of generated code


def format_heading(pack: Pack, subject: str) -> str:
    """The line above an explanation: the pack and what is explained."""
    return f"{pack.name} {pack.version}, {subject}\n"


def format_explanation(explained: Sequence[TargetExplanation], *,
                       show_values: bool = False) -> str:
    """Text for people: the rule, then per field its verdict and a tree of values."""
    if not explained:
        return ""
    rule = explained[0].target.rule
    lines = [f"rule {rule.id} ({rule.severity}): {rule.message}"]
    for item in explained:
        if len(explained) > 1:
            lines.append("")
        lines.append(f"field {item.target.field}: {item.verdict}: {item.reason}")
        for role, steps in item.conditions:
            for step in steps:
                label = f"{role}: " if step.depth == 0 else "  " * step.depth
                lines.append(f"  {label}{step.text}  ->  {shown_value(step, show_values)}")
    return "\n".join(lines) + "\n"


def shown_value(step: Step, show_values: bool = False) -> str:
    """A step's value as text, masked when it is personal data and ``show_values`` is off."""
    value = step.value
    if value is NOT_EVALUATED:
        return "(not evaluated)"
    if isinstance(value, BaseException):
        return f"error: {describe_failure(value)}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    masked = step.from_record and not show_values
    if isinstance(value, (int, float)):
        return "<number>" if masked and step.number_is_text else str(value)
    if isinstance(value, str):
        return f"<text, {len(value)} char{'' if len(value) == 1 else 's'}>" if masked \
            else _cut(repr(value))
    if isinstance(value, dt.date):
        return "<date>" if masked else value.isoformat()
    if isinstance(value, (tuple, list, frozenset, set)):
        count = f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
        return f"<list, {count}>" if masked else _cut(f"[{', '.join(map(repr, value))}]")
    return _cut(repr(value))


def format_code(explained: CodeExplanation) -> str:
    """The code, then a comment line for each field and constant it reads."""
    legend = [f"# {variable}: values[{index}], field {field}"
              for variable, index, field in explained.fields]
    for name, value in explained.constants:
        line = f"# {name}: {describe_constant(value)}"
        # A pack list can be long; a regex is shown whole, being what one debugs.
        legend.append(line if _is_regex(value) else _cut(line, _CODE_WIDTH))
    if explained.shares:
        legend.append("# _m<n>: computed at its first use in a record, then shared")
    return explained.code + ("\n" + "\n".join(legend) + "\n" if legend else "")


def describe_constant(value: object) -> str:
    """A constant of generated code as Python a reader can look up."""
    owner = getattr(value, "__self__", None)
    if isinstance(owner, Answers):  # Regex.fullmatches: its answers' lookup
        return f"compile_regex({owner.pattern!r}).fullmatches"
    if isinstance(owner, RememberedHits):  # a group of targets on one field (lang/groups)
        return (f"the hits of {owner.function.__name__} by the field's value, remembered"
                " (lrsrules.lang.groups)")
    if isinstance(owner, Remembered):  # a function whose answers are kept
        return f"{describe_constant(owner.function)}, its answers remembered"
    if isinstance(owner, re.Pattern) and pack_pattern(owner) is not None:
        # A pattern proven linear, run by re in a form written out for it.
        return f"compile_regex({pack_pattern(owner)!r}).fullmatches, run by re (linear)"
    if isinstance(owner, re.Pattern) and sublanguage_of(owner) is not None:
        # Texts a part of the pattern takes, run by re: a match passes, else RE2 says.
        return (f"a sublanguage of compile_regex({sublanguage_of(owner)!r}), run by re "
                "(linear): a text it matches matches the pattern")
    if owner is not None and _is_regex(value):
        maker = "compile_regex" if isinstance(owner, Regex) else "re.compile"
        return f"{maker}({owner.pattern!r}).{getattr(value, '__name__', '?')}"
    if isinstance(value, (frozenset, set, tuple)):
        items = list(value) if isinstance(value, tuple) else sorted(value, key=repr)
        return f"{type(value).__name__} of {len(value)}: {', '.join(map(repr, items))}"
    qualname = getattr(value, "__qualname__", None)
    if qualname is not None:
        return f"{getattr(value, '__module__', None) or type(owner).__module__}.{qualname}"
    return repr(value)


def _is_regex(value: object) -> bool:
    return isinstance(getattr(value, "__self__", None), (re.Pattern, Regex))


def _cut(text: str, width: int = _MAX_SHOWN) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
