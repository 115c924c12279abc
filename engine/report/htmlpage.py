"""The HTML report: one self-contained page a data manager opens to see how clean a file is
and what to fix first.

The page is built in two steps: ``page_model`` turns a run's totals, statistics and the
findings kept for the table into plain data (with the charts' geometry worked out here,
so the bars are SVG that shows without script), and ``render`` writes it through the
Jinja2 templates shipped in ``templates/``. Everything is inline (styles, the table's
script, the data as JSON in a ``<script type="application/json">``); a Content Security
Policy forbids the page to load anything. Jinja2 is an extra (``lrsrules[html]``),
imported only when a page is made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from lrsrules.errors import EngineError, Location
from lrsrules.findings import SEVERITY_RANK, Finding
from lrsrules.limits import MAX_HTML_FINDINGS
from lrsrules.packs.model import RuleDef
from lrsrules.report.statistics import SEVERITY_ORDER, Counts, Statistics
from lrsrules.run.findings import RunInfo, Summary

CHART_BARS = 15  # bars in each chart; the rest are counted under it
TOP_RULES = 10  # rules described under "What to fix first"
_BAR_WIDTH = 300  # px of the longest bar
_LABEL_WIDTH = 230  # px for the names left of the bars
_LABEL_CHARS = 32  # a longer name is cut short (the full name is its tooltip)
_ROW_HEIGHT = 24
# What each value of a rule's enforced_by means, in the words of the pack documentation.
ENFORCED_BY = {
    "lrs": ("LRS", "the LRS rejects the record"),
    "ilr": ("ILR", "a rule of the ILR"),
    "quality": ("Quality", "advice: not rejected"),
}
_FIELDS_SHOWN = 3  # a rule on more fields names these and says how many more
_INPUT_RULE_DOC = "About the input file itself (how it was read), not a rule of the pack."


class MissingExtraError(EngineError):
    """A report needs a package that is an extra of lrsrules, and it is not installed."""

    quote_source = False


def require_jinja() -> None:
    """Raise ``MissingExtraError`` unless Jinja2 can be imported (before a run starts)."""
    try:
        import jinja2  # noqa: F401
    except ImportError:
        raise MissingExtraError(
            "the HTML report needs Jinja2, which is not installed", Location("--format html"),
            hint="pip install 'lrsrules[html]'") from None


def file_sha256(path: str) -> str | None:
    """The SHA-256 of a regular file's bytes; None for anything else (a stream, a pipe)."""
    try:
        if not os.path.isfile(path):
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as data:
            while block := data.read(1 << 20):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def lrsrules_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lrsrules")
    except PackageNotFoundError:
        return "unknown (not installed)"


def page_model(info: RunInfo, summary: Summary, statistics: Statistics,
               rows: Sequence[Finding], *, show_values: bool, input_name: str,
               input_sha256: str | None, generated: dt.datetime,
               limit: int = MAX_HTML_FINDINGS) -> dict[str, Any]:
    """Everything the template shows, as plain data; ``rows`` are the findings kept for
    the table, at most ``limit``."""
    rules = {} if info.pack is None else {rule.id: rule for rule in info.pack.rules}
    unwaived = {name: counts.findings - counts.waived
                for name, counts in statistics.by_severity.items()}
    return {
        "title": f"lrsrules report: {Path(input_name).name}",
        "input_name": input_name,
        "input_file": Path(input_name).name,
        "version": lrsrules_version(),
        "verdict": _verdict(summary, statistics, unwaived),
        "provenance": _provenance(info, summary, input_name, input_sha256, generated),
        "totals": _totals(summary, statistics),
        "rule_chart": _chart(statistics.rules(), "rule"),
        "field_chart": _chart([("(no single field)" if name is None else name, counts)
                               for name, counts in statistics.fields()], "field"),
        "top_rules": _top_rules(statistics, rules),
        "capped": summary.findings > len(rows),
        "embedded": len(rows),
        "findings": summary.findings,
        "limit": limit,
        "show_values": show_values,
        "notes": _notes(summary),
        "data": _table_data(rows, statistics, show_values=show_values,
                            waivers=info.waivers is not None),
        "severities": SEVERITY_ORDER,
    }


