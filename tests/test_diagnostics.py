"""Diagnostics of lrsrules check: their text form and their SARIF 2.1.0 form."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrsrules.authoring.diagnostics import CODES, Diagnostic
from lrsrules.errors import Location, Problem
from lrsrules.report.diagnostics import count_words, to_sarif


@pytest.fixture()
def pack_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "packs" / "p.yaml"
    path.parent.mkdir()
    path.write_text("pack: p\nrules:\n  - check: len(nmae) <= 5\n", "utf-8")
    return path


def test_text_form_is_place_severity_message_hint_and_caret(pack_file: Path) -> None:
    problem = Problem("unknown field 'nmae'", Location(str(pack_file), 3, 16), "a hint")
    assert Diagnostic("expression", problem).format() == (
        "packs/p.yaml:3:16: error: unknown field 'nmae'\n"
        "  hint: a hint\n"
        "      - check: len(nmae) <= 5\n"
        "                   ^")


def test_warnings_say_warning(pack_file: Path) -> None:
    problem = Problem("list x is used by no rule of pack p", Location(str(pack_file), 1, 1))
    assert Diagnostic("unused-list", problem).format().startswith(
        "packs/p.yaml:1:1: warning: list x")


def test_count_words_counts_errors_and_warnings() -> None:
    error = Diagnostic("schema", Problem("e"))
    warning = Diagnostic("untested-rule", Problem("w"))
    assert count_words([error, warning, warning]) == "1 error, 2 warnings"
    assert count_words([]) == "0 errors, 0 warnings"


def test_sarif_has_the_tool_its_rules_and_located_results(pack_file: Path) -> None:
    diagnostics = [
        Diagnostic("expression", Problem("unknown field", Location(str(pack_file), 3, 16),
                                         "did you mean name?")),
        Diagnostic("untested-rule", Problem("rule X is not tested",
                                            Location(str(pack_file), 2))),
        Diagnostic("pack", Problem("nowhere")),
    ]
    log = to_sarif(diagnostics)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "lrsrules"
    assert [rule["id"] for rule in driver["rules"]] == list(CODES)
    first, second, third = run["results"]
    assert first["ruleId"] == "expression"
    assert driver["rules"][first["ruleIndex"]]["id"] == "expression"
    assert first["level"] == "error"
    assert first["message"]["text"] == "unknown field (hint: did you mean name?)"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "packs/p.yaml", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 3, "startColumn": 16},
    }
    assert second["level"] == "warning"
    assert second["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}
    assert "locations" not in third


def test_sarif_names_a_file_outside_the_working_folder_by_absolute_uri(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    elsewhere = tmp_path / "elsewhere.yaml"
    log = to_sarif([Diagnostic("schema", Problem("m", Location(str(elsewhere), 1, 1)))])
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]
    assert artifact == {"uri": elsewhere.as_uri()}
