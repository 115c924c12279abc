"""The command line for pack versions: --pack name@version, --as-of, --waivers and diff."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from lrsrules.cli.app import app

RELEASES = Path(__file__).parent / "packs" / "releases"
runner = CliRunner()
# Record 1: ULN too short, name too long; record 2: name x, kind c; record 3: clean.
RECORDS = "ULN,Name,Kind\nQ7X3Z,Alexandrina Victoria,a\n1234567890,x,c\n1234567890,Bo,a\n"
SECRET = "Q7X3Z"
FAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def invoke(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def records(folder: Path) -> Path:
    return write(folder, "records.csv", RECORDS)


# --pack name@version, through every command ----------------------------------------------


def test_validate_picks_the_version_the_selector_asks_for(tmp_path: Path) -> None:
    for selector, version in (("", "1.1.1"), ("@1.0", "1.0.0"), ("@1.1.0", "1.1.0")):
        code, out, err = invoke("validate", records(tmp_path), "--pack", f"{RELEASES}{selector}",
                                "--format", "json")
        assert code == 1, out + err
        assert json.loads(out)["pack"]["version"] == version


def test_the_text_summary_names_the_pack_version_and_a_short_hash(tmp_path: Path) -> None:
    code, out, _ = invoke("validate", records(tmp_path), "--pack", f"{RELEASES}@1.0")
    assert code == 1
    summary = next(line for line in out.splitlines() if "checked with pack" in line)
    assert "checked with pack releases 1.0.0 (sha256 " in summary
    short = summary.split("(sha256 ")[1].split(")")[0]
    assert len(short) == 12 and all(ch in "0123456789abcdef" for ch in short)


def test_rules_lists_the_selected_version_with_former_ids_in_json() -> None:
    code, out, err = invoke("rules", "--pack", f"{RELEASES}@1.1.0", "--json")
    assert code == 0, err
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    assert rows["REL.NAME.02"]["aliases"] == ["REL.NAME.01"]
    assert "aliases" not in rows["REL.ULN.01"]
    code, out, _ = invoke("rules", "--pack", f"{RELEASES}@1.0")
    assert out.startswith("releases 1.0.0: 4 rules")


def test_pack_tests_run_on_the_selected_version_of_a_bundled_pack() -> None:
    code, out, err = invoke("test", "lrs-cdd@1.0")
    assert code == 0, out + err
    assert "lrs-cdd 1.0.0:" in out
    code, _, err = invoke("test", "lrs-cdd@9")
    assert code == 2 and "versions available: 1.0.0" in err


def test_a_version_no_file_has_is_an_error_listing_those_there_are(tmp_path: Path) -> None:
    code, _, err = invoke("validate", records(tmp_path), "--pack", f"{RELEASES}@3")
    assert code == 2
    assert "versions available: 1.0.0, 1.1.0, 1.1.1" in err


# --as-of -------------------------------------------------------------------------------------


def dated_pack(folder: Path) -> Path:
    return write(folder, "dated.yaml", f"""
        pack: dated
        version: 1.0.0
        fields:
          name: {{aliases: [Name]}}
        rules:
          - {{id: D.OLD.01, field: name, severity: error, check: len(name) <= 5,
             message: old limit, until: 2025-08-01}}
          - {{id: D.NEW.01, field: name, severity: error, check: len(name) <= 10,
             message: new limit, since: 2025-08-01}}
          - {{id: D.LATER.01, field: name, severity: error, check: name != 'Bo',
             message: not yet, since: {FAR}}}
        """)


def test_validate_runs_the_rules_in_force_on_the_as_of_date(tmp_path: Path) -> None:
    pack = dated_pack(tmp_path)
    data = write(tmp_path, "d.csv", "Name\nAlexandrina Victoria\n")
    for day, rule in (("2025-07-31", "D.OLD.01"), ("2025-08-01", "D.NEW.01")):
        _, out, _ = invoke("validate", data, "--pack", pack, "--as-of", day,
                           "--format", "json")
        document = json.loads(out)
        assert [f["rule"] for f in document["findings"]] == [rule]
        assert document["pack"]["as_of"] == day
        assert document["summary"]["rules"] == 1


def test_validate_without_as_of_runs_the_rules_in_force_today(tmp_path: Path) -> None:
    data = write(tmp_path, "d.csv", "Name\nBo\n")
    code, out, err = invoke("validate", data, "--pack", dated_pack(tmp_path), "--format", "json")
    assert code == 0, out + err  # D.LATER.01 would fire, but it is not in force yet
    assert "as_of" not in json.loads(out)["pack"]


def test_the_text_summary_says_which_date_the_rules_are_from(tmp_path: Path) -> None:
    data = write(tmp_path, "d.csv", "Name\nBo\n")
    _, out, _ = invoke("validate", data, "--pack", dated_pack(tmp_path), "--as-of", "2025-01-01")
    assert ", rules in force on 2025-01-01" in out


def test_rules_as_of_lists_only_the_rules_then_in_force(tmp_path: Path) -> None:
    code, out, _ = invoke("rules", "--pack", dated_pack(tmp_path), "--as-of", "2025-01-01")
    assert code == 0
    assert out.splitlines()[0] == "dated 1.0.0: 1 rules in force on 2025-01-01"
    assert "D.OLD.01" in out and "D.NEW.01" not in out
    _, out, _ = invoke("rules", "--pack", dated_pack(tmp_path))
    assert all(rule in out for rule in ("D.OLD.01", "D.NEW.01", "D.LATER.01"))


def test_an_as_of_that_is_not_a_date_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke("validate", records(tmp_path), "--as-of", "2025-02-30")
    assert code == 2
    assert "is not a real date written YYYY-MM-DD" in err


# --waivers ----------------------------------------------------------------------------------


def waiver_file(folder: Path, expires: str = "2099-12-31") -> Path:
    return write(folder, "waivers.yaml", f"""
        waivers:
          - rule: REL.ULN.01
            key: {{field: uln, value: "{SECRET}"}}
            reason: ULN being corrected at source
            approved_by: Data team
            expires: {expires}
          - rule: REL.NAME.01
            record: 1
            reason: Name confirmed
            approved_by: Data team
            expires: {expires}
        """)


def test_waived_findings_are_reported_but_do_not_fail_the_run(tmp_path: Path) -> None:
    data = write(tmp_path, "d.csv", "ULN,Name,Kind\nQ7X3Z,Alexandrina Victoria,a\n")
    code, out, err = invoke("validate", data, "--pack", f"{RELEASES}@1.1.0", "--waivers",
                            waiver_file(tmp_path), "--fail-on", "info")
    assert code == 0, out + err
    assert out.count("[waived: ") == 2
    assert "Waived: 2 findings" in out
    assert SECRET not in out


def test_an_expired_waiver_is_a_warning_and_its_finding_counts_again(tmp_path: Path) -> None:
    data = write(tmp_path, "d.csv", "ULN,Name,Kind\nQ7X3Z,Bo,a\n")
    code, out, _ = invoke("validate", data, "--pack", f"{RELEASES}@1.1.0", "--waivers",
                          waiver_file(tmp_path, "2020-01-01"), "--format", "jsonl")
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["rule"], r["severity"]) for r in rows] == [
        ("WAIVER.EXPIRED", "warning"), ("WAIVER.EXPIRED", "warning"), ("REL.ULN.01", "error")]
    assert not any("waived" in row for row in rows)
    assert SECRET not in out


def test_json_and_csv_reports_carry_the_waiver(tmp_path: Path) -> None:
    data = write(tmp_path, "d.csv", "ULN,Name,Kind\nQ7X3Z,Bo,a\n")
    args = ("validate", data, "--pack", f"{RELEASES}@1.1.0", "--waivers", waiver_file(tmp_path))
    _, out, _ = invoke(*args, "--format", "json")
    document = json.loads(out)
    assert document["summary"]["waived"] == 1
    assert document["waivers"] == {"path": str(tmp_path / "waivers.yaml")}
    assert document["findings"][0]["waived"].startswith("ULN being corrected at source")
    _, out, _ = invoke(*args, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][-1] == "waived" and rows[1][-1].startswith("ULN being corrected")


def test_reports_without_waivers_keep_their_shape(tmp_path: Path) -> None:
    _, out, _ = invoke("validate", records(tmp_path), "--pack", RELEASES, "--format", "json")
    document = json.loads(out)
    assert "waivers" not in document and "waived" not in document["summary"]
    assert all("waived" not in finding for finding in document["findings"])
    _, out, _ = invoke("validate", records(tmp_path), "--pack", RELEASES, "--format", "csv")
    assert out.splitlines()[0] == "record,line,field,rule,severity,message"


def test_a_broken_waiver_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "waivers.yaml", """
        waivers:
          - {rule: REL.ULM.01, record: 1, reason: r, approved_by: a, expires: 2099-01-01}
        """)
    code, out, err = invoke("validate", records(tmp_path), "--pack", RELEASES, "--waivers", bad)
    assert code == 2 and out == ""
    assert f"{bad}:2:12: unknown rule REL.ULM.01" in err


# diff ---------------------------------------------------------------------------------------


def test_diff_of_two_versions_lists_each_kind_of_change_and_exits_1() -> None:
    code, out, err = invoke("diff", f"{RELEASES}@1.0", f"{RELEASES}@1.1.0")
    assert code == 1, err
    lines = out.splitlines()
    assert lines[0].startswith("releases 1.0.0 (sha256 ") and "-> releases 1.1.0" in lines[0]
    assert "added    REL.KIND.02 (warning; kind): Kind c is new" in lines
    assert "removed  REL.OLD.01 (info; name): Name is x" in lines
    assert "renamed  REL.NAME.01 -> REL.NAME.02" in lines
    assert "    severity: warning -> error" in lines
    assert "    list @kinds: 1 added (c)" in lines
    assert "pack     list @kinds: 1 entry added, 0 entries removed [can change findings]" in lines
    assert "pack     pack title changed [no effect on findings]" in lines
    assert lines[-2:] == ["Rules: 1 added, 1 removed, 1 renamed, 2 changed",
                          "Other changes: 2 (1 can change findings)"]


def test_diff_shows_a_changed_message_as_before_and_after() -> None:
    code, out, _ = invoke("diff", f"{RELEASES}@1.1.0", f"{RELEASES}@1.1.1")
    assert code == 1
    assert ("changed  REL.ULN.01\n    message:\n      - ULN must have 10 characters\n"
            "      + ULN must be 10 characters long\n") in out


def test_diff_of_identical_packs_exits_0() -> None:
    code, out, _ = invoke("diff", f"{RELEASES}@1.1.1", str(RELEASES))
    assert code == 0
    assert out.splitlines()[-1] == "No rule differs."


def test_diff_of_a_bundled_pack_with_itself_by_name_and_version_exits_0() -> None:
    code, _, err = invoke("diff", "lrs-cdd", "lrs-cdd@1.0.0")
    assert code == 0, err


def test_diff_of_a_pack_that_does_not_load_exits_2() -> None:
    code, _, err = invoke("diff", f"{RELEASES}@1.0", "no-such-pack")
    assert code == 2
    assert "no bundled pack named 'no-such-pack'" in err


def test_diff_json_has_both_packs_and_the_differences() -> None:
    code, out, _ = invoke("diff", f"{RELEASES}@1.0", f"{RELEASES}@1.1.0", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert (document["old"]["version"], document["new"]["version"]) == ("1.0.0", "1.1.0")
    assert document["differs"] is True
    assert [r["id"] for r in document["added"]] == ["REL.KIND.02"]
    assert "records" not in document


def test_diff_records_lists_the_records_whose_findings_change_without_values(
        tmp_path: Path) -> None:
    code, out, _ = invoke("diff", f"{RELEASES}@1.0", f"{RELEASES}@1.1.0",
                          "--records", records(tmp_path))
    assert code == 1
    data = tmp_path / "records.csv"
    assert (f"{data}:2: record 1: + REL.NAME.02 error (name); - REL.NAME.02 warning (name)"
            in out.splitlines())
    assert (f"{data}:3: record 2: + REL.KIND.02 warning (kind); - REL.KIND.01 error (kind);"
            " - REL.OLD.01 info (name)") in out.splitlines()
    assert out.splitlines()[-1] == "Records whose findings differ: 2 of 3."
    for secret in (SECRET, "Alexandrina"):
        assert secret not in out


def test_diff_records_in_json_counts_the_records_and_their_differences(tmp_path: Path) -> None:
    _, out, _ = invoke("diff", f"{RELEASES}@1.0", f"{RELEASES}@1.1.0", "--records",
                       records(tmp_path), "--format", "json")
    impact = json.loads(out)["records"]
    assert (impact["records"], impact["differing"]) == (3, 2)
    assert impact["differences"][0] == {
        "record": 1, "line": 2,
        "added": [{"rule": "REL.NAME.02", "field": "name", "severity": "error"}],
        "removed": [{"rule": "REL.NAME.02", "field": "name", "severity": "warning"}]}
    assert SECRET not in out


def test_diff_exits_1_when_only_the_records_differ(tmp_path: Path) -> None:
    # The rules are the same, but NEW no longer reads the heading "Name" as a field.
    body = """
        pack: p
        version: {version}
        fields:
          learner: {{aliases: [{alias}]}}
          kind: {{aliases: [Kind]}}
        rules:
          - {{id: P.NAME.01, field: learner, severity: error, check: present(learner),
             message: m}}
        """
    old = write(tmp_path, "old.yaml", body.format(version="1.0.0", alias="Name"))
    new = write(tmp_path, "new.yaml", body.format(version="1.0.1", alias="Full Name"))
    data = write(tmp_path, "d.csv", "Name,Kind\nBo,a\n")
    code, out, _ = invoke("diff", old, new, "--records", data)
    assert code == 1
    assert "No rule differs." in out
    assert out.splitlines()[-1] == "Records whose findings differ: 1 of 1."
    code, out, _ = invoke("diff", old, old, "--records", data)
    assert code == 0
    assert out.splitlines()[-1] == "Records whose findings differ: 0 of 1."


def test_diff_records_that_cannot_be_read_stop_before_any_output(tmp_path: Path) -> None:
    data = write(tmp_path, "d.csv", "Nothing,Matches\n1,2\n")
    code, out, err = invoke("diff", f"{RELEASES}@1.0", f"{RELEASES}@1.1.0", "--records", data)
    assert code == 2 and out == ""
    assert "no heading matches a field of the pack" in err
