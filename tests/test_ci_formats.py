"""The reports CI systems read: JUnit (read back by a JUnit parser), SARIF 2.1.0 (validated
against the official schema) and GitHub workflow annotations, each held to a golden file
made from a small fixed pack and input (tests/data/ci). UPDATE_GOLDEN=1 rewrites them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml, TestCase, TestSuite
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.report.github import escape_data, escape_property
from lrsrules.report.sarif import artifact_uri

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / "tests" / "data" / "ci"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json")
                          .read_text("utf-8"))
RULES = ["CI.NAME.01", "CI.ULN.01", "CI.POSTCODE.01", "CI.NEVER.01"]
runner = CliRunner()


def run(*args: str, where: Path = CI) -> tuple[int, str]:
    """The CLI run from ``where`` (so the paths in reports are the same on every machine)."""
    cwd = Path.cwd()
    os.chdir(where)
    try:
        result = runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


def validate(fmt: str, *more: str) -> str:
    code, out = run("validate", "learners.csv", "-p", "pack.yaml", "-f", fmt, *more)
    assert code == 1, out
    return out


def normalised(fmt: str, text: str) -> str:
    if fmt == "sarif":  # the one thing that changes between releases
        document = json.loads(text)
        document["runs"][0]["tool"]["driver"]["version"] = "VERSION"
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return text


@pytest.mark.parametrize(("fmt", "golden"), [
    ("junit", "report.junit.xml"), ("sarif", "report.sarif.json"), ("github", "report.github.txt"),
])
def test_each_ci_format_matches_its_golden_file(fmt: str, golden: str) -> None:
    path = CI / "expected" / golden
    got = normalised(fmt, validate(fmt))
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, "utf-8")
    assert got == path.read_text("utf-8")


# --- JUnit --------------------------------------------------------------------------------


def junit_cases(text: str) -> tuple[TestSuite, dict[str, TestCase]]:
    xml = JUnitXml.fromstring(text)
    suites = list(xml) if isinstance(xml, JUnitXml) else [xml]
    assert len(suites) == 1
    suite = suites[0]
    return suite, {case.name: case for case in suite}


def test_junit_has_a_testcase_per_rule_in_force_and_fails_those_that_fired() -> None:
    suite, cases = junit_cases(validate("junit"))
    assert list(cases) == [*RULES, "INPUT.RECORD"]
    assert suite.tests == 5 and suite.failures == 4 and suite.errors == 0
    assert cases["CI.NEVER.01"].is_passed
    failure = cases["CI.ULN.01"].result[0]
    assert isinstance(failure, Failure) and failure.type == "warning"
    assert failure.message.startswith("2 findings in 2 records: ULN is not 10 digits")
    assert failure.text.splitlines() == [
        "learners.csv:3: record 2, field uln: " + failure.message.split(": ", 1)[1],
        "learners.csv:5: record 4, field uln: " + failure.message.split(": ", 1)[1],
    ]
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["pack"] == "ci-example" and properties["pack_version"] == "1.2.3"
    assert properties["findings"] == "6" and properties["records"] == "4"


def test_junit_of_the_example_file_loads_with_a_testcase_per_rule() -> None:
    _, out = run("validate", "examples/learners.csv", "-f", "junit", where=ROOT)
    _, cases = junit_cases(out)
    code_rules, rules = run("rules", where=ROOT)
    assert code_rules == 0
    assert len(cases) == int(rules.split(": ")[1].split()[0])  # "lrs-default 1.0.0: 43 rules"
    assert any(not case.is_passed for case in cases.values())
    assert any(case.is_passed for case in cases.values())


def test_junit_from_batch_check_loads_and_names_the_batch_files_own_checks() -> None:
    _, out = run("batch", "check", "examples/LRB_10012345_290920261030.CSV", "-f", "junit",
                    where=ROOT)
    suite, cases = junit_cases(out)
    assert suite.tests == len(cases) > 0


def test_junit_lists_only_what_max_findings_lets_through_but_fails_every_rule_that_fired(
) -> None:
    _, cases = junit_cases(validate("junit", "--max-findings", "1"))
    assert not cases["CI.ULN.01"].is_passed  # counted, though none of its findings is listed
    failure = cases["CI.ULN.01"].result[0]
    assert failure.text.splitlines() == ["… 2 more not listed"]
    listed = cases["CI.NAME.01"].result[0].text.splitlines()
    assert listed == ["learners.csv:3: record 2, field name: Name is required."]


def test_junit_masks_values_unless_asked() -> None:
    assert "12345" not in validate("junit").replace("1000000043", "")
    assert "[value: '12345']" in validate("junit", "--show-values")


# --- SARIF --------------------------------------------------------------------------------


def sarif(text: str) -> dict[str, object]:
    document = json.loads(text)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(document)
    return document  # type: ignore[no-any-return]


def test_sarif_is_valid_with_a_result_per_finding_and_rules_from_the_pack() -> None:
    run_ = sarif(validate("sarif"))["runs"][0]  # type: ignore[index]
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [*RULES, "INPUT.RECORD"]
    uln = rules[1]
    assert uln["shortDescription"]["text"].startswith("ULN is not 10 digits")
    assert uln["properties"]["enforced_by"] == "quality"
    assert uln["properties"]["provisional"] is True
    assert uln["properties"]["tags"] == ["uln"]
    assert rules[0]["fullDescription"]["text"] == "Every learner has a name."
    results = run_["results"]
    assert len(results) == 6 == run_["properties"]["summary"]["findings"]
    first = results[0]
    assert (first["ruleId"], first["ruleIndex"], first["level"]) == ("CI.NAME.01", 0, "error")
    location = first["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "learners.csv", "index": 0},
                        "region": {"startLine": 3}}
    assert [r["level"] for r in results] == ["error", "warning", "note", "error", "warning",
                                             "note"]
    assert results[3]["ruleIndex"] == 4  # INPUT.RECORD: added to the rules when it fired


def test_sarif_of_the_example_file_and_of_a_batch_file_are_valid() -> None:
    for args in (["validate", "examples/learners.csv"],
                 ["batch", "check", "examples/LRB_10012345_290920261030.CSV"],
                 ["batch", "check", "examples/LRB_10012345_290920261030.XML"]):
        _, out = run(*args, "-f", "sarif", where=ROOT)
        document = sarif(out)
        results = document["runs"][0]["results"]  # type: ignore[index]
        assert results, args
        assert all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                   .startswith("/") for r in results)


def test_sarif_without_findings_is_valid_and_lists_every_rule(tmp_path: Path) -> None:
    (tmp_path / "clean.csv").write_text("Name,ULN\nAda,1000000043\n", "utf-8")
    code, out = run("validate", str(tmp_path / "clean.csv"), "-p", str(CI / "pack.yaml"),
                    "-f", "sarif")
    assert code == 0
    run_ = sarif(out)["runs"][0]  # type: ignore[index]
    assert run_["results"] == [] and len(run_["tool"]["driver"]["rules"]) == 4
    # Outside the working folder, the input is named by an absolute file URI.
    assert run_["artifacts"][0]["location"]["uri"].startswith("file:///")


def test_sarif_with_a_spilled_spool_is_the_same_document(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from lrsrules.report import sarif as module

    whole = validate("sarif")
    monkeypatch.setattr(module, "REPORT_SPOOL_BYTES", 16)
    assert validate("sarif") == whole


def test_sarif_masks_values_unless_asked() -> None:
    assert '"value"' not in validate("sarif")
    assert '"value": "12345"' in validate("sarif", "--show-values")


def test_an_artifact_uri_is_relative_and_percent_encoded() -> None:
    assert artifact_uri("a b/c%.csv") == "a%20b/c%25.csv"
    assert artifact_uri("/no/such/place.csv") == "file:///no/such/place.csv"


# --- GitHub annotations ----------------------------------------------------------------


def test_github_annotations_give_level_file_line_and_title() -> None:
    lines = validate("github").splitlines()
    assert lines[0] == ("::error file=learners.csv,line=3,title=CI.NAME.01::"
                        "record 2, field name: Name is required.")
    assert lines[1].startswith("::warning ") and lines[2].startswith("::notice ")
    assert "100%25 of ULNs" in lines[1]  # a % in the message is escaped
    assert lines[2].endswith("upper case.%0AWrite it in capitals.")
    assert lines[-1].startswith("4 records checked with pack ci-example 1.2.3")


def test_github_escapes_what_would_end_a_command_early() -> None:
    assert escape_data("50%\r\n:,") == "50%25%0D%0A:,"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_file_with_a_comma_or_colon_in_its_name_is_escaped(tmp_path: Path) -> None:
    (tmp_path / "a,b:c.csv").write_text("Name\n\n,x\n", "utf-8")
    _, out = run("validate", "a,b:c.csv", "-p", str(CI / "pack.yaml"), "-f", "github",
                    where=tmp_path)
    assert "file=a%2Cb%3Ac.csv," in out, out


def test_the_sarif_of_lrsrules_check_is_valid_too(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text("pack: bad\nversion: 1.0.0\nfields:\n  a: {}\nrules:\n  - id: B.A.01\n"
                    "    field: a\n    severity: error\n    check: nosuch(a)\n    message: m\n",
                    "utf-8")
    code, out = run("check", str(pack), "-f", "sarif", where=tmp_path)
    assert code == 2
    assert len(sarif(out)["runs"][0]["results"]) == 1  # type: ignore[index]
