"""Conditions in words for the pack docs, generated from the syntax tree."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lrsrules.authoring.packdocs import build_pack_docs
from lrsrules.authoring.words import describe, pattern_words
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import ExprSource
from lrsrules.report.docpages import render_html, render_markdown


@pytest.mark.parametrize(("expr", "words"), [
    ("uln matches '[1-9][0-9]{9}'", "uln is 10 digits, the first not 0"),
    ("scn matches '[0-9]{9}'", "scn is 9 digits"),
    ("len(value) <= 35", "the value has at most 35 characters"),
    ("present(a) and not blank(b)", "a is given and b is given"),
    ("not (present(a) and b == 'x')", "a is blank or b is not 'x'"),
    ("gender in ['0', '1']", "gender is one of '0', '1'"),
    ("lower(trim(value)) not in @titles",
     "the value without surrounding spaces in lower case is not in the list @titles"),
    ("date(dob) <= today()", "dob is on or before today"),
    ("years_between(date(dob), today()) >= 13", "the whole years from dob to today is at least 13"),
    ("not contains_word(value, @words)", "the value contains no word in the list @words"),
    ("upper(pc) matches 'ZZ99 ?9ZZ'",
     "pc in capitals is written as 'ZZ99', then optionally a space, then '9ZZ'"),
])
def test_conditions_read_in_words(expr: str, words: str) -> None:
    assert describe(ExprSource.inline(expr)) == words


@pytest.mark.parametrize("expr", [
    "weighted_sum(uln, [10, 9]) % 11 == 10",  # no plain reading: the expression stands alone
    "name matches '(?:mr|mrs)\\\\.? .+'",
    "value matches '[^\\\\W\\\\d_].*'",
])
def test_what_has_no_plain_reading_gives_none_rather_than_a_guess(expr: str) -> None:
    assert describe(ExprSource.inline(expr)) is None


@pytest.mark.parametrize(("pattern", "words"), [
    ("[A-Z]{2}[0-9]{6}[A-D]", None),  # [A-D] is no class it names
    ("[A-Z]{1,2}[0-9]+", "written as 1 to 2 capital letters, then 1 or more digits"),
])
def test_pattern_words(pattern: str, words: str | None) -> None:
    assert pattern_words(pattern) == words


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), "utf-8")
    return path


def test_overlay_docs_show_disabled_rules_and_changed_severities_with_reasons(
        tmp_path: Path) -> None:
    write(tmp_path / "base" / "base.yaml", """
        pack: base
        version: 1.0.0
        fields: {name: {aliases: [Name]}, code: {aliases: [Code]}}
        rules:
          - {id: B.NAME.01, field: name, severity: error, check: len(value) <= 5, message: long}
          - {id: B.CODE.01, field: code, severity: error, check: "code in ['1']", message: c}
        """)
    write(tmp_path / "base" / "tests" / "cases.yaml", """
        cases:
          - {name: long name, record: {Name: Alexander}, expect: [B.NAME.01]}
          - {name: short name, record: {Name: Al}, expect: []}
          - {name: code two, record: {Name: Al, Code: "2"}, expect: [B.CODE.01]}
          - {name: code one, record: {Name: Al, Code: "1"}, expect: []}
        """)
    overlay = write(tmp_path / "college" / "college.yaml", """
        pack: college
        version: 1.0.0
        extends: ../base
        overrides:
          - {rule: B.NAME.01, severity: warning, reason: our forms allow long names}
          - {rule: B.CODE.01, disabled: true, reason: we do not collect codes}
        """)
    docs = build_pack_docs(load_pack(overlay))
    page = render_markdown(docs)
    assert "## Rules this overlay disables\n\n| Rule | Reason |\n|---|---|\n" \
           "| B.CODE.01 | we do not collect codes |" in page
    assert "- **Severity:** warning (changed from error by the overlay: our forms allow " \
           "long names)" in page
    assert str(tmp_path) not in page
    html_page = render_html(docs)
    assert "<td>B.CODE.01</td><td>we do not collect codes</td>" in html_page
    assert "changed from error by the overlay: our forms allow long names" in html_page


def test_examples_are_the_rule_s_own_cases(tmp_path: Path) -> None:
    write(tmp_path / "p" / "p.yaml", """
        pack: p
        version: 1.0.0
        fields: {name: {aliases: [Name]}, code: {aliases: [Code]}}
        rules:
          - {id: P.NAME.01, field: name, severity: error, check: len(value) <= 5, message: l}
          - {id: P.CODE.01, field: code, severity: error, check: "code in ['1']", message: c}
        """)
    write(tmp_path / "p" / "tests" / "cases.yaml", """
        base: {Name: Al}
        cases:
          - {name: long name, record: {Name: Alexander}, expect: [P.NAME.01]}
          - {name: short name, record: {Name: Bo}, expect: []}
          - {name: code two, record: {Code: "2"}, expect: [P.CODE.01]}
          - {name: code one, record: {Code: "1"}, expect: []}
        """)
    docs = build_pack_docs(load_pack(tmp_path / "p" / "p.yaml"))
    by_id = {rule.rule.id: rule for rule in docs.rules}
    # "code one" passes the name rule too (the base name is short), but is not about names.
    assert [e.case for e in by_id["P.NAME.01"].passes] == ["short name"]
    assert [e.case for e in by_id["P.CODE.01"].passes] == ["code one"]


def test_an_expression_that_does_not_parse_has_no_words() -> None:
    assert describe(ExprSource.inline("not " * 500 + "present(a)")) is None
    assert describe(ExprSource.inline("a == ")) is None
