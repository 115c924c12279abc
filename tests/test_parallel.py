"""--workers N: a CSV file cut into parts checked side by side gives one worker's report.

The files are generated with what makes cutting hard: quoted values spanning lines (with
\\n, \\r\\n and \\r inside, and lines inside them that look like records), a BOM, ragged
rows, blank lines, and keys that repeat across parts. Parts are made tiny, so that many
cuts fall inside a quoted value and have to be read again.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from partfiles import FORMATS, MIXED_PACK, PACK, boundary, cli, make_csv

import lrsrules
from lrsrules.errors import InputError
from lrsrules.inputs import csvsource, prooftrial
from lrsrules.inputs.splitting import Spliced, cut_parts, line_start, plan_parts, splittable
from lrsrules.report.reporters import JsonLinesPart, JsonLinesReporter
from lrsrules.run import parallel, partcheck, rowproof


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK, "utf-8")
    return path


@pytest.fixture
def tiny_parts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Parts of 700 bytes; yields the list of lines at which a part was read again."""
    monkeypatch.setattr(parallel, "PART_BYTES", 700)
    again: list[int] = []
    check_part = parallel.check_part

    def counted(compiled: lrsrules.CompiledPack, task: parallel.PartTask
                ) -> parallel.PartResult:
        again.append(task.line)
        return check_part(compiled, task)

    monkeypatch.setattr(parallel, "check_part", counted)
    yield again


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_two_workers_write_one_workers_report_in_every_format(
        tmp_path: Path, pack: Path, tiny_parts: list[int], newline: str) -> None:
    data = make_csv(tmp_path / "learners.csv", 400, newline=newline)
    for fmt in FORMATS:
        one = cli("validate", data, "--pack", pack, "--format", fmt)
        two = cli("validate", data, "--pack", pack, "--format", fmt, "--workers", "2")
        assert one[0] == 1 and one == two, fmt
    assert tiny_parts, "no cut fell inside a quoted value: the test no longer tests that"
    one_shown = cli("validate", data, "--pack", pack, "--show-values", "--format", "jsonl")
    two_shown = cli("validate", data, "--pack", pack, "--show-values", "--format", "jsonl",
                    "--workers", "auto")
    assert one_shown == two_shown


def test_findings_and_summary_are_those_of_one_pass(tmp_path: Path, pack: Path,
                                                    tiny_parts: list[int]) -> None:
    data = make_csv(tmp_path / "learners.csv", 300, newline="\r\n", seed=3)
    one = lrsrules.validate(data, pack)
    two = lrsrules.validate(data, pack, workers=3)
    assert list(one) == list(two)
    assert one.summary == two.summary and two.summary.records > 250
    rules = {finding.rule for finding in lrsrules.validate(data, pack)}
    assert {"P.ULN.09", "P.MIS.09", "INPUT.RECORD", "P.CODE.01"} <= rules
    repeats = [f for f in lrsrules.validate(data, pack, workers=2) if f.rule == "P.ULN.09"]
    assert any(f.record and f.record > 200 and "first seen at record " in f.message
               for f in repeats)


@pytest.mark.parametrize("show_values", [False, True])
def test_workers_write_their_parts_findings_as_json_lines_in_their_places(
        tmp_path: Path, pack: Path, tiny_parts: list[int], show_values: bool) -> None:
    data = make_csv(tmp_path / "learners.csv", 300, seed=11)
    one = io.StringIO()
    writer = JsonLinesReporter(one, show_values=show_values)
    for finding in lrsrules.validate(data, pack):
        writer.add(finding)
    run = lrsrules.validate(data, pack, workers=2)
    items = list(run.reported(writer.part_renderer()))
    texts = [item for item in items if isinstance(item, str)]
    made = [item for item in items if not isinstance(item, str)]
    assert len(texts) > 5, "the parts' findings did not come as text"
    # The run's own findings come as findings, after the text of their records' own.
    assert {finding.rule for finding in made} == {"P.ULN.09", "P.MIS.09"}
    two = io.StringIO()
    writer = JsonLinesReporter(two, show_values=show_values)
    for item in items:
        two.write(item) if isinstance(item, str) else writer.add(item)
    assert two.getvalue() == one.getvalue()
    assert run.summary == lrsrules.validate(data, pack).summary


