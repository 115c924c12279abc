"""compile_pack: every expression of a pack checked at once, errors placed in the YAML file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lrsrules.errors import PackError
from lrsrules.packs.loader import load_pack
from lrsrules.run import program
from lrsrules.run.program import check_pack, compile_pack

HEAD = """\
pack: p
version: 1.0.0
fields:
  name: {aliases: [Name]}
  kind: {}
lists:
  kinds: [a, b]
rules:
"""


def compile_text(tmp_path: Path, rules: str) -> object:
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + rules, "utf-8")
    return compile_pack(load_pack(path), today=dt.date(2026, 6, 15))


def problems(tmp_path: Path, rules: str) -> list[tuple[int | None, int | None, str]]:
    with pytest.raises(PackError) as caught:
        compile_text(tmp_path, rules)
    return [(p.location.line, p.location.column, p.message) for p in caught.value.problems]


def test_error_in_a_plain_scalar_points_at_its_column(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
  - id: P.A.01
    field: name
    severity: error
    check: len(nmae) <= 35
    message: m
""")
    assert found == [(12, 16, "unknown field 'nmae'; did you mean 'name'?")]


def test_error_in_a_quoted_scalar_counts_the_quote(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
  - id: P.A.01
    field: name
    severity: error
    check: "kind in @kindz"
    message: m
""")
    assert found == [(12, 21, "unknown list '@kindz'; did you mean '@kinds'?")]


def test_error_in_a_block_scalar_points_at_its_own_line(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
  - id: P.A.01
    field: name
    severity: error
    check: |
      present(name) and
        lenn(name) < 3
    message: m
""")
    assert found == [(14, 9, "unknown function 'lenn()'; did you mean 'len()'?")]


def test_every_problem_of_every_rule_is_reported_in_file_order(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
  - id: P.A.01
    field: name
    severity: error
    when: name == 1
    check: len(name) <= 35 and
    message: m
  - id: P.A.02
    field: kind
    severity: warning
    check: kind matches '(a)\\1'
    unless: upper(kind, kind) == 'A'
    message: m
""")
    assert [(line, message.split(";")[0]) for line, _, message in found] == [
        (12, "'==' compares text with a number"),
        (13, "the expression ends too early"),
        (18, "invalid regular expression: backreferences are not allowed"),
        (19, "upper() takes 1 argument, not 2"),
    ]


def test_the_error_prints_file_line_column_and_a_caret(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        compile_text(tmp_path, """\
  - id: P.A.01
    field: name
    severity: error
    check: len(nmae) <= 35
    message: m
""")
    text = str(caught.value)
    assert text.splitlines() == [
        f"{tmp_path / 'p.yaml'}:12:16: unknown field 'nmae'; did you mean 'name'?",
        "        check: len(nmae) <= 35",
        "                   ^",
    ]


def test_an_alias_used_as_a_field_name_gets_a_pointed_hint(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
  - id: P.A.01
    field: name
    severity: error
    check: present(Name)
    message: m
""")
    assert "'Name' is a heading of field 'name'" in found[0][2]


def test_compiled_pack_takes_only_the_fields_its_rules_read(tmp_path: Path) -> None:
    compiled = compile_text(tmp_path, """\
  - id: P.A.01
    field: kind
    severity: error
    check: kind in @kinds
    message: m
""")
    assert compiled.fields == ("kind",)  # type: ignore[attr-defined]
    assert compiled.check(("c",)) == [0]  # type: ignore[attr-defined]
    assert compiled.check(("a",)) == []  # type: ignore[attr-defined]


def test_a_multi_field_rule_has_one_target_per_field(tmp_path: Path) -> None:
    compiled = compile_text(tmp_path, """\
  - id: P.A.01
    field: [name, kind]
    severity: error
    check: len(value) <= 3 or field_name == 'kind'
    message: m
""")
    targets = compiled.targets  # type: ignore[attr-defined]
    assert [(t.rule.id, t.field) for t in targets] == [("P.A.01", "name"), ("P.A.01", "kind")]
    assert compiled.check(("Alexander", "long kind")) == [0]  # type: ignore[attr-defined]


def test_a_fix_expression_is_checked_when_the_pack_loads(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
  - id: P.A.01
    field: name
    severity: error
    check: len(name) <= 35
    fix: len(nmae)
    message: m
""")
    assert [(line, message.split(";")[0]) for line, _, message in found] == [
        (13, "a 'fix' must give text, but this is a number"), (13, "unknown field 'nmae'")]


def test_a_pack_compiled_from_its_checked_expressions_is_not_parsed_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + """\
  - id: P.A.01
    field: kind
    severity: error
    when: present(name)
    check: kind in @kinds
    fix: trim(value)
    message: m
""", "utf-8")
    pack = load_pack(path)
    checked = check_pack(pack)
    assert sorted(source.text for source in checked) == [
        "kind in @kinds", "present(name)", "trim(value)"]

    def unexpected(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(program, "parse_and_check", unexpected)
    for day in (dt.date(2026, 6, 15), dt.date(2027, 1, 1)):
        compiled = compile_pack(pack, today=day, checked=checked)
        assert compiled.fields == ("name", "kind")
        assert compiled.check(("Bo", "c")) == [0]
