"""`lrsrules docs` and `lrsrules schema`, the pre-commit hooks, and the schema line of packs."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.packs.discovery import bundled_dir, bundled_packs
from lrsrules.packs.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_LINE = "# yaml-language-server: $schema=../../engine/packs/schemas/pack.schema.json"
runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def test_docs_writes_markdown_for_the_default_pack() -> None:
    code, out, err = invoke("docs")
    assert code == 0, out + err
    assert out.startswith("# lrs-default 1.0.0: ")
    assert "### CDD.ULN.02" in out
    assert "provisional" in out


def test_docs_writes_html_to_a_file(tmp_path: Path) -> None:
    page = tmp_path / "prohibited.html"
    code, out, err = invoke("docs", "lrs-prohibited", "--format", "html", "-o", page)
    assert code == 0, out + err
    assert out == ""
    text = page.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<h3 id="rule-pt-names-01">PT.NAMES.01</h3>' in text


def test_docs_of_an_unknown_pack_exits_2() -> None:
    code, _, err = invoke("docs", "no-such-pack")
    assert code == 2
    assert "no bundled pack named" in err


def test_schema_prints_the_pack_schema() -> None:
    code, out, err = invoke("schema")
    assert code == 0, out + err
    assert json.loads(out) == load_schema("pack.schema.json")


def test_schema_tests_prints_the_schema_of_test_files(tmp_path: Path) -> None:
    code, out, _ = invoke("schema", "tests", "--output", tmp_path / "s.json")
    assert code == 0
    assert out == ""
    saved = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert saved == load_schema("packtests.schema.json")


@pytest.mark.parametrize("name", bundled_packs())
def test_every_bundled_pack_names_the_published_schema_for_editors(name: str) -> None:
    for path in sorted((bundled_dir() / name).glob("*.y*ml")):
        first = path.read_text("utf-8").splitlines()[0]
        assert first == SCHEMA_LINE, path
        target = path.parent / first.split("$schema=", 1)[1]
        assert json.loads(target.read_text("utf-8")) == load_schema("pack.schema.json")


def test_pre_commit_hooks_run_lrsrules_check_and_test_on_whole_packs() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"lrsrules-check", "lrsrules-test", "lrsrules-diff"}
    assert by_id["lrsrules-check"]["entry"] == "lrsrules check --fail-on error"
    assert by_id["lrsrules-test"]["entry"] == "lrsrules test"
    assert by_id["lrsrules-diff"]["entry"] == "lrsrules diff --strict --exit-zero"
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        program, *args = shlex.split(hook["entry"])
        assert program == "lrsrules"
        if hook["id"] == "lrsrules-diff":  # needs OLD and NEW as args: two releases here
            renamed = ROOT / "tests" / "packs" / "renamed"
            args += [f"{renamed}@1.0.0", f"{renamed}@1.1.0"]
        code, out, err = invoke(*args)  # as pre-commit runs it, without args: the default
        assert code == 0, out + err


@pytest.mark.parametrize(("kind", "file"), [("waivers", "waivers.schema.json"),
                                            ("layout", "layout.schema.json")])
def test_schema_prints_the_schema_of_waiver_files_and_layouts(kind: str, file: str) -> None:
    code, out, err = invoke("schema", kind)
    assert code == 0, err
    assert json.loads(out) == load_schema(file)
