"""`lrsrules validate PATH...`: several files, folders, globs and standard input in one
run; gzip-compressed files and Excel workbooks; a hint towards `batch check`."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrsrules
from lrsrules.cli.app import app

runner = CliRunner()

GOOD = "ULN,GivenName,FamilyName,DateOfBirth\n1026893096,Ann,Smith,2001-02-03\n"
FUTURE = "ULN,GivenName,FamilyName,DateOfBirth\n1026893096,Ann,Smith,2090-01-01\n"
FUTURE_JSONL = ('{"ULN": "1026893096", "GivenName": "Ann", "FamilyName": "Smith", '
                '"DateOfBirth": "2090-01-01"}\n')


def invoke(*args: object, stdin: str | bytes | None = None) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout + result.stderr


def stdout_of(*args: object, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def four(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """a.csv, b.jsonl and dir/c.csv in tmp_path, the current folder."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.csv", FUTURE)
    write(tmp_path / "b.jsonl", FUTURE_JSONL)
    write(tmp_path / "dir" / "c.csv", GOOD)
    write(tmp_path / "dir" / "notes.txt", "not an input")
    return tmp_path


def test_four_inputs_have_a_summary_each_and_a_total(four: Path) -> None:
    code, out = invoke("validate", "a.csv", "b.jsonl", "dir", "-", stdin=FUTURE)
    assert code == 1, out
    for name in ("a.csv", "b.jsonl", str(Path("dir") / "c.csv"), "<stdin>"):
        assert f"{name}: 1 record checked with pack" in out, out
    assert "a.csv:2: record 1, date_of_birth: error CDD.DOB.02" in out, out
    assert "<stdin>:2: record 1, date_of_birth: error CDD.DOB.02" in out, out
    assert "notes.txt" not in out, out
    assert out.rstrip().splitlines()[-1].startswith(
        "Total: 4 inputs, 4 records: 3 findings (3 errors, 0 warnings, 0 info) in 3 records; "
        "3 inputs with findings at or above error"), out


def test_one_file_reports_as_it_always_did(four: Path) -> None:
    code, out = invoke("validate", "a.csv", "--format", "jsonl")
    assert code == 1, out
    assert all("file" not in json.loads(line) for line in out.splitlines()), out
    code, out = invoke("validate", "a.csv")
    assert "Total:" not in out and "\n1 record checked with pack" in out, out


def test_json_lists_each_input_s_report_and_a_total(four: Path) -> None:
    code, out, _ = stdout_of("validate", "a.csv", "b.jsonl", "dir", "-", "--format", "json",
                             stdin=GOOD)
    assert code == 1, out
    document = json.loads(out)
    paths = [item["input"]["path"] for item in document["inputs"]]
    assert paths == ["a.csv", "b.jsonl", str(Path("dir") / "c.csv"), "<stdin>"]
    assert [item["summary"]["findings"] for item in document["inputs"]] == [1, 1, 0, 0]
    assert document["total"]["inputs"] == 4 and document["total"]["records"] == 4
    assert document["total"]["failed"] == ["a.csv", "b.jsonl"]
    assert document["total"]["unreadable"] == []


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_every_finding_names_its_file_when_there_are_several(four: Path, fmt: str) -> None:
    code, out, _ = stdout_of("validate", "a.csv", "b.jsonl", "--format", fmt)
    assert code == 1, out
    if fmt == "jsonl":
        files = [json.loads(line)["file"] for line in out.splitlines()]
    else:
        assert out.count("file,record,line") == 1, out  # one header row
        files = [row["file"] for row in csv.DictReader(io.StringIO(out))]
    assert files == ["a.csv", "b.jsonl"], out


