"""Bad input files through the CLI: each is exit 2 with a clear, located message that
names the limit at fault and quotes no value of the file. Large files are made here, in
tmp_path, never kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.limits import (
    MAX_CELL_CHARS,
    MAX_JSON_DEPTH,
    MAX_LINE_CHARS,
    MAX_VALUE_LINES,
    MAX_XLSX_RATIO,
    MAX_XML_MARKUP_BYTES,
)

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


# --- batch files: CSV, XML, XLSX ------------------------------------------------------------

BATCH = "LRB_10012345_290920261030"
EXAMPLE_XML = Path(__file__).resolve().parent.parent / "examples" / f"{BATCH}.XML"


def batch_csv(tmp_path: Path, learners: str) -> Path:
    head = "FileVersion,FileName,UKPRN,OrgRef\r\n2A,REG-1,10012345,ORG-1\r\n" + HEADER
    return write(tmp_path, f"{BATCH}.CSV", head + learners)


def test_an_unclosed_quote_in_a_batch_file_is_an_error(tmp_path: Path) -> None:
    code, out = invoke("batch", "check", batch_csv(tmp_path, ROW + '"' + ROW * 500))
    assert_input_error(code, out, f"{BATCH}.CSV:5:", "never closed")


def test_a_batch_cell_past_the_limit_is_the_same_error_as_validates(tmp_path: Path) -> None:
    code, out = invoke("batch", "check", batch_csv(tmp_path, "x" * (MAX_CELL_CHARS + 1) + "\n"))
    assert_input_error(code, out, f"{BATCH}.CSV:4:", f"longer than {MAX_CELL_CHARS} characters")


def test_a_batch_cell_within_the_limit_is_read(tmp_path: Path) -> None:
    notes = "Zebedee" * 30_000  # beyond the csv module's own limit of 128 KiB
    code, out = invoke("batch", "check", batch_csv(tmp_path, ROW.replace("Zebedee", notes)))
    assert code == 1 and "(the most a cell may hold)" not in out, out


def xml_with(tmp_path: Path, old: bytes, new: bytes) -> Path:
    path = tmp_path / f"{BATCH}.XML"
    path.write_bytes(EXAMPLE_XML.read_bytes().replace(old, new, 1))
    return path


def test_a_huge_xml_attribute_is_an_error_in_bounded_time(tmp_path: Path) -> None:
    path = xml_with(tmp_path, b"<Learner>", b'<Learner a="' + b"Zebedee" * (3 << 20) + b'">')
    code, out = invoke("batch", "check", path)
    assert_input_error(code, out, f"longer than {MAX_XML_MARKUP_BYTES} bytes")


def test_a_huge_xml_text_is_an_error_naming_the_cell_limit(tmp_path: Path) -> None:
    path = xml_with(tmp_path, b"<GivenName>", b"<GivenName>" + b"Zebedee" * (MAX_CELL_CHARS // 6))
    code, out = invoke("batch", "check", path)
    assert_input_error(code, out, f"longer than {MAX_CELL_CHARS} characters")


@pytest.mark.parametrize("encoding", ["bogus", "idna", "base64", "undefined", "shift_jis"])
def test_a_bogus_xml_encoding_is_a_located_error(tmp_path: Path, encoding: str) -> None:
    text = EXAMPLE_XML.read_bytes()
    if text.startswith(b"<?xml"):
        text = text.split(b"?>", 1)[1]
    path = tmp_path / f"{BATCH}.XML"
    path.write_bytes(b'<?xml version="1.0" encoding="%s"?>' % encoding.encode() + text)
    code, out = invoke("batch", "check", path)
    assert_input_error(code, out, f"{BATCH}.XML:1:", "encoding named in the XML declaration")


def workbook(tmp_path: Path, sheet: bytes = b"", strings: bytes | None = None) -> Path:
    """A small workbook, its sheet padded with ``sheet`` and its shared strings replaced."""
    openpyxl = pytest.importorskip("openpyxl")
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(ROW.strip().split(","))
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    path = tmp_path / f"{BATCH}.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            data = source.read(member)
            if member.filename.endswith("sheet1.xml"):
                data = data.replace(b"</sheetData>", sheet + b"</sheetData>")
            out.writestr(member, data, zipfile.ZIP_DEFLATED)
        if strings is not None:
            out.writestr("xl/sharedStrings.xml", strings, zipfile.ZIP_DEFLATED)
    return path


def test_a_zip_bomb_workbook_is_refused_before_it_is_read(tmp_path: Path) -> None:
    code, out = invoke("batch", "check", workbook(tmp_path, b" " * (40 << 20)))
    assert_input_error(code, out, f"more than {MAX_XLSX_RATIO} times")


def test_a_workbook_expanding_past_the_limit_is_refused(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lrsrules.inputs.workbooks.MAX_XLSX_BYTES", 1000)
    code, out = invoke("batch", "check", workbook(tmp_path))
    assert_input_error(code, out, "expands to more than 1000 bytes")


def test_too_many_shared_strings_are_refused(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lrsrules.inputs.workbooks.MAX_XLSX_SHARED_STRINGS", 10_000)
    entries = b"<si><t>Zebedee</t></si>" * 10_001
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    code, out = invoke("batch", "check", workbook(tmp_path, strings=strings + entries + b"</sst>"))
    assert_input_error(code, out, "more than 10000 shared strings")


def test_a_good_workbook_is_still_read(tmp_path: Path) -> None:
    code, out = invoke("batch", "check", workbook(tmp_path))
    assert code in (0, 1) and "internal error" not in out, out


# --- headings: no personal data ---------------------------------------------------------------

def test_a_file_without_a_header_row_quotes_none_of_its_first_record(tmp_path: Path) -> None:
    data = write(tmp_path, "l.csv", ROW + ROW)
    for args in (["validate", data], ["diff", "lrs-default", "lrs-default", "--records", data]):
        code, out = invoke(*args)
        assert_input_error(code, out, "look like a learner's values", "no header row")


def test_a_json_file_keyed_by_values_quotes_none_of_them(tmp_path: Path) -> None:
    data = write(tmp_path, "l.jsonl", '{"Zebedee Quantock": "9876543210"}\n')
    code, out = invoke("validate", data)
    assert_input_error(code, out, "look like a learner's values")


def test_a_batch_heading_that_looks_like_a_name_is_not_quoted(tmp_path: Path) -> None:
    head = "FileVersion,FileName,UKPRN,OrgRef\r\n2A,REG-1,10012345,ORG-1\r\n"
    path = write(tmp_path, f"{BATCH}.CSV", head + HEADER.replace("ULN", "Zebedee Quantock") + ROW)
    code, out = invoke("batch", "check", path)
    assert code == 1 and "internal error" not in out, out
    assert all(value not in out for value in PERSONAL), out
