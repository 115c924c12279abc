"""The whole-row fast path proves only clean lines, and a run with it reports what one
without it reports, byte for byte.

Three layers: each translated check accepts only cells on which the rule passes (tried on
many generated cells against the rule's own compiled code); the block reader gives the
lines a line-by-line read gives, wherever a block is cut; and whole runs over generated
files full of defects, cut into blocks of many sizes, match the plain path
(``LRSRULES_NO_FAST_PATHS=1``) for the default pack, the benchmark pack and a pack written
to use every translated shape.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from test_fastpaths import BENCH_PACK, HEADINGS, learners, same_both_ways

from lrsrules.errors import InputError
from lrsrules.inputs import csvsource, prooftrial
from lrsrules.inputs.bounds import BoundedLines
from lrsrules.lang.cellpatterns import CellSyntax, cell_check
from lrsrules.lang.checkdigits import CheckDigits
from lrsrules.lang.functions import weighted_sum, years_between
from lrsrules.limits import MAX_LINE_CHARS
from lrsrules.packs.loader import load_pack
from lrsrules.run.lineshape import LONG_LIMIT, Layout
from lrsrules.run.program import CompiledPack, compile_pack, lists_of
from lrsrules.run.rowproof import RowProof, line_proof

SHAPES = """\
pack: shapes
version: 1.0.0
fields:
  a: {aliases: [A]}
  b: {aliases: [B]}
  c: {aliases: [C]}
  d: {aliases: [D]}
  e: {aliases: [E]}
lists:
  codes: [x, y, "a,b", 'q"q']
rules:
  - {id: S.01, field: a, severity: error, check: present(a), message: m}
  - {id: S.02, field: a, severity: error, check: len(a) <= 4, message: m}
  - {id: S.03, field: a, severity: error, check: "len(a) > 1 or a == 'z'", message: m}
  - {id: S.04, field: b, severity: error, check: "b in @codes", message: m}
  - {id: S.05, field: b, severity: warning, check: "b != 'y'", message: m}
  - {id: S.06, field: c, severity: error, check: "upper(c) matches '[A-C][0-9]{2}'", message: m}
  - {id: S.07, field: a, severity: error, check: "lower(a) matches '[a-zé ]+'", message: m}
  - {id: S.08, field: c, severity: error, check: "not (c in ['b12', 'B12'])", message: m}
  - {id: S.09, field: d, severity: error, check: is_date(d), when: present(d), message: m}
  - {id: S.10, field: d, severity: warning, check: "years_between(date(d), today()) >= 18",
     when: is_date(d), message: m}
  - {id: S.11, field: d, severity: info, check: "years_between(date(d), today()) < 60",
     when: is_date(d), message: m}
  - {id: S.12, field: e, severity: error, check: "weighted_sum(e, [3, 1, 3, 1]) % 10 == 0",
     when: "e matches '[0-9]{4}'", message: m}
  - {id: S.13, field: e, severity: error, check: "e matches '[0-9]+' and len(e) >= 4",
     message: m}
  - {id: S.14, field: [a, b], severity: info, check: "a != b", message: m}
  - {id: S.15, field: c, severity: error, check: "upper(trim(c)) matches '[A-C][0-9]{2}'",
     message: m}
  - {id: S.16, field: a, severity: error, check: "not (a matches '.*[bz]{2}.*')", message: m}
  - {id: S.17, field: a, severity: warning, check: "a matches '.*c.*'", message: m}
  - {id: S.18, field: d, severity: error, check: "date(d) <= today()", when: is_date(d),
     message: m}
  - {id: S.19, field: b, severity: warning, check: "not (b matches '[qz]')", message: m}
  - {id: S.20, field: e, severity: info, check: "present(a) and len(e) != 3", message: m}
  - {id: S.21, field: a, severity: error, check: "a matches '[a-cz ]{1,3}'", message: m}
  - {id: S.22, field: e, severity: warning, check: "e matches '[0-9]{2,6}'", message: m}
