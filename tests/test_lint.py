"""lint_packs: every problem in packs at once, and warnings about likely mistakes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lrsrules.authoring.diagnostics import Diagnostic
from lrsrules.authoring.lint import LintReport, lint_packs
from lrsrules.errors import PackError

FIELDS = """\
pack: fields
version: 1.0.0
fields:
  name: {aliases: [Name]}
  kind: {aliases: [Kind]}
"""

# One rule, tested both ways: a clean pack.
CLEAN = """\
pack: clean
version: 1.0.0
include: [../fields]
rules:
  - id: C.NAME.01
    field: name
    severity: error
    check: len(name) <= 5
    message: too long
"""

CLEAN_TESTS = """\
cases:
  - {name: long, record: {Name: Alexander}, expect: [C.NAME.01]}
  - {name: short, record: {Name: Bo}, expect: []}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


@pytest.fixture()
def packs(tmp_path: Path) -> Path:
    write(tmp_path, "fields/fields.yaml", FIELDS)
    write(tmp_path, "clean/clean.yaml", CLEAN)
    write(tmp_path, "clean/tests/cases.yaml", CLEAN_TESTS)
    return tmp_path


def found(report: LintReport) -> list[tuple[str, str, int | None, int | None, str]]:
    return [(d.code, Path(d.location.file or "").name, d.location.line, d.location.column,
             d.problem.message) for d in report.diagnostics]


def never(report: LintReport) -> list[Diagnostic]:
    """The never-applies and never-fires warnings (rules without tests warn too)."""
    return [d for d in report.diagnostics if d.code.startswith("never")]


def codes(report: LintReport) -> list[str]:
    return [d.code for d in report.diagnostics]


def test_a_clean_pack_and_its_include_give_no_diagnostics(packs: Path) -> None:
    report = lint_packs([packs / "clean"])
    assert report.diagnostics == ()
    assert [Path(f).name for f in report.files] == ["fields.yaml", "clean.yaml"]


def test_the_bundled_packs_are_clean() -> None:
    report = lint_packs(["lrs-default"])
    assert [d.format() for d in report.diagnostics] == []
    assert len(report.files) == 7


def test_schema_errors_and_expression_errors_of_valid_rules_are_reported_together(
        packs: Path) -> None:
    path = write(packs, "mixed/mixed.yaml", """\
        pack: mixed
        version: 1.0
        include: [../fields]
        rules:
          - id: M.NAME.01
            field: name
            severity: fatal
            check: len(nmae) <= 5
            message: shape error hides nothing but this rule
          - id: M.NAME.02
            field: name
            severity: error
            check: len(nmae) <= 5
            message: unknown field
          - id: M.KIND.01
            field: kind
            severity: error
            check: kind == 1 or
            message: syntax error
        """)
    report = lint_packs([path])
    assert found(report) == [
        ("schema", "mixed.yaml", 2, 10, "version must be a semantic version like 1.0.0 (write "
         "it as text: quote it if YAML reads it as a number)"),
        ("schema", "mixed.yaml", 7, 15,
         "severity must be one of error, warning, info, not 'fatal'"),
        ("expression", "mixed.yaml", 13, 16, "unknown field 'nmae'; did you mean 'name'?"),
        ("expression", "mixed.yaml", 18, 24, "the expression ends too early; expected '(', "
         "'-', '@', '[', 'false', 'not', ..."),
    ]
    assert all(d.severity == "error" for d in report.diagnostics)


def test_every_expression_error_of_every_rule_is_reported(packs: Path) -> None:
    path = write(packs, "exprs/exprs.yaml", """\
        pack: exprs
        version: 1.0.0
        include: [../fields]
        rules:
          - id: E.KIND.01
            field: kind
            severity: error
            when: present(knid)
            check: kind == 1
            unless: kind in @kinds
            message: three problems
        """)
    report = lint_packs([path])
    assert [(line, message) for _, _, line, _, message in found(report)] == [
        (8, "unknown field 'knid'; did you mean 'kind'?"),
        (9, "'==' compares text with a number"),
        (10, "unknown list '@kinds'"),
    ]


