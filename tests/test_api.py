"""The library API: ``import lrsrules`` and check records in two lines."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrsrules
from lrsrules.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "learners.csv"
RELEASES = Path(__file__).parent / "packs" / "releases"
GOOD_BATCH = ROOT / "examples" / "LRB_10012345_290920261030.CSV"
BAD_BATCH = ROOT / "examples" / "bad" / "records" / "LRB_10012345_290920261030.CSV"


def keys(findings: list[lrsrules.Finding]) -> list[tuple[object, ...]]:
    return [(f.record, f.line, f.field, f.rule, f.severity, f.message) for f in findings]


def cli_findings(*args: object) -> list[tuple[object, ...]]:
    result = CliRunner().invoke(app, [str(a) for a in args] + ["--format", "jsonl"])
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return [(r["record"], r["line"], r["field"], r["rule"], r["severity"], r["message"])
            for r in rows]


def test_a_list_of_dicts_is_checked_in_two_lines() -> None:
    run = lrsrules.validate([{"ULN": "1000000042"}])
    found = list(run)
    assert {(f.field, f.rule) for f in found} >= {("uln", "CDD.ULN.02")}
    summary = run.summary
    assert (summary.records, summary.findings) == (1, len(found))
    assert summary.records_with_findings == 1 and summary.by_severity["error"] == len(found)
    assert run.failed() and not lrsrules.is_valid([{"ULN": "1000000042"}])


def test_a_path_gives_the_findings_that_lrsrules_validate_prints() -> None:
    assert keys(list(lrsrules.validate(EXAMPLE))) == cli_findings("validate", EXAMPLE)


def test_a_file_object_gives_the_findings_of_its_path_and_stays_open() -> None:
    expected = keys(list(lrsrules.validate(EXAMPLE)))
    with EXAMPLE.open("rb") as raw:
        assert keys(list(lrsrules.validate(raw))) == expected
        assert not raw.closed
    text = io.StringIO(EXAMPLE.read_text("utf-8"))
    assert keys(list(lrsrules.validate(text))) == expected
    assert not text.closed


def test_mappings_are_matched_by_alias_and_their_values_read_as_text() -> None:
    pack = lrsrules.load_pack("lrs-default")
    good = {"ULN": 1000000041, "Given Name": "Ann", "family_name": "Smith",
            "DateOfBirth": dt.date(2001, 2, 3), "gender": 2}
    assert [f.rule for f in lrsrules.validate([good], pack)] == [
        f.rule for f in lrsrules.validate(
            [{k: str(v) for k, v in good.items() if k != "DateOfBirth"}
             | {"DateOfBirth": "2001-02-03"}], pack)]
    run = lrsrules.validate([good, {"ULN": ["1"]}, "not a mapping"], pack)
    input_findings = [(f.record, f.message) for f in run if f.rule == "INPUT.RECORD"]
    assert input_findings == [(2, "field uln holds a list; expected text"),
                              (3, "the record is a str, not a mapping")]
    assert run.summary.records == 3


def test_values_from_pandas_read_as_a_file_would_hold_them() -> None:
    rows = [{"GivenName": "Ann", "FamilyName": float("nan"), "ULN": 1026893096.0,
             "DateOfBirth": dt.datetime(2008, 3, 14)}]
    found = {(f.rule, f.field): f.value for f in lrsrules.validate(rows)}
    assert ("CDD.FAMILYNAME.01", "family_name") in found  # NaN is missing, not "nan"
    assert not any(field in ("uln", "date_of_birth") for _, field in found), found


def test_mappings_that_cannot_be_checked_are_input_errors() -> None:
    empty = lrsrules.validate([])  # no records, as a CSV file of headings alone
    assert list(empty) == [] and empty.summary.records == 0 and not empty.failed()
    with pytest.raises(lrsrules.InputError) as caught:
        lrsrules.validate([{"Colour": "red"}])
    assert "Colour" in str(caught.value)
    with pytest.raises(lrsrules.InputError) as caught:
        lrsrules.validate(["ULN", "GivenName"])  # what iterating a DataFrame gives
    assert "record 1 is a str, not a mapping" in str(caught.value)
    assert "to_dict('records')" in str(caught.value)
    with pytest.raises(lrsrules.InputError, match="cannot read records from a dict"):
        lrsrules.validate({"ULN": "1"})  # type: ignore[arg-type]


DATED = """\
pack: dated
version: 1.0.0
fields:
  name: {aliases: [Name]}
rules:
  - {id: D.OLD.01, field: name, severity: error, check: len(name) <= 5,
     message: old limit, until: 2025-08-01}
  - {id: D.NEW.01, field: name, severity: error, check: len(name) <= 10,
     message: new limit, since: 2025-08-01}