def test_workers_write_findings_from_the_targets_as_one_worker_does(
        tmp_path: Path, tiny_parts: list[int]) -> None:
    # Without rules across records, a worker writes a record's findings straight from the
    # targets that fired; a record with a rule that could not be evaluated, or a reader's
    # note (a ragged row), has its findings made one by one; both counted in the summary.
    pack = tmp_path / "mixed.yaml"
    pack.write_text(MIXED_PACK + "  - {id: M.K.01, field: k, severity: error, check: k != 'x',"
                    " message: k is x}\n", "utf-8")
    rows = ["5,a", "abc,x", "-1,c", "-100,x", '7,"a\nb"', "8", "x,e,f", "12345,g"] * 60
    data = tmp_path / "mixed.csv"
    data.write_text("n,k\n" + "\n".join(rows) + "\n", "utf-8", newline="")
    one = cli("validate", data, "--pack", pack, "--format", "jsonl")
    two = cli("validate", data, "--pack", pack, "--format", "jsonl", "--workers", "2")
    assert one == two and one[0] == 1
    assert "could not be evaluated" in one[1] and "INPUT.RECORD" in one[1]
    lines = [json.loads(line) for line in one[1].splitlines()]
    assert sum(1 for row in lines if row["rule"] == "M.K.01") == 120
    run = lrsrules.validate(data, pack, workers=2)
    items = list(run.reported(JsonLinesPart(False)))
    # Text of many records at once: a part's, written in a worker.
    assert any(isinstance(item, str) and item.count("\n") > 20 for item in items)
    assert run.summary == lrsrules.validate(data, pack).summary


def test_a_worker_keeps_its_proof_and_choice_for_the_next_parts_of_a_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "pack.yaml"  # no rules across records: parts then prove lines
    pack.write_text(PACK.split("  - id: P.ULN.09")[0], "utf-8")
    monkeypatch.setattr(csvsource, "PROVE_AFTER", 50)
    monkeypatch.setattr(csvsource, "BLOCK_CHARS", 2000)  # blocks of about 70 lines
    monkeypatch.setattr(prooftrial, "TRIAL_BLOCKS", 1)
    monkeypatch.setattr(prooftrial, "WARM_LINES", 20)
    monkeypatch.setattr(prooftrial, "MARGIN", 1e9)  # proving is chosen
    monkeypatch.setattr(partcheck, "_KEPT", {})
    data = tmp_path / "learners.csv"
    data.write_text("ULN,Name,Notes,MIS,Code\n" + "".join(
        f"{1000000000 + n},Ann,short,m{n},{7 if n % 9 == 0 else 1}\n" for n in range(3000)),
        "utf-8")
    proven_from: dict[int, int] = {}  # part -> the first line a proof read
    unproven = rowproof.RowProof.unproven

    def spied(proof: rowproof.RowProof, block: str, number: int, line: int
              ) -> Iterator[tuple[str, int, object]]:
        proven_from.setdefault(part, line + 1)
        return unproven(proof, block, number, line)

    monkeypatch.setattr(rowproof.RowProof, "unproven", spied)
    run = lrsrules.validate(data, pack, workers=2)
    assert isinstance(run, parallel.ParallelRun)
    plan = plan_parts(str(data), 2, 20_000, multiple=2)
    parts = list(cut_parts(plan))
    ends = [cut.line for cut in parts[1:]] + [None]
    assert len(parts) == 6

    def checked(index: int) -> parallel.PartResult:
        cut = parts[index]
        return parallel.check_part(run.compiled, run._task(plan, index, cut.start, cut.line,
                                                           ends[index], None))
    kept = []
    for part in range(len(parts)):
        kept.append(checked(part))
    (made,) = partcheck._KEPT.values()
    assert made.chosen is True and len(made.proofs) == 1
    # Every later part proved lines from its second record on: none read 50 plainly.
    assert all(proven_from[part] == parts[part].line + 1 for part in range(1, 6))
    assert proven_from[0] > parts[0].line + 50
    for part in range(1, 6):  # the same results as a part read afresh
        partcheck._KEPT.clear()
        assert checked(part) == kept[part]
    run.close()