def test_a_folder_is_searched_in_sorted_order_for_known_extensions(tmp_path: Path) -> None:
    for name in ("z.csv", "a/y.ndjson", "a/b/x.CSV", "m.csv.gz", ".hidden.csv", "r.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".gz"):
            path.write_bytes(gzip.compress(GOOD.encode()))
        elif "ndjson" in name:
            path.write_text(FUTURE_JSONL, "utf-8")
        else:
            path.write_text(GOOD, "utf-8")
    code, out, _ = stdout_of("validate", tmp_path, "--format", "json")
    assert code == 1, out
    paths = [Path(item["input"]["path"]).relative_to(tmp_path).as_posix()
             for item in json.loads(out)["inputs"]]
    assert paths == ["a/b/x.CSV", "a/y.ndjson", "m.csv.gz", "z.csv"], paths


def test_a_glob_is_expanded_when_the_shell_did_not(four: Path) -> None:
    code, out = invoke("validate", "*.csv", "dir/*.csv")
    assert code == 1, out
    assert "a.csv: 1 record" in out and "c.csv: 1 record" in out, out
    assert "Total: 2 inputs" in out, out


def test_a_glob_matching_nothing_is_an_error(four: Path) -> None:
    code, out = invoke("validate", "*.xlsx")
    assert code == 2, out
    assert "*.xlsx: the pattern matches no file" in out, out


def test_a_folder_without_inputs_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "readme.txt", "nothing here")
    code, out = invoke("validate", tmp_path)
    assert code == 2, out
    assert "the folder holds no file of learner records" in out, out


def test_an_unreadable_input_is_reported_and_the_others_still_checked(four: Path) -> None:
    code, out = invoke("validate", "missing.csv", "dir")
    assert code == 2, out
    assert "missing.csv: file not found" in out, out
    assert "c.csv: 1 record checked" in out, out
    assert "1 input could not be checked" in out, out
    code, out, _ = stdout_of("validate", "missing.csv", "dir", "--format", "json")
    document = json.loads(out)
    assert document["inputs"][0]["error"].startswith("missing.csv: file not found"), out
    assert document["total"]["unreadable"] == ["missing.csv"], out


def test_standard_input_reads_as_input_format_says(tmp_path: Path) -> None:
    code, out = invoke("validate", "-", "--input-format", "jsonl", stdin=FUTURE_JSONL)
    assert code == 1, out
    assert "<stdin>:1: record 1, date_of_birth: error CDD.DOB.02" in out, out


def test_empty_standard_input_is_an_error(tmp_path: Path) -> None:
    code, out = invoke("validate", "-", stdin="")
    assert code == 2, out
    assert "<stdin>: the file is empty: expected a header row" in out, out


# --- gzip -------------------------------------------------------------------------------------

def test_a_gzip_file_is_read_as_the_name_before_gz_says(tmp_path: Path) -> None:
    path = tmp_path / "learners.jsonl.gz"
    path.write_bytes(gzip.compress(FUTURE_JSONL.encode()))
    code, out = invoke("validate", path)
    assert code == 1, out
    assert "learners.jsonl.gz:1: record 1, date_of_birth: error CDD.DOB.02" in out, out


