"""Per-rule and per-field statistics: the accumulator, the JSON summary and --statistics."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.findings import Finding
from lrsrules.report.statistics import Statistics

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "learners.csv"
runner = CliRunner()

PACK = """\
pack: stats-test
version: 1.0.0
fields:
  name: {aliases: [Name]}
  kind: {aliases: [Kind]}
rules:
  - id: T.NAME.01
    field: name
    severity: error
    check: len(name) <= 5
    message: Name is too long
  - id: T.KIND.01
    field: kind
    severity: warning
    check: kind in ['a', 'b']
    message: Kind is not a or b
  - id: T.KIND.02
    field: kind
    severity: info
    check: kind != 'b'
    message: Kind b noted
  - id: T.BOTH.01
    field: [name, kind]
    severity: error
    check: not (name == 'Zed' and kind == 'z')
    message: Zed is never of kind z
"""
RECORDS = "Name,Kind\nAnn,a\nBartholomew,b\nZed,z\nCharlotte,x\nDi,b\n"
WAIVERS = """\
waivers:
  - rule: T.KIND.02
    record: 5
    reason: Kind b is right for Di
    approved_by: Data manager
    expires: 2099-01-01
"""
# The golden table: by rule, then by field, most findings first, then by name; the rule on
# two fields has two findings in one record. The column layout is part of it (scripts
# read it).
GOLDEN = """\
findings  records  error  warning  info  rule
       2        1      2        0     0  T.BOTH.01
       2        2      0        2     0  T.KIND.01
       2        2      0        0     2  T.KIND.02
       2        2      2        0     0  T.NAME.01
       8        4      4        2     2  total

findings  records  error  warning  info  field
       5        4      1        2     2  kind
       3        3      3        0     0  name
       8        4      4        2     2  total
"""


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def files(tmp_path: Path) -> tuple[Path, Path]:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, "utf-8")
    records = tmp_path / "records.csv"
    records.write_text(RECORDS, "utf-8")
    return pack, records


# --- the accumulator ---------------------------------------------------------------------

def test_a_record_is_counted_once_per_rule_however_many_fields_it_fails() -> None:
    stats = Statistics()
    for field in ("given_name", "family_name"):
        stats.add(Finding(3, 4, field, "R.1", "error", "bad"))
    stats.add(Finding(4, 5, "given_name", "R.1", "error", "bad"))
    counts = stats.by_rule["R.1"]
    assert (counts.findings, counts.records) == (3, 2)
    assert (stats.by_field["given_name"].findings, stats.by_field["given_name"].records) == (2, 2)


def test_findings_about_the_whole_input_count_as_findings_not_records() -> None:
    stats = Statistics()
    stats.add(Finding(None, 1, None, "INPUT.HEADING", "warning", "odd heading"))
    counts = stats.by_rule["INPUT.HEADING"]
    assert (counts.findings, counts.records) == (1, 0)
    assert stats.to_dict()["by_field"] == [{"field": None, "findings": 1, "records": 0,
                                            "by_severity": {"error": 0, "warning": 1,
                                                            "info": 0}, "waived": 0}]


def test_waived_findings_are_counted_and_said_to_be_waived() -> None:
    stats = Statistics()
    stats.add(Finding(1, 2, "uln", "R.1", "error", "bad", waived="agreed"))
    stats.add(Finding(2, 3, "uln", "R.1", "error", "bad"))
    assert stats.by_rule["R.1"].waived == 1 and stats.by_rule["R.1"].findings == 2


def test_records_with_each_severity_count_distinct_records() -> None:
    stats = Statistics()
    for finding in (Finding(1, 2, "a", "R.1", "error", "x"),
                    Finding(1, 2, "b", "R.2", "error", "x"),
                    Finding(2, 3, "a", "R.3", "info", "x"),
                    Finding(3, 4, "a", "R.1", "error", "x")):
        stats.add(finding)
    assert stats.to_dict()["records_by_severity"] == {"error": 2, "warning": 0, "info": 1}


def test_rules_are_listed_by_findings_then_by_id() -> None:
    stats = Statistics()
    for rule in ("B", "A", "C", "C"):
        stats.add(Finding(1, 2, "f", rule, "error", "x"))
    assert [rule for rule, _ in stats.rules()] == ["C", "A", "B"]


# --- the command line --------------------------------------------------------------------

def test_statistics_prints_just_the_golden_table(tmp_path: Path) -> None:
    pack, records = files(tmp_path)
    code, out = invoke("validate", records, "--pack", pack, "--statistics")
    assert code == 1, out
    assert out == GOLDEN


def test_statistics_of_a_run_with_waivers_has_a_waived_column(tmp_path: Path) -> None:
    pack, records = files(tmp_path)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS, "utf-8")
    code, out = invoke("validate", records, "--pack", pack, "--waivers", waivers,
                       "--statistics")
    assert code == 1, out
    lines = out.splitlines()
    assert lines[0] == "findings  records  error  warning  info  waived  rule"
    assert lines[3] == "       2        2      0        0     2       1  T.KIND.02"


def test_statistics_as_json_is_the_json_reports_statistics(tmp_path: Path) -> None:
    pack, records = files(tmp_path)
    code, alone = invoke("validate", records, "--pack", pack, "--statistics", "-f", "json")
    assert code == 1, alone
    code, report = invoke("validate", records, "--pack", pack, "-f", "json")
    assert json.loads(alone) == json.loads(report)["summary"]["statistics"]
    assert json.loads(alone)["by_rule"][0] == {
        "rule": "T.BOTH.01", "findings": 2, "records": 1,
        "by_severity": {"error": 2, "warning": 0, "info": 0}, "waived": 0}


def test_statistics_totals_agree_with_the_summary_of_the_example() -> None:
    _, out = invoke("validate", EXAMPLE, "-f", "json")
    summary = json.loads(out)["summary"]
    stats = summary["statistics"]
    assert sum(row["findings"] for row in stats["by_rule"]) == summary["findings"]
    assert sum(row["findings"] for row in stats["by_field"]) == summary["findings"]
    assert stats["records_by_severity"]["error"] <= summary["records_with_findings"]


def test_statistics_goes_to_the_output_file(tmp_path: Path) -> None:
    pack, records = files(tmp_path)
    target = tmp_path / "stats.txt"
    code, out = invoke("validate", records, "--pack", pack, "--statistics", "-o", target)
    assert code == 1 and out == ""
    assert target.read_text("utf-8") == GOLDEN


def test_statistics_refuses_a_format_it_cannot_print(tmp_path: Path) -> None:
    pack, records = files(tmp_path)
    code, out = invoke("validate", records, "--pack", pack, "--statistics", "-f", "csv")
    assert code == 2 and "--statistics prints text or json, not csv" in out


def test_batch_check_prints_statistics_too() -> None:
    code, out = invoke("batch", "check", ROOT / "examples" / "LRB_10012345_290920261030.CSV",
                       "--statistics")
    assert code == 0, out
    assert out.splitlines()[0] == "findings  records  error  warning  info  rule"
    assert out.splitlines()[-1].endswith("total")


def test_statistics_never_print_a_value(tmp_path: Path) -> None:
    pack, records = files(tmp_path)
    _, out = invoke("validate", records, "--pack", pack, "--statistics", "--show-values")
    assert "Bartholomew" not in out and "Charlotte" not in out
