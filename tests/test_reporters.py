"""The reporters: the same findings written for people and for programs."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence

import pytest

from lrsrules.findings import Finding
from lrsrules.report import reporters
from lrsrules.report.formats import REPORTERS
from lrsrules.report.reporters import Reporter
from lrsrules.report.statistics import Statistics
from lrsrules.run.findings import RunInfo, Summary

INFO = RunInfo(
    pack_name="lrs-default",
    pack_version="0.1.0",
    pack_sha256="ab12",
    pack_path="rulepacks/lrs-default/pack.yaml",
    input_path="data/learners.csv",
    input_format="csv",
    encoding="utf-8-sig",
    delimiter=",",
)
FUTURE = "Date of birth is in the future"
WIDTH = "record has 7 values but the header has 5 headings"
FINDINGS = (
    Finding(3, 4, "given_name", "CDD.GIVENNAME.01", "error", "Given name is required"),
    Finding(5, 7, "date_of_birth", "CDD.DOB.02", "warning", FUTURE, "2099-01-01"),
    Finding(6, 9, None, "INPUT.RECORD", "error", WIDTH),
)
SUMMARY = Summary(
    records=12,
    findings=3,
    by_severity={"info": 0, "warning": 1, "error": 2},
    records_with_findings=3,
    rules=40,
)


def report(
    name: str,
    findings: Sequence[Finding] = FINDINGS,
    summary: Summary = SUMMARY,
    **options: object,
) -> str:
    stream = io.StringIO()
    reporter = REPORTERS[name](stream, **options)  # type: ignore[arg-type]
    reporter.start(INFO)
    for finding in findings:
        reporter.add(finding)
    reporter.finish(summary)
    return stream.getvalue()


def test_the_registry_offers_eight_interchangeable_reporters() -> None:
    assert set(REPORTERS) == {"text", "json", "jsonl", "csv", "html", "junit", "sarif",
                              "github"}
    assert all(issubclass(cls, Reporter) for cls in REPORTERS.values())


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_no_reporter_writes_a_value_unless_asked(name: str) -> None:
    secret = Finding(1, 2, "family_name", "R.1", "error", "Family name is too long", "Secretson")
    assert "Secretson" not in report(name, [secret])
    assert "Secretson" in report(name, [secret], show_values=True)


# --- text --------------------------------------------------------------------------------


def test_text_writes_one_line_per_finding_then_a_summary() -> None:
    assert report("text") == (
        "data/learners.csv:4: record 3, given_name: error CDD.GIVENNAME.01:"
        " Given name is required\n"
        "data/learners.csv:7: record 5, date_of_birth: warning CDD.DOB.02:"
        " Date of birth is in the future\n"
        "data/learners.csv:9: record 6: error INPUT.RECORD:"
        " record has 7 values but the header has 5 headings\n"
        "\n"
        "12 records checked with pack lrs-default 0.1.0 (sha256 ab12):"
        " 3 findings (2 errors, 1 warning, 0 info) in 3 records\n"
    )


def test_text_shows_values_only_when_asked_and_quoted() -> None:
    out = report("text", FINDINGS[:2], show_values=True, source_name="learners.csv")
    assert out.splitlines()[:2] == [
        "learners.csv:4: record 3, given_name: error CDD.GIVENNAME.01: Given name is required"
        " [value: (blank)]",
        "learners.csv:7: record 5, date_of_birth: warning CDD.DOB.02:"
        " Date of birth is in the future [value: '2099-01-01']",
    ]


def test_text_cuts_a_long_value_short() -> None:
    finding = Finding(1, 2, "notes", "R.1", "info", "Long notes", "n" * 500)
    line = report("text", [finding], show_values=True).splitlines()[0]
    assert line.endswith(f" [value: '{'n' * 100}'…]")


def test_text_keeps_a_message_on_one_line() -> None:
    finding = Finding(1, 2, None, "R.1", "info", "first\nsecond")
    assert report("text", [finding]).splitlines()[0].endswith("R.1: first second")


def test_text_summary_of_a_clean_run_says_no_findings_and_names_odd_headings() -> None:
    clean = Summary(1, 0, {"info": 0, "warning": 0, "error": 0}, 0, 40, ("Foo", "Bar"), ("uln",))
    assert report("text", [], clean) == (
        "1 record checked with pack lrs-default 0.1.0 (sha256 ab12)\n"
        "No findings.\n"
        "Ignored headings (no field of the pack): Foo, Bar\n"
        "Missing fields (not in the input): uln\n"
    )


def test_text_names_a_file_level_finding_by_the_file_alone() -> None:
    finding = Finding(None, None, None, "INPUT.FILE", "warning", "Odd file")
    assert report("text", [finding]).startswith("data/learners.csv: warning INPUT.FILE: Odd file\n")


# --- jsonl -------------------------------------------------------------------------------


def test_jsonl_writes_one_object_per_finding_and_nothing_else() -> None:
    assert report("jsonl", FINDINGS[:2]).splitlines() == [
        '{"record": 3, "line": 4, "field": "given_name", "rule": "CDD.GIVENNAME.01",'
        ' "severity": "error", "message": "Given name is required"}',
        '{"record": 5, "line": 7, "field": "date_of_birth", "rule": "CDD.DOB.02",'
        ' "severity": "warning", "message": "Date of birth is in the future"}',
    ]


def test_jsonl_with_values_adds_the_value_key_even_when_blank() -> None:
    rows = [json.loads(line) for line in report("jsonl", show_values=True).splitlines()]
    assert [row["value"] for row in rows] == [None, "2099-01-01", None]


# --- json --------------------------------------------------------------------------------


def statistics_of(findings: Sequence[Finding]) -> dict[str, object]:
    stats = Statistics()
    for finding in findings:
        stats.add(finding)
    return stats.to_dict()


def test_json_writes_one_indented_document_at_the_end() -> None:
    out = report("json", FINDINGS[:1])
    assert out.startswith('{\n  "pack": {\n    "name": "lrs-default",')
    assert json.loads(out) == {
        "pack": {"name": "lrs-default", "version": "0.1.0", "sha256": "ab12"},
        "input": {
            "path": "data/learners.csv",
            "format": "csv",
            "encoding": "utf-8-sig",
            "delimiter": ",",
        },
        "summary": SUMMARY.to_dict() | {"statistics": statistics_of(FINDINGS[:1])},
        "findings": [
            {
                "record": 3,
                "line": 4,
                "field": "given_name",
                "rule": "CDD.GIVENNAME.01",
                "severity": "error",
                "message": "Given name is required",
            }
        ],
    }


@pytest.mark.parametrize("spool", [64, 1 << 20])
@pytest.mark.parametrize("show_values", [False, True])
def test_json_is_the_document_json_dumps_would_write_whatever_the_spool_holds(
        monkeypatch: pytest.MonkeyPatch, spool: int, show_values: bool) -> None:
    monkeypatch.setattr(reporters, "REPORT_SPOOL_BYTES", spool)  # 64: spooled to a file
    findings = [*FINDINGS, Finding(7, 8, "notes", "R.2", "info", 'two\nlines, "quoted"',
                                   "Zoë \ud800", waived="agreed"), *FINDINGS * 20]
    info = dataclasses.replace(INFO, waivers="waivers.yaml")
    stream = io.StringIO()
    with reporters.JsonReporter(stream, show_values=show_values) as reporter:
        reporter.start(info)
        for finding in findings:
            reporter.add(finding)
        reporter.finish(SUMMARY)
    document = {"pack": info.pack_dict(), "input": {
        "path": info.input_path, "format": info.input_format, "encoding": info.encoding,
        "delimiter": info.delimiter},
        "summary": SUMMARY.to_dict() | {"statistics": statistics_of(findings)},
        "findings": [f.to_dict(show_values) for f in findings],
        "waivers": {"path": "waivers.yaml"}}
    assert stream.getvalue() == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_json_without_findings_has_an_empty_list() -> None:
    out = report("json", [])
    assert json.loads(out)["findings"] == [] and '\n  "findings": []\n}' in out


def test_json_keeps_non_ascii_text_readable() -> None:
    finding = Finding(1, 2, "family_name", "R.1", "error", "Brontë is flagged")
    assert "Brontë is flagged" in report("json", [finding])


# --- csv ---------------------------------------------------------------------------------


def test_csv_writes_a_header_and_one_row_per_finding() -> None:
    assert report("csv").splitlines() == [
        "record,line,field,rule,severity,message",
        "3,4,given_name,CDD.GIVENNAME.01,error,Given name is required",
        "5,7,date_of_birth,CDD.DOB.02,warning,Date of birth is in the future",
        "6,9,,INPUT.RECORD,error,record has 7 values but the header has 5 headings",
    ]


def test_csv_with_values_adds_a_value_column() -> None:
    rows = list(csv.reader(io.StringIO(report("csv", show_values=True))))
    assert rows[0][-1] == "value"
    assert [row[-1] for row in rows[1:]] == ["", "2099-01-01", ""]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(start: str) -> None:
    value = f'{start}HYPERLINK("http://x")'
    finding = Finding(1, 2, "notes", "R.1", "error", f"{start}1+1 is odd", value)
    row = list(csv.reader(io.StringIO(report("csv", [finding], show_values=True), newline="")))[1]
    assert row[5] == f"'{start}1+1 is odd"
    assert row[6] == f"'{value}"


def test_csv_quotes_a_bare_carriage_return_so_no_row_starts_inside_a_value() -> None:
    finding = Finding(1, 2, "notes", "R.1", "error", "odd", "a\r=HYPERLINK(1)")
    text = report("csv", [finding], show_values=True)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and rows[1][6] == "a\r=HYPERLINK(1)"
    assert '"a\r=HYPERLINK(1)"' in text and "\r\n" not in text


def test_csv_leaves_ordinary_text_alone() -> None:
    finding = Finding(1, 2, "notes", "R.1", "error", "Ends with = sign", "a-b")
    row = report("csv", [finding], show_values=True).splitlines()[1]
    assert row == "1,2,notes,R.1,error,Ends with = sign,a-b"
