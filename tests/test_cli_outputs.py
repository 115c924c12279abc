"""Where reports go (-o/--output, batch fix --report): refused before anything is written,
written whole or not at all, with the user's mode, through full disks, signals and pipes.

Most tests drive the CLI through CliRunner; signals, pipes and /dev/stdout need a real
process, so those run one.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli import output
from lrsrules.cli.app import app
from lrsrules.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parent.parent
BATCH = ROOT / "examples" / "LRB_10012345_290920261030.CSV"
runner = CliRunner()

PACK = """\
pack: out-test
version: 1.0.0
fields:
  name: {aliases: [Name]}
rules:
  - {id: O.NAME.01, field: name, severity: error, check: len(name) <= 5,
     message: Name is too long}
"""
WAIVERS = """\
waivers:
  - {rule: O.NAME.01, record: 1, reason: checked, approved_by: Data team, expires: 2099-12-31}
"""


def invoke(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    found = {"pack": tmp_path / "pack.yaml", "data": tmp_path / "d.csv",
             "waivers": tmp_path / "waivers.yaml"}
    found["pack"].write_text(PACK, "utf-8")
    found["data"].write_text("Name\nAlexander\n=1+2\n", "utf-8")
    found["waivers"].write_text(WAIVERS, "utf-8")
    return found


def validate(files: dict[str, Path], *args: object) -> tuple[int, str, str]:
    return invoke("validate", files["data"], "--pack", files["pack"], *args)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- refused before anything is written -------------------------------------------------------

@pytest.mark.parametrize("which", ["data", "pack", "waivers"])
def test_an_output_over_any_input_is_refused_and_the_input_kept(
        files: dict[str, Path], which: str) -> None:
    before = files[which].read_bytes()
    code, _, err = validate(files, "--waivers", files["waivers"], "-o", files[which])
    assert code == ExitCode.ERROR, err
    assert "is an input file" in err and str(files[which]) in err
    assert files[which].read_bytes() == before
    assert leftovers(files[which].parent) == []


def test_an_output_reaching_an_input_through_a_link_is_refused(files: dict[str, Path]) -> None:
    link = files["pack"].parent / "link.yaml"
    link.symlink_to(files["pack"])
    code, _, err = validate(files, "-o", link)
    assert code == ExitCode.ERROR and "is an input file" in err
    assert files["pack"].read_text("utf-8") == PACK


def test_docs_refuses_to_write_over_its_own_pack(files: dict[str, Path]) -> None:
    code, _, err = invoke("docs", files["pack"], "-o", files["pack"])
    assert code == ExitCode.ERROR and "is an input file" in err
    assert files["pack"].read_text("utf-8") == PACK


@pytest.mark.parametrize(("target", "message"), [
    (".", "is a folder"),
    ("missing/report.txt", "does not exist"),
    ("d.csv/report.txt", "is not a folder"),
])
def test_a_folder_or_a_missing_folder_is_refused_with_what_to_do(
        files: dict[str, Path], target: str, message: str) -> None:
    code, _, err = validate(files, "-o", files["data"].parent / target)
    assert code == ExitCode.ERROR, err
    assert message in err and "hint:" in err
    assert "internal error" not in err


def test_a_pipe_nobody_reads_is_refused_at_once(tmp_path: Path, files: dict[str, Path]) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    code, _, err = validate(files, "-o", fifo)
    assert code == ExitCode.ERROR and "a pipe that nobody reads" in err
    assert time.monotonic() - started < 5
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_pipe_with_a_reader_gets_the_report_and_stays_a_pipe(
        tmp_path: Path, files: dict[str, Path]) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # The reader is there first, as with a shell's >(...); the report fits the pipe.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        code, _, err = validate(files, "-f", "jsonl", "-o", fifo)
        received = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert code == ExitCode.FINDINGS, err
    assert json.loads(received.splitlines()[0])["rule"] == "O.NAME.01"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_takes_the_report_and_stays_a_device(files: dict[str, Path]) -> None:
    if not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        pytest.skip(f"{os.devnull} is not a device here: something replaced it")
    code, out, err = validate(files, "-o", os.devnull)
    assert code == ExitCode.FINDINGS and out == "" and err == ""
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_dash_is_standard_output(files: dict[str, Path]) -> None:
    code, out, _ = validate(files, "-f", "csv", "-o", "-")
    assert code == ExitCode.FINDINGS and out.startswith("record,line,field,rule")


# --- batch fix: both outputs checked before the corrected file is written ---------------------

@pytest.mark.parametrize("report", ["input", "corrected", "missing/report.csv", "."])
def test_batch_fix_refuses_a_bad_report_before_writing_the_corrected_file(
        tmp_path: Path, report: str) -> None:
    source = tmp_path / BATCH.name
    source.write_bytes(BATCH.read_bytes())
    corrected = tmp_path / "out" / BATCH.name
    corrected.parent.mkdir()
    named = {"input": source, "corrected": corrected}.get(report, tmp_path / report)
    code, _, err = invoke("batch", "fix", source, "-o", corrected, "--report", named)
    assert code == ExitCode.ERROR, err
    assert not corrected.exists() and leftovers(corrected.parent) == []
    assert source.read_bytes() == BATCH.read_bytes()


def test_batch_fix_writes_both_files_with_the_users_mode(tmp_path: Path) -> None:
    corrected, report = tmp_path / BATCH.name, tmp_path / "errors.csv"
    with umask(0o027):
        code, _, err = invoke("batch", "fix", BATCH, "-o", corrected, "--report", report)
    assert code in (ExitCode.OK, ExitCode.FINDINGS), err
    assert [mode(corrected), mode(report)] == [0o640, 0o640]
    assert leftovers(tmp_path) == []


# --- modes ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_report_gets_the_mode_the_umask_allows(
        files: dict[str, Path], mask: int, expected: int) -> None:
    report = files["data"].parent / "report.txt"
    with umask(mask):
        validate(files, "-o", report)
    assert mode(report) == expected


def test_a_replaced_report_keeps_the_mode_it_had(files: dict[str, Path]) -> None:
    report = files["data"].parent / "report.txt"
    report.write_text("old", "utf-8")
    report.chmod(0o600)  # made private on purpose: it must not become readable by all
    with umask(0o022):
        validate(files, "-o", report)
    assert mode(report) == 0o600 and report.read_text("utf-8") != "old"


# --- failures while writing -------------------------------------------------------------------

def full_disk_sink(code: int) -> type[output._Sink]:
    class Full(io.FileIO):
        def write(self, data: object, /) -> int:
            raise OSError(code, os.strerror(code))

    class FullSink(output._Sink, Full):  # _Sink's write calls Full's: as the kernel fails
        pass

    return FullSink


@pytest.mark.parametrize(("code", "shown"), [(errno.ENOSPC, "ENOSPC"), (errno.EDQUOT, "EDQUOT")])
def test_a_full_disk_names_the_file_keeps_the_old_one_and_leaves_no_temporary(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, code: int, shown: str) -> None:
    report = files["data"].parent / "report.txt"
    report.write_text("old report", "utf-8")
    monkeypatch.setattr(output, "_Sink", full_disk_sink(code))
    exit_code, _, err = validate(files, "-o", report)
    assert exit_code == ExitCode.ERROR, err
    assert f"{report}: the report cannot be written" in err and shown in err
    assert "is as it was" in err and "hint:" in err
    assert report.read_text("utf-8") == "old report"
    assert leftovers(report.parent) == []


def test_an_error_putting_the_file_on_disk_is_reported_the_same_way(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    report = files["data"].parent / "report.txt"

    def fsync(fd: int) -> None:
        raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))

    monkeypatch.setattr(output.os, "fsync", fsync)
    code, _, err = validate(files, "-o", report)
    assert code == ExitCode.ERROR and "EDQUOT" in err and "internal error" not in err
    assert not report.exists() and leftovers(report.parent) == []


def test_a_full_disk_under_the_json_spool_is_reported_not_a_crash(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    report = files["data"].parent / "report.json"

    def add(self: object, finding: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("lrsrules.report.reporters.JsonReporter.add", add)
    code, _, err = validate(files, "-f", "json", "-o", report)
    assert code == ExitCode.ERROR, err
    assert "cannot be held in folder" in err and "ENOSPC" in err
    assert not report.exists() and leftovers(report.parent) == []


def test_a_folder_where_no_file_may_be_created_is_named(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def mkstemp(**_: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("tempfile.mkstemp", mkstemp)  # as cli.output imports it, when needed
    code, _, err = validate(files, "-o", files["data"].parent / "report.txt")
    assert code == ExitCode.ERROR, err
    assert f"no file can be created in folder {files['data'].parent}" in err
    assert "EACCES" in err and "choose a folder you may write to" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_device_that_is_full_is_an_error_not_a_crash(files: dict[str, Path]) -> None:
    code, _, err = validate(files, "-o", "/dev/full")
    assert code == ExitCode.ERROR and "ENOSPC" in err and "internal error" not in err


def test_a_lone_surrogate_in_a_value_is_written_as_its_escape(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, "utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text('{"Name": "Alexander\\ud800"}\n', "utf-8")
    for fmt in ("json", "jsonl", "csv", "text"):
        report = tmp_path / f"report.{fmt}"
        code, _, err = invoke("validate", data, "--pack", pack, "-f", fmt, "--show-values",
                              "-o", report)
        assert code == ExitCode.FINDINGS, err
        assert "\\ud800" in report.read_text("utf-8")


# --- spreadsheets -----------------------------------------------------------------------------

def test_csv_values_that_a_spreadsheet_would_run_are_defused(files: dict[str, Path]) -> None:
    files["data"].write_text("Name\n=HYPERLINK(\"http://x\")\n+1234567\n@SUM(A1)\n-2+3+4+5\n",
                             "utf-8")
    code, out, _ = validate(files, "-f", "csv", "--show-values")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == ExitCode.FINDINGS
    assert [row["value"][:2] for row in rows] == ["'=", "'+", "'@", "'-"]


# --- signals and pipes: a real process --------------------------------------------------------

@pytest.fixture(scope="module")
def learners(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("learners") / "learners.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_learners.py"), "60000",
                    str(path)], check=True, capture_output=True)
    return path


def lrsrules(*args: object, stdout: int | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from lrsrules.cli.app import main; main()",
               *map(str, args)]
    return subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE)


def wait_for_temporary(folder: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while not leftovers(folder):
        assert process.poll() is None, "finished before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.005)


@pytest.mark.parametrize(("signum", "code", "message"), [
    (signal.SIGTERM, ExitCode.TERMINATED, b"stopped by SIGTERM"),
    (signal.SIGINT, ExitCode.INTERRUPTED, b"interrupted"),
])
def test_a_signal_mid_write_removes_the_temporary_and_keeps_the_old_report(
        tmp_path: Path, learners: Path, signum: int, code: int, message: bytes) -> None:
    report = tmp_path / "report.json"
    report.write_text("old report", "utf-8")
    process = lrsrules("validate", learners, "-f", "json", "-o", report)
    wait_for_temporary(tmp_path, process)
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert message in err and b"Traceback" not in err
    assert leftovers(tmp_path) == [] and report.read_text("utf-8") == "old report"


def test_a_broken_pipe_stops_quietly_with_141(learners: Path) -> None:
    process = lrsrules("validate", learners, stdout=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=30)
    assert process.returncode == ExitCode.BROKEN_PIPE and err == b""


def test_dev_stdout_on_a_pipe_is_standard_output(files: dict[str, Path]) -> None:
    process = lrsrules("validate", files["data"], "--pack", files["pack"], "-f", "jsonl",
                       "-o", "/dev/stdout", stdout=subprocess.PIPE)
    out, err = process.communicate(timeout=30)
    assert process.returncode == ExitCode.FINDINGS, err
    assert json.loads(out.splitlines()[0])["rule"] == "O.NAME.01"
