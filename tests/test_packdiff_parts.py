"""`diff` compares fields, headings, lists, includes and overrides, not only rules."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from lrsrules.authoring.packdiff import diff_packs
from lrsrules.cli.app import app
from lrsrules.packs.loader import load_pack

runner = CliRunner()
RULE = """
rules:
  - {id: T.NAME.01, field: name, severity: error, check: "name not in @bad", message: m}
"""


def write(folder: Path, version: str, fields: str, lists: str = "bad: [x]",
          extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"p-{version}.yaml"
    text = (f"pack: p\nversion: {version}\n{extra}fields:\n"
            + textwrap.indent(textwrap.dedent(fields).strip("\n"), "  ")
            + f"\nlists:\n  {lists}\n" + RULE)
    path.write_text(text, "utf-8")
    return path


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["diff", *(str(arg) for arg in args)])
    return result.exit_code, result.stdout + result.stderr


def test_a_heading_removal_is_reported_and_exits_1(tmp_path: Path) -> None:
    old = write(tmp_path / "a", "1.0.0", "name: {aliases: [Name, Surname]}")
    new = write(tmp_path / "b", "1.1.0", "name: {aliases: [Name]}")
    code, out = invoke(old, new)
    assert code == 1, out
    assert ("pack     heading 'Surname' removed from field name: a column so headed is no "
            "longer read as name [can change findings]") in out
    assert "No rule differs.\nOther changes: 1 (1 can change findings)\n" in out


def test_a_heading_respelled_in_case_or_spacing_cannot_change_findings(tmp_path: Path) -> None:
    old = write(tmp_path / "a", "1.0.0", "name: {aliases: [Last Name]}")
    new = write(tmp_path / "b", "1.1.0", "name: {aliases: [last_name], description: d}")
    [respelled, described] = diff_packs(load_pack(old), load_pack(new)).parts
    assert not respelled.affects_findings and "respelled" in respelled.what
    assert described.what == "description of field name changed"
    code, out = invoke(old, new)
    assert code == 0, out  # reported, but nothing that can change findings
    assert "[no effect on findings]" in out


def test_fields_added_and_removed_are_reported(tmp_path: Path) -> None:
    old = write(tmp_path / "a", "1.0.0", "name: {}\nold: {}")
    new = write(tmp_path / "b", "1.1.0", "name: {}\nnew: {aliases: [New One]}")
    whats = [(p.what, p.affects_findings) for p in diff_packs(load_pack(old),
                                                              load_pack(new)).parts]
    assert whats == [("field old removed: its columns are no longer read", True),
                     ("field new added (headings 'new', 'New One')", True)]


def test_lists_are_classified_by_whether_a_rule_uses_them(tmp_path: Path) -> None:
    old = write(tmp_path / "a", "1.0.0", "name: {}", "bad: [x]\n  spare: [a]")
    new = write(tmp_path / "b", "1.1.0", "name: {}", "bad: [x, y]\n  spare: [a, b]")
    whats = [(p.what, p.affects_findings) for p in diff_packs(load_pack(old),
                                                              load_pack(new)).parts]
    assert whats == [("list @bad: 1 entry added, 0 entries removed", True),
                     ("list @spare: 1 entry added, 0 entries removed (no rule uses it)",
                      False)]


def test_includes_are_compared(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    (tmp_path / "extra.yaml").write_text("pack: extra\nversion: 1.0.0\nfields: {kind: {}}\n")
    old = write(folder, "1.0.0", "name: {}")
    new = write(folder, "1.1.0", "name: {}", extra="include: [../extra.yaml]\n")
    parts = diff_packs(load_pack(old), load_pack(new)).parts
    assert [(p.part, p.name, p.affects_findings) for p in parts] == [
        ("field", "kind", True), ("include", "extra", True)]


def test_overrides_and_their_reasons_are_compared(tmp_path: Path) -> None:
    base = write(tmp_path / "base", "1.0.0", "name: {}")
    folder = tmp_path / "o"
    folder.mkdir()

    def overlay(version: str, overrides: str) -> Path:
        path = folder / f"o-{version}.yaml"
        path.write_text(f"pack: o\nversion: {version}\nextends: ../base/{base.name}\noverrides:\n"
                        f"{overrides}")
        return path

    old = overlay("1.0.0", "  - {rule: T.NAME.01, severity: warning, reason: soft here}\n")
    new = overlay("1.1.0", "  - {rule: T.NAME.01, severity: warning, reason: agreed}\n")
    [part] = diff_packs(load_pack(old), load_pack(new)).parts
    assert (part.part, part.what, part.affects_findings) == (
        "override", "reason for the severity of T.NAME.01 changed", False)
    old = overlay("1.0.0", "  - {rule: T.NAME.01, disabled: true, reason: not ours}\n")
    new = overlay("1.1.0", "  - {rule: T.NAME.01, disabled: true, reason: not used here}\n")
    [part] = diff_packs(load_pack(old), load_pack(new)).parts
    assert part.what == "reason for disabling T.NAME.01 changed"


def test_changed_content_with_the_same_version_warns_and_fails_under_strict(
        tmp_path: Path) -> None:
    old = write(tmp_path / "a", "1.0.0", "name: {}")
    new = write(tmp_path / "b", "1.0.0", "name: {description: now described}")
    code, out = invoke(old, new)
    assert code == 0, out
    assert "warning: the content of p 1.0.0 changed (sha256 " in out
    assert "but its version did not" in out
    code, out = invoke("--strict", old, new)
    assert code == 2, out
    assert "error: the content of p 1.0.0 changed" in out
    code, out = invoke("--strict", "--format", "json", old, new)
    assert code == 2
    assert json.loads(out.split("\n}\n")[0] + "\n}")["version_unchanged"] is True


def test_exit_zero_keeps_differences_from_failing_but_not_strict(tmp_path: Path) -> None:
    old = write(tmp_path / "a", "1.0.0", "name: {aliases: [Surname]}")
    bumped = write(tmp_path / "b", "1.1.0", "name: {}")
    same = write(tmp_path / "c", "1.0.0", "name: {}")
    assert invoke("--strict", "--exit-zero", old, bumped)[0] == 0
    assert invoke("--strict", "--exit-zero", old, same)[0] == 2


def test_the_pre_commit_hook_uses_strict() -> None:
    hooks = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "entry: lrsrules diff --strict --exit-zero" in hooks


LAYOUT = Path(__file__).parent.parent / "rulepacks" / "layouts" / "lrb-2a.yaml"


def test_two_layouts_are_compared_value_by_value(tmp_path: Path) -> None:
    text = LAYOUT.read_text("utf-8")
    changed = tmp_path / "lrb.yaml"
    changed.write_text(text.replace("  - heading: FileName\n", "  - heading: File Name\n", 1)
                       .replace("version: 2.0.0", "version: 2.1.0", 1), "utf-8")
    code, out = invoke(LAYOUT, changed)
    assert code == 1, out
    assert "layout   header / FileName removed" in out
    assert "layout   header / File Name added" in out
    assert "layout   version: 2.0.0 -> 2.1.0 [can change findings]" in out
    assert "warning" not in out


def test_a_layout_edited_under_its_old_version_warns_and_fails_under_strict(
        tmp_path: Path) -> None:
    changed = tmp_path / "lrb.yaml"
    changed.write_text(LAYOUT.read_text("utf-8").replace(
        "title: LRB registration batch file, version 2A", "title: LRB 2A", 1), "utf-8")
    code, out = invoke(LAYOUT, changed)
    assert code == 0, out  # a title: reported, no effect on findings
    assert "[no effect on findings]" in out and "warning: the content of layout" in out
    assert invoke("--strict", LAYOUT, changed)[0] == 2
    assert invoke("lrb-2a", LAYOUT)[1].endswith("No layout value differs.\n")
