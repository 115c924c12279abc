"""`lrsrules batch check` and `lrsrules batch fix`, driven through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from batchfiles import (
    GOOD_NAME,
    HEADER,
    HEADER_VALUES,
    HEADINGS,
    batch_rows,
    csv_text,
    learner,
    mini_layout,
    write_batch,
)
from typer.testing import CliRunner

from lrsrules.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOOD = EXAMPLES / "LRB_10012345_290920261030.CSV"
BAD_RECORDS = EXAMPLES / "bad" / "records" / "LRB_10012345_290920261030.CSV"
BAD_HEADINGS = EXAMPLES / "bad" / "headings" / "LRB_10012345_290920261030.CSV"
runner = CliRunner()


def invoke(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def copy(path: Path, folder: Path) -> Path:
    return Path(shutil.copy(path, folder / path.name))


# --- batch check ----------------------------------------------------------------------------

def test_batch_without_a_command_shows_its_commands() -> None:
    _, out, err = invoke("batch")
    assert "check" in out + err and "fix" in out + err


def test_the_good_example_passes() -> None:
    code, out, err = invoke("batch", "check", GOOD)
    assert code == 0, out + err
    assert "5 records checked" in out and "layout lrb-2a" in out and "provisional" in out


# --- a file laid out as the LRS schema and a production MIS lay it out ---------------------

def mis_file(folder: Path, rows: list[list[str]] | None = None) -> Path:
    """Two learners under one heading row, the header values leading the first learner."""
    path = folder / GOOD_NAME
    rows = rows or batch_rows(learner(), learner(GivenName="Amelia", ULN="1748529632"))
    path.write_text(csv_text(rows), "utf-8", newline="")
    return path


def findings_of(path: Path) -> tuple[int, list[dict[str, object]]]:
    code, out, err = invoke("batch", "check", path, "--format", "jsonl")
    assert code in (0, 1), out + err
    return code, [json.loads(line) for line in out.splitlines()]


def test_a_file_laid_out_as_the_schema_says_passes(tmp_path: Path) -> None:
    path = mis_file(tmp_path)
    assert path.read_text("utf-8").splitlines()[0].startswith(
        "FileVersion,FileName,UKPRN,LearnerRecordCount,ULN,MISIdentifier,Title,GivenName,")
    code, found = findings_of(path)
    assert (code, found) == (0, [])


def test_a_wrong_learner_record_count_is_one_finding(tmp_path: Path) -> None:
    rows = batch_rows(learner(), learner(), header=[HEADER, [*HEADER_VALUES, "3"]])
    code, found = findings_of(mis_file(tmp_path, rows))
    assert code == 1
    assert [(f["rule"], f["line"], f["severity"]) for f in found] == [
        ("BATCH.HEADER.15", 2, "error")]
    assert "is 3 but the file holds 2 learner rows" in str(found[0]["message"])


def test_a_heading_out_of_order_is_one_finding(tmp_path: Path) -> None:
    headings = list(HEADINGS)
    at = headings.index("DateOfBirth")
    headings[at], headings[at + 1] = headings[at + 1], headings[at]
    values = learner()
    values[at], values[at + 1] = values[at + 1], values[at]
    code, found = findings_of(mis_file(tmp_path, batch_rows(values, headings=headings)))
    assert code == 1
    assert [(f["rule"], f["line"]) for f in found] == [("BATCH.HEADINGS.04", 1)]


@pytest.mark.parametrize(("header", "rule"), [
    ([HEADER[:3], [*HEADER_VALUES, "1"]], "BATCH.HEADER.02"),  # a heading cell short
    ([[*HEADER[:3], ""], [*HEADER_VALUES, "1"]], "BATCH.HEADER.02"),  # a blank heading cell
    ([HEADER, [*HEADER_VALUES, ""]], "BATCH.HEADER.14"),  # a blank value cell
    ([HEADER, ["", *HEADER_VALUES[1:], "1"]], "BATCH.HEADER.10"),
])
def test_a_missing_header_cell_is_one_finding(
        tmp_path: Path, header: list[list[str]], rule: str) -> None:
    rows = batch_rows(learner(), header=header)
    if len(header[0]) == 3:  # the value row is one cell short too
        rows[1] = [*HEADER_VALUES, *learner()]
    code, found = findings_of(mis_file(tmp_path, rows))
    assert code == 1
    assert [f["rule"] for f in found] == [rule], found


def test_the_disputed_spellings_of_a_production_mis_are_warnings(tmp_path: Path) -> None:
    headings = ["FamilyNameAt16" if h == "FamilyNameAtAge16" else
                "LastKnownAddressCountyorCity" if h == "LastKnownAddressCountyOrCity" else h
                for h in HEADINGS]
    code, found = findings_of(mis_file(tmp_path, batch_rows(learner(), headings=headings)))
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in found] == [("BATCH.HEADINGS.07", "warning")] * 2


def test_the_old_three_row_layout_is_one_error_and_fix_writes_the_new_one(
        tmp_path: Path) -> None:
    one = learner()
    old = [["FileVersion", "FileName", "UKPRN", "OrgRef"], ["2A", "REG-1", "10012345", "ORG"],
           HEADINGS, one]
    path = mis_file(tmp_path, old)
    code, found = findings_of(path)
    assert [f["rule"] for f in found] == ["BATCH.HEADER.07"] and code == 1
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    code, out, err = invoke("batch", "fix", path, "-o", target)
    assert code == 0, out + err
    assert {(r["rule"], r["status"]) for r in report_rows(out)} == {("BATCH.HEADER.07", "fixed")}
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8"))))
    assert rows == batch_rows(one, header=[HEADER, [*HEADER_VALUES[:1], "REG-1",
                                                    "10012345", "1"]])
    assert findings_of(target) == (0, [])


def test_fix_writes_the_learner_count_it_wrote(tmp_path: Path) -> None:
    rows = batch_rows(learner(), learner(), header=[HEADER, [*HEADER_VALUES, "7"]])
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    code, out, err = invoke("batch", "fix", mis_file(tmp_path, rows), "-o", target)
    assert code == 0, out + err
    assert [(r["rule"], r["status"]) for r in report_rows(out)] == [("BATCH.HEADER.15", "fixed")]
    assert list(csv.reader(io.StringIO(target.read_text("utf-8"))))[1][3] == "2"


def test_fail_on_counts_the_severities_as_validate_does() -> None:
    assert invoke("batch", "check", GOOD, "--fail-on", "info")[0] == 1
    code, out, err = invoke("batch", "check", BAD_RECORDS)
    assert code == 1, out + err


def test_findings_never_show_values_unless_asked() -> None:
    code, out, _ = invoke("batch", "check", BAD_RECORDS, "--format", "jsonl")
    assert "1000000042" not in out and "XX XXX" not in out
    findings = [json.loads(line) for line in out.splitlines()]
    assert {"record", "line", "field", "rule", "severity", "message"} == set(findings[0])
    code, out, _ = invoke("batch", "check", BAD_RECORDS, "--format", "jsonl", "--show-values")
    assert code == 1 and "1000000042" in out


def test_the_json_report_has_the_batch_summary() -> None:
    code, out, _ = invoke("batch", "check", EXAMPLES / "output" / GOOD.name, "--format", "json")
    document = json.loads(out)
    assert document["input"]["format"] == "csv"
    batch = document["summary"]["batch"]
    assert batch["layout"] == "lrb-2a" and batch["kind"] == "output" and batch["provisional"]
    assert batch["return_codes"]["WSRC0004"] == {"meaning": "exact match", "action": None,
                                                 "count": 1}
    assert batch["return_codes"]["RC013"]["meaning"] == "Learner(s) outside of permitted age range"
    assert "aged 13 to 110" in batch["return_codes"]["RC013"]["action"]
    assert code == 1


def test_the_text_report_lists_the_return_codes() -> None:
    _, out, _ = invoke("batch", "check", EXAMPLES / "output" / GOOD.name)
    assert "Return codes:" in out and "RC099" in out and "not a known code" in out
    codes = out[out.index("Return codes:"):].splitlines()[1:]
    # RC codes are known, listed among the others with what to do.
    rc006 = next(line for line in codes if line.split()[0] == "RC006")
    assert "Insufficient data to create a ULN: add what registering needs" in rc006
    assert [line.split()[0] for line in codes] == sorted(line.split()[0] for line in codes)


def test_the_csv_report_has_file_level_findings_with_blank_record_and_field() -> None:
    code, out, _ = invoke("batch", "check", BAD_HEADINGS, "--format", "csv")
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    moved = next(row for row in rows if row["rule"] == "BATCH.HEADINGS.04")
    assert (moved["record"], moved["field"], moved["line"]) == ("", "", "1")


def test_output_is_written_whole_and_never_over_the_input(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, _, _ = invoke("batch", "check", GOOD, "--format", "json", "-o", report)
    assert code == 0 and json.loads(report.read_text("utf-8"))["summary"]["records"] == 5
    source = copy(GOOD, tmp_path)
    before = source.read_bytes()
    code, _, err = invoke("batch", "check", source, "-o", source)
    assert code == 2 and "input file" in err and source.read_bytes() == before


@pytest.mark.parametrize(("name", "message"), [
    ("missing/LRB_10012345_290920261030.CSV", "file not found"),
    ("bad/xml/LRB_10012345_290920261030.XML", "refused"),
])
def test_input_errors_exit_2(name: str, message: str) -> None:
    code, out, err = invoke("batch", "check", EXAMPLES / name)
    assert code == 2 and message in err, out + err


def test_an_undecodable_file_exits_2_with_a_hint(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(GivenName="Zoë"), encoding="cp1252")
    code, _, err = invoke("batch", "check", path)
    assert code == 2 and "--encoding cp1252" in err
    assert invoke("batch", "check", path, "--encoding", "cp1252")[0] == 0


def test_a_layout_given_by_path_is_used(tmp_path: Path) -> None:
    layout = mini_layout(tmp_path)
    path = tmp_path / "mini.csv"
    path.write_text(csv_text([["Name", "Kind"], ["Ann", "z"], ["TRL", "1"]]), "utf-8")
    code, out, err = invoke("batch", "check", path, "--layout", layout, "--fail-on", "warning")
    assert code == 1 and "MINI.KIND.01" in out, out + err
    code, _, err = invoke("batch", "check", path, "--layout", "lrb-9z")
    assert code == 2 and "bundled layouts: lrb-2a" in err


# --- batch fix ------------------------------------------------------------------------------

def report_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_fix_writes_a_corrected_file_and_a_masked_report(tmp_path: Path) -> None:
    source = copy(BAD_RECORDS, tmp_path)
    before = source.read_bytes()
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    code, out, err = invoke("batch", "fix", source, "-o", target)
    assert code == 1, out + err  # errors remain for a person
    assert source.read_bytes() == before
    rows = report_rows(out)
    assert set(rows[0]) == {"record", "line", "field", "rule", "severity", "status", "message"}
    fixed = {(r["record"], r["field"]) for r in rows if r["status"] == "fixed"}
    assert {("2", "uln"), ("2", "date_of_birth"), ("2", "last_known_postcode"),
            ("2", "given_name"), ("2", "email_address")} <= fixed
    assert {r["status"] for r in rows if r["record"] == "3"} == {"needs a person"}
    assert [r["status"] for r in rows if r["record"] == "5"] == ["left out"]
    assert "1000000042" not in out and "ls44pl" not in out
    assert "4 of 5 learner records written" in err
    # The corrected file has only what needs a person left.
    code, out, _ = invoke("batch", "check", target, "--format", "jsonl")
    remaining = {(f["record"], f["rule"]) for f in map(json.loads, out.splitlines())}
    assert (2, "CDD.POSTCODE.03") not in remaining and (3, "CDD.GENDER.01") in remaining
    assert not any(f[0] == 2 for f in remaining)


def test_fix_shows_old_and_new_values_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    _, out, _ = invoke("batch", "fix", BAD_RECORDS, "-o", target, "--show-values")
    rows = report_rows(out)
    postcode = next(r for r in rows if r["field"] == "last_known_postcode"
                    and r["status"] == "fixed")
    assert (postcode["old"], postcode["new"]) == ("ls44pl", "LS4 4PL")


def test_fix_puts_columns_in_the_official_order_with_the_official_headings(
        tmp_path: Path) -> None:
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    code, out, err = invoke("batch", "fix", BAD_HEADINGS, "-o", target)
    assert code == 0, out + err
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8"))))
    assert rows[0] == [*HEADER, *HEADINGS]
    assert rows[1][:5] == ["2A", "REG-2026-09-A", "10012345", "3", "1026893096"]
    assert rows[1][4 + HEADINGS.index("DateOfBirth")] == "1976-08-16"
    assert rows[2][:4] == ["", "", "", ""] and len(rows) == 4
    statuses = {r["rule"]: r["status"] for r in report_rows(out)}
    assert statuses["BATCH.HEADINGS.04"] == "fixed" and statuses["BATCH.HEADINGS.02"] == "fixed"
    assert invoke("batch", "check", target)[0] == 0


def test_fix_writes_xml_when_the_output_is_named_xml(tmp_path: Path) -> None:
    target = tmp_path / "LRB_10012345_290920261031.XML"
    code, out, err = invoke("batch", "fix", GOOD, "-o", target, "--report-format", "json",
                            "--report", tmp_path / "report.json")
    assert code == 0, out + err
    assert target.read_text("utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>')
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["summary"]["written"] == 5 and report["summary"]["values_changed"] == 0
    code, out, _ = invoke("batch", "check", target, "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["records"] == 5


def test_fix_of_an_output_file_keeps_the_return_codes(tmp_path: Path) -> None:
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    code, out, _ = invoke("batch", "fix", EXAMPLES / "output" / GOOD.name, "-o", target)
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8"))))
    assert rows[0] == [*HEADER, *HEADINGS, "ReturnCode"] and rows[1][-1] == "WSRC0004"
    statuses = {(r["rule"], r["status"]) for r in report_rows(out)}
    assert ("BATCH.RETURNCODE.02", "needs a person") in statuses and code == 1


def test_fix_reports_a_bad_output_name_as_needing_a_person(tmp_path: Path) -> None:
    target = tmp_path / "corrected.csv"
    code, out, _ = invoke("batch", "fix", GOOD, "-o", target)
    assert code == 1
    assert [(r["rule"], r["status"]) for r in report_rows(out)] == [
        ("PRIV.SHARE.01", "noted"), ("BATCH.NAME.01", "needs a person")]


def test_fix_never_writes_over_the_input(tmp_path: Path) -> None:
    source = copy(BAD_RECORDS, tmp_path)
    before = source.read_bytes()
    code, _, err = invoke("batch", "fix", source, "-o", source)
    assert code == 2 and "input file" in err
    assert source.read_bytes() == before


def test_fix_refuses_an_output_that_is_not_csv_or_xml(tmp_path: Path) -> None:
    target = tmp_path / "LRB_10012345_290920261031.TXT"
    code, _, err = invoke("batch", "fix", GOOD, "-o", target)
    assert code == 2 and ".CSV or .XML" in err and not target.exists()


def test_fix_leaves_nothing_behind_when_the_file_cannot_be_corrected(tmp_path: Path) -> None:
    source = tmp_path / GOOD_NAME
    source.write_bytes(b"")
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    target.write_text("earlier", "utf-8")
    code, _, err = invoke("batch", "fix", source, "-o", target)
    assert code == 2 and "empty" in err
    assert target.read_text("utf-8") == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == [GOOD_NAME, target.name]


@pytest.mark.parametrize(("name", "tail"), [
    (GOOD.name, "Zoë,x\r\n".encode("cp1252")),  # a byte that does not decode, last line
    (GOOD.with_suffix(".XML").name, b"<Learner>"),  # XML cut short
])
def test_a_file_that_breaks_at_its_end_gives_no_report_and_no_file(
        tmp_path: Path, name: str, tail: bytes) -> None:
    source = tmp_path / "in" / name
    source.parent.mkdir()
    content = (EXAMPLES / name).read_bytes()
    if name.endswith(".XML"):
        content = content[:content.rindex(b"</Learners>")] + tail
    source.write_bytes(content + (tail if name.endswith(".CSV") else b""))
    code, out, err = invoke("batch", "check", source, "--format", "jsonl")
    assert (code, out) == (2, ""), err
    target = tmp_path / "LRB_10012345_290920261031.CSV"
    code, out, err = invoke("batch", "fix", source, "-o", target)
    assert (code, out) == (2, ""), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


# --- batch check: the options of validate ---------------------------------------------------

def test_batch_check_as_of_runs_the_rules_in_force_on_that_date(tmp_path: Path) -> None:
    layout = mini_layout(tmp_path)
    pack = tmp_path / "mini.yaml"
    pack.write_text(pack.read_text("utf-8").replace(
        "    message: Kind is not a or b\n",
        "    message: Kind is not a or b\n    since: 2030-01-01\n"), "utf-8")
    path = tmp_path / "mini.csv"
    path.write_text(csv_text([["Name", "Kind"], ["Ann", "z"], ["TRL", "1"]]), "utf-8")
    args = ("batch", "check", path, "--layout", layout, "--fail-on", "warning",
            "--format", "json")
    code, out, err = invoke(*args)
    assert code == 0, out + err  # MINI.KIND.01 is not in force yet
    code, out, err = invoke(*args, "--as-of", "2030-06-01")
    assert code == 1, out + err
    document = json.loads(out)
    assert document["pack"]["as_of"] == "2030-06-01"
    assert [f["rule"] for f in document["findings"]] == ["MINI.KIND.01"]
    code, _, err = invoke(*args, "--as-of", "2030-02-30")
    assert code == 2 and "not a real date" in err


def test_batch_check_waivers_mark_findings_and_do_not_fail_the_run(tmp_path: Path) -> None:
    layout = mini_layout(tmp_path)
    path = tmp_path / "mini.csv"
    path.write_text(csv_text([["Name", "Kind"], ["Ann", "z"], ["Bo", "y"], ["TRL", "2"]]),
                    "utf-8")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - {rule: MINI.KIND.01, key: {field: kind, value: z},"
                       " reason: Agreed, approved_by: Data team, expires: 2099-12-31}\n",
                       "utf-8")
    args = ("batch", "check", path, "--layout", layout, "--fail-on", "warning",
            "--format", "jsonl", "--waivers", waivers)
    code, out, err = invoke(*args)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["record"], "waived" in r) for r in rows] == [(1, True), (2, False)]
    assert code == 1, out + err  # record 2 is not waived
    waivers.write_text(waivers.read_text("utf-8").replace("value: z}", "value: y}")
                       .replace("- {rule", "- {rule: MINI.KIND.01, record: 1, reason: R,"
                                " approved_by: A, expires: 2099-12-31}\n  - {rule"), "utf-8")
    code, out, err = invoke(*args)
    assert code == 0, out + err
    assert "'z'" not in out and '"z"' not in out  # key values are never printed
    waivers.write_text("waivers:\n  - {rule: MINI.NOPE.01, record: 1, reason: R,"
                       " approved_by: A, expires: 2099-12-31}\n", "utf-8")
    code, _, err = invoke(*args)
    assert code == 2 and "unknown rule MINI.NOPE.01" in err and "waivers.yaml:2" in err
