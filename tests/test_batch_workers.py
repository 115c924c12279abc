"""batch check --workers N: a batch file checked in parts side by side gives one worker's report.

The files are generated with what makes cutting a batch file hard: learner values that
span lines (\\n, \\r\\n and \\r inside quotes, lines inside them that look like rows), a
BOM, ragged rows, blank lines, ULNs that repeat across parts, header values on a later
row, a learner count in the header that is wrong, and, with a layout that has one, a
trailer whose count is wrong (or a second trailer part-way). Parts are made tiny, so that
many cuts fall inside a quoted value and have to be read again.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from batchfiles import (
    GOOD_NAME,
    HEADER,
    HEADINGS,
    csv_text,
    header_values,
    learner,
    mini_layout,
)
from partfiles import boundary, cli

import lrsrules
from lrsrules.errors import InputError
from lrsrules.run import parallel

FORMATS = ("text", "json", "jsonl", "csv", "sarif", "junit", "github", "html")
NAMES = ["Ann\nMarie", "Jo\r\nAnn", "Old\rMac", 'Say "hi"\nthere',
         '1026893096,Bo\n,,,"', "\n\nBlank first", "Sam", "Sam", "Sam", "Alexandria"]


@pytest.fixture
def tiny_parts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Parts of 1,500 bytes; yields the lines at which a part was read again."""
    monkeypatch.setattr(parallel, "PART_BYTES", 1500)
    again: list[int] = []
    check_part = parallel.check_part

    def counted(compiled: lrsrules.CompiledPack, task: parallel.PartTask
                ) -> parallel.PartResult:
        again.append(task.line)
        return check_part(compiled, task)

    monkeypatch.setattr(parallel, "check_part", counted)
    yield again


def make_lrb(path: Path, rows: int, *, newline: str = "\r\n", seed: int = 11,
             declared: int | None = None, output: bool = False, later: float = 0.02) -> Path:
    """An LRB batch file of ``rows`` learners with every kind of trouble for a cut; the
    header declares ``declared`` learners (default: the right number)."""
    rng = random.Random(seed)
    seen: list[str] = []
    headings = [*HEADER, *HEADINGS, *(["ReturnCode"] if output else [])]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(headings)
    blank = [""] * len(HEADER)
    for number in range(rows):
        row = learner(GivenName=rng.choice(NAMES))
        if seen and rng.random() < 0.08:
            row[HEADINGS.index("ULN")] = rng.choice(seen)  # a repeat, often in another part
        seen.append(row[HEADINGS.index("ULN")])
        if rng.random() < 0.1:
            row[HEADINGS.index("DateOfBirth")] = rng.choice(["1976-02-30", "", "16/08/1976"])
        lead = header_values(rows if declared is None else declared) if number == 0 else (
            ["2A", "", "", ""] if rng.random() < later else blank)
        cells = [*lead, *row, *([rng.choice(["WC", "FUP", "XX", ""])] if output else [])]
        shape = rng.random()
        if shape < 0.03:
            cells = cells[:9]  # too few cells
        elif shape < 0.06:
            cells = [*cells, "extra"]  # too many
        writer.writerow(cells)
        if rng.random() < 0.03:
            buffer.write(newline)  # a blank line
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


def both(*args: str | Path) -> tuple[tuple[int, str], tuple[int, str]]:
    """batch check with one worker and with two (the HTML report's time of writing left out)."""
    runs = cli("batch", "check", *args), cli("batch", "check", *args, "--workers", "2")
    one, two = ((code, _GENERATED.sub("", output)) for code, output in runs)
    return one, two


_GENERATED = re.compile(r"Generated</dt><dd>[^<]*")


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_two_workers_write_one_workers_report_in_every_format(
        tmp_path: Path, tiny_parts: list[int], newline: str) -> None:
    data = make_lrb(tmp_path / GOOD_NAME, 300, newline=newline, declared=299)
    for fmt in FORMATS:
        one, two = both(data, "--format", fmt)
        assert one[0] == 1 and one == two, fmt
    assert tiny_parts, "no cut fell inside a quoted value: the test no longer tests that"
    for options in (["--statistics"], ["-q"], ["-v", "--fail-on", "warning"], ["--exit-zero"]):
        one, two = both(data, *options)
        assert one == two, options
    one, two = both(data, "--format", "jsonl", "--show-values")
    assert one == two
    rules = {json.loads(line).get("rule") for line in one[1].splitlines() if "rule" in line}
    assert len(rules) > 5, rules


def test_findings_and_summary_are_those_of_one_pass(tmp_path: Path,
                                                    tiny_parts: list[int]) -> None:
    data = make_lrb(tmp_path / GOOD_NAME, 300, seed=3, declared=7)
    one, two = lrsrules.check_batch(data), lrsrules.check_batch(data, workers=3)
    found = list(one)
    assert found == list(two) and one.summary == two.summary
    assert isinstance(two, parallel.ParallelRun) and two.summary.records == 300
    late = [f for f in found if f.record and f.record > 200 and "first seen" in f.message]
    assert late, "no repeat was found late in the file"
    whole = [f.rule for f in found if f.record is None]
    assert len(whole) == len(set(whole)) and any(f.line for f in found if f.record is None)


