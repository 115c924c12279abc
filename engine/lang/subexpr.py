"""Sub-expressions of a checked expression, evaluated one at a time with the compiler.

``lrsrules explain`` shows the value of every part of a rule, and ``lrsrules check`` looks
for conditions that are constant; both evaluate a node through ``compile_value`` on a
``CheckedExpr`` rooted at that node, so there is one semantics: the compiled one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from lrsrules.lang import nodes as n
from lrsrules.lang.checker import CheckedExpr
from lrsrules.lang.compiler import compile_value

# Reading these gives nothing from the record: field_name is the rule's own field name.
_NOT_FROM_RECORD = frozenset({"field_name"})


def sub_expression(checked: CheckedExpr, node: n.Node) -> CheckedExpr:
    """``checked`` re-rooted at ``node``, one of its nodes (types and regexes are shared)."""
    return CheckedExpr(node, checked.source, checked.types, checked.regexes)


def walk(node: n.Node) -> list[n.Node]:
    """``node`` and every node below it, parents before children, left to right."""
    found = [node]
    for child in n.children(node):
        found += walk(child)
    return found


def reads_record(node: n.Node) -> bool:
    """Whether the value of ``node`` depends on the record (a field, or ``value``)."""
    return any(isinstance(part, n.Name) and part.name not in _NOT_FROM_RECORD
               for part in walk(node))


def calls_today(node: n.Node) -> bool:
    return any(isinstance(part, n.Call) and part.function == "today" for part in walk(node))


def evaluate(checked: CheckedExpr, node: n.Node, fields: Sequence[str],
             lists: Mapping[str, tuple[str, ...]], values: Sequence[str | None], *,
             today: dt.date, field: str | None) -> Any:
    """The value of ``node`` on a record (``values`` in ``fields`` order); may raise."""
    function = compile_value(sub_expression(checked, node), fields, lists, today=today,
                             field=field)
    return function(values)
