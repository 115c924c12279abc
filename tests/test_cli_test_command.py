"""`lrsrules test`, driven through typer's CliRunner on the fixture packs in tests/packtests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from lrsrules.cli.app import app

FIXTURES = Path(__file__).parent / "packtests"
GOOD = FIXTURES / "pt-good"
BAD = FIXTURES / "pt-bad"
runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["test", *(str(arg) for arg in args)])
    return result.exit_code, result.stdout, result.stderr


def test_passing_cases_with_full_coverage_exit_0_with_a_line_per_pack() -> None:
    code, out, err = invoke(GOOD)
    assert code == 0, out + err
    assert out.splitlines() == [
        "pt-fields 1.0.0: 2 cases, 2 passed; coverage: 1/1 rules fire and pass",
        "pt-good 2.0.0: 7 cases, 7 passed; coverage: 4/4 rules fire and pass",
        "2 packs, 9 cases: all passed",
    ]


def test_a_failing_case_exits_1_and_shows_its_place_and_rules() -> None:
    code, out, err = invoke(BAD)
    assert code == 1, out + err
    assert "surnames.yaml:9:5: FAIL all capitals, wrongly expected clean" in out
    assert "    expected:   (none)\n    found:      PT.SURNAME.02\n" in out
    assert "    unexpected: PT.SURNAME.02\n" in out
    assert "family_name='SMITH'" in out  # test records are synthetic: values are shown


def test_a_rule_lacking_cases_exits_1_and_is_named_under_its_pack() -> None:
    code, out, _ = invoke(BAD)
    assert code == 1
    assert ("pt-bad 0.1.0: 3 cases, 2 passed, 1 failed; coverage: 1/2 rules fire and pass\n"
            "    PT.SURNAME.02: no case where it fires\n") in out


def test_coverage_gaps_alone_exit_1(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "pack: p\nversion: 1.0.0\nfields: {a: {}}\n"
        "rules: [{id: P.A.01, field: a, severity: error, check: present(a), message: m}]\n",
        "utf-8")
    code, out, _ = invoke(tmp_path / "p.yaml")
    assert code == 1, out
    assert "p 1.0.0: no tests (no folder" in out
    assert "P.A.01: no case where it fires; no case where it is evaluated and passes" in out


def test_a_pack_and_its_include_are_each_tested_once() -> None:
    code, out, err = invoke(GOOD, FIXTURES / "pt-fields", BAD)
    assert code == 1, out + err
    assert out.count("pt-fields 1.0.0:") == 1
    assert out.splitlines()[-1] == "3 packs, 12 cases: 1 failed, 1 rule lacking coverage"


def test_a_broken_test_file_exits_2_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("pack: p\nversion: 1.0.0\nfields: {a: {aliases: [A]}}\n",
                                     "utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.yaml").write_text(
        "cases:\n  - name: x\n    record: {B: 1}\n    expect: []\n", "utf-8")
    code, out, err = invoke(tmp_path / "p.yaml")
    assert code == 2, out + err
    assert "t.yaml:3:14: 'B' matches no field of pack p" in err
    assert out == ""


def test_an_unknown_pack_exits_2() -> None:
    code, out, err = invoke("no-such-pack")
    assert code == 2, out + err
    assert "no bundled pack named 'no-such-pack'" in err


def test_junit_output_parses_with_the_right_counts() -> None:
    code, out, err = invoke(GOOD, BAD, "--format", "junit")
    assert code == 1, out + err
    root = ET.fromstring(out)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == ["pt-fields", "pt-good", "pt-bad"]
    assert (root.get("tests"), root.get("failures")) == ("13", "2")
    bad = suites["pt-bad"]
    assert (bad.get("tests"), bad.get("failures")) == ("4", "2")
    failed = {case.get("name"): case.find("failure") for case in bad.iter("testcase")
              if case.find("failure") is not None}
    assert set(failed) == {"clean::all capitals, wrongly expected clean",
                           "coverage::PT.SURNAME.02"}
    case_failure = failed["clean::all capitals, wrongly expected clean"]
    assert case_failure is not None
    assert case_failure.get("message") == "expected none; found PT.SURNAME.02"
    assert "unexpected: PT.SURNAME.02" in (case_failure.text or "")
    names = [case.get("name") for case in suites["pt-good"].iter("testcase")]
    assert "PT.ULN.02::wrong check digit" in names
    assert {case.get("classname") for case in suites["pt-good"].iter("testcase")} == {"pt-good"}


def test_junit_output_escapes_text_xml_cannot_hold(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "pack: p\nversion: 1.0.0\nfields: {a: {}}\n"
        "rules: [{id: P.A.01, field: a, severity: error, check: a != 'x', message: m}]\n",
        "utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.yaml").write_text(
        'cases:\n  - name: "bell \\a & <tag>"\n    record: {a: "\\a"}\n    expect: [P.A.01]\n',
        "utf-8")
    code, out, err = invoke(tmp_path / "p.yaml", "-f", "junit")
    assert code == 1, out + err
    (case,) = [case for case in ET.fromstring(out).iter("testcase")
               if case.get("name", "").startswith("P.A.01::")]
    assert case.get("name") == "P.A.01::bell \\x07 & <tag>"
    failure = case.find("failure")
    assert failure is not None and "a='\\x07'" in (failure.text or "")


def test_output_option_writes_the_report_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.xml"
    code, out, err = invoke(GOOD, "--format", "junit", "--output", target)
    assert code == 0, out + err
    assert out == ""
    assert ET.parse(target).getroot().get("tests") == "9"


def test_without_arguments_the_default_pack_and_its_includes_are_tested() -> None:
    code, out, err = invoke()
    assert code in (0, 1), out + err
    assert "lrs-default " in out
    assert "lrs-fields " in out


def test_help_documents_the_exit_codes() -> None:
    result = runner.invoke(app, ["test", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Exit codes: 0 every case passed" in text
    assert "2 usage, pack or test-file error" in text


def test_k_runs_only_the_matching_cases_and_skips_coverage() -> None:
    code, out, err = invoke(GOOD, "-k", "check digit")
    assert code == 0, out + err
    assert "pt-good 2.0.0: 1 case, 1 passed matching -k 'check digit'; coverage: not " \
           "measured with -k" in out
    code, verbose, _ = invoke(GOOD, "-k", "ULN", "-v")
    assert [line.split(": PASS ")[1] for line in verbose.splitlines() if ": PASS " in line] \
        == ["valid ULN", "wrong check digit", "leading zero"]


def test_v_lists_every_case_with_its_verdict() -> None:
    code, out, _ = invoke(GOOD, "-v")
    assert code == 0
    assert sum(": PASS " in line for line in out.splitlines()) == 9


def test_k_that_matches_no_case_is_a_usage_error() -> None:
    code, _, err = invoke(GOOD, "-k", "no-such-case-anywhere")
    assert code == 2
    assert "no case matches -k 'no-such-case-anywhere'" in err