def test_waivers_by_record_and_by_key_waive_the_same_findings(tmp_path: Path, pack: Path,
                                                              tiny_parts: list[int]) -> None:
    data = make_csv(tmp_path / "learners.csv", 300, seed=5)
    found = [f for f in lrsrules.validate(data, pack) if f.record and f.record > 150]
    late, keyed = found[0], next(f for f in found if f.rule == "P.ULN.09" and f.value)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        f"  - {{rule: {late.rule}, record: {late.record}, reason: r, approved_by: a,"
        " expires: 2999-12-31}\n"
        f"  - {{rule: P.ULN.09, key: {{field: uln, value: '{keyed.value}'}}, reason: r,"
        " approved_by: a, expires: 2999-12-31}\n"
        "  - {rule: P.CODE.01, record: 1, reason: r, approved_by: a, expires: 2000-01-01}\n",
        "utf-8")
    one = cli("validate", data, "--pack", pack, "--waivers", waivers, "--format", "json")
    two = cli("validate", data, "--pack", pack, "--waivers", waivers, "--format", "json",
              "--workers", "2")
    assert one == two
    assert '"waived": 2' in one[1] or '"waived": 3' in one[1]


def test_an_undecodable_byte_in_a_late_part_is_the_same_error(tmp_path: Path, pack: Path,
                                                              tiny_parts: list[int]) -> None:
    data = make_csv(tmp_path / "learners.csv", 300, bom=False)
    raw, at = data.read_bytes(), boundary(data, 0.75)
    data.write_bytes(raw[:at] + b"Caf\xe9," + raw[at:])
    assert error_of(data, pack, 1) == error_of(data, pack, 2)
    assert "cannot decode the file as utf-8" in error_of(data, pack, 2)


