"""Each common YAML slip, replayed at a known line, is reported there with a plain hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrsrules.errors import PackError
from lrsrules.packs.yamlsource import load_yaml

HEAD = "pack: x\nversion: 1.0.0\nrules:\n" + "".join(
    f"  - {{id: A.R{i}, field: a, severity: error, check: present(a), message: m}}\n"
    for i in range(20))  # the slip comes well into the file, at line 24


def problem_for(tmp_path: Path, slip: str, after: str = "") -> tuple[int, int, str, str, str]:
    path = tmp_path / "pack.yaml"
    path.write_text(HEAD + "  - id: B.R1\n" + slip + after, "utf-8")
    with pytest.raises(PackError) as caught:
        load_yaml(path)
    [problem] = caught.value.problems
    loc = problem.location
    return loc.line or 0, loc.column or 0, problem.message, problem.hint or "", problem.format()


MORE = "    check: present(a)\n  - id: B.R2\n    message: ok\n    severity: error\n"


@pytest.mark.parametrize("quote", ["'", '"'])
def test_an_unclosed_quote_is_reported_where_it_opened_not_at_the_end(tmp_path: Path,
                                                                     quote: str) -> None:
    line, column, message, hint, shown = problem_for(
        tmp_path, f"    message: {quote}Learner name is missing\n", MORE)
    assert (line, column) == (25, 14)
    assert "the quote opened here is not closed on this line" in message
    assert f"({quote})" in hint
    assert shown.endswith(f"message: {quote}Learner name is missing\n" + " " * 17 + "^")


@pytest.mark.parametrize("text", ["Learner's name is missing", "Parent's or carer's name"])
def test_an_apostrophe_inside_single_quotes_gets_both_ways_to_write_it(tmp_path: Path,
                                                                       text: str) -> None:
    line, column, message, hint, shown = problem_for(tmp_path, f"    message: '{text}'\n", MORE)
    assert (line, column) == (25, 14 + text.index("'") + 1)
    assert "apostrophe inside single quotes" in message
    assert hint == (f"double the apostrophe ('{text.replace(chr(39), chr(39) * 2)}') or use "
                    f"double quotes (\"{text}\")")
    assert "^" in shown  # a pack file: the line is quoted with a caret


def test_a_tab_in_the_indentation_is_reported_at_the_tab(tmp_path: Path) -> None:
    line, column, message, hint, _ = problem_for(tmp_path, "\tmessage: m\n")
    assert (line, column) == (25, 1)
    assert message.endswith("a tab in the indentation")
    assert hint.startswith("indent with spaces")


@pytest.mark.parametrize("spaces", [3, 5, 6])
def test_bad_indentation_is_told_in_plain_words(tmp_path: Path, spaces: int) -> None:
    line, column, message, hint, _ = problem_for(tmp_path, " " * spaces + "message: m\n")
    assert (line, column) == (25, spaces + 1)
    assert f"this line is indented {spaces} spaces, but the keys above it (line 24) are " \
           "indented 4" in message
    assert "block end" not in message and "<" not in message
    assert hint.startswith("line it up with the key it belongs beside: 4 spaces")


@pytest.mark.parametrize("text", ["Surname: too long", "Note: see the LRS guide"])
def test_a_colon_in_an_unquoted_message_gets_the_quoted_line(tmp_path: Path,
                                                             text: str) -> None:
    line, column, message, hint, _ = problem_for(tmp_path, f"    message: {text}\n")
    assert (line, column) == (25, 14 + text.index(":"))  # at the colon
    assert "': ' inside a value that is not in quotes" in message
    assert hint == f'put the whole value in quotes: message: "{text}"'


def test_a_quoted_value_over_several_lines_is_not_blamed_for_a_later_slip(
        tmp_path: Path) -> None:
    line, column, message, _, _ = problem_for(
        tmp_path, '    message: "a message that\n      goes on"\n', "   check: a\n")
    assert (line, column) == (27, 4)
    assert "this line is indented 3 spaces" in message
