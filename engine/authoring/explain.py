"""Why a rule fires, or not, on one record: the value of every part of its expressions;
and the generated code a rule runs as (``explain_code``).

Each sub-expression of ``when``, ``check`` and ``unless`` is evaluated on its own with the
compiler (``subexpr.evaluate``), so the values shown are the values the run computes; the
verdict itself comes from the compiled pack. The right side of ``and``/``or`` is marked
not evaluated when the left side decides, as it is in a run. Each step says whether its
value depends on the record (personal data), for the text rendering in
``lrsrules.report.explanation`` to mask it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import textwrap
import tokenize
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrsrules.errors import EngineError
from lrsrules.findings import Finding
from lrsrules.lang import nodes as n
from lrsrules.lang.checker import CheckedExpr
from lrsrules.lang.codegen import MEMO_SLOT
from lrsrules.lang.compiler import constants_of, field_variables, target_blocks
from lrsrules.lang.subexpr import evaluate, reads_record
from lrsrules.run.program import CompiledPack, CrossTarget, Hit, Target, lists_of
from lrsrules.run.runner import describe_failure

_LINE_BREAK = re.compile(r"\s*\n\s*")


class _NotEvaluated:
    def __repr__(self) -> str:
        return "NOT_EVALUATED"


NOT_EVALUATED = _NotEvaluated()  # the value of an operand a run skips


@dataclass(frozen=True, slots=True)
class Step:
    """One sub-expression and its value on the record."""

    depth: int  # 0 for the whole expression
    text: str  # the sub-expression as written in the pack, on one line
    value: Any  # its value, NOT_EVALUATED, or the exception it raised
    from_record: bool  # whether the value depends on the record (personal data)
    number_is_text: bool = False  # an int() of record text: the text itself


@dataclass(frozen=True, slots=True)
class TargetExplanation:
    """The rule on one of its fields: the steps of each condition, and the verdict."""

    target: Target
    conditions: tuple[tuple[str, tuple[Step, ...]], ...]  # (role, steps) in run order
    verdict: str  # "fires", "passes", "skipped", "excused", "error"
    reason: str


@dataclass(frozen=True, slots=True)
class CodeExplanation:
    """The generated Python of a rule's targets (or of the whole pack), and its names."""

    rule_id: str | None  # None for the whole pack
    code: str
    # (variable, index in values, field) for each field an excerpt reads; empty for the
    # whole pack, whose first line unpacks them all in order
    fields: tuple[tuple[str, int, str], ...]
    constants: tuple[tuple[str, object], ...]  # (name, object) it reads, in name order
    shares: bool  # whether it uses memo slots: values computed once per record, shared


def explain_code(compiled: CompiledPack, rule_id: str | None = None) -> CodeExplanation:
    """The code ``compiled.check`` runs for ``rule_id``, or the whole function if None."""
    if rule_id is None:
        code = compiled.source
    else:
        find_targets(compiled, rule_id)  # raises for an unknown rule
        blocks = target_blocks(compiled.source)
        code = textwrap.dedent("".join(
            blocks[index] for index, target in enumerate(compiled.targets)
            if target.rule.id == rule_id))
    used = {token.string for token in tokenize.generate_tokens(io.StringIO(code).readline)
            if token.type == tokenize.NAME}
    variables = field_variables(compiled.fields)
    fields = tuple((variable, index, field)
                   for index, (field, variable) in enumerate(variables.items())
                   if variable in used and rule_id is not None)
    constants = constants_of(compiled.check)
    named = tuple((name, constants[name]) for name in sorted(used & constants.keys(),
                                                             key=_name_order)
                  if name != "_UNSET" and not _defined_in(constants, name))
    shares = any(MEMO_SLOT.fullmatch(name) for name in used)
    return CodeExplanation(rule_id, code, fields, named, shares)


def _defined_in(constants: Mapping[str, object], name: str) -> bool:
    """Whether ``name`` is a function of the generated code itself (``_check``, a group's
    ``_g<n>``): its source is the code shown, not a constant it reads."""
    value = constants[name]
    return isinstance(value, types.FunctionType) and value.__globals__ is constants


def _name_order(name: str) -> tuple[str, int]:
    prefix = name.rstrip("0123456789")
    return prefix, int(name[len(prefix):] or 0)


def find_targets(compiled: CompiledPack, rule_id: str) -> list[Target]:
    """The targets of ``rule_id`` in pack order; an ``EngineError`` naming close ids if none.
    A rule that compares records (see ``find_cross``) has none."""
    found = [target for target in compiled.targets if target.rule.id == rule_id]
    if found or find_cross(compiled, rule_id) is not None:
        return found
    ids = list(dict.fromkeys([*(target.rule.id for target in compiled.targets),
                              *(target.rule.id for target in compiled.cross)]))
    close = difflib.get_close_matches(rule_id, ids, n=1)
    raise EngineError(f"pack {compiled.pack.name} has no rule {rule_id!r}"
                      + (f"; did you mean {close[0]!r}?" if close else ""),
                      hint=None if close else "list the rules with: lrsrules rules --pack ...")


def find_cross(compiled: CompiledPack, rule_id: str) -> CrossTarget | None:
    """The rule ``rule_id`` if it compares records (``unique``)."""
    return next((target for target in compiled.cross if target.rule.id == rule_id), None)


