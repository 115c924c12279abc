"""The batch file-name rule: LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV or .XML, upper-case extension."""

from __future__ import annotations

import datetime as dt

import pytest

from lrsrules.batch.layouts import load_layout
from lrsrules.batch.names import check_file_name

LAYOUT = load_layout()
NOW = dt.datetime(2026, 11, 29, 8, 0)
HEADER = {"FileVersion": "2A", "FileName": "REF", "UKPRN": "10012345",
          "LearnerRecordCount": "1"}


def rules_of(name: str, header: dict[str, str | None] | None = None) -> list[str]:
    assert LAYOUT.file_name is not None
    found = check_file_name(name, LAYOUT.file_name, LAYOUT.rules,
                            header=HEADER if header is None else header,
                            header_fields=LAYOUT.header, now=NOW)
    assert all(f.record is None and f.field is None for f in found)
    return [f.rule for f in found]


@pytest.mark.parametrize("name", ["LRB_10012345_290920261030.CSV",
                                  "LRB_10012345_290920261030.XML",
                                  "LRB_10012345_290220240000.CSV"])  # a leap day
def test_well_formed_names_pass(name: str) -> None:
    assert rules_of(name) == []


@pytest.mark.parametrize("name", [
    "learners.csv", "LRB_1001234_290920261030.CSV", "LRB_10012345_2909202610.CSV",
    "lrb_10012345_290920261030.CSV", "LRB-10012345-290920261030.CSV",
    "LRB_10012345_290920261030.TXT", "LRB_10012345_290920261030.CSV.bak",
])
def test_a_name_not_of_the_form_is_one_finding(name: str) -> None:
    assert rules_of(name) == ["BATCH.NAME.01"]


@pytest.mark.parametrize("name", ["LRB_10012345_290920261030.csv",
                                  "LRB_10012345_290920261030.Xml"])
def test_an_extension_not_in_upper_case_is_reported(name: str) -> None:
    assert rules_of(name) == ["BATCH.NAME.02"]


@pytest.mark.parametrize("stamp", ["311320261030", "300220261030", "290920262460",
                                   "290220251030"])
def test_a_date_time_that_is_not_real_is_reported(stamp: str) -> None:
    assert rules_of(f"LRB_10012345_{stamp}.CSV") == ["BATCH.NAME.03"]


def test_a_date_time_in_the_future_is_reported() -> None:
    assert rules_of("LRB_10012345_291120260801.CSV") == ["BATCH.NAME.04"]
    assert rules_of("LRB_10012345_291120260800.CSV") == []  # now is not the future


def test_the_ukprn_must_be_the_headers() -> None:
    assert LAYOUT.file_name is not None
    found = check_file_name("LRB_10099999_290920261030.CSV", LAYOUT.file_name, LAYOUT.rules,
                            header=HEADER, header_fields=LAYOUT.header, now=NOW)
    assert [f.rule for f in found] == ["BATCH.NAME.05"]
    assert "10099999" in found[0].message and "10012345" in found[0].message


def test_a_wrong_header_ukprn_is_left_to_the_header_rule() -> None:
    assert rules_of("LRB_10099999_290920261030.CSV", {**HEADER, "UKPRN": "2001234"}) == []
    assert rules_of("LRB_10099999_290920261030.CSV", {**HEADER, "UKPRN": None}) == []


def test_several_faults_of_one_name_are_each_reported() -> None:
    assert rules_of("LRB_10099999_311320261030.csv") == [
        "BATCH.NAME.02", "BATCH.NAME.03", "BATCH.NAME.05"]
