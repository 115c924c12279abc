"""Renderers: every way a run's findings, or an authoring tool's result, is written out:
``reporters`` (findings), ``diagnostics`` (lrsrules check), ``packtests`` (lrsrules test),
``packdiff`` (lrsrules diff), ``docpages`` (lrsrules docs) and ``rules`` (lrsrules rules).
Never imports ``lrsrules.inputs``."""
