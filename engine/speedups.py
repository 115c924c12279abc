"""The switch for the engine's fast paths, which must never change a finding.

Every fast path (a pattern run on Python's ``re`` when proven linear, the CSV line fast
path of a run) has a plain path beside it that gives the same findings byte for byte.
Setting ``LRSRULES_NO_FAST_PATHS=1`` takes the plain path everywhere: the differential
tests compare the two, and a user who suspects a fast path can rule it out. Read when a
pack is compiled or a run starts, never per record.
"""

from __future__ import annotations

import os

ENV = "LRSRULES_NO_FAST_PATHS"


def enabled() -> bool:
    """Whether fast paths may be taken (unset, empty or ``0``: yes)."""
    return os.environ.get(ENV, "") in ("", "0")
