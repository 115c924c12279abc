"""Rule selection: --select and --ignore by id, id prefix or tag, on validate and batch
check and in ``lrsrules.load_pack``; unknown selectors are errors with a did-you-mean;
--exit-zero."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrsrules
from lrsrules.cli.app import app
from lrsrules.packs.selection import names, split_selectors

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
LEARNERS = ROOT / "examples" / "learners.csv"
BATCH = ROOT / "examples" / "LRB_10012345_290920261030.CSV"


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout + result.stderr


def rules_found(*args: object) -> set[str]:
    code, out = invoke("validate", LEARNERS, "--format", "jsonl", *args)
    assert code in (0, 1), out
    return {json.loads(line)["rule"] for line in out.splitlines()}


def ids(**options: object) -> list[str]:
    return [rule.id for rule in lrsrules.load_pack(**options).pack.rules]  # type: ignore[arg-type]


def test_a_prefix_selects_by_whole_parts() -> None:
    assert ids(select=["CDD.ULN"]) == ["CDD.ULN.01", "CDD.ULN.02"]
    assert set(rules_found("--select", "CDD.ULN")) <= {"CDD.ULN.01", "CDD.ULN.02",
                                                      "INPUT.HEADING", "INPUT.EMPTY"}


def test_select_and_ignore_combine_with_tags_and_comma_lists() -> None:
    every = ids()
    tagged = [rule.id for rule in lrsrules.load_pack().pack.rules if "dates" in rule.tags]
    assert tagged and ids(select="tag:dates") == tagged
    chosen = ids(select=["CDD.ULN,tag:dates"], ignore=["CDD.ULN.02"])
    assert chosen == [i for i in every if i == "CDD.ULN.01" or i in tagged]
    assert "CDD.ULN.02" not in rules_found("--ignore", "CDD.ULN.02")
    assert "CDD.ULN.02" in rules_found()


def test_split_and_names_read_selectors_as_documented() -> None:
    assert split_selectors(["a, b", "c"]) == ("a", "b", "c")
    rule = lrsrules.load_pack().pack.rules[0]
    assert names(rule, rule.id) and names(rule, rule.id.rsplit(".", 1)[0])
    assert not names(rule, rule.id[:-1])  # not a whole part


@pytest.mark.parametrize(("option", "selector", "says"), [
    ("--select", "CDD.ULM", "did you mean CDD.ULN"),
    ("--ignore", "tag:provisonal", "did you mean tag:provisional?"),
    ("--ignore", "INPUT.HEADING", "is a finding about the input, not a rule"),
    ("--select", "NOPE", "lrsrules rules --pack lrs-default lists its rules"),
])
def test_an_unknown_selector_is_an_error_with_a_suggestion(option: str, selector: str,
                                                           says: str) -> None:
    code, out = invoke("validate", LEARNERS, option, selector)
    assert code == 2, out
    assert f"{option} {selector}: " in out and says in out, out
    assert "Traceback" not in out and "internal error" not in out, out
    with pytest.raises(lrsrules.PackError):
        lrsrules.load_pack(**{option[2:]: [selector]})  # type: ignore[arg-type]


def test_batch_check_takes_the_selection_too() -> None:
    code, out = invoke("batch", "check", BATCH, "--select", "CDD.ULN", "--format", "jsonl")
    assert code in (0, 1), out
    rules = {json.loads(line)["rule"] for line in out.splitlines()}
    assert not {rule for rule in rules if rule.startswith("CDD.") and
                not rule.startswith("CDD.ULN.")}, rules
    code, out = invoke("batch", "check", BATCH, "--ignore", "CDD.ULX")
    assert code == 2 and "did you mean CDD.ULN" in out, out


def test_exit_zero_lets_findings_pass_but_not_errors(tmp_path: Path) -> None:
    assert invoke("validate", LEARNERS)[0] == 1
    assert invoke("validate", LEARNERS, "--exit-zero")[0] == 0
    assert invoke("validate", tmp_path / "missing.csv", "--exit-zero")[0] == 2


def test_selection_comes_from_a_settings_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LRSRULES_CONFIG", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "lrsrules.toml").write_text('select = ["CDD.ULN"]\n')
    monkeypatch.chdir(tmp_path)
    assert rules_found() <= {"CDD.ULN.01", "CDD.ULN.02", "INPUT.HEADING", "INPUT.EMPTY"}
    monkeypatch.setenv("LRSRULES_IGNORE", "CDD.ULN.02, CDD.ULN.01")
    assert not rules_found() & {"CDD.ULN.01", "CDD.ULN.02"}


def test_pack_tests_run_for_the_chosen_rules_only(tmp_path: Path) -> None:
    code, out = invoke("test", "--select", "CDD.ULN")
    assert code == 0, out
    assert "lrs-cdd 1.0.0:" in out and "all passed" in out, out
    code, out = invoke("test", "--ignore", "CDD.ULM")
    assert code == 2 and "--ignore CDD.ULM: " in out and "did you mean CDD.ULN" in out, out
