"""The expression language: syntax tree (``nodes``), ``parser``, ``checker`` (names, arity,
types), built-in ``functions``, portable ``regexes``, and ``compiler`` with ``codegen`` (one
Python function per pack). Imports ``lrsrules.packs`` for the pack model."""
