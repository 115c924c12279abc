"""Bad input of any shape gets a clear error or a finding, never a traceback.

Property tests: arbitrary expression text, arbitrary pack YAML and arbitrary input bytes
go through the real stages; anything but an ``EngineError`` (or a clean result) fails.
"""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.errors import EngineError
from lrsrules.lang.checker import Scope, parse_and_check
from lrsrules.lang.compiler import RuleCode, compile_rules
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import ExprSource, FieldDef, ListDef
from lrsrules.run.program import compile_pack

FIELDS = {name: FieldDef(name) for name in ("a", "b")}
LISTS = {"codes": ListDef("codes", ("0", "1"))}
TOKENS = ["a", "b", "value", "@codes", "@nope", "'x'", '"y"', "1", "2.5", "-", "+", "*", "/",
          "%", "==", "!=", "<", "<=", ">", ">=", "in", "not", "and", "or", "matches", "(",
          ")", "[", "]", ",", "true", "false", "null", "len(", "upper(", "int(", "date(",
          "is_date(", "present(", "contains_word(", "weighted_sum(", "today()", "'[0-9]+'",
          "'('", "years_between("]
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12), st.sampled_from(
    [None, "check", "fix"]))
def test_any_token_soup_is_an_expression_or_a_located_problem(tokens: list[str],
                                                              role: str | None) -> None:
    text = " ".join(tokens)
    checked, problems = parse_and_check(ExprSource.inline(text), Scope(FIELDS, LISTS, ("a",)),
                                        role)
    for problem in problems:
        assert problem.location.line == 1 and problem.location.column is not None
        assert 1 <= problem.location.column <= len(text) + 1
    if checked is None or problems or role != "check":
        return
    # What checks cleanly compiles, and evaluating it is a value or a caught error.
    run, _ = compile_rules([RuleCode(checked, None, None, "a")], ("a", "b"),
                           {"codes": ("0", "1")}, today=dt.date(2026, 1, 1))
    for values in [(None, None), ("1", "x"), ("2024-02-29", "0"), ("", " ")]:
        assert isinstance(run(values), list)


@SETTINGS
@given(st.text(alphabet=string.printable + "éß’\u00a0", max_size=60))
def test_any_expression_text_never_raises_past_the_checker(text: str) -> None:
    parse_and_check(ExprSource.inline(text), Scope(FIELDS, LISTS, ("a",)), "check")


PACK_LINES = ["pack: p", "version: 1.0.0", "version: 1.0", "fields:", "  a: {}",
              "  a: {aliases: [A]}", "  b:", "lists:", "  codes: [0, 1]", "rules:",
              "  - id: P.A.01", "    field: a", "    field: [a, b]", "    severity: error",
              "    severity: fatal", "    check: len(a) <= 3", "    check: len(", "    when: true",
              "    message: m", "    unless: a in @codes", "include: [nowhere]", "  - {}",
              "\t- tab", "key: [unclosed", "* alias", "&anchor x: 1", "'quote", "title: 'x'"]


@SETTINGS
@given(st.lists(st.sampled_from(PACK_LINES), max_size=14))
def test_any_pack_file_loads_or_reports_problems_with_places(tmp_path: Path,
                                                            lines: list[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    try:
        compile_pack(load_pack(path))
    except EngineError as error:
        text = str(error)
        assert text and all(p.location.file for p in error.problems)


PACK = """\
pack: p
version: 1.0.0
fields:
  name: {aliases: [Name]}
  n: {aliases: [N]}
rules:
  - {id: P.N.01, field: n, severity: error, check: "int(n) > 0", message: m}
  - {id: P.NAME.01, field: name, severity: warning, check: "len(name) < 5", message: m}
"""


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["d.csv", "d.jsonl", "d.txt"]))
def test_any_input_bytes_give_a_report_or_an_input_error_never_a_traceback(
        tmp_path: Path, content: bytes, name: str) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, "utf-8")
    data = tmp_path / name
    data.write_bytes(b"Name,N\n" + content if name != "d.jsonl" else content)
    result = CliRunner().invoke(app, ["validate", str(data), "--pack", str(pack),
                                      "--format", "jsonl"])
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
