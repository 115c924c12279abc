"""Reading records out of CSV and JSON Lines files."""

from __future__ import annotations

import inspect
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from lrsrules.errors import InputError, Problem
from lrsrules.inputs import readers
from lrsrules.inputs.readers import open_records
from lrsrules.inputs.records import Record
from lrsrules.limits import MAX_CELL_CHARS
from lrsrules.packs.model import FieldDef

DATA = Path(__file__).parent / "data"
FIELDS = {
    field.name: field
    for field in (
        FieldDef("given_name", ("GivenName", "Forename")),
        FieldDef("family_name", ("FamilyName", "Surname")),
        FieldDef("date_of_birth", ("DateOfBirth", "DOB")),
        FieldDef("uln", ("ULN",)),
        FieldDef("notes"),
    )
}
WANTED = ("given_name", "family_name", "uln")


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def read(path: Path, wanted: tuple[str, ...] = WANTED, **options: Any) -> list[Record]:
    with open_records(path, FIELDS, wanted, **options) as source:
        return list(source)


def values(path: Path, wanted: tuple[str, ...] = WANTED, **options: Any) -> list[tuple[Any, ...]]:
    return [record.values for record in read(path, wanted, **options)]


def problem(caught: pytest.ExceptionInfo[InputError]) -> Problem:
    return caught.value.problems[0]


# --- CSV ---------------------------------------------------------------------------------


def test_the_csv_fixture_reads_as_expected() -> None:
    with open_records(DATA / "learners.csv", FIELDS, ("given_name", "notes", "uln")) as source:
        records = list(source)
        assert (source.format, source.encoding, source.delimiter) == ("csv", "utf-8-sig", ",")
        assert source.headings[0] == "GivenName"  # the BOM is gone
        assert source.match.ignored == ("Favourite colour",)
    assert [(r.number, r.line, r.values, r.issue) for r in records] == [
        (1, 2, ("Ada", None, "1000000043"), None),
        (2, 3, ("  Alan ", "Two\r\nline note", None), None),
        (3, 6, (None, None, None), "record has 4 values but the header has 6 headings"),
        (4, 7, (None, None, "1026893096"), None),
    ]


