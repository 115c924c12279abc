"""Overlays: a local pack extends a base, adds rules, and overrides or disables base rules."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lrsrules.authoring.packtests import include_tree
from lrsrules.errors import PackError
from lrsrules.packs.loader import load_pack

BASE = """
pack: national
version: 2.0.0
fields:
  uln: {}
  name: {}
rules:
  - {id: NAT.ULN.01, field: uln, severity: error, check: len(uln) == 10, message: ULN length}
  - id: NAT.NAME.02
    aliases: [NAT.NAME.01]
    field: name
    severity: error
    check: len(name) <= 10
    message: Name is long
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def overlay(folder: Path, body: str, name: str = "local", extends: str = "national.yaml",
            ) -> Path:
    write(folder, "national.yaml", BASE)
    head = f"pack: {name}\nversion: 1.0.0\nextends: {extends}\n"
    return write(folder, f"{name}.yaml", head + textwrap.dedent(body).lstrip("\n"))


def problems(path: Path) -> list[tuple[str, int | None, int | None, str]]:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    return [(Path(p.location.file or "").name, p.location.line, p.location.column, p.message)
            for p in caught.value.problems]


def test_an_overlay_has_the_base_rules_with_its_overrides_and_its_own_rules(
        tmp_path: Path) -> None:
    path = overlay(tmp_path, """
        overrides:
          - {rule: NAT.NAME.02, severity: warning, reason: Names are checked by hand too}
          - {rule: NAT.ULN.01, disabled: true, reason: We do not collect ULNs}
        rules:
          - {id: LOC.NAME.01, field: name, severity: info, check: name != 'x', message: x}
        """)
    pack = load_pack(path)
    assert [(r.id, r.severity, r.pack) for r in pack.rules] == [
        ("NAT.NAME.02", "warning", "national"), ("LOC.NAME.01", "info", "local")]
    assert pack.disabled == {"NAT.ULN.01": "We do not collect ULNs"}
    assert (pack.name, pack.extends, pack.includes) == ("local", "national", ("national",))
    assert set(pack.fields) == {"uln", "name"}


def test_the_overlay_hash_covers_the_base_file(tmp_path: Path) -> None:
    path = overlay(tmp_path, "rules: []\n")
    before = load_pack(path).sha256
    write(tmp_path, "national.yaml", BASE.replace("ULN length", "ULN has the wrong length"))
    assert load_pack(path).sha256 != before


def test_an_override_may_name_a_rule_by_its_former_id(tmp_path: Path) -> None:
    path = overlay(tmp_path, "overrides:\n  - {rule: NAT.NAME.01, severity: info}\n")
    assert {r.id: r.severity for r in load_pack(path).rules}["NAT.NAME.02"] == "info"


def test_an_override_of_an_unknown_rule_suggests_the_closest_base_rule(tmp_path: Path) -> None:
    path = overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.1, severity: info}\n")
    assert problems(path) == [
        ("local.yaml", 5, 12, "unknown rule NAT.ULN.1 in pack national; did you mean NAT.ULN.01?")]


def test_overriding_a_rule_twice_is_a_load_error(tmp_path: Path) -> None:
    path = overlay(tmp_path, """
        overrides:
          - {rule: NAT.NAME.02, severity: info}
          - {rule: NAT.NAME.01, disabled: true, reason: not needed}
        """)
    assert problems(path) == [
        ("local.yaml", 6, 12, "rule NAT.NAME.02 is overridden twice (first at"
         f" {tmp_path / 'local.yaml'}:5:12)")]


def test_disabling_without_a_reason_is_a_load_error(tmp_path: Path) -> None:
    path = overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, disabled: true}\n")
    assert problems(path) == [("local.yaml", 5, 5, "disabling rule NAT.ULN.01 needs a reason")]


def test_an_override_that_changes_nothing_or_both_disables_and_sets_severity_is_an_error(
        tmp_path: Path) -> None:
    path = overlay(tmp_path, """
        overrides:
          - {rule: NAT.ULN.01, reason: just because}
          - {rule: NAT.NAME.02, severity: info, disabled: true, reason: r}
        """)
    assert [message for *_, message in problems(path)] == [
        "the override of rule NAT.ULN.01 changes nothing",
        "the override of rule NAT.NAME.02 both disables it and sets its severity",
    ]


