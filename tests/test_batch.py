"""Checking batch files: every file-level check, record-level checks, and the three formats."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from batchfiles import (
    GOOD_NAME,
    HEADER,
    HEADER_VALUES,
    HEADINGS,
    LRB,
    batch_rows,
    csv_text,
    header_values,
    learner,
    mini_layout,
    write_batch,
)

from lrsrules.batch.check import BatchFile, check_layout_against, open_batch
from lrsrules.batch.layouts import Layout, load_layout
from lrsrules.errors import InputError, PackError
from lrsrules.findings import Finding
from lrsrules.packs.discovery import find_pack
from lrsrules.packs.loader import load_pack
from lrsrules.run.pipeline import Run
from lrsrules.run.program import CompiledPack, compile_pack

NOW = dt.datetime(2026, 11, 29, 8, 0)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def compiled_for(layout: Layout) -> CompiledPack:
    return _compiled(str(find_pack(layout.pack, base_dir=layout.pack_base)))


@cache
def _compiled(path: str) -> CompiledPack:
    return compile_pack(load_pack(Path(path)), today=NOW.date())


def check(path: Path, layout: Layout = LRB, **options: str) -> tuple[list[Finding], BatchFile]:
    batch = open_batch(path, layout, now=NOW, **options)
    run = Run(compiled_for(layout), batch.as_source)
    found = list(run)
    batch.run = run  # type: ignore[attr-defined]
    return found, batch


def rules(path: Path, layout: Layout = LRB) -> list[str]:
    return [f.rule for f in check(path, layout)[0]]


def file_level(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.record is None]


# --- a good file ----------------------------------------------------------------------------

def test_a_good_batch_has_no_findings(tmp_path: Path) -> None:
    found, batch = check(write_batch(tmp_path, learner(), learner(GivenName="Amelia")))
    assert found == []
    assert batch.records == 2 and not batch.is_output
    assert batch.header == dict(zip(HEADER, header_values(2), strict=True))


def test_the_bundled_good_examples_have_no_errors_or_warnings() -> None:
    for name in ("LRB_10012345_290920261030.CSV", "LRB_10012345_290920261030.XML"):
        found, batch = check(EXAMPLES / name)
        assert [f.severity for f in found] == ["info"], found
        assert batch.records == 5


# --- the file as a whole --------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"\r\n\r\n  \r\n"])
def test_an_empty_file_is_one_finding(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / GOOD_NAME
    path.write_bytes(content)
    found, _ = check(path)
    assert [(f.rule, f.record, f.field) for f in found] == [("BATCH.FILE.01", None, None)]


def test_a_missing_header_is_one_finding_and_learners_are_still_checked(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(), learner(Gender="7"), header=[])
    found, batch = check(path)
    assert [(f.rule, f.record) for f in found] == [("BATCH.HEADER.01", None),
                                                  ("CDD.GENDER.01", 2)]
    assert found[1].line == 3 and batch.records == 2


def test_blank_header_values_are_each_reported(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(), header=[HEADER, ["", "", "", ""]])
    found = file_level(check(path)[0])
    assert [f.rule for f in found] == ["BATCH.HEADER.10", "BATCH.HEADER.11",
                                      "BATCH.HEADER.12", "BATCH.HEADER.14"]


def test_wrong_header_values_are_each_reported_with_their_value(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(),
                       header=[HEADER, ["2B", " ", "20012345", "one"]])
    found = file_level(check(path)[0])
    assert [(f.rule, f.line, f.value) for f in found] == [
        ("BATCH.HEADER.10", 2, "2B"), ("BATCH.HEADER.11", 2, None),
        ("BATCH.HEADER.12", 2, "20012345"), ("BATCH.HEADER.14", 2, "one")]


def test_a_misspelt_header_heading_is_one_finding_and_its_value_still_counts(
        tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(), header=[
        ["FileVersion", "FileName", "Ukprn", "LearnerRecordCount"], header_values(1)])
    found, batch = check(path)
    assert [(f.rule, f.line) for f in found] == [("BATCH.HEADER.04", 1)]
    assert "'Ukprn' must be written UKPRN" in found[0].message
    assert batch.header["UKPRN"] == "10012345"


@pytest.mark.parametrize(("header", "expected"), [
    ([HEADER[:3], HEADER_VALUES],
     [("BATCH.HEADER.02",
       "Header heading LearnerRecordCount is missing from row 1 (it belongs in column 4).")]),
    ([[*HEADER[:3], ""], header_values(1)],
     [("BATCH.HEADER.02",
       "Header heading LearnerRecordCount is missing from row 1 (it belongs in column 4).")]),
    ([[*HEADER[:3], "Batch", HEADER[3]], [*HEADER_VALUES, "x", "1"]],
     [("BATCH.HEADER.03", "Row 1, column 4: 'Batch' is not a header heading.")]),
    ([[*HEADER, "UKPRN"], [*header_values(1), "10012345"]],
     [("BATCH.HEADER.06", "Row 1, column 5: header heading UKPRN appears a second time.")]),
])
def test_each_header_heading_mistake_is_one_finding(
        tmp_path: Path, header: list[list[str]], expected: list[tuple[str, str]]) -> None:
    found = check(write_batch(tmp_path, learner(), header=header))[0]
    assert [(f.rule, f.message) for f in found] == expected


def test_header_columns_in_another_order_are_read_by_heading(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(), header=[
        ["FileName", "FileVersion", "UKPRN", "LearnerRecordCount"],
        ["REG-1", "2A", "10012345", "1"]])
    found, batch = check(path)
    assert [f.rule for f in found] == ["BATCH.HEADER.05"]
    assert batch.header["FileVersion"] == "2A"


@pytest.mark.parametrize(("declared", "expected"), [
    ("2", [("BATCH.HEADER.15", "error")]), ("3", []), ("03", []),
    ("", [("BATCH.HEADER.14", "error")]), ("three", [("BATCH.HEADER.14", "error")]),
])
def test_the_learner_count_must_be_the_learner_rows(
        tmp_path: Path, declared: str, expected: list[tuple[str, str]]) -> None:
    path = write_batch(tmp_path, learner(), learner(), learner(),
                       header=[HEADER, [*HEADER_VALUES, declared]])
    found = check(path)[0]
    assert [(f.rule, f.severity) for f in found] == expected
    if expected and expected[0][0] == "BATCH.HEADER.15":
        assert found[0].message == ("LearnerRecordCount (row 2, column 4) is 2 but the file "
                                    "holds 3 learner rows: they must be equal.")
        assert found[0].line == 2


def test_more_learners_than_the_portal_guidance_is_a_warning(tmp_path: Path) -> None:
    many = [learner() for _ in range(5001)]
    found = check(write_batch(tmp_path, *many))[0]
    assert [(f.rule, f.severity) for f in found] == [("BATCH.HEADER.16", "warning")]
    assert "at most 5000" in found[0].message


def test_header_values_on_later_rows_are_one_warning(tmp_path: Path) -> None:
    path = tmp_path / GOOD_NAME
    rows = batch_rows(learner(), learner(), learner())
    rows[2][:4] = rows[1][:4]
    rows[3][:4] = rows[1][:4]
    path.write_text(csv_text(rows), "utf-8")
    found = check(path)[0]
    assert [(f.rule, f.severity, f.line) for f in found] == [("BATCH.HEADER.08", "warning", 3)]
    assert found[0].message.startswith("2 learner rows after the first")


def test_the_old_header_on_rows_of_its_own_is_one_finding_and_its_values_are_read(
        tmp_path: Path) -> None:
    path = tmp_path / GOOD_NAME
    path.write_text(csv_text([["FileVersion", "FileName", "UKPRN", "OrgRef"],
                              ["2A", "REG-1", "10099999", "ORG-1"], HEADINGS, learner()]))
    found, batch = check(path)
    assert [(f.rule, f.line) for f in found] == [("BATCH.NAME.05", None),
                                                ("BATCH.HEADER.07", 1)]
    assert batch.header == {"FileVersion": "2A", "FileName": "REG-1", "UKPRN": "10099999"}
    assert batch.records == 1


@pytest.mark.parametrize("spelling", ["FamilyNameAt16", "LastKnownAddressCountyorCity"])
def test_the_other_spelling_of_a_disputed_heading_is_a_warning_and_read(
        tmp_path: Path, spelling: str) -> None:
    usual = LRB.variants[spelling]
    headings = [spelling if h == usual else h for h in HEADINGS]
    path = write_batch(tmp_path, learner(), headings=headings)
    found, batch = check(path)
    assert [(f.rule, f.severity) for f in found] == [("BATCH.HEADINGS.07", "warning")]
    assert f"'{spelling}' is accepted, but the LRS schema writes it {usual}" in found[0].message
    field = dict(LRB.learner)[usual]
    assert batch.columns[field] == len(HEADER) + HEADINGS.index(usual)


def test_the_name_is_checked_against_the_header(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(), name="LRB_10099999_290920261030.CSV")
    assert rules(path) == ["BATCH.NAME.05"]


def test_a_bad_name_is_reported_before_everything_else(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(Gender="7"), name="learners.csv")
    found = check(path)[0]
    assert [f.rule for f in found] == ["BATCH.NAME.01", "CDD.GENDER.01"]
    assert found[0].line is None


# --- learner headings -----------------------------------------------------------------------

def test_a_missing_heading_is_one_finding(tmp_path: Path) -> None:
    at = HEADINGS.index("Title")
    headings = HEADINGS[:at] + HEADINGS[at + 1:]
    path = write_batch(tmp_path, learner()[:at] + learner()[at + 1:], headings=headings)
    found = check(path)[0]
    assert [(f.rule, f.line) for f in found] == [("BATCH.HEADINGS.01", 1)]
    assert "Title is missing (it belongs in column 7)" in found[0].message


def test_an_unexpected_heading_is_one_finding(tmp_path: Path) -> None:
    path = write_batch(tmp_path, [*learner(), "Maths"], headings=[*HEADINGS, "Course"])
    found, batch = check(path)
    assert [f.rule for f in found] == ["BATCH.HEADINGS.02"]
    assert "Column 31: 'Course'" in found[0].message
    assert batch.run.summary  # type: ignore[attr-defined].ignored_headings == ("'Course'",)


def test_swapped_columns_are_one_finding_and_learners_are_checked_by_heading(
        tmp_path: Path) -> None:
    title, given = HEADINGS.index("Title"), HEADINGS.index("GivenName")
    headings, swapped = list(HEADINGS), learner(GivenName="Ann2", Title="Ms")
    for row in (headings, swapped):
        row[title], row[given] = row[given], row[title]
    found = check(write_batch(tmp_path, swapped, headings=headings))[0]
    assert [(f.rule, f.field, f.value) for f in found] == [
        ("BATCH.HEADINGS.04", None, None), ("CDD.NAMES.01", "given_name", "Ann2")]
    assert "GivenName is in column 7; it belongs in column 8" in found[0].message


def test_a_misspelt_heading_is_one_finding_and_its_values_are_checked(tmp_path: Path) -> None:
    headings = [h if h != "DateOfBirth" else "Dateofbirth" for h in HEADINGS]
    found = check(write_batch(tmp_path, learner(DateOfBirth="2008-02-30"),
                              headings=headings))[0]
    assert [(f.rule, f.field) for f in found] == [("BATCH.HEADINGS.03", None),
                                                 ("CDD.DOB.01", "date_of_birth")]


def test_a_repeated_heading_is_one_finding(tmp_path: Path) -> None:
    path = write_batch(tmp_path, [*learner(), "1026893096"], headings=[*HEADINGS, "ULN"])
    assert rules(path) == ["BATCH.HEADINGS.05"]


def test_a_heading_row_of_data_is_one_finding_quoting_nothing(tmp_path: Path) -> None:
    path = tmp_path / GOOD_NAME
    path.write_text(csv_text([learner(), learner()]), "utf-8")
    found, batch = check(path)
    assert [f.rule for f in found] == ["BATCH.HEADINGS.06"]
    assert "Sample" not in found[0].message and "1026893096" not in found[0].message
    assert batch.records == 1  # counted, not checked


def test_headings_with_trailing_empty_cells_are_fine(tmp_path: Path) -> None:
    pad = ["", "", ""]
    rows = batch_rows(learner(), learner())
    rows = [rows[0] + pad, rows[1] + pad * 8, rows[2]]
    path = tmp_path / GOOD_NAME
    path.write_text(csv_text(rows), "utf-8")
    assert rules(path) == []


# --- learner rows ---------------------------------------------------------------------------

def test_a_file_without_learner_rows_is_an_error(tmp_path: Path) -> None:
    found = check(write_batch(tmp_path))[0]
    assert [(f.rule, f.record, f.field) for f in found] == [("BATCH.RECORDS.01", None, None)]


def test_a_row_with_the_wrong_number_of_columns_is_one_finding_not_checked_further(
        tmp_path: Path) -> None:
    short = learner(Gender="7")[:-1]
    found, batch = check(write_batch(tmp_path, learner(), short, [*learner(), "x"]))
    assert [(f.rule, f.record, f.line, f.field) for f in found] == [
        ("BATCH.RECORD.01", 2, 3, None), ("BATCH.RECORD.01", 3, 4, None)]
    assert "29 values but there are 30 headings" in found[0].message
    tally = batch.run.summary  # type: ignore[attr-defined]
    assert (tally.records, tally.records_with_findings, tally.findings) == (3, 2, 2)


def test_lines_are_physical_lines_across_blank_lines_and_multi_line_values(
        tmp_path: Path) -> None:
    text = csv_text(batch_rows(learner(Notes="two\nlines"),
                               header=[HEADER, header_values(2)]))
    text += "\r\n" + csv_text([["", "", "", "", *learner(Gender="7")]])
    path = tmp_path / GOOD_NAME
    path.write_text(text, "utf-8", newline="")
    found = check(path)[0]
    assert [(f.rule, f.record, f.line) for f in found] == [("CDD.GENDER.01", 2, 5)]


def test_a_file_in_a_windows_encoding_is_an_input_error_unless_given(tmp_path: Path) -> None:
    path = write_batch(tmp_path, learner(GivenName="Zoë"), encoding="cp1252")
    with pytest.raises(InputError) as caught:
        open_batch(path, LRB, now=NOW)
    assert "--encoding cp1252" in str(caught.value) and ":2:" in str(caught.value)
    assert check(path, encoding="cp1252")[0] == []


def test_an_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        open_batch(tmp_path / GOOD_NAME, LRB)
    with pytest.raises(InputError, match="format"):
        open_batch(tmp_path / "batch.json", LRB)


# --- output files ---------------------------------------------------------------------------

def test_an_output_file_is_recognised_and_summarised_by_return_code(tmp_path: Path) -> None:
    rows = [[*learner(), code] for code in ("WSRC0004", "WSRC0004", "WSRC0003", "WSEC0136",
                                            "WSRC0099", "")]
    path = write_batch(tmp_path, *rows, headings=[*HEADINGS, "ReturnCode"])
    found, batch = check(path)
    assert batch.is_output
    assert [(f.rule, f.record, f.severity) for f in found] == [
        ("BATCH.RETURNCODE.03", 3, "warning"), ("BATCH.RETURNCODE.03", 4, "error"),
        ("BATCH.RETURNCODE.02", 5, "error"), ("BATCH.RETURNCODE.01", 6, "error")]
    assert "WSEC0136: supplied ULN is invalid" in found[1].message
    summary = batch.run.summary  # type: ignore[attr-defined]
    codes = summary.to_dict()["batch"]["return_codes"]
    assert codes["WSRC0004"] == {"meaning": "exact match", "action": None, "count": 2}
    assert codes["WSRC0099"] == {"meaning": None, "action": None, "count": 1}
    assert summary.to_dict()["batch"]["unknown_return_codes"] == 1
    assert any("WSRC0004" in note and "2" in note and "exact match" in note
               for note in summary.notes)


def test_the_bundled_output_example_is_an_output_file() -> None:
    _, batch = check(EXAMPLES / "output" / "LRB_10012345_290920261030.CSV")
    assert batch.is_output and sum(batch.return_codes.values()) == 7
    assert {"RC006", "RC013"} <= set(batch.return_codes)


# --- XML ------------------------------------------------------------------------------------

def xml_batch(learners: list[dict[str, str]], header: bool = True,
              prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    parts = [prolog, "<LRBBatch>\n"]
    if header:
        parts.append("  <Header>" + "".join(f"<{h}>{v}</{h}>" for h, v in
                                            zip(HEADER, header_values(len(learners)),
                                                strict=True))
                     + "</Header>\n")
    parts.append("  <Learners>\n")
    for values in learners:
        parts.append("    <Learner>" + "".join(f"<{h}>{v}</{h}>" for h, v in values.items())
                     + "</Learner>\n")
    parts.append("  </Learners>\n</LRBBatch>\n")
    return "".join(parts)


def xml_learner(**values: str) -> dict[str, str]:
    return dict(zip(HEADINGS, learner(**values), strict=True))


def write_xml(folder: Path, text: str, name: str = "LRB_10012345_290920261030.XML") -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_an_xml_batch_is_checked_like_its_csv_form(tmp_path: Path) -> None:
    path = write_xml(tmp_path, xml_batch([xml_learner(), xml_learner(Gender="7")]))
    found, batch = check(path)
    assert [(f.rule, f.record, f.line) for f in found] == [("CDD.GENDER.01", 2, 6)]
    assert batch.parts.format == "xml" and batch.header["UKPRN"] == "10012345"


def test_xml_elements_in_another_order_are_one_finding_and_read_by_name(
        tmp_path: Path) -> None:
    def swapped(**values: str) -> dict[str, str]:
        row = xml_learner(**values)
        return {"FamilyName": row.pop("FamilyName"), **row}
    path = write_xml(tmp_path, xml_batch([swapped(GivenName="Ann2"), swapped()]))
    found = check(path)[0]
    assert [(f.rule, f.field) for f in found] == [("BATCH.HEADINGS.04", None),
                                                 ("CDD.NAMES.01", "given_name")]


def test_a_learner_with_other_elements_than_the_first_is_one_finding(tmp_path: Path) -> None:
    odd = xml_learner(Gender="7")
    del odd["Notes"]
    found = check(write_xml(tmp_path, xml_batch([xml_learner(), odd])))[0]
    assert [(f.rule, f.record) for f in found] == [("BATCH.RECORD.02", 2)]


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE LRBBatch [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n',
    '<!DOCTYPE LRBBatch [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
    '<!DOCTYPE LRBBatch SYSTEM "http://example.org/lrb.dtd">\n',
])
def test_entities_and_document_types_are_refused(tmp_path: Path, doctype: str) -> None:
    text = xml_batch([xml_learner(GivenName="&b;")]).replace("?>\n", "?>\n" + doctype, 1)
    with pytest.raises(InputError, match="DTD"):
        open_batch(write_xml(tmp_path, text), LRB)


def test_the_bundled_entity_example_is_refused() -> None:
    with pytest.raises(InputError, match="refused"):
        open_batch(EXAMPLES / "bad" / "xml" / "LRB_10012345_290920261030.XML", LRB)


def test_malformed_xml_and_another_root_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        open_batch(write_xml(tmp_path, "<LRBBatch>\n  <Header>\n</LRBBatch>\n"), LRB)
    assert "mismatched tag" in str(caught.value) and ":3:" in str(caught.value)
    with pytest.raises(InputError, match="root element is <Batch>"):
        open_batch(write_xml(tmp_path, "<Batch/>"), LRB)


def test_an_xml_file_without_a_header_or_learners(tmp_path: Path) -> None:
    assert rules(write_xml(tmp_path, xml_batch([xml_learner()], header=False))) == [
        "BATCH.HEADER.01"]
    assert rules(write_xml(tmp_path, xml_batch([]))) == ["BATCH.RECORDS.01"]


# --- XLSX -----------------------------------------------------------------------------------

def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_workbook_is_read_with_numbers_and_dates_as_text(tmp_path: Path) -> None:
    row: list[object] = list(learner())
    row[HEADINGS.index("ULN")] = 1026893096
    row[HEADINGS.index("DateOfBirth")] = dt.datetime(1976, 8, 16)
    row[HEADINGS.index("Gender")] = 2
    bad: list[object] = list(learner(Gender="7"))
    bad[HEADINGS.index("Notes")] = None
    path = write_xlsx(tmp_path / "learners.xlsx",
                      [[*HEADER, *HEADINGS], [2.0, "REG-1", 10012345, 2, *row], [],
                       [None] * 4 + bad])
    found, batch = check(path)
    # No file-name rule for a workbook; numbers read as CSV would hold them.
    assert [(f.rule, f.record, f.line) for f in found] == [("BATCH.HEADER.10", None, 2),
                                                          ("CDD.GENDER.01", 2, 4)]
    assert batch.header["UKPRN"] == "10012345" and batch.header["FileVersion"] == "2"


def test_a_broken_workbook_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "learners.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match="Excel workbook"):
        open_batch(path, LRB)


# --- layouts as data ------------------------------------------------------------------------

def test_a_trailer_is_checked_and_not_counted_as_a_learner(tmp_path: Path) -> None:
    layout = load_layout(mini_layout(tmp_path))
    path = tmp_path / "mini.csv"
    path.write_text(csv_text([["Name", "Kind"], ["Ann", "a"], ["Bo", "c"], ["TRL", "2"]]))
    found, batch = check(path, layout)
    assert [f.rule for f in found] == ["MINI.KIND.01"] and batch.records == 2
    path.write_text(csv_text([["Name", "Kind"], ["Ann", "a"], ["TRL", "5"]]))
    assert rules(path, layout) == ["MINI.TRAILER.02"]
    path.write_text(csv_text([["Name", "Kind"], ["Ann", "a"]]))
    assert rules(path, layout) == ["MINI.TRAILER.01"]


def test_a_layout_naming_a_field_the_pack_lacks_is_refused(tmp_path: Path) -> None:
    path = mini_layout(tmp_path)
    path.write_text(path.read_text("utf-8").replace("field: kind", "field: sort"), "utf-8")
    layout = load_layout(path)
    with pytest.raises(PackError, match="maps to field sort"):
        check_layout_against(layout, compiled_for(load_layout(mini_layout(tmp_path))))
