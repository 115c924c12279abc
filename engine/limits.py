"""Named limits: everything a pack, a waiver file, a layout or an input may make lrsrules
hold or do is bounded, so that a careless or hostile file ends in a clear, located error
(exit 2) in bounded time and memory, never a hang, a crash or a leak.

Each limit is one constant, named for what it bounds; the error that enforces it names the
limit's value. SECURITY.md and the README list them all. Sections by stage; each stage
adds its own.
"""

from __future__ import annotations

# --- pack files (packs/) ------------------------------------------------------------------

# Bytes in one YAML file lrsrules reads: a pack, a waiver file, a layout, a file of pack
# tests. The bundled packs are under 25 KiB; a file this size is no hand-written pack.
MAX_YAML_FILE_BYTES = 2 * 1024 * 1024
# Bytes in one list file (a word list, one entry a line).
MAX_LIST_FILE_BYTES = 2 * 1024 * 1024
# Collections nested in collections: PyYAML composes recursively, so thousands of nested
# `[` would exhaust the stack; the bundled packs nest 4 deep.
MAX_YAML_DEPTH = 32
# Values (scalars, lists and mappings) in one YAML file: each costs a node, its marks and
# its place in the position table (about 1 KiB together), so this bounds memory.
MAX_YAML_NODES = 100_000
# Characters in one YAML value (an expression, a message, a doc text): room for a code list
# of 5,000 comparisons written out as one check.
MAX_YAML_SCALAR_CHARS = 256 * 1024
# Rules in one loaded pack, with everything it includes.
MAX_RULES = 5_000
# Entries in one list, written inline or read from a list file.
MAX_LIST_ENTRIES = 100_000
# Pack files in one include tree (the pack, its includes, its bases).
MAX_PACK_FILES = 256

# --- expressions (lang/) -----------------------------------------------------------------

# Characters of one expression (a `when`, `check`, `unless` or `fix`): well above any rule
# written by hand or generated from a code list, and a bound on parse and check time.
EXPRESSION_CHARS = 256 * 1024
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

# Characters in one cell: a CSV field, a JSON string, an XML element's text, a workbook
# cell, a mapping's value. LRS fields are short and free text is not megabytes; every
# reader has the same limit (the csv module's own default is 128 KiB).
MAX_CELL_CHARS = 1 << 20

# Characters on one physical line (CSV, JSON Lines), so that a file without line ends is
# an error in bounded memory rather than one line read to its end.
MAX_LINE_CHARS = 4 << 20

# Physical lines one quoted CSV value may span; an address with line breaks has a handful,
# a quote that is never closed takes every line after it.
MAX_VALUE_LINES = 100

# How deep arrays and objects may nest on a JSON Lines line: records are flat, and deep
# nesting would exhaust the json module's recursion.
MAX_JSON_DEPTH = 32

# Bytes in one piece of XML markup (a start tag with its attributes, a comment, a
# processing instruction): expat holds such a piece whole and rereads it as blocks arrive.
MAX_XML_MARKUP_BYTES = 1 << 20

# Bytes an XLSX workbook (a zip of XML files) may expand to, all members together; a
# workbook of 100,000 learners expands to about 100 MiB.
MAX_XLSX_BYTES = 512 << 20

# How many times its stored size a workbook member over 1 MiB may expand: Excel's XML
# expands tens of times, a zip bomb thousands (Apache POI refuses above 100 too).
MAX_XLSX_RATIO = 100

# Entries in a workbook's shared strings table, which openpyxl holds in memory whole.
MAX_XLSX_SHARED_STRINGS = 1_000_000

# How many times its compressed size a gzip input (``learners.csv.gz``) may expand, counted
# as it is read once past GZIP_RATIO_FROM bytes: CSV of learners compresses 3 to 30 times,
# a gzip bomb a thousand times (a 10 MB bomb would be 10 GB of blank lines to read).
MAX_GZIP_RATIO = 100
GZIP_RATIO_FROM = 4 << 20

# --- settings (cli/) ----------------------------------------------------------------------

# Bytes in a settings file (lrsrules.toml, or a pyproject.toml holding [tool.lrsrules]):
# a few lines of settings; a pyproject this size is not one to read.
MAX_CONFIG_FILE_BYTES = 1 << 20

# --- outputs (report/, cli/) ----------------------------------------------------------------

# Report text held in memory before the rest is spooled to an unnamed temporary file: a
# JSON report (whose summary comes first but is known last) and batch fix's error report
# take the same memory for any number of records.
REPORT_SPOOL_BYTES = 1 << 20

# Findings written as rows of an HTML report's table (--format html): the counts, charts and
# top rules cover every finding, but a page holding two million rows would not open. The
# page says when rows were left out, and how many.
MAX_HTML_FINDINGS = 20_000
# Findings a report that groups them by rule holds until the end (JUnit's failures, the
# terminal's groups); the rest are counted, and the report says how many it left out.
MAX_HELD_FINDINGS = 10_000
# --- the workbench (workbench/) -------------------------------------------------------------

# Bytes in one sample file uploaded to the workbench (``lrsrules workbench``) to try a rule
# on: it is held in a temporary folder for the session, and a sample is a few thousand
# learners, not a whole year's returns.
MAX_WORKBENCH_UPLOAD_BYTES = 20 << 20
# --- the prepared-pack cache (run/cache.py) ------------------------------------------------

# Bytes of one cache entry (a prepared pack): the default pack's is about 200 KiB; a larger
# file is not read (and a pack whose entry would be larger is not cached).
PACK_CACHE_BYTES = 64 * 1024 * 1024