def explain_unique(target: CrossTarget, values: Sequence[str | None],
                   found: Sequence[Finding] | None) -> tuple[str, str]:
    """The verdict and its reason for a rule that compares records, on one record: from
    ``found``, the record's findings in its file, or without them (a record alone)."""
    if target.key_of(values) is None:
        return "skipped", "its key has a blank field"
    applies = target.applies(values)
    if isinstance(applies, BaseException):
        return "error", f"could not be evaluated ({describe_failure(applies)})"
    if not applies:
        words = {(True, False): "its when is not true", (False, True): "its unless is true"}
        when, unless = target.rule.when is not None, target.rule.unless is not None
        return "skipped", words.get((when, unless), "its when is not true or its unless is true")
    if found is None:
        return "passes", "a record alone repeats no earlier record (read the file: --record)"
    mine = [finding for finding in found if finding.rule == target.rule.id]
    if mine:
        first = mine[0].message.rpartition("(")[2].rstrip(")")  # "first seen at record n"
        return "fires", f"an earlier record has its key ({first})"
    return "passes", "no earlier record in the file has its key"


def explain_rule(compiled: CompiledPack, rule_id: str, values: Sequence[str | None], *,
                 today: dt.date) -> list[TargetExplanation]:
    """Explain ``rule_id`` on one record (``values`` in ``compiled.fields`` order).

    ``today`` must be the date ``compiled`` was built with.
    """
    explainer = _Explainer(compiled, values, today)
    hits = {id(hit.target): hit for hit in compiled.hits(values)}  # targets are unique objects
    explained = []
    find_targets(compiled, rule_id)  # raises for an unknown rule
    for target in compiled.targets:
        if target.rule.id != rule_id:
            continue
        conditions: list[tuple[str, tuple[Step, ...]]] = []
        running = True  # a run stops at a when that is not true, a check that is not false
        for role in ("when", "check", "unless"):
            checked = getattr(target.code, role)
            if checked is None:
                continue
            if not running:
                conditions.append((role, (explainer.skipped(checked),)))
                continue
            steps = tuple(explainer.steps(checked, target.field))
            conditions.append((role, steps))
            running = steps[0].value is (role == "when")
        verdict, reason = _verdict(target, hits.get(id(target)), dict(conditions))
        explained.append(TargetExplanation(target, tuple(conditions), verdict, reason))
    return explained


class _Explainer:
    def __init__(self, compiled: CompiledPack, values: Sequence[str | None],
                 today: dt.date) -> None:
        self.compiled = compiled
        self.values = tuple(values)
        self.lists = lists_of(compiled.pack)
        self.today = today
        self.field = ""  # the target field being explained

    def steps(self, checked: CheckedExpr, field: str) -> list[Step]:
        self.field = field
        found: list[Step] = []
        self._visit(checked, checked.root, field, 0, found)
        return found

    def skipped(self, checked: CheckedExpr) -> Step:
        return self._step(checked, checked.root, 0, NOT_EVALUATED)

    def _visit(self, checked: CheckedExpr, node: n.Node, field: str, depth: int,
               found: list[Step]) -> Any:
        value = self._value(checked, node, field)
        found.append(self._step(checked, node, depth, value))
        if isinstance(node, n.Binary) and node.op in ("and", "or"):
            left = self._visit(checked, node.left, field, depth + 1, found)
            if left is (node.op == "or"):  # the left operand decides
                found.append(self._step(checked, node.right, depth + 1, NOT_EVALUATED))
            else:
                self._visit(checked, node.right, field, depth + 1, found)
            return value
        for child in n.children(node):
            if not _obvious(child):
                self._visit(checked, child, field, depth + 1, found)
        return value

    def _value(self, checked: CheckedExpr, node: n.Node, field: str) -> Any:
        try:
            return evaluate(checked, node, self.compiled.fields, self.lists, self.values,
                            today=self.today, field=field)
        except Exception as error:  # shown as the step's value, as a run reports it
            return error

    def _step(self, checked: CheckedExpr, node: n.Node, depth: int, value: Any) -> Step:
        text = _LINE_BREAK.sub(" ", checked.source.text[node.span.start:node.span.end])
        if isinstance(node, n.Name) and node.name in ("value", "field_name"):
            text += f" ({self.field})"  # which field the rule is at
        from_record = reads_record(node)
        return Step(depth, text.strip(), value, from_record,
                    from_record and _reads_text_as_number(node))


def _obvious(node: n.Node) -> bool:
    """Literals and lists show their value in their text: no line of their own."""
    if isinstance(node, (n.Literal, n.ListRef)):
        return True
    return isinstance(node, n.ListLiteral) and all(isinstance(i, n.Literal) for i in node.items)


def _reads_text_as_number(node: n.Node) -> bool:
    if isinstance(node, n.Unary) and node.op == "neg":
        return _reads_text_as_number(node.operand)
    return isinstance(node, n.Call) and node.function == "int"


def _verdict(target: Target, hit: Hit | None,
             conditions: dict[str, tuple[Step, ...]]) -> tuple[str, str]:
    if hit is not None and hit.error is not None:
        return "error", f"could not be evaluated ({describe_failure(hit.error)})"
    if hit is not None:
        excuse = ", and its unless is not true" if "unless" in conditions else ""
        return "fires", f"its check is false{excuse}"
    when, check, unless = (_root_value(conditions, role) for role in ("when", "check", "unless"))
    if "when" in conditions and when is not True:
        return "skipped", f"its when is {'null' if when is None else 'false'}"
    if check is None:
        return "passes", "its check is null (a blank value gives no finding)"
    if check is False and unless is True:
        return "excused", "its check is false, but its unless is true"
    return "passes", "its check is true"


def _root_value(conditions: dict[str, tuple[Step, ...]], role: str) -> Any:
    steps = conditions.get(role)
    return steps[0].value if steps else NOT_EVALUATED