def test_rules_are_checked_against_readable_fields_when_an_include_is_broken(
        packs: Path) -> None:
    write(packs, "fields/fields.yaml", FIELDS + "  spare: {colour: red}\n")
    report = lint_packs([packs / "clean"])
    assert found(report) == [
        ("schema", "fields.yaml", 6, 11,
         "unknown key 'colour' in field spare; expected one of: aliases, description, format"),
    ]  # len(name) is still checked, and name is known: no knock-on error


def test_an_include_that_cannot_be_found_points_at_its_entry(packs: Path) -> None:
    path = write(packs, "lost/lost.yaml", """\
        pack: lost
        version: 1.0.0
        include: [../fields, ../nowhere]
        rules:
          - {id: L.NAME.01, field: name, severity: error, check: present(nmae), message: m}
        """)
    report = lint_packs([path])
    assert [(code, line, column) for code, _, line, column, _ in found(report)] == [
        ("pack", 3, 22), ("expression", 5, 66)]


def test_a_yaml_error_is_reported_once_with_its_place(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "pack: broken\nversion: [1.0.0\n")
    report = lint_packs([path])
    assert codes(report) == ["yaml"]
    assert report.diagnostics[0].location.line is not None


def test_a_folder_whose_pack_file_is_not_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    write(tmp_path, "p/p.yaml", "pack: p\nversion: [1.0.0\n")
    assert codes(lint_packs([tmp_path / "p"])) == ["yaml"]


