"""Matching input headings to the pack's fields."""

from __future__ import annotations

import pytest

from lrsrules.errors import InputError
from lrsrules.inputs.headings import HeadingMatch, looks_like_data, match_headings
from lrsrules.packs.model import FieldDef, normalise_heading

FIELDS = {
    field.name: field
    for field in (
        FieldDef("given_name", ("GivenName", "Forename")),
        FieldDef("family_name", ("FamilyName", "Surname")),
        FieldDef("date_of_birth", ("DateOfBirth", "DOB")),
        FieldDef("uln", ("ULN",)),
    )
}


def match(*headings: str) -> HeadingMatch:
    return match_headings(headings, FIELDS, source="learners.csv")


@pytest.mark.parametrize(
    "heading", ["Date of Birth", "date_of_birth", "DATE-OF-BIRTH", "DateOfBirth", " dateofbirth "]
)
def test_case_spaces_underscores_and_hyphens_do_not_matter(heading: str) -> None:
    assert normalise_heading(heading) == "dateofbirth"


def test_headings_match_fields_by_canonical_name_or_alias() -> None:
    found = match("Surname", "ULN", "given name", "dob")
    assert found.columns == {"family_name": 0, "uln": 1, "given_name": 2, "date_of_birth": 3}
    assert found.ignored == ()
    assert found.missing == ()


def test_unmatched_headings_are_ignored_in_file_order_and_missing_fields_in_pack_order() -> None:
    found = match("Favourite colour", "uln", "Shoe size", "Given Name")
    assert found.columns == {"uln": 1, "given_name": 3}
    assert found.ignored == ("Favourite colour", "Shoe size")
    # A heading that looks like a learner's value is never quoted, even among the ignored.
    assert match("Zebedee Quantock", "uln").ignored == ("(column 1: looks like data, not shown)",)
    assert found.missing == ("family_name", "date_of_birth")


def test_a_blank_heading_is_ignored_and_named_by_its_column() -> None:
    found = match("uln", "", "  ")
    assert found.ignored == ("(blank heading, column 2)", "(blank heading, column 3)")


def test_a_heading_repeated_without_matching_a_field_is_ignored_once() -> None:
    assert match("uln", "Extra", "Extra").ignored == ("Extra",)


def test_two_headings_matching_one_field_is_an_error_naming_both_columns() -> None:
    with pytest.raises(InputError) as caught:
        match("GivenName", "uln", "Surname", "given_name")
    assert str(caught.value).startswith(
        "learners.csv:1: headings 'GivenName' (column 1) and 'given_name' (column 4)"
        " both match field given_name"
    )


def test_json_keys_matching_one_field_are_named_without_columns() -> None:
    with pytest.raises(InputError, match="keys 'ULN' and 'uln' both match field uln"):
        match_headings(["ULN", "uln"], FIELDS, source="l.jsonl", keys=True)


def test_no_heading_matching_any_field_is_an_error_with_a_hint() -> None:
    with pytest.raises(InputError) as caught:
        match("GivenName;FamilyName;DOB")
    problem = caught.value.problems[0]
    assert problem.location.line == 1
    assert problem.message == (
        "no heading matches a field of the pack; found 'GivenName;FamilyName;DOB'"
    )
    assert problem.hint is not None
    assert "--delimiter" in problem.hint
    assert "--pack" in problem.hint


def test_a_long_list_of_unmatched_headings_is_cut_short() -> None:
    headings = ["a", "b", "c", "d", "e", "f", "g", "x" * 60]
    with pytest.raises(InputError) as caught:
        match(*headings)
    message = caught.value.problems[0].message
    assert message.endswith("found 'a', 'b', 'c', 'd', 'e' (and 3 more)")


def test_a_heading_too_long_or_unprintable_to_be_one_is_not_quoted() -> None:
    # A wrong encoding or delimiter reads whole lines of learners as one heading.
    with pytest.raises(InputError) as caught:
        match("y" * 100, "\x1b[31mred")
    message = caught.value.problems[0].message
    assert "y" * 10 not in message and "\x1b" not in message
    assert "(column 1: too long for a heading, not shown)" in message
    assert "(column 2: holds control characters, not shown)" in message
    assert match("uln", "\x1b[31mred").ignored == (
        "(column 2: holds control characters, not shown)",)


def test_invisible_format_characters_do_not_hide_a_heading() -> None:
    assert match("\u200bULN", "Given\u00adName").columns == {"uln": 0, "given_name": 1}


def test_no_headings_at_all_is_an_error() -> None:
    with pytest.raises(InputError, match="found no headings"):
        match()


def test_a_canonical_name_wins_over_another_fields_alias() -> None:
    fields = {"uln": FieldDef("uln"), "other": FieldDef("other", ("ULN",))}
    assert match_headings(["ULN"], fields, source="x").columns == {"uln": 0}


def test_no_match_error_does_not_quote_values_that_look_like_personal_data() -> None:
    fields = {"name": FieldDef("name", ("Name",))}
    row = ["Sample", "1026893096", "1976-08-16", "CV4 9EE", "a.b@example.org", "Kind"]
    with pytest.raises(InputError) as caught:
        match_headings(row, fields, source="f.csv")
    message = str(caught.value)
    # A name beside them is a learner's too: when the row looks like a record none is shown.
    for secret in ("Sample", "1026893096", "1976-08-16", "CV4 9EE", "example.org"):
        assert secret not in message
    assert "6 headings found look like a learner's values" in message
    assert "no header row" in message


def test_no_match_error_quotes_headings_that_look_like_headings() -> None:
    fields = {"name": FieldDef("name", ("Name",))}
    with pytest.raises(InputError) as caught:
        match_headings(["Nmae", "Date Of Brith"], fields, source="f.csv")
    assert "'Nmae', 'Date Of Brith'" in str(caught.value)


@pytest.mark.parametrize(("text", "data"), [
    ("Zebedee Quantock", True), ("Mary-Jane O'Neil", True), ("07700 900123", True),
    ("04/05/2007", True), ("2007.05.04", True), ("SW1A 1AA", True), ("z@example.org", True),
    ("9876543210", True), ("Family Name", False), ("Date Of Birth", False),
    ("Last Known Post Code", False), ("GivenName", False), ("Notes", False),
])
def test_looks_like_data_tells_values_from_headings(text: str, data: bool) -> None:
    assert looks_like_data(text) is data
