"""Settings files (lrsrules.toml, [tool.lrsrules] in pyproject.toml) and LRSRULES_*
environment variables: found from the current folder upwards, overridden by flags, shown
by --show-config and `lrsrules config`; a bad file is a clear, located error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app

runner = CliRunner()

WARNING_ONLY = "ULN,GivenName,FamilyName,DateOfBrith\n1026893096,Ann,Smith,2001-02-03\n"


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository (its root holds .git) with a folder inside it, the current folder."""
    for name in ("LRSRULES_CONFIG", "LRSRULES_FORMAT", "LRSRULES_FAIL_ON", "LRSRULES_PACK"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".git").mkdir()
    inner = tmp_path / "data" / "2026"
    inner.mkdir(parents=True)
    (inner / "learners.csv").write_text(WARNING_ONLY, "utf-8")
    monkeypatch.chdir(inner)
    return tmp_path


def test_a_file_in_a_parent_folder_is_found_and_shown(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.lrsrules]\nfail-on = "warning"\nformat = "jsonl"\n')
    code, out = invoke("validate", "learners.csv", "--show-config")
    assert code == 0, out
    assert f"settings file: {project / 'pyproject.toml'}" in out, out
    assert "fail-on  = warning" in out and f"({project / 'pyproject.toml'}:5)" in out, out
    assert f"({project / 'pyproject.toml'}:6)" in out, out
    assert "pack     = lrs-default              (default)" in out, out
    code, out = invoke("config")
    assert code == 0 and f"({project / 'pyproject.toml'}:5)" in out, out


def test_settings_apply_and_flags_override_them(project: Path) -> None:
    (project / "lrsrules.toml").write_text('fail-on = "warning"\nformat = "jsonl"\n')
    code, out = invoke("validate", "learners.csv")
    assert code == 1, out  # the misspelt heading is a warning, and the file fails on those
    assert json.loads(out.splitlines()[0])["rule"] == "INPUT.HEADING", out
    code, out = invoke("validate", "learners.csv", "--fail-on", "error", "--format", "text")
    assert code == 0 and "INPUT.HEADING" in out and "checked with pack" in out, out


def test_environment_variables_override_the_file_and_flags_them(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "lrsrules.toml").write_text('fail-on = "error"\n')
    monkeypatch.setenv("LRSRULES_FAIL_ON", "warning")
    _code, out = invoke("validate", "learners.csv", "--show-config")
    assert "fail-on  = warning" in out and "(env LRSRULES_FAIL_ON)" in out, out
    assert invoke("validate", "learners.csv")[0] == 1
    assert invoke("validate", "learners.csv", "--fail-on", "error")[0] == 0
    _, out = invoke("validate", "learners.csv", "--fail-on", "error", "--show-config")
    assert "fail-on  = error                    (flag)" in out, out


def test_lrsrules_toml_wins_over_pyproject_and_the_search_stops_at_the_repository(
        project: Path) -> None:
    (project / "data" / "lrsrules.toml").write_text('format = "csv"\n')
    (project / "data" / "pyproject.toml").write_text('[tool.lrsrules]\nformat = "json"\n')
    _, out = invoke("validate", "learners.csv", "--show-config")
    assert f"settings file: {project / 'data' / 'lrsrules.toml'}" in out, out
    (project / "data" / "lrsrules.toml").unlink()
    (project / "data" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / "lrsrules.toml").write_text('format = "csv"\n')
    (project / "data" / ".git").mkdir()  # data is a repository: settings above it are not its
    _, out = invoke("validate", "learners.csv", "--show-config")
    assert "settings file: none found" in out, out


def test_paths_in_the_file_are_relative_to_its_folder(project: Path) -> None:
    (project / "packs").mkdir()
    (project / "packs" / "mine.yaml").write_text(
        "pack: mine\nversion: 1.0.0\nfields:\n  uln: {aliases: [ULN]}\nrules:\n"
        "  - {id: MINE.ULN.01, field: uln, severity: error, message: never, check: 'false'}\n")
    (project / "lrsrules.toml").write_text('pack = "packs/mine.yaml"\n')
    code, out = invoke("validate", "learners.csv")
    assert code == 1 and "MINE.ULN.01" in out and "with pack mine 1.0.0" in out, out


def test_lrsrules_config_none_reads_no_file(project: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "lrsrules.toml").write_text("this is not toml")
    monkeypatch.setenv("LRSRULES_CONFIG", "none")
    assert invoke("validate", "learners.csv")[0] == 0


@pytest.mark.parametrize(("text", "says"), [
    ('fial-on = "warning"\n', ["lrsrules.toml:1: unknown setting 'fial-on'",
                               "did you mean fail-on?"]),
    ('pack = "x"\nfail-on = "fatal"\n', ["lrsrules.toml:2: fail-on must be one of error, "
                                         "warning, info", 'e.g. fail-on = "warning"']),
    ('format = "xml"\n', ["lrsrules.toml:1: format 'xml' is not one this command offers",
                          "use one of text, json, jsonl, csv"]),
    ("workers = 0\n", ["lrsrules.toml:1: workers must be \"auto\" or a whole number"]),
    ('as-of = "2026-02-30"\n', ["as-of '2026-02-30' is not a real date"]),
    ("show-values = true\n", ["lrsrules.toml:1: show-values cannot be set in a settings file",
                              "only when --show-values is given"]),
    ('pack = "x\n', ["lrsrules.toml:1:", "the file is not valid TOML"]),
    ("select = 'CDD.ULN'\n", ["select must be a list of rule ids"]),
])
def test_a_bad_settings_file_is_a_located_error(project: Path, text: str,
                                                says: list[str]) -> None:
    (project / "lrsrules.toml").write_text(text)
    code, out = invoke("validate", "learners.csv")
    assert code == 2, out
    for words in says:
        assert words in out, out
    assert "Traceback" not in out and "internal error" not in out, out


def test_a_binary_settings_file_is_an_error_not_a_crash(project: Path) -> None:
    (project / "lrsrules.toml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe junk")
    code, out = invoke("validate", "learners.csv")
    assert code == 2, out
    assert "lrsrules.toml:1: the settings file is not UTF-8 text" in out, out
    assert "LRSRULES_CONFIG=none" in out, out


def test_a_bad_environment_variable_names_itself(project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRSRULES_FORMAT", "xml")
    code, out = invoke("validate", "learners.csv")
    assert code == 2, out
    assert "environment variable LRSRULES_FORMAT: format 'xml' is not one" in out, out
