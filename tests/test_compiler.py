"""What the generated code looks like where it matters: guards, shared work, isolation."""

from __future__ import annotations

import builtins
import datetime as dt
import io
import keyword
import re
import tokenize
from pathlib import Path

import pytest

from lrsrules.lang.checker import Scope, parse_and_check
from lrsrules.lang.compiler import RuleCode, _variable, compile_rules
from lrsrules.packs.discovery import bundled_packs
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import ExprSource, FieldDef
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


# -- the generated code as people read it ---------------------------------------------------


def test_each_target_opens_with_a_comment_naming_its_index_rule_and_field() -> None:
    pack = compile_pack(load_pack("lrs-default"))
    lines = pack.source.splitlines()
    for index, target in enumerate(pack.targets):
        header = f"    # [{index}] {target.rule.id} on {target.field}"
        assert header in lines, header
        assert lines[lines.index(header) + 1] == "    try:"


def test_fields_are_held_in_variables_named_after_them(tmp_path: Path) -> None:
    pack = compiled(tmp_path, """\
  - {id: P.ULN.01, field: uln, severity: error, check: len(uln) == 10, message: m}
  - {id: P.DOB.01, field: dob, severity: error, check: is_date(value), message: m}
""")
    assert "    f_uln, f_dob, = values" in pack.source.splitlines()
    assert "len(f_uln) == 10" in pack.source
    assert re.search(r"\bv[0-9]+\b", pack.source) is None


