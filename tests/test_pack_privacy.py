"""No personal data in a pack, waiver or layout error: a data file given where one of them
is expected (arguments swapped) is refused unread, and no waiver error quotes a line or a
key value. Each case runs through the CLI, which must exit 2 and show none of the values."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app

runner = CliRunner()
RELEASES = Path(__file__).parent / "packs" / "releases"
NAME, ULN = "Zebedee Quantock", "9876543210"
PERSONAL = (NAME, "Zebedee", "Quantock", ULN)
CSV = f"ULN,Name,Kind\n{ULN},{NAME},a\n"


def invoke(*args: object) -> str:
    result = runner.invoke(app, [str(arg) for arg in args])
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "internal error" not in output
    for value in PERSONAL:
        assert value not in output, output
    return output


@pytest.fixture()
def learners(tmp_path: Path) -> Path:
    path = tmp_path / "learners.csv"
    path.write_text(CSV, "utf-8")
    return path


def test_records_given_as_the_pack_are_refused_unread(tmp_path: Path, learners: Path) -> None:
    output = invoke("validate", RELEASES / "releases-1.1.0.yaml", "--pack", learners)
    assert f"{learners} is not a pack: a pack is a .yaml or .yml file" in output


def test_records_given_as_the_waiver_file_or_the_layout_are_refused_unread(
        learners: Path) -> None:
    output = invoke("validate", learners, "--pack", f"{RELEASES}@1.1.0", "--waivers", learners)
    assert "is not a waiver file: a waiver file is a .yaml or .yml file" in output
    output = invoke("batch", "check", learners, "--layout", learners)
    assert "is not a layout: a layout is a .yaml or .yml file" in output


@pytest.mark.parametrize("content", [
    CSV,  # a CSV file renamed: one YAML scalar
    f'{{"uln": "{ULN}", "name": "{NAME}"}}\n',  # a JSON line: a YAML mapping
    f'- {{"uln": "{ULN}", "name": "{NAME}"}}\n',  # a JSON array of records
    f"uln: {ULN}\nname: {NAME}\nname: {NAME}\n",  # looks like YAML, with a duplicate key
    f'{{"uln": "{ULN}", "name": "{NAME}"}}\n{{"uln": "{ULN}"}}\n',  # JSON lines: no YAML
])
def test_records_named_yaml_quote_nothing_as_a_pack_waiver_file_or_layout(
        tmp_path: Path, learners: Path, content: str) -> None:
    data = tmp_path / "learners.yaml"
    data.write_text(content, "utf-8")
    invoke("validate", learners, "--pack", data)
    invoke("validate", learners, "--pack", f"{RELEASES}@1.1.0", "--waivers", data)
    invoke("batch", "check", learners, "--layout", data)


KEY = f"key: {{field: uln, value: '{ULN}'}}"
REST = "reason: r, approved_by: a, expires: 2025-12-31"


@pytest.mark.parametrize(("waiver", "message"), [
    (f"{{rule: REL.NOPE.01, {KEY}, {REST}}}", "unknown rule REL.NOPE.01"),
    (f"{{rule: REL.ULN.01, key: {{field: ulm, value: '{ULN}'}}, {REST}}}",
     "unknown field 'ulm'"),
    (f"{{rule: REL.ULN.01, field: name, {KEY}, {REST}}}", "rule REL.ULN.01 is not on field"),
    (f"{{rule: REL.ULN.01, record: 1, {KEY}, {REST}}}", "give record or key, not both"),
    (f"{{rule: REL.ULN.01, key: {{field: uln, value: [{ULN}]}}, {REST}}}",
     "key value of waiver 1 must be text or a number, not a list"),
    (f"{{rule: REL.ULN.01, key: {{field: uln, value: '{ULN}', value: '{ULN}'}}, {REST}}}",
     "duplicate key 'value'"),
    (f"{{rule: REL.ULN.01, record: '{ULN}', {REST}}}",
     "record of waiver 1 must be a whole number, not text"),
    (f"{{rule: REL.ULN.01, {KEY}, reason: r, approved_by: a, expires: '{ULN}'}}",
     "expires of waiver 1 must be a date written YYYY-MM-DD"),
    (f"{{rule: REL.ULN.01, {KEY}, reason: r, approved_by: a, expires: 2025-02-30}}",
     "expires '2025-02-30' is not a day in the calendar"),
    (f"{{rule: '{NAME}', {KEY}, {REST}}}", "rule of waiver 1 must be uppercase dotted"),
    (f"{{rule: REL.ULN.01, key: {{field: uln, value: '{ULN}', name: {NAME}}}, {REST}}}",
     "unknown key 'name' in key of waiver 1"),
    (f"{{rule: REL.ULN.01, key: {{field: uln, value: '{ULN}}}, {REST}}}",
     "could not parse YAML"),
])
def test_no_waiver_error_shows_a_key_value_or_a_line(tmp_path: Path, learners: Path,
                                                     waiver: str, message: str) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f"waivers:\n  - {waiver}\n", "utf-8")
    output = invoke("validate", learners, "--pack", f"{RELEASES}@1.1.0", "--waivers", waivers)
    assert f"{waivers}:" in output and message in output
