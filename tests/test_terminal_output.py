"""What a person at a terminal sees: the text report grouped, coloured and tabled (only on
a terminal, or when asked), --max-findings and --min-severity (the listing, never the
counts), and the progress line on standard error."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.cli.output import terminal_style
from lrsrules.findings import Finding
from lrsrules.inputs.readers import open_records
from lrsrules.packs.loader import load_pack
from lrsrules.report.listing import ListedReporter, Listing
from lrsrules.report.progress import Progress, progress_line
from lrsrules.report.reporters import TextReporter
from lrsrules.report.terminal import TerminalReporter
from lrsrules.run.findings import RunInfo, Summary

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / "tests" / "data" / "ci"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
runner = CliRunner()

INFO = RunInfo("p", "1.0", "ab" * 32, "p.yaml", "in.csv", "csv")
FINDINGS = [
    Finding(1, 2, "uln", "R.ULN", "error", "ULN is wrong", "12345"),
    Finding(2, 3, "uln", "R.ULN", "error", "ULN is wrong", "678"),
    Finding(2, 3, "postcode", "R.PC", "info", "Postcode in lower case", "ab1 2cd"),
    Finding(3, 4, None, "INPUT.RECORD", "error", "record has 2 values"),
]
SUMMARY = Summary(3, 4, {"info": 1, "warning": 0, "error": 3}, 3, 2)


def validate(*more: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    cwd = Path.cwd()
    os.chdir(CI)
    try:
        result = runner.invoke(app, ["validate", "learners.csv", "-p", "pack.yaml", *more],
                               env=env, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


def terminal(findings: list[Finding] = FINDINGS, **options: object) -> str:
    stream = io.StringIO()
    reporter = TerminalReporter(stream, **options)  # type: ignore[arg-type]
    reporter.start(INFO)
    for finding in findings:
        reporter.add(finding)
    reporter.finish(SUMMARY)
    return stream.getvalue()


# --- which layout ----------------------------------------------------------------------------


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("color", "tty", "env", "expected"), [
    ("auto", True, {}, "colour"),
    ("auto", False, {}, None),  # piped: today's plain lines
    ("auto", True, {"NO_COLOR": "1"}, "plain"),  # the layout, without colour
    ("auto", False, {"FORCE_COLOR": "1"}, "colour"),
    ("auto", False, {"FORCE_COLOR": "0"}, None),  # as Node reads it: not forced
    ("auto", True, {"NO_COLOR": ""}, "colour"),  # an empty NO_COLOR is not set
    ("never", True, {"FORCE_COLOR": "1"}, None),
    ("always", False, {"NO_COLOR": "1"}, "colour"),  # the option wins over the environment
])
def test_the_terminal_layout_is_used_on_a_terminal_or_when_asked(
        color: str, tty: bool, env: dict[str, str], expected: str | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert terminal_style(color, _Stream(tty)) == expected


def test_piped_output_is_the_plain_line_format_whatever_color_auto_finds() -> None:
    _, auto = validate()
    _, never = validate("--color", "never")
    assert auto == never and not ANSI.search(auto)
    assert auto.splitlines()[0] == ("learners.csv:3: record 2, name: error CI.NAME.01: "
                                    "Name is required.")


# --- the terminal layout ---------------------------------------------------------------------


def test_color_always_groups_findings_by_rule_in_colour_with_tables() -> None:
    code, out = validate("--color", "always")
    assert code == 1
    assert "\x1b[1;31m" in out  # errors in bold red
    plain = ANSI.sub("", out)
    lines = plain.splitlines()
    # Errors first, each rule once with its counts, its message once when all share it.
    heads = [line.split()[1] for line in lines if re.match(r"^(error|warning|info)\s", line)]
    assert heads == ["CI.NAME.01", "INPUT.RECORD", "CI.ULN.01", "CI.POSTCODE.01"]
    assert "CI.ULN.01  2 findings in 2 records" in plain
    assert plain.count("ULN is not 10 digits") == 1 + 0  # in the group's head only
    assert "  learners.csv:5  record 4, uln" in lines
    assert "Findings by severity" in plain and "Findings by rule" in plain
    table = [line.split() for line in lines if line.strip().startswith("CI.ULN.01 ")]
    assert ["CI.ULN.01", "warning", "2", "2"] in table
    # The closing lines are the plain report's.
    assert lines[-1].startswith("4 records checked with pack ci-example 1.2.3")


def test_without_colour_the_layout_has_no_colour_codes() -> None:
    out = terminal(colour=False)
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", out)  # no foreground colour
    assert "R.ULN" in out and "Findings by rule" in out


def test_the_terminal_layout_shows_values_only_when_asked() -> None:
    assert "12345" not in terminal()
    assert "[value: '12345']" in ANSI.sub("", terminal(show_values=True))


def test_the_terminal_layout_holds_a_bounded_number_of_findings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from lrsrules.report import terminal as module

    monkeypatch.setattr(module, "MAX_HELD_FINDINGS", 1)
    out = ANSI.sub("", terminal())
    assert "R.ULN  2 findings in 2 records" in out
    assert "… 1 more not listed" in out


# --- --max-findings and --min-severity -------------------------------------------------------


def test_max_findings_caps_the_listing_and_the_summary_says_so() -> None:
    code, out = validate("--max-findings", "2")
    assert code == 1  # the exit code counts every finding
    lines = out.splitlines()
    assert len([line for line in lines if line.startswith("learners.csv:")]) == 2
    assert "6 findings (2 errors, 2 warnings, 2 info) in 3 records" in out
    assert "… 4 more findings not listed (--max-findings 2)" in lines


def test_min_severity_hides_lower_findings_from_the_listing_not_the_counts() -> None:
    code, out = validate("--min-severity", "warning", "--fail-on", "info")
    assert code == 1
    assert " info CI.POSTCODE.01" not in out
    assert "6 findings (2 errors, 2 warnings, 2 info)" in out
    assert "… 2 findings below warning not listed (--min-severity warning)" in out


def test_the_json_summary_says_what_was_not_listed() -> None:
    _, out = validate("-f", "json", "--max-findings", "1", "--min-severity", "error")
    document = json.loads(out)
    assert len(document["findings"]) == 1 and document["summary"]["findings"] == 6
    assert document["summary"]["not_listed"] == {
        "findings": 5, "below_min_severity": 4, "over_max_findings": 1,
        "min_severity": "error", "max_findings": 1}


def test_a_report_listing_everything_is_as_it_was() -> None:
    _, plain = validate("-f", "json")
    assert "not_listed" not in plain


def test_max_findings_zero_lists_nothing_in_the_terminal_layout_but_tables_everything() -> None:
    _, out = validate("--color", "always", "--max-findings", "0")
    plain = ANSI.sub("", out)
    assert "learners.csv:" not in plain
    assert "CI.ULN.01" in plain and "… 6 more findings not listed (--max-findings 0)" in plain


def test_a_listed_reporter_passes_what_it_leaves_out_to_count() -> None:
    counted: list[str] = []

    class Counting(TextReporter):
        def count(self, finding: Finding) -> None:
            counted.append(finding.rule)

    reporter = ListedReporter(Counting(io.StringIO()), Listing(1, "error"))
    reporter.start(INFO)
    for finding in FINDINGS:
        reporter.add(finding)
    assert counted == ["R.ULN", "R.PC", "INPUT.RECORD"]
    assert (reporter.listed, reporter.below, reporter.over) == (1, 1, 2)


def test_a_listing_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        Listing(-1)
    with pytest.raises(ValueError):
        Listing(None, "fatal")


# --- progress --------------------------------------------------------------------------------


def test_the_progress_line_shows_bar_percentage_records_and_rate() -> None:
    assert progress_line(50_000, (500, 1000), 2.0) == (
        "############------------  50%  50,000 records  25,000 records/s")
    assert progress_line(7_000, None, 1.0) == "checking: 7,000 records  7,000 records/s"


def test_progress_draws_only_past_the_threshold_and_wipes_its_line_at_the_end() -> None:
    stream = io.StringIO()
    counts = iter([(10, None), *[(9_000, (10, 100))] * 1000])
    import time

    with Progress(stream, lambda: next(counts), enabled=True):
        time.sleep(0.7)
    text = stream.getvalue()
    assert "9,000 records" in text and " 10%" in text
    assert text.endswith("\r\x1b[K")


def test_progress_is_silent_when_not_enabled() -> None:
    stream = io.StringIO()
    with Progress(stream, lambda: (1_000_000, None), enabled=False):
        pass
    assert stream.getvalue() == ""


def test_progress_never_shows_in_a_pipe() -> None:
    # CliRunner's standard error is not a terminal: a big run prints no progress there.
    _, out = validate()
    assert "\r" not in out


def test_a_reader_tells_how_many_bytes_it_has_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("Name\n" + "Ada\n" * 50_000, "utf-8")
    pack = load_pack(CI / "pack.yaml")
    with open_records(path, pack.fields, ("name",)) as source:
        records = iter(source)
        next(records)
        read, size = source.bytes_read() or (0, 0)
        assert size == path.stat().st_size and 0 < read < size
        for _ in records:
            pass
        assert source.bytes_read() == (size, size)
    assert source.bytes_read() is None  # closed
    with open_records(io.StringIO("Name\nAda\n"), pack.fields, ("name",)) as memory:
        assert memory.bytes_read() is None


def test_a_big_run_shows_progress_on_a_terminal_and_wipes_it(tmp_path: Path) -> None:
    # A real pseudo-terminal as standard error; the report goes to a file. 40,000 records
    # through the default pack take a second or more, past the first redraws.
    import pty
    import subprocess
    import sys

    big = tmp_path / "big.csv"
    big.write_text("GivenName,FamilyName,ULN,DateOfBirth\n"
                   + "Ada,Lovelace,1000000043,2000-01-01\n" * 40_000, "utf-8")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from lrsrules.cli.app import main; main()", "validate",
             str(big), "-o", str(tmp_path / "r.txt")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower,
            timeout=300, check=False)
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    text = seen.decode("utf-8", "replace")
    assert done.returncode in (0, 1), text
    assert "records/s" in text and "%" in text, text
    assert text.endswith("\r\x1b[K")  # wiped at the end
    assert "40000 records checked" in (tmp_path / "r.txt").read_text("utf-8")
