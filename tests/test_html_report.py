"""The HTML report as text: what the page holds, what it hides, where its rows stop.

tests/test_html_browser.py opens it in a real browser.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.findings import Finding
from lrsrules.report import reporters
from lrsrules.run.findings import RunInfo, Summary

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "learners.csv"
runner = CliRunner()
INFO = RunInfo("lrs-default", "1.0.0", "ab" * 32, "pack.yaml", "data/learners.csv", "csv")
HOSTILE = '</script><script>window.pwned = 1</script><!--'
DATA = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def page(findings: Sequence[Finding], *, records: int = 10, show_values: bool = False,
         info: RunInfo = INFO) -> str:
    by_severity = {name: sum(f.severity == name for f in findings)
                   for name in ("info", "warning", "error")}
    summary = Summary(records, len(findings), by_severity,
                      len({f.record for f in findings if f.record is not None}), 40)
    stream = io.StringIO()
    with reporters.HtmlReporter(stream, show_values=show_values) as reporter:
        reporter.start(info)
        for finding in findings:
            reporter.add(finding)
        reporter.finish(summary)
    return stream.getvalue()


def embedded(html: str) -> dict[str, object]:
    found = DATA.search(html)
    assert found, "no report data in the page"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_a_value_that_closes_the_script_cannot_break_out_of_the_data() -> None:
    finding = Finding(1, 2, "given_name", "R.1", "error", f"message {HOSTILE}", HOSTILE)
    html = page([finding], show_values=True)
    # The data ends at the first </script>, and still holds the value whole.
    data = embedded(html)
    assert data["rows"] == [[1, 2, "given_name", "R.1", "error", 0, HOSTILE]]
    assert data["messages"] == [f"message {HOSTILE}"]
    # Two scripts (the data and the table's code), and no third.
    assert html.count("<script") == 2 and html.count("</script>") == 2


def test_values_are_left_out_unless_asked() -> None:
    finding = Finding(1, 2, "family_name", "R.1", "error", "Family name is too long", "Secretson")
    assert "Secretson" not in page([finding])
    assert embedded(page([finding]))["rows"] == [[1, 2, "family_name", "R.1", "error", 0]]
    assert "Secretson" in page([finding], show_values=True)


def test_rows_stop_at_the_limit_and_the_page_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reporters, "MAX_HTML_FINDINGS", 3)
    findings = [Finding(n, n + 1, "uln", "R.1" if n % 2 else "R.2", "error", "bad")
                for n in range(1, 11)]
    html = page(findings)
    data = embedded(html)
    assert len(data["rows"]) == 3  # type: ignore[arg-type]
    assert data["rule_totals"] == {"R.1": 5, "R.2": 5}  # the counts cover every finding
    assert "This page holds the first 3 of 10 findings, in input order (at most 3 rows" in html


def test_a_page_under_the_limit_says_nothing_of_one() -> None:
    assert "This page holds the first" not in page([Finding(1, 2, "uln", "R.1", "error", "x")])


def test_the_page_loads_nothing_from_anywhere() -> None:
    html = page([Finding(1, 2, "uln", "R.1", "error", "x")])
    assert "default-src 'none'" in html
    assert not re.search(r"\b(src|href)\s*=", html), "the page refers to another resource"
    assert "<svg" in html and "<style>" in html


def test_the_page_names_the_pack_and_the_input_with_their_hashes(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    code, out = invoke("validate", EXAMPLE, "--format", "html", "-o", target)
    assert code == 1, out
    html = target.read_text("utf-8")
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert digest in html
    assert re.search(r"lrs-default \d+\.\d+\.\d+ \(\d+ rules", html)
    assert re.search(r"<dd>lrsrules \d", html)
    assert re.search(r"Generated</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", html)
    assert 'id="chart-rule"' in html and 'id="chart-field"' in html
    assert "What to fix first" in html


def test_the_top_rules_come_from_the_pack_with_source_and_enforcement() -> None:
    code, out = invoke("validate", EXAMPLE, "--format", "html")
    assert code == 1
    rules = out[out.index('id="top-rules"'):out.index('id="findings-section"')]
    assert "CDD.ULN.02" in rules and "ULN check digit is wrong" in rules
    assert "<strong>LRS</strong>" in rules and "pack lrs-cdd" in rules


def test_batch_check_writes_a_page_too(tmp_path: Path) -> None:
    target = tmp_path / "batch.html"
    code, out = invoke("batch", "check", ROOT / "examples" / "LRB_10012345_290920261030.CSV",
                       "-f", "html", "-o", target)
    assert code == 0, out
    html = target.read_text("utf-8")
    assert "Batch</dt><dd>layout lrb-2a" in html


def test_a_clean_run_says_so() -> None:
    html = page([])
    assert "No errors or warnings in 10 records." in html and "No findings." in html


def test_without_jinja2_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)  # import jinja2 raises ImportError
    target = tmp_path / "r.html"
    code, out = invoke("validate", EXAMPLE, "--format", "html", "-o", target)
    assert code == 2, out
    assert "pip install 'lrsrules[html]'" in out and "Traceback" not in out
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_a_run_with_waivers_has_a_waived_column_and_counts_them() -> None:
    waived = Finding(1, 2, "uln", "R.1", "error", "bad", waived="agreed by the data manager")
    html = page([waived, Finding(2, 3, "uln", "R.1", "error", "bad")],
                info=dataclasses.replace(INFO, waivers="waivers.yaml"))
    assert 'data-key="waived"' in html
    assert embedded(html)["rows"] == [[1, 2, "uln", "R.1", "error", 0,
                                       "agreed by the data manager"],
                                      [2, 3, "uln", "R.1", "error", 0, None]]
    assert "<dt>Waivers</dt><dd>waivers.yaml</dd>" in html
