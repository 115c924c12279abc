"""The built-ins the packs lean on: whole-word matching, weighted sums, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from lrsrules.dates import parse_iso_date
from lrsrules.lang.functions import (
    FUNCTIONS,
    EvaluationError,
    WordSet,
    contains_word,
    is_date,
    is_int,
    require_date,
    weighted_sum,
    years_between,
)

ULN_WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize("text, found", [
    ("Test", True), ("Mary-Test", True), ("O'Test", True), ("test123", False),
    ("Testa", False), ("Tester", False), ("Testname", False), ("OLDTESTNAME", False),
    ("not known", True), ("NOT  KNOWN", True), ("Not-Known", True), ("not knowing", False),
    ("known not", False), ("Childs", False), ("", False), ("Zoë Test", True),
])
def test_contains_word_matches_whole_words_and_runs_of_words(text: str, found: bool) -> None:
    assert contains_word(text, ["test", "not known", "child"]) is found


def test_word_set_ignores_blank_entries_and_case() -> None:
    words = WordSet(["", "  ", "DUMMY", "Mickey Mouse"])
    assert words.found_in("a dummy")
    assert words.found_in("mickey-mouse")
    assert not words.found_in("mickey")


@pytest.mark.parametrize("uln", ["1000000043", "1748529632", "1026893096", "6936002314",
                                 "4444599390", "1026922983", "1174112637"])
def test_valid_ulns_leave_remainder_10(uln: str) -> None:
    assert weighted_sum(uln, ULN_WEIGHTS) % 11 == 10


@pytest.mark.parametrize("uln", ["1000000063", "1000000042", "1748529631", "1748529633",
                                 "1234567890", "6666666666", "9999999999"])
def test_invalid_ulns_do_not(uln: str) -> None:
    assert weighted_sum(uln, ULN_WEIGHTS) % 11 != 10


@pytest.mark.parametrize("digits", ["123456789", "12345678901", "ABC4567890",
                                    "１２３４５６７８９０"])
def test_weighted_sum_refuses_anything_but_one_ascii_digit_per_weight(digits: str) -> None:
    with pytest.raises(EvaluationError) as caught:
        weighted_sum(digits, ULN_WEIGHTS)
    assert digits not in str(caught.value)


def test_weighted_sum_specialised_for_a_constant_list_gives_the_same_answer() -> None:
    special = FUNCTIONS["weighted_sum"].specialise
    assert special is not None
    assert special(tuple(ULN_WEIGHTS))("1000000043") == weighted_sum("1000000043", ULN_WEIGHTS)


@pytest.mark.parametrize("text, valid", [
    ("2024-02-29", True), ("1900-02-29", False), ("2000-02-29", True), ("2023-02-29", False),
    ("2024-13-01", False), ("2024-1-01", False), ("20240101", False), ("2024-W01-1", False),
    (" 2024-01-01", False), ("2024-01-01T00:00", False),
])
def test_is_date_wants_a_real_date_written_yyyy_mm_dd(text: str, valid: bool) -> None:
    assert is_date(text) is valid
    assert (parse_iso_date(text) is not None) is valid


def test_require_date_says_why_without_quoting_the_value() -> None:
    with pytest.raises(EvaluationError, match="not in the calendar") as caught:
        require_date(None, "1900-02-29")
    assert "1900" not in str(caught.value)
    with pytest.raises(EvaluationError, match="YYYY-MM-DD"):
        require_date(None, "29/02/1900")


def test_is_int_accepts_a_sign_and_digits_only() -> None:
    assert [is_int(x) for x in ["12", "-3", "+4", "1.0", " 1", "", None]] == [
        True, True, True, False, False, False, False]


@pytest.mark.parametrize("born, on, years", [
    ("2010-06-15", "2026-06-15", 16), ("2010-06-16", "2026-06-15", 15),
    ("2008-02-29", "2026-02-28", 17), ("2008-02-29", "2026-03-01", 18),
    ("2026-06-15", "2010-06-15", -16),
])
def test_years_between_counts_birthdays(born: str, on: str, years: int) -> None:
    assert years_between(dt.date.fromisoformat(born), dt.date.fromisoformat(on)) == years


def test_every_function_is_documented_and_declares_its_parameters() -> None:
    for name, spec in FUNCTIONS.items():
        assert spec.doc, name
        assert all(p in {"text", "number", "bool", "date", "list", "any"} for p in spec.params)
