"""A pack made ready to run: every expression parsed, checked and compiled, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from lrsrules.errors import PackError, Problem
from lrsrules.lang import nodes as n
from lrsrules.lang.checker import CheckedExpr, Scope, parse_and_check
from lrsrules.lang.compiler import CheckFunction, RuleCode, compile_rules
from lrsrules.packs.model import ExprSource, Pack, RuleDef


@dataclass(frozen=True, slots=True)
class Target:
    """One rule applied to one of its fields; findings point at ``field``."""

    rule: RuleDef
    field: str
    value_index: int  # where the field's value sits in the values tuple
    code: RuleCode  # its checked when/check/unless, for tools that evaluate them one by one


@dataclass(frozen=True, slots=True)
class CompiledPack:
    pack: Pack
    fields: tuple[str, ...]  # the values tuple the check function takes, in this order
    targets: tuple[Target, ...]
    check: CheckFunction
    source: str  # the generated Python, kept for debugging and tests


def compile_pack(pack: Pack, *, today: dt.date | None = None) -> CompiledPack:
    """Check every rule's expressions (reporting all problems at once) and compile them."""
    lists = lists_of(pack)
    problems: list[Problem] = []
    codes: list[RuleCode] = []
    targets_of: list[tuple[RuleDef, str]] = []
    used: set[str] = set()
    for rule in pack.rules:
        scope = Scope(pack.fields, pack.lists, rule.fields)
        checked: dict[str, CheckedExpr | None] = {}
        for role in ("when", "check", "unless"):
            text: ExprSource | None = getattr(rule, role)
            if text is None:
                checked[role] = None
                continue
            result, found = parse_and_check(text, scope, role)
            problems += found
            checked[role] = result
            if result is not None:
                used |= n.names_in(result.root)
        if rule.fix is not None:  # checked now; compiled only by the tools that apply fixes
            problems += parse_and_check(rule.fix, scope, "fix")[1]
        main = checked["check"]
        if main is None:
            continue
        for field in rule.fields:
            used.add(field)
            codes.append(RuleCode(main, checked["when"], checked["unless"], field, rule.id))
            targets_of.append((rule, field))
    if problems:
        raise PackError(problems=sorted(problems, key=_problem_order))
    fields = tuple(name for name in pack.fields if name in used)
    index = {name: i for i, name in enumerate(fields)}
    check, code = compile_rules(codes, fields, lists, today=today or dt.date.today(),
                                label=f"<pack {pack.name}>")
    targets = tuple(Target(rule, field, index[field], code)
                    for (rule, field), code in zip(targets_of, codes, strict=True))
    return CompiledPack(pack, fields, targets, check, code)


def _problem_order(problem: Problem) -> tuple[str, int, int]:
    loc = problem.location
    return (loc.file or "", loc.line or 0, loc.column or 0)


def lists_of(pack: Pack) -> Mapping[str, tuple[str, ...]]:
    return {name: spec.entries for name, spec in pack.lists.items()}
