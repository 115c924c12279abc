"""What the generated code looks like where it matters: guards, shared work, isolation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from lrsrules.packs.loader import load_pack
from lrsrules.run.program import CompiledPack, compile_pack

HEAD = """\
pack: p
version: 1.0.0
fields:
  uln: {}
  dob: {}
  name: {}
rules:
"""


def compiled(tmp_path: Path, rules: str) -> CompiledPack:
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + rules, "utf-8")
    return compile_pack(load_pack(path), today=dt.date(2026, 6, 15))


def memo_slots(pack: CompiledPack) -> set[str]:
    return set(re.findall(r"_m[0-9]+", pack.source))


def test_a_match_shared_by_two_rules_is_computed_once_per_record(tmp_path: Path) -> None:
    pack = compiled(tmp_path, """\
  - {id: P.ULN.01, field: uln, severity: error, check: "uln matches '[1-9][0-9]{9}'", message: m}
  - id: P.ULN.02
    field: uln
    severity: error
    when: "uln matches '[1-9][0-9]{9}'"
    check: weighted_sum(uln, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]) % 11 == 10
    message: m
""")
    assert memo_slots(pack) == {"_m0"}  # one slot, filled by whichever rule runs first
    assert pack.check(("1000000043",)) == []
    assert pack.check(("1000000042",)) == [1]
    assert pack.check(("0000000042",)) == [0]
    assert pack.check((None,)) == []


def test_is_date_and_date_share_one_parse(tmp_path: Path) -> None:
    pack = compiled(tmp_path, """\
  - {id: P.DOB.01, field: dob, severity: error, check: is_date(dob), message: m}
  - id: P.DOB.02
    field: dob
    severity: warning
    when: is_date(dob)
    check: years_between(date(dob), today()) >= 14
    message: m
""")
    assert len(memo_slots(pack)) == 1
    assert pack.check(("2000-01-01",)) == []
    assert pack.check(("2020-01-01",)) == [1]
    assert pack.check(("1900-02-29",)) == [0]
    assert pack.check((None,)) == [0]  # is_date(null) is false


def test_guards_proven_by_when_are_not_repeated_in_check(tmp_path: Path) -> None:
    pack = compiled(tmp_path, """\
  - id: P.NAME.01
    field: name
    severity: error
    when: present(name)
    check: len(name) <= 3
    message: m
""")
    assert pack.source.count("is not None") == 1
    assert pack.check(("Alexander",)) == [0]
    assert pack.check((None,)) == []


def test_no_pack_text_reaches_the_generated_code_except_as_repr_literals(
        tmp_path: Path) -> None:
    pack = compiled(tmp_path, """\
  - id: P.NAME.01
    field: name
    severity: error
    check: "name != '\\\\'); import os #'"
    message: m
""")
    assert "import os" not in pack.source.replace(repr("'); import os #"), "")
    assert pack.check(("x",)) == []


def test_an_exception_in_one_rule_does_not_stop_the_next(tmp_path: Path) -> None:
    pack = compiled(tmp_path, """\
  - {id: P.A.01, field: name, severity: error, check: int(name) > 0, message: m}
  - {id: P.A.02, field: name, severity: error, check: len(name) < 2, message: m}
""")
    hits = pack.check(("abc",))
    assert isinstance(hits[0], tuple) and hits[0][0] == 0
    assert hits[1] == 1
