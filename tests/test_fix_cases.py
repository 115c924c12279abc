"""Pack test cases may state what a rule's fix gives; `lrsrules test` checks it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from typer.testing import CliRunner

from lrsrules.authoring.packtests import run_pack_tests
from lrsrules.cli.app import app

PACK = """
pack: fx
version: 1.0.0
fields:
  name: {aliases: [Name]}
  code: {aliases: [Code]}
rules:
  - id: FX.NAME.01
    field: name
    severity: error
    check: value == trim(value)
    fix: trim(value)
    message: Name has spaces around it
  - id: FX.CODE.01
    field: code
    severity: error
    check: code in ['A', 'B']
    fix: upper(value)
    message: Code is not A or B
"""
CASES = """
cases:
  - {name: clean, record: {Name: Ann, Code: A}, expect: []}
  - name: spaces around a name
    record: {Name: " Ann ", Code: A}
    expect: [FX.NAME.01]
    fixed: {Name: %s}
  - name: lower-case code
    record: {Name: Ann, Code: b}
    expect: [FX.CODE.01]
%s
"""
CODE_FIXED = "    fixed: {Code: B}"


def folder_with(tmp_path: Path, name_fixed: str, code_fixed: str = CODE_FIXED) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "fx.yaml").write_text(textwrap.dedent(PACK).lstrip(), "utf-8")
    (tmp_path / "tests" / "cases.yaml").write_text(CASES % (name_fixed, code_fixed), "utf-8")
    return tmp_path / "fx.yaml"


def test_stated_fixes_that_hold_pass_and_count_in_coverage(tmp_path: Path) -> None:
    report = run_pack_tests(folder_with(tmp_path, "Ann"))
    assert report.passed
    assert [(c.rule, c.has_fix, c.fix_tested) for c in report.coverage] == [
        ("FX.NAME.01", True, True), ("FX.CODE.01", True, True)]
    result = runner.invoke(app, ["test", str(tmp_path / "fx.yaml")])
    assert result.exit_code == 0, result.stdout
    assert "2/2 fixes give what their cases state" in result.stdout


def test_a_fix_that_gives_another_value_fails_the_case_naming_both(tmp_path: Path) -> None:
    report = run_pack_tests(folder_with(tmp_path, "'Ann '"))
    [failure] = report.failures
    assert failure.fix_mismatches == (("name", "Ann ", "Ann"),)
    assert "fixed:      name should be 'Ann ' after fixing, but is 'Ann'" in failure.explain()


def test_a_rule_with_a_fix_and_no_fixed_case_is_a_coverage_gap(tmp_path: Path) -> None:
    report = run_pack_tests(folder_with(tmp_path, "Ann", code_fixed=""))
    [gap] = report.gaps
    assert gap.rule == "FX.CODE.01"
    assert gap.gaps == ("no case states what its fix gives (fixed:)",)


def test_fixed_headings_are_checked_like_record_headings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["test", str(folder_with(tmp_path, "Ann", "    fixed: {Cod: B}"))])
    assert result.exit_code == 2
    assert "'Cod' matches no field of pack fx; did you mean 'Code'?" in result.stdout + \
        result.stderr


runner = CliRunner()