def test_an_output_file_counts_its_return_codes_once(tmp_path: Path,
                                                     tiny_parts: list[int]) -> None:
    data = make_lrb(tmp_path / GOOD_NAME, 250, seed=5, output=True)
    one, two = lrsrules.check_batch(data), lrsrules.check_batch(data, workers=2)
    assert list(one) == list(two) and one.summary == two.summary
    codes = one.summary.to_dict()["batch"]["return_codes"]
    assert sum(code["count"] for code in codes.values()) > 200


def test_waivers_by_record_and_by_key_waive_the_same_findings(
        tmp_path: Path, tiny_parts: list[int]) -> None:
    data = make_lrb(tmp_path / GOOD_NAME, 300, seed=7)
    found = [f for f in lrsrules.check_batch(data) if f.record and f.record > 150]
    late = found[0]
    keyed = next(f for f in found if "first seen" in f.message and f.value)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        f"  - {{rule: {late.rule}, record: {late.record}, reason: r, approved_by: a,"
        " expires: 2999-12-31}\n"
        f"  - {{rule: {keyed.rule}, key: {{field: {keyed.field}, value: '{keyed.value}'}},"
        " reason: r, approved_by: a, expires: 2999-12-31}\n"
        f"  - {{rule: {late.rule}, record: 1, reason: r, approved_by: a, expires: 2000-01-01}}\n",
        "utf-8")
    for fmt in ("json", "text", "sarif"):
        one, two = both(data, "--waivers", waivers, "--format", fmt)
        assert one == two, fmt
    one_run = lrsrules.check_batch(data, waivers=waivers)
    two_run = lrsrules.check_batch(data, waivers=waivers, workers=2)
    assert list(one_run) == list(two_run) and one_run.summary == two_run.summary
    assert one_run.summary.waived == 2


@pytest.mark.parametrize("part_bytes", [97, 211, 503])
def test_any_cut_gives_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         part_bytes: int) -> None:
    # Parts of a row or two: every kind of row (a repeat, header values on a later row,
    # a value across lines, a blank line) falls first in a part, and last.
    monkeypatch.setattr(parallel, "PART_BYTES", part_bytes)
    data = make_lrb(tmp_path / GOOD_NAME, 60, seed=part_bytes, declared=61, later=0.2)
    one, two = lrsrules.check_batch(data), lrsrules.check_batch(data, workers=2)
    assert list(one) == list(two) and one.summary == two.summary


def error_of(data: Path, workers: int) -> str:
    with pytest.raises(InputError) as caught:
        list(lrsrules.check_batch(data, workers=workers))
    return str(caught.value)


def test_a_value_across_too_many_lines_in_a_late_part_is_the_same_error(
        tmp_path: Path, tiny_parts: list[int]) -> None:
    data = make_lrb(tmp_path / GOOD_NAME, 200)
    raw, at = data.read_bytes(), boundary(data, 0.66)
    data.write_bytes(raw[:at] + b',,,,"' + b"x\r\n" * 3000 + b'",a\r\n' + raw[at:])
    one, two = error_of(data, 1), error_of(data, 2)
    assert one == two and "spans more than" in one


def test_a_quote_never_closed_and_a_byte_that_does_not_decode_are_the_same_errors(
        tmp_path: Path, tiny_parts: list[int]) -> None:
    data = make_lrb(tmp_path / GOOD_NAME, 200)
    raw = data.read_bytes()
    data.write_bytes(raw + b',,,,"never closed,\r\nmore\r\n')
    one, two = error_of(data, 1), error_of(data, 2)
    assert one == two and "never closed" in one
    at = boundary(data, 0.75)
    data.write_bytes(raw[:at] + b",,,,Caf\xe9," + raw[at:])
    one, two = error_of(data, 1), error_of(data, 2)
    assert one == two and "cannot decode" in one