def test_a_field_named_like_a_builtin_does_not_hide_it(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("""\
pack: p
version: 1.0.0
fields:
  len: {}
rules:
  - {id: P.LEN.01, field: len, severity: error, check: len(len) <= 3, message: m}
""", "utf-8")
    pack = compile_pack(load_pack(path))
    assert "len(f_len) <= 3" in pack.source
    assert pack.check(("abcd",)) == [0]
    assert pack.check(("abc",)) == []


def test_only_plain_ascii_identifiers_name_a_variable() -> None:
    assert _variable("date_of_birth", 3) == "f_date_of_birth"
    assert _variable("if", 3) == "f_if"  # no keyword starts with f_
    for name in ("2nd", "a-b", "a b", "ﬁeld", "é", "", "a'b", "x\n#"):
        assert _variable(name, 3) == "v3", name
    # Nothing else the generated code names could meet an f_ variable.
    assert [name for name in dir(builtins) if name.startswith("f_")] == []
    assert [word for word in keyword.kwlist + keyword.softkwlist if word.startswith("f_")] == []


HOSTILE = ["a'\n#", "x\nimport os", "\\n#", "'''", '"', "__import__('os').system('x')",
           "a\r__import__('os')", "a\u2028import os", "a\x00b", "# [9] X on y\nimport os",
           "'); import os #"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_field_name_or_rule_id_stays_inside_its_comment(text: str) -> None:
    scope = Scope({text: FieldDef(text), "b": FieldDef("b")}, {}, (text,))
    checked, problems = parse_and_check(ExprSource.inline("len(value) <= 3"), scope, "check")
    assert checked is not None and not problems
    run, source = compile_rules([RuleCode(checked, None, None, text, text)], (text, "b"), {},
                                today=dt.date(2026, 1, 1))
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    names = {token.string for token in tokens if token.type == tokenize.NAME}
    assert not names & {"os", "import", "__import__", "system", "x"}
    comments = [token.string for token in tokens if token.type == tokenize.COMMENT]
    assert len(comments) == 1 and comments[0].startswith("# [0] ")
    assert run(("abcd", None)) == [0] and run(("abc", None)) == []


@pytest.mark.parametrize("pack_name", bundled_packs())
def test_generated_lines_stay_within_the_width(pack_name: str) -> None:
    source = compile_pack(load_pack(pack_name)).source
    too_long = [line for line in source.splitlines() if len(line) > 100]
    assert too_long == []


# -- the targets that read one field alone, remembered by value ----------------------------

GROUPED = """\
  - {id: P.A.01, field: name, severity: error, check: "int(name) > 3", message: m}
  - {id: P.B.01, field: uln, severity: error, check: "len(uln) == 10", message: m}
  - {id: P.A.02, field: name, severity: error, check: "len(name) < 3", message: m}
  - id: P.C.01
    field: dob
    severity: error
    when: present(uln)
    check: present(dob)
    message: m
"""


SHARED = """\
  - id: P.A.01
    field: name
    severity: error
    check: "not contains_word(name, ['test'])"
    message: m
  - {id: P.B.01, field: dob, severity: error, check: is_date(dob), message: m}
"""


def test_generated_functions_share_one_memory_of_each_pure_function(tmp_path: Path) -> None:
    # ``contains_word`` over one list and the parse of a date are remembered once in a
    # process: the pack's check function and a function made later of some of its rules
    # (as the whole-row proof makes them) look up the same answers, and the pickled pack
    # (the prepared-pack cache's, a worker's) reads back to the same memory.
    import pickle

    from lrsrules.lang.functions import Remembered
    from lrsrules.run.packpickle import PackPickler

    def memories(function: object) -> list[Remembered]:
        found = [value.__self__ for value in function.__globals__.values()  # type: ignore[attr-defined]
                 if isinstance(getattr(value, "__self__", None), Remembered)]
        return sorted(found, key=lambda memory: str(memory.key))

    pack = compiled(tmp_path, SHARED)

    def values(dob: str, name: str) -> tuple[str | None, ...]:
        return tuple({"dob": dob, "name": name}.get(field) for field in pack.fields)

    assert pack.check(values("2001-02-30", "a test")) == [0, 1]
    part = compile_rules([target.code for target in pack.targets], pack.fields, {},
                         today=dt.date(2026, 6, 15))[0]
    shared = memories(pack.check)
    assert len(shared) == 2 and memories(part) == shared
    assert all(a is b for a, b in zip(memories(part), shared, strict=True))
    assert shared[0]["a test"] is True  # the check function's answer, kept for the part
    buffer = io.BytesIO()
    PackPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(pack)
    read = pickle.loads(buffer.getvalue())
    assert all(a is b for a, b in zip(memories(read.check), shared, strict=True))
    assert read.check(values("2001-02-28", "Test")) == [0]


def test_targets_on_one_field_are_remembered_and_their_hits_stay_in_target_order(
        tmp_path: Path) -> None:
    pack = compiled(tmp_path, GROUPED)
    assert "def _g0(f_name):" in pack.source  # P.A.01 and P.A.02: one group
    assert "def _g1(" not in pack.source  # P.B.01 alone on uln, P.C.01 reads two fields
    for _ in range(3):  # first run, then from memory
        assert pack.check(("12345", None, "003")) == [0, 1, 2, 3]
        assert pack.check(("1234567890", None, "4")) == [3]
        assert pack.check(("12345", "2000-01-01", "2")) == [0, 1]
    memory = pack.check.__globals__["_G0"].__self__
    assert memory == {"003": (0, 2), "4": (), "2": (0,)}


def test_a_rule_that_could_not_be_evaluated_is_never_remembered(tmp_path: Path) -> None:
    pack = compiled(tmp_path, GROUPED)
    first = pack.check(("12345", "2000-01-01", "ab"))
    second = pack.check(("12345", "2000-01-01", "ab"))
    assert [hit if isinstance(hit, int) else hit[0] for hit in first] == [0, 1]
    assert isinstance(first[0], tuple) and first[0][1] is not second[0][1]  # each its own
    assert "ab" not in pack.check.__globals__["_G0"].__self__
    assert [hit.target.rule.id for hit in pack.hits(("12345", None, "ab"))] == [
        "P.A.01", "P.B.01", "P.C.01"]


def test_a_field_whose_values_seldom_repeat_drops_its_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lrsrules.lang import groups

    monkeypatch.setattr(groups, "_KEPT", 8)
    pack = compiled(tmp_path, GROUPED)
    namespace = pack.check.__globals__
    for number in range(20):
        assert pack.check(("1234567890", "2000-01-01", f"-{number:02d}")) == [0, 2]
    assert namespace["_G0"] is namespace["_g0"]  # looked up no more: run as it is
    assert pack.check(("1234567890", "2000-01-01", "5")) == []
    other = compiled(tmp_path, GROUPED)
    for number in range(20):
        other.check(("1234567890", "2000-01-01", f"-{number % 4:02d}"))
    assert other.check.__globals__["_G0"].__self__ == {
        f"-{n:02d}": (0, 2) for n in range(4)}  # values that repeat: remembered


def test_values_that_never_repeat_drop_the_memory_early(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Told after _EARLY misses when lookups all but never find their value (one in
    # NEVER_ONE_IN); values that repeat now and then wait for the judgement at _KEPT.
    from lrsrules.lang import groups

    monkeypatch.setattr(groups, "_EARLY", 16)
    monkeypatch.setattr(groups, "NEVER_ONE_IN", 8)
    pack = compiled(tmp_path, GROUPED)
    for number in range(16):
        pack.check(("1234567890", "2000-01-01", f"-{number:02d}"))
    assert pack.check.__globals__["_G0"] is pack.check.__globals__["_g0"]
    other = compiled(tmp_path, GROUPED)
    for number in range(24):  # one lookup in three finds its value
        other.check(("1234567890", "2000-01-01", f"-{number - number // 3:02d}"))
    kept = other.check.__globals__["_G0"]
    assert kept is not other.check.__globals__["_g0"] and len(kept.__self__) == 17


def test_values_too_long_to_keep_drop_the_memory_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lrsrules.lang import groups

    monkeypatch.setattr(groups, "_KEPT", 8)
    pack = compiled(tmp_path, GROUPED)
    namespace = pack.check.__globals__
    for _ in range(8):
        assert pack.check(("1234567890", "2000-01-01", "9" * 70)) == [2]  # never kept
    assert namespace["_G0"] is namespace["_g0"]


def test_the_switch_leaves_targets_where_they_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRSRULES_NO_FAST_PATHS", "1")
    pack = compiled(tmp_path, GROUPED)
    assert "_g0" not in pack.source and "_G0" not in pack.source
    assert pack.check(("12345", None, "003")) == [0, 1, 2, 3]


def test_rules_compiled_with_numbers_give_those_numbers_in_order(tmp_path: Path) -> None:
    # A part of a pack's check (the whole-row proof's) numbers its hits as the pack does.
    pack = compiled(tmp_path, """\
  - {id: P.A.01, field: name, severity: error, check: "len(name) <= 3", message: m}
  - {id: P.A.02, field: name, severity: error, check: "name != 'Test'", message: m}
  - {id: P.A.03, field: uln, severity: error, check: "int(uln) > 0", message: m}
""")
    from lrsrules.run.program import lists_of

    codes = [target.code for target in pack.targets]
    part, source = compile_rules(codes, pack.fields, lists_of(pack.pack),
                                 today=dt.date(2026, 6, 15), numbers=[4, 7, 9])
    assert pack.fields == ("uln", "name")
    assert part(("1", "Testing")) == [4]
    assert part(("1", "Test")) == [4, 7]
    assert part(("0", "Ann")) == [9]
    [(number, error)] = part(("y", "Ann"))  # int('y') fails: the rule's own number
    assert number == 9 and isinstance(error, Exception)
    assert "# [7] P.A.02 on name" in source
