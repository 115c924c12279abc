"""Aligning a file's headings with the layout's: each mistake named once, never a cascade."""

from __future__ import annotations

from lrsrules.batch.headingdiff import HeadingIssue, align_headings

EXPECTED = ["GivenName", "FamilyName", "ULN", "MISIdentifier", "Title", "DateOfBirth", "Gender"]


def kinds(found: list[str]) -> list[tuple[str, str | None, str | None]]:
    return [(i.kind, i.expected, i.found) for i in align_headings(EXPECTED, found).issues]


def test_the_prescribed_headings_have_no_issues_and_map_each_column() -> None:
    alignment = align_headings(EXPECTED, EXPECTED)
    assert alignment.issues == ()
    assert alignment.recognised
    assert alignment.columns == {h: i for i, h in enumerate(EXPECTED)}


def test_a_missing_heading_is_reported_once_not_every_later_heading() -> None:
    found = [h for h in EXPECTED if h != "FamilyName"]
    alignment = align_headings(EXPECTED, found)
    assert alignment.issues == (HeadingIssue("missing", "FamilyName", None, None, 1),)
    assert alignment.columns["Gender"] == 5


def test_an_unexpected_heading_is_reported_once() -> None:
    found = [*EXPECTED[:2], "Course", *EXPECTED[2:]]
    assert kinds(found) == [("unexpected", None, "Course")]


def test_a_swapped_pair_is_one_moved_heading_and_both_columns_are_mapped() -> None:
    found = ["FamilyName", "GivenName", *EXPECTED[2:]]
    alignment = align_headings(EXPECTED, found)
    assert [(i.kind, i.expected, i.column, i.position) for i in alignment.issues] == [
        ("moved", "FamilyName", 0, 1)]
    assert alignment.columns["GivenName"] == 1 and alignment.columns["FamilyName"] == 0


def test_a_heading_moved_far_is_one_issue() -> None:
    found = ["Gender", *EXPECTED[:-1]]
    assert kinds(found) == [("moved", "Gender", "Gender")]


def test_a_heading_in_the_wrong_case_is_misspelt_not_missing_and_unexpected() -> None:
    found = ["givenname", *EXPECTED[1:]]
    alignment = align_headings(EXPECTED, found)
    assert kinds(found) == [("misspelt", "GivenName", "givenname")]
    assert alignment.columns["GivenName"] == 0


def test_close_spellings_and_separators_are_misspelt() -> None:
    found = ["GivenNme", "Family Name", *EXPECTED[2:]]
    assert kinds(found) == [("misspelt", "GivenName", "GivenNme"),
                            ("misspelt", "FamilyName", "Family Name")]


def test_a_misspelt_heading_out_of_place_is_still_one_issue() -> None:
    found = ["Family_Name", "GivenName", *EXPECTED[2:]]
    assert kinds(found) == [("misspelt", "FamilyName", "Family_Name")]


def test_one_heading_standing_where_one_is_missing_is_taken_for_it() -> None:
    found = [*EXPECTED[:5], "DOB", "Gender"]
    alignment = align_headings(EXPECTED, found)
    assert kinds(found) == [("misspelt", "DateOfBirth", "DOB")]
    assert alignment.columns["DateOfBirth"] == 5


def test_a_repeated_heading_is_a_duplicate() -> None:
    found = [*EXPECTED, "ULN"]
    alignment = align_headings(EXPECTED, found)
    assert kinds(found) == [("duplicate", "ULN", "ULN")]
    assert alignment.columns["ULN"] == 2  # the first one counts


def test_several_mistakes_are_each_named_once_in_file_order() -> None:
    found = ["FamilyName", "GivenName", "ULN", "Title", "Extra", "Dateofbirth", "Gender"]
    assert kinds(found) == [
        ("moved", "FamilyName", "FamilyName"),
        ("missing", "MISIdentifier", None),
        ("unexpected", None, "Extra"),
        ("misspelt", "DateOfBirth", "Dateofbirth"),
    ]


def test_a_row_of_data_is_not_recognised_and_has_no_issues() -> None:
    alignment = align_headings(EXPECTED, ["Sample", "Testname", "1026893096", "", "",
                                          "1976-08-16", "2"])
    assert not alignment.recognised
    assert alignment.issues == () and alignment.columns == {}
