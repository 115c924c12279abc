"""The expression language: syntax tree (``nodes``), ``parser``, ``checker`` (names, arity,
types), built-in ``functions``, portable ``regexes``, and ``compiler`` with ``codegen`` (one
Python function per pack); ``checked`` holds what the checker and compiler leave for a
run, which a cached pack needs without them. Imports ``lrsrules.packs`` for the pack model."""
