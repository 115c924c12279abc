"""Exit codes of every lrsrules command (also in ``--help`` and the README)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # findings at or above --fail-on (or failing pack tests)
    ERROR = 2  # usage, pack or input error: nothing was checked, or not all of it


EXIT_CODES_HELP = (
    "Exit codes: 0 no findings at or above --fail-on; 1 findings at or above --fail-on; "
    "2 usage, pack or input error."
)