def test_a_header_record_on_rows_of_its_own_is_read_once(tmp_path: Path,
                                                         tiny_parts: list[int]) -> None:
    rng = random.Random(5)
    rows = [HEADER, header_values(120), HEADINGS]
    rows += [learner(GivenName=rng.choice(NAMES)) for _ in range(120)]
    data = tmp_path / GOOD_NAME
    data.write_bytes(b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8"))
    one, two = lrsrules.check_batch(data), lrsrules.check_batch(data, workers=2)
    assert list(one) == list(two) and one.summary == two.summary
    assert tiny_parts and two.summary.records == 120


# --- a layout with a trailer, and a unique rule -------------------------------------------

UNIQUE_PACK = """\
pack: mini
version: 1.0.0
fields:
  name: {}
  kind: {}
rules:
  - {id: MINI.NAME.01, field: name, severity: error, check: name == trim(name),
     message: Name has spaces around it}
  - {id: MINI.KIND.01, field: kind, severity: warning, check: "kind in ['a', 'b']",
     message: Kind is not a or b}
  - {id: MINI.NAME.09, field: name, severity: error, unique: name, casefold: true,
     message: Name repeats}
"""


def mini_file(folder: Path, rows: int, trailers: tuple[int | None, ...], seed: int = 1
              ) -> Path:
    """A mini batch file: ``rows`` learners, a trailer after each of ``trailers``' counts
    of rows (its declared count: the rows so far plus one, so wrong), BOM and CRLF."""
    rng = random.Random(seed)
    lines = ["\ufeffName,Kind"]
    for number in range(1, rows + 1):
        name = rng.choice([" spaced ", "Dup", "dup", "a\nb", "x\r\ny", f"n{number}",
                           f"n{number}", "\n,TRL,1\n"])
        cells = [f'"{name}"', rng.choice(["a", "b", "c", ""])]
        if rng.random() < 0.04:
            cells.append("extra")
        lines.append(",".join(cells))
        if number in trailers:
            lines.append(f"TRL,{number + 1}")
    lines.append("")
    path = folder / "batch.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    return path


@pytest.mark.parametrize("trailers", [(400,), (150, 400), (), (399,)])
def test_the_trailer_and_its_count_are_found_once(tmp_path: Path, tiny_parts: list[int],
                                                  trailers: tuple[int, ...]) -> None:
    parallel.PART_BYTES = 40  # a few rows a part: a trailer ends one (the fixture resets it)
    layout = mini_layout(tmp_path)
    (tmp_path / "mini.yaml").write_text(UNIQUE_PACK, "utf-8")
    data = mini_file(tmp_path, 400, trailers)
    for fmt in ("jsonl", "text", "junit"):
        one, two = both(data, "--layout", layout, "--format", fmt)
        assert one == two, fmt
    one = both(data, "--layout", layout, "--format", "jsonl")[0][1]
    wrong = trailers != (399,)  # a trailer part-way whose count is that of the whole file
    assert one.count("MINI.TRAILER.0") == wrong and "MINI.NAME.09" in one


# --- inputs read in one pass, settings ------------------------------------------------------

def test_inputs_that_cannot_be_cut_are_read_in_one_pass(tmp_path: Path,
                                                        tiny_parts: list[int]) -> None:
    small = make_lrb(tmp_path / GOOD_NAME, 3)
    parallel.PART_BYTES = 1 << 20  # (the fixture puts it back)
    assert list(lrsrules.check_batch(small)) == list(lrsrules.check_batch(small, workers=2))
    xml = tmp_path / "LRB_10012345_290920261030.XML"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<LRBBatch><Header><FileVersion>2A'
        "</FileVersion></Header><Learners>"
        + "<Learner><GivenName>Ann</GivenName><ULN>1026893096</ULN></Learner>" * 50
        + "</Learners></LRBBatch>\n", "utf-8")
    one, two = both(xml, "--format", "jsonl")
    assert one == two and one[0] == 1
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in [[*HEADER, *HEADINGS], *([*header_values(40), *learner()] for _ in range(40))]:
        book.active.append(row)
    workbook = tmp_path / "learners.xlsx"
    book.save(workbook)
    one, two = both(workbook, "--format", "jsonl")
    assert one == two
    assert not tiny_parts


def test_a_file_in_a_single_byte_encoding_is_cut_too(tmp_path: Path,
                                                     tiny_parts: list[int]) -> None:
    made = make_lrb(tmp_path / "made.csv", 150, seed=9).read_bytes()[3:].decode("utf-8")
    data = tmp_path / GOOD_NAME
    data.write_bytes(made.replace("Sam", "S\u00e9bastien").encode("cp1252"))
    one = lrsrules.check_batch(data, encoding="cp1252")
    two = lrsrules.check_batch(data, encoding="cp1252", workers=2)
    assert list(one) == list(two) and one.summary == two.summary and tiny_parts


def test_workers_come_from_the_settings_file_and_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    check_batch = lrsrules.check_batch

    def spy(*args: object, **kwargs: object) -> lrsrules.Run:
        asked.append(kwargs.get("workers"))
        return check_batch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lrsrules, "check_batch", spy)
    data = make_lrb(tmp_path / GOOD_NAME, 5)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lrsrules.toml").write_text('workers = "auto"\n', "utf-8")
    monkeypatch.setenv("LRSRULES_CONFIG", str(tmp_path / "lrsrules.toml"))
    cli("batch", "check", data)
    monkeypatch.setenv("LRSRULES_WORKERS", "2")
    cli("batch", "check", data)
    cli("batch", "check", data, "--workers", "1")
    assert asked == ["auto", 2, 1]


def test_batch_fix_takes_no_workers(tmp_path: Path) -> None:
    data = make_lrb(tmp_path / GOOD_NAME, 5)
    code, output = cli("batch", "fix", data, "-o", tmp_path / "out.csv", "--workers", "2")
    assert code == 2 and "--workers" in output
    assert "--workers is for batch check" in cli("batch", "fix", "--help")[1]
    with pytest.raises(ValueError, match="one pass"):
        lrsrules.check_batch(data, workers=2, extra_fields=("uln",))
