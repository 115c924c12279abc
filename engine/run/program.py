"""A pack made ready to run: every expression parsed, checked and compiled, once.

The checker and the compiler are imported by ``compile_pack`` alone: a pack read back from
the cache (``run.cache``) runs without them (nor the parser, lark).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from lrsrules.errors import PackError, Problem
from lrsrules.findings import Finding
from lrsrules.lang.checked import CheckedExpr, CheckFunction, RuleCode
from lrsrules.packs.model import ExprSource, Pack, RuleDef

if TYPE_CHECKING:
    from lrsrules.inputs.records import Record
    from lrsrules.lang import nodes as n
    from lrsrules.lang.checker import Scope


@dataclass(frozen=True, slots=True)
class Target:
    """One rule applied to one of its fields; findings point at ``field``."""

    rule: RuleDef
    field: str
    value_index: int  # where the field's value sits in the values tuple
    code: RuleCode  # its checked when/check/unless, for tools that evaluate them one by one


@dataclass(frozen=True, slots=True)
class CrossTarget:
    """A rule that compares records (``unique``), made ready to run on the values tuple
    of ``CompiledPack``; ``crossrecord`` keeps its state."""

    rule: RuleDef
    field: str  # the field its findings point at
    value_index: int
    key_indexes: tuple[int, ...]
    casefold: bool
    # The rule's when and unless (with a check of false): [0] when the record takes part,
    # [(0, exc)] when they could not be evaluated. None: every record takes part.
    takes_part: CheckFunction | None
    code: RuleCode | None

    def key_of(self, values: Sequence[str | None]) -> list[str] | None:
        """The record's key; None when a field of it is blank (the record takes no part)."""
        parts = [values[i] for i in self.key_indexes]
        for part in parts:
            if part is None or not part.strip():
                return None
        return parts  # type: ignore[return-value]

    def applies(self, values: Sequence[str | None]) -> bool | BaseException:
        """Whether the record takes part (its key aside), or why that is unknown."""
        if self.takes_part is None:
            return True
        raw = self.takes_part(values)
        if not raw:
            return False
        return True if raw[0].__class__ is int else raw[0][1]


class Hit(NamedTuple):
    """A target that fired on a record: its rule failed, or could not be evaluated."""

    target: Target
    error: BaseException | None = None  # why it could not be evaluated, if it could not


_new = tuple.__new__  # a Finding without the named tuple's Python __new__


@dataclass(frozen=True, slots=True)
class CompiledPack:
    """A pack prepared to run: ``hits(values)`` for one record's values, in ``fields`` order.

    ``check`` is the generated function itself; its raw result is decoded by ``hits`` alone.
    """

    pack: Pack
    fields: tuple[str, ...]  # the values tuple the check function takes, in this order
    targets: tuple[Target, ...]
    check: CheckFunction
    source: str  # the generated Python, kept for debugging and tests
    loaded_pack: Pack | None = None  # see ``loaded``
    fixes: Mapping[str, CheckedExpr] = dataclass_field(default_factory=dict)  # rule id -> its fix
    cross: tuple[CrossTarget, ...] = ()  # the rules that compare records (``unique``)
    as_of: dt.date | None = None  # the date whose rules are in force, when one was asked for
    # A Hit without an exception for each target, made once (a hit is immutable).
    plain_hits: tuple[Hit, ...] = dataclass_field(init=False, repr=False, compare=False)
    # What each target's finding holds but for the record: field, rule id, severity,
    # message, and the index of the value it reports.
    finding_parts: tuple[tuple[str, str, str, str, int], ...] = dataclass_field(
        init=False, repr=False, compare=False)
    # Each target's severity, by index (for counting findings written as text).
    severities: tuple[str, ...] = dataclass_field(init=False, repr=False, compare=False)
    # ``required_fields``, found once: kept with the pack in the cache, so that a run reads
    # no rule's expression (each is read back from there when first needed).
    required: Mapping[str, str] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plain_hits", tuple(Hit(target) for target in self.targets))
        object.__setattr__(self, "finding_parts", tuple(
            (target.field, target.rule.id, target.rule.severity, target.rule.message,
             target.value_index) for target in self.targets))
        object.__setattr__(self, "severities",
                           tuple(target.rule.severity for target in self.targets))
        required: dict[str, str] = {}
        for target in self.targets:
            code = target.code
            if code.when is None and code.unless is None and _is_presence(
                    code.check.root, target.field):
                required.setdefault(target.field, target.rule.id)
        object.__setattr__(self, "required", required)

    @property
    def loaded(self) -> Pack:
        """The pack as loaded, before only the rules in force were kept (waivers and former
        ids are resolved against it)."""
        return self.loaded_pack or self.pack

    def required_fields(self) -> dict[str, str]:
        """Each field a rule in force requires outright (its check is ``present`` of the
        field, with no when or unless), with the first such rule's id."""
        return dict(self.required)

    def hits(self, values: Sequence[str | None]) -> list[Hit]:
        """The targets that fire on ``values``, in target order."""
        return self.decode(self.check(values))

    def decode(self, raw: list[Any]) -> list[Hit]:
        """What ``check`` returned, as ``Hit``s: the one place that reads its protocol (a
        target index, or a target index and the exception that stopped the rule)."""
        plain, targets = self.plain_hits, self.targets
        return [plain[hit] if hit.__class__ is int
                else tuple.__new__(Hit, (targets[hit[0]], hit[1])) for hit in raw]

    def findings_of(self, record: Record, raw: list[Any]) -> list[Finding]:
        """The findings ``runner.record_findings_of(record, self.decode(raw))`` gives,
        made straight from what ``check`` returned (no ``Hit`` on the way): for a run
        that reports findings and needs nothing else of the hits."""
        number, line, values, every = record.number, record.line, record.values, self.finding_parts
        found = []
        for hit in raw:
            if hit.__class__ is int:
                parts = every[hit]
                found.append(_new(Finding, (number, line, parts[0], parts[1], parts[2],
                                            parts[3], values[parts[4]], None)))
            else:  # the rule could not be evaluated: said as runner says it
                from lrsrules.run.runner import finding_of

                found.append(finding_of(record, Hit(self.targets[hit[0]], hit[1])))
        return [*record.notes, *found] if record.notes else found