"""
SHAPE_HEADINGS = ["A", "B", "C", "D", "E", "Note"]
CELLS = {
    "a": ["", " ", "  ", "a", "ab", "abcd", "abcde", "z", " z", "z ", "é", "ß", "x", "abbc",
          "zz", "ac", " abc", "abc ", "c", "bzc"],
    "b": ["", "x", "y", "z", "X", " x", "x ", "a", "b", "q"],
    "c": ["", "a12", "A12", "b12", "B12", "c", "C", "é1", "É1", "ı1", "A1", "a123", " a12",
          "A12 ", " A12",
          "\u0130", "ab9"],
    "d": ["", "2000-01-01", "2030-06-01", "2026-12-02", "2026-12-03", "2008-12-01",
          "2008-12-02", "2008-12-03", "1966-12-02",
          "1966-12-03", "1900-02-29", "2000-02-29", "2001-02-29", "2012-13-01", "0000-01-01",
          "2000-1-01", "２０００-01-01", " 2000-01-01", "9999-12-31", "0001-01-01"],
    "e": ["", "0000", "1234", "3030", "0013", "123", "12345", "٠٠٠٠", " 0000", "abcd"],
}


CLEAN = {"a": "abc", "b": "x", "c": "A12", "d": "1990-05-05", "e": "0000"}


def shapes_pack(tmp_path: Path) -> Path:
    path = tmp_path / "shapes.yaml"
    path.write_text(SHAPES, "utf-8")
    return path


def shapes_file(seed: int, count: int, ending: str = "\n") -> str:
    rng = random.Random(seed)
    rows = [",".join(SHAPE_HEADINGS)]
    for _ in range(count):
        if rng.random() < 0.6:  # mostly clean lines, as real files are
            row = [*CLEAN.values(), "note"]
        else:
            row = [rng.choice(CELLS[f]) for f in "abcde"] + [rng.choice(["", "n", '"q"'])]
        rows.append(",".join(row))
    return ending.join(rows) + ending


# --- each translation accepts only passing cells -------------------------------------------

@pytest.mark.parametrize("today", [dt.date(2026, 12, 2), dt.date(2024, 2, 29),
                                   dt.date(2025, 2, 28), dt.date(2025, 3, 1)])
def test_a_line_proven_clean_breaks_no_rule(tmp_path: Path, today: dt.date) -> None:
    pack = load_pack(shapes_pack(tmp_path))
    compiled = compile_pack(pack, today=today)
    columns = {field: index for index, field in enumerate("abcde")}
    proof = line_proof(compiled, Layout(",", 6, columns))
    assert proof is not None
    rng = random.Random(7)
    proven = 0
    for _ in range(4000):  # one or two cells of each line from the list, the rest clean
        cells = [rng.choice(CELLS[f]) if rng.random() < 0.3 else CLEAN[f] for f in "abcde"]
        line = ",".join([*cells, "n"]) + "\n"
        values = tuple(None if not c or c.isspace() else c for c in cells)
        if proof.proves(line, 1, 2):
            proven += 1
            assert compiled.hits(values) == [], cells
    assert proven > 100  # the proof is not a refusal of everything


def test_a_birthday_turns_the_age_on_the_day(tmp_path: Path) -> None:
    pack = load_pack(shapes_pack(tmp_path))
    for today in (dt.date(2026, 12, 2), dt.date(2024, 2, 29), dt.date(2023, 3, 1)):
        compiled = compile_pack(pack, today=today)
        proof = line_proof(compiled, Layout(",", 6, {f: i for i, f in enumerate("abcde")}))
        assert proof is not None
        start = today.replace(year=today.year - 18, day=1) - dt.timedelta(days=40)
        for offset in range(80):
            born = start + dt.timedelta(days=offset)
            line = f"abc,x,A12,{born.isoformat()},0000,n\n"
            adult = years_between(born, today) >= 18
            if proof.proves(line, 1, 2):
                assert adult, (today, born)
            elif born.month != 2 or born.day != 29:
                assert not adult, (today, born)  # a real adult's date is proven


def test_refused_shapes_stay_with_python(tmp_path: Path) -> None:
    pack = load_pack(BENCH_PACK)
    compiled = compile_pack(pack)
    syntax = CellSyntax(",")
    lists = lists_of(pack)
    today = dt.date(2026, 12, 2)
    translated = {t.rule.id: cell_check(t.code.check, t.field, syntax, lists, today)
                  for t in compiled.targets}
    assert translated["B.NAMES.04"] is None  # contains_word: a set lookup, whatever the list
    assert translated["B.ULN.02"] is not None and translated["B.ULN.02"].column is not None
    assert all(translated[rule] is not None for rule in (
        "B.GIVEN.01", "B.NAMES.02", "B.NAMES.03", "B.ULN.01", "B.DOB.01", "B.DOB.02",
        "B.GENDER.01", "B.POSTCODE.01", "B.EMAIL.01", "B.SHARE.01", "B.SHARE.02"))


def test_a_case_mapping_takes_ascii_letters_of_the_other_case() -> None:
    # upper(postcode) matches P: a lower-case postcode is proven clean as an upper-case
    # one is; a letter outside ASCII that upper() maps into P (the long s, to S) is left
    # to the check itself, as are letters the mapping does not take into P.
    pack = load_pack(BENCH_PACK)
    compiled = compile_pack(pack)
    target = next(t for t in compiled.targets if t.rule.id == "B.POSTCODE.01")
    translated = cell_check(target.code.check, target.field, CellSyntax(","),
                            lists_of(pack), dt.date(2026, 12, 2))
    assert translated is not None
    cell = re.compile(f"{translated.assertion}[^,]*")

    def proven(text: str) -> bool:
        return cell.fullmatch(text) is not None

    assert proven("NE1 4ST") and proven("ne1 4st") and proven("Ne1 4sT")
    hits = compiled.hits((None, None, None, None, None, "ne1 4\u017ft", None, None))
    assert "B.POSTCODE.01" not in {hit.target.rule.id for hit in hits}
    assert not proven("ne1 4\u017ft")  # upper() makes it NE1 4ST: not proven, checked
    assert not proven("ne1 4ct") and not proven("NE1 4CT")  # C is not a last letter
    # A letter of the other case that is the file's delimiter is never part of a cell.
    letter = cell_check(target.code.check, target.field, CellSyntax("s"), lists_of(pack),
                        dt.date(2026, 12, 2))
    assert letter is not None
    in_cell = re.compile(letter.assertion)  # at a cell's start, what follows it
    assert in_cell.match("ne1 4st") is None and in_cell.match("NE1 4ST") is not None
    assert in_cell.match("ne1 4ut") is not None and in_cell.match("ne1 4ct") is None


def test_check_digits_at_once_are_weighted_sum_one_by_one() -> None:
    rng = random.Random(3)
    for weights, modulus, remainder in (((10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 11, 10),
                                        ((3, 1, 3, 1), 10, 0), ((0, 7), 3, 1)):
        digits = CheckDigits(weights, modulus, remainder)
        texts = ["".join(rng.choice("0123456789") for _ in weights) for _ in range(3000)]
        texts += ["0" * len(weights), "9" * len(weights)]
        expected = bytes(weighted_sum(t, list(weights)) % modulus != remainder for t in texts)
        assert digits.failures(texts) == expected
    assert CheckDigits((1,), 2, 0).failures([]) == b""


# --- blocks of lines ---------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1000])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", "mixed"])
def test_blocks_hold_the_lines_one_by_one_gives(size: int, ending: str) -> None:
    rng = random.Random(size)
    parts = []
    for index in range(200):
        end = rng.choice(["\n", "\r\n", "\r"]) if ending == "mixed" else ending
        parts.append("x" * rng.randint(0, 30) + str(index) + end)
    text = "".join(parts) + "last, no break"
    expected = list(BoundedLines(io.StringIO(text, newline=""), "f", end_mark=True))
    lines = BoundedLines(io.StringIO(text, newline=""), "f", end_mark=True)
    got: list[str] = []
    while True:
        block = lines.block(size)
        if block is None:
            break
        assert block.endswith(("\n", "\r"))
        got += prooftrial.lines_of(block)
    got += list(lines)
    assert got == expected


def test_a_block_never_holds_a_line_past_the_limit() -> None:
    text = "a,b\n" * 3 + "x" * (MAX_LINE_CHARS + 10) + "\nc,d\n"
    lines = BoundedLines(io.StringIO(text, newline=""), "big.csv")
    with pytest.raises(InputError) as caught:
        while lines.block(5) is not None:
            pass
    assert caught.value.problems[0].location.line == 4



@pytest.mark.parametrize("told", [True, False])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_a_line_after_blocks_is_numbered_whether_the_reader_says_their_lines(
        told: bool, ending: str) -> None:
    # A reader may say how many lines a block held (``took``) or leave them to be counted.
    text = f"a,b{ending}" * 40 + "x" * (MAX_LINE_CHARS + 10) + f"{ending}c,d{ending}"
    lines = BoundedLines(io.StringIO(text, newline=""), "big.csv", line_offset=2)
    with pytest.raises(InputError) as caught:
        for _ in range(3):
            block = lines.block(20)
            assert block is not None
            if told:
                lines.took(len(prooftrial.lines_of(block)))
        while True:
            next(lines)
    assert caught.value.problems[0].location.line == 2 + 41

def test_lines_given_back_come_before_the_next_block() -> None:
    lines = BoundedLines(io.StringIO("a\nb\nc\n", newline=""), "f")
    lines.push_lines(["x\n", "y\n"])
    assert lines.block(100) is None
    assert [next(lines), next(lines)] == ["x\n", "y\n"]
    assert lines.block(100) == "a\nb\nc\n"


# --- whole runs ----------------------------------------------------------------------------

@pytest.fixture(params=[(50, "proof"), (997, "trial"), (997, "plain"), (1 << 18, "proof")],
                ids=lambda param: f"block{param[0]}-{param[1]}")
def blocks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Blocks of a size, read with the proof, without it, or as the trial of the two
    (timed, so either) chooses."""
    size, way = request.param
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 5)
    monkeypatch.setattr(csvsource, "BLOCK_CHARS", size)
    monkeypatch.setattr(prooftrial, "WARM_LINES", 50)  # both ways tried within the file
    if way != "trial":
        monkeypatch.setattr(prooftrial.ProofTrial, "starts", lambda self, block: way == "proof")
    return int(size)


