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


def test_code_shows_the_generated_code_of_the_rules_targets(pack: Path) -> None:
    code, out, err = invoke("--code", "EX.NAME.01", "--pack", pack)
    assert code == 0, out + err
    assert out.splitlines() == [
        "ex 1.0.0, generated code of rule EX.NAME.01 (1 target)",
        "# [0] EX.NAME.01 on name",
        "try:",
        "    if (",
        "        (f_kind is not None and (f_kind != 'x'))",
        "        and (f_name is not None and not (len(f_name) <= 5))",
        "    ):",
        "        hits.append(0)",
        "except Exception as exc:",
        "    hits.append((0, exc))",
        "",
        "# f_name: values[0], field name",
        "# f_kind: values[1], field kind",
    ]


def test_code_without_a_rule_shows_the_whole_check_function(pack: Path) -> None:
    code, out, err = invoke("--code", "-p", pack)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[:3] == ["ex 1.0.0, generated code of the whole pack (1 target)",
                         "def _check(values):", "    f_name, f_kind, = values"]
    assert "    # [0] EX.NAME.01 on name" in lines
    assert "    return hits" in lines


def test_code_of_the_default_pack_names_its_constants() -> None:
    code, out, err = invoke("--code", "CDD.ULN.02")
    assert code == 0, out + err
    assert "# f_uln: values[2], field uln" in out
    assert "compile_regex('[1-9][0-9]{9}').fullmatches" in out
    assert "# _m<n>: computed at its first use in a record, then shared" in out


@pytest.mark.parametrize("args", [["--record", "x.csv:1"], ["--json", "{}"],
                                  ["--show-values"], ["--encoding", "cp1252"]])
def test_code_reads_no_record(pack: Path, args: list[str]) -> None:
    code, _, err = invoke("--code", "EX.NAME.01", "-p", pack, *args)
    assert code == 2
    assert f"--code reads no record: leave out {args[0]}" in err


def test_code_of_an_unknown_rule_suggests_the_closest(pack: Path) -> None:
    code, _, err = invoke("--code", "EX.NAME.1", "-p", pack)
    assert code == 2
    assert "pack ex has no rule 'EX.NAME.1'; did you mean 'EX.NAME.01'?" in err


def test_a_rule_is_needed_without_code(pack: Path) -> None:
    code, _, err = invoke("-p", pack, "--json", "{}")
    assert code == 2
    assert "give the RULE to explain (or --code" in err
