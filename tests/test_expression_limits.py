"""Expressions are bounded (lrsrules.limits), and what is within bounds compiles and runs.

Each bad expression is a located ``PackError`` naming the limit and what to do, never a
RecursionError or an internal error; chains of one operator (code lists written out) are
length, not depth, and pass ``check`` and ``validate`` at any plausible length.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.lang.checker import Scope, parse_and_check
from lrsrules.lang.compiler import RuleCode, compile_rules, compile_value
from lrsrules.limits import (
    EXPRESSION_CHARS,
    EXPRESSION_DEPTH,
    LIST_LITERAL_ENTRIES,
    NUMBER_LITERAL_DIGITS,
    STRING_LITERAL_CHARS,
)
from lrsrules.packs.model import ExprSource, FieldDef

runner = CliRunner()
SCOPE = Scope({"a": FieldDef("a"), "b": FieldDef("b")}, {}, ("a",))
TODAY = dt.date(2026, 1, 1)


def problems_of(text: str) -> list[str]:
    _, problems = parse_and_check(ExprSource.inline(text), SCOPE, "check")
    return [problem.format() for problem in problems]


@pytest.mark.parametrize(("text", "words", "column"), [
    ("not " * 5000 + "a == 'x'", f"more than {EXPRESSION_DEPTH} levels deep", None),
    ("(" * 5000 + "a == 'x'" + ")" * 5000, f"brackets nest more than {EXPRESSION_DEPTH}",
     EXPRESSION_DEPTH + 1),
    ("[" * 5000 + "]" * 5000 + " == a", "brackets nest", EXPRESSION_DEPTH + 1),
    ("-" * 5000 + "1 == 1", "levels deep", None),
    ("a == " + "trim(" * 5000 + "a" + ")" * 5000, "brackets nest", None),
    ("a == 'x' or (" * 3000 + "a == 'y'" + ")" * 3000, "brackets nest", None),
    ("1 - " * 5000 + "1 == 0", "levels deep", None),  # '-' is not regrouped
    ("len(a) == " + "1" * 5000, f"5,000 digits; at most {NUMBER_LITERAL_DIGITS}", 11),
    ("1" * 200 + ".5 == 1.0", "201 digits", 1),
    ("a == '" + "x" * (STRING_LITERAL_CHARS + 1) + "'",
     f"at most {STRING_LITERAL_CHARS:,} are allowed (STRING_LITERAL_CHARS)", 6),
    ("a in [" + "'1', " * (LIST_LITERAL_ENTRIES + 1) + "]",
     f"at most {LIST_LITERAL_ENTRIES:,} are allowed (LIST_LITERAL_ENTRIES)", 6),
    ("a == 'x' or " * (EXPRESSION_CHARS // 10) + "true",
     f"at most {EXPRESSION_CHARS:,} are allowed (EXPRESSION_CHARS)", 1),
])
def test_an_expression_over_a_limit_is_one_clear_located_problem(
        text: str, words: str, column: int | None) -> None:
    problems = problems_of(text)
    assert len(problems) == 1 and words in problems[0], problems
    where, _, message = problems[0].partition(": ")
    assert where.startswith("<expression>:1:")
    if column is not None:
        assert where == f"<expression>:1:{column}"
    assert "lists" in message or "split" in message or "shorter" in message  # what to do


def test_an_expression_at_the_depth_limit_checks_compiles_and_runs() -> None:
    # The worst shapes for generated code: every kind of level, nested to the limit.
    shapes = [
        "(" * (EXPRESSION_DEPTH - 2) + "a == 'x'" + ")" * (EXPRESSION_DEPTH - 2),
        "not " * (EXPRESSION_DEPTH - 2) + "a == 'x'",
        "len(" + "trim(" * (EXPRESSION_DEPTH - 3) + "a" + ")" * (EXPRESSION_DEPTH - 2) + " > 1",
        "len(a) " + "+ (len(b) " * (EXPRESSION_DEPTH - 3) + ")" * (EXPRESSION_DEPTH - 3)
        + " > 2",
        "a == 'x' or (b == 'y' and (" * ((EXPRESSION_DEPTH - 4) // 2)
        + "a == b" + "))" * ((EXPRESSION_DEPTH - 4) // 2),
    ]
    for text in shapes:
        checked, problems = parse_and_check(ExprSource.inline(text), SCOPE, "check")
        assert checked is not None and not problems, (text, problems)
        run, _ = compile_rules([RuleCode(checked, None, None, "a")], ("a", "b"), {},
                               today=TODAY)
        value = compile_value(checked, ("a", "b"), {}, today=TODAY, field="a")
        for values in [("x", "yy"), (None, None), ("", "x")]:
            assert isinstance(run(values), list)
            value(values)


@pytest.mark.parametrize("terms", [200, 1000, 5000])
def test_long_chains_are_length_not_depth(terms: int) -> None:
    chains = {
        "or": " or ".join(f"a == '{i}'" for i in range(terms)),
        "and": " and ".join(f"a != '{i}'" for i in range(terms)),
        "+": " + ".join(["a"] * terms) + " == b",
        "number +": " + ".join(["len(a)"] * terms) + f" == {3 * terms}",
    }
    for kind, text in chains.items():
        checked, problems = parse_and_check(ExprSource.inline(text), SCOPE, "check")
        assert checked is not None and not problems, (kind, problems)
        run, _ = compile_rules([RuleCode(checked, None, None, "a")], ("a", "b"), {},
                               today=TODAY)
        verdicts = {values: run(values) for values in [("7", "7" * terms), ("x", None),
                                                        ("abc", "")]}
        last = str(terms - 1)
        if kind == "or":
            assert verdicts[("7", "7" * terms)] == [] and run((last, None)) == []
            assert verdicts[("x", None)] == [0]
        elif kind == "and":
            assert verdicts[("7", "7" * terms)] == [0] and run((last, None)) == [0]
            assert verdicts[("x", None)] == [] if terms > 7 else True
        elif kind == "+":
            assert verdicts[("7", "7" * terms)] == [] and verdicts[("x", None)] == []
        else:
            assert verdicts[("abc", "")] == [] and verdicts[("7", "7" * terms)] == [0]


def test_chains_keep_kleene_nulls_and_the_order_of_short_cuts() -> None:
    # Regrouped as a balanced tree, a chain still runs left to right: the error in the
    # last operand is reached only when nothing before it decides.
    text = "b == 'x' or a == 'y' or int(a) == 1 or len(b) > 9 or int(b) == 2"
    checked, problems = parse_and_check(ExprSource.inline(text), SCOPE, None)
    assert checked is not None and not problems
    value = compile_value(checked, ("a", "b"), {}, today=TODAY)
    assert value(("y", "no")) is True
    assert value(("1", None)) is True  # int(a) decides; b's nulls do not matter
    assert value(("2", None)) is None  # nothing true, something null
    with pytest.raises(Exception, match="whole number"):
        value(("z", "q"))  # int(a) is reached, as written
    assert value((None, "x")) is True


def test_a_decimal_sum_keeps_its_grouping() -> None:
    # 0.1 + 0.2 + 0.3 rounds differently as 0.1 + (0.2 + 0.3): decimals are not regrouped.
    checked, _ = parse_and_check(ExprSource.inline("0.1 + 0.2 + 0.3 + 0.4"), SCOPE, None)
    assert checked is not None
    assert compile_value(checked, ("a", "b"), {}, today=TODAY)((None, None)) == \
        0.1 + 0.2 + 0.3 + 0.4


PACK = """\
pack: p
version: 1.0.0
fields:
  a: {{aliases: [A]}}
