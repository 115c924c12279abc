"""`check` and `test` cover every version file of a pack folder; cases scope to versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.errors import PackError
from lrsrules.packs.discovery import find_pack_versions
from lrsrules.packs.versions import in_version_range, version_range_problem

RENAMED = Path(__file__).parent / "packs" / "renamed"
runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout + result.stderr


def test_a_folder_gives_every_version_oldest_first_and_at_version_gives_one() -> None:
    assert [p.name for p in find_pack_versions(str(RENAMED))] == [
        "renamed-1.0.0.yaml", "renamed-1.1.0.yaml"]
    assert [p.name for p in find_pack_versions(f"{RENAMED}@1.0.0")] == ["renamed-1.0.0.yaml"]
    assert [p.name for p in find_pack_versions(str(RENAMED / "renamed-1.1.0.yaml"))] == [
        "renamed-1.1.0.yaml"]


def test_a_pack_folder_with_two_versions_and_a_rename_tests_both() -> None:
    code, out = invoke("test", RENAMED)
    assert code == 0, out
    assert out.splitlines() == [
        "renamed 1.0.0: 2 cases, 2 passed (2 cases for other versions); coverage: 1/1 rules "
        "fire and pass",
        "renamed 1.1.0: 4 cases, 4 passed; coverage: 2/2 rules fire and pass",
        "2 packs, 6 cases: all passed",
    ]


def test_at_version_tests_only_that_version() -> None:
    code, out = invoke("test", f"{RENAMED}@1.1.0")
    assert code == 0, out
    assert out.splitlines() == ["renamed 1.1.0: 4 cases, 4 passed; coverage: 2/2 rules fire "
                                "and pass"]


def copy_renamed(tmp_path: Path) -> Path:
    folder = tmp_path / "renamed"
    shutil.copytree(RENAMED, folder)
    return folder


def test_a_broken_older_version_is_an_error_of_check(tmp_path: Path) -> None:
    folder = copy_renamed(tmp_path)
    old = folder / "renamed-1.0.0.yaml"
    old.write_text(old.read_text().replace("len(value) <= 35", "len(valu) <= 35"))
    code, out = invoke("check", folder)
    assert code == 2, out
    assert "renamed-1.0.0.yaml:10:" in out and "unknown field 'valu'" in out
    code, out = invoke("check", f"{folder}@1.1.0")
    assert code == 0, out


def test_a_failing_case_on_the_older_version_fails_test(tmp_path: Path) -> None:
    folder = copy_renamed(tmp_path)
    old = folder / "renamed-1.0.0.yaml"
    old.write_text(old.read_text().replace("len(value) <= 35", "len(value) <= 80"))
    code, out = invoke("test", folder)
    assert code == 1, out
    assert "FAIL long name" in out
    assert "renamed 1.0.0: 2 cases, 1 passed, 1 failed" in out
    assert "renamed 1.1.0: 4 cases, 4 passed" in out


def test_without_scoping_a_case_of_a_newer_rule_is_an_error_on_the_older_version(
        tmp_path: Path) -> None:
    folder = copy_renamed(tmp_path)
    cases = folder / "tests" / "cases.yaml"
    cases.write_text(cases.read_text().replace('    versions: ">=1.1"\n', ""))
    code, out = invoke("test", folder)
    assert code == 2, out
    assert "unknown rule id 'REN.HOURS.01'" in out


def test_a_file_may_be_scoped_as_a_whole(tmp_path: Path) -> None:
    folder = copy_renamed(tmp_path)
    cases = folder / "tests" / "cases.yaml"
    cases.write_text('versions: "1.1"\n' + cases.read_text())
    code, out = invoke("test", folder)
    # 1.0.0 now has no case: its rule lacks coverage, which is reported, not hidden.
    assert code == 1, out
    assert "renamed 1.0.0: 0 cases, 0 passed (4 cases for other versions)" in out


def test_a_bad_version_range_is_reported_at_its_line(tmp_path: Path) -> None:
    folder = copy_renamed(tmp_path)
    cases = folder / "tests" / "cases.yaml"
    cases.write_text(cases.read_text().replace('versions: ">=1.1"', 'versions: "after 1.1"', 1))
    code, out = invoke("test", folder)
    assert code == 2, out
    assert "cases.yaml:11:15" in out and "'after 1.1' is not a version clause" in out


@pytest.mark.parametrize(("version", "spec", "inside"), [
    ("1.1.0", ">=1.1", True), ("1.0.9", ">=1.1", False), ("2.0.0", ">=1.0, <2", False),
    ("1.9.3", ">=1.0, <2", True), ("1.1.4", "1.1", True), ("1.2.0", "1.1", False),
    ("1.0.0", "==1.0.0", True), ("1.0.1", "==1.0", False), ("1.1.0-rc.1", ">=1.1", True),
    ("1.0.0", "<=1", True), ("1.0.1", ">1", True),
])
def test_version_ranges(version: str, spec: str, inside: bool) -> None:
    assert version_range_problem(spec) is None
    assert in_version_range(version, spec) is inside


@pytest.mark.parametrize("spec", ["", "1.x", "=>1.1", "1.1.1.1", ">=1.1,"])
def test_bad_version_ranges_say_how_to_write_one(spec: str) -> None:
    problem = version_range_problem(spec)
    assert problem is not None and "write >=1.1" in problem


def test_a_reference_to_no_pack_still_raises() -> None:
    with pytest.raises(PackError):
        find_pack_versions(str(RENAMED / "missing"))
