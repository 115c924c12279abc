"""Named limits: everything a pack, a waiver file, a layout or an input may make lrsrules
hold or do is bounded, so that a careless or hostile file ends in a clear, located error
(exit 2) in bounded time and memory, never a hang, a crash or a leak.

Each limit is one constant, named for what it bounds; the error that enforces it names the
limit's value. SECURITY.md and the README list them all. Sections by stage; each stage
adds its own.
"""

from __future__ import annotations

# --- pack files (packs/) ------------------------------------------------------------------

# --- expressions (lang/) -----------------------------------------------------------------

# --- inputs (inputs/, batch/) --------------------------------------------------------------

# --- outputs (report/, cli/) ----------------------------------------------------------------

# Report text held in memory before the rest is spooled to an unnamed temporary file: a
# JSON report (whose summary comes first but is known last) and batch fix's error report
# take the same memory for any number of records.
REPORT_SPOOL_BYTES = 1 << 20
