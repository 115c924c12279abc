"""Tools for people who write packs: ``lint`` and ``diagnostics`` (lrsrules check),
``explain``, pack tests and ``coverage``, what documentation pages say (``packdocs``),
``packdiff`` and ``impact``. Their results are written out by ``lrsrules.report``."""