def test_a_reference_to_no_pack_at_all_raises(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no pack file or folder"):
        lint_packs([tmp_path / "nothing-here"])


def test_loader_problems_such_as_duplicate_ids_are_reported(packs: Path) -> None:
    path = write(packs, "dup/dup.yaml", """\
        pack: dup
        version: 1.0.0
        include: [../clean]
        rules:
          - {id: C.NAME.01, field: name, severity: error, check: present(name), message: m}
        """)
    report = lint_packs([path])
    assert [(code, name, line) for code, name, line, _, _ in found(report)] == [
        ("pack", "dup.yaml", 5)]


def test_an_include_shared_by_two_packs_is_reported_once(packs: Path) -> None:
    write(packs, "fields/fields.yaml", FIELDS + "lists:\n  unused: [a]\nrules:\n"
          "  - {id: F.NAME.01, field: name, severity: error, check: present(nmae), message: m}\n")
    report = lint_packs([packs / "clean", packs / "fields", packs / "clean"])
    assert codes(report) == ["expression"]
    assert len(report.files) == 2


@pytest.mark.parametrize("when", ["'false'", "not true", "present(name) and false",
                                  "false or null", "'null'", "field_name == 'kind'"])
def test_a_when_that_is_always_false_or_null_warns_that_the_rule_never_applies(
        packs: Path, when: str) -> None:
    path = write(packs, "never/never.yaml", f"""\
        pack: never
        version: 1.0.0
        include: [../fields]
        rules:
          - id: N.NAME.01
            field: name
            severity: error
            when: {when}
            check: len(name) <= 5
            message: m
        """)
    found = never(lint_packs([path]))
    assert [(d.code, d.severity, d.location.line) for d in found] == [
        ("never-applies", "warning", 8)]
    assert found[0].problem.message.startswith("rule N.NAME.01 can never apply")


@pytest.mark.parametrize(("condition", "message"), [
    ("check: true", "its check is always true"),
    ("check: present(name) or true", "its check is always true"),
    ("check: len(name) < 3\n    unless: true", "its unless is always true"),
])
def test_a_check_always_true_or_an_unless_always_true_warns_that_the_rule_never_fires(
        packs: Path, condition: str, message: str) -> None:
    path = write(packs, "never/never.yaml", f"""\
pack: never
version: 1.0.0
include: [../fields]
rules:
  - id: N.NAME.01
    field: name
    severity: error
    {condition}
    message: m
""")
    found = never(lint_packs([path]))
    assert [d.code for d in found] == ["never-fires"]
    assert found[0].problem.message == f"rule N.NAME.01 never fires: {message}"


@pytest.mark.parametrize("when", ["present(name)", "today() > date('2000-01-01')",
                                  "field_name == 'name'", "present(name) or false"])
def test_conditions_that_depend_on_the_record_or_the_date_give_no_warning(
        packs: Path, when: str) -> None:
    path = write(packs, "dep/dep.yaml", f"""\
        pack: dep
        version: 1.0.0
        include: [../fields]
        rules:
          - {{id: D.NAME.01, field: [name, kind], severity: error, when: "{when}",
              check: len(value) <= 5, message: m}}
        """)
    assert never(lint_packs([path])) == []


def test_unused_lists_and_fields_of_the_pack_file_itself_warn(packs: Path) -> None:
    write(packs, "clean/clean.yaml", CLEAN + textwrap.dedent("""\
        fields:
          spare: {aliases: [Spare]}
        lists:
          unused: [a, b]
        """))
    report = lint_packs([packs / "clean"])
    assert [(code, line, message) for code, _, line, _, message in found(report)] == [
        ("unused-field", 11, "field spare is read by no rule of pack clean"),
        ("unused-list", 13, "list unused is used by no rule of pack clean"),
    ]  # kind, defined by the included pack fields and read by no rule, is not named


def test_a_pack_of_definitions_without_rules_has_no_unused_warnings(packs: Path) -> None:
    write(packs, "fields/fields.yaml", FIELDS + "lists:\n  kinds: [a]\n")
    assert lint_packs([packs / "fields"]).diagnostics == ()


def test_rules_without_tests_warn_as_lrsrules_test_counts(packs: Path) -> None:
    write(packs, "clean/tests/cases.yaml", "cases:\n"
          "  - {name: long, record: {Name: Alexander}, expect: [C.NAME.01]}\n")
    report = lint_packs([packs / "clean"])
    assert found(report) == [
        ("untested-rule", "clean.yaml", 5, 9,
         "rule C.NAME.01 is not tested: no case where it is evaluated and passes"),
    ]
    assert report.diagnostics[0].severity == "warning"


def test_a_broken_test_file_is_an_error(packs: Path) -> None:
    write(packs, "clean/tests/cases.yaml", "cases:\n"
          "  - {name: x, record: {Nmae: Bo}, expect: []}\n")
    report = lint_packs([packs / "clean"])
    assert codes(report) == ["tests"]
    assert report.errors and not report.warnings


def test_diagnostics_are_sorted_by_file_and_place(packs: Path) -> None:
    path = write(packs, "order/order.yaml", """\
        pack: order
        version: 1.0.0
        include: [../fields]
        lists: {unused: [a]}
        rules:
          - {id: O.NAME.01, field: name, severity: error, check: present(nmae), message: m}
          - {id: O.NAME.02, field: nmae, severity: error, check: "true", message: m}
        """)
    report = lint_packs([path])
    places = [(d.location.file, d.location.line or 0, d.location.column or 0)
              for d in report.diagnostics]
    assert places == sorted(places)


def test_an_includer_that_defines_what_an_included_rule_lacks_is_checked_in_its_own_scope(
        packs: Path) -> None:
    # C.NAME.01 reads a field only the includer defines: an error in clean, whose file
    # reports it, but sound in outer, so outer still gets the warnings of a sound pack.
    write(packs, "clean/clean.yaml", CLEAN.replace("len(name) <= 5", "present(extra)"))
    write(packs, "outer/outer.yaml", """\
        pack: outer
        version: 1.0.0
        include: [../clean]
        fields:
          extra: {aliases: [Extra]}
          spare: {aliases: [Spare]}
        """)
    report = lint_packs([packs / "outer"])
    assert [(code, name, message) for code, name, _, _, message in found(report)] == [
        ("expression", "clean.yaml", "unknown field 'extra'"),
        ("unused-field", "outer.yaml", "field spare is read by no rule of pack outer"),
    ]
