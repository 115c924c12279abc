"""Rules over time: since/until, --as-of filtering, former ids, and picking a pack version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from lrsrules.errors import PackError
from lrsrules.packs.discovery import find_pack
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import ExprSource, RuleDef
from lrsrules.packs.versions import current_ids, in_force, rules_in_force

RELEASES = Path(__file__).parent / "packs" / "releases"
D = dt.date.fromisoformat


def write_pack(folder: Path, rules: str, name: str = "p.yaml") -> Path:
    head = "pack: dated\nversion: 1.0.0\nfields:\n  name: {}\n  kind: {}\nrules:\n"
    path = folder / name
    path.write_text(head + textwrap.dedent(rules).lstrip("\n"), encoding="utf-8")
    return path


def rule(id: str = "T.R.01", **changes: object) -> RuleDef:
    base = RuleDef(id, ("name",), "error", ExprSource.inline("present(name)"), "m")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def problems(path: Path) -> list[tuple[int | None, int | None, str]]:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    return [(p.location.line, p.location.column, p.message) for p in caught.value.problems]


# since / until ------------------------------------------------------------------------------


def test_a_rule_is_in_force_from_since_up_to_but_not_on_until() -> None:
    dated = rule(since=D("2025-08-01"), until=D("2026-08-01"))
    assert not in_force(dated, D("2025-07-31"))
    assert in_force(dated, D("2025-08-01"))
    assert in_force(dated, D("2026-07-31"))
    assert not in_force(dated, D("2026-08-01"))


def test_a_rule_without_dates_is_always_in_force() -> None:
    assert in_force(rule(), D("1900-01-01")) and in_force(rule(), D("2999-12-31"))


def test_a_replacement_starting_on_the_retirement_date_leaves_no_gap_or_overlap() -> None:
    old = rule("T.OLD.01", until=D("2025-08-01"))
    new = rule("T.NEW.01", since=D("2025-08-01"))
    for day in ("2025-07-31", "2025-08-01"):
        assert [r.id for r in (old, new) if in_force(r, D(day))] == (
            ["T.OLD.01"] if day == "2025-07-31" else ["T.NEW.01"])


def test_since_and_until_are_read_as_dates_from_plain_yaml(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - id: T.R.01
          field: name
          severity: error
          check: present(name)
          message: m
          since: 2025-08-01
          until: "2026-08-01"
        """)
    loaded = load_pack(path).rules[0]
    assert (loaded.since, loaded.until) == (D("2025-08-01"), D("2026-08-01"))
    assert "since" not in loaded.extra and "until" not in loaded.extra


def test_rules_in_force_keeps_the_pack_and_drops_only_rules_out_of_force(
        tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - {id: T.OLD.01, field: name, severity: error, check: present(name), message: m,
           until: 2025-08-01}
        - {id: T.NEW.01, field: name, severity: error, check: present(name), message: m,
           since: 2025-08-01}
        - {id: T.ALL.01, field: kind, severity: error, check: present(kind), message: m}
        """)
    pack = load_pack(path)
    before = rules_in_force(pack, D("2025-01-01"))
    assert [r.id for r in before.rules] == ["T.OLD.01", "T.ALL.01"]
    assert (before.name, before.sha256, before.fields) == (pack.name, pack.sha256, pack.fields)
    assert [r.id for r in rules_in_force(pack, D("2025-08-01")).rules] == [
        "T.NEW.01", "T.ALL.01"]


def test_rules_in_force_returns_the_same_pack_when_every_rule_is_in_force() -> None:
    pack = load_pack(RELEASES)
    assert rules_in_force(pack, D("2025-01-01")) is pack


def test_a_day_not_in_the_calendar_is_reported_at_its_line(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - id: T.R.01
          field: name
          severity: error
          check: present(name)
          message: m
          since: 2025-02-30
        """)
    assert problems(path) == [(12, 10, "since '2025-02-30' is not a day in the calendar")]


