"""YAML with source positions: data, locations, errors and expression positions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lrsrules.errors import Location, PackError
from lrsrules.packs.yamlsource import YamlDocument, load_yaml


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> YamlDocument:
    return load_yaml(write(tmp_path, text))


def failure(tmp_path: Path, text: str) -> PackError:
    with pytest.raises(PackError) as caught:
        load(tmp_path, text)
    return caught.value


def where(error: PackError, index: int = 0) -> tuple[int | None, int | None]:
    location = error.problems[index].location
    return (location.line, location.column)


def test_data_is_plain_python_with_dates_kept_as_text(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        """
        pack: x
        since: 2024-01-01
        stamp: 2024-01-01 10:00:00
        count: 3
        ratio: 1.5
        flag: true
        nothing: null
        items: [a, 1]
        """,
    )
    assert doc.data == {
        "pack": "x",
        "since": "2024-01-01",
        "stamp": "2024-01-01 10:00:00",
        "count": 3,
        "ratio": 1.5,
        "flag": True,
        "nothing": None,
        "items": ["a", 1],
    }


def test_mapping_keys_are_their_text_as_written(tmp_path: Path) -> None:
    doc = load(tmp_path, "fields:\n  1: a\n  yes: b\n")
    assert doc.data == {"fields": {"1": "a", "yes": "b"}}


def test_locations_of_values_and_keys_are_one_based(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        """
        pack: x
        rules:
          - id: A.B
            check: present(a)
        """,
    )
    assert doc.location(("rules", 0, "check")) == Location(doc.path, 4, 12)
    assert doc.key_location(("rules", 0, "check")) == Location(doc.path, 4, 5)
    assert doc.location(("rules", 0)) == Location(doc.path, 3, 5)
    assert doc.key_location(("rules", 0)) == doc.location(("rules", 0))


def test_location_of_a_missing_path_is_its_nearest_ancestor(tmp_path: Path) -> None:
    doc = load(tmp_path, "pack: x\nrules:\n  - id: A.B\n")
    assert doc.location(("rules", 0, "check")) == doc.location(("rules", 0))


def test_raw_gives_the_scalar_text_before_typing(tmp_path: Path) -> None:
    doc = load(tmp_path, "a: 0\nb: true\nc: 01\nd: 1.50\ne: 'quoted'\nf: ~\n")
    assert doc.data["c"] == 1
    assert [doc.raw((key,)) for key in "abcdef"] == ["0", "true", "01", "1.50", "quoted", "~"]


def test_duplicate_key_is_reported_at_the_second_key_naming_the_first_line(tmp_path: Path) -> None:
    error = failure(
        tmp_path,
        """
        pack: x
        rules:
          - id: A.B
            check: a
            message: m
            check: b
        """,
    )
    assert where(error) == (6, 5)
    assert error.problems[0].message == "duplicate key 'check' (first at line 4)"


def test_every_duplicate_key_is_reported(tmp_path: Path) -> None:
    error = failure(tmp_path, "a: 1\nb: 2\na: 3\nb: 4\n")
    assert [where(error, i) for i in range(2)] == [(3, 1), (4, 1)]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("a: [1, 2\nb: 3\n", 2, 2, "expected ',' or ']', but got ':'"),
        ("pack: x\nrules:\n  - id: X\n   bad: 1\n", 4, 4, "this line is indented 3 spaces"),
        ("check: a: b\n", 1, 9, "': ' inside a value that is not in quotes"),
        ('a: "unterminated\n', 1, 4, "the quote opened here is not closed"),
        ("a: 1\n---\nb: 2\n", 2, 1, "expected a single document in the stream"),
    ],
)
def test_syntax_errors_give_line_column_and_a_readable_message(
    tmp_path: Path, text: str, line: int, column: int, message: str
) -> None:
    error = failure(tmp_path, text)
    assert where(error) == (line, column)
    assert error.problems[0].message.startswith("could not parse YAML: ")
    assert message in error.problems[0].message
    assert "Traceback" not in str(error)


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    error = failure(tmp_path, "pack: x\n\tversion: 1\n")
    assert where(error) == (2, 1)
    assert error.problems[0].hint == "indent with spaces, not tabs (YAML does not allow tabs there)"


def test_a_control_character_is_reported_where_it_is(tmp_path: Path) -> None:
    error = failure(tmp_path, "pack: x\nname: a\x07b\n")
    assert where(error) == (2, 8)
    assert "U+0007" in error.problems[0].message


def test_aliases_are_rejected_at_the_alias(tmp_path: Path) -> None:
    error = failure(tmp_path, "a: &names [x, y]\nb: *names\n")
    assert where(error) == (2, 4)
    assert "aliases (*names) are not supported" in error.problems[0].message


def test_merge_keys_are_rejected(tmp_path: Path) -> None:
    error = failure(tmp_path, "a: 1\nb:\n  <<: {c: 1}\n")
    assert where(error) == (3, 3)
    assert "merge keys (<<) are not supported" in error.problems[0].message


def test_unsupported_tags_are_rejected(tmp_path: Path) -> None:
    error = failure(tmp_path, "a: !!binary aGk=\nb: !custom x\n")
    assert [p.message for p in error.problems] == [
        "YAML tag !!binary is not supported here",
        "YAML tag !custom is not supported here",
    ]
    assert where(error, 1) == (2, 4)


def test_missing_file_is_a_pack_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_yaml(tmp_path / "nope.yaml")
    assert caught.value.problems[0].message.startswith("file not found: ")
    assert caught.value.problems[0].hint


def test_a_folder_is_not_a_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="is a folder, not a YAML file"):
        load_yaml(tmp_path)


def test_text_that_is_not_utf8_is_reported_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("pack: x\nname: Zoë\n".encode("latin-1"))
    with pytest.raises(PackError) as caught:
        load_yaml(path)
    problem = caught.value.problems[0]
    assert (problem.location.line, problem.location.column) == (2, 9)
    assert "not UTF-8" in problem.message
    assert problem.hint == "save the file as UTF-8"


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfpack: x\ncheck: a\n")
    doc = load_yaml(path)
    assert doc.data == {"pack": "x", "check": "a"}
    assert doc.location(("check",)) == Location(str(path), 2, 8)


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_an_empty_file_is_a_pack_error(tmp_path: Path, text: str) -> None:
    error = failure(tmp_path, text)
    assert error.problems[0].message == "the file is empty"


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "a list"), ("just text\n", "a single")])
def test_the_top_level_must_be_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    error = failure(tmp_path, text)
    assert where(error) == (1, 1)
    assert f"must be a mapping of keys (like `pack: name`), not {kind}" in str(error)


# Expression positions -------------------------------------------------------------------


def source_char(doc: YamlDocument, line: int, column: int) -> str:
    lines = doc.text.split("\n")
    text = lines[line - 1] + "\n"
    return text[column - 1]


def assert_written_chars_map_to_themselves(
    doc: YamlDocument, path: tuple[str, ...], skip: str = ""
) -> None:
    """Every character written as itself in the source sits where its position says."""
    expr = doc.expr_source(path)
    assert len(expr.positions) == len(expr.text) + 1
    for offset, ch in enumerate(expr.text):
        if ch in skip:
            continue
        assert source_char(doc, *expr.positions[offset]) == ch, (path, offset, ch)
    lines = [position[0] for position in expr.positions]
    assert lines == sorted(lines)  # positions never go backwards


def test_plain_scalar_positions_are_start_column_plus_offset(tmp_path: Path) -> None:
    doc = load(tmp_path, "pack: x\ncheck: len(name) <= 35\n")
    expr = doc.expr_source(("check",))
    assert expr.text == "len(name) <= 35"
    assert expr.file == doc.path
    assert expr.positions == tuple((2, 8 + i) for i in range(len(expr.text) + 1))
    assert expr.location(4) == Location(doc.path, 2, 12)


def test_single_quoted_positions_skip_the_quote_and_doubled_quotes(tmp_path: Path) -> None:
    doc = load(tmp_path, "check: 'it''s (x)'\n")
    expr = doc.expr_source(("check",))
    assert expr.text == "it's (x)"
    assert expr.positions[0] == (1, 9)
    assert expr.positions[expr.text.index("s")] == (1, 13)
    assert expr.positions[-1] == (1, 18)  # the closing quote
    assert_written_chars_map_to_themselves(doc, ("check",))


def test_double_quoted_escapes_map_to_their_backslash(tmp_path: Path) -> None:
    doc = load(tmp_path, r'check: "name matches \"^[A-Z]\\d\" and \x41 == x"' + "\n")
    expr = doc.expr_source(("check",))
    assert expr.text == 'name matches "^[A-Z]\\d" and A == x'
    quote = expr.text.index('"')
    assert expr.positions[quote] == (1, 22)  # the backslash of \"
    assert expr.positions[expr.text.index("A ==")] == (1, 40)  # the backslash of \x41
    assert expr.positions[expr.text.index("==") + 3] == (1, 48)  # x after the escape
    assert_written_chars_map_to_themselves(doc, ("check",), skip='"\\A')


def test_literal_block_positions_follow_the_lines(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        """
        rule:
          check: |  # a comment after the header is not content
            upper(name)
              in @genuine
        """,
    )
    expr = doc.data["rule"]["check"]
    assert expr == "upper(name)\n  in @genuine\n"
    positions = doc.expr_source(("rule", "check")).positions
    assert positions[0] == (3, 5)
    assert positions[expr.index("in")] == (4, 7)
    assert positions[expr.index("@")] == (4, 10)
    assert positions[-1] == (5, 1)
    # Indentation kept as content maps onto indentation: right characters, columns early.
    assert_written_chars_map_to_themselves(doc, ("rule", "check"), skip=" ")


def test_folded_block_positions_put_joined_lines_where_they_are(tmp_path: Path) -> None:
    doc = load(tmp_path, "check: >-\n  present(a)\n  and present(b)\n")
    expr = doc.expr_source(("check",))
    assert expr.text == "present(a) and present(b)"
    assert expr.positions[0] == (2, 3)
    assert expr.positions[expr.text.index("and")] == (3, 3)
    assert expr.positions[-1] == (3, 17)
    assert_written_chars_map_to_themselves(doc, ("check",), skip=" ")


def test_multi_line_flow_scalars_are_aligned(tmp_path: Path) -> None:
    doc = load(tmp_path, 'check: "present(a)\n  and \\\n  b"\nplain: one\n  two\n')
    expr = doc.expr_source(("check",))
    assert expr.text == "present(a) and b"
    assert expr.positions[expr.text.index("and")] == (2, 3)
    assert expr.positions[expr.text.index("b")] == (3, 3)
    plain = doc.expr_source(("plain",))
    assert plain.text == "one two"
    assert plain.positions[4] == (5, 3)


def test_non_text_scalars_become_their_raw_text(tmp_path: Path) -> None:
    doc = load(tmp_path, "check: true\nlimit: 0\n")
    expr = doc.expr_source(("check",))
    assert (expr.text, expr.positions[0], expr.positions[-1]) == ("true", (1, 8), (1, 12))
    assert doc.expr_source(("limit",)).text == "0"


def test_expr_source_of_a_mapping_is_a_programming_error(tmp_path: Path) -> None:
    doc = load(tmp_path, "rule: {check: a}\n")
    with pytest.raises(TypeError):
        doc.expr_source(("rule",))


def test_a_file_is_parsed_again_when_its_text_changes(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("pack: a\nversion: 1.0.0\n", "utf-8")
    first = load_yaml(path)
    assert load_yaml(path) is first  # unchanged text: the parsed document is reused
    path.write_text("pack: b\nversion: 1.0.0\n", "utf-8")  # same size, same instant
    assert load_yaml(path).data["pack"] == "b"