def test_values_keep_their_spaces_and_blank_values_are_none(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", "given_name,family_name,uln\n Ada , ,\t\n")
    assert values(path) == [(" Ada ", None, None)]


def test_values_come_in_the_order_asked_for(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", "uln,family_name,given_name\n1,Lovelace,Ada\n")
    assert values(path, ("given_name", "uln", "family_name")) == [("Ada", "1", "Lovelace")]


def test_a_wanted_field_without_a_column_is_none_in_every_record(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", "given_name\nAda\nAlan\n")
    with open_records(path, FIELDS, ("uln", "given_name")) as source:
        assert [r.values for r in source] == [(None, "Ada"), (None, "Alan")]
        assert source.match.missing == ("family_name", "date_of_birth", "uln", "notes")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected_from_the_header(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["given_name", "family_name", "uln"]) + "\n"
    text += delimiter.join(["Ada", "Lovelace, Countess", "1000000043"]) + "\n"
    with open_records(write(tmp_path, "l.csv", text), FIELDS, WANTED) as source:
        assert source.delimiter == delimiter
        if delimiter == ",":  # an unquoted comma in a value is a fourth cell then
            assert next(iter(source)).issue is not None
        else:
            assert next(iter(source)).values == ("Ada", "Lovelace, Countess", "1000000043")


def test_delimiters_inside_quoted_headings_do_not_count(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", '"notes; or; remarks",given_name\nx,Ada\n')
    with open_records(path, FIELDS, WANTED) as source:
        assert source.delimiter == ","


def test_a_header_without_any_delimiter_means_comma(tmp_path: Path) -> None:
    with open_records(write(tmp_path, "l.csv", "given_name\nAda\n"), FIELDS, WANTED) as source:
        assert source.delimiter == ","


@pytest.mark.parametrize(
    ("given", "expected"),
    [("comma", ","), ("semicolon", ";"), ("TAB", "\t"), ("pipe", "|"), ("\\t", "\t"), ("|", "|")],
)
def test_the_delimiter_can_be_given_by_name(tmp_path: Path, given: str, expected: str) -> None:
    path = write(tmp_path, "l.csv", f"given_name{expected}uln\nAda{expected}1\n")
    assert values(path, delimiter=given) == [("Ada", None, "1")]


def test_an_unsupported_delimiter_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported delimiter ':'"):
        read(write(tmp_path, "l.csv", "given_name\n"), delimiter=":")


def test_a_wrong_delimiter_leaves_no_heading_matched_and_hints_at_the_option(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "l.csv", "given_name|uln\nAda|1\n")
    with pytest.raises(InputError) as caught:
        read(path, delimiter=",")
    assert "found 'given_name|uln'" in problem(caught).message
    assert "--delimiter" in (problem(caught).hint or "")


def test_cp1252_is_read_when_given_as_the_encoding() -> None:
    path = DATA / "learners-cp1252.csv"
    assert values(path, encoding="cp1252") == [("Zoë", "Brontë", None), ("Renée", "O’Brien", None)]


def test_undecodable_bytes_are_an_error_naming_the_line_and_suggesting_cp1252(
    tmp_path: Path,
) -> None:
    # Far enough down that the text layer fails on a block that began lines earlier.
    body = "".join(f"Ada{n},Lovelace,1\n" for n in range(1000))
    data = b"given_name,family_name,uln\n" + body.encode() + "Zoë,Brontë,1\n".encode("cp1252")
    path = write(tmp_path, "l.csv", data)
    with pytest.raises(InputError) as caught:
        read(path)
    found = problem(caught)
    assert (found.location.file, found.location.line, found.location.column) == (
        str(path),
        1002,
        3,
    )
    assert found.message == "cannot decode the file as utf-8: byte 0xeb is not valid here"
    assert found.hint is not None and "--encoding cp1252" in found.hint


def test_records_before_an_undecodable_line_arrive_before_the_error(tmp_path: Path) -> None:
    body = "".join(f"Ada{n},Lovelace,1\n" for n in range(10_000)).encode()
    path = write(tmp_path, "l.csv", b"given_name,family_name,uln\n" + body + b"\xff,x,1\n")
    with open_records(path, FIELDS, WANTED) as source:
        records = iter(source)
        assert next(records).values == ("Ada0", "Lovelace", "1")
        with pytest.raises(InputError, match="cannot decode"):
            list(records)


@pytest.mark.parametrize(
    ("start", "hint"),
    [
        ("\ufeffgiven_name\n".encode("utf-16-le"), "--encoding utf-16"),
        (b"PK\x03\x04\x14\x00\x06\x00\xff", "Excel workbook"),
    ],
)
def test_undecodable_files_of_a_known_kind_get_a_hint_for_that_kind(
    tmp_path: Path, start: bytes, hint: str
) -> None:
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, "l.csv", start))
    assert hint in (problem(caught).hint or "")


def test_plain_utf8_as_the_encoding_also_drops_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", b"\xef\xbb\xbfgiven_name\nAda\n")
    with open_records(path, FIELDS, WANTED, encoding="UTF8") as source:
        assert source.headings == ("given_name",)


def test_an_unknown_encoding_is_an_input_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, "l.csv", "given_name\n"), encoding="klingon")
    assert problem(caught).message == "unknown encoding 'klingon'"
    assert "cp1252" in (problem(caught).hint or "")


def test_a_quoted_value_over_several_lines_keeps_later_line_numbers_right(tmp_path: Path) -> None:
    text = 'given_name,notes\nAda,"one\ntwo\nthree"\nAlan,\n'
    records = read(write(tmp_path, "l.csv", text), ("given_name", "notes"))
    assert [(r.number, r.line) for r in records] == [(1, 2), (2, 5)]
    assert records[0].values == ("Ada", "one\ntwo\nthree")


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    text = "\n\ngiven_name,uln\n\nAda,1\n   \n\nAlan,2\n"
    records = read(write(tmp_path, "l.csv", text))
    assert [(r.number, r.line, r.values) for r in records] == [
        (1, 5, ("Ada", None, "1")),
        (2, 8, ("Alan", None, "2")),
    ]


def test_a_row_with_the_wrong_number_of_cells_is_a_record_issue(tmp_path: Path) -> None:
    text = "given_name,family_name,uln\nAda,Lovelace,1,extra\nAlan\nGrace,Hopper,2\n"
    records = read(write(tmp_path, "l.csv", text))
    assert [(r.values, r.issue) for r in records] == [
        ((None, None, None), "record has 4 values but the header has 3 headings"),
        ((None, None, None), "record has 1 value but the header has 3 headings"),
        (("Grace", "Hopper", "2"), None),
    ]


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_file_is_an_input_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match="the file is empty: expected a header row"):
        read(write(tmp_path, "l.csv", text))


def test_a_header_only_file_has_no_records(tmp_path: Path) -> None:
    assert read(write(tmp_path, "l.csv", "given_name,uln\n")) == []


