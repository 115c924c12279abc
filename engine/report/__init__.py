"""Renderers: every way a run's findings, or an authoring tool's result, is written out.
Never imports ``lrsrules.inputs``."""
