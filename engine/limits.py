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
# Characters in one YAML value (an expression, a message, a doc text).
MAX_YAML_SCALAR_CHARS = 64 * 1024
# Rules in one loaded pack, with everything it includes.
MAX_RULES = 5_000
# Entries in one list, written inline or read from a list file.
MAX_LIST_ENTRIES = 100_000
# Pack files in one include tree (the pack, its includes, its bases).
MAX_PACK_FILES = 256

# --- expressions (lang/) -----------------------------------------------------------------

# --- inputs (inputs/, batch/) --------------------------------------------------------------

# --- outputs (report/, cli/) ----------------------------------------------------------------