def test_until_must_come_after_since(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - id: T.R.01
          field: name
          severity: error
          check: present(name)
          message: m
          since: 2025-08-01
          until: 2025-08-01
        """)
    assert problems(path) == [(13, 10, "until (2025-08-01) must be after since (2025-08-01)")]


def test_a_date_in_another_form_is_a_schema_error_worded_for_authors(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - {id: T.R.01, field: name, severity: error, check: present(name), message: m,
           since: 01/08/2025}
        """)
    assert problems(path) == [
        (8, 11, "since must be a date written YYYY-MM-DD, like 2025-08-01, not '01/08/2025'")]


# aliases ------------------------------------------------------------------------------------


def test_former_ids_are_kept_and_map_to_the_current_id() -> None:
    pack = load_pack(f"{RELEASES}@1.1.0")
    renamed = next(r for r in pack.rules if r.id == "REL.NAME.02")
    assert renamed.aliases == ("REL.NAME.01",)
    ids = current_ids(pack.rules)
    assert ids["REL.NAME.01"] == ids["REL.NAME.02"] == "REL.NAME.02"
    assert ids["REL.ULN.01"] == "REL.ULN.01"


def test_a_former_id_equal_to_another_rules_id_is_a_load_error(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - {id: T.A.01, field: name, severity: error, check: present(name), message: m}
        - id: T.B.01
          aliases: [T.A.01]
          field: name
          severity: error
          check: present(name)
          message: m
        """)
    [(line, column, message)] = problems(path)
    assert (line, column) == (9, 13)
    assert message.startswith("former id T.A.01 of rule T.B.01 is the id of another rule")


def test_a_former_id_claimed_by_two_rules_is_a_load_error(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - {id: T.A.02, aliases: [T.A.01], field: name, severity: error, check: present(name),
           message: m}
        - {id: T.B.02, aliases: [T.A.01], field: name, severity: error, check: present(name),
           message: m}
        """)
    assert problems(path) == [(9, 26, "former id T.A.01 is claimed by rules T.A.02 and T.B.02")]


def test_a_rule_listing_its_own_id_as_former_is_a_load_error(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        - {id: T.A.01, aliases: [T.A.01], field: name, severity: error, check: present(name),
           message: m}
        """)
    assert problems(path) == [(7, 26, "rule T.A.01 lists its own id as a former id")]


def test_former_ids_are_unique_across_included_packs(tmp_path: Path) -> None:
    write_pack(tmp_path, """
        - {id: T.A.01, field: name, severity: error, check: present(name), message: m}
        """, name="base.yaml")
    top = tmp_path / "top.yaml"
    top.write_text(textwrap.dedent("""
        pack: top
        version: 1.0.0
        include: [base.yaml]
        rules:
          - {id: T.B.01, aliases: [T.A.01], field: name, severity: error,
             check: present(name), message: m}
        """).lstrip(), encoding="utf-8")
    [(line, _, message)] = problems(top)
    assert line == 5 and "is the id of another rule" in message


# versions -------------------------------------------------------------------------------


@pytest.mark.parametrize(("selector", "version"), [
    ("", "1.1.1"), ("@1", "1.1.1"), ("@1.1", "1.1.1"), ("@1.1.0", "1.1.0"), ("@1.0", "1.0.0"),
])
def test_a_folder_of_versions_gives_the_newest_matching_the_selector(selector: str,
                                                                      version: str) -> None:
    assert load_pack(f"{RELEASES}{selector}").version == version


def test_a_folder_name_with_a_selector_is_found_from_the_working_folder(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(RELEASES.parent)
    assert find_pack("releases@1.0").name == "releases-1.0.0.yaml"


def test_versions_of_one_pack_hash_differently() -> None:
    hashes = {load_pack(f"{RELEASES}@{v}").sha256 for v in ("1.0.0", "1.1.0", "1.1.1")}
    assert len(hashes) == 3
