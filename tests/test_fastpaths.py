"""The fast paths give the plain paths' findings, byte for byte.

Each generated file, full of the defects real files have (quoted line breaks, a BOM,
ragged rows, blank lines and cells, bad dates and ULNs, prohibited names, repeats, long
values, quotes and delimiters inside values, every kind of line end), is validated twice:
as usual, and with ``LRSRULES_NO_FAST_PATHS=1`` (patterns on RE2, every line through csv,
jsonl lines by ``json.dumps``). Reports, exit codes and errors must be the same, for the
default pack and the benchmark pack, in every output format.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from partfiles import MIXED_PACK
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.findings import Finding
from lrsrules.report.reporters import JsonLinesReporter
from lrsrules.run.findings import RunInfo
from lrsrules.speedups import ENV

runner = CliRunner()
BENCH_PACK = Path(__file__).parents[1] / "benchmarks" / "pack" / "bench.yaml"
HEADINGS = ["GivenName", "FamilyName", "ULN", "DateOfBirth", "Gender", "LastKnownPostCode",
            "EmailAddress", "AbilityToShare", "Notes"]
NAMES = ["Ann", "Zoë", "O’Brien", "Mary-Jane", "Test", "Mr Smith", "mrs. jones", "Baby",
         "Not Known", "X|Y", "J0hn", "", "   ", "A" * 40, "Ναι", "שלום", "Ａｂ", "Child",
         "name\nwith a break", 'say "hi"', "a,b", "\t", "Smith  Jones", "d'Arcy", "x\x0by",
         "Unknown child", "Li..", "Ben\u2028Lee", "\ufffd", "Éloïse", "dr who"]
DATES = ["2001-05-17", "1990-01-01", "1900-02-29", "15/04/2007", "2030-01-01", "",
         "2012-02-30", "2015-06-01", "1901-01-01", " 2001-05-17"]
POSTCODES = ["SW1A 1AA", "m1 1ae", "ZZ99 9ZZ", "zz999zz", "bfpo 123", "BFPO123", "Q1A 9AA",
             "LI10 3QP", "XX XXX", "", "EC1A1BB", "W1A 0AX   ", "CV1 2WT"]
EMAILS = ["ann@example.org", "not an address", "a@b.co.uk", "", "x@" + "y" * 70 + ".com",
          "first.last@sub.example.com", "a..b@example.org", "é@example.org"]


def valid_uln(rng: random.Random) -> str:
    weights = (10, 9, 8, 7, 6, 5, 4, 3, 2)
    while True:
        digits = str(rng.randint(100_000_000, 999_999_999))
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder:
            return digits + str((10 - remainder) % 10)


def cells(rng: random.Random, seen: list[str]) -> list[str]:
    uln = valid_uln(rng)
    roll = rng.random()
    if roll < 0.1:
        uln = rng.choice(["9999999999", "0123456789", "12345", "", uln[:9] + "0", " " + uln])
    elif roll < 0.2 and seen:
        uln = rng.choice(seen)  # a repeat
    seen.append(uln)
    notes = rng.choice(["", "note", "free text " * rng.randint(1, 40), "line\r\nbreak",
                        "x" * 300, "say \"no\", twice"])
    return [rng.choice(NAMES) if rng.random() < 0.4 else rng.choice(["Ann", "Bob", "Cy"]),
            rng.choice(NAMES) if rng.random() < 0.4 else rng.choice(["Lee", "Ng", "Ode"]),
            uln, rng.choice(DATES), rng.choice("0129" * 5 + "3 x"), rng.choice(POSTCODES),
            rng.choice(EMAILS), rng.choice("0120000111" + "x "), notes]


def learners(seed: int, count: int = 600, *, ending: str = "\n", bom: bool = False,
             delimiter: str = ",") -> str:
    """CSV text with defects of every kind the readers and rules meet."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending)
    writer.writerow(HEADINGS)
    seen: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.03:
            out.write(rng.choice(["", "   ", delimiter * (len(HEADINGS) - 1)]) + ending)
        elif roll < 0.06:  # ragged: a cell too few or too many
            row = cells(rng, seen)
            writer.writerow(row[:-1] if rng.random() < 0.5 else [*row, "extra"])
        else:
            writer.writerow(cells(rng, seen))
    text = out.getvalue()
    if rng.random() < 0.5:
        text = text.rstrip("\r\n")  # no line break at the very end
    return ("\ufeff" if bom else "") + text


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: bool, *args: str
        ) -> tuple[int, bytes, str]:
    if plain:
        monkeypatch.setenv(ENV, "1")
    else:
        monkeypatch.delenv(ENV, raising=False)
    out = tmp_path / ("plain.out" if plain else "fast.out")
    result = runner.invoke(app, ["validate", *args, "-o", str(out)])
    report = out.read_bytes() if out.exists() else b""
    return result.exit_code, report, result.stderr


def same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> bytes:
    fast = run(tmp_path, monkeypatch, False, *args)
    plain = run(tmp_path, monkeypatch, True, *args)
    assert fast[0] == plain[0], (fast[2], plain[2])
    assert fast[2] == plain[2]
    assert fast[1] == plain[1]
    return fast[1]


