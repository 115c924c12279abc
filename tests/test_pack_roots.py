"""A pack's files stay in its root folder: includes, bases and list files that lead out of
it (by an absolute path, by ``..`` or by a symbolic link) are refused, unread."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.authoring.lint import lint_packs
from lrsrules.authoring.packdocs import build_pack_docs
from lrsrules.cli.app import app
from lrsrules.errors import PackError
from lrsrules.packs.discovery import bundled_dir, pack_root
from lrsrules.packs.loader import load_pack

runner = CliRunner()
# Stands for a file a pack must never show: its content may not appear in any message.
SECRET = "Zebedee Quantock, 9876543210"
HEAD = "pack: {name}\nversion: 1.0.0\nfields:\n  name: {{aliases: [Name]}}\n"
RULE = """\
rules:
  - {id: P.NAME.01, field: name, severity: error, check: len(name) <= 5, message: long}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    """A folder beside the pack's, holding files the pack must not reach."""
    write(tmp_path / "private" / "secret.txt", SECRET + "\n")
    write(tmp_path / "private" / "secret.yaml", f"pack: secret\nversion: 1.0.0\nx: {SECRET}\n")
    return tmp_path / "private"


def pack_with(tmp_path: Path, extra: str, name: str = "college") -> Path:
    return write(tmp_path / "packs" / "mine" / f"{name}.yaml",
                 HEAD.format(name=name) + extra + RULE)


def problems(path: Path) -> list[tuple[int | None, int | None, str, str | None]]:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert SECRET not in str(caught.value)
    return [(p.location.line, p.location.column, p.message, p.hint)
            for p in caught.value.problems]


def test_a_pack_root_is_its_folder_or_the_one_above_a_folder_named_after_it(
        tmp_path: Path) -> None:
    assert pack_root(tmp_path / "mine" / "college.yaml", "college") == tmp_path / "mine"
    assert pack_root(tmp_path / "college" / "college.yaml", "college") == tmp_path
    default = bundled_dir() / "lrs-default" / "lrs-default.yaml"
    assert pack_root(default, "lrs-default") == Path(os.path.abspath(bundled_dir()))


def test_an_include_by_dot_dot_out_of_the_root_is_refused_at_its_entry(
        tmp_path: Path, outside: Path) -> None:
    path = pack_with(tmp_path, "include: [../../private/secret.yaml]\n")
    [(line, column, message, hint)] = problems(path)
    assert (line, column) == (5, 11)
    assert message == (f"path ../../private/secret.yaml leads out of the pack's folder"
                       f" {path.parent}")
    assert hint is not None and "inside its folder" in hint


def test_an_absolute_include_and_an_absolute_base_are_refused(tmp_path: Path,
                                                               outside: Path) -> None:
    secret = outside / "secret.yaml"
    found = problems(pack_with(tmp_path, f"include: [{secret}]\n"))
    assert found[0][:3] == (5, 11, f"path {secret} is an absolute path")
    found = problems(pack_with(tmp_path, f"extends: {secret}\n"))
    assert found[0][:3] == (5, 10, f"path {secret} is an absolute path")


def test_a_list_file_out_of_the_root_is_refused_unread(tmp_path: Path, outside: Path) -> None:
    path = pack_with(tmp_path, "lists:\n  words: {file: ../../private/secret.txt}\n")
    assert problems(path)[0][:3] == (
        6, 17, f"list file ../../private/secret.txt leads out of the pack's folder {path.parent}")


def test_a_list_file_must_be_a_txt_file(tmp_path: Path, outside: Path) -> None:
    write(tmp_path / "packs" / "mine" / "learners.csv", SECRET + "\n")
    path = pack_with(tmp_path, "lists:\n  words: {file: learners.csv}\n")
    assert problems(path)[0][:3] == (6, 17, "list file learners.csv is not a .txt file")


def test_a_symbolic_link_out_of_the_root_is_refused(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "packs" / "mine"
    folder.mkdir(parents=True)
    (folder / "words.txt").symlink_to(outside / "secret.txt")
    (folder / "shared.yaml").symlink_to(outside / "secret.yaml")
    path = pack_with(tmp_path, "include: [shared.yaml]\nlists:\n  words: {file: words.txt}\n")
    messages = [message for _, _, message, _ in problems(path)]
    assert messages == [f"path shared.yaml leads out of the pack's folder {folder}",
                        f"list file words.txt leads out of the pack's folder {folder}"]


def test_a_folder_holding_a_link_out_is_refused_when_searched(tmp_path: Path,
                                                              outside: Path) -> None:
    folder = tmp_path / "college"
    write(folder / "college.yaml", HEAD.format(name="college") + RULE)
    (folder / "zz.yaml").symlink_to(outside / "secret.yaml")
    with pytest.raises(PackError, match=r"pack file zz\.yaml leads out of the pack's folder"):
        load_pack(folder)


def test_packs_side_by_side_include_each_other_and_lint_and_docs_agree(tmp_path: Path) -> None:
    write(tmp_path / "fields" / "fields.yaml", HEAD.format(name="fields"))
    write(tmp_path / "college" / "college.yaml",
          "pack: college\nversion: 1.0.0\ninclude: [../fields, lrs-fields]\n" + RULE)
    pack = load_pack(tmp_path / "college")
    assert pack.includes[0] == "fields" and pack.root == str(tmp_path)
    assert lint_packs([tmp_path / "college"]).errors == ()
    assert [s.pack for s in build_pack_docs(tmp_path / "college").sections] == ["college"]


def test_a_nested_include_may_reach_back_inside_the_root_of_the_top_pack(
        tmp_path: Path) -> None:
    write(tmp_path / "top.yaml", "pack: top\nversion: 1.0.0\ninclude: [inner]\n" + RULE)
    write(tmp_path / "inner" / "in.yaml", "pack: in\nversion: 1.0.0\ninclude: [../leaf.yaml]\n"
          + RULE.replace("P.NAME", "I.NAME"))
    write(tmp_path / "leaf.yaml", HEAD.format(name="leaf"))
    assert load_pack(tmp_path / "top.yaml").includes == ("leaf", "in")
    # Both load inner/in.yaml as a pack of its own, inside the root of top.yaml.
    assert lint_packs([tmp_path / "top.yaml"]).errors == ()
    assert [s.pack for s in build_pack_docs(tmp_path / "top.yaml").sections] == ["top", "in"]


def test_the_cli_refuses_an_escaping_include_with_exit_2(tmp_path: Path,
                                                         outside: Path) -> None:
    path = pack_with(tmp_path, "lists:\n  words: {file: ../../private/secret.txt}\n")
    for args in (["rules", "--pack", str(path)], ["docs", str(path)], ["check", str(path)]):
        result = runner.invoke(app, args)
        output = result.stdout + result.stderr
        assert result.exit_code == 2, output
        assert "leads out of the pack's folder" in output
        assert SECRET not in output and "internal error" not in output


def test_a_layout_naming_its_pack_by_a_path_out_of_its_folder_is_refused(
        tmp_path: Path, outside: Path) -> None:
    from lrsrules.batch.layouts import layouts_dir, load_layout

    text = (layouts_dir() / "lrb-2a.yaml").read_text("utf-8")
    layout = tmp_path / "layouts" / "mine.yaml"
    write(layout, text.replace("pack: lrs-default", "pack: ../private/secret.yaml"))
    with pytest.raises(PackError) as caught:
        load_layout(layout)
    [problem] = caught.value.problems
    assert problem.message == (f"pack ../private/secret.yaml leads out of the layout's folder"
                               f" {layout.parent}")
    assert problem.location.line is not None and SECRET not in str(caught.value)
