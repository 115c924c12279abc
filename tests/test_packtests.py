"""Pack regression cases: loading case files, running them, and measuring rule coverage."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from lrsrules.authoring.packtests import (
    PackTestReport,
    discover_test_files,
    include_tree,
    load_case_file,
    load_case_files,
    run_cases,
    run_pack_tests,
)
from lrsrules.errors import PackError
from lrsrules.packs.loader import load_pack
from lrsrules.run.program import compile_pack

FIXTURES = Path(__file__).parent / "packtests"
PACKS = Path(__file__).parent / "packs"

PACK = """\
pack: tp
version: 1.0.0
fields:
  given_name: {aliases: [GivenName, Forename]}
  uln: {aliases: [ULN]}
  gender: {aliases: [Gender, Sex]}
  note: {aliases: [Note]}
  date_of_birth: {aliases: [DOB]}
rules:
  - id: T.ULN.01
    field: uln
    severity: error
    check: uln matches '[1-9][0-9]{9}'
    message: ULN must be 10 digits
  - id: T.GENDER.01
    field: gender
    severity: error
    when: present(given_name)
    check: gender in ['1', '2']
    message: Gender must be 1 or 2
  - id: T.NOTE.01
    field: note
    severity: error
    check: int(note) > 0
    message: Note must be a positive number
  - id: T.AGE.01
    field: date_of_birth
    severity: warning
    check: years_between(date(date_of_birth), today()) >= 16
    message: Learner is younger than 16
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def pack_with(tmp_path: Path, cases: str, name: str = "cases.yaml", pack: str = PACK) -> Path:
    """A pack file in ``tmp_path`` with ``cases`` as one file of its tests folder."""
    write(tmp_path / "tests" / name, cases)
    return write(tmp_path / "tp.yaml", pack)


def report_of(tmp_path: Path, cases: str) -> PackTestReport:
    return run_pack_tests(pack_with(tmp_path, cases))


def problems_of(tmp_path: Path, cases: str) -> list[tuple[int | None, int | None, str]]:
    pack = pack_with(tmp_path, cases)
    with pytest.raises(PackError) as caught:
        load_case_file(tmp_path / "tests" / "cases.yaml", load_pack(pack))
    return [(p.location.line, p.location.column, p.message) for p in caught.value.problems]


def test_a_case_passes_when_exactly_the_expected_rules_fire(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: bad ULN
            record: {ULN: "123"}
            expect: [T.ULN.01]
          - name: good ULN
            record: {ULN: "1000000043"}
            expect: []
        """)
    assert [result.passed for result in report.results] == [True, True]
    assert report.results[0].found == {"T.ULN.01"}


def test_a_rule_expected_but_not_firing_is_reported_missing(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: good ULN said to be bad
            record: {ULN: "1000000043"}
            expect: [T.ULN.01]
        """)
    (result,) = report.failures
    assert result.missing == {"T.ULN.01"}
    assert not result.unexpected
    assert "missing:    T.ULN.01" in result.explain()


def test_a_rule_firing_unexpectedly_is_reported_unexpected(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: bad ULN said to be clean
            record: {ULN: "12"}
            expect: []
        """)
    (result,) = report.failures
    assert result.unexpected == {"T.ULN.01"}
    assert result.explain() == [
        "expected:   (none)",
        "found:      T.ULN.01",
        "unexpected: T.ULN.01",
        "record:     uln='12'",
    ]


def test_failing_case_knows_the_line_of_its_file(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: fine
            record: {ULN: "1000000043"}
            expect: []
          - name: broken
            record: {ULN: "12"}
            expect: []
        """)
    (result,) = report.failures
    location = result.case.location
    assert (Path(location.file or "").name, location.line, location.column) == (
        "cases.yaml", 5, 5)