def test_a_local_rule_reusing_a_base_id_must_use_overrides(tmp_path: Path) -> None:
    path = overlay(tmp_path, """
        rules:
          - {id: NAT.ULN.01, field: uln, severity: info, check: present(uln), message: m}
        """)
    with pytest.raises(PackError) as caught:
        load_pack(path)
    [problem] = caught.value.problems
    assert problem.message.startswith("duplicate rule id NAT.ULN.01")
    assert problem.hint is not None and "change a rule of national through overrides" in (
        problem.hint)


def test_overrides_without_extends_are_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "lone.yaml", """
        pack: lone
        version: 1.0.0
        overrides:
          - {rule: NAT.ULN.01, severity: info}
        """)
    [(_, line, column, message)] = problems(path)
    assert (line, column) == (3, 1)
    assert message.startswith("overrides change the rules of a base pack")


def test_a_bad_override_severity_is_a_schema_error_naming_the_override(tmp_path: Path) -> None:
    path = overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, severity: fatal}\n")
    assert problems(path) == [("local.yaml", 5, 34, "severity of override 1 must be one of"
                                                    " error, warning, info, not 'fatal'")]


def test_only_rules_of_the_base_may_be_overridden_not_those_of_a_peer_include(
        tmp_path: Path) -> None:
    write(tmp_path, "peer.yaml", """
        pack: peer
        version: 1.0.0
        rules:
          - {id: PEER.A.01, field: uln, severity: error, check: present(uln), message: m}
        """)
    path = overlay(tmp_path, """
        include: [peer.yaml]
        overrides:
          - {rule: PEER.A.01, severity: info}
        """)
    [(_, line, _, message)] = problems(path)
    assert line == 6
    assert message == "rule PEER.A.01 is not a rule of national (it is defined in pack peer)"


def test_along_a_chain_the_pack_further_out_wins(tmp_path: Path) -> None:
    overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, severity: warning}\n",
            name="regional")
    path = overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, severity: info}\n",
                   name="college", extends="regional.yaml")
    pack = load_pack(path)
    assert {r.id: r.severity for r in pack.rules}["NAT.ULN.01"] == "info"
    assert pack.extends == "regional"


def test_two_overlays_of_one_base_may_not_override_the_same_rule(tmp_path: Path) -> None:
    overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, severity: warning}\n", name="east")
    overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, severity: info}\n", name="west")
    top = write(tmp_path, "top.yaml", "pack: top\nversion: 1.0.0\n"
                "include: [east.yaml, west.yaml]\n")
    [(file, _, _, message)] = problems(top)
    assert file == "west.yaml"
    assert message.startswith("rule NAT.ULN.01 is overridden twice")


def test_a_rule_disabled_by_a_base_overlay_cannot_be_changed_further_out(
        tmp_path: Path) -> None:
    overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, disabled: true, reason: no ULNs}\n",
            name="regional")
    path = overlay(tmp_path, "overrides:\n  - {rule: NAT.ULN.01, severity: info}\n",
                   name="college", extends="regional.yaml")
    [(_, _, _, message)] = problems(path)
    assert message == "rule NAT.ULN.01 is already disabled by pack regional (no ULNs)"


def test_an_unknown_base_is_reported_at_the_extends_value(tmp_path: Path) -> None:
    path = overlay(tmp_path, "rules: []\n", extends="nowhere.yaml")
    [(file, line, column, message)] = problems(path)
    assert (file, line, column) == ("local.yaml", 3, 10)
    assert message.startswith("no pack file or folder at")


def test_extending_a_bundled_pack_by_name_and_version(tmp_path: Path) -> None:
    path = write(tmp_path, "college.yaml", """
        pack: college
        version: 1.0.0
        extends: lrs-cdd@1.0
        overrides:
          - {rule: CDD.ULN.02, severity: warning}
        """)
    pack = load_pack(path)
    assert pack.extends == "lrs-cdd"
    assert {r.id: r.severity for r in pack.rules}["CDD.ULN.02"] == "warning"
    assert len(pack.rules) == len(load_pack("lrs-cdd").rules)


def test_the_test_tree_of_an_overlay_includes_its_base(tmp_path: Path) -> None:
    path = overlay(tmp_path, "rules: []\n")
    assert [p.name for p in include_tree(path)] == ["national.yaml", "local.yaml"]
