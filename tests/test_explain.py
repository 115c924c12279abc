"""explain_rule: the value of every sub-expression of a rule on one record, and the verdict."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from lrsrules.authoring.explain import (
    NOT_EVALUATED,
    Step,
    TargetExplanation,
    explain_code,
    explain_rule,
)
from lrsrules.errors import EngineError
from lrsrules.lang.compiler import target_blocks
from lrsrules.packs.loader import load_pack
from lrsrules.report.explanation import describe_constant, format_explanation, shown_value
from lrsrules.run.program import CompiledPack, compile_pack

TODAY = dt.date(2026, 6, 15)
PACK = """\
pack: ex
version: 1.0.0
fields:
  name: {aliases: [Name]}
  surname: {aliases: [Surname]}
  dob: {aliases: [DOB]}
  count: {aliases: [Count]}
lists:
  genuine: [smith-test]
  banned: [test]
rules:
  - id: EX.NAME.01
    field: name
    severity: error
    check: len(name) <= 5
    message: Name is too long
  - id: EX.SURNAME.01
    field: surname
    severity: error
    check: not contains_word(surname, @banned)
    unless: lower(surname) in @genuine
    message: Surname is a placeholder
  - id: EX.DOB.01
    field: dob
    severity: warning
    when: is_date(dob)
    check: years_between(date(dob), today()) >= 14
    message: Under 14
  - id: EX.COUNT.01
    field: count
    severity: error
    when: present(count) and int(count) > 3
    check: int(count) < 10
    message: Count out of range
  - id: EX.BOTH.01
    field: [name, surname]
    severity: info
    check: upper(value) != value or field_name == 'surname'
    message: Written in capitals
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> CompiledPack:
    path = tmp_path_factory.mktemp("explain") / "ex.yaml"
    path.write_text(PACK, "utf-8")
    return compile_pack(load_pack(path), today=TODAY)


def explain(compiled: CompiledPack, rule: str,
            record: Mapping[str, str | None]) -> list[TargetExplanation]:
    values = tuple(record.get(name) for name in compiled.fields)
    return explain_rule(compiled, rule, values, today=TODAY)


def steps(item: TargetExplanation, role: str) -> list[tuple[int, str, str]]:
    return [(s.depth, s.text, shown_value(s)) for s in dict(item.conditions)[role]]


