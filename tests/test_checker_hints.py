"""Every hint the checker gives is written with the expression at hand, literals included.

Each case is run with the literal varied, so a hint with fixed text ('1') cannot pass.
"""

from __future__ import annotations

import pytest

from lrsrules.errors import Problem
from lrsrules.lang.checker import Scope, parse_and_check
from lrsrules.packs.model import ExprSource, FieldDef, ListDef

FIELDS = {name: FieldDef(name) for name in ("weekly_hours", "gender", "name", "a", "b")}
FIELDS |= {name: FieldDef(name, format="date") for name in ("start_date", "end_date")}
LISTS = {"codes": ListDef("codes", ("1", "2"))}


def problems(expr: str, role: str | None = "check",
             rule_fields: tuple[str, ...] = ("weekly_hours",)) -> list[Problem]:
    _, found = parse_and_check(ExprSource.inline(expr), Scope(FIELDS, LISTS, rule_fields), role)
    return found


def only(expr: str, role: str | None = "check", **kwargs: tuple[str, ...]) -> Problem:
    found = problems(expr, role, **kwargs)
    assert len(found) == 1, [p.message for p in found]
    return found[0]


NUMBERS = ["1", "40", "7.5", "-3"]
OPS = ["<", "<=", ">", ">="]


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("op", OPS)
def test_text_ordered_against_a_number_hints_the_conversion_with_that_number(
        op: str, number: str) -> None:
    problem = only(f"weekly_hours {op} {number}")
    assert "compares text with a number" in problem.message
    assert problem.hint == f"field values are text: write int(weekly_hours) {op} {number}"


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("op", OPS)
def test_text_ordered_against_quoted_digits_is_a_load_error(op: str, number: str) -> None:
    problem = only(f"weekly_hours {op} '{number}'")
    assert "orders it letter by letter" in problem.message
    assert problem.hint == f"compare numbers: int(weekly_hours) {op} {number}"
    assert problem.location.column == 1


def test_the_issue_slip_cannot_be_written_without_a_load_error() -> None:
    found = problems("weekly_hours >= '1' and weekly_hours <= '40'")
    assert [p.hint for p in found] == ["compare numbers: int(weekly_hours) >= 1",
                                       "compare numbers: int(weekly_hours) <= 40"]
    assert [p.location.column for p in found] == [1, 25]


@pytest.mark.parametrize("number", NUMBERS)
def test_a_number_on_the_left_is_converted_on_the_right(number: str) -> None:
    assert only(f"{number} < weekly_hours").hint == (
        f"field values are text: write {number} < int(weekly_hours)")


@pytest.mark.parametrize("code", ["0", "1", "9"])
@pytest.mark.parametrize("op", ["==", "!="])
def test_text_equal_to_a_number_hints_the_quoted_code_or_numbers(op: str, code: str) -> None:
    assert only(f"gender {op} {code}").hint == (
        f"field values are text: write gender {op} '{code}', or compare numbers: "
        f"int(gender) {op} {code}")


def test_two_text_fields_ordered_are_offered_both_readings() -> None:
    assert only("a < b").hint == "compare numbers: int(a) < int(b), or dates: date(a) < date(b)"


@pytest.mark.parametrize("day", ["2020-01-01", "1999-12-31"])
@pytest.mark.parametrize("op", OPS)
def test_fields_of_format_date_order_with_each_other_and_with_date_literals(
        op: str, day: str) -> None:
    assert problems(f"start_date {op} end_date") == []
    assert problems(f"start_date {op} '{day}'") == []
    assert problems(f"value {op} '{day}'", rule_fields=("start_date",)) == []


@pytest.mark.parametrize("day", ["2020-01-01", "1999-12-31"])
def test_a_plain_text_field_against_a_date_literal_hints_dates(day: str) -> None:
    assert only(f"a <= '{day}'").hint == f"compare dates: date(a) <= date('{day}')"


@pytest.mark.parametrize("word", ["M", "abc"])
def test_text_against_a_word_names_the_word(word: str) -> None:
    hint = only(f"name < '{word}'").hint
    assert hint is not None and hint.startswith(f"'{word}' is neither a number nor a date")


@pytest.mark.parametrize("field", ["a", "start_date"])
def test_a_date_against_text_converts_that_text(field: str) -> None:
    assert only(f"today() > {field}").hint == f"compare dates: today() > date({field})"


@pytest.mark.parametrize("written", ["01/02/2020", "2020-13-40"])
def test_a_date_against_a_text_that_is_no_date_says_so(written: str) -> None:
    hint = only(f"date(a) > '{written}'").hint
    assert hint is not None and hint.startswith(f"'{written}' is not a date written YYYY-MM-DD")


@pytest.mark.parametrize("field", ["a", "b"])
def test_a_function_wanting_a_date_gets_the_field_converted(field: str) -> None:
    assert only(f"years_between({field}, today()) > 2").hint == f"write date({field})"


@pytest.mark.parametrize("field", ["a", "b"])
def test_arithmetic_on_text_gets_the_field_converted(field: str) -> None:
    problem = only(f"{field} * 2 > 1")
    assert problem.hint == f"write int({field})"


@pytest.mark.parametrize("field", ["a", "b"])
def test_text_used_as_true_or_false_gets_a_test_of_that_field(field: str) -> None:
    hints = [p.hint for p in problems(f"{field} and present(name)")]
    assert hints == [f"test it: present({field}), or compare it: {field} == '...'"]


@pytest.mark.parametrize("codes", [[0, 1, 2], [1, 9]])
def test_numbers_in_a_list_get_the_same_list_quoted(codes: list[int]) -> None:
    written = ", ".join(str(c) for c in codes)
    quoted = ", ".join(f"'{c}'" for c in codes)
    assert only(f"gender in [{written}]").hint == (
        f"write the codes as text: gender in [{quoted}]")


@pytest.mark.parametrize("field", ["a", "b"])
def test_matches_with_a_field_or_list_says_what_to_write_instead(field: str) -> None:
    assert only(f"name matches {field}").hint == (
        f"write the pattern itself in quotes after 'matches'; to compare with another field "
        f"write name == {field}")
    assert only(f"{field} matches @codes").hint == (
        f"to test whether the value is in the list, write {field} in @codes")


@pytest.mark.parametrize(("expr", "hint"), [
    ("len(a)", "compare it: len(a) > 0"),
    ("len(name)", "compare it: len(name) > 0"),
    ("a", "test it: present(a), or compare it: a == '...'"),
    ("trim(name)", "compare it: trim(name) != ''"),
    ("date(b)", "compare it: date(b) <= today()"),
])
def test_a_condition_that_is_not_true_or_false_gets_a_test_of_itself(expr: str,
                                                                     hint: str) -> None:
    assert only(expr, role="when").hint == hint


@pytest.mark.parametrize(("expr", "hint"), [
    ("len(name)", "a fix gives the corrected text itself, for example trim(name)"),
    ("len(value)", "a fix gives the corrected text itself, for example trim(value)"),
    ("value == 'X'", "a fix gives the corrected text itself: write 'X'"),
    ("value == 'Mr'", "a fix gives the corrected text itself: write 'Mr'"),
])
def test_a_fix_that_gives_no_text_gets_a_hint_from_its_own_expression(expr: str,
                                                                      hint: str) -> None:
    assert only(expr, role="fix").hint == hint


@pytest.mark.parametrize("field", ["a", "b"])
def test_a_number_expression_equal_to_text_converts_the_text(field: str) -> None:
    assert only(f"len(name) == {field}").hint == (
        f"field values are text: write len(name) == int({field})")