"""


def test_a_prepared_pack_is_reused_and_as_of_belongs_to_load_pack(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text(DATED, "utf-8")
    old = lrsrules.load_pack(path, as_of="2025-07-31")
    new = lrsrules.load_pack(path, as_of=dt.date(2025, 8, 1))
    rows = [{"Name": "Alexandrina Victoria"}]
    assert [f.rule for f in lrsrules.validate(rows, old)] == ["D.OLD.01"]
    assert [f.rule for f in lrsrules.validate(rows, new)] == ["D.NEW.01"]
    assert [f.rule for f in lrsrules.validate(rows, path, as_of="2025-07-31")] == ["D.OLD.01"]
    with pytest.raises(ValueError, match="as_of applies when the pack is loaded"):
        lrsrules.validate(rows, new, as_of="2020-01-01")
    with pytest.raises(ValueError, match="not a real date"):
        lrsrules.load_pack(path, as_of="2020-02-30")


def test_an_overlay_must_extend_the_pack_it_is_laid_over(tmp_path: Path) -> None:
    overlay = tmp_path / "college.yaml"
    overlay.write_text("pack: college\nversion: 1.0.0\nextends: lrs-default\nrules: []\n",
                       "utf-8")
    assert lrsrules.load_pack("lrs-default", overlays=[overlay]).pack.name == "college"
    assert lrsrules.load_pack("lrs-default", overlays=overlay).pack.name == "college"
    with pytest.raises(lrsrules.PackError, match="overlay college extends lrs-default, "
                       "not releases"):
        lrsrules.load_pack(RELEASES, overlays=[overlay])


def test_the_summary_before_iterating_runs_the_records_and_a_run_is_read_once() -> None:
    run = lrsrules.validate(EXAMPLE)
    assert run.summary.records == 9
    with pytest.raises(RuntimeError, match="read once"):
        list(run)
    assert lrsrules.validate(EXAMPLE).failed()  # failed() too runs what was not read
    assert lrsrules.validate(EXAMPLE).worst() == "error"


def test_waivers_given_to_validate_mark_findings_and_stop_them_failing(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - {rule: CDD.ULN.02, record: 1, reason: Known,"
                       " approved_by: Data team, expires: 2099-12-31}\n", "utf-8")
    rows = [{"ULN": "1000000042", "GivenName": "Ann", "FamilyName": "Smith"}]
    run = lrsrules.validate(rows, waivers=waivers)
    found = list(run)
    assert [(f.rule, f.waived is not None) for f in found] == [("CDD.ULN.02", True)]
    assert run.summary.waived == 1 and not run.failed()


def test_findings_and_records_keep_values_out_of_their_repr() -> None:
    [finding] = [f for f in lrsrules.validate([{"ULN": "1000000042"}]) if f.field == "uln"]
    assert finding.value == "1000000042" and "1000000042" not in repr(finding)


def test_a_finding_is_immutable_and_made_alike_by_the_run_and_by_hand() -> None:
    from lrsrules.findings import new_finding

    made = new_finding(3, 4, "uln", "CDD.ULN.02", "error", "ULN check digit is wrong", "x")
    assert made == lrsrules.Finding(3, 4, "uln", "CDD.ULN.02", "error",
                                    "ULN check digit is wrong", "x")
    assert made.waived is None and type(made) is lrsrules.Finding
    with pytest.raises(AttributeError):
        made.severity = "info"  # type: ignore[misc]
    waived = made._replace(waived="agreed")
    assert (waived.waived, made.waived, waived.to_dict()["waived"]) == ("agreed", None, "agreed")


def test_check_batch_gives_the_findings_of_lrsrules_batch_check() -> None:
    for path in (GOOD_BATCH, BAD_BATCH):
        assert keys(list(lrsrules.check_batch(path))) == cli_findings("batch", "check", path)


def test_every_public_name_is_exported() -> None:
    for name in lrsrules.__all__:
        assert getattr(lrsrules, name) is not None
    assert issubclass(lrsrules.PackError, lrsrules.EngineError)
    assert issubclass(lrsrules.InputError, lrsrules.EngineError)


def test_totals_asked_for_after_a_partial_read_cover_the_whole_input() -> None:
    run = lrsrules.validate(EXAMPLE)
    next(iter(run))  # one finding read, of the example's first record with findings
    assert run.summary.records == 9 and run.failed() and run.worst() == "error"
    with lrsrules.validate(EXAMPLE) as closed:
        next(iter(closed))
    assert closed.summary.records == 1  # closed: the totals of what was read
    with pytest.raises(ValueError, match="not a severity"):
        lrsrules.validate(EXAMPLE).failed("fatal")
