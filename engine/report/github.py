"""GitHub Actions workflow annotations: one ``::error`` (``::warning``, ``::notice``) line per
finding, which GitHub shows on the file and line of the input, then the plain summary.

Values are escaped as the runner reads them back: ``%``, CR and LF in the message, and
also ``:`` and ``,`` in a property (file, line, title), so a message or rule id can never
end the command early or forge another one.
"""

from __future__ import annotations

from lrsrules.findings import Finding
from lrsrules.report.locations import relative_path
from lrsrules.report.reporters import TextReporter, shown_value
from lrsrules.run.findings import RunInfo

# GitHub has three levels; info findings are notices.
LEVELS = {"error": "error", "warning": "warning", "info": "notice"}

_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def escape_data(text: str) -> str:
    return text.translate(_DATA)


def escape_property(text: str) -> str:
    return text.translate(_PROPERTY)


class GithubReporter(TextReporter):
    """For GitHub Actions: an annotation a finding, as it comes; the text summary at the end."""

    def start(self, info: RunInfo) -> None:
        super().start(info)
        self._file = escape_property(relative_path(self.source_name or info.input_path))

    def add(self, finding: Finding) -> None:
        where = f"file={self._file}"
        if finding.line is not None:
            where += f",line={finding.line}"
        subject = [] if finding.record is None else [f"record {finding.record}"]
        subject += [f"field {finding.field}"] if finding.field else []
        message = finding.message
        if subject:
            message = f"{', '.join(subject)}: {message}"
        if self.show_values and finding.field is not None:
            message += f" [value: {shown_value(finding.value)}]"
        if finding.waived is not None:
            message += f" [waived: {finding.waived}]"
        level = LEVELS.get(finding.severity, "notice")
        self.stream.write(f"::{level} {where},title={escape_property(finding.rule)}::"
                          f"{escape_data(message)}\n")
        self._written += 1