rules:
  - id: P.A.01
    field: a
    severity: error
    check: {check}
    message: m
"""


def write_pack(tmp_path: Path, check: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(PACK.format(check=check), "utf-8")
    return path


@pytest.mark.parametrize("terms", [200, 1000, 5000])
def test_a_code_list_written_out_passes_check_and_validate(tmp_path: Path, terms: int) -> None:
    pack = write_pack(tmp_path, " or ".join(f"a == '{i}'" for i in range(terms)))
    records = tmp_path / "in.csv"
    records.write_text(f"A\n1\n{terms - 1}\nnot a code\n", "utf-8")
    result = runner.invoke(app, ["check", str(pack)])
    assert result.exit_code in (0, 1) and "0 errors" in result.stdout, result.output
    result = runner.invoke(app, ["validate", "--pack", str(pack), str(records)])
    assert result.exit_code == 1 and "1 finding" in result.stdout, result.output


@pytest.mark.parametrize(("check", "words"), [
    ("not " * 5000 + "present(a)", "levels deep"),
    ("(" * 5000 + "present(a)" + ")" * 5000, "brackets nest"),
    ("len(a) == " + "9" * 5000, "digits"),
])
def test_a_pack_with_a_bad_expression_is_exit_2_at_its_place(tmp_path: Path, check: str,
                                                              words: str) -> None:
    pack = write_pack(tmp_path, check)
    for args in (["check", str(pack)], ["validate", "--pack", str(pack), str(pack)],
                 ["explain", "--pack", str(pack), "--code"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "p.yaml:9:" in result.output and words in result.output, result.output
    result = runner.invoke(app, ["docs", str(pack)])  # shows the text as written
    assert result.exit_code == 0 and "internal error" not in result.output, result.output


def test_a_5_mib_string_literal_is_refused_in_linear_time(tmp_path: Path) -> None:
    from lrsrules.errors import PackError
    from lrsrules.packs.loader import load_pack
    from lrsrules.run.program import compile_pack
    pack = write_pack(tmp_path, "a != '" + "x" * (5 << 20) + "'")
    start = time.perf_counter()
    # The file itself is over the YAML file limit: refused before anything is parsed.
    with pytest.raises(PackError, match="larger than 2 MiB"):
        compile_pack(load_pack(pack))
    assert time.perf_counter() - start < 120  # generous: minutes would mean quadratic
