"""Waivers: loading a waiver file against a pack, and marking the findings it covers."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest

from lrsrules.errors import PackError
from lrsrules.findings import Finding
from lrsrules.inputs.readers import open_records
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import Pack
from lrsrules.packs.waivers import EXPIRED_RULE, WaiverSet, load_waivers
from lrsrules.run.findings import Summary
from lrsrules.run.pipeline import Run
from lrsrules.run.program import compile_pack
from lrsrules.run.waiving import Waiving

RELEASES = Path(__file__).parent / "packs" / "releases"
TODAY = dt.date(2025, 6, 1)
# Record 1: ULN too short and name too long; record 2: name too long; record 3: clean.
RECORDS = "ULN,Name,Kind\n Q7X3Z ,Alexandrina Victoria,a\n1234567890,Bartholomew Smith,b\n" \
          "1234567890,Bo,a\n"
SECRET = "Q7X3Z"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(f"{RELEASES}@1.1.0")  # REL.NAME.02 was REL.NAME.01


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def waivers(folder: Path, entries: str, pack: Pack) -> WaiverSet:
    return load_waivers(write(folder, "waivers.yaml", "waivers:\n" + textwrap.indent(
        textwrap.dedent(entries).lstrip("\n"), "  ")), pack)


def problems(folder: Path, entries: str, pack: Pack) -> list[tuple[int | None, str]]:
    with pytest.raises(PackError) as caught:
        waivers(folder, entries, pack)
    return [(p.location.line, p.message) for p in caught.value.problems]


def run(folder: Path, pack: Pack, found: WaiverSet) -> tuple[list[Finding], Summary]:
    compiled = compile_pack(pack)
    data = write(folder, "data.csv", RECORDS)
    with Run(compiled, lambda wanted: open_records(data, pack.fields, wanted), waivers=found,
             today=TODAY) as checked:
        results = list(checked)
    return results, checked.summary


def entry(rule: str = "REL.NAME.02", pick: str = "record: 1", expires: str = "2025-12-31",
          ) -> str:
    return (f"- {{rule: {rule}, {pick}, reason: Confirmed, approved_by: J. Smith,"
            f" expires: {expires}}}\n")


def test_a_waiver_by_record_number_marks_that_finding_and_no_other(tmp_path: Path,
                                                                   pack: Pack) -> None:
    results, summary = run(tmp_path, pack, waivers(tmp_path, entry(), pack))
    marked = [(f.record, f.rule) for f in results if f.waived]
    assert marked == [(1, "REL.NAME.02")]
    assert summary.waived == 1
    assert len(results) == 3  # waived, not dropped
    [waived] = [f for f in results if f.waived]
    assert waived.waived is not None and waived.waived.startswith(
        "Confirmed (approved by J. Smith, until 2025-12-31; waiver ")


def test_a_waiver_by_key_matches_the_trimmed_value_of_another_field(tmp_path: Path,
                                                                   pack: Pack) -> None:
    found = waivers(tmp_path, entry(pick='key: {field: uln, value: "Q7X3Z"}'), pack)
    results, _ = run(tmp_path, pack, found)
    assert [(f.record, f.rule) for f in results if f.waived] == [(1, "REL.NAME.02")]


def test_a_key_field_no_rule_reads_is_fetched_and_kept_out_of_the_compiled_values(
        tmp_path: Path, pack: Pack) -> None:
    found = waivers(tmp_path, entry(rule="REL.ULN.01", pick="key: {field: kind, value: a}"),
                    pack)
    compiled = compile_pack(pack)
    assert Waiving(found, ("uln",), today=TODAY).wanted == ("uln", "kind")
    results, _ = run(tmp_path, pack, found)
    assert [(f.record, f.rule) for f in results if f.waived] == [(1, "REL.ULN.01")]
    assert compiled.fields  # the pack itself is unchanged


def test_a_waiver_written_for_a_former_id_applies_to_the_renamed_rule(tmp_path: Path,
                                                                      pack: Pack) -> None:
    found = waivers(tmp_path, entry(rule="REL.NAME.01", pick="record: 2"), pack)
    assert found.waivers[0].rule == "REL.NAME.02"
    results, _ = run(tmp_path, pack, found)
    assert [(f.record, f.rule) for f in results if f.waived] == [(2, "REL.NAME.02")]


def test_a_waiver_limited_to_a_field_ignores_findings_on_other_fields(tmp_path: Path,
                                                                      pack: Pack) -> None:
    found = waivers(tmp_path, "- {rule: REL.NAME.02, record: 1, field: name, reason: r,"
                    " approved_by: a, expires: 2025-12-31}\n", pack)
    results, _ = run(tmp_path, pack, found)
    assert [(f.record, f.field) for f in results if f.waived] == [(1, "name")]


def test_an_expired_waiver_is_a_finding_first_and_waives_nothing(tmp_path: Path,
                                                                 pack: Pack) -> None:
    found = waivers(tmp_path, entry(expires="2025-05-31"), pack)
    results, summary = run(tmp_path, pack, found)
    first = results[0]
    assert (first.rule, first.severity, first.record, first.field) == (
        EXPIRED_RULE, "warning", None, None)
    assert "waivers.yaml:2:5 for rule REL.NAME.02 expired on 2025-05-31" in first.message
    assert not any(f.waived for f in results) and summary.waived == 0
    assert summary.findings == len(results) and summary.by_severity["warning"] == 1


def test_a_waiver_is_still_live_on_its_expiry_date(tmp_path: Path, pack: Pack) -> None:
    results, _ = run(tmp_path, pack, waivers(tmp_path, entry(expires="2025-06-01"), pack))
    assert any(f.waived for f in results)


def test_no_report_of_a_key_waiver_quotes_the_key_value(tmp_path: Path, pack: Pack) -> None:
    found = waivers(tmp_path, entry(pick=f'key: {{field: uln, value: "{SECRET} "}}',
                                    expires="2020-01-01") + entry(pick="key: {field: uln,"
                                                                  f' value: "{SECRET}"}}'), pack)
    assert SECRET not in repr(found)
    results, _ = run(tmp_path, pack, found)
    for finding in results:
        assert f"'{SECRET}'" not in str(finding.to_dict()) and SECRET not in (finding.waived or "")


def test_unknown_rules_and_fields_get_suggestions_at_their_lines(tmp_path: Path,
                                                                 pack: Pack) -> None:
    with pytest.raises(PackError) as caught:
        waivers(tmp_path, entry(rule="REL.ULN.1") + entry(pick="key: {field: ulm, value: x}"),
                pack)
    assert [(p.location.line, p.message, p.hint) for p in caught.value.problems] == [
        (2, "unknown rule REL.ULN.1", "did you mean REL.ULN.01?"),
        (3, "unknown field 'ulm'", "did you mean 'uln'?"),
    ]


def test_a_waiver_needs_exactly_one_of_record_and_key(tmp_path: Path, pack: Pack) -> None:
    both = entry(pick="record: 1, key: {field: uln, value: x}")
    neither = "- {rule: REL.ULN.01, reason: r, approved_by: a, expires: 2025-12-31}\n"
    assert problems(tmp_path, both + neither, pack) == [
        (2, "give record or key, not both"),
        (3, "say which records it covers: give record or key"),
    ]


def test_a_waiver_field_must_be_one_the_rule_is_on(tmp_path: Path, pack: Pack) -> None:
    text = "- {rule: REL.ULN.01, record: 1, field: name, reason: r, approved_by: a,\n" \
           "   expires: 2025-12-31}\n"
    assert problems(tmp_path, text, pack) == [(2, "rule REL.ULN.01 is not on field name")]


def test_shape_errors_are_worded_for_the_waiver_and_its_key(tmp_path: Path, pack: Pack) -> None:
    text = "- {rule: REL.ULN.01, record: 0, reason: r, approved_by: a, expires: 31/12/2025}\n" \
           "- {rule: REL.ULN.01, key: {field: uln}, reason: r, approved_by: a,\n" \
           "   expires: 2025-12-31}\n"
    found = problems(tmp_path, text, pack)
    # Values are never quoted: a waiver file holds key values, personal data.
    assert (2, "expires of waiver 1 must be a date written YYYY-MM-DD, like 2025-08-01") in found
    assert (3, "key of waiver 2 has no 'value'") in found
    assert (2, "record of waiver 1 must be at least 1") in found


def test_an_expiry_not_in_the_calendar_is_reported(tmp_path: Path, pack: Pack) -> None:
    assert problems(tmp_path, entry(expires="2025-02-29"), pack) == [
        (2, "expires '2025-02-29' is not a day in the calendar")]


def test_a_finding_serialises_as_before_unless_it_is_waived() -> None:
    plain = Finding(1, 2, "uln", "R.A.01", "error", "m")
    assert "waived" not in plain.to_dict()
    assert Finding(1, 2, "uln", "R.A.01", "error", "m", waived="ok").to_dict()["waived"] == "ok"


def test_a_waiver_for_a_rule_an_overlay_disabled_loads_and_waives_nothing(
        tmp_path: Path, pack: Pack) -> None:
    shutil.copytree(RELEASES, tmp_path / "releases")  # a base is inside the pack's folder
    write(tmp_path, "local.yaml", """
        pack: local
        version: 1.0.0
        extends: releases@1.1.0
        overrides:
          - {rule: REL.ULN.01, disabled: true, reason: no ULNs here}
        """)
    local = load_pack(tmp_path / "local.yaml")
    found = waivers(tmp_path, entry(rule="REL.ULN.01"), local)
    results, summary = run(tmp_path, local, found)
    assert summary.waived == 0 and all(f.rule != "REL.ULN.01" for f in results)


def test_a_waiver_that_matches_nothing_is_a_warning_in_the_summary(tmp_path: Path,
                                                                   pack: Pack) -> None:
    found = waivers(tmp_path, entry() + entry(pick="record: 3") + entry(
        pick=f'key: {{field: uln, value: "{SECRET}x"}}'), pack)
    _, summary = run(tmp_path, pack, found)
    assert summary.waived == 1
    assert [place.split(":")[-2:] for place in summary.unmatched_waivers] == [
        ["3", "5 (rule REL.NAME.02)"], ["4", "5 (rule REL.NAME.02)"]]
    [note] = [n for n in summary.notes if "matched no finding" in n]
    assert note.startswith("Warning: 2 waivers matched no finding")
    assert SECRET not in note  # the key value is never shown
    assert summary.to_dict()["unmatched_waivers"] == list(summary.unmatched_waivers)


def test_every_waiver_matching_leaves_the_summary_as_it_was(tmp_path: Path,
                                                            pack: Pack) -> None:
    _, summary = run(tmp_path, pack, waivers(tmp_path, entry(), pack))
    assert summary.unmatched_waivers == () and summary.notes == ()