@pytest.mark.parametrize("pack", ["default", "bench"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_runs_with_blocks_of_any_size_match_the_plain_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: int, pack: str,
        ending: str) -> None:
    data = tmp_path / "learners.csv"
    data.write_text(learners(blocks + len(ending), 900, ending=ending, bom=True), "utf-8",
                    newline="")
    args = [] if pack == "default" else ["--pack", str(BENCH_PACK)]
    report = same_both_ways(tmp_path, monkeypatch, str(data), *args, "--format", "jsonl",
                            "--show-values")
    assert report.count(b"\n") > 100


@pytest.mark.parametrize("pack", ["default", "bench"])
def test_files_without_quotes_match_the_plain_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: int, pack: str) -> None:
    # Blocks without a quote, which the proof reads by its simpler expression: faulty
    # ULNs, names, dates and codes side by side with check digits and placeholders tested
    # by column.
    text = learners(blocks + 7, 6000)
    kept = "\n".join(line for line in text.split("\n") if '"' not in line)
    data = tmp_path / "learners.csv"
    data.write_text(kept, "utf-8", newline="")
    args = [] if pack == "default" else ["--pack", str(BENCH_PACK)]
    report = same_both_ways(tmp_path, monkeypatch, str(data), *args, "--format", "jsonl",
                            "--show-values")
    rules = {json.loads(line)["rule"] for line in report.splitlines()}
    assert len(rules) > 8


def bench_learners(path: Path, count: int) -> None:
    """The benchmarks' generated learners (``make_learners.py``), ``count`` of them."""
    import subprocess
    import sys

    subprocess.run([sys.executable, str(BENCH_PACK.parents[1] / "make_learners.py"),
                    str(count), str(path)], check=True)


@pytest.mark.parametrize("long_lines", [False, True], ids=["", "some-long-lines"])
@pytest.mark.parametrize("pack", ["default", "bench"])
def test_the_benchmarks_learners_proven_match_the_plain_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pack: str, long_lines: bool) -> None:
    # The benchmarks' generated file (no quotes; about one record in five faulty, faulty
    # ULNs among them beside check digits tested by column), every block proven. With
    # some lines longer than the long length limits the proof leaves out (too few for it
    # to read them again): long notes, and e-mail addresses too long.
    data = tmp_path / "learners.csv"
    bench_learners(data, 20000)
    if long_lines:
        lines = data.read_text("utf-8").splitlines(keepends=True)
        for number in range(1, len(lines), 41):
            cells = lines[number].rstrip("\r\n").split(",")
            if number % 2:
                cells[-1] = "long note " * 30
            else:
                cells[6] = "a" * 250 + cells[6]
            lines[number] = ",".join(cells) + "\r\n"
        data.write_text("".join(lines), "utf-8", newline="")
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 5)
    monkeypatch.setattr(prooftrial.ProofTrial, "starts", lambda self, block: True)
    args = [] if pack == "default" else ["--pack", str(BENCH_PACK)]
    report = same_both_ways(tmp_path, monkeypatch, str(data), *args, "--format", "jsonl")
    assert report.count(b"B.ULN.02" if pack == "bench" else b"\n") > 300


ERRORS_PACK = """\
pack: errors
version: 1.0.0
fields:
  given_name: {aliases: [GivenName]}
  uln: {aliases: [ULN]}
  gender: {aliases: [Gender]}
rules:
  - {id: E.01, field: given_name, severity: error, check: present(given_name), message: m}
  - id: E.02
    field: uln
    severity: error
    check: "weighted_sum(uln, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]) % 11 == 10"
    message: m
  - {id: E.03, field: gender, severity: info, check: "gender != '2'", message: m}
"""


def errors_file(tmp_path: Path, count: int = 6000) -> tuple[Path, Path, list[str]]:
    """``ERRORS_PACK``, and a file of ``count`` lines for it: most clean, some with
    findings, ULNs of letters (a rule that cannot be evaluated), blank lines and lines of
    one cell too many; and its lines."""
    pack = tmp_path / "errors.yaml"
    pack.write_text(ERRORS_PACK, "utf-8")
    rng = random.Random(5)
    lines = ["GivenName,ULN,Gender,Note"]
    for _ in range(count):
        roll = rng.random()
        uln = rng.choice(["9999999998", "9999999990", "99999x9998", "12", ""])
        row = [rng.choice(["Ann", "", "Bo"]), uln, rng.choice("0122"), "n" * rng.randint(0, 9)]
        if roll < 0.01:
            lines.append("")
        elif roll < 0.02:
            lines.append(",".join([*row, "extra"]))
        elif roll < 0.6:
            lines.append("Ann,9999999998,1,")
        else:
            lines.append(",".join(row))
    data = tmp_path / "learners.csv"
    data.write_text("\n".join(lines) + "\n", "utf-8", newline="")
    return pack, data, lines


