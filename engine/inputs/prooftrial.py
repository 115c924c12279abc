"""Whether the whole-row proof pays on this file, measured on the file itself.

A proof (``lrsrules.run.rowproof``) costs a regular expression over every line, and the
lines it cannot prove are then read the plain way as well: on a file where few lines are
clean, or a pack whose checks the expression says little about, the plain way is faster.

The CSV reader reads with the proof first, untimed, while the check function's memories
of values (``lrsrules.lang.groups``) fill: a way timed while they are nearly empty looks
slower than it is over the file. They fill from the lines the check function is given,
the plain way's and those the proof cannot prove, so the proof warms them for both ways,
and where it proves most lines it is the faster way for those lines anyway. Once the
check function has been given ``WARM_LINES`` lines (the records read before the proof was
made among them; or the proof has read ``ALONE`` times as many lines, proving nearly all),
the reader reads blocks each way in turn, timing each block from its start to the next
block's start (the checking of the records it hands over included: the reader runs only
as the run takes its records), and keeps the faster way for the rest of the file. Either
way gives the same records, in the same order: the choice changes how long a run takes,
never what it finds.
"""

from __future__ import annotations

import re
import time

TRIAL_BLOCKS = 2  # blocks timed each way (once warm) before choosing
MARGIN = 0.95  # the proof is kept when it takes at most this share of the plain way's time
# Lines the check function is given before either way is timed: its memories of values
# fill as it reads, and a way timed while they are nearly empty looks slower than it is
# over the file.
WARM_LINES = 16384
ALONE = 4  # ... or this many times as many lines read, where the proof proves nearly all
_LINES = re.compile("[^\r\n]*(?:\r\n|\r|\n)").findall  # a block's lines


class ProofTrial:
    """The choice for one file: ``starts`` says how to read each new block."""

    def __init__(self, chosen: bool | None = None) -> None:
        self.chosen = chosen  # True: prove; False: plain; None: still trying
        self._seconds = [0.0, 0.0]  # plain, proof
        self._lines = [0, 0]  # lines timed
        self._timed = [0, 0]  # blocks timed
        self._read = 0  # lines of the blocks read
        self._proven_blocks = 0  # blocks read with the proof
        self._timing: tuple[int, float, int, bool] | None = None  # way, start, lines, timed
        self._warm_lines = WARM_LINES

    def expect(self, lines: int) -> None:
        """The file holds about ``lines`` lines: the check function warms up on a quarter
        of them at most, so that a file shorter than the warm-up is still tried both ways."""
        self._warm_lines = min(WARM_LINES, lines // 4)

    def starts(self, block: str, checked: int) -> bool:
        """Whether to prove the lines of ``block``, which is about to be read; ``checked``:
        the lines the check function was given so far (records read but not proven)."""
        now = time.process_time()
        if self._timing is not None:
            way, start, lines, timed = self._timing
            if timed:
                self._seconds[way] += now - start
                self._lines[way] += lines
                self._timed[way] += 1
            self._timing = None
            if min(self._timed) >= TRIAL_BLOCKS:
                plain, proof = (seconds / max(lines, 1)
                                for seconds, lines in zip(self._seconds, self._lines,
                                                          strict=True))
                self.chosen = proof <= plain * MARGIN
        if self.chosen is not None:
            return self.chosen
        warm = checked >= self._warm_lines or self._read >= ALONE * self._warm_lines
        # The proof while the memories fill, then its first block warm, then each in turn.
        if not warm or not self._proven_blocks:
            way, timed = 1, False
        else:
            way, timed = (1 if self._timed[1] < self._timed[0] else 0), True
        lines = block.count("\n") or block.count("\r")
        self._read += lines
        self._proven_blocks += way
        self._timing = (way, now, lines, timed)
        return way == 1


def lines_of(block: str) -> list[str]:
    """A block's lines, each with its line break."""
    return _LINES(block)
