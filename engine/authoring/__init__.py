"""Tools for people who write packs: ``lint`` and ``diagnostics`` (lrsrules check),
``explain``, pack tests and ``coverage``, documentation pages, ``packdiff`` and ``impact``."""