def test_a_rule_that_fires_shows_every_sub_expression_with_text_masked(
        compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.NAME.01", {"name": "Alexander"})
    assert (item.verdict, item.reason) == ("fires", "its check is false")
    assert steps(item, "check") == [
        (0, "len(name) <= 5", "false"),
        (1, "len(name)", "9"),
        (2, "name", "<text, 9 chars>"),
    ]


def test_show_values_shows_text_from_the_record(compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.NAME.01", {"name": "Alexander"})
    text = format_explanation([item], show_values=True)
    assert "name  ->  'Alexander'" in text
    assert "Alexander" not in format_explanation([item])


def test_an_unless_that_holds_excuses_the_rule(compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.SURNAME.01", {"surname": "Smith-Test"})
    assert (item.verdict, item.reason) == (
        "excused", "its check is false, but its unless is true")
    assert steps(item, "unless") == [
        (0, "lower(surname) in @genuine", "true"),
        (1, "lower(surname)", "<text, 10 chars>"),
        (2, "surname", "<text, 10 chars>"),
    ]


def test_a_check_that_holds_leaves_the_unless_unevaluated(compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.SURNAME.01", {"surname": "Smith"})
    assert item.verdict == "passes"
    assert steps(item, "unless") == [(0, "lower(surname) in @genuine", "(not evaluated)")]


def test_a_false_when_skips_the_rule_and_its_check(compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.DOB.01", {"dob": "2010-02-30"})
    assert (item.verdict, item.reason) == ("skipped", "its when is false")
    assert steps(item, "check")[0][2] == "(not evaluated)"


def test_dates_from_the_record_are_masked_and_ages_are_shown(compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.DOB.01", {"dob": "2015-01-01"})
    assert item.verdict == "fires"
    assert steps(item, "check") == [
        (0, "years_between(date(dob), today()) >= 14", "false"),
        (1, "years_between(date(dob), today())", "11"),
        (2, "date(dob)", "<date>"),
        (3, "dob", "<text, 10 chars>"),
        (2, "today()", "2026-06-15"),
    ]


def test_a_blank_field_gives_a_null_check_and_no_finding(compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.NAME.01", {})
    assert (item.verdict, item.reason) == (
        "passes", "its check is null (a blank value gives no finding)")
    assert steps(item, "check")[-1] == (2, "name", "null")


def test_the_right_operand_of_a_deciding_and_is_not_evaluated(compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.COUNT.01", {})
    assert steps(item, "when") == [
        (0, "present(count) and int(count) > 3", "false"),
        (1, "present(count)", "false"),
        (2, "count", "null"),
        (1, "int(count) > 3", "(not evaluated)"),
    ]


def test_a_rule_that_cannot_be_evaluated_says_why_and_numbers_read_from_text_are_masked(
        compiled: CompiledPack) -> None:
    [item] = explain(compiled, "EX.COUNT.01", {"count": "12abc"})
    assert item.verdict == "error"
    assert "could not be evaluated" in item.reason
    assert steps(item, "when")[3][2].startswith("error: ")
    [item] = explain(compiled, "EX.COUNT.01", {"count": "12"})
    assert item.verdict == "fires"
    assert (1, "int(count)", "<number>") in steps(item, "check")


def test_a_rule_on_several_fields_is_explained_once_per_field(compiled: CompiledPack) -> None:
    found = explain(compiled, "EX.BOTH.01", {"name": "BO", "surname": "SMITH"})
    assert [(item.target.field, item.verdict) for item in found] == [
        ("name", "fires"), ("surname", "passes")]
    name_steps = steps(found[0], "check")
    assert (2, "value (name)", "<text, 2 chars>") in name_steps
    assert (2, "field_name (name)", "'name'") in name_steps  # not personal data
    text = format_explanation(found)
    assert "field name: fires" in text and "field surname: passes" in text


def test_the_verdict_agrees_with_the_compiled_pack_on_many_records(
        compiled: CompiledPack) -> None:
    records = [{"name": n, "surname": s, "dob": d, "count": c}
               for n in (None, "Bo", "ALEXANDER") for s in (None, "Test", "Smith-Test")
               for d in (None, "2000-01-01", "2020-01-01", "x") for c in (None, "5", "50")]
    for record in records:
        values = tuple(record.get(name) for name in compiled.fields)
        hits = {hit if isinstance(hit, int) else hit[0] for hit in compiled.check(values)}
        for rule in ("EX.NAME.01", "EX.SURNAME.01", "EX.DOB.01", "EX.COUNT.01", "EX.BOTH.01"):
            for item in explain(compiled, rule, record):
                fired = compiled.targets.index(item.target) in hits
                assert fired == (item.verdict in ("fires", "error")), (rule, record)


def test_an_unknown_rule_names_the_closest_id(compiled: CompiledPack) -> None:
    with pytest.raises(EngineError) as raised:
        explain(compiled, "EX.NAME.1", {})
    assert str(raised.value).endswith(
        "pack ex has no rule 'EX.NAME.1'; did you mean 'EX.NAME.01'?")


def test_shown_values_cover_every_kind() -> None:
    def show(value: object, from_record: bool = True, show: bool = False) -> str:
        return shown_value(Step(0, "x", value, from_record), show)

    assert show(NOT_EVALUATED) == "(not evaluated)"
    assert show(ZeroDivisionError()) == "error: division by zero"
    assert show(None) == "null"
    assert show(True) == "true"
    assert show(7) == "7"
    assert show("a") == "<text, 1 char>"
    assert show("a", from_record=False) == "'a'"
    assert show(dt.date(2000, 1, 2)) == "<date>"
    assert show(dt.date(2000, 1, 2), show=True) == "2000-01-02"
    assert show(("a", "b")) == "<list, 2 entries>"
    assert show("x" * 100, show=True).endswith("...")


def test_the_bundled_pack_can_be_explained(tmp_path: Path) -> None:
    compiled = compile_pack(load_pack(), today=TODAY)
    values = tuple("1000000042" if name == "uln" else None for name in compiled.fields)
    [item] = explain_rule(compiled, "CDD.ULN.02", values, today=TODAY)
    assert item.verdict == "fires"


# -- the generated code of a rule ---------------------------------------------------------


def test_the_code_of_a_rule_is_its_targets_blocks_in_order(compiled: CompiledPack) -> None:
    explained = explain_code(compiled, "EX.BOTH.01")
    headers = [line for line in explained.code.splitlines() if line.startswith("#")]
    assert headers == ["# [4] EX.BOTH.01 on name", "# [5] EX.BOTH.01 on surname"]
    compile(explained.code, "<excerpt>", "exec")  # dedented whole: still Python
    assert [field for _, _, field in explained.fields] == ["name", "surname"]
    assert explained.constants == ()


def test_the_code_of_a_rule_names_the_constants_it_reads(compiled: CompiledPack) -> None:
    explained = explain_code(compiled, "EX.DOB.01")
    names = [name for name, _ in explained.constants]
    assert "_today" in names and all(name.startswith("_") for name in names)
    assert dict(explained.constants)["_today"] == TODAY
    assert explained.shares  # is_date(dob) and date(dob) share one parse
    described = [describe_constant(value) for _, value in explained.constants]
    assert any(d.startswith("lrsrules.dates.parse_iso_date") for d in described)


def test_the_whole_packs_code_is_its_source(compiled: CompiledPack) -> None:
    explained = explain_code(compiled)
    assert explained.code == compiled.source
    assert explained.fields == ()  # the source's first line unpacks them
    assert "_check" not in dict(explained.constants)


def test_every_target_has_a_block(compiled: CompiledPack) -> None:
    blocks = target_blocks(compiled.source)
    assert sorted(blocks) == list(range(len(compiled.targets)))
    # Each block whole: from its comment to its except (the targets that read one field
    # alone are checked in a function of their own, before the check function).
    for index, block in blocks.items():
        assert block in compiled.source
        assert block.startswith(f"    # [{index}] ")
        assert block.endswith(f"        hits.append(({index}, exc))\n")


def test_the_code_of_an_unknown_rule_is_an_error(compiled: CompiledPack) -> None:
    with pytest.raises(EngineError, match=re.escape("did you mean 'EX.NAME.01'")):
        explain_code(compiled, "EX.NAME.1")


def test_constants_are_described_as_python() -> None:
    assert describe_constant(re.compile("[0-9]+").fullmatch) == "re.compile('[0-9]+').fullmatch"
    assert describe_constant(frozenset({"b", "a"})) == "frozenset of 2: 'a', 'b'"
    assert describe_constant(("x",)) == "tuple of 1: 'x'"
    assert describe_constant(dt.date(2026, 1, 2)) == "datetime.date(2026, 1, 2)"
    assert describe_constant(shown_value) == "lrsrules.report.explanation.shown_value"