def test_a_value_past_the_cell_limit_in_a_late_part_is_the_same_error(
        tmp_path: Path, pack: Path, tiny_parts: list[int], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    data = make_csv(tmp_path / "learners.csv", 300, bom=False)
    raw, at = data.read_bytes(), boundary(data, 0.66)
    data.write_bytes(raw[:at] + b'1000000000,"' + b"x\n" * 3000 + b'",a,1\n' + raw[at:])
    one, two = error_of(data, pack, 1), error_of(data, pack, 2)
    assert one == two and "spans more than" in one


def test_a_quote_never_closed_is_the_same_error(tmp_path: Path, pack: Path,
                                                tiny_parts: list[int]) -> None:
    data = make_csv(tmp_path / "learners.csv", 200, bom=False)
    with data.open("ab") as file:
        file.write(b'1000000000,"never closed,\nmore\n')
    one, two = error_of(data, pack, 1), error_of(data, pack, 2)
    assert one == two and "never closed" in one


def error_of(data: Path, pack: Path, workers: int) -> str:
    with pytest.raises(InputError) as caught:
        list(lrsrules.validate(data, pack, workers=workers))
    return str(caught.value)


def test_a_file_of_blank_lines_after_its_header_is_empty_once(tmp_path: Path, pack: Path,
                                                              tiny_parts: list[int]) -> None:
    data = tmp_path / "empty.csv"
    data.write_text("ULN,Name\n" + "\n" * 2000, "utf-8")
    one = cli("validate", data, "--pack", pack, "--format", "jsonl")
    two = cli("validate", data, "--pack", pack, "--format", "jsonl", "--workers", "2")
    assert one == two and one[1].count("INPUT.EMPTY") == 1


def test_inputs_that_cannot_be_cut_are_read_in_one_pass(tmp_path: Path, pack: Path,
                                                        tiny_parts: list[int]) -> None:
    lines = [f'{{"ULN": "{n:010d}", "Name": "Alexandria", "Notes": "a\\nb"}}'
             for n in range(300)]
    data = tmp_path / "learners.jsonl"
    data.write_text("\n".join(lines) + "\n", "utf-8")
    assert list(lrsrules.validate(data, pack)) == list(
        lrsrules.validate(data, pack, workers=2))
    cp = make_csv(tmp_path / "cp.csv", 200, bom=False)
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(cp.read_text("utf-8"), "utf-16")
    assert not splittable("utf-16") and splittable("cp1252") and splittable("utf-8-sig")
    assert list(lrsrules.validate(utf16, pack, encoding="utf-16")) == list(
        lrsrules.validate(utf16, pack, encoding="utf-16", workers=2))
    assert not tiny_parts


@pytest.mark.parametrize("block", [1 << 20, 7, 64])  # cuts and breaks across blocks too
def test_cuts_fall_at_line_starts_whose_numbers_are_counted_as_readers_count(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    from lrsrules.inputs import splitting

    monkeypatch.setattr(splitting, "BLOCK", block)
    data = tmp_path / "mixed.csv"
    data.write_bytes(b"\r\nH\r\n" + b"".join(
        b"r%d%s" % (n, (b"\n", b"\r\n", b"\r", b"\n\n")[n % 4]) for n in range(500)))
    plan = plan_parts(str(data), 3, 200, multiple=2)
    parts = list(cut_parts(plan))
    assert len(parts) > 5 and len(parts) % 2 == 0
    assert plan.head_end == 5 and parts[0] == (5, 3)
    text = data.read_bytes().decode()
    lines = text.splitlines(keepends=True)
    for start, line in parts:
        assert line_start(str(data), 0, 1, line) == start
        assert sum(len(x) for x in lines[:line - 1]) == start
        assert data.read_bytes()[start:start + 1] not in (b"\r", b"\n")


def test_a_spliced_stream_is_the_head_then_the_part(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_bytes(b"\xef\xbb\xbfA,B\n1,2\n3,4\n5,6\n")
    with Spliced(str(data), 7, 15) as stream:
        assert stream.read() == b"\xef\xbb\xbfA,B\n5,6\n"
        assert stream.name == str(data)


def test_workers_must_be_a_number_or_auto(tmp_path: Path) -> None:
    code, output = cli("validate", tmp_path / "x.csv", "--workers", "none")
    assert code == 2 and "not a number of workers" in output
    with pytest.raises(ValueError, match="at least 1"):
        lrsrules.validate([], workers=0)
    assert parallel.worker_count("auto") >= 1


def test_blank_lines_before_the_header_and_a_header_across_lines_keep_the_numbers(
        tmp_path: Path, pack: Path, tiny_parts: list[int]) -> None:
    made = make_csv(tmp_path / "made.csv", 200, bom=False, seed=19).read_text("utf-8")
    data = tmp_path / "learners.csv"
    data.write_text("\n \n" + made.replace("Notes", '"Notes\nhere"', 1), "utf-8")
    one, two = lrsrules.validate(data, pack), lrsrules.validate(data, pack, workers=2)
    assert list(one) == list(two) and one.summary == two.summary
    assert next(f.line for f in lrsrules.validate(data, pack) if f.record) > 4


def test_workers_are_forked_from_one_thread_and_started_by_forkserver_beside_another(
        tmp_path: Path, pack: Path) -> None:
    """In a process of its own: this one may run other tests' threads."""
    data = make_csv(tmp_path / "learners.csv", 300, seed=5)
    script = f"""
import threading
import lrsrules
from lrsrules.run import localpool, parallel
parallel.PART_BYTES = 700
methods = []
made = localpool.LocalPool.__init__
def spied(pool, *args):
    made(pool, *args)
    methods.append(pool.method)
localpool.LocalPool.__init__ = spied
one = list(lrsrules.validate({str(data)!r}, {str(pack)!r}))
assert list(lrsrules.validate({str(data)!r}, {str(pack)!r}, workers=2)) == one
stop = threading.Event()
other = threading.Thread(target=stop.wait)
other.start()
assert list(lrsrules.validate({str(data)!r}, {str(pack)!r}, workers=2)) == one
stop.set()
other.join()
print(methods)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['fork', 'forkserver']"


def test_forked_workers_start_as_their_pool_is_made(pack: Path) -> None:
    """In a process of its own (one thread, so its workers are forked): both workers run
    before a part is submitted, so that they start while the file is being cut."""
    script = f"""
import multiprocessing
import lrsrules
from lrsrules.run.localpool import LocalPool
from lrsrules.run.partcheck import PackRecipe
pool = LocalPool(2, PackRecipe.of(lrsrules.load_pack({str(pack)!r})))
print(pool.method, len(multiprocessing.active_children()))
pool.close()
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["fork", "2"]


def test_workers_number_records_right_when_each_line_before_is_one_record(
        tmp_path: Path, pack: Path, tiny_parts: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A part's findings come numbered as if each line before it held one record: in a
    file of one-line records the run has nothing to renumber; where a record runs across
    lines (or a line is blank) it corrects the numbers, and both write one pass's text."""
    corrections: list[int] = []
    renumbered = JsonLinesPart.renumbered

    def spied(part: JsonLinesPart, text: str, by: int) -> str:
        corrections.append(by)
        return renumbered(part, text, by)

    monkeypatch.setattr(JsonLinesPart, "renumbered", spied)
    plain = tmp_path / "plain.csv"
    plain.write_text("ULN,Name,Notes,MIS,Code\n" + "".join(
        f"{1000000000 + n},Ann,short,m{n},{n % 9}\n" for n in range(400)), "utf-8")
    tricky = make_csv(tmp_path / "tricky.csv", 300, seed=23)
    for data, wrong in ((plain, False), (tricky, True)):
        corrections.clear()
        one = io.StringIO()
        writer = JsonLinesReporter(one)
        for finding in lrsrules.validate(data, pack):
            writer.add(finding)
        two = io.StringIO()
        renderer, writer = writer.part_renderer(), JsonLinesReporter(two)
        for item in lrsrules.validate(data, pack, workers=2).reported(renderer):
            two.write(item) if isinstance(item, str) else writer.add(item)
        assert two.getvalue() == one.getvalue() and len(corrections) > 5
        assert any(corrections) is wrong, corrections


def test_ctrl_c_stops_the_run_and_its_workers_without_a_traceback(tmp_path: Path,
                                                                   pack: Path) -> None:
    data = make_csv(tmp_path / "learners.csv", 30_000, seed=29)
    script = ("import sys; from lrsrules.run import parallel; parallel.PART_BYTES = 20_000;"
              "from lrsrules.cli.app import main; main()")
    process = subprocess.Popen(
        [sys.executable, "-c", script, "validate", str(data), "--pack", str(pack),
         "-f", "jsonl", "-o", str(tmp_path / "report.jsonl"), "--workers", "2"],
        stderr=subprocess.PIPE, start_new_session=True)  # its own group, as a terminal's
    deadline = time.monotonic() + 30
    while not (workers := children(process.pid)):
        assert process.poll() is None, "finished before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: every process of the group
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and b"interrupted" in err, err
    assert b"Traceback" not in err and not (tmp_path / "report.jsonl").exists()
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived the run"
        time.sleep(0.01)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_recipe_pickles_its_compiled_pack_only_when_it_is_sent(
        pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    monkeypatch.setattr(partcheck, "_PREPARED", {})
    compiled = lrsrules.load_pack(pack)
    made: list[object] = []
    pickled = partcheck._pickled
    monkeypatch.setattr(partcheck, "_pickled", lambda c: made.append(c) or pickled(c))
    recipe = partcheck.PackRecipe.of(compiled)
    assert partcheck.prepared(recipe) is compiled and made == []  # in this process
    sent = pickle.loads(pickle.dumps(recipe))
    assert made == [compiled] and sent.compiled is None and sent.prepared
    monkeypatch.setattr(partcheck, "_PREPARED", {})
    monkeypatch.setattr(partcheck, "compile_pack", None)  # read back, never compiled again
    again = partcheck.prepared(sent)
    assert again is not compiled and again.pack == compiled.pack
    assert pickle.dumps(sent) and made == [compiled]  # pickled once
