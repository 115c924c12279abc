"""The runner: hits of the compiled pack become findings; totals are kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lrsrules.findings import INPUT_RULE
from lrsrules.inputs.records import Record, unreadable
from lrsrules.packs.loader import load_pack
from lrsrules.run.program import CompiledPack, compile_pack
from lrsrules.run.runner import Tally, iter_findings

PACK = """\
pack: p
version: 1.0.0
fields:
  name: {}
  n: {}
rules:
  - {id: P.NAME.01, field: name, severity: warning, check: len(name) <= 3, message: long}
  - {id: P.N.01, field: n, severity: error, check: int(n) > 0, message: n must be positive}
  - {id: P.N.02, field: n, severity: info, check: n != '7', message: seven}
"""


def compiled(tmp_path: Path) -> CompiledPack:
    path = tmp_path / "p.yaml"
    path.write_text(PACK, "utf-8")
    return compile_pack(load_pack(path), today=dt.date(2026, 1, 1))


def test_findings_carry_record_line_field_rule_severity_and_value(tmp_path: Path) -> None:
    pack = compiled(tmp_path)
    records = [Record(1, 2, ("Alexander", "5")), Record(2, 3, ("Bo", "7"))]
    found = [f.to_dict(show_values=True) for f in iter_findings(pack, records)]
    assert found == [
        {"record": 1, "line": 2, "field": "name", "rule": "P.NAME.01", "severity": "warning",
         "message": "long", "value": "Alexander"},
        {"record": 2, "line": 3, "field": "n", "rule": "P.N.02", "severity": "info",
         "message": "seven", "value": "7"},
    ]


def test_a_rule_that_fails_to_evaluate_is_an_error_finding_and_others_still_run(
        tmp_path: Path) -> None:
    pack = compiled(tmp_path)
    found = list(iter_findings(pack, [Record(1, 2, ("Alexander", "x7"))]))
    assert [(f.rule, f.severity) for f in found] == [("P.NAME.01", "warning"),
                                                      ("P.N.01", "error")]
    assert "could not be evaluated" in found[1].message
    assert "not a whole number" in found[1].message
    assert "x7" not in found[1].message


def test_a_record_with_an_issue_is_one_input_finding_and_is_not_checked(
        tmp_path: Path) -> None:
    pack = compiled(tmp_path)
    issue = "record has 3 values but the header has 2 headings"
    found = list(iter_findings(pack, [unreadable(4, 9, 2, issue)]))
    assert [(f.record, f.line, f.field, f.rule, f.message) for f in found] == [
        (4, 9, None, INPUT_RULE, issue)]


def test_tally_counts_records_findings_and_severities(tmp_path: Path) -> None:
    pack = compiled(tmp_path)
    tally = Tally()
    records = [Record(1, 2, ("Alexander", "-1")), Record(2, 3, ("Bo", "1")),
               Record(3, 4, ("Bo", "7"))]
    list(iter_findings(pack, records, tally))
    assert (tally.records, tally.findings, tally.records_with_findings) == (3, 3, 2)
    assert tally.by_severity == {"info": 1, "warning": 1, "error": 1}


def test_python_errors_are_named_by_type_only_so_values_cannot_leak(tmp_path: Path) -> None:
    from lrsrules.run.runner import describe_failure

    assert describe_failure(ValueError("invalid literal for int(): 'Smith'")) == "ValueError"
    assert describe_failure(ZeroDivisionError("x")) == "division by zero"


def test_findings_straight_from_the_check_are_those_of_its_hits(tmp_path: Path) -> None:
    # A run that only reports findings makes them from the check's raw answer; they must be
    # the findings the hits give: plain hits, a rule that could not be evaluated, notes.
    from lrsrules.findings import Finding
    from lrsrules.run.runner import record_findings_of

    pack = compiled(tmp_path)
    note = Finding(3, 4, None, INPUT_RULE, "warning", "a note")
    records = [Record(1, 2, ("Alexander", "5")), Record(2, 3, ("Bo", "7")),
               Record(3, 4, ("Alexander", "x"), None, (note,)), Record(4, 5, ("Bo", "1"))]
    for record in records:
        raw = pack.check(record.values)
        assert pack.findings_of(record, raw) == record_findings_of(record, pack.decode(raw))
    assert [f.rule for f in pack.findings_of(records[2], pack.check(records[2].values))] == [
        INPUT_RULE, "P.NAME.01", "P.N.01"]
    assert pack.findings_of(records[3], pack.check(records[3].values)) == []
