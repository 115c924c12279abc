"""No command, format or error path prints a learner's personal values unless
``--show-values`` asks for them.

The learners are made of known values (names, ULN, date of birth, postcode, e-mail); every
command and report format is run over them, and so is every error path that meets a
learner's data. The same runs with ``--show-values`` do show them, so the check can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app

PERSONAL = ("Zebedee", "Quantock", "9876543210", "ZQ9 9ZZ", "zebedee.quantock@example.org",
            "1987-06-05")
HEADINGS = "ULN,GivenName,FamilyName,DateOfBirth,LastKnownPostCode,EmailAddress"
# A bad ULN check digit, a malformed postcode and e-mail and a date in the future on
# purpose, so that each value is the value of some finding.
LEARNER = "9876543210,Zebedee,Quantock,1987-06-05,ZQ9 9ZZ,zebedee.quantock@example.org"
FORMATS = ("text", "json", "jsonl", "csv", "html", "junit", "sarif", "github")
runner = CliRunner()


def invoke(folder: Path, *args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr + _written(folder)


def _written(folder: Path) -> str:
    # Reports written with -o or --report count as printed; the corrected batch file and
    # the inputs do not (they are the learners' data on purpose).
    return "".join(path.read_text("utf-8") for path in folder.glob("report*"))


def shown(text: str) -> list[str]:
    return [value for value in PERSONAL if value in text]


@pytest.fixture
def learners(tmp_path: Path) -> Path:
    path = tmp_path / "learners.csv"
    path.write_text(f"{HEADINGS}\n{LEARNER}\n{LEARNER.replace('Zebedee', 'Zebedee Zebedee')}\n",
                    "utf-8")
    return path


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "LRB_10012345_290920261030.CSV"
    path.write_text("FileVersion,FileName,UKPRN,OrgRef\n2A,F,10012345,O\n"
                    f"{HEADINGS}\n{LEARNER}\n{LEARNER.replace('ZQ9 9ZZ', 'zq99zz')}\n", "utf-8")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_validate_shows_values_only_when_asked(fmt: str, learners: Path,
                                               tmp_path: Path) -> None:
    code, said = invoke(tmp_path, "validate", learners, "--format", fmt)
    assert code == 1 and shown(said) == [], said
    code, said = invoke(tmp_path, "validate", learners, "--format", fmt, "-o",
                        tmp_path / "report.out")
    assert code == 1 and shown(said) == []
    code, said = invoke(tmp_path, "validate", learners, "--format", fmt, "--show-values")
    assert "9876543210" in said


@pytest.mark.parametrize("fmt", FORMATS)
def test_batch_check_shows_values_only_when_asked(fmt: str, batch: Path, tmp_path: Path) -> None:
    code, said = invoke(tmp_path, "batch", "check", batch, "--format", fmt)
    assert code == 1 and shown(said) == [], said
    code, said = invoke(tmp_path, "batch", "check", batch, "--format", fmt, "--show-values")
    assert "9876543210" in said


@pytest.mark.parametrize("fmt", ("csv", "json"))
def test_batch_fix_report_shows_values_only_when_asked(fmt: str, batch: Path,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "LRB_10012345_290920261031.CSV"
    code, said = invoke(tmp_path, "batch", "fix", batch, "-o", out, "--report-format", fmt)
    assert code == 1 and shown(said) == [], said
    code, said = invoke(tmp_path, "batch", "fix", batch, "-o", out, "--report-format", fmt,
                        "--report", tmp_path / "report.out")
    assert shown(said) == []
    code, said = invoke(tmp_path, "batch", "fix", batch, "-o", out, "--report-format", fmt,
                        "--show-values")
    assert "ZQ9 9ZZ" in said or "zq99zz" in said


def test_explain_and_diff_show_values_only_when_asked(learners: Path, tmp_path: Path) -> None:
    code, said = invoke(tmp_path, "explain", "CDD.ULN.02", "--record", f"{learners}:1")
    assert code == 0 and shown(said) == [], said
    _, said = invoke(tmp_path, "explain", "CDD.ULN.02", "--record", f"{learners}:1",
                     "--show-values")
    assert "9876543210" in said
    for fmt in ("text", "json"):
        code, said = invoke(tmp_path, "diff", "lrs-cdd", "lrs-default", "--records", learners,
                            "--format", fmt)
        assert code == 1 and shown(said) == [], said


@pytest.mark.parametrize("text", [
    f"{LEARNER}\n{LEARNER}\n",  # no header row: the first learner stands where headings go
    f"{LEARNER.replace(',', ';')}\n",  # the same, with another delimiter
    f"ULN,uln\n{LEARNER}\n",  # two headings for one field
    f"Zebedee Quantock,9876543210,GivenName\n{LEARNER}\n",  # learner values as headings
])
def test_error_paths_meeting_learner_data_do_not_quote_it(text: str, tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(text, "utf-8")
    for args in (("validate", path), ("diff", "lrs-cdd", "lrs-default", "--records", path),
                 ("explain", "CDD.ULN.02", "--record", f"{path}:1")):
        _, said = invoke(tmp_path, *args)
        assert shown(said) == [], (args, said)


def test_a_learner_file_given_as_pack_or_waivers_is_not_quoted(learners: Path,
                                                               tmp_path: Path) -> None:
    for args in (("validate", learners, "--pack", learners),
                 ("validate", learners, "--waivers", learners),
                 ("check", learners), ("test", learners), ("docs", learners),
                 ("batch", "check", learners, "--layout", learners)):
        code, said = invoke(tmp_path, *args)
        assert code == 2 and shown(said) == [], (args, said)


def test_waiver_errors_name_the_waiver_not_its_key(learners: Path, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    for entry in ("{rule: CDD.NOPE.01, key: {field: uln, value: '9876543210'}",
                  "{rule: CDD.ULN.02, key: {field: ulnn, value: '9876543210'}",
                  "{rule: CDD.ULN.02, key: {field: uln, value: '9876543210'}, record: 1"):
        waivers.write_text(f"waivers:\n  - {entry}, reason: r, approved_by: a,"
                           " expires: 2099-12-31}\n", "utf-8")
        code, said = invoke(tmp_path, "validate", learners, "--waivers", waivers)
        assert code == 2 and shown(said) == [], said
