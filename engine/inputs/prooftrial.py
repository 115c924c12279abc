"""Whether the whole-row proof pays on this file, measured on the file itself.

A proof (``lrsrules.run.rowproof``) costs a regular expression over every line, and the
lines it cannot prove are then read the plain way as well: on a file where few lines are
clean, or a pack whose checks the expression says little about, the plain way is faster.
The CSV reader reads its first blocks of lines both ways in turn (the first of each way
untimed, as caches fill, but for the plain way when the records read before the proof was
made have warmed it up), timing each block from
its start to the next block's start (the checking of the records it hands over
included: the reader runs only as the run takes its records), and keeps the faster way
for the rest of the file. Either way gives the same records, in the same order: the
choice changes how long a run takes, never what it finds.
"""

from __future__ import annotations

import re
import time

TRIAL_BLOCKS = 2  # blocks timed each way (after one to warm up) before choosing
MARGIN = 0.95  # the proof is kept when it takes at most this share of the plain way's time
_LINES = re.compile("[^\r\n]*(?:\r\n|\r|\n)").findall  # a block's lines


class ProofTrial:
    """The choice for one file: ``starts`` says how to read each new block."""

    def __init__(self, chosen: bool | None = None, *, warmed: bool = False) -> None:
        """``warmed``: records were read the plain way before the first block (its caches
        filled): its first block is timed."""
        self.chosen = chosen  # True: prove; False: plain; None: still trying
        self._seconds = [0.0, 0.0]  # plain, proof
        self._lines = [0, 0]
        self._blocks = [int(warmed), 0]
        self._timing: tuple[int, float, int] | None = None  # way, start, lines

    def starts(self, block: str) -> bool:
        """Whether to prove the lines of ``block``, which is about to be read."""
        now = time.process_time()
        if self._timing is not None:
            way, start, lines = self._timing
            if self._blocks[way]:  # each way's first block warms up (caches filling)
                self._seconds[way] += now - start
                self._lines[way] += lines
            self._blocks[way] += 1
            self._timing = None
            if min(self._blocks) > TRIAL_BLOCKS:
                plain, proof = (seconds / max(lines, 1)
                                for seconds, lines in zip(self._seconds, self._lines,
                                                          strict=True))
                self.chosen = proof <= plain * MARGIN
        if self.chosen is not None:
            return self.chosen
        # In turn, the plain way first (the proof first when the plain way is warm).
        way = 1 if self._blocks[1] < self._blocks[0] else 0
        self._timing = (way, now, block.count("\n") or block.count("\r"))
        return way == 1


def lines_of(block: str) -> list[str]:
    """A block's lines, each with its line break."""
    return _LINES(block)