def render(stream: TextIO, model: Mapping[str, Any]) -> None:
    """Write the page for ``model`` (from ``page_model``) to ``stream``."""
    import jinja2

    def load(name: str) -> str:
        return resources.files("lrsrules.report").joinpath("templates").joinpath(
            name).read_text("utf-8")

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["thousands"] = "{:,}".format
    # tojson escapes <, >, & and ' as \u003c ...: no value can close the data's <script>.
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": True,
                                         "separators": (",", ":")}
    for piece in env.get_template("report.html.j2").generate(model):
        stream.write(piece)


# --- the parts of the page ----------------------------------------------------------------

def _verdict(summary: Summary, statistics: Statistics, unwaived: Mapping[str, int]
             ) -> dict[str, str]:
    errors = statistics.records_with("error")
    warnings = statistics.records_with("warning")
    if unwaived.get("error"):
        return {"level": "error", "text": f"{_count(errors, 'record')} of {summary.records:,} "
                "with errors: the LRS may reject them. Fix these first."}
    if unwaived.get("warning"):
        return {"level": "warning", "text": f"No errors; {_count(warnings, 'record')} of "
                f"{summary.records:,} with warnings to review."}
    return {"level": "clean",
            "text": f"No errors or warnings in {_count(summary.records, 'record')}."}