def test_a_gzip_bomb_is_refused_as_it_is_read(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lrsrules.inputs.compressed.GZIP_RATIO_FROM", 1000)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(GOOD.encode() + b"\n" * 1_000_000))
    code, out = invoke("validate", path)
    assert code == 2, out
    assert "expands to more than 100 times its compressed size" in out, out


@pytest.mark.parametrize(("data", "says"), [
    (b"not gzip at all", "it is not a valid gzip file"),
    (gzip.compress(GOOD.encode() * 50)[:40], "it ends before the compressed data does"),
])
def test_a_damaged_gzip_file_is_an_error(tmp_path: Path, data: bytes, says: str) -> None:
    path = tmp_path / "learners.csv.gz"
    path.write_bytes(data)
    code, out = invoke("validate", path)
    assert code == 2, out
    assert f"cannot decompress the file: {says}" in out, out
    assert "internal error" not in out, out


# --- workbooks --------------------------------------------------------------------------------

def workbook(path: Path, *sheets: tuple[str, list[list[object]]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


LEARNERS = [["ULN", "GivenName", "FamilyName", "DateOfBirth"],
            [1026893096, "Ann", "Smith", dt.datetime(2090, 1, 1)],
            [1026893096, "Bob", "Jones", dt.date(2001, 2, 3)]]


def test_a_workbook_is_read_with_its_dates_as_yyyy_mm_dd(tmp_path: Path) -> None:
    path = workbook(tmp_path / "learners.xlsx", ("Learners", LEARNERS))
    code, out = invoke("validate", path, "--format", "jsonl", "--show-values")
    assert code == 1, out
    found = [json.loads(line) for line in out.splitlines()]
    future = [f for f in found if f["rule"] == "CDD.DOB.02"]
    assert [(f["record"], f["line"], f["value"]) for f in future] == [(1, 2, "2090-01-01")]
    assert not [f for f in found if f["record"] == 2 and f["field"] == "date_of_birth"], out
    run = lrsrules.validate(path)
    assert run.info.input_format == "xlsx"


def test_sheet_chooses_the_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "learners.xlsx", ("Notes", [["about"], ["x"]]),
                    ("Learners", LEARNERS))
    code, out = invoke("validate", path, "--sheet", "Learners")
    assert code == 1 and "2 records checked" in out, out
    code, out = invoke("validate", path)
    assert code == 2 and "no heading matches a field of the pack" in out, out
    code, out = invoke("validate", path, "--sheet", "Nope")
    assert code == 2, out
    assert "the workbook has no sheet named 'Nope'" in out and "'Notes', 'Learners'" in out


# --- batch files --------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_an_xml_file_is_pointed_to_batch_check() -> None:
    path = ROOT / "examples" / "LRB_10012345_290920261030.XML"
    code, out = invoke("validate", path)
    assert code == 2, out
    assert "not XML" in out and f"lrsrules batch check {path}" in out, out


def test_a_batch_csv_file_gets_a_hint_to_use_batch_check() -> None:
    path = ROOT / "examples" / "LRB_10012345_290920261030.CSV"
    _, out = invoke("validate", path)
    assert "looks like an LRS batch file; lrsrules batch check" in out, out


# --- quiet and verbose ----------------------------------------------------------------------------

def test_quiet_prints_nothing_when_the_check_passes(four: Path) -> None:
    code, out = invoke("validate", "-q", "dir")
    assert code == 0 and out == "", out
    code, out = invoke("validate", "-q", str(Path("dir") / "c.csv"))
    assert code == 0 and out == "", out


def test_quiet_prints_the_failing_findings_and_the_totals(four: Path) -> None:
    write(four / "w.csv", "ULN,GivenName,FamilyName,DateOfBrith\n1026893096,Ann,Smith,2001-02-03\n")
    code, out = invoke("validate", "--quiet", "a.csv", "w.csv", "dir")
    assert code == 1, out
    assert "a.csv:2: record 1, date_of_birth: error CDD.DOB.02" in out, out
    assert "INPUT.HEADING" not in out and "w.csv" not in out and "c.csv" not in out, out
    assert "Missing fields" not in out, out
    assert "a.csv: 1 record checked" in out and "Total: 3 inputs" in out, out
    code, out = invoke("validate", "-q", "a.csv")
    assert out.splitlines()[-1].startswith("1 record checked with pack"), out


def test_verbose_says_what_is_used_on_standard_error(four: Path) -> None:
    result = runner.invoke(app, ["validate", "-v", "a.csv", "--select", "CDD.DOB",
                                 "--format", "jsonl"])
    assert result.exit_code == 1, result.stderr
    assert "settings file: " in result.stderr, result.stderr
    assert "pack lrs-default" in result.stderr and "rules run" in result.stderr
    assert "a.csv: read as csv, encoding utf-8-sig, delimiter ','" in result.stderr
    assert all(line.startswith("{") for line in result.stdout.splitlines()), result.stdout


def test_batch_check_is_quiet_on_request() -> None:
    path = ROOT / "examples" / "LRB_10012345_290920261030.CSV"
    code, out = invoke("batch", "check", "-q", path)
    assert code == 0 and out == "", out


def test_shell_completion_is_offered() -> None:
    _code, out = invoke("--help")
    assert "--install-completion" in out and "--show-completion" in out, out


# --- help and usage errors for people ------------------------------------------------------------

COMMANDS = [["validate"], ["rules"], ["test"], ["check"], ["explain"], ["docs"], ["schema"],
            ["diff"], ["config"], ["batch"], ["batch", "check"], ["batch", "fix"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_values_in_words_not_type_notation(command: list[str]) -> None:
    code, out = invoke(*command, "--help")
    assert code == 0, out
    for notation in ("<str>", "<path>", "<list[", "{PATH", "{file}", "{OLD}", "<text|"):
        assert notation not in out, out


@pytest.mark.parametrize(("args", "says"), [
    (["validate", "x.csv", "--format", "xml"],
     "Invalid value for '--format' / '-f': 'xml' is not one of"),
    (["validate", "x.csv", "--input-format", "xlsx"], "'xlsx' is not one of 'csv', 'jsonl'"),
    (["rules", "--pack", "nope"], "no bundled pack named 'nope'"),
])
def test_usage_errors_read_as_sentences(args: list[str], says: str) -> None:
    code, out = invoke(*args)
    assert code == 2, out
    assert says in out, out
    assert "Value error" not in out and "<input>" not in out, out