def test_a_blocks_findings_written_together_match_the_plain_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A proven block's lines with findings are checked together and their findings written
    # as one text (Run._texts_of): the same report as the plain path's, with records whose
    # rule could not be evaluated (a ULN of letters) among them, blank and ragged lines
    # (read by csv, the block's records before them handed over first) and lines of one
    # cell too many.
    from lrsrules.run import pipeline

    pack, data, lines = errors_file(tmp_path)
    together: list[int] = []
    texts_of = pipeline.Run._texts_of

    def spied(run: pipeline.Run, records: list, *args: Any) -> object:
        together.append(len(records))
        return texts_of(run, records, *args)

    monkeypatch.setattr(pipeline.Run, "_texts_of", spied)
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 5)
    monkeypatch.setattr(csvsource, "BLOCK_CHARS", 4096)
    monkeypatch.setattr(prooftrial.ProofTrial, "starts", lambda self, block: True)
    report = same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(pack),
                            "--format", "jsonl")
    assert len(together) > 10 and sum(together) > 1000
    rules = [json.loads(line)["rule"] for line in report.splitlines()]
    assert {"E.01", "E.02", "E.03", "INPUT.RECORD"} <= set(rules)
    assert any("could not be evaluated" in line for line in report.decode().splitlines())
    # The totals count each record once, by either way.
    import lrsrules
    from lrsrules.report.reporters import JsonLinesPart

    summaries = []
    for plain in (False, True):
        if plain:
            monkeypatch.setenv("LRSRULES_NO_FAST_PATHS", "1")
        else:
            monkeypatch.delenv("LRSRULES_NO_FAST_PATHS", raising=False)
        run = lrsrules.validate(str(data), str(pack))
        text = "".join(item for item in run.reported(JsonLinesPart(False))
                       if isinstance(item, str))
        summaries.append((run.summary, len(text.splitlines()) if not plain else None))
    (fast, written), (slow, _) = summaries
    assert fast == slow
    assert fast.records == 6000 - lines.count("") and written


def test_a_workers_blocks_hand_their_texts_to_its_part_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In a worker, the records of a block made together hand each one's text to the
    # part's writer (``Run.results``' ``text_sink``), not one by one through the run: the
    # same report as one worker's and as the plain path's, with records whose rule could
    # not be evaluated (their findings made, in their places) and blank and ragged lines.
    # The workers are this process's (each part checked as it is submitted), so that
    # what the parts do is seen here.
    from concurrent.futures import Future

    from lrsrules.run import localpool, parallel, pipeline

    class InProcess:
        count = 2

        def __init__(self, recipe: Any) -> None:
            self.recipe = recipe

        def submit(self, task: Any) -> Future[Any]:
            done: Future[Any] = Future()
            done.set_result(localpool.run_part(task, self.recipe))
            return done

        def close(self) -> None:
            pass

    sunk: list[int] = []
    texts_of = pipeline.Run._texts_of

    def spied(run: pipeline.Run, records: list, text_of: Any, sink: Any = None) -> Any:
        if sink is not None:
            sunk.append(len(records))
        return texts_of(run, records, text_of, sink)

    monkeypatch.setattr(localpool, "local_workers", lambda count: InProcess)
    monkeypatch.setattr(pipeline.Run, "_texts_of", spied)
    pack, data, _ = errors_file(tmp_path, 20_000)
    monkeypatch.setattr(parallel, "PART_BYTES", 60_000)
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 5)
    monkeypatch.setattr(csvsource, "BLOCK_CHARS", 4096)
    monkeypatch.setattr(prooftrial.ProofTrial, "starts", lambda self, block: True)
    one = same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(pack),
                         "--format", "jsonl")
    assert not sunk
    two = same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(pack),
                         "--format", "jsonl", "--workers", "2")
    assert two == one
    assert len(sunk) > 100 and sum(sunk) > 3000
    assert b"could not be evaluated" in two


def test_every_translated_shape_matches_the_plain_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: int) -> None:
    data = tmp_path / "shapes.csv"
    data.write_text(shapes_file(blocks, 3000), "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), "--pack",
                            str(shapes_pack(tmp_path)), "--format", "jsonl", "--show-values")
    rules = {json.loads(line)["rule"] for line in report.splitlines()}
    assert {f"S.{n:02d}" for n in range(1, 21)} <= rules  # every rule fired somewhere


def test_repeats_among_proven_lines_name_the_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: int) -> None:
    # Clean lines only, with ULNs repeating: the unique rule sees proven lines too.
    rows = [",".join(HEADINGS)]
    ulns = ["9990000010", "9990000029", "9990000037", "9990000045"]
    for index in range(600):
        uln = ulns[index % 4] if index % 50 == 7 else f"{1000000000 + index * 11}"
        rows.append(f"Ann,Lee,{uln},2001-05-17,1,CV1 2WT,ann@example.org,1,")
    data = tmp_path / "repeats.csv"
    data.write_text("\n".join(rows) + "\n", "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), "--format", "jsonl")
    assert b"first seen at record" in report


def test_the_count_of_records_includes_the_proven(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: int) -> None:
    data = tmp_path / "shapes.csv"
    data.write_text(shapes_file(1, 700), "utf-8", newline="")
    report = same_both_ways(tmp_path, monkeypatch, str(data), "--pack",
                            str(shapes_pack(tmp_path)), "--format", "json")
    assert json.loads(report)["summary"]["records"] == 700


@pytest.mark.parametrize("pack", ["bench", "shapes", "default"])
def test_two_workers_prove_what_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         pack: str) -> None:
    # Parts of some 6,000 records: each worker may prove lines after its first 512, up
    # to the line where the next part begins (the default pack's unique rules: none
    # skipped). The one-worker run is made to prove; each worker's trial chooses.
    from lrsrules.run import parallel

    monkeypatch.setattr(parallel, "PART_BYTES", 300_000 if pack == "shapes" else 600_000)
    monkeypatch.setattr(prooftrial, "MARGIN", 1e9)
    data = tmp_path / "learners.csv"
    if pack == "shapes":
        data.write_text(shapes_file(5, 20_000), "utf-8", newline="")
        args = ["--pack", str(shapes_pack(tmp_path))]
    else:
        data.write_text(learners(17, 14_000, bom=True), "utf-8", newline="")
        args = ["--pack", str(BENCH_PACK)] if pack == "bench" else []
    one = same_both_ways(tmp_path, monkeypatch, str(data), *args, "--format", "json")
    two = same_both_ways(tmp_path, monkeypatch, str(data), *args, "--format", "json",
                         "--workers", "2")
    assert one == two
    assert json.loads(one)["summary"]["records"] > 13_000