def _provenance(info: RunInfo, summary: Summary, input_name: str, input_sha256: str | None,
                generated: dt.datetime) -> list[tuple[str, str]]:
    rules_in_force = f"in force on {info.as_of}" if info.as_of else "in force on the run date"
    # Laid out two to a row: the input beside the pack, each hash beside the other.
    items = [
        ("Input", input_name),
        ("Pack", f"{info.pack_name} {info.pack_version} ({summary.rules:,} rules, "
                 f"{rules_in_force})"),
        ("Input SHA-256", input_sha256 or "(not a file: not hashed)"),
        ("Pack SHA-256", info.pack_sha256),
        ("Input format", ", ".join(part for part in (
            info.input_format, info.encoding and f"encoding {info.encoding}",
            info.delimiter and f"delimiter {info.delimiter!r}") if part)),
    ]
    if info.waivers is not None:
        items.append(("Waivers", info.waivers))
    for key, value in summary.extra.items():
        shown = (", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, Mapping)
                 else str(value))
        items.append((key.replace("_", " ").capitalize(), shown))
    items += [
        ("Generated", generated.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("Made by", f"lrsrules {lrsrules_version()}"),
    ]
    return items


def _totals(summary: Summary, statistics: Statistics) -> dict[str, Any]:
    return {
        "records": summary.records,
        "clean": summary.records - summary.records_with_findings,
        "records_with": {name: statistics.records_with(name) for name in SEVERITY_ORDER},
        "findings": summary.findings,
        "by_severity": {name: summary.by_severity.get(name, 0) for name in SEVERITY_ORDER},
        "waived": summary.waived,
    }


def _chart(items: Sequence[tuple[str, Counts]], what: str) -> dict[str, Any]:
    shown = items[:CHART_BARS]
    most = max((counts.findings for _, counts in shown), default=0) or 1
    bars = []
    for row, (name, counts) in enumerate(shown):
        x, segments = 0.0, []
        for severity in SEVERITY_ORDER:
            count = counts.by_severity.get(severity, 0)
            if count:
                width = count / most * _BAR_WIDTH
                segments.append({"severity": severity, "count": count, "x": round(x, 1),
                                 "width": round(max(width, 1.0), 1)})
                x += width
        label = name if len(name) <= _LABEL_CHARS else name[:_LABEL_CHARS - 1] + "…"
        bars.append({"name": name, "label": label, "total": counts.findings,
                     "records": counts.records, "y": row * _ROW_HEIGHT,
                     "end": round(x, 1), "filter": name if what == "rule" else None})
        bars[-1]["segments"] = segments
    return {"what": what, "bars": bars, "more": len(items) - len(shown),
            "height": len(bars) * _ROW_HEIGHT, "label_width": _LABEL_WIDTH,
            "width": _LABEL_WIDTH + _BAR_WIDTH + 50, "row_height": _ROW_HEIGHT}


def _top_rules(statistics: Statistics, rules: Mapping[str, RuleDef]) -> list[dict[str, Any]]:
    def rank(item: tuple[str, Counts]) -> tuple[int, int, str]:
        rule, counts = item
        worst = max((SEVERITY_RANK.get(name, -1) for name, n in counts.by_severity.items()
                     if n), default=-1)
        return (-worst, -counts.findings, rule)

    top = []
    for rule_id, counts in sorted(statistics.by_rule.items(), key=rank)[:TOP_RULES]:
        rule = rules.get(rule_id)
        severity = rule.severity if rule else max(
            counts.by_severity, key=lambda name: SEVERITY_RANK.get(name, -1))
        top.append({
            "id": rule_id,
            "severity": severity,
            "findings": counts.findings,
            "records": counts.records,
            "waived": counts.waived,
            "message": rule.message if rule else "",
            "doc": (rule.doc or "").strip() if rule else _INPUT_RULE_DOC,
            "provenance": rule.provenance if rule else None,
            "enforced_by": _enforced_by(rule.enforced_by) if rule else None,
            "pack": rule.pack if rule else None,
            "fields": _fields(rule.fields) if rule else "",
        })
    return top


def _enforced_by(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    return ENFORCED_BY.get(value, (value, ""))


def _fields(fields: Sequence[str]) -> str:
    if len(fields) <= _FIELDS_SHOWN:
        return ", ".join(fields)
    return f"{', '.join(fields[:_FIELDS_SHOWN])} and {len(fields) - _FIELDS_SHOWN} more"


def _notes(summary: Summary) -> list[str]:
    notes = []
    if summary.missing_fields:
        notes.append("Fields of the pack the input has no column for (null in every "
                     f"record): {', '.join(summary.missing_fields)}")
    if summary.ignored_headings:
        notes.append("Headings that match no field of the pack (ignored): "
                     f"{', '.join(summary.ignored_headings)}")
    if summary.waived:
        notes.append(f"{_count(summary.waived, 'finding')} covered by a waiver: shown, "
                     "marked waived, and not counted toward --fail-on.")
    return notes + list(summary.notes)


def _table_data(rows: Sequence[Finding], statistics: Statistics, *, show_values: bool,
                waivers: bool) -> dict[str, Any]:
    """The table's rows as arrays (record, line, field, rule, severity, message number
    [, value] [, waived]), each message written once: the same message repeats on
    thousands of rows."""
    messages: dict[str, int] = {}
    table = []
    for finding in rows:
        number = messages.setdefault(finding.message, len(messages))
        row: list[Any] = [finding.record, finding.line, finding.field, finding.rule,
                          finding.severity, number]
        if show_values:
            row.append(finding.value)
        if waivers:
            row.append(finding.waived)
        table.append(row)
    return {
        "rows": table,
        "messages": list(messages),
        "show_values": show_values,
        "waivers": waivers,
        "rule_totals": {rule: counts.findings for rule, counts in statistics.by_rule.items()},
        "field_totals": {"" if name is None else name: counts.findings
                         for name, counts in statistics.by_field.items()},
        "severity_totals": {name: statistics.by_severity[name].findings
                            for name in SEVERITY_ORDER if name in statistics.by_severity},
        "severity_order": list(SEVERITY_ORDER),
    }


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"

