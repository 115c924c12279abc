"""Exit codes of every lrsrules command (also in ``--help`` and the README)."""

from __future__ import annotations

import signal
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # findings at or above --fail-on (or failing pack tests)
    ERROR = 2  # usage, pack or input error: nothing was checked, or not all of it
    # Stopped from outside: 128 + the signal's number, as shells report a process it ended.
    HANGUP = 128 + signal.SIGHUP  # 129: the terminal went away
    INTERRUPTED = 128 + signal.SIGINT  # 130: Ctrl-C
    BROKEN_PIPE = 128 + signal.SIGPIPE  # 141: the reader of the output went away
    TERMINATED = 128 + signal.SIGTERM  # 143: kill, a CI timeout, a container stopping


EXIT_CODES_HELP = (
    "Exit codes: 0 no findings at or above --fail-on; 1 findings at or above --fail-on; "
    "2 usage, pack or input error; 130 or 143 interrupted or terminated, 141 the reader of "
    "the output went away (no report file is left half-written)."
)
