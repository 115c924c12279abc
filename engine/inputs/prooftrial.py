"""Whether the whole-row proof pays on this file, measured on the file itself.

A proof (``lrsrules.run.rowproof``) costs a regular expression over every line, and the
lines it cannot prove are then read the plain way as well: on a file where few lines are
clean, or a pack whose checks the expression says little about, the plain way is faster.
The CSV reader reads its first blocks of lines both ways in turn, each timed only once
warm (the plain way's memories of values filled by ``WARM_LINES`` lines, the records read
before the proof was made among them; the proof's first block), timing each block from
its start to the next block's start (the checking of the records it hands over
included: the reader runs only as the run takes its records), and keeps the faster way
for the rest of the file. Either way gives the same records, in the same order: the
choice changes how long a run takes, never what it finds.

The proof's first block is read before the plain way is warmed, untimed. Where the proof
runs nothing for a line it proves (``LineProof.plain``) and it proved most of that block's
lines (``CLEAN_SHARE``), it is kept at once, with no plain way timed. The proof then pays
wherever a share ``s`` of lines is proven with ``s > d / (P + d - c)``: a proven line
costs ``c`` against ``P`` the plain way, a line not proven ``d`` more than ``P``. On the
benchmark pack c = 2.05 µs, P = 5.95 µs and d = 1.2 µs (s > 0.24); a pack of one cheap
rule, whose plain way is little more than splitting the line, still has s > 0.5 or so.

Warming the plain way costs the lines it reads where the proof would have been faster, so
the trial first times both ways after ``EARLY_WARM_LINES``: a plain way timed while its
memories are still filling looks slower than it will be (some 20-25% on the packs
measured), so the proof is kept at once only where it beats that by far
(``EARLY_MARGIN``, well inside ``MARGIN`` after that bias); otherwise the plain way is
warmed the rest of the way and both are timed again.
"""

from __future__ import annotations

import re
import time

TRIAL_BLOCKS = 2  # blocks timed each way (once warm) before choosing
MARGIN = 0.95  # the proof is kept when it takes at most this share of the plain way's time
# Lines the plain way reads before it is timed: the check function's memories of values
# (``lrsrules.lang.groups``) fill as it reads, and a way timed while they are nearly empty
# looks slower than it is over the file. The proof warms up in one block.
WARM_LINES = 16384
# The first timing, after this many lines the plain way; the proof is kept then if it took
# at most this share of the plain way's time (cold, the plain way times slower: 0.51-0.61
# on the benchmark pack, a worker's first part included, against 0.70-0.72 warm;
# 0.82-0.85 on the default pack, against 1.04-1.06 warm: 0.7 cold is some 0.87 warm).
EARLY_WARM_LINES = 2048
EARLY_MARGIN = 0.7
# The share of its first block's lines a plain proof proves for it to be kept at once
# (see the module's docstring: well above where it pays on any pack).
CLEAN_SHARE = 2 / 3
_LINES = re.compile("[^\r\n]*(?:\r\n|\r|\n)").findall  # a block's lines


class ProofTrial:
    """The choice for one file: ``starts`` says how to read each new block."""

    def __init__(self, chosen: bool | None = None, *, warmed: int = 0) -> None:
        """``warmed``: the lines read the plain way before the first block (records read
        before the proof was made)."""
        self.chosen = chosen  # True: prove; False: plain; None: still trying
        self._seconds = [0.0, 0.0]  # plain, proof
        self._lines = [0, 0]  # lines timed
        self._timed = [0, 0]  # blocks timed
        self._read = [warmed, 0]  # lines read, timed or not
        self._timing: tuple[int, float, int, bool] | None = None  # way, start, lines, warm
        self._warm_lines = WARM_LINES
        self._early = True  # the first timing (see the module's docstring)
        self._judging = False  # the proof's first block is being read

    def expect(self, lines: int) -> None:
        """The file holds about ``lines`` lines: the plain way warms up on a quarter of
        them at most, so that a file shorter than the warm-up is still tried both ways."""
        self._warm_lines = min(WARM_LINES, lines // 4)

    def _warm(self, way: int) -> bool:
        if way == 1:
            return self._read[1] >= 1
        return self._read[0] >= (min(self._warm_lines, EARLY_WARM_LINES) if self._early
                                 else self._warm_lines)

    def starts(self, block: str) -> bool:
        """Whether to prove the lines of ``block``, which is about to be read."""
        now = time.process_time()
        if self._timing is not None:
            way, start, lines, warm = self._timing
            if warm:
                self._seconds[way] += now - start
                self._lines[way] += lines
                self._timed[way] += 1
            self._read[way] += lines
            self._timing = None
            if min(self._timed) >= TRIAL_BLOCKS:
                plain, proof = (seconds / max(lines, 1)
                                for seconds, lines in zip(self._seconds, self._lines,
                                                          strict=True))
                if not self._early or self._warm_lines <= EARLY_WARM_LINES:
                    self.chosen = proof <= plain * MARGIN
                elif proof <= plain * EARLY_MARGIN:
                    self.chosen = True
                else:  # not clear while the plain way is cold: warm it, time both again
                    self._early = False
                    self._seconds, self._lines, self._timed = [0.0, 0.0], [0, 0], [0, 0]
        if self.chosen is not None:
            return self.chosen
        # The proof's first block, the plain way until it is warm, then each in turn.
        if not self._warm(1):
            way = 1
            self._judging = True
        elif not self._warm(0):
            way = 0
        else:
            way = 1 if self._timed[1] < self._timed[0] else 0
        self._timing = (way, now, block.count("\n") or block.count("\r"), self._warm(way))
        return way == 1

    def proved(self, lines: int, proven: int, *, plain: bool) -> None:
        """A block the proof read (``starts`` said so) proved ``proven`` of its ``lines``;
        ``plain``: the proof runs nothing for a line it proves. After the proof's first
        block: kept at once where it proved ``CLEAN_SHARE`` of its lines or more (see the
        module's docstring)."""
        if not self._judging:
            return
        self._judging = False
        if plain and lines and proven >= lines * CLEAN_SHARE:
            self.chosen = True


def lines_of(block: str) -> list[str]:
    """A block's lines, each with its line break."""
    return _LINES(block)
