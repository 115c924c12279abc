"""Bad input files through the CLI: each is exit 2 with a clear, located message that
names the limit at fault and quotes no value of the file. Large files are made here, in
tmp_path, never kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.limits import MAX_CELL_CHARS, MAX_JSON_DEPTH, MAX_LINE_CHARS, MAX_VALUE_LINES

runner = CliRunner()

HEADER = "GivenName,FamilyName,ULN,DateOfBirth,Gender,LastKnownPostCode,EmailAddress\n"
# Values a report must never show: each is a learner's personal data.
PERSONAL = ("Zebedee", "Quantock", "9876543210", "2007-05-04", "SW1A 1AA",
            "zebedee.quantock@example.org")
ROW = "Zebedee,Quantock,9876543210,2007-05-04,1,SW1A 1AA,zebedee.quantock@example.org\n"


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout + result.stderr


def assert_input_error(code: int, out: str, *words: str) -> None:
    assert code == 2, out
    assert "internal error" not in out, out
    for word in words:
        assert word in out, out
    for value in PERSONAL:
        assert value not in out, out


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8", newline="")
    return path


# --- CSV: quotes, cells, lines ------------------------------------------------------------

def test_an_unclosed_quote_is_an_error_where_its_value_starts(tmp_path: Path) -> None:
    rows = [ROW] * 1000
    rows[1] = '"' + ROW
    code, out = invoke("validate", write(tmp_path, "l.csv", HEADER + "".join(rows)))
    assert_input_error(code, out, "l.csv:3:", "column 1 is never closed", "end of the file")


def test_an_unclosed_quote_on_the_last_line_is_an_error(tmp_path: Path) -> None:
    code, out = invoke("validate", write(tmp_path, "l.csv", HEADER + ROW + 'Zebedee,"Quantock'))
    assert_input_error(code, out, "l.csv:3:", "column 2 is never closed")


def test_a_quote_closed_too_many_lines_later_is_an_error(tmp_path: Path) -> None:
    text = HEADER + ROW + 'Zebedee,"Quantock\n' + ROW * MAX_VALUE_LINES + '",x\n' + ROW
    code, out = invoke("validate", write(tmp_path, "l.csv", text))
    assert_input_error(code, out, "l.csv:3:", f"more than {MAX_VALUE_LINES} lines")


def test_a_value_spanning_a_few_lines_is_read(tmp_path: Path) -> None:
    text = HEADER + 'Zebedee,"Quant\nock",9876543210,2007-05-04,1,SW1A 1AA,\n' + ROW
    code, out = invoke("validate", write(tmp_path, "l.csv", text), "--format", "jsonl")
    assert code in (0, 1) and "INPUT.RECORD" not in out, out


@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_past_the_limit_is_an_error_naming_it(tmp_path: Path, quoted: bool) -> None:
    long = "x\n" * 10 + "x" * MAX_CELL_CHARS if quoted else "x" * (MAX_CELL_CHARS + 1)
    text = HEADER + ROW + ('"' + long + '"' if quoted else long) + ",Quantock\n"
    code, out = invoke("validate", write(tmp_path, "l.csv", text))
    assert_input_error(code, out, "l.csv:3:", f"longer than {MAX_CELL_CHARS} characters")


def test_a_file_without_line_ends_is_an_error_in_bounded_memory(tmp_path: Path) -> None:
    text = HEADER + "Zebedee," * (MAX_LINE_CHARS // 8 + 1)
    code, out = invoke("validate", write(tmp_path, "l.csv", text))
    assert_input_error(code, out, "l.csv:2:", f"longer than {MAX_LINE_CHARS} characters")


# --- JSON Lines -----------------------------------------------------------------------------

FIRST = '{"GivenName": "Zebedee", "FamilyName": "Quantock"}\n'


def test_deep_json_nesting_is_the_records_issue(tmp_path: Path) -> None:
    deep = '{"GivenName": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    code, out = invoke("validate", write(tmp_path, "l.jsonl", FIRST + deep), "-f", "jsonl")
    assert code == 1, out
    assert f"more than {MAX_JSON_DEPTH} deep" in out and '"line": 2' in out, out


def test_deep_json_nesting_on_the_first_line_is_an_error(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000 + "\n"
    code, out = invoke("validate", write(tmp_path, "l.jsonl", deep))
    assert_input_error(code, out, "l.jsonl:1:", f"more than {MAX_JSON_DEPTH} deep")


def test_brackets_inside_strings_are_not_nesting(tmp_path: Path) -> None:
    text = FIRST + '{"GivenName": "' + "[" * 100 + '", "FamilyName": "Quantock"}\n'
    _, out = invoke("validate", write(tmp_path, "l.jsonl", text), "-f", "jsonl")
    assert "deep" not in out and "internal error" not in out, out


def test_a_key_given_twice_is_the_records_issue(tmp_path: Path) -> None:
    text = FIRST + '{"GivenName": "Zebedee", "FamilyName": "Quantock", "GivenName": "Z"}\n'
    code, out = invoke("validate", write(tmp_path, "l.jsonl", text), "-f", "jsonl")
    assert code == 1, out
    assert "key 'GivenName' more than once" in out and '"line": 2' in out, out
    assert all(value not in out for value in PERSONAL), out


def test_a_json_string_past_the_cell_limit_is_an_error(tmp_path: Path) -> None:
    text = FIRST + '{"GivenName": "' + "x" * (MAX_CELL_CHARS + 1) + '"}\n'
    code, out = invoke("validate", write(tmp_path, "l.jsonl", text))
    assert_input_error(code, out, "l.jsonl:2:", f"longer than {MAX_CELL_CHARS} characters")


def test_a_json_line_past_the_line_limit_is_an_error(tmp_path: Path) -> None:
    text = FIRST + '{"GivenName": "' + "x" * MAX_LINE_CHARS + '"}\n'
    code, out = invoke("validate", write(tmp_path, "l.jsonl", text))
    assert_input_error(code, out, "l.jsonl:2:", f"longer than {MAX_LINE_CHARS} characters")


# --- encodings ------------------------------------------------------------------------------

def commands(data: Path, batch: Path, out: Path) -> list[list[object]]:
    """Every command reading a file with --encoding, each given that file."""
    return [["validate", data], ["batch", "check", batch], ["batch", "fix", batch, "-o", out],
            ["diff", "lrs-default", "lrs-default", "--records", data],
            ["explain", "CDD.NAMES.01", "--record", f"{data}:1"]]


@pytest.mark.parametrize("codec", ["idna", "undefined", "punycode", "rot13", "base64", "hex",
                                   "zlib"])
def test_a_codec_that_cannot_read_text_is_an_unusable_encoding(tmp_path: Path,
                                                               codec: str) -> None:
    data = write(tmp_path, "l.csv", HEADER + ROW)
    batch = write(tmp_path, "LRB_10012345_290920261030.CSV", HEADER + ROW)
    for args in commands(data, batch, tmp_path / "LRB_10012345_290920261031.CSV"):
        code, out = invoke(*args, "--encoding", codec)
        assert_input_error(code, out, "unusable encoding")


def test_a_text_codec_that_fails_without_a_position_is_a_decode_error(tmp_path: Path) -> None:
    data = write(tmp_path, "l.csv", HEADER + ROW)  # UTF-8, read as UTF-16 without a BOM
    batch = write(tmp_path, "LRB_10012345_290920261030.CSV", HEADER + ROW)
    for args in commands(data, batch, tmp_path / "LRB_10012345_290920261031.CSV"):
        code, out = invoke(*args, "--encoding", "utf-16")
        assert_input_error(code, out, "cannot decode the file as utf-16")
