"""How a report hands its way of writing findings to a run whose parts are checked
elsewhere, so that those who check a part write its findings too.

``lrsrules.run.parallel`` checks the parts of a file in workers; taking their findings
back as data, making a ``Finding`` of each and writing it in the main process costs that
one process about as much as the workers' checking saves. A report that writes each
finding as text as it comes (JSON Lines) offers a ``PartRenderer``: a worker writes its
part's findings with it, numbered as if each line before its part held one record (what
most files hold, so the guess is most often right), and the run, once it knows the records
of the parts before, corrects the numbers where the guess was wrong (blank lines, values
that run across lines) and writes the text as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from lrsrules.findings import Finding

# What a target's finding holds but for the record (``CompiledPack.finding_parts``):
# field, rule id, severity, message, and the index of the value it reports.
TargetParts = tuple[str, str, str, str, int]
# The text of a record's findings from the targets that fired on it, by index: given the
# record's number and line, and the indexes.
TargetsText = Callable[[int, int, Sequence[int]], str]
# Where a record's text is handed, with its number (``Run.results``' ``text_sink``).
TextSink = Callable[[int, str], None]


class PartRenderer(Protocol):
    """How a report writes findings (made by the report, pickled with each part): the
    text of each finding as the report writes it, and that text with its record numbers
    raised. Only for runs without waivers (which change findings after the records before)."""

    def rendered(self, finding: Finding, before: int) -> str:
        """``finding`` (its record numbered within its part) as the report writes it, its
        record number raised by ``before``."""
        ...

    def renumbered(self, text: str, by: int) -> str:
        """``text`` (what ``rendered`` wrote for some findings, one after another) with
        each finding's record number raised by ``by`` (which may be below 0)."""
        ...

    def targets_text(self, parts: Sequence[TargetParts]) -> TargetsText | None:
        """How to write the findings of a record straight from the targets that fired
        (``parts``: each target's, in the pack's target order), with no ``Finding`` made:
        the text ``rendered`` gives for those findings, one after another. None: this
        renderer needs the findings themselves (it writes values, say)."""
        ...