def test_base_values_are_merged_under_every_case_and_case_values_win(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        base:
          Forename: Sample
          Gender: 1
        cases:
          - name: base only
            expect: []
          - name: case overrides gender
            record: {Sex: 3}
            expect: [T.GENDER.01]
          - name: case blanks the given name
            record: {GivenName: ~, Sex: 3}
            expect: []
        """)
    values = [result.case.values for result in report.results]
    assert values == [
        {"given_name": "Sample", "gender": "1"},
        {"given_name": "Sample", "gender": "3"},
        {"given_name": None, "gender": "3"},
    ]
    assert report.passed is False  # coverage is incomplete, but every case passes
    assert not report.failures


def test_values_keep_the_text_written_in_the_yaml(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: as written
            record: {ULN: 1000000043, Gender: 01, Note: 1.50, Forename: true, DOB: 2010-01-02}
            expect: []
        """)
    assert report.results[0].case.values == {
        "uln": "1000000043", "gender": "01", "note": "1.50", "given_name": "true",
        "date_of_birth": "2010-01-02",
    }


def test_null_empty_and_all_space_values_are_blank(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: blanks
            record: {ULN: ~, Gender: null, Note: "", Forename: "   ", DOB:}
            expect: []
        """)
    values = report.results[0].case.values
    assert set(values) == {"uln", "gender", "note", "given_name", "date_of_birth"}
    assert set(values.values()) == {None}


def test_quoted_null_is_text_not_blank(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: the word null
            record: {Forename: "null"}
            expect: []
        """)
    assert report.results[0].case.values == {"given_name": "null"}


def test_record_keys_match_fields_as_input_headings_do(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: headings in many spellings
            record: {given name: A, U-L-N: "1000000043", SEX: 1, date_of_birth: ~}
            expect: []
        """)
    assert set(report.results[0].case.values) == {"given_name", "uln", "gender", "date_of_birth"}


def test_a_key_matching_no_field_is_an_error_at_the_key_with_a_suggestion(
    tmp_path: Path,
) -> None:
    assert problems_of(tmp_path, """
        cases:
          - name: typo
            record: {ULN: "1000000043", Gendre: 1}
            expect: []
        """) == [(3, 33, "'Gendre' matches no field of pack tp; did you mean 'Gender'?")]


def test_a_key_in_base_matching_no_field_is_reported_once(tmp_path: Path) -> None:
    assert problems_of(tmp_path, """
        base: {Colour: blue}
        cases:
          - {name: one, expect: []}
          - {name: two, expect: []}
        """) == [(1, 8, "'Colour' matches no field of pack tp")]


def test_two_keys_matching_one_field_are_an_error_at_the_second(tmp_path: Path) -> None:
    assert problems_of(tmp_path, """
        cases:
          - name: twice
            record:
              ULN: "1000000043"
              uln: "1000000043"
            expect: []
        """) == [(5, 7, "keys 'ULN' and 'uln' both match field uln")]


def test_an_unknown_expected_rule_id_is_an_error_at_the_item_with_did_you_mean(
    tmp_path: Path,
) -> None:
    assert problems_of(tmp_path, """
        cases:
          - name: typo
            record: {ULN: "1"}
            expect: [T.ULN.01, T.ULM.01, X.Y]
        """) == [
        (4, 24, "unknown rule id 'T.ULM.01'; did you mean 'T.ULN.01'?"),
        (4, 34, "unknown rule id 'X.Y': pack tp has no such rule"),
    ]


def test_a_case_without_name_or_expect_is_reported_at_the_case(tmp_path: Path) -> None:
    assert problems_of(tmp_path, """
        cases:
          - record: {ULN: "1"}
            expect: []
          - name: no expectation
            record: {ULN: "1"}
        """) == [
        (2, 5, "case 1 has no 'name'"),
        (4, 5, "case 'no expectation' has no 'expect'"),
    ]


def test_duplicate_case_names_are_an_error_at_the_second(tmp_path: Path) -> None:
    assert problems_of(tmp_path, """
        cases:
          - {name: same, expect: []}
          - {name: same, expect: []}
        """) == [(3, 12, "duplicate case name 'same' (first at line 2)")]


def test_unknown_keys_are_errors_with_a_suggestion(tmp_path: Path) -> None:
    pack = pack_with(tmp_path, """
        todya: 2026-01-01
        cases:
          - {name: a, expected: []}
        """)
    with pytest.raises(PackError) as caught:
        load_case_file(tmp_path / "tests" / "cases.yaml", load_pack(pack))
    found = [(p.location.line, p.location.column, p.message, p.hint)
             for p in caught.value.problems]
    assert found == [
        (1, 1, "unknown key 'todya' in the test file; expected one of: base, cases,"
         " description, today, versions", "did you mean 'today'?"),
        (3, 5, "case 'a' has no 'expect'", None),
        (3, 15, "unknown key 'expected' in case 'a'; expected one of: before, doc, expect, fixed,"
         " name, record, versions", "did you mean 'expect'?"),
    ]


def test_a_record_value_must_be_a_single_value(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, """
        cases:
          - {name: a list, record: {ULN: [1, 2]}, expect: []}
        """)
    assert problems == [(2, 34, "value of ULN in case 'a list' must be text, a number,"
                                " true or false or empty, not a list")]


def test_problems_in_several_files_are_raised_together(tmp_path: Path) -> None:
    write(tmp_path / "tests" / "a.yaml", "cases: [{name: x, expect: [NOPE]}]\n")
    write(tmp_path / "tests" / "b.yaml", "cases: []\n")
    pack = write(tmp_path / "tp.yaml", PACK)
    with pytest.raises(PackError) as caught:
        load_case_files(load_pack(pack))
    files = [Path(p.location.file or "").name for p in caught.value.problems]
    assert files == ["a.yaml", "b.yaml"]
    assert "cases must not be empty" in str(caught.value)


def test_today_fixes_the_date_of_age_rules(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        today: 2026-06-15
        cases:
          - {name: sixteen today, record: {DOB: 2010-06-15}, expect: []}
          - {name: sixteen tomorrow, record: {DOB: 2010-06-16}, expect: [T.AGE.01]}
        """)
    assert report.files[0].today == dt.date(2026, 6, 15)
    assert not report.failures


