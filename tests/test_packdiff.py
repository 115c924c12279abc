"""Comparing two packs rule by rule, and the records whose findings a change alters."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lrsrules.authoring.impact import Impact, iter_impact
from lrsrules.authoring.packdiff import Change, ListChange, diff_packs
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import Pack
from lrsrules.run.program import compile_pack

RELEASES = Path(__file__).parent / "packs" / "releases"
HEAD = "pack: p\nversion: {version}\nfields:\n  name: {{}}\n  kind: {{}}\n"


def pack(folder: Path, version: str, body: str) -> Pack:
    path = folder / f"p-{version}.yaml"
    path.write_text(HEAD.format(version=version) + textwrap.dedent(body).lstrip("\n"), "utf-8")
    return load_pack(path)


def test_added_removed_renamed_and_changed_rules_are_told_apart() -> None:
    result = diff_packs(load_pack(f"{RELEASES}@1.0"), load_pack(f"{RELEASES}@1.1.0"))
    assert [r.id for r in result.added] == ["REL.KIND.02"]
    assert [r.id for r in result.removed] == ["REL.OLD.01"]
    assert [(p.old.id, p.new.id) for p in result.renamed] == [("REL.NAME.01", "REL.NAME.02")]
    changed = {p.new.id: (p.changes, p.lists) for p in result.changed}
    assert changed == {
        "REL.NAME.02": ((Change("severity", "warning", "error"),), ()),
        "REL.KIND.01": ((), (ListChange("kinds", ("c",), ()),)),
    }
    assert result.differs


def test_a_pack_compared_with_itself_has_no_differences() -> None:
    same = load_pack(RELEASES)
    result = diff_packs(same, same)
    assert not result.differs
    assert (result.added, result.removed, result.renamed, result.changed) == ((), (), (), ())


def test_spacing_line_breaks_and_redundant_parentheses_are_not_changes(tmp_path: Path) -> None:
    old = pack(tmp_path, "1.0.0", """
        rules:
          - {id: T.A.01, field: name, severity: error, check: "len(name) <= 5 and name != 'x'",
             message: m}
        """)
    new = pack(tmp_path, "1.0.1", """
        rules:
          - id: T.A.01
            field: name
            severity: error
            check: >
              (len(name)<=5)
              and   name != "x"
            message: m
        """)
    assert not diff_packs(old, new).differs


def test_a_changed_literal_expression_fields_dates_and_message_are_each_reported(
        tmp_path: Path) -> None:
    old = pack(tmp_path, "1.0.0", """
        rules:
          - {id: T.A.01, field: name, severity: error, check: len(name) <= 5, message: m}
        """)
    new = pack(tmp_path, "2.0.0", """
        rules:
          - {id: T.A.01, field: [name, kind], severity: error, check: len(value) <= 6,
             when: present(value), message: n, since: 2025-08-01}
        """)
    [pair] = diff_packs(old, new).changed
    assert [c.aspect for c in pair.changes] == ["fields", "since", "message", "when", "check"]
    assert pair.changes[0] == Change("fields", "name", "name, kind")
    assert pair.changes[3] == Change("when", None, "present(value)")
    assert pair.changes[4] == Change("check", "len(name) <= 5", "len(value) <= 6")


def test_only_lists_a_rule_uses_are_compared_for_it(tmp_path: Path) -> None:
    body = """
        lists:
          used: {used}
          unused: {unused}
        rules:
          - id: T.A.01
            field: kind
            severity: error
            check: kind in @used
            message: m
        """
    old = pack(tmp_path, "1.0.0", body.format(used="[a, b, c]", unused="[x]"))
    new = pack(tmp_path, "1.1.0", body.format(used="[a, d, b]", unused="[y]"))
    [pair] = diff_packs(old, new).changed
    assert pair.lists == (ListChange("used", ("d",), ("c",)),)


def test_a_former_id_still_used_as_an_id_is_not_a_rename(tmp_path: Path) -> None:
    old = pack(tmp_path, "1.0.0", """
        rules:
          - {id: T.A.01, field: name, severity: error, check: present(name), message: m}
        """)
    new = pack(tmp_path, "2.0.0", """
        rules:
          - {id: T.B.01, aliases: [T.A.01], field: name, severity: error, check: present(name),
             message: m}
        """)
    result = diff_packs(old, new)
    assert [(p.old.id, p.new.id) for p in result.renamed] == [("T.A.01", "T.B.01")]
    assert not result.added and not result.removed and not result.changed


def test_the_json_form_names_both_packs_and_every_difference() -> None:
    old, new = load_pack(f"{RELEASES}@1.0"), load_pack(f"{RELEASES}@1.1.0")
    data = diff_packs(old, new).to_dict()
    assert data["old"]["version"] == "1.0.0" and len(data["new"]["sha256"]) == 64
    assert data["renamed"] == [{"old": "REL.NAME.01", "new": "REL.NAME.02"}]
    kinds = next(c for c in data["changed"] if c["id"] == "REL.KIND.01")
    assert kinds["lists"] == [{"name": "kinds", "added": ["c"], "removed": []}]
    renamed = next(c for c in data["changed"] if c["id"] == "REL.NAME.02")
    assert renamed["old_id"] == "REL.NAME.01"


def test_impact_lists_only_records_whose_findings_differ_with_renames_followed(
        tmp_path: Path) -> None:
    data = tmp_path / "records.csv"
    data.write_text("ULN,Name,Kind\n"
                    "1234567890,Bo,a\n"  # same in both
                    "123,Bo,a\n"  # same in both (REL.ULN.01)
                    "1234567890,Alexandrina Victoria,a\n"  # REL.NAME warning -> error
                    "1234567890,x,c\n", "utf-8")  # OLD.01 gone, KIND.01 -> KIND.02
    old = compile_pack(load_pack(f"{RELEASES}@1.0"))
    new = compile_pack(load_pack(f"{RELEASES}@1.1.0"))
    impact = Impact(old, new, data)
    impacts = list(impact)
    assert impact.records == 4
    assert [(i.record, i.line) for i in impacts] == [(3, 4), (4, 5)]
    assert impacts[0].added == (("REL.NAME.02", "name", "error"),)
    assert impacts[0].removed == (("REL.NAME.02", "name", "warning"),)
    assert impacts[1].added == (("REL.KIND.02", "kind", "warning"),)
    assert impacts[1].removed == (("REL.KIND.01", "kind", "error"), ("REL.OLD.01", "name", "info"))
    assert impacts[1].to_dict()["added"] == [
        {"rule": "REL.KIND.02", "field": "kind", "severity": "warning"}]


def test_impact_of_identical_packs_is_nothing(tmp_path: Path) -> None:
    data = tmp_path / "records.jsonl"
    data.write_text('{"ULN": "1", "Name": "Alexandrina Victoria", "Kind": "q"}\n', "utf-8")
    compiled = compile_pack(load_pack(RELEASES))
    assert list(iter_impact(compiled, compiled, data)) == []
