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

# Characters of one expression (a `when`, `check`, `unless` or `fix`): well above any rule
# written by hand or generated from a code list, and a bound on parse and check time.
EXPRESSION_CHARS = 1_000_000
# Nesting of one expression as a tree: brackets, calls, `not`, `-` and operators inside
# each other. Chains of one operator (`a or b or ...`, `a and ...`, text `+`) count once,
# so only real nesting is limited, never length. 40 leaves the generated Python well
# inside CPython's own limits (200 nested brackets, its recursion depth).
EXPRESSION_DEPTH = 40
# Characters of one string literal in an expression (a long value to compare with, a
# regex); longer lists of values belong in a pack's `lists`.
STRING_LITERAL_CHARS = 100_000
# Digits of one number literal: no code, date part or count has more; Python refuses to
# turn more than 4,300 digits into text, which broke reports and generated code.
NUMBER_LITERAL_DIGITS = 100
# Entries of one list literal `[...]`: longer lists belong in a pack's `lists`.
LIST_LITERAL_ENTRIES = 10_000
# Groups nested inside each other in one regular expression: Python's regex parser
# recurses on each level (500 levels crashed it).
REGEX_NESTING = 50

# --- inputs (inputs/, batch/) --------------------------------------------------------------

# --- outputs (report/, cli/) ----------------------------------------------------------------
