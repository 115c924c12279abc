"""The command line, driven through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "learners.csv"
runner = CliRunner()

PACK = """\
pack: cli-test
version: 1.2.3
fields:
  name: {aliases: [Name, Full Name]}
  kind: {aliases: [Kind]}
lists:
  kinds: [a, b]
rules:
  - id: T.NAME.01
    field: name
    severity: error
    check: len(name) <= 5
    message: Name is too long
  - id: T.KIND.01
    field: kind
    severity: warning
    check: kind in @kinds
    message: Kind is not a or b
  - id: T.KIND.02
    field: kind
    severity: info
    check: kind != 'b'
    message: Kind b noted
"""


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK, "utf-8")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_validate_example_with_default_pack_reports_findings_and_exits_1() -> None:
    code, out, err = invoke("validate", EXAMPLE)
    assert code == 1, out + err
    assert "CDD.ULN.02" in out
    assert "CDD.GIVENNAME.01" in out
    assert "records" in out


def test_validate_text_report_masks_personal_data_by_default() -> None:
    _, out, _ = invoke("validate", EXAMPLE)
    for secret in ("Hughes", "1234567890", "2006-02-30", "Bartholomew", "0123456789"):
        assert secret not in out


def test_show_values_includes_the_field_value() -> None:
    _, out, _ = invoke("validate", EXAMPLE, "--format", "jsonl", "--show-values")
    values = [json.loads(line)["value"] for line in out.splitlines()]
    assert "1234567890" in values


def test_jsonl_is_one_finding_object_per_line_and_nothing_else(tmp_path: Path,
                                                                pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name,Kind\nAlexander,c\nBo,a\n")
    code, out, _ = invoke("validate", data, "--pack", pack, "--format", "jsonl")
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows == [
        {"record": 1, "line": 2, "field": "name", "rule": "T.NAME.01", "severity": "error",
         "message": "Name is too long"},
        {"record": 1, "line": 2, "field": "kind", "rule": "T.KIND.01",
         "severity": "warning", "message": "Kind is not a or b"},
    ]


def test_json_document_has_pack_input_summary_and_findings(tmp_path: Path,
                                                           pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name;Kind;Extra\nAlexander;b;x\nBo;a;y\n")
    code, out, _ = invoke("validate", data, "--pack", pack, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["pack"]["name"] == "cli-test"
    assert doc["pack"]["version"] == "1.2.3"
    assert len(doc["pack"]["sha256"]) == 64
    assert doc["input"]["delimiter"] == ";"
    assert doc["summary"]["records"] == 2
    assert doc["summary"]["by_severity"] == {"error": 1, "warning": 0, "info": 1}
    assert doc["summary"]["ignored_headings"] == ["Extra"]
    assert [f["rule"] for f in doc["findings"]] == ["T.NAME.01", "T.KIND.02"]


def test_csv_report_has_a_header_and_one_row_per_finding(tmp_path: Path, pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name,Kind\nAlexander,a\n")
    code, out, _ = invoke("validate", data, "--pack", pack, "--format", "csv")
    assert code == 1
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["record", "line", "field", "rule", "severity", "message"]
    assert rows[1][:5] == ["1", "2", "name", "T.NAME.01", "error"]


def test_fail_on_sets_the_severity_that_fails_the_run(tmp_path: Path, pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name,Kind\nBo,c\n")  # a warning only
    assert invoke("validate", data, "--pack", pack)[0] == 0
    assert invoke("validate", data, "--pack", pack, "--fail-on", "warning")[0] == 1
    info_only = write(tmp_path, "i.csv", "Name,Kind\nBo,b\n")
    assert invoke("validate", info_only, "--pack", pack, "--fail-on", "warning")[0] == 0
    assert invoke("validate", info_only, "--pack", pack, "--fail-on", "info")[0] == 1


def test_clean_file_exits_0_and_says_so(tmp_path: Path, pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name,Kind\nBo,a\n")
    code, out, _ = invoke("validate", data, "--pack", pack)
    assert code == 0, out
    assert "No findings" in out


def test_jsonl_input_is_checked_like_csv(tmp_path: Path, pack: Path) -> None:
    data = write(tmp_path, "d.jsonl", '{"Name": "Alexander", "Kind": "a"}\n{"name": "Bo"}\n')
    code, out, _ = invoke("validate", data, "--pack", pack, "--format", "jsonl")
    assert code == 1
    assert [json.loads(line)["record"] for line in out.splitlines()] == [1]


def test_pack_error_is_reported_with_file_line_column_and_caret(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", PACK.replace("len(name) <= 5", "len(nmae) <= 5"))
    data = write(tmp_path, "d.csv", "Name,Kind\nBo,a\n")
    code, out, err = invoke("validate", data, "--pack", bad)
    assert code == 2
    assert f"{bad}:12:16: unknown field 'nmae'; did you mean 'name'?" in err
    assert "^" in err
    assert "Traceback" not in err + out


def test_file_whose_headings_match_no_field_is_an_input_error(tmp_path: Path,
                                                             pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name|Kind\nBo|a\n")
    code, _, err = invoke("validate", data, "--pack", pack, "--delimiter", ",")
    assert code == 2
    assert "Name|Kind" in err


def test_missing_input_file_is_exit_2_without_traceback(pack: Path) -> None:
    code, out, err = invoke("validate", "no-such-file.csv", "--pack", pack)
    assert code == 2
    assert "no-such-file.csv" in err
    assert "Traceback" not in out + err


def test_unknown_pack_name_is_exit_2_and_names_the_bundled_packs() -> None:
    code, _, err = invoke("validate", EXAMPLE, "--pack", "no-such-pack")
    assert code == 2
    assert "lrs-default" in err


def test_unknown_format_is_a_usage_error() -> None:
    assert invoke("validate", EXAMPLE, "--format", "xml")[0] == 2


def test_output_file_receives_the_report(tmp_path: Path, pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name,Kind\nAlexander,a\n")
    report = tmp_path / "report.jsonl"
    code, out, _ = invoke("validate", data, "--pack", pack, "--format", "jsonl",
                          "--output", report)
    assert code == 1
    assert out == ""
    assert json.loads(report.read_text("utf-8").splitlines()[0])["rule"] == "T.NAME.01"


def test_output_over_the_input_file_is_refused(tmp_path: Path, pack: Path) -> None:
    data = write(tmp_path, "d.csv", "Name,Kind\nAlexander,a\n")
    code, _, err = invoke("validate", data, "--pack", pack, "--output", data)
    assert code == 2
    assert "input file" in err
    assert data.read_text("utf-8") == "Name,Kind\nAlexander,a\n"


def test_rule_that_cannot_be_evaluated_is_a_finding_and_the_run_goes_on(
        tmp_path: Path) -> None:
    pack = write(tmp_path, "p.yaml", """\
pack: p
version: 1.0.0
fields: {n: {}}
rules:
  - {id: P.N.01, field: n, severity: warning, check: int(n) > 0, message: n must be positive}
""")
    data = write(tmp_path, "d.csv", "n\nabc\n5\n-1\n")
    code, out, _ = invoke("validate", data, "--pack", pack, "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [(r["record"], r["severity"]) for r in rows] == [(1, "error"), (3, "warning")]
    assert "could not be evaluated" in rows[0]["message"]
    assert "abc" not in rows[0]["message"]


def test_rules_lists_every_rule_of_the_pack(pack: Path) -> None:
    code, out, _ = invoke("rules", "--pack", pack)
    assert code == 0
    assert "cli-test 1.2.3: 3 rules" in out
    assert "T.KIND.01" in out and "warning" in out


def test_help_documents_exit_codes() -> None:
    code, out, _ = invoke("validate", "--help")
    assert code == 0
    assert "Exit codes" in out