@pytest.mark.parametrize("pack", ["default", "bench", "shapes"])
def test_files_with_every_cell_quoted_match_the_plain_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: int, pack: str) -> None:
    # As many MIS exports write them: "Ann","Lee",... (and some cells quoted, some not).
    import csv

    source = shapes_file(blocks, 2000) if pack == "shapes" else learners(blocks, 900)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for index, row in enumerate(csv.reader(io.StringIO(source, newline=""))):
        writer.writerow(row) if index % 7 else out.write(",".join(row) + "\r\n")
    data = tmp_path / "quoted.csv"
    data.write_text(out.getvalue(), "utf-8", newline="")
    args = {"default": [], "bench": ["--pack", str(BENCH_PACK)],
            "shapes": ["--pack", str(shapes_pack(tmp_path))]}[pack]
    report = same_both_ways(tmp_path, monkeypatch, str(data), *args, "--format", "jsonl",
                            "--show-values")
    assert report.count(b"\n") > 100


def trial_ways(monkeypatch: pytest.MonkeyPatch, times: list[float], *, blocks: int | None = None,
               warmed: int = 0) -> tuple[list[bool], prooftrial.ProofTrial]:
    """The ways a trial takes for ``blocks`` blocks of two lines (all of ``times``, by
    default), the clock reading ``times`` one after another; and the trial."""
    clock = iter(times)
    monkeypatch.setattr(prooftrial.time, "process_time", lambda: next(clock))
    trial = prooftrial.ProofTrial(warmed=warmed)
    return [trial.starts("a\nb\n") for _ in range(len(times) if blocks is None else blocks)], trial


def test_the_trial_reads_both_ways_then_keeps_the_faster(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # Plain blocks take 0.5 s, proven ones 1 s, once warm: the proof's first block (slow)
    # is not timed, nor are the plain way's first two (the first slow), read until it is
    # warm after WARM_LINES lines.
    monkeypatch.setattr(prooftrial, "WARM_LINES", 4)
    ways, trial = trial_ways(monkeypatch, [0.0, 9.0, 18.0, 19.0, 19.5, 20.5, 21.0, 22.0])
    assert ways == [True, False, False, False, True, False, True, False]
    assert trial.chosen is False


@pytest.mark.parametrize(("proven", "plain", "chosen"), [
    (3, True, True), (2, True, None), (4, False, None)])
def test_a_plain_proof_that_proves_most_of_its_first_block_is_kept_at_once(
        monkeypatch: pytest.MonkeyPatch, proven: int, plain: bool, chosen: bool | None
        ) -> None:
    # The proof's first block comes first: where the proof runs nothing for a proven line
    # and proved at least CLEAN_SHARE of the block's lines (3 of 4, not 2), the plain way
    # is never timed; else (or where proven lines run a check of their own) the trial
    # goes on, the plain way read next.
    monkeypatch.setattr(prooftrial, "WARM_LINES", 4)
    clock = iter([0.0, 1.0, 2.0])
    monkeypatch.setattr(prooftrial.time, "process_time", lambda: next(clock))
    trial = prooftrial.ProofTrial()
    assert trial.starts("a\nb\nc\nd\n") is True
    trial.proved(4, proven, plain=plain)
    assert trial.chosen is chosen
    assert trial.starts("a\nb\n") is (chosen is True)
    trial.proved(2, 2, plain=True)  # only the first block is judged so
    assert trial.chosen is chosen


def test_the_reader_tells_the_trial_what_the_first_block_proved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On the benchmarks' learners (about three lines in four clean) the bench pack's
    # proof is plain and proves most of its first block: kept at once, the findings
    # those of the plain path.
    told: list[tuple[int, int, bool]] = []
    proved = prooftrial.ProofTrial.proved

    def spied(self: prooftrial.ProofTrial, lines: int, proven: int, *, plain: bool) -> None:
        told.append((lines, proven, plain))
        proved(self, lines, proven, plain=plain)

    monkeypatch.setattr(prooftrial.ProofTrial, "proved", spied)
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 100)
    data = tmp_path / "learners.csv"
    bench_learners(data, 6000)
    import lrsrules

    run = lrsrules.validate(data, BENCH_PACK)
    found = list(run)
    assert run.source.proof_chosen is True
    [(lines, proven, plain)] = told
    assert plain and lines > 100 and proven >= lines * prooftrial.CLEAN_SHARE
    monkeypatch.setenv("LRSRULES_NO_FAST_PATHS", "1")
    assert found == list(lrsrules.validate(data, BENCH_PACK))


