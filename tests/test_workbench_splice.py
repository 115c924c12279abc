"""Saving an edited rule (lrsrules.workbench.splice): only that rule's text changes.

Needs no web framework: splicing is plain text work on the loader's positions.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from lrsrules.packs.loader import load_pack
from lrsrules.packs.packfiles import PackFiles
from lrsrules.packs.yamlsource import load_yaml, parse_yaml_text
from lrsrules.workbench.splice import EditError, current_values, save_text, splice_rule

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(p for p in (ROOT / "rulepacks").glob("*/*.yaml") if p.parent.name != "layouts")
SAMPLE = """\
pack: sample
version: 1.0.0
rules:
  # first rule
  - id: A.01
    field: a
    severity: error
    check: >-
      a != 'x'   # not a comment: inside the block
      and a != 'y'
    message: 'It''s wrong.'

  - id: B.01  # trailing comment
    field: b
    severity: warning
    when: present(a)
    check: "b != 'z'"
    message: Plain message.
fields:
  a: {}
  b: {}
"""


def changed_lines(before: str, after: str) -> list[int]:
    """Line numbers (1-based, of ``before``) that the edit replaced or removed, and the
    line before each insertion."""
    lines: list[int] = []
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(),
                                      autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines.extend(range(i1 + 1, i2 + 1) if i2 > i1 else [i1])
    return lines


def rule_lines(text: str, rule_id: str, path: Path) -> range:
    """The lines of the rule ``rule_id``: from its ``- id:`` to the line before the next."""
    doc = parse_yaml_text(path, text)
    rules = doc.data["rules"]
    index = next(i for i, spec in enumerate(rules) if spec["id"] == rule_id)
    start = doc.location(("rules", index)).line or 1
    end = (doc.location(("rules", index + 1)).line or 1) - 1 if index + 1 < len(rules) \
        else len(text.splitlines())
    return range(start, end + 1)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.yaml"
    path.write_text(SAMPLE, "utf-8")
    return path


def test_an_unchanged_form_changes_nothing(sample: Path) -> None:
    doc = load_yaml(sample)
    assert splice_rule(doc, "A.01", current_values(doc, "A.01")) == SAMPLE


def test_a_folded_check_keeps_its_block_style_and_indentation(sample: Path) -> None:
    text = splice_rule(load_yaml(sample), "A.01", {"check": "a != 'w'"})
    assert "    check: >-\n      a != 'w'\n    message: 'It''s wrong.'" in text
    assert changed_lines(SAMPLE, text) == [9, 10]


def test_quoted_values_stay_quoted_in_their_style(sample: Path) -> None:
    doc = load_yaml(sample)
    text = splice_rule(doc, "A.01", {"message": "It's right."})
    assert "    message: 'It''s right.'\n" in text
    text = splice_rule(doc, "B.01", {"check": "b != 'q'"})
    assert '    check: "b != \'q\'"\n' in text


def test_a_plain_value_that_would_not_read_back_is_quoted(sample: Path) -> None:
    text = splice_rule(load_yaml(sample), "B.01", {"message": "Wrong: fix it # now"})
    assert '    message: "Wrong: fix it # now"\n' in text
    assert parse_yaml_text(sample, text).data["rules"][1]["message"] == "Wrong: fix it # now"


def test_a_when_is_added_before_the_check_and_removed_again(sample: Path) -> None:
    doc = load_yaml(sample)
    added = splice_rule(doc, "A.01", {"when": "present(b)", "unless": "a == 'ok'"})
    assert "    when: present(b)\n    check: >-" in added
    assert "      and a != 'y'\n    unless: a == 'ok'\n    message:" in added
    again = parse_yaml_text(sample, added)
    assert splice_rule(again, "A.01", {"when": "", "unless": ""}) == SAMPLE
    removed = splice_rule(doc, "B.01", {"when": ""})
    assert "present(a)" not in removed and changed_lines(SAMPLE, removed) == [16]


def test_a_multi_line_value_in_a_plain_field_becomes_a_literal_block(sample: Path) -> None:
    text = splice_rule(load_yaml(sample), "B.01", {"check": "b != 'z'\nand b != 'y'"})
    assert "    check: |-\n      b != 'z'\n      and b != 'y'\n" in text
    assert parse_yaml_text(sample, text).data["rules"][1]["check"] == "b != 'z'\nand b != 'y'"


def test_an_unknown_rule_or_key_is_an_error(sample: Path) -> None:
    doc = load_yaml(sample)
    with pytest.raises(EditError, match="defines no rule NOPE"):
        splice_rule(doc, "NOPE", {})
    with pytest.raises(EditError, match="does not edit 'id'"):
        splice_rule(doc, "A.01", {"id": "X"})


def test_save_replaces_the_file_whole_and_keeps_its_mode(sample: Path) -> None:
    sample.chmod(0o640)
    save_text(sample, "pack: x\n")
    assert sample.read_text("utf-8") == "pack: x\n"
    assert sample.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in sample.parent.iterdir()] == ["sample.yaml"]  # no temporary left


@pytest.mark.parametrize("pack", BUNDLED, ids=lambda p: p.parent.name)
def test_every_bundled_rule_can_be_edited_touching_only_its_own_lines(
        pack: Path, tmp_path: Path) -> None:
    folder = tmp_path / pack.parent.name
    shutil.copytree(pack.parent, folder)
    copy = folder / pack.name
    doc = load_yaml(copy)
    for spec in doc.data.get("rules", []):
        if "check" not in spec:
            continue
        values = current_values(doc, spec["id"])
        edited = {"check": f"({values['check']}) or false", "severity": "info",
                  "message": values["message"] + " Edited."}
        text = splice_rule(doc, spec["id"], edited)
        lines = rule_lines(doc.text, spec["id"], copy)
        assert set(changed_lines(doc.text, text)) <= set(lines), spec["id"]
        loaded = load_pack(copy, files=PackFiles({copy: text}))
        rule = next(r for r in loaded.rules if r.id == spec["id"])
        assert rule.check is not None and " ".join(rule.check.text.split()) == \
            " ".join(edited["check"].split())
        assert rule.severity == "info" and rule.message.endswith(" Edited.")