def test_today_must_be_a_real_date(tmp_path: Path) -> None:
    assert problems_of(tmp_path, """
        today: 2026-02-30
        cases: [{name: a, expect: []}]
        """) == [(1, 8, "today must be a real date written YYYY-MM-DD, not '2026-02-30'")]


def test_a_rule_that_raises_on_a_case_fails_it_and_is_named(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - name: not a number
            record: {Note: abc}
            expect: [T.NOTE.01]
        """)
    (result,) = report.failures
    (error,) = result.errors
    assert (error.rule, error.field) == ("T.NOTE.01", "note")
    assert "int() was given text that is not a whole number" in error.message
    assert any(line.startswith("error:      T.NOTE.01 could not be evaluated on note")
               for line in result.explain())


def test_a_case_is_labelled_by_its_expected_rules_or_clean(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        base: {Forename: A}
        cases:
          - {name: a, record: {ULN: "1", Sex: 3}, expect: [T.ULN.01, T.GENDER.01]}
          - {name: b, expect: []}
        """)
    assert [result.case.label for result in report.results] == ["T.ULN.01+T.GENDER.01", "clean"]


def test_coverage_names_a_rule_without_a_firing_case(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - {name: good ULN, record: {ULN: "1000000043"}, expect: []}
        """)
    uln = next(rule for rule in report.coverage if rule.rule == "T.ULN.01")
    assert uln.gaps == ("no case where it fires",)


def test_coverage_names_a_rule_without_a_passing_case(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - {name: bad ULN, record: {ULN: "1"}, expect: [T.ULN.01]}
        """)
    uln = next(rule for rule in report.coverage if rule.rule == "T.ULN.01")
    assert uln.gaps == ("no case where it is evaluated and passes",)


def test_a_case_whose_when_is_false_does_not_count_as_evaluated(tmp_path: Path) -> None:
    cases = """
        cases:
          - {name: fires, record: {Forename: A, Sex: 3}, expect: [T.GENDER.01]}
          - {name: skipped by when, record: {Forename: ~, Sex: 1}, expect: []}
        """
    report = report_of(tmp_path, cases)
    gender = next(rule for rule in report.coverage if rule.rule == "T.GENDER.01")
    assert gender.gaps == ("no case where it is evaluated and passes",)
    report = report_of(tmp_path, cases + "  - {name: passes, record: {Forename: A, Sex: 1},"
                       " expect: []}\n")
    gender = next(rule for rule in report.coverage if rule.rule == "T.GENDER.01")
    assert gender.gaps == ()


