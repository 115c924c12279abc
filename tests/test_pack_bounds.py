"""Bounded, safe YAML: what a pack, a list file or a waiver file may make lrsrules hold is
limited (``lrsrules.limits``), and YAML's riskier features are refused, each with a
located error that names the limit and says what to do, and exit 2 through the CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules import limits
from lrsrules.cli.app import app
from lrsrules.errors import PackError
from lrsrules.packs import loader, yamlsource
from lrsrules.packs.loader import load_pack
from lrsrules.packs.yamlsource import load_yaml

runner = CliRunner()
HEAD = "pack: big\nversion: 1.0.0\nfields:\n  name: {aliases: [Name]}\n"
RULE = "  - {id: B.NAME.%d, field: name, severity: error, check: len(name) <= 5, message: m}\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def failure(path: Path) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    return caught.value


def where(error: PackError) -> tuple[int | None, int | None, str, str | None]:
    problem = error.problems[0]
    return problem.location.line, problem.location.column, problem.message, problem.hint


def test_collections_nested_deeper_than_the_limit_stop_at_the_first_level_too_deep(
        tmp_path: Path) -> None:
    depth = 5000  # PyYAML alone overflows the stack long before this
    path = write(tmp_path, "deep.yaml", HEAD + "x: " + "[" * depth + "]" * depth + "\n")
    line, column, message, hint = where(failure(path))
    assert (line, column) == (5, 4 + limits.MAX_YAML_DEPTH - 1)
    assert message == f"collections nest more than {limits.MAX_YAML_DEPTH} deep here"
    assert hint


def test_a_file_with_too_many_values_stops_at_the_value_over_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_YAML_NODES", 50)
    path = write(tmp_path, "many.yaml", HEAD + "lists:\n  words: [" + ", ".join(
        f"w{i}" for i in range(1000)) + "]\n")
    line, _, message, _ = where(failure(path))
    assert (line, message) == (6, "the file holds more than 50 YAML values")


def test_a_value_longer_than_the_limit_is_refused_at_its_place(tmp_path: Path) -> None:
    size = limits.MAX_YAML_SCALAR_CHARS + 1
    path = write(tmp_path, "long.yaml", HEAD + "title: " + "x" * size + "\n")
    assert where(failure(path))[:3] == (
        5, 8, f"this value is {size:,} characters long; the most allowed is"
              f" {limits.MAX_YAML_SCALAR_CHARS:,}")


def test_a_file_larger_than_the_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.yaml", HEAD + "#" * limits.MAX_YAML_FILE_BYTES + "\n")
    assert where(failure(path))[2] == f"{path} is larger than 2 MiB, the most a YAML file may be"


def test_a_pack_with_more_rules_than_the_limit_is_refused_at_its_rules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_RULES", 3)
    path = write(tmp_path, "big.yaml", HEAD + "rules:\n" + "".join(RULE % i for i in range(4)))
    assert where(failure(path))[:3] == (5, 1, "the file holds 4 rules; the most a pack may"
                                              " hold is 3")


def test_rules_over_the_limit_across_includes_are_refused_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_RULES", 3)
    write(tmp_path, "other.yaml", "pack: other\nversion: 1.0.0\nrules:\n"
          + "".join(RULE % i for i in range(2)))
    path = write(tmp_path, "big.yaml", HEAD + "include: [other.yaml]\nrules:\n"
                 + "".join(RULE % i for i in range(2, 4)))
    assert where(failure(path))[2] == ("the pack and what it includes hold 4 rules; the most"
                                       " allowed is 3")


def test_a_list_longer_than_the_limit_is_refused_inline_and_from_a_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_LIST_ENTRIES", 3)
    inline = write(tmp_path, "inline.yaml", HEAD + "lists:\n  words: [a, b, c, d]\n")
    assert where(failure(inline))[:3] == (
        6, 3, "list words has 4 entries; the most allowed is 3")
    write(tmp_path, "words.txt", "a\nb\nc\nd\n")
    listed = write(tmp_path, "listed.yaml", HEAD + "lists:\n  words: {file: words.txt}\n")
    assert where(failure(listed))[:3] == (
        6, 17, "list words has 4 entries; the most allowed is 3")


def test_a_list_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "words.txt", "word\n" * (limits.MAX_LIST_FILE_BYTES // 5 + 1))
    path = write(tmp_path, "p.yaml", HEAD + "lists:\n  words: {file: words.txt}\n")
    assert where(failure(path))[:3] == (
        6, 17, "list file words.txt is larger than 2 MiB, the most allowed")


def test_an_alias_bomb_stops_at_its_first_alias(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    path = write(tmp_path, "laughs.yaml", HEAD + "\n".join(lines) + "\n")
    assert where(failure(path))[:3] == (6, 10, "YAML aliases (*a0) are not supported in packs")


@pytest.mark.parametrize(("text", "message"), [
    ("title: !!python/object:os.system {}\n", "YAML tag !!python/object:os.system is not"
                                               " supported here"),
    ("title: !!python/name:os.system ''\n", "YAML tag !!python/name:os.system is not"
                                             " supported here"),
    ("fields2: {<<: {a: 1}}\n", "merge keys (<<) are not supported in packs"),
    ("title: a\ntitle: b\n", "duplicate key 'title' (first at line 5)"),
])
def test_tags_merge_keys_and_duplicate_keys_are_refused(tmp_path: Path, text: str,
                                                        message: str) -> None:
    path = write(tmp_path, "p.yaml", HEAD + text)
    assert message in [problem.message for problem in failure(path).problems]


def test_a_file_that_is_not_yaml_named_so_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "learners.csv", "ULN,Name\n9876543210,Zebedee Quantock\n")
    with pytest.raises(PackError) as caught:
        load_yaml(path, kind="waiver file")
    assert str(caught.value).startswith(
        f"{path}: {path} is not a waiver file: a waiver file is a .yaml or .yml file")


def test_positions_are_kept_for_every_value_under_the_limits(tmp_path: Path) -> None:
    doc = load_yaml(write(tmp_path, "p.yaml", HEAD + "rules:\n" + RULE % 1))
    assert doc.location(("rules", 0, "check")).prefix() == f"{tmp_path / 'p.yaml'}:6:57"
    assert doc.expr_source(("rules", 0, "check")).positions[0] == (6, 57)


@pytest.mark.parametrize("body", [
    "x: " + "[" * 100 + "]" * 100 + "\n",
    "title: " + "x" * (limits.MAX_YAML_SCALAR_CHARS + 1) + "\n",
    "a: &a [1]\nb: *a\n",
    "title: !!python/object/apply:os.system ['true']\n",
])
def test_the_cli_exits_2_with_a_located_error_for_each_bad_pack(tmp_path: Path,
                                                                body: str) -> None:
    path = write(tmp_path, "p.yaml", HEAD + body)
    result = runner.invoke(app, ["rules", "--pack", str(path)])
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert f"{path}:" in output and "internal error" not in output


def test_limits_are_named_in_the_pack_files_section() -> None:
    source = textwrap.dedent(Path(limits.__file__).read_text("utf-8"))
    section = source.split("# --- pack files")[1].split("# ---")[0]
    for name in ("MAX_YAML_FILE_BYTES", "MAX_LIST_FILE_BYTES", "MAX_YAML_DEPTH",
                 "MAX_YAML_NODES", "MAX_YAML_SCALAR_CHARS", "MAX_RULES", "MAX_LIST_ENTRIES",
                 "MAX_PACK_FILES"):
        assert f"\n{name} = " in section