def check_pack(pack: Pack, known: Mapping[ExprSource, CheckedExpr] | None = None
               ) -> dict[ExprSource, CheckedExpr]:
    """Every rule's expressions, fixes too, checked in ``pack``'s scope; those in ``known``
    (checked there before, without problems) are taken as they are. All problems are
    raised at once, in one ``PackError``."""
    from lrsrules.lang.checker import Scope

    known = known or {}
    checked: dict[ExprSource, CheckedExpr] = {}
    problems: list[Problem] = []
    for rule in pack.rules:
        scope = Scope(pack.fields, pack.lists, rule.fields)
        for role in ("when", "check", "unless", "fix"):  # a unique rule has no check
            source: ExprSource | None = getattr(rule, role)
            if source is None:
                continue
            result = known.get(source)
            if result is None:
                result, found = parse_and_check(source, scope, role)
                problems += found
            if result is not None:
                checked[source] = result
    if problems:
        raise PackError(problems=sorted(problems, key=_problem_order))
    return checked


def parse_and_check(source: ExprSource, scope: Scope, role: str | None
                    ) -> tuple[CheckedExpr | None, list[Problem]]:
    """``lang.checker.parse_and_check``, the checker imported when a pack is checked."""
    from lrsrules.lang.checker import parse_and_check as parsed_and_checked

    return parsed_and_checked(source, scope, role)


def compile_pack(pack: Pack, *, today: dt.date | None = None,
                 checked: Mapping[ExprSource, CheckedExpr] | None = None,
                 loaded: Pack | None = None) -> CompiledPack:
    """Check every rule's expressions (reporting all problems at once) and compile them.

    ``checked`` holds expressions already checked in ``pack``'s scope (see ``check_pack``),
    so that a pack compiled for several dates, or checked by a tool first, is parsed once.
    ``loaded`` is the pack as loaded when ``pack`` holds only the rules in force of it.
    """
    from lrsrules.lang import nodes as n
    from lrsrules.lang.compiler import compile_rules

    checked = check_pack(pack, checked)
    lists = lists_of(pack)
    codes: list[RuleCode] = []
    targets_of: list[tuple[RuleDef, str]] = []
    used: set[str] = set()
    fixes: dict[str, CheckedExpr] = {}
    unique: list[tuple[RuleDef, RuleCode | None]] = []
    for rule in pack.rules:
        # Fixes were checked too; only the tools that apply them compile them.
        if rule.fix is not None:
            fixes[rule.id] = checked[rule.fix]
        when = None if rule.when is None else checked[rule.when]
        unless = None if rule.unless is None else checked[rule.unless]
        if rule.check is None:  # compares records: a cross-record target, of its own
            used |= {*rule.fields, *rule.unique}
            for expr in (when, unless):
                if expr is not None:
                    used |= n.names_in(expr.root)
            part = (None if when is None and unless is None
                    else RuleCode(_never(), when, unless, rule.fields[0], rule.id))
            unique.append((rule, part))
            continue
        main = checked[rule.check]
        for expr in (when, main, unless):
            if expr is not None:
                used |= n.names_in(expr.root)
        for field in rule.fields:
            used.add(field)
            codes.append(RuleCode(main, when, unless, field, rule.id))
            targets_of.append((rule, field))
    fields = tuple(name for name in pack.fields if name in used)
    index = {name: i for i, name in enumerate(fields)}
    check, code = compile_rules(codes, fields, lists, today=today or dt.date.today(),
                                label=f"<pack {pack.name}>",
                                distinct={name for rule, _ in unique for name in rule.unique})
    targets = tuple(Target(rule, field, index[field], code)
                    for (rule, field), code in zip(targets_of, codes, strict=True))
    cross = tuple(
        CrossTarget(rule, rule.fields[0], index[rule.fields[0]],
                    tuple(index[name] for name in rule.unique), rule.casefold,
                    None if part is None else compile_rules(
                        [part], fields, lists, today=today or dt.date.today(),
                        label=f"<pack {pack.name} {rule.id}>")[0], part)
        for rule, part in unique)
    return CompiledPack(pack, fields, targets, check, code, loaded, fixes, cross)


def _is_presence(root: n.Node, field: str) -> bool:
    from lrsrules.lang import nodes as n

    if not (isinstance(root, n.Call) and root.function == "present" and len(root.args) == 1):
        return False
    arg = root.args[0]
    return isinstance(arg, n.Name) and arg.name in (field, "value")


# The check compiled with a cross-record rule's `when` and `unless`: false, so that the
# function reports each record that takes part. Parsed when first needed: importing this
# module (to run a prepared pack from the cache) must not import the parser.
@cache
def _never() -> CheckedExpr:
    from lrsrules.lang.checker import Scope

    checked, problems = parse_and_check(ExprSource.inline("false"), Scope({}, {}), "check")
    if checked is None or problems:
        raise RuntimeError("the expression false does not check")
    return checked


def _problem_order(problem: Problem) -> tuple[str, int, int]:
    loc = problem.location
    return (loc.file or "", loc.line or 0, loc.column or 0)


def lists_of(pack: Pack) -> Mapping[str, tuple[str, ...]]:
    return {name: spec.entries for name, spec in pack.lists.items()}