def test_a_value_longer_than_the_cell_limit_is_an_input_error_with_its_line(
    tmp_path: Path,
) -> None:
    text = "given_name,notes\nAda,short\nAlan," + "x" * (MAX_CELL_CHARS + 1) + "\n"
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, "l.csv", text))
    assert problem(caught).location.line == 3
    assert f"longer than {MAX_CELL_CHARS} characters" in problem(caught).message


def test_a_long_notes_value_is_read(tmp_path: Path) -> None:
    notes = "n" * 500_000  # beyond the csv module's default limit of 128 KiB
    path = write(tmp_path, "l.csv", f"given_name,notes\nAda,{notes}\n")
    assert values(path, ("notes",)) == [(notes,)]


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read(tmp_path / "absent.csv")
    assert str(caught.value) == f"{tmp_path / 'absent.csv'}: file not found"


def test_a_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        read(tmp_path)


def test_an_unreadable_file_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # Faked, as file modes do not stop the root user that CI containers often run as.
    monkeypatch.setattr(readers, "open", refuse, raising=False)
    with pytest.raises(InputError, match="permission denied"):
        read(write(tmp_path, "l.csv", "given_name\n"))


def test_reading_never_changes_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", DATA.joinpath("learners.csv").read_bytes())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# --- format ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("l.txt", "given_name\nAda\n", "csv"),
        ("l.tsv", "given_name\tuln\nAda\t1\n", "csv"),
        ("l.ndjson", '{"given_name": "Ada"}\n', "jsonl"),
        ("l.dat", '\n  {"given_name": "Ada"}\n', "jsonl"),
        ("l.dat", "given_name\nAda\n", "csv"),
    ],
)
def test_the_format_follows_the_extension_or_the_first_character(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    with open_records(write(tmp_path, name, text), FIELDS, WANTED) as source:
        assert source.format == expected
        assert next(iter(source)).values[0] == "Ada"


def test_the_format_given_beats_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", '{"given_name": "Ada"}\n')
    assert values(path, input_format="jsonl") == [("Ada", None, None)]


def test_an_unknown_format_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown input format 'xml'"):
        read(write(tmp_path, "l.csv", "given_name\n"), input_format="xml")


# --- JSON Lines ----------------------------------------------------------------------------


def test_the_jsonl_fixture_reads_as_expected() -> None:
    with open_records(DATA / "learners.jsonl", FIELDS, WANTED) as source:
        records = list(source)
        assert (source.format, source.delimiter) == ("jsonl", None)
        assert source.match.ignored == ("consent",)
    assert [(r.number, r.line, r.values, r.issue) for r in records] == [
        (1, 1, ("Ada", "Lovelace", "1000000043"), None),
        (2, 3, ("Alan", "Turing", None), None),
        (3, 4, (None, None, None), "field family_name holds a JSON array; expected text"),
    ]


def test_json_numbers_and_booleans_become_their_text(tmp_path: Path) -> None:
    line = '{"uln": 1000000043, "given_name": 1.50, "family_name": true, "notes": false}\n'
    path = write(tmp_path, "l.jsonl", line)
    assert values(path, ("uln", "given_name", "family_name", "notes")) == [
        ("1000000043", "1.50", "true", "false")
    ]


def test_json_null_and_blank_strings_are_none_and_others_are_untrimmed(tmp_path: Path) -> None:
    path = write(tmp_path, "l.jsonl", '{"given_name": " Ada ", "family_name": null, "uln": " "}\n')
    assert values(path) == [(" Ada ", None, None)]


def test_keys_may_change_from_line_to_line(tmp_path: Path) -> None:
    text = (
        '{"GivenName": "Ada", "Colour": "blue"}\n'
        '{"Surname": "Turing", "given_name": "Alan", "Shoe": 9, "Colour": "red"}\n'
        '{"uln": "1", "Colour": "green"}\n'
    )
    with open_records(write(tmp_path, "l.jsonl", text), FIELDS, WANTED) as source:
        assert source.match.missing == ("family_name", "date_of_birth", "uln", "notes")
        records = list(source)
        assert source.match.ignored == ("Colour", "Shoe")
        assert source.match.missing == ("date_of_birth", "notes")
        assert source.headings == ("GivenName", "Colour", "Surname", "given_name", "Shoe", "uln")
    assert [r.values for r in records] == [
        ("Ada", None, None),
        ("Alan", "Turing", None),
        (None, None, "1"),
    ]


def test_a_line_that_is_not_json_is_an_error_at_its_line_and_column(tmp_path: Path) -> None:
    text = '{"given_name": "Ada"}\n{"given_name": "Alan",}\n'
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, "l.jsonl", text))
    found = problem(caught)
    assert (found.location.line, found.location.column) == (2, 23)
    assert found.message.startswith("the line is not valid JSON: ")
    assert found.hint == "each line must be one JSON object"


