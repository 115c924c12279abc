"""Rules across records: ``unique`` keys, their state, its merge, and the one pipeline."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

import lrsrules
from lrsrules.errors import PackError
from lrsrules.inputs.records import Record
from lrsrules.packs.loader import load_pack
from lrsrules.run.crossrecord import CrossRecords, First, UniqueKeys, key_digest, pack_first
from lrsrules.run.program import CompiledPack, compile_pack

PACK = """\
pack: p
version: 1.0.0
fields:
  uln: {aliases: [ULN]}
  ref: {aliases: [Ref]}
  name: {aliases: [Name]}
  dob: {aliases: [DOB]}
rules:
  - {id: P.NAME.01, field: name, severity: warning, check: len(name) <= 5, message: long}
  - id: P.ULN.09
    field: uln
    severity: error
    unique: uln
    unless: uln == '9999999999'
    message: ULN repeats
  - {id: P.REF.09, field: ref, severity: warning, unique: [ref], casefold: true,
     message: ref repeats}
  - {id: P.PERSON.09, field: name, severity: info, unique: [name, dob], when: dob != '',
     message: person repeats}
"""


def pack_at(tmp_path: Path, text: str = PACK) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    return path


def compiled(tmp_path: Path) -> CompiledPack:
    return compile_pack(load_pack(pack_at(tmp_path)), today=dt.date(2026, 1, 1))


ROWS = [
    {"ULN": "1000000004", "Ref": "ab1", "Name": "Ann", "DOB": "2001-01-01"},
    {"ULN": "1000000004", "Ref": "AB1", "Name": "Ann", "DOB": "2001-01-02"},
    {"ULN": "9999999999", "Ref": "x", "Name": "Alexander", "DOB": "2001-01-01"},
    {"ULN": "9999999999", "Ref": "", "Name": "Ann", "DOB": "2001-01-01"},
    {"ULN": "", "Ref": "", "Name": "Bo", "DOB": ""},
    {"ULN": "", "Ref": "", "Name": "Bo", "DOB": ""},
    {"ULN": "1000000004", "Ref": "Ab1", "Name": "Cy", "DOB": ""},
]


def test_every_repeat_is_reported_after_the_records_own_findings(tmp_path: Path) -> None:
    run = lrsrules.validate(ROWS, pack_at(tmp_path))
    found = [(f.record, f.rule, f.field, f.severity, f.message) for f in run]
    assert found == [
        (2, "P.ULN.09", "uln", "error", "ULN repeats (first seen at record 1, line 1)"),
        (2, "P.REF.09", "ref", "warning", "ref repeats (first seen at record 1, line 1)"),
        (3, "P.NAME.01", "name", "warning", "long"),
        (4, "P.PERSON.09", "name", "info", "person repeats (first seen at record 1, line 1)"),
        (7, "P.ULN.09", "uln", "error", "ULN repeats (first seen at record 1, line 1)"),
        (7, "P.REF.09", "ref", "warning", "ref repeats (first seen at record 1, line 1)"),
    ]
    assert run.summary.findings == 6


def test_a_repeat_in_a_file_names_the_first_records_line(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("ULN,Ref\n1000000004,a\n1000000012,b\n1000000004,c\n", "utf-8")
    (finding,) = lrsrules.validate(data, pack_at(tmp_path))
    assert (finding.record, finding.line) == (3, 4)
    assert finding.message == "ULN repeats (first seen at record 1, line 2)"


def test_the_value_of_a_repeat_is_its_key_and_only_shown_when_asked(tmp_path: Path) -> None:
    rows = [{"Name": "Ann", "DOB": "2001-01-01"}, {"Name": "Ann", "DOB": "2001-01-01"}]
    (finding,) = lrsrules.validate(rows, pack_at(tmp_path))
    assert finding.value == "Ann | 2001-01-01"
    assert "value" not in finding.to_dict()
    assert "Ann" not in finding.message and "Ann" not in repr(finding)


def test_keys_of_several_fields_do_not_run_together() -> None:
    assert key_digest(["ab", "c"]) != key_digest(["a", "bc"])
    assert key_digest(["AB1"], casefold=True) == key_digest(["ab1"], casefold=True)
    assert key_digest(["AB1"]) != key_digest(["ab1"])


def _partition(pack: CompiledPack, rows: list[tuple[str | None, ...]], start: int
               ) -> tuple[CrossRecords, list[tuple[int, str]]]:
    state = CrossRecords(pack.cross)
    found = []
    for number, values in enumerate(rows, start=start):
        found += [(f.record or 0, f.rule) for f in
                  state.findings(Record(number, number + 1, values))]
    return state, found


def test_two_partitions_merged_find_the_repeats_of_one_pass(tmp_path: Path) -> None:
    pack = compiled(tmp_path)
    rows = [tuple(row.get(h) or None for h in ("ULN", "Ref", "Name", "DOB"))
            for row in ROWS * 3]
    assert pack.fields == ("uln", "ref", "name", "dob")
    _, whole = _partition(pack, rows, 1)
    cut = 8
    left, left_found = _partition(pack, rows[:cut], 1)
    right, right_found = _partition(pack, rows[cut:], cut + 1)
    merged = []
    for target, mine, theirs in zip(pack.cross, left.keys, right.keys, strict=True):
        merged += [(repeat.record, target.rule.id) for repeat in mine.merge(theirs)]
    assert sorted(left_found + right_found + merged) == sorted(whole)
    # After the merge the state is the file's: each key's first record is the earliest.
    uln = key_digest(["1000000004"])
    assert left.keys[0].first(uln) == First(1, 2)
    assert len(left.keys[0]) == len(_partition(pack, rows, 1)[0].keys[0])


def test_merge_keeps_the_earlier_first_whichever_side_it_is_on() -> None:
    early, late = UniqueKeys(), UniqueKeys()
    assert early.add(7, 1, 2) is None
    assert late.add(7, 10, None) is None
    assert late.add(8, 11, 12) is None
    repeats = list(late.merge(early))
    assert [(r.record, r.line, r.first) for r in repeats] == [(10, None, First(1, 2))]
    assert late.first(7) == First(1, 2) and late.first(8) == First(11, 12)
    assert late.add(7, 20, 21) == First(1, 2)


def test_a_later_partitions_keys_taken_in_bulk_keep_the_earlier_firsts() -> None:
    keys = UniqueKeys()
    keys.add("a", 1, 2)
    keys.add("b", 2, 3)
    # The later partition: 10 records before it; its own first records of c, b and a.
    firsts = [pack_first(1, 12), pack_first(2, 13), pack_first(4, 15)]
    repeats = keys.took(["c", "b", "a"], firsts, 10)
    assert repeats == [(1, First(2, 3)), (2, First(1, 2))]  # by place in the partition
    assert keys.first("a") == First(1, 2) and keys.first("b") == First(2, 3)
    assert keys.first("c") == First(11, 12) and len(keys) == 3
    assert keys.took(["d"], [pack_first(1, None)], 20) == []
    assert keys.first("d") == First(21, None)


def test_the_state_holds_one_small_entry_per_distinct_key() -> None:
    keys = UniqueKeys()
    before = sys.getsizeof(keys._first)
    for number in range(1, 100_001):
        keys.add(key_digest([str(number % 50_000)]), number, number + 1)
    assert len(keys) == 50_000
    # An int key and an int value of about 32 bytes each, and the dict's slot.
    entry = (sys.getsizeof(keys._first) - before) / 50_000
    assert entry < 60


@pytest.mark.parametrize(("rule", "message"), [
    ("{id: P.X.01, field: uln, severity: error, unique: uln, check: present(uln), message: m}",
     "rule P.X.01 has both a check and a unique key"),
    ("{id: P.X.01, field: uln, severity: error, unique: uln, fix: trim(uln), message: m}",
     "rule P.X.01 compares records: it has no fix"),
    ("{id: P.X.01, field: uln, severity: error, casefold: true, check: 'true', message: m}",
     "casefold of rule P.X.01 applies only to a unique key"),
    ("{id: P.X.01, field: [uln, ref], severity: error, unique: uln, message: m}",
     "rule P.X.01 compares records: its findings point at one field"),
    ("{id: P.X.01, field: uln, severity: error, unique: [uln, rfe], message: m}",
     "unknown field 'rfe'; did you mean 'ref'?"),
    ("{id: P.X.01, field: uln, severity: error, message: m}",
     "rule P.X.01 has no 'check'"),
])
def test_a_unique_rule_is_checked_when_loaded(tmp_path: Path, rule: str, message: str) -> None:
    text = "pack: p\nversion: 1.0.0\nfields: {uln: {}, ref: {}}\nrules:\n  - " + rule + "\n"
    with pytest.raises(PackError) as caught:
        load_pack(pack_at(tmp_path, text))
    assert [p.message for p in caught.value.problems] == [message]


def test_when_and_unless_of_a_unique_rule_are_type_checked(tmp_path: Path) -> None:
    text = ("pack: p\nversion: 1.0.0\nfields: {uln: {}}\nrules:\n  - {id: P.X.01, field: uln,"
            " severity: error, unique: uln, unless: len(uln), message: m}\n")
    with pytest.raises(PackError) as caught:
        compile_pack(load_pack(pack_at(tmp_path, text)))
    assert "unless" in caught.value.problems[0].message


# The tools: validate, explain, rules, docs, diff, test.

def cli(*args: str | Path) -> tuple[int, str]:
    from typer.testing import CliRunner

    from lrsrules.cli.app import app

    result = CliRunner().invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout + result.stderr


def test_validate_reports_repeats_and_shows_the_key_only_when_asked(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("ULN,Ref\n1000000004,a\n1000000004,b\n", "utf-8")
    code, out = cli("validate", "--pack", pack_at(tmp_path), data)
    assert code == 1, out
    assert "record 2, uln: error P.ULN.09: ULN repeats (first seen at record 1, line 2)" in out
    assert "1000000004" not in out
    code, out = cli("validate", "--pack", pack_at(tmp_path), data, "--show-values",
                    "--format", "json")
    assert '"value": "1000000004"' in out, out


def test_explain_says_what_a_unique_rule_does_and_its_verdict(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("ULN,Ref\n1000000004,a\n1000000004,b\n9999999999,c\n", "utf-8")
    pack = pack_at(tmp_path)
    code, out = cli("explain", "P.ULN.09", "--pack", pack, "--record", f"{data}:2")
    assert code == 0, out
    assert "compares the records of a file: reports every record whose uln" in out
    assert "field uln: fires: an earlier record has its key (first seen at record 1" in out
    code, out = cli("explain", "P.ULN.09", "--pack", pack, "--record", f"{data}:1")
    assert "field uln: passes: no earlier record in the file has its key" in out, out
    code, out = cli("explain", "P.ULN.09", "--pack", pack, "--record", f"{data}:3")
    assert "field uln: skipped: its unless is true" in out, out
    code, out = cli("explain", "P.ULN.09", "--pack", pack, "--code")
    assert code == 0 and "no generated check: it compares the records" in out, out


def test_rules_and_docs_name_the_key(tmp_path: Path) -> None:
    pack = pack_at(tmp_path)
    _, out = cli("rules", "--pack", pack)
    assert "ref (unique in the file: ref, ignoring case): ref repeats" in out, out
    code, out = cli("docs", pack)
    assert code == 0, out
    assert "**Across records:** compares the records of a file" in out
    assert "unique: [name, dob]\nwhen: dob != ''" in out


def test_diff_reports_a_changed_key_or_casefold(tmp_path: Path) -> None:
    old = tmp_path / "old" / "p.yaml"
    new = tmp_path / "new" / "p.yaml"
    for path, text in ((old, PACK), (new, PACK.replace("unique: [ref], casefold: true",
                                                       "unique: [ref, uln]"))):
        path.parent.mkdir()
        path.write_text(text, "utf-8")
    _, out = cli("diff", old, new)
    assert "changed  P.REF.09\n    unique:\n      - ref\n      + ref, uln\n" in out, out
    assert "    casefold:\n      - true\n      + false\n" in out


def test_pack_tests_run_records_before_the_case(tmp_path: Path) -> None:
    pack = pack_at(tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "cases.yaml").write_text("""\
cases:
  - name: repeat
    before: [{ULN: "1000000004"}, {Name: Bo}]
    record: {ULN: "1000000004", Name: Bo}
    expect: [P.ULN.09]
  - name: alone
    record: {ULN: "1000000004", Ref: a}
    expect: []
""", "utf-8")
    _, out = cli("test", pack)
    assert "2 cases, 2 passed" in out, out