PACKS = {"default": [], "bench": ["--pack", str(BENCH_PACK)]}
FORMATS = [["--format", "jsonl"], ["--format", "jsonl", "--show-values"],
           ["--format", "json"], ["--format", "csv", "--show-values"], ["--format", "text"]]


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: "-".join(f[1:]))
def test_every_format_is_the_same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            pack: str, fmt: list[str]) -> None:
    data = tmp_path / "learners.csv"
    data.write_text(learners(11), "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), *PACKS[pack], *fmt)
    assert report  # findings were written


@pytest.mark.parametrize("keep_when_one_in", [4, 0], ids=["kept", "dropped"])
@pytest.mark.parametrize("pack", PACKS)
def test_remembered_groups_that_fill_up_find_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pack: str,
        keep_when_one_in: int) -> None:
    # A memory of 16 values fills within the file; then a group keeps it (its values
    # repeat), or, told that no share of repeats is enough, runs as it is from then on.
    from lrsrules.lang import groups

    monkeypatch.setattr(groups, "_KEPT", 16)
    monkeypatch.setattr(groups, "KEEP_WHEN_ONE_IN", keep_when_one_in)
    data = tmp_path / "learners.csv"
    data.write_text(learners(5, 1500), "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), *PACKS[pack],
                            "--format", "jsonl", "--show-values")
    assert report


@pytest.mark.parametrize(("ending", "bom", "delimiter"), [
    ("\r\n", True, ","), ("\r", False, ","), ("\n", True, ";"), ("\r\n", False, "\t")])
@pytest.mark.parametrize("pack", PACKS)
def test_line_ends_boms_and_delimiters_are_the_same_both_ways(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pack: str, ending: str, bom: bool,
        delimiter: str) -> None:
    data = tmp_path / "learners.csv"
    data.write_text(learners(len(ending) + bom, ending=ending, bom=bom, delimiter=delimiter),
                    "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), *PACKS[pack],
                            "--format", "jsonl", "--show-values")
    assert json.loads(report.splitlines()[0])  # findings were written


@pytest.mark.parametrize("defect", ["a NUL\x00 character", 'a "quote never closed',
                                    "x" * (1 << 20) + "y"])
def test_a_file_that_cannot_be_read_fails_the_same_both_ways(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, defect: str) -> None:
    text = learners(3, 50)
    lines = text.split("\n")
    lines[20] = defect + "," * (len(HEADINGS) - 1)
    data = tmp_path / "learners.csv"
    data.write_text("\n".join(lines), "utf-8", newline="")
    same_both_ways(tmp_path, monkeypatch, str(data), "--format", "jsonl")


def test_one_column_files_keep_blank_lines_apart_from_blank_values(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "one.yaml"
    pack.write_text("pack: one\nversion: 1.0.0\nfields:\n  uln: {aliases: [ULN]}\nrules:\n"
                    "  - {id: O.1, field: uln, severity: error, check: present(uln),"
                    " message: m}\n", "utf-8")
    data = tmp_path / "one.csv"
    data.write_text("ULN\n1\n\n  \n\"\"\n2\n\n", "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(pack),
                            "--format", "jsonl")
    assert [json.loads(line)["line"] for line in report.splitlines()] == [4, 5]


def test_findings_written_from_the_targets_match_those_made_one_by_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # JSON Lines are written straight from the targets that fired, but for a record with
    # a rule that could not be evaluated, a repeat of a unique key, or a reader's note
    # (a ragged row): those records' findings are made one by one.
    pack = tmp_path / "mixed.yaml"
    pack.write_text(MIXED_PACK + "  - {id: M.K.01, field: k, severity: error, unique: k,"
                    " message: k repeats}\n", "utf-8")
    rows = ["5,a", "abc,b", "-1,c", "-100,d", "7,a", "8", "x,e,f", "12345,g"] * 40
    data = tmp_path / "mixed.csv"
    data.write_text("n,k\n" + "\n".join(rows) + "\n", "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(pack),
                            "--format", "jsonl")
    found = [json.loads(line) for line in report.splitlines()]
    assert {row["rule"] for row in found} >= {"M.N.01", "M.N.02", "M.K.01"}
    assert any("could not be evaluated" in row["message"] for row in found)
    assert [row["record"] for row in found] == sorted(row["record"] for row in found)


def test_jsonl_lines_are_json_dumps_of_the_finding() -> None:
    findings = [Finding(1, 2, "uln", "R.1", "error", "m", "v"),
                Finding(None, None, None, "INPUT.EMPTY", "warning", "a \"quoted\"\nline"),
                Finding(3, 4, "given_name", "R.2", "info", "é ✓ \x00 \udc80", None, "w\nx"),
                Finding(True, 5, "f", "R.3", "error", "bool record", "\u2028")]  # type: ignore[arg-type]
    for show_values in (False, True):
        stream = io.StringIO()
        reporter = JsonLinesReporter(stream, show_values=show_values)
        reporter.start(RunInfo("p", "1", "0" * 64, "p.yaml", "in.csv", "csv"))
        for finding in findings:
            reporter.add(finding)
        expected = "".join(json.dumps(f.to_dict(show_values), ensure_ascii=False) + "\n"
                           for f in findings)
        assert stream.getvalue() == expected


def test_the_switch_takes_the_plain_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from lrsrules import load_pack

    monkeypatch.delenv(ENV, raising=False)
    assert "(f_given_name) is not None)" in load_pack(str(BENCH_PACK)).source  # on re
    monkeypatch.setenv(ENV, "1")
    assert "(f_given_name) is not None)" not in load_pack(str(BENCH_PACK)).source