def test_a_json_value_that_is_not_an_object_is_a_record_issue(tmp_path: Path) -> None:
    text = '{"given_name": "Ada"}\n["Alan"]\n"Grace"\n'
    records = read(write(tmp_path, "l.jsonl", text))
    assert [r.issue for r in records] == [
        None,
        "the line holds a JSON array, not an object",
        "the line holds a JSON string, not an object",
    ]


def test_a_first_line_that_is_not_an_object_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="first line holds a JSON array"):
        read(write(tmp_path, "l.jsonl", '[{"given_name": "Ada"}]\n'))


def test_a_nested_value_is_a_record_issue_that_does_not_quote_it(tmp_path: Path) -> None:
    text = '{"given_name": "Ada"}\n{"given_name": {"first": "Secret"}}\n'
    record = read(write(tmp_path, "l.jsonl", text))[1]
    assert record.issue == "field given_name holds a JSON object; expected text"
    assert record.values == (None, None, None)


def test_a_nested_value_in_a_field_not_wanted_does_not_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "l.jsonl", '{"given_name": "Ada", "notes": ["x"]}\n')
    assert [r.issue for r in read(path)] == [None]


def test_two_keys_of_a_later_object_matching_one_field_is_a_record_issue(tmp_path: Path) -> None:
    text = '{"given_name": "Ada"}\n{"GivenName": "Alan", "given_name": "Al"}\n'
    record = read(write(tmp_path, "l.jsonl", text))[1]
    assert record.issue == "keys 'GivenName' and 'given_name' both match field given_name"


def test_two_keys_of_the_first_object_matching_one_field_is_an_input_error(
    tmp_path: Path,
) -> None:
    with pytest.raises(InputError, match="keys 'ULN' and 'uln' both match field uln"):
        read(write(tmp_path, "l.jsonl", '{"ULN": "1", "uln": "2"}\n'))


def test_a_first_object_whose_keys_match_no_field_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, "l.jsonl", '\n{"colour": "blue"}\n{"given_name": "Ada"}\n'))
    assert problem(caught).location.line == 2
    assert problem(caught).message == "no key matches a field of the pack; found 'colour'"


def test_unmatched_keys_are_kept_within_bounds(tmp_path: Path) -> None:
    lines = "".join(f'{{"given_name": "Ada", "id{n}": 1}}\n' for n in range(1500))
    with open_records(write(tmp_path, "l.jsonl", lines), FIELDS, WANTED) as source:
        assert sum(1 for _ in source) == 1500
        ignored = source.match.ignored
    assert ignored[:2] == ("id0", "id1")
    assert ignored[-1] == "(and more keys)"
    assert len(ignored) <= 1001


def test_an_empty_jsonl_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected a JSON object"):
        read(write(tmp_path, "l.jsonl", "\n"))


# --- streaming ---------------------------------------------------------------------------


def test_records_are_produced_by_a_generator(tmp_path: Path) -> None:
    with open_records(write(tmp_path, "l.csv", "given_name\nAda\n"), FIELDS, WANTED) as source:
        assert inspect.isgenerator(iter(source))


@pytest.mark.parametrize("name", ["big.csv", "big.jsonl"])
def test_memory_stays_flat_however_long_the_file(tmp_path: Path, name: str) -> None:
    count = 40_000
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as out:
        if name.endswith(".csv"):
            out.write("given_name,family_name,uln,notes\n")
            out.writelines(f"Learner{n},Family{n},{n},{'z' * 60}\n" for n in range(count))
        else:
            out.writelines(
                f'{{"given_name": "L{n}", "uln": {n}, "notes": "{"z" * 60}"}}\n'
                for n in range(count)
            )
    assert path.stat().st_size > 3_000_000
    tracemalloc.start()
    try:
        with open_records(path, FIELDS, WANTED) as source:
            seen = sum(1 for _ in source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < 1_000_000, f"peak {peak} bytes while reading a {path.stat().st_size}-byte file"


def test_a_record_repr_does_not_show_its_values() -> None:
    assert "Secret" not in repr(Record(1, 2, ("Secret",)))


def test_a_mapping_value_past_the_cell_limit_is_an_input_error() -> None:
    from lrsrules.inputs.mappings import MappingSource

    rows = [{"GivenName": "Ada"}, {"GivenName": "x" * (MAX_CELL_CHARS + 1)}]
    source = MappingSource(rows, FIELDS, ("given_name",))
    with pytest.raises(InputError) as caught:
        list(source)
    assert problem(caught).location.line == 2
    assert f"longer than {MAX_CELL_CHARS} characters" in problem(caught).message
    assert "field given_name of record 2" in problem(caught).message