def test_a_warm_plain_way_is_timed_from_its_first_block(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    # The records read before the proof warmed the plain way: the proof's first block
    # warms up, then both are timed (plain 1 s a block, proven 0.5 s: the proof wins).
    monkeypatch.setattr(prooftrial, "WARM_LINES", 4)
    ways, trial = trial_ways(monkeypatch, [0.0, 9.0, 10.0, 10.5, 11.5, 12.0, 12.0],
                             blocks=6, warmed=4)
    assert ways == [True, False, True, False, True, True]
    assert trial.chosen is True


def test_a_proof_far_faster_than_the_cold_plain_way_is_kept_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Timed after EARLY_WARM_LINES (2) lines the plain way: plain 1 s a block, proven
    # 0.5 s, within EARLY_MARGIN: kept without warming the plain way to WARM_LINES (40).
    monkeypatch.setattr(prooftrial, "WARM_LINES", 40)
    monkeypatch.setattr(prooftrial, "EARLY_WARM_LINES", 2)
    ways, trial = trial_ways(monkeypatch, [0.0, 9.0, 10.0, 10.5, 11.5, 12.0, 12.0],
                             blocks=6, warmed=2)
    assert ways == [True, False, True, False, True, True]
    assert trial.chosen is True


def test_a_proof_not_far_faster_cold_is_timed_again_once_the_plain_way_is_warm(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Cold, the proof takes 0.8 of the plain way's time (outside EARLY_MARGIN): the plain
    # way reads on until WARM_LINES (8) lines, untimed, then both are timed afresh, and
    # the warm plain way (0.75 s a block against the proof's 1 s) is kept.
    monkeypatch.setattr(prooftrial, "WARM_LINES", 8)
    monkeypatch.setattr(prooftrial, "EARLY_WARM_LINES", 2)
    times = [0.0, 9.0, 10.0, 10.8, 11.8, 12.6,  # proof warm-up, then 1/0.8 twice: unclear
             13.6,  # one more block the plain way, untimed: 8 lines read that way
             14.6, 15.6, 16.1, 17.1, 17.6, 18.6]  # timed again: plain 1 s, 0.5 s; proof 1 s
    ways, trial = trial_ways(monkeypatch, times, warmed=2)
    assert ways == [True, False, True, False, True, False, False,
                    True, False, True, False, False, False]
    assert trial.chosen is False


@pytest.mark.parametrize("large", [False, True])
def test_a_large_file_makes_its_proof_after_fewer_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool) -> None:
    import lrsrules

    monkeypatch.setattr(prooftrial, "MARGIN", 1e9)  # proving is chosen
    monkeypatch.setattr(prooftrial, "WARM_LINES", 100)
    data = tmp_path / "learners.csv"
    data.write_text(learners(3, 1500), "utf-8", newline="")
    size = data.stat().st_size
    monkeypatch.setattr(csvsource, "LARGE_BYTES", size if large else size + 1)
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 1000)
    monkeypatch.setattr(csvsource, "PROVE_EARLY", 100)
    monkeypatch.setattr(csvsource, "BLOCK_CHARS", 2000)
    made_after: list[int] = []
    run = lrsrules.validate(data, BENCH_PACK)
    make = run.source.prove_lines

    def spied(maker: object, **options: object) -> None:
        def counted(*args: object) -> object:
            made_after.append(run._tally.records)  # all read the plain way so far
            return maker(*args)  # type: ignore[operator]
        make(counted, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(run.source, "prove_lines", spied)
    found = list(run)
    assert run.source.proven > 0
    monkeypatch.setenv("LRSRULES_NO_FAST_PATHS", "1")
    assert found == list(lrsrules.validate(data, BENCH_PACK))
    assert made_after == [100 if large else 1000]


def test_an_expression_too_big_proves_nothing_and_loses_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lrsrules.run import lineshape

    monkeypatch.setattr(lineshape, "MAX_PROOF_CHARS", 10)
    monkeypatch.setattr(prooftrial.ProofTrial, "starts", lambda self, block: True)
    pack = compile_pack(load_pack(shapes_pack(tmp_path)))
    proof = line_proof(pack, Layout(",", 6, {f: i for i, f in enumerate("abcde")}))
    assert proof is not None
    line = ",".join([*CLEAN.values(), "n"]) + "\n"
    assert not proof.proves(line, 1, 2)
    assert list(proof.unproven(line * 3, 0, 1)) == [(line, 0, None)] * 3 + [("", 0, None)]


@pytest.mark.parametrize("pattern", [
    r"[a-z]+(\.[a-z]+)*@[a-z][a-z\-]{0,61}[a-z](\.[a-z][a-z\-]{0,61}[a-z])*\.[a-z]{2,6}",
    r"(ab|a)(c[ab]+)*d", r"x[ab]{0,40}b(-[ab]{1,3}){2,5}", r"((a|b)c)*"])
def test_a_sublanguage_matches_only_what_its_pattern_matches(pattern: str) -> None:
    import re

    from lrsrules.lang.backtracking import sufficient_form, written

    form = sufficient_form(pattern)
    assert form is not None
    sub, whole = re.compile(written(form)), re.compile(pattern)
    rng = random.Random(pattern)
    matched = 0
    for _ in range(20_000):
        text = "".join(rng.choice("abcdxz.-@") for _ in range(rng.randint(0, 14)))
        if sub.fullmatch(text):
            matched += 1
            assert whole.fullmatch(text), text
    samples = ["ann.lee@example.org", "abcabd", "xab-ab-b", "ac"]
    assert matched or any(sub.fullmatch(text) for text in samples)
    assert any(sub.fullmatch(text) and whole.fullmatch(text) for text in samples)


@pytest.mark.parametrize(("body", "classes", "low", "high", "sample"), [
    ("[A-Za-z][a-z']{0,}", ["[a-zA-Z]", '[^,"\\x00\\r\\n]'], 1, 35, "Ab"),
    ("[a-c][a-z]{0,}", ["[b-y]", "[^d]"], 0, 4, "bxy"),
    ("[0-9]{2}[a-z]{1,}[A-Z]{0,2}", ["[^x]"], 4, 6, "00abA"),
    ("[a-x][a-z]{0,3}x?", ["[a-c]"], 0, None, "abc"),
    ("[ab]{2,5}", ["[bc]", "[b-z]"], 3, 3, "bbb"),
])
def test_a_pattern_narrowed_matches_what_all_its_parts_match(
        body: str, classes: list[str], low: int, high: int | None, sample: str) -> None:
    import re

    from lrsrules.lang.backtracking import narrowed

    found = narrowed(body, classes, low, high)
    assert found is not None
    pattern, says_length = found
    narrow, whole = re.compile(pattern), re.compile(body)
    sets = [re.compile(f"{chars}*") for chars in classes]
    rng = random.Random(body)
    for _ in range(20_000):
        text = "".join(rng.choice("abcdxyzAB0'-,") for _ in range(rng.randint(0, 8)))
        every = (whole.fullmatch(text) is not None
                 and all(chars.fullmatch(text) for chars in sets))
        fits = low <= len(text) <= (high if high is not None else len(text))
        if narrow.fullmatch(text):
            assert every, text
            assert fits or not says_length, text
        elif says_length:
            assert not (every and fits), text  # nothing of the texts all take is lost
    assert narrow.fullmatch(sample)


def test_no_text_left_narrows_to_nothing() -> None:
    from lrsrules.lang.backtracking import narrowed

    assert narrowed("[ab]{2}", ["[c]"], 0, None) is None
    assert narrowed("[ab]{1,3}", ["[a]"], 4, 9) is None
    assert narrowed("ab|cd", ["[a-d]"], 0, None) is None  # not a sequence of sets


BENCH_COLUMNS = {field: HEADINGS.index(heading) for field, heading in [
    ("given_name", "GivenName"), ("family_name", "FamilyName"), ("uln", "ULN"),
    ("date_of_birth", "DateOfBirth"), ("gender", "Gender"),
    ("last_known_postcode", "LastKnownPostCode"), ("email_address", "EmailAddress"),
    ("ability_to_share", "AbilityToShare")]}
GOOD = ("Ann", "Lee", "9999999998", "2001-05-17", "1", "SW1A 1AA", "ann@example.org", "1", "")


def bench_proof() -> tuple[CompiledPack, dict[str, int], RowProof]:
    """The bench pack compiled, its fields' columns in a file of ``HEADINGS``, its proof."""
    pack = compile_pack(load_pack(BENCH_PACK))
    proof = line_proof(pack, Layout(",", len(HEADINGS), BENCH_COLUMNS))
    assert proof is not None
    return pack, BENCH_COLUMNS, proof


def test_a_line_failing_only_a_column_is_checked_by_that_columns_part() -> None:
    # Check digits and placeholder names are tested over the column: a line that fails
    # only them matches the clean line, and its record needs only the part of the check
    # for those fields, which gives what the whole check gives.
    pack, columns, proof = bench_proof()
    good = list(GOOD)
    cases = {  # the cells changed -> the rules the line breaks
        (("ULN", "9999999990"),): ["B.ULN.02"],
        (("GivenName", "Test"),): ["B.NAMES.04"],
        (("FamilyName", "Unknown"), ("ULN", "1234567890")): ["B.NAMES.04", "B.ULN.02"],
        # Codes are answered by value: an opted-out learner, a gender no list holds.
        (("AbilityToShare", "2"),): ["B.SHARE.02"],
        (("Gender", "X"), ("AbilityToShare", "7")): ["B.GENDER.01", "B.SHARE.01"],
        (): [],
    }
    for changed, rules in cases.items():
        cells = list(good)
        for heading, value in changed:
            cells[HEADINGS.index(heading)] = value
        line = ",".join(cells) + "\n"
        given = [item for item in proof.unproven(line, 0, 1) if item[0]]
        if not rules:
            assert given == []  # proven clean
            continue
        [(text, _, part)] = given
        assert text == line and part is not None, changed
        values = tuple(cells[columns[field]] or None for field in pack.fields)
        assert part(values) == pack.check(values)
        assert sorted(pack.targets[hit].rule.id for hit in part(values)) == sorted(rules)
    # Lines the clean line does not match (a name with a digit, a postcode) are checked
    # whole.
    for heading, value in [("GivenName", "J0hn"), ("LastKnownPostCode", "ZZ")]:
        cells = list(good)
        cells[HEADINGS.index(heading)] = value
        [(text, _, part)] = [item for item in proof.unproven(",".join(cells) + "\n", 0, 1)
                             if item[0]]
        assert part is None


def test_a_line_failing_only_columns_of_their_own_is_answered_by_value() -> None:
    # For a run that writes findings from the targets that fired, a line that fails only
    # columns whose targets read their own field alone needs no record: the proof gives
    # its hits (an ``Answered``, the pack's check function's own hits on the line), one
    # object for each set of hits; its record is then made without values.
    from lrsrules.inputs.records import Answered

    pack = compile_pack(load_pack(BENCH_PACK))
    proof = line_proof(pack, Layout(",", len(HEADINGS), BENCH_COLUMNS), answering=True)
    assert proof is not None
    cases = [(("ULN", "9999999990"),), (("GivenName", "Test"),),
             (("FamilyName", "Unknown"), ("ULN", "1234567890")), (("AbilityToShare", "2"),),
             (("Gender", "X"), ("AbilityToShare", "7"))]
    answers = []
    for changed in cases:
        cells = list(GOOD)
        for heading, value in changed:
            cells[HEADINGS.index(heading)] = value
        [(_, _, part)] = [item for item in proof.unproven(",".join(cells) + "\n", 0, 1)
                             if item[0]]
        values = tuple(cells[BENCH_COLUMNS[field]] or None for field in pack.fields)
        assert isinstance(part, Answered), changed
        assert list(part(())) == pack.check(values) != [], changed
        answers.append(part)
    again = list(GOOD)
    again[HEADINGS.index("AbilityToShare")] = "2"
    [(_, _, part)] = [item for item in proof.unproven(",".join(again) + "\n", 0, 1) if item[0]]
    assert part is answers[3]
    # Without ``answering`` (the run reads the records' values), each gets its part.
    plain = line_proof(pack, Layout(",", len(HEADINGS), BENCH_COLUMNS))
    assert plain is not None
    [(_, _, part)] = [item for item in plain.unproven(",".join(again) + "\n", 0, 1) if item[0]]
    assert part is not None and not isinstance(part, Answered)


def test_answered_records_are_written_as_the_plain_path_writes_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Lines answered by value (codes, check digits, placeholder names) among lines of
    # every other kind: the same report as the plain path's, by one worker and by two,
    # and in the formats that write values (which read the records, so nothing is
    # answered).
    from lrsrules.inputs.records import Answered

    made: list[int] = []
    from lrsrules.run import narrowing

    answer_for = narrowing.Narrowing.answer_for

    def spied(self: narrowing.Narrowing, *args: Any) -> Any:
        found = answer_for(self, *args)
        made.append(isinstance(found, Answered))
        return found

    from lrsrules.run import narrowing, parallel

    monkeypatch.setattr(narrowing.Narrowing, "answer_for", spied)
    data = tmp_path / "learners.csv"
    bench_learners(data, 8000)
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 5)
    monkeypatch.setattr(prooftrial.ProofTrial, "starts", lambda self, block: True)
    monkeypatch.setattr(parallel, "PART_BYTES", 300_000)  # three parts
    reports = [same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(BENCH_PACK),
                              "--format", "jsonl", *extra)
               for extra in ([], ["--workers", "2"])]
    assert reports[0] == reports[1] and reports[0].count(b"B.SHARE.02") > 500
    assert sum(made) > 500  # (in this process: the one-worker run's)
    made.clear()
    same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(BENCH_PACK),
                   "--format", "jsonl", "--show-values")
    assert not any(made)