def test_a_blank_field_does_not_count_as_evaluated(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - {name: fires, record: {ULN: "1"}, expect: [T.ULN.01]}
          - {name: blank ULN, record: {ULN: " "}, expect: []}
        """)
    assert "T.ULN.01" not in report.results[1].evaluated
    uln = next(rule for rule in report.coverage if rule.rule == "T.ULN.01")
    assert uln.gaps == ("no case where it is evaluated and passes",)


def test_a_failing_case_does_not_count_towards_coverage(tmp_path: Path) -> None:
    report = report_of(tmp_path, """
        cases:
          - {name: wrongly clean, record: {ULN: "1"}, expect: []}
          - {name: wrongly firing, record: {ULN: "1000000043"}, expect: [T.ULN.01]}
        """)
    uln = next(rule for rule in report.coverage if rule.rule == "T.ULN.01")
    assert len(uln.gaps) == 2


def test_a_fully_covered_pack_passes() -> None:
    report = run_pack_tests(FIXTURES / "pt-good")
    assert report.passed, [result.explain() for result in report.failures]
    assert [rule.rule for rule in report.coverage] == [
        "PT.ULN.01", "PT.ULN.02", "PT.GENDER.01", "PT.AGE.01"]


def test_coverage_covers_only_the_rules_the_pack_defines() -> None:
    report = run_pack_tests(FIXTURES / "pt-bad")
    assert "PT.NAME.01" not in [rule.rule for rule in report.coverage]
    assert [(rule.rule, rule.gaps) for rule in report.gaps] == [
        ("PT.SURNAME.02", ("no case where it fires",))]


def test_tests_of_an_included_pack_see_only_that_packs_rules() -> None:
    report = run_pack_tests(FIXTURES / "pt-fields")
    assert report.pack.name == "pt-fields"
    assert {rule.id for rule in report.pack.rules} == {"PT.NAME.01"}
    assert report.passed


def test_a_pack_without_a_tests_folder_has_no_cases_and_every_rule_is_a_gap(
    tmp_path: Path,
) -> None:
    report = run_pack_tests(write(tmp_path / "tp.yaml", PACK))
    assert (report.has_tests, report.results, len(report.gaps)) == (False, (), 4)


def test_only_yaml_files_directly_in_the_tests_folder_are_case_files(tmp_path: Path) -> None:
    pack = pack_with(tmp_path, "cases: [{name: a, expect: []}]\n", name="b.yml")
    write(tmp_path / "tests" / "a.yaml", "cases: [{name: a, expect: []}]\n")
    write(tmp_path / "tests" / "notes.txt", "not cases\n")
    write(tmp_path / "tests" / "more" / "c.yaml", "not: cases\n")
    names = [path.name for path in discover_test_files(load_pack(pack))]
    assert names == ["a.yaml", "b.yml"]


def test_run_cases_runs_a_case_file_on_a_compiled_pack() -> None:
    pack = load_pack(FIXTURES / "pt-good")
    case_file = load_case_file(FIXTURES / "pt-good" / "tests" / "people.yaml", pack)
    assert case_file.today is not None
    results = run_cases(compile_pack(pack, today=case_file.today), case_file.cases,
                        case_file.today)
    assert all(result.passed for result in results)


def test_include_tree_lists_each_pack_once_with_includes_first() -> None:
    names = [path.name for path in include_tree(PACKS / "diamond" / "top.yaml")]
    assert names[-1] == "top.yaml"
    assert names.index("base.yaml") < names.index("left.yaml")
    assert sorted(names) == ["base.yaml", "left.yaml", "right.yaml", "top.yaml"]


def test_include_tree_of_a_cycle_is_the_loaders_error() -> None:
    with pytest.raises(PackError, match="include cycle"):
        include_tree(PACKS / "cycle" / "a.yaml")


def test_an_empty_test_file_is_worded_for_test_files(tmp_path: Path) -> None:
    pack = pack_with(tmp_path, "# nothing yet\n")
    with pytest.raises(PackError) as caught:
        load_case_files(load_pack(pack))
    (problem,) = caught.value.problems
    assert (problem.location.line, problem.message) == (1, "the test file is empty")
    assert "cases:" in (problem.hint or "")
