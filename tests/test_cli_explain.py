"""`lrsrules explain`, driven through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app

runner = CliRunner()

PACK = """\
pack: ex
version: 1.0.0
fields:
  name: {aliases: [Name, Full Name]}
  kind: {aliases: [Kind]}
rules:
  - id: EX.NAME.01
    field: name
    severity: error
    when: kind != 'x'
    check: len(name) <= 5
    message: Name is too long
"""


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["explain", *(str(arg) for arg in args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "ex.yaml"
    path.write_text(PACK, "utf-8")
    (tmp_path / "data.csv").write_text("Name,Kind\nBo,a\nAlexander,b\n,x\n", "utf-8")
    return path


def test_a_record_of_a_file_is_explained_with_values_masked(pack: Path) -> None:
    data = pack.parent / "data.csv"
    code, out, err = invoke("EX.NAME.01", "--pack", pack, "--record", f"{data}:2")
    assert code == 0, out + err
    assert out.splitlines() == [
        f"ex 1.0.0, record 2 (line 3) of {data}",
        "rule EX.NAME.01 (error): Name is too long",
        "field name: fires: its check is false",
        "  when: kind != 'x'  ->  true",
        "    kind  ->  <text, 1 char>",
        "  check: len(name) <= 5  ->  false",
        "    len(name)  ->  9",
        "      name  ->  <text, 9 chars>",
    ]
    assert "Alexander" not in out


def test_show_values_shows_the_records_text(pack: Path) -> None:
    data = pack.parent / "data.csv"
    code, out, _ = invoke("EX.NAME.01", "-p", pack, "-r", f"{data}:2", "--show-values")
    assert code == 0
    assert "      name  ->  'Alexander'" in out


def test_a_record_typed_as_json_is_matched_by_heading(pack: Path) -> None:
    code, out, err = invoke("EX.NAME.01", "-p", pack, "--json",
                            '{"full name": "Bo", "KIND": "x"}')
    assert code == 0, out + err
    assert "the record given with --json" in out
    assert "field name: skipped: its when is false" in out
    assert "  check: len(name) <= 5  ->  (not evaluated)" in out


def test_the_default_pack_explains_a_record_of_the_example_file() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "learners.csv"
    code, out, err = invoke("CDD.ULN.02", "--record", f"{example}:6")
    assert code == 0, out + err
    assert "field uln: fires: its check is false" in out
    assert "9999999999" not in out


@pytest.mark.parametrize("args", [[], ["--record", "x.csv:1", "--json", "{}"]])
def test_one_record_must_be_given(pack: Path, args: list[str]) -> None:
    code, _, err = invoke("EX.NAME.01", "-p", pack, *args)
    assert code == 2
    assert "give one record: --record FILE:N or --json" in err


@pytest.mark.parametrize("ref", ["data.csv", "data.csv:0", "data.csv:x"])
def test_a_record_reference_must_be_file_colon_number(pack: Path, ref: str) -> None:
    code, _, err = invoke("EX.NAME.01", "-p", pack, "--record", ref)
    assert code == 2
    assert "expected FILE:N" in err


def test_a_record_past_the_end_is_an_error(pack: Path) -> None:
    code, _, err = invoke("EX.NAME.01", "-p", pack, "-r", f"{pack.parent / 'data.csv'}:9")
    assert code == 2
    assert "there is no record 9: the file has 3 records" in err


def test_a_record_that_cannot_be_read_is_an_error(pack: Path) -> None:
    (pack.parent / "bad.csv").write_text("Name,Kind\nBo,a,extra\n", "utf-8")
    code, _, err = invoke("EX.NAME.01", "-p", pack, "-r", f"{pack.parent / 'bad.csv'}:1")
    assert code == 2
    assert "record 1 cannot be checked: record has 3 values but the header has 2" in err


def test_an_unknown_rule_suggests_the_closest(pack: Path) -> None:
    code, _, err = invoke("EX.NAME.1", "-p", pack, "--json", "{}")
    assert code == 2
    assert "pack ex has no rule 'EX.NAME.1'; did you mean 'EX.NAME.01'?" in err


@pytest.mark.parametrize(("text", "message"), [
    ("[1]", "the record must be a JSON object"),
    ('{"Colour": "red"}', "key 'Colour' matches no field of the pack"),
    ('{"Name": "a", "name": "b"}', "keys 'Name' and 'name' both match field name"),
    ('{"Name": ["a"]}', "the value of 'Name' must be text, a number, true, false or null"),
    ('{"Name": ', "not valid JSON"),
])
def test_a_bad_json_record_is_an_error(pack: Path, text: str, message: str) -> None:
    code, _, err = invoke("EX.NAME.01", "-p", pack, "--json", text)
    assert code == 2
    assert message in err