def test_a_part_gives_every_line_from_its_end_on_once() -> None:
    # A part of a file proves no line from the next part's first on (``until``): those
    # come back to be read whole, each once, whether or not it fails a column test (a
    # wrong check digit), and the lines proven before them are counted as they are.
    proof = bench_proof()[2]
    good = list(GOOD)
    wrong_digit = list(good)
    wrong_digit[HEADINGS.index("ULN")] = "9999999990"
    unmatched = list(good)
    unmatched[HEADINGS.index("LastKnownPostCode")] = "ZZ"
    kinds = [good, wrong_digit, good, unmatched, wrong_digit, good, good, wrong_digit, good]
    lines = [",".join(cells) + "\n" for cells in kinds]
    for until in range(1, len(lines) + 2):
        found = proof.ending(until).unproven("".join(lines), 0, 0)
        # A block that runs past the part's end comes one line at a time (the reader
        # makes no record of a line it will not read); one within the part, as a list.
        assert isinstance(found, list) == (until > len(lines)), until
        given = list(found)
        assert given[-1][0] == ""  # the block's end
        # Each line is proven (counted in the next item given) or given, in order.
        seen = 0
        for text, proven, part in given:
            assert proven >= 0
            seen += proven
            if text:
                assert text == lines[seen], (until, seen)
                from_end = seen >= until - 1  # the lines numbered ``until`` and on
                assert (part is None) == (from_end or kinds[seen] is unmatched), (until, seen)
                seen += 1
        assert seen == len(lines), until


