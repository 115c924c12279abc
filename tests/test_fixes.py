"""Fix expressions: checked when compiled, applied only where their rule fires."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from lrsrules.errors import PackError
from lrsrules.packs.discovery import bundled_packs
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import ExprSource
from lrsrules.run.fixes import FixProgram, compile_fixes, fix_record, fix_source
from lrsrules.run.program import compile_pack

TODAY = dt.date(2026, 11, 29)
PACK = """\
pack: fixing
version: 1.0.0
fields:
  name: {}
  code: {}
rules:
  - id: FX.NAME.01
    field: name
    severity: warning
    check: name == trim(name)
    fix: trim(value)
    message: spaces around the name
  - id: FX.NAME.02
    field: name
    severity: error
    check: not (name matches '.*[0-9].*')
    message: digits in the name
  - id: FX.CODE.01
    field: code
    severity: error
    check: code in ['A', 'B']
    fix: upper(value)
    message: code must be A or B
"""


def program(tmp_path: Path, text: str = PACK) -> FixProgram:
    path = tmp_path / "pack.yaml"
    path.write_text(text, "utf-8")
    return compile_fixes(compile_pack(load_pack(path), today=TODAY), today=TODAY)


def test_the_loader_keeps_a_fix_as_an_expression_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK, "utf-8")
    rule = load_pack(path).rules[0]
    source = fix_source(rule)
    assert isinstance(source, ExprSource) and source.text == "trim(value)"
    assert source.location(0).line == 11


def test_a_fix_applies_where_its_rule_fires(tmp_path: Path) -> None:
    values, changes = fix_record(program(tmp_path), {"name": "  Ann ", "code": "a"})
    assert values == {"name": "Ann", "code": "A"}
    assert [(c.field, c.rules, c.old, c.new) for c in changes] == [
        ("name", ("FX.NAME.01",), "  Ann ", "Ann"), ("code", ("FX.CODE.01",), "a", "A")]


def test_no_fix_where_the_rule_passes_or_the_fix_changes_nothing(tmp_path: Path) -> None:
    fixes = program(tmp_path)
    assert fix_record(fixes, {"name": "Ann", "code": "A"})[1] == ()
    # The code rule fires on "c" but upper("c") is still wrong: the value changes.
    assert [c.new for c in fix_record(fixes, {"name": "Ann", "code": "c"})[1]] == ["C"]
    # A rule without a fix leaves its field alone.
    assert fix_record(fixes, {"name": "Ann2", "code": "A"})[1] == ()


def test_a_fix_giving_blank_or_null_is_not_applied(tmp_path: Path) -> None:
    text = PACK.replace("fix: upper(value)", "fix: trim(value)")
    values, changes = fix_record(program(tmp_path, text), {"name": "Ann", "code": "  "})
    assert changes == () and values["code"] == "  "


def test_a_fix_must_give_text_and_is_reported_at_its_place(tmp_path: Path) -> None:
    text = PACK.replace("fix: upper(value)", "fix: len(value)")
    with pytest.raises(PackError) as caught:
        program(tmp_path, text)
    problem = caught.value.problems[0]
    assert "a 'fix' must give text, but this is a number" in problem.message
    assert (problem.location.line, problem.location.column) == (22, 10)


def test_a_fix_naming_an_unknown_field_is_reported(tmp_path: Path) -> None:
    text = PACK.replace("fix: upper(value)", "fix: upper(cdoe)")
    with pytest.raises(PackError) as caught:
        program(tmp_path, text)
    assert "unknown field 'cdoe'; did you mean 'code'?" in str(caught.value)


def test_a_fix_that_is_not_text_in_the_yaml_is_a_shape_error(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        program(tmp_path, PACK.replace("fix: upper(value)", "fix: 12"))
    assert "fix must be text" in str(caught.value)


@cache
def lrs_fixes() -> FixProgram:
    return compile_fixes(compile_pack(load_pack("lrs-default"), today=TODAY), today=TODAY)


@pytest.mark.parametrize("name", bundled_packs())
def test_the_fixes_of_every_bundled_pack_compile(name: str) -> None:
    compile_fixes(compile_pack(load_pack(name)))


@pytest.mark.parametrize(("field", "value", "fixed"), [
    ("last_known_postcode", "cv49ee", "CV4 9EE"),
    ("last_known_postcode", " ls4 4pl ", "LS4 4PL"),
    ("last_known_postcode", "gir0aa", "GIR 0AA"),
    ("last_known_postcode", "bfpo 57", "BFPO57"),
    ("given_name", " Mary", "Mary"),
    ("family_name", "Smith\t", "Smith"),
    ("date_of_birth", "14/03/2008", "2008-03-14"),
    ("date_of_address_capture", "01/09/2025", "2025-09-01"),
    ("uln", "1026 893 096", "1026893096"),
    ("email_address", " a.b@example.org ", "a.b@example.org"),
    ("gender", " 2", "2"),
])
def test_the_lrs_fixes_correct_what_they_can(field: str, value: str, fixed: str) -> None:
    fixes = lrs_fixes()
    record = {"given_name": "Sample", "family_name": "Testname", field: value}
    values, changes = fix_record(fixes, record)
    assert values[field] == fixed, changes
    assert [c.field for c in changes] == [field]


@pytest.mark.parametrize(("field", "value"), [
    ("last_known_postcode", "XX XXX"), ("date_of_birth", "2008-3-14"), ("uln", "1000000042"),
])
def test_the_lrs_fixes_leave_what_needs_a_person(field: str, value: str) -> None:
    values, changes = fix_record(lrs_fixes(), {"given_name": "Sample", "family_name": "Testname",
                                         field: value})
    assert changes == () and values[field] == value
