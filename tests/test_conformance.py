"""Runs the expression-language conformance suite kept as data in tests/conformance/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from lrsrules.errors import PackError
from lrsrules.lang.checker import Scope, parse_and_check
from lrsrules.lang.compiler import RuleCode, compile_rules, compile_value
from lrsrules.lang.functions import EvaluationError
from lrsrules.packs.model import ExprSource, FieldDef, ListDef

SUITE = Path(__file__).parent / "conformance"
FIELDS = {name: FieldDef(name) for name in ("a", "b", "c", "n", "d")}
LISTS = {
    "codes": ListDef("codes", ("0", "1", "2")),
    "banned": ListDef("banned", ("test", "unknown", "not known")),
}
TODAY = dt.date(2026, 6, 15)


def _cases() -> list[Any]:
    params = []
    for path in sorted(SUITE.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}::{case['name']}"))
    return params


@pytest.mark.parametrize("case", _cases())
def test_conformance(case: dict[str, Any]) -> None:
    source = ExprSource.inline(case["expr"])
    field = case.get("field")
    scope = Scope(FIELDS, LISTS, (field,) if field else ())
    checked, problems = parse_and_check(source, scope, case.get("role"))
    if "error" in case:
        assert problems, f"expected a load error containing {case['error']!r}"
        first = problems[0]
        assert case["error"] in first.message
        if "column" in case:
            assert first.location.column == case["column"], first.format()
        return
    assert not problems, "\n".join(p.format() for p in problems)
    assert checked is not None
    fields = tuple(FIELDS)
    record = case.get("record", {})
    values = tuple(_as_read(record.get(name)) for name in fields)
    lists = {name: spec.entries for name, spec in LISTS.items()}
    evaluate = compile_value(checked, fields, lists, today=TODAY, field=field)
    if "raises" in case:
        with pytest.raises((EvaluationError, ArithmeticError)) as caught:
            evaluate(values)
        assert case["raises"] in str(caught.value)
        return
    result = evaluate(values)
    expected = case["value"]
    assert result == expected and type(result) is type(expected), (
        f"{case['expr']!r} gave {result!r}, expected {expected!r}")


def _is_condition(case: dict[str, Any]) -> bool:
    return "raises" in case or ("value" in case and (
        case["value"] is None or isinstance(case["value"], bool)))


@pytest.mark.parametrize("case", [p for p in _cases() if _is_condition(p.values[0])])
def test_rule_conditions_agree_with_values(case: dict[str, Any]) -> None:
    """A rule tests its conditions with separate code (guards hoisted, Kleene logic unrolled);
    as a check, a when and an unless, every true/false/null case must behave as its value."""
    expected = case.get("value", "raises")
    field = case.get("field") or "a"
    scope = Scope(FIELDS, LISTS, (field,))
    checked, problems = parse_and_check(ExprSource.inline(case["expr"]), scope, None)
    always_false, _ = parse_and_check(ExprSource.inline("false"), scope, None)
    assert checked is not None and always_false is not None and not problems
    fields = tuple(FIELDS)
    lists = {name: spec.entries for name, spec in LISTS.items()}
    rules = [
        RuleCode(checked, None, None, field),  # fires when the check is false
        RuleCode(always_false, checked, None, field),  # fires when the when is true
        RuleCode(always_false, None, checked, field),  # fires unless the unless is true
    ]
    run, _ = compile_rules(rules, fields, lists, today=TODAY)
    record = case.get("record", {})
    hits = run(tuple(_as_read(record.get(name)) for name in fields))
    if expected == "raises":
        assert [hit[0] for hit in hits if isinstance(hit, tuple)] == [0, 1, 2]
        return
    fired = [hit for hit in hits if not isinstance(hit, tuple)]
    assert fired == [i for i, fires in enumerate(
        [expected is False, expected is True, expected is not True]) if fires], hits


def _as_read(value: object) -> str | None:
    # Blank values reach expressions as null, exactly as the readers deliver them.
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def test_every_case_has_exactly_one_expectation() -> None:
    for param in _cases():
        case = param.values[0]
        assert len({"value", "raises", "error"} & set(case)) == 1, case["name"]


def test_pack_error_formats_with_caret() -> None:
    _, problems = parse_and_check(ExprSource.inline("len(nn) > 1", "p.yaml"),
                                  Scope(FIELDS, LISTS), "check")
    error = PackError(problems=problems)
    assert str(error).startswith("p.yaml:1:5: unknown field 'nn'")