def test_long_length_limits_are_proven_by_the_lines_length() -> None:
    # The e-mail's limit (254) is not read cell by cell: a line no longer than it holds no
    # longer cell. A longer line is read the plain way, and when many are longer the proof
    # reads the limit again.
    pack, columns, proof = bench_proof()
    assert proof.shapes.bare.cap == LONG_LIMIT == 254
    good = list(GOOD)

    def line(**cells: str) -> str:
        row = list(good)
        for heading, value in cells.items():
            row[HEADINGS.index(heading)] = value
        return ",".join(row) + "\n"

    def given(block: str) -> list[tuple[str, object]]:
        return [(text, part) for text, _, part in proof.unproven(block, 0, 0) if text]

    too_long = line(EmailAddress="a" * 250 + "@example.org")
    long_notes = line(Notes="n" * 300)
    assert given(line()) == []
    # One long line in 21: read whole (its e-mail fails), the limit still left out.
    assert given(line() * 20 + too_long) == [(too_long, None)]
    values = tuple(too_long.rstrip("\n").split(",")[columns[field]] or None
                   for field in pack.fields)
    assert [pack.targets[hit].rule.id for hit in pack.check(values)] == ["B.EMAIL.01"]
    assert given(long_notes + line() * 20) == [(long_notes, None)]
    assert proof.shapes.bare.cap == 254
    many = line() * 10 + long_notes * 2  # 2 in 12: from the next block on, read the limit
    assert given(many) == [(long_notes, None)] * 2
    assert proof.shapes.bare.cap is None
    assert given(long_notes) == []  # now proven: its cells are clean
    assert given(too_long) == [(too_long, None)]  # and the e-mail's limit read


def test_a_long_list_of_codes_is_answered_by_value(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # ``f in @codes`` is not a branch of the clean line for each code: the column is
    # answered by value, so the expression stays small with 10,000 codes, and a line
    # whose code is not listed (or is the one that means a warning) is checked by its
    # column's part alone, with the plain path's findings.
    codes = [f"C{number:05d}" for number in range(10_000)]
    pack = tmp_path / "codes.yaml"
    pack.write_text(
        "pack: codes\nversion: 1.0.0\nfields:\n  code: {aliases: [Code]}\n"
        "  name: {aliases: [Name]}\nlists:\n  codes: [" + ", ".join(codes) + "]\nrules:\n"
        "  - {id: K.01, field: code, severity: error, check: 'code in @codes', message: m}\n"
        "  - {id: K.02, field: code, severity: warning, check: \"code != 'C00007'\","
        " message: m}\n"
        "  - {id: K.03, field: name, severity: error, check: present(name), message: m}\n",
        "utf-8")
    compiled = compile_pack(load_pack(pack))
    proof = line_proof(compiled, Layout(",", 2, {"code": 0, "name": 1}))
    assert proof is not None
    assert len(proof.shapes.bare.pattern) < 500
    rows = ["C00001,Ann\n", "C00007,Ann\n", "X1,Ann\n", "C09999,Bo\n"]
    given = [(text, part) for text, _, part in proof.unproven("".join(rows), 0, 0) if text]
    assert [text for text, _ in given] == [rows[1], rows[2]]
    for text, part in given:
        values = tuple(text.rstrip("\n").split(",")[{"code": 0, "name": 1}[field]] or None
                       for field in compiled.fields)
        assert part is not None and part(values) == compiled.check(values)
    rng = random.Random(3)
    data = tmp_path / "codes.csv"
    data.write_text("Code,Name\n" + "".join(
        f"{rng.choice([*codes[:50], 'C00007', 'X', ''])},{rng.choice(['Ann', ''])}\n"
        for _ in range(3000)), "utf-8", newline="")
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 5)
    monkeypatch.setattr(prooftrial.ProofTrial, "starts", lambda self, block: True)
    report = same_both_ways(tmp_path, monkeypatch, str(data), "--pack", str(pack),
                            "--format", "jsonl")
    assert {json.loads(line)["rule"] for line in report.splitlines()} == {
        "K.01", "K.02", "K.03"}


def test_a_file_shorter_than_the_warm_up_is_still_tried_both_ways(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The plain way warms up on a quarter of the file's lines at most (its size read off
    # the bytes of the records before the proof): a file of 1,500 records, far shorter
    # than WARM_LINES, is still tried both ways, and proven once the proof is chosen.
    import lrsrules

    assert prooftrial.WARM_LINES > 1500
    monkeypatch.setattr(prooftrial, "MARGIN", 1e9)  # proving is chosen
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 100)
    monkeypatch.setattr(csvsource, "BLOCK_CHARS", 4000)
    data = tmp_path / "learners.csv"
    data.write_text(learners(3, 1500), "utf-8", newline="")
    run = lrsrules.validate(data, BENCH_PACK)
    found = list(run)
    assert run.source.proof_chosen is True
    assert run.source.proven > 0
    monkeypatch.setenv("LRSRULES_NO_FAST_PATHS", "1")
    assert found == list(lrsrules.validate(data, BENCH_PACK))


def test_the_warm_up_is_a_quarter_of_the_lines_expected_at_most() -> None:
    trial = prooftrial.ProofTrial(warmed=100)
    trial.expect(1000)  # warm after 250 plain lines: 100 read, then blocks of 100
    ways = [trial.starts("x\n" * 100) for _ in range(5)]
    # The proof's warm-up, plain to 300 lines, then each way timed in turn.
    assert ways == [True, False, False, False, True]
    trial = prooftrial.ProofTrial(warmed=100)
    trial.expect(10 * prooftrial.WARM_LINES)  # capped: WARM_LINES
    assert [trial.starts("x\n" * 100) for _ in range(5)] == [True, False, False, False, False]
