"""The HTML report in a real browser: Debian's chromium, headless, driven by Playwright.

The page is written by the command line as a user runs it, opened through file://, and
used: no console errors, no request beyond the file itself, chart, table and provenance
shown, filtering, sorting and paging work, a hostile value stays text. A screenshot is
written to tests/artifacts/ (not committed) for a person to look at.

Skipped only when chromium or Playwright is absent; .ci/run installs both and sets
LRSRULES_REQUIRE_BROWSER (set, not empty), under which their absence fails instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lrsrules

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "learners.csv"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("LRSRULES_CHROMIUM", "/usr/bin/chromium")
REQUIRED = bool(os.environ.get("LRSRULES_REQUIRE_BROWSER"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = "</script><script>window.pwned = 1</script>"


def _browser_missing() -> str | None:
    if not (os.path.isfile(CHROMIUM) or shutil.which("chromium")):
        return f"chromium is not installed ({CHROMIUM}; apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if REQUIRED:
            pytest.fail(f"browser tests are required here, but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM if os.path.isfile(CHROMIUM)
            else shutil.which("chromium"), headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()


class Opened:
    """A page opened in the browser, with what it said on the console and asked for."""

    def __init__(self, context: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda message: self.errors.append(message.text)
                     if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(path.as_uri())
        try:
            self.page.wait_for_selector("#findings tbody tr", timeout=10_000)
        except Exception as exc:  # the page's own errors say why its table stayed empty
            raise AssertionError(f"the table was not filled: {self.errors}") from exc

    def column(self, number: int) -> list[str]:
        cells: list[str] = self.page.eval_on_selector_all(
            f"#findings tbody tr td:nth-child({number})", "cells => cells.map(c => c.textContent)")
        return cells

    def status(self) -> str:
        text: str = self.page.inner_text("#status")
        return text


def lrsrules_command() -> str:
    found = Path(sys.executable).parent / "lrsrules"
    return str(found) if found.exists() else shutil.which("lrsrules") or "lrsrules"


def write_page(target: Path, source: Path, *options: str) -> None:
    # As the README says: lrsrules validate FILE --format html -o report.html
    done = subprocess.run([lrsrules_command(), "validate", str(source),
                           "--format", "html", "-o", str(target), *options],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert target.is_file()


def test_the_example_report_renders_and_its_table_filters_and_sorts(
        browser: Any, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    write_page(target, EXAMPLE)
    opened = Opened(browser, target)
    page = opened.page
    findings = list(lrsrules.validate(EXAMPLE))

    assert opened.errors == []
    assert all(url.startswith("file://") for url in opened.requests), opened.requests
    # Chart, table and provenance are shown.
    assert page.locator("#chart-rule svg rect").count() >= 10
    assert page.locator("#chart-field svg rect").count() >= 5
    assert page.is_visible("#chart-rule") and page.is_visible("#findings")
    assert page.locator("#findings tbody tr").count() == len(findings)
    provenance = page.inner_text("#provenance")
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() in provenance
    run = lrsrules.validate(EXAMPLE)
    assert f"{run.info.pack_name} {run.info.pack_version}" in provenance
    assert run.info.pack_sha256 in provenance and "lrsrules " in provenance
    assert page.inner_text("#totals").split()[0] == "9"
    assert "5 records of 9 with errors" in page.inner_text("#verdict")

    # Filtering by rule leaves that rule's findings alone.
    page.select_option("#filter-rule", "CDD.ULN.02")
    assert set(opened.column(4)) == {"CDD.ULN.02"}
    assert len(opened.column(4)) == sum(f.rule == "CDD.ULN.02" for f in findings)
    assert opened.status().startswith(f"Showing 1–{len(opened.column(4))} of")
    page.select_option("#filter-severity", "info")
    assert opened.column(4) == [] and "No findings match" in opened.status()
    page.click("#clear-filters")
    assert len(opened.column(4)) == len(findings)

    # Sorting: by rule (click the heading), then the other way (click again).
    page.click("#findings th[data-key=rule] button")
    rules = opened.column(4)
    assert rules == sorted(rules)
    assert page.get_attribute("#findings th[data-key=rule]", "aria-sort") == "ascending"
    page.click("#findings th[data-key=rule] button")
    assert opened.column(4) == sorted(rules, reverse=True)
    # Severity sorts by rank, most severe first.
    page.click("#findings th[data-key=severity] button")
    severities = opened.column(3)
    assert severities[0] == "error" and severities[-1] == "info"

    # A rule's bar in the chart lists its findings.
    page.click("#chart-rule .bar[data-rule='CDD.EMAIL.01']")
    assert set(opened.column(4)) == {"CDD.EMAIL.01"}
    assert page.input_value("#filter-rule") == "CDD.EMAIL.01"
    assert opened.errors == []

    page.click("#clear-filters")
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "html-report-top.png"))
    page.close()


def test_a_bigger_report_pages_and_a_hostile_value_stays_text(
        browser: Any, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(EXAMPLE.read_text("utf-8-sig"))))
    header, records = rows[0], rows[1:]
    given = header.index(next(h for h in header if h.lower().replace(" ", "") == "givenname"))
    hostile = [*records[0]]
    hostile[given] = HOSTILE
    source = tmp_path / "many.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([hostile, *records * 12])
    target = tmp_path / "many.html"
    write_page(target, source, "--show-values")
    opened = Opened(browser, target)
    page = opened.page
    total = sum(1 for _ in lrsrules.validate(source))

    assert opened.errors == []
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert HOSTILE in page.inner_text("#findings")  # shown as the text it is
    assert page.locator("#findings tbody tr").count() == 50
    assert opened.status() == f"Showing 1–50 of {total:,} findings"
    page.click("#page-next")
    assert opened.status() == f"Showing 51–100 of {total:,} findings"
    page.click("#page-last")
    assert opened.status().endswith(f"–{total:,} of {total:,} findings")
    assert page.is_disabled("#page-next")
    page.select_option("#page-size", "500")
    assert page.locator("#findings tbody tr").count() == min(total, 500)
    assert opened.errors == []
    page.close()
