"""`lrsrules check`, driven through typer's CliRunner."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.lang import checker, parser
from lrsrules.packs import loader, yamlsource

runner = CliRunner()

GOOD = """\
pack: good
version: 1.0.0
fields:
  name: {aliases: [Name]}
rules:
  - id: G.NAME.01
    field: name
    severity: error
    check: len(name) <= 5
    message: too long
"""
GOOD_TESTS = """\
cases:
  - {name: long, record: {Name: Alexander}, expect: [G.NAME.01]}
  - {name: short, record: {Name: Bo}, expect: []}
"""
BROKEN = """\
pack: broken
version: 1.0.0
fields:
  name: {aliases: [Name]}
rules:
  - id: B.NAME.01
    field: name
    severity: eror
    check: len(name) <= 5
    message: too long
  - id: B.NAME.02
    field: name
    severity: error
    check: len(nmae) <= 5
    message: too long
"""


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *(str(arg) for arg in args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good" / "tests").mkdir(parents=True)
    (tmp_path / "good" / "good.yaml").write_text(GOOD, "utf-8")
    (tmp_path / "good" / "tests" / "cases.yaml").write_text(GOOD_TESTS, "utf-8")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "broken.yaml").write_text(BROKEN, "utf-8")
    (tmp_path / "untested").mkdir()
    (tmp_path / "untested" / "untested.yaml").write_text(
        GOOD.replace("pack: good", "pack: untested"), "utf-8")
    return tmp_path


def test_the_bundled_default_pack_is_clean_and_exits_0() -> None:
    code, out, err = invoke()
    assert code == 0, out + err
    assert out == "checked 7 pack files: 0 errors, 0 warnings\n"


def count_calls(monkeypatch: pytest.MonkeyPatch, function: Callable[..., Any],
                key: Callable[..., Hashable]) -> Counter[Hashable]:
    """Count calls of ``function`` by ``key(*args)``, through every module that imports it."""
    counts: Counter[Hashable] = Counter()

    def counting(*args: Any, **kwargs: Any) -> Any:
        counts[key(*args)] += 1
        return function(*args, **kwargs)

    for module in list(sys.modules.values()):
        if (getattr(module, "__name__", "").startswith("lrsrules")
                and getattr(module, function.__name__, None) is function):
            monkeypatch.setattr(module, function.__name__, counting)
    return counts


def test_checking_the_default_pack_reads_each_file_and_parses_each_expression_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pack = loader.load_pack("lrs-default")  # it includes every other bundled pack
    pack_files = {Path(file) for file in pack.files if file.endswith(".yaml")}
    found = (getattr(rule, role) for rule in pack.rules
             for role in ("when", "check", "unless", "fix"))
    sources = {source for source in found if source is not None}
    loads = count_calls(monkeypatch, loader.load_pack, lambda ref, **_: Path(ref).resolve())
    reads = count_calls(monkeypatch, yamlsource.load_yaml, lambda path: Path(path).resolve())
    parses = count_calls(monkeypatch, parser.parse_expression, lambda source: source)
    checks = count_calls(monkeypatch, checker.check_expression, lambda _, source, *a: source)

    code, out, err = invoke("lrs-default")

    assert code == 0, out + err
    assert set(loads) == pack_files and set(loads.values()) == {1}, loads
    assert pack_files <= set(reads) and set(reads.values()) == {1}, reads  # tests/ too
    assert set(parses) == sources and set(parses.values()) == {1}, parses
    assert set(checks) == sources and set(checks.values()) == {1}, checks


def test_a_clean_pack_exits_0(folder: Path) -> None:
    code, out, err = invoke("good")
    assert code == 0, out + err
    assert out == "checked 1 pack file: 0 errors, 0 warnings\n"


def test_errors_exit_2_each_as_place_severity_message_and_caret(folder: Path) -> None:
    code, out, err = invoke("broken")
    assert code == 2, out + err
    assert out.splitlines() == [
        "broken/broken.yaml:8:15: error: severity must be one of error, warning, info,"
        " not 'eror'",
        "        severity: eror",
        "                  ^",
        "broken/broken.yaml:14:16: error: unknown field 'nmae'; did you mean 'name'?",
        "        check: len(nmae) <= 5",
        "                   ^",
        "checked 1 pack file: 2 errors, 0 warnings",
    ]
    assert err == ""


def test_warnings_alone_exit_1_and_0_with_fail_on_error(folder: Path) -> None:
    code, out, err = invoke("untested")
    assert code == 1, out + err
    assert "untested/untested.yaml:6:9: warning: rule G.NAME.01 is not tested" in out
    assert out.endswith("checked 1 pack file: 0 errors, 1 warning\n")
    code, out, err = invoke("untested", "--fail-on", "error")
    assert code == 0, out + err


def test_fail_on_error_still_exits_2_on_errors(folder: Path) -> None:
    code, _, _ = invoke("broken", "untested", "--fail-on", "error")
    assert code == 2


def test_sarif_lists_every_problem_with_its_level_and_place(folder: Path) -> None:
    code, out, err = invoke("broken", "untested", "--format", "sarif")
    assert code == 2, out + err
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "lrsrules"
    summary = [(r["ruleId"], r["level"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in run["results"]]
    assert summary == [
        ("schema", "error", "broken/broken.yaml", 8),
        ("expression", "error", "broken/broken.yaml", 14),
        ("untested-rule", "warning", "untested/untested.yaml", 6),
    ]


def test_output_writes_the_report_to_a_file(folder: Path) -> None:
    code, out, _ = invoke("untested", "--format", "sarif", "--output", "check.sarif")
    assert code == 1
    assert out == ""
    assert json.loads((folder / "check.sarif").read_text("utf-8"))["runs"][0]["results"]


def test_a_pack_that_cannot_be_found_is_a_usage_error_on_stderr(folder: Path) -> None:
    code, out, err = invoke("no-such-pack")
    assert code == 2
    assert out == ""
    assert "no bundled pack named 'no-such-pack'" in err
