"""Batch file layouts: loaded as data, checked by their own schema and for meaning."""

from __future__ import annotations

from pathlib import Path

import pytest
from batchfiles import mini_layout

from lrsrules.batch.layouts import (
    CHECKS,
    DEFAULT_LAYOUT,
    bundled_layouts,
    find_layout,
    load_layout,
)
from lrsrules.errors import PackError
from lrsrules.packs.discovery import bundled_packs
from lrsrules.packs.loader import load_pack
from lrsrules.packs.schema import load_schema


def problems(path: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        load_layout(path)
    return [p.format() for p in caught.value.problems]


def test_the_bundled_2a_layout_is_provisional_and_follows_the_facts_file() -> None:
    layout = load_layout(DEFAULT_LAYOUT)
    assert layout.name == "lrb-2a" and layout.provisional
    assert [f.heading for f in layout.header] == [
        "FileVersion", "FileName", "UKPRN", "LearnerRecordCount"]
    assert layout.headings[:4] == ("ULN", "MISIdentifier", "Title", "GivenName")
    assert layout.variants == {"FamilyNameAt16": "FamilyNameAtAge16",
                               "LastKnownAddressCountyorCity": "LastKnownAddressCountyOrCity"}
    assert layout.header[-1].count == (1, 5000)
    assert layout.provisional is not None and "FamilyNameAt16" in layout.provisional
    assert layout.headings[-1] == "Notes" and len(layout.headings) == 26
    assert layout.file_name is not None and layout.file_name.extensions == ("CSV", "XML")
    assert layout.output is not None and "WSRC0004" in layout.output.codes
    assert {"RC006", "RC011", "RC013"} <= set(layout.output.codes)
    assert all(code.action for code in layout.output.codes.values() if code.severity)


def test_every_learner_heading_maps_to_a_field_of_the_default_pack() -> None:
    layout = load_layout()
    pack = load_pack(layout.pack)
    assert all(field in pack.fields for _, field in layout.learner)


def test_the_layouts_folder_is_not_a_pack_and_holds_the_bundled_layouts() -> None:
    assert "layouts" not in bundled_packs()
    assert DEFAULT_LAYOUT in bundled_layouts()
    assert find_layout(DEFAULT_LAYOUT).name == "lrb-2a.yaml"


def test_the_schema_lists_every_check_the_engine_makes() -> None:
    listed = set(load_schema("layout.schema.json")["properties"]["rules"]["properties"])
    assert listed == set(CHECKS) - {"header.value"}


def test_an_unknown_layout_name_names_the_bundled_layouts() -> None:
    with pytest.raises(PackError) as caught:
        load_layout("lrb-9z")
    assert "lrb-2a" in str(caught.value)


def test_a_layout_of_other_headings_is_a_data_edit(tmp_path: Path) -> None:
    layout = load_layout(mini_layout(tmp_path))
    assert layout.headings == ("Name", "Kind")
    assert layout.trailer is not None and layout.trailer.count_column == 2


def test_a_missing_rule_for_a_check_is_reported(tmp_path: Path) -> None:
    path = mini_layout(tmp_path, trailer=False)
    text = path.read_text("utf-8").replace("  record.columns: {id: MINI.RECORD.01, "
                                           "message: 'record.columns'}\n", "")
    path.write_text(text, "utf-8")
    assert any("no rule for check 'record.columns'" in p for p in problems(path))


def test_a_message_placeholder_the_check_does_not_fill_is_reported_at_its_line(
        tmp_path: Path) -> None:
    path = mini_layout(tmp_path, rules={"record.columns": "MINI.RECORD.01, message: '{cnt}'"})
    found = problems(path)
    assert any("{cnt}" in p and "placeholders here: {count}, {width}" in p for p in found)
    assert found[0].split(":")[1] == str(path.read_text("utf-8").splitlines().index(
        next(line for line in path.read_text("utf-8").splitlines() if "{cnt}" in line)) + 1)


def test_a_lone_brace_in_a_message_is_reported(tmp_path: Path) -> None:
    path = mini_layout(tmp_path, rules={"records.none": "MINI.RECORDS.01, message: 'a { b'"})
    assert any("brace without its pair" in p for p in problems(path))


def test_unknown_keys_and_bad_severities_are_shape_errors(tmp_path: Path) -> None:
    path = mini_layout(tmp_path, extra="colour: blue\n",
                       rules={"records.none": "MINI.RECORDS.01, severity: fatal, message: m"})
    found = "\n".join(problems(path))
    assert "unknown key 'colour'" in found
    assert "must be one of error, warning, info" in found


def test_file_name_rule_problems_are_reported_together(tmp_path: Path) -> None:
    extra = ("file_name:\n  pattern: 'LRB_(?P<ukprn>[0-9]{8})_([0-9]{12})\\.CSV'\n"
             "  extensions: [CSV]\n  timestamp: '%Q'\n  header_values: {ukprn: UKPRN}\n")
    rules = {check: f"MINI.NAME.{i}" for i, check in enumerate(
        ["name.form", "name.extension_case", "name.timestamp", "name.future", "name.header"])}
    found = "\n".join(problems(mini_layout(tmp_path, extra=extra, rules=rules)))
    assert "no group (?P<timestamp>...)" in found
    assert "no group (?P<extension>...)" in found
    assert "'%Q' is not a strptime format" in found
    assert "'UKPRN' is not a heading of the header" in found


def test_an_unportable_header_pattern_is_reported(tmp_path: Path) -> None:
    extra = ("header:\n  - heading: V\n    pattern: '(?=1)[0-9]'\n"
             "    rule: {id: MINI.HEADER.10, message: m}\n")
    rules = {check: f"MINI.HEADER.{i}" for i, check in enumerate(
        ["header.missing", "header.heading_missing", "header.heading_unexpected",
         "header.heading_misspelt", "header.heading_moved", "header.heading_duplicate"])}
    found = "\n".join(problems(mini_layout(tmp_path, extra=extra, rules=rules)))
    assert "lookahead" in found


def test_a_heading_listed_twice_and_a_rule_id_used_twice_are_reported(tmp_path: Path) -> None:
    path = mini_layout(tmp_path, rules={"records.none": "MINI.RECORD.01, message: m"})
    text = path.read_text("utf-8").replace("{heading: Kind, field: kind}",
                                           "{heading: Name, field: kind}")
    path.write_text(text, "utf-8")
    found = "\n".join(problems(path))
    assert "heading 'Name' is listed twice" in found
    assert "rule id MINI.RECORD.01 is also the id of check" in found
