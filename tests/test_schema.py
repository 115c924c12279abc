"""Shape check of pack files: every problem, worded for authors, at its YAML location."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from lrsrules.errors import Problem
from lrsrules.packs.discovery import NOT_PACKS
from lrsrules.packs.schema import check_pack_shape
from lrsrules.packs.yamlsource import load_yaml

PACKS = Path(__file__).parent / "packs"

HEAD = """
pack: ex
version: 1.0.0
fields:
  name: {aliases: [Name]}
"""


def check(tmp_path: Path, text: str, head: str = HEAD) -> list[Problem]:
    path = tmp_path / "pack.yaml"
    body = textwrap.dedent(head).lstrip("\n") + textwrap.dedent(text).lstrip("\n")
    path.write_text(body, encoding="utf-8")
    return check_pack_shape(load_yaml(path))


def found(problems: list[Problem]) -> list[tuple[int | None, int | None, str]]:
    return [(p.location.line, p.location.column, p.message) for p in problems]


def schema() -> dict[str, Any]:
    source = resources.files("lrsrules.packs").joinpath("schemas/pack.schema.json")
    loaded: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return loaded


def properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}/{name}", sub
        for key, sub in node.items():
            yield from properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for sub in node:
            yield from properties(sub, where)


def test_the_schema_is_valid_draft_2020_12_with_an_id() -> None:
    Draft202012Validator.check_schema(schema())
    assert schema()["$id"] == "https://lrsrules.example/schemas/pack.schema.json"


def test_every_property_has_a_title_and_a_description() -> None:
    for where, sub in properties(schema()):
        assert sub.get("title") and sub.get("description"), where


def test_every_object_rejects_unknown_keys() -> None:
    def objects(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            kinds = node.get("type", [])
            if "object" in ([kinds] if isinstance(kinds, str) else kinds):
                yield node
            for sub in node.values():
                yield from objects(sub)
        elif isinstance(node, list):
            for sub in node:
                yield from objects(sub)

    for node in objects(schema()):
        assert "additionalProperties" in node, node.get("title")
    assert schema()["$defs"]["rule"]["additionalProperties"] is False


def test_the_example_pack_and_the_bundled_packs_have_the_right_shape() -> None:
    bundled = Path(str(resources.files("lrsrules.rulepacks")))
    packs = [p for p in sorted(bundled.glob("*/*.yaml")) if p.parent.name not in NOT_PACKS]
    files = [PACKS / "example" / "example.yaml", *packs]
    assert len(files) > 1
    for path in files:
        assert check_pack_shape(load_yaml(path)) == [], path


def test_a_minimal_pack_has_no_problems(tmp_path: Path) -> None:
    assert check(tmp_path, "", head="pack: ex\nversion: 0.1.0-beta.1\n") == []


def test_unknown_rule_key_is_reported_at_the_key_with_a_suggestion(tmp_path: Path) -> None:
    problems = check(
        tmp_path,
        """
        rules:
          - id: EX.NAME.01
            field: name
            severity: error
            check: present(name)
            chekc: len(name) < 3
            message: m
        """,
    )
    assert found(problems) == [
        (
            10,
            5,
            "unknown key 'chekc' in rule EX.NAME.01; expected one of: aliases, casefold,"
            " check, doc, enforced_by, field, fix, id, message, provenance, severity, since,"
            " tags, unique, unless, until, when",
        )
    ]
    assert problems[0].hint == "did you mean 'check'?"


def test_unknown_top_level_and_field_keys_are_each_reported(tmp_path: Path) -> None:
    problems = check(tmp_path, "rule: []\nlist: {}\n", head=HEAD + "  kind: {alias: [Kind]}\n")
    assert found(problems) == [
        (5, 10, "unknown key 'alias' in field kind; expected one of: aliases, description, format"),
        (
            6,
            1,
            "unknown key 'rule' in the pack; expected one of: description, extends, fields,"
            " include, lists, overrides, pack, rules, title, version",
        ),
        (7, 1, found(problems)[2][2]),
    ]
    assert [p.hint for p in problems] == [
        "did you mean 'aliases'?",
        "did you mean 'rules'?",
        "did you mean 'lists'?",
    ]


def test_a_missing_required_key_is_reported_at_the_rule(tmp_path: Path) -> None:
    problems = check(
        tmp_path,
        """
        rules:
          - id: EX.NAME.01
            field: name
            severity: error
            message: m
          - field: name
            severity: error
            check: present(name)
        """,
    )
    assert found(problems) == [
        (6, 5, "rule EX.NAME.01 has no 'check'"),
        (10, 5, "rule 2 has no 'id'"),
        (10, 5, "rule 2 has no 'message'"),
    ]


def test_a_pack_without_name_or_version_says_so(tmp_path: Path) -> None:
    problems = check(tmp_path, "title: t\n", head="")
    assert found(problems) == [
        (1, 1, "the pack has no 'pack'"),
        (1, 1, "the pack has no 'version'"),
    ]


def test_a_bad_severity_lists_the_choices(tmp_path: Path) -> None:
    problems = check(
        tmp_path,
        "rules:\n  - {id: EX.A.1, field: name, severity: fatal, check: a, message: m}\n",
    )
    assert found(problems) == [(6, 41, "severity must be one of error, warning, info, not 'fatal'")]


@pytest.mark.parametrize("version", ["1.0", "1", "v1.0.0", "1.0.0.0", "01.0.0", "'1.0'"])
def test_a_version_that_is_not_semantic_asks_for_text(tmp_path: Path, version: str) -> None:
    problems = check(tmp_path, "", head=f"pack: ex\nversion: {version}\n")
    assert found(problems) == [
        (
            2,
            10,
            "version must be a semantic version like 1.0.0"
            " (write it as text: quote it if YAML reads it as a number)",
        )
    ]


def test_type_errors_name_the_expected_type_in_plain_words(tmp_path: Path) -> None:
    problems = check(
        tmp_path,
        """
        lists:
          words: banned
        rules:
          - id: EX.A.1
            field: name
            severity: error
            check: [a]
            message: 12
            tags: names
        """,
        head=HEAD + "  kind: {aliases: Kind}\n",
    )
    assert found(problems) == [
        (5, 19, "aliases of field kind must be a list, not the text 'Kind'"),
        (7, 10, "list words must be a list or a mapping (key: value lines), not the text 'banned'"),
        (12, 12, "check must be text, true or false or a number, not a list"),
        (13, 14, "message must be text, not the number 12"),
        (14, 11, "tags must be a list, not the text 'names'"),
    ]
    assert problems[3].hint == "quote it if YAML reads it as a number or true/false"


def test_expressions_may_be_bare_booleans_or_numbers_and_list_entries_any_scalar(
    tmp_path: Path,
) -> None:
    problems = check(
        tmp_path,
        """
        lists:
          codes: [0, 01, true, 1.5, text]
        rules:
          - {id: EX.A.1, field: name, severity: info, when: true, check: 1, message: m}
        """,
    )
    assert problems == []


def test_names_ids_and_pack_names_must_follow_their_patterns(tmp_path: Path) -> None:
    problems = check(
        tmp_path,
        """
          Full Name: {}
        lists:
          Bad-List: [a]
        rules:
          - {id: ex.name.1, field: Name, severity: info, check: a, message: m}
          - {id: EX, field: [name, Kind], severity: info, check: a, message: m}
        """,
        head="pack: Example_Pack\nversion: 1.0.0\nfields:\n",
    )
    snake = "snake_case: a lowercase letter, then lowercase letters, digits or underscores"
    assert found(problems) == [
        (
            1,
            7,
            "pack name must be lowercase letters and digits joined by hyphens, like lrs-default,"
            " not 'Example_Pack'",
        ),
        (4, 3, f"field name must be {snake}, not 'Full Name'"),
        (6, 3, f"list name must be {snake}, not 'Bad-List'"),
        (8, 10, "id must be uppercase dotted segments like CDD.GIVENNAME.01, not 'ex.name.1'"),
        (8, 28, f"field must be {snake}, not 'Name'"),
        (9, 10, "id must be uppercase dotted segments like CDD.GIVENNAME.01, not 'EX'"),
        (9, 28, f"field entry 2 of rule EX must be {snake}, not 'Kind'"),
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("field: []", "field must not be empty"),
        ("field: [name, name]", "field lists 'name' twice"),
        ("check: ''", "check must not be empty"),
        ("message: ''", "message must not be empty"),
    ],
)
def test_empty_and_repeated_values_are_reported(tmp_path: Path, rule: str, message: str) -> None:
    base = {"id": "EX.A.1", "field": "name", "severity": "info", "check": "a", "message": "m"}
    key = rule.split(":")[0]
    others = "".join(f"    {k}: {v}\n" for k, v in base.items() if k != key)
    problems = check(tmp_path, f"rules:\n  - {rule}\n{others}")
    assert [p.message for p in problems] == [message]


def test_a_null_field_definition_is_allowed_but_a_text_one_is_not(tmp_path: Path) -> None:
    assert check(tmp_path, "", head=HEAD + "  note:\n  other: {}\n") == []
    problems = check(tmp_path, "", head=HEAD + "  note: a note\n")
    assert [p.message for p in problems] == [
        "field note must be a mapping (key: value lines) or empty, not the text 'a note'"
    ]


def test_all_problems_are_reported_sorted_by_line(tmp_path: Path) -> None:
    problems = check(
        tmp_path,
        """
        rules:
          - {id: EX.B.1, field: name, severity: bad, check: a, message: m}
          - {id: EX.A.1, field: name, severity: info, message: m, extra: 1}
        """,
        head="pack: ex\nversion: 1\n",
    )
    assert [p.location.line for p in problems] == [2, 4, 5, 5]
    assert len({p.message for p in problems}) == 4


def test_enforced_by_is_one_of_lrs_ilr_quality(tmp_path: Path) -> None:
    rule = """
        rules:
          - id: EX.NAME.01
            field: name
            severity: error
            check: present(name)
            message: m
            enforced_by: {by}
        """
    assert check(tmp_path, rule.format(by="lrs")) == []
    problems = check(tmp_path, rule.format(by="ofsted"))
    assert [(line, "enforced_by" in text or "lrs" in text) for line, _, text in found(problems)] \
        == [(11, True)]
