"""Findings about the input as a whole: a heading that is probably a misspelt field
(INPUT.HEADING), a file with headings but no records (INPUT.EMPTY) and a field a rule
requires with no column (INPUT.MISSING), in every report
format, through the CLI and ``lrsrules.validate``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrsrules
from lrsrules.cli.app import app
from lrsrules.inputs.headings import edit_distance

runner = CliRunner()

# A valid ULN, and a date of birth in the future that no rule sees under a misspelt heading.
MISSPELT = "ULN,GivenName,FamilyName,DateOfBrith\n1026893096,Ann,Smith,2090-01-01\n"
SAYS = "heading 'DateOfBrith' matches no field; did you mean date_of_birth (DateOfBirth)?"
FORMATS = ("text", "json", "jsonl", "csv")


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout + result.stderr


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def findings_of(fmt: str, out: str) -> list[dict[str, object]]:
    if fmt == "json":
        return list(json.loads(out)["findings"])
    if fmt == "jsonl":
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    rows = list(csv.DictReader(io.StringIO(out)))
    return [{**row, "record": row["record"] or None, "line": int(row["line"])} for row in rows]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_misspelt_heading_is_a_warning_naming_the_field_it_probably_means(
        tmp_path: Path, fmt: str) -> None:
    code, out = invoke("validate", write(tmp_path, "learners.csv", MISSPELT), "--format", fmt)
    assert code == 0, out  # a warning: the default --fail-on error lets it by
    assert SAYS in out, out
    if fmt == "text":
        assert "learners.csv:1: date_of_birth: warning INPUT.HEADING" in out, out
        return
    found = [f for f in findings_of(fmt, out) if f["rule"] == "INPUT.HEADING"]
    assert len(found) == 1, out
    assert found[0]["record"] is None and found[0]["line"] == 1, found
    assert found[0]["field"] == "date_of_birth" and found[0]["severity"] == "warning", found


def test_fail_on_warning_fails_a_misspelt_heading(tmp_path: Path) -> None:
    path = write(tmp_path, "learners.csv", MISSPELT)
    code, out = invoke("validate", path, "--fail-on", "warning", "--format", "jsonl")
    assert code == 1, out


def test_a_json_lines_key_that_is_misspelt_is_a_warning_on_its_line(tmp_path: Path) -> None:
    text = ('\n{"ULN": "1026893096", "GivenName": "Ann", "FamilyName": "Smith",'
            ' "DateOfBrith": "2090-01-01"}\n')
    code, out = invoke("validate", write(tmp_path, "learners.jsonl", text), "--format", "jsonl")
    assert code == 0, out
    found = [json.loads(line) for line in out.splitlines()]
    heading = [f for f in found if f["rule"] == "INPUT.HEADING"]
    assert heading == [{"record": None, "line": 2, "field": "date_of_birth",
                        "rule": "INPUT.HEADING", "severity": "warning", "message": SAYS}], out


def test_no_guess_when_the_field_has_its_own_column(tmp_path: Path) -> None:
    text = "ULN,GivenName,DateOfBirth,DateOfBrith\n1026893096,Ann,2008-03-14,x\n"
    _, out = invoke("validate", write(tmp_path, "learners.csv", text), "--format", "jsonl")
    assert "INPUT.HEADING" not in out, out


def test_a_heading_far_from_every_field_is_only_ignored(tmp_path: Path) -> None:
    text = "ULN,GivenName,Shoe size\n1026893096,Ann,9\n"
    _, out = invoke("validate", write(tmp_path, "learners.csv", text))
    assert "INPUT.HEADING" not in out and "Shoe size" in out, out


def test_a_misspelt_heading_that_looks_like_data_is_not_quoted(tmp_path: Path) -> None:
    # "Given Nmae" is close to GivenName; "Zebedee Quantock" is a name, close to nothing.
    text = "ULN,Given Nmae,Zebedee Quantock\n1026893096,Ann,x\n"
    _, out = invoke("validate", write(tmp_path, "learners.csv", text), "--format", "jsonl")
    assert "heading 'Given Nmae' matches no field; did you mean given_name" in out, out
    assert "Zebedee" not in out, out


def test_short_headings_need_a_closer_match() -> None:
    assert edit_distance("dateofbrith", "dateofbirth", 2) == 1  # a swap is one slip
    assert edit_distance("kitten", "sitting", 2) == 3  # past the bound: bound + 1
    found = list(lrsrules.validate([{"ULN": "1026893096", "Sx": "1"}]))
    assert not any(f.rule == "INPUT.HEADING" for f in found), found


def test_the_library_reports_a_misspelt_key_of_a_mapping() -> None:
    run = lrsrules.validate([{"ULN": "1026893096", "GivenName": "Ann", "FamilyName": "Smith",
                              "DateOfBrith": "2090-01-01"}])
    found = [f for f in run if f.rule == "INPUT.HEADING"]
    assert [(f.record, f.line, f.field, f.message) for f in found] == [
        (None, None, "date_of_birth", SAYS)]
    assert run.summary.by_severity["warning"] >= 1
    assert run.failed("warning") and not run.failed()


def test_the_library_reports_a_misspelt_heading_of_a_file(tmp_path: Path) -> None:
    run = lrsrules.validate(write(tmp_path, "learners.csv", MISSPELT))
    assert [(f.rule, f.line, f.field) for f in run if f.record is None] == [
        ("INPUT.HEADING", 1, "date_of_birth")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_of_headings_alone_is_a_warning(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, "learners.csv", "\nULN,GivenName,FamilyName,DateOfBirth\n")
    code, out = invoke("validate", path, "--format", fmt)
    assert code == 0, out
    assert "the file has headings but no records" in out, out
    if fmt != "text":
        found = findings_of(fmt, out)
        assert [(f["rule"], f["record"], f["line"], f["severity"]) for f in found] == [
            ("INPUT.EMPTY", None, 2, "warning")], out
    code, out = invoke("validate", path, "--format", fmt, "--fail-on", "warning")
    assert code == 1, out


def test_the_library_reports_a_file_of_headings_alone(tmp_path: Path) -> None:
    run = lrsrules.validate(write(tmp_path, "learners.csv", "ULN,GivenName,FamilyName\n"))
    assert [(f.rule, f.record) for f in run] == [("INPUT.EMPTY", None)]
    assert run.summary.records == 0 and run.failed("warning") and not run.failed()


def test_version_names_lrsrules_and_every_bundled_pack_with_its_version() -> None:
    from lrsrules.packs.discovery import bundled_packs

    code, out = invoke("--version")
    assert code == 0, out
    assert out.startswith("lrsrules "), out
    for name in bundled_packs():
        assert f"  {name} " in out and f"{name} (cannot" not in out, out


@pytest.mark.parametrize("command", [[], ["validate"], ["batch"], ["batch", "check"],
                                     ["rules"], ["explain"], ["diff"]])
def test_dash_h_is_help_on_every_command(command: list[str]) -> None:
    code, out = invoke(*command, "-h")
    assert code == 0, out
    assert out.startswith("Usage: lrsrules") and "-h, --help" in out, out


# --- a field a rule requires, with no column -------------------------------------------------

NO_GIVEN_NAME = "ULN,FamilyName\n1026893096,Smith\n9999999999,Jones\n"


@pytest.mark.parametrize("fmt", ("json", "jsonl", "csv"))
def test_a_required_field_with_no_column_is_a_warning_at_the_heading_line(
        tmp_path: Path, fmt: str) -> None:
    code, out = invoke("validate", write(tmp_path, "learners.csv", NO_GIVEN_NAME), "--format",
                       fmt)
    assert code == 1, out  # every record fails the rule: errors
    missing = [f for f in findings_of(fmt, out) if f["rule"] == "INPUT.MISSING"]
    assert len(missing) == 1, out
    assert missing[0]["line"] == 1 and missing[0]["field"] == "given_name"
    assert missing[0]["severity"] == "warning"
    assert "CDD.GIVENNAME.01" in str(missing[0]["message"])
    assert "Smith" not in out and "1026893096" not in out  # no values


def test_a_field_no_rule_requires_outright_gives_no_missing_finding(tmp_path: Path) -> None:
    # title and the postcode are checked only when given: no column for them is no finding.
    text = "ULN,GivenName,FamilyName\n1026893096,Ann,Smith\n"
    _, out = invoke("validate", write(tmp_path, "learners.csv", text), "--format", "jsonl")
    assert "INPUT.MISSING" not in out, out


def test_the_library_reports_a_missing_required_field_once_before_the_records(
        tmp_path: Path) -> None:
    with lrsrules.validate(write(tmp_path, "learners.csv", NO_GIVEN_NAME)) as run:
        found = list(run)
    assert found[0].rule == "INPUT.MISSING" and found[0].record is None
    assert [f.rule for f in found].count("INPUT.MISSING") == 1
    assert sum(f.rule == "CDD.GIVENNAME.01" for f in found) == 2  # each record still fails
