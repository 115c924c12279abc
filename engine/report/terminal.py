"""The text report as a terminal shows it: findings grouped by rule (most severe first),
coloured by severity, then tables of the findings by severity and by rule, then the same
summary lines as the plain report.

Drawn with rich, which is imported only here and only when a terminal asks for this
layout: a piped run keeps the plain line format of ``TextReporter`` byte for byte and
never pays for the import. The groups are known only at the end, so findings are held:
at most ``MAX_HELD_FINDINGS`` of them (the rest are counted, per rule, and each group
says how many it leaves out). The counts per rule are this reporter's own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from lrsrules.findings import SEVERITIES, SEVERITY_RANK, Finding
from lrsrules.limits import MAX_HELD_FINDINGS
from lrsrules.report.reporters import Reporter, TextReporter, shown_value
from lrsrules.run.findings import RunInfo, Summary

if TYPE_CHECKING:
    from rich.console import Console

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


@dataclass(slots=True)
class _Group:
    """One rule's findings as they come: counts of all, the first ones held."""

    rule: str
    severity: str
    findings: int = 0
    records: int = 0
    waived: int = 0
    last_record: int | None = None
    held: list[Finding] = field(default_factory=list)

    def count(self, finding: Finding) -> None:
        self.findings += 1
        self.waived += finding.waived is not None
        if finding.record is not None and finding.record != self.last_record:
            self.records += 1
            self.last_record = finding.record


class TerminalReporter(Reporter):
    """For a person at a terminal: grouped, coloured (unless ``colour`` is false), tabled."""

    streams = False

    def __init__(self, stream: TextIO, *, colour: bool = True, show_values: bool = False,
                 source_name: str = "", spool_dir: str | None = None) -> None:
        super().__init__(stream, show_values=show_values, source_name=source_name,
                         spool_dir=spool_dir)
        self.colour = colour
        self._groups: dict[str, _Group] = {}
        self._held = 0
        self._name = source_name or "<input>"

    def start(self, info: RunInfo) -> None:
        super().start(info)
        self._name = self.source_name or info.input_path

    def _group(self, finding: Finding) -> _Group:
        group = self._groups.get(finding.rule)
        if group is None:
            group = self._groups[finding.rule] = _Group(finding.rule, finding.severity)
        group.count(finding)
        return group

    def add(self, finding: Finding) -> None:
        group = self._group(finding)
        if self._held < MAX_HELD_FINDINGS:
            group.held.append(finding)
            self._held += 1

    def count(self, finding: Finding) -> None:
        self._group(finding)

    def finish(self, summary: Summary) -> None:
        from rich.console import Console

        console = Console(file=self.stream, force_terminal=True, no_color=not self.colour,
                          highlight=False, emoji=False, markup=False, soft_wrap=True)
        groups = sorted(self._groups.values(),
                        key=lambda g: (-SEVERITY_RANK.get(g.severity, 0), g.rule))
        for group in groups:
            if group.held:  # a rule none of whose findings is listed is in the table only
                self._print_group(console, group)
        if summary.findings:
            self._print_tables(console, summary, groups)
        # The closing lines are the plain report's, word for word.
        lines = io.StringIO()
        plain = TextReporter(lines, show_values=self.show_values, source_name=self.source_name)
        plain.start(self._run_info())
        plain.finish(summary)
        self.stream.write(lines.getvalue())
        super().finish(summary)

    def _print_group(self, console: Console, group: _Group) -> None:
        from rich.text import Text

        style = STYLES.get(group.severity, "")
        found = f"{group.findings:,} finding{'' if group.findings == 1 else 's'}"
        if group.records:
            found += f" in {group.records:,} record{'' if group.records == 1 else 's'}"
        if group.waived:
            found += f", {group.waived:,} waived"
        messages = {finding.message for finding in group.held}
        same = len(messages) == 1
        head = Text.assemble((f"{group.severity:<7}", style), " ", (group.rule, "bold"),
                             "  ", (found, "dim"))
        console.print(head)
        if same:
            console.print(Text.assemble("  ", (_one_line(next(iter(messages))), style)))
        for finding in group.held:
            console.print(self._line(finding, with_message=not same))
        left = group.findings - len(group.held)
        if left:
            console.print(Text(f"  … {left:,} more not listed", style="dim"))
        console.print()

    def _line(self, finding: Finding, *, with_message: bool) -> object:
        from rich.text import Text

        where = self._name if finding.line is None else f"{self._name}:{finding.line}"
        parts: list[str | tuple[str, str]] = ["  ", (where, "dim")]
        subject = [] if finding.record is None else [f"record {finding.record}"]
        subject += [finding.field] if finding.field else []
        if subject:
            parts.append(f"  {', '.join(subject)}")
        if with_message:
            parts.append(f": {_one_line(finding.message)}")
        if self.show_values and finding.field is not None:
            parts.append((f"  [value: {shown_value(finding.value)}]", "magenta"))
        if finding.waived is not None:
            parts.append((f"  [waived: {_one_line(finding.waived)}]", "green"))
        return Text.assemble(*parts)

    def _print_tables(self, console: Console, summary: Summary, groups: list[_Group]) -> None:
        from rich import box
        from rich.table import Table

        severities = Table(title="Findings by severity", box=box.SIMPLE_HEAD,
                           title_justify="left")
        severities.add_column("severity")
        severities.add_column("findings", justify="right")
        order = [*reversed(SEVERITIES), *sorted(set(summary.by_severity) - set(SEVERITIES))]
        for name in order:
            count = summary.by_severity.get(name, 0)
            severities.add_row(name, f"{count:,}", style=STYLES.get(name, "") if count else "dim")
        console.print(severities)
        rules = Table(title="Findings by rule", box=box.SIMPLE_HEAD, title_justify="left")
        for name, justify in (("rule", "left"), ("severity", "left"), ("findings", "right"),
                              ("records", "right")):
            rules.add_column(name, justify=justify)  # type: ignore[arg-type]
        for group in sorted(groups, key=lambda g: (-g.findings, g.rule)):
            rules.add_row(group.rule, group.severity, f"{group.findings:,}",
                          f"{group.records:,}" if group.records else "",
                          style=STYLES.get(group.severity, ""))
        console.print(rules)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())
