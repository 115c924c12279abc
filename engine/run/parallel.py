"""One run over a CSV file read in parts side by side: the same findings as one pass.

``ParallelRun`` is a ``Run`` whose records are read by workers: the file is cut into
parts at line starts (``lrsrules.inputs.splitting``, which says how a cut that falls inside
a quoted value is found and read again), each part is checked by ``check_part`` in a
worker (``lrsrules.run.partcheck``, the half that runs there), and the run takes the
parts' results back in input order. Workers are processes on this machine
(``lrsrules.run.localpool``) or the workers of a Dask cluster (``lrsrules.run.cluster``);
each prepares the pack once from a ``PackRecipe`` (the loaded pack, which pickles, and the
date ``today()`` means).

A part numbers its records from 1 and its lines as the file does; the run renumbers the
records, and does itself what needs the records before: the ``unique`` rules (a part hands
over each key as ``crossrecord`` keeps it, the run keeps the file's keys and
names the first record of each repeat), the waivers (which may name a record by number),
the totals, and the findings about the file as a whole (its head's, once; its end's from
the whole). The first error in input order stops the run as it would stop one pass, with
the same message and place. A part's results are held until the parts before it are
written, and only so many parts run ahead (``AHEAD`` per worker), so memory stays bounded.

A source other than plain CSV (a batch file, ``lrsrules.batch.cutting``) comes with a
``PartReader``: how a worker opens a part of it with what its head told, where that part's
rows stopped, and what the part counted for the findings about the file's end, which the
run hands to the whole file's source in input order before it asks it for those findings.

Inputs that cannot be cut (JSON Lines, whose headings grow with the keys met; a file
object; mappings; a small file; an encoding in which a byte is not a character) are read
in one pass, with the same findings.
"""

from __future__ import annotations

import datetime as dt
import os
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Generator, Iterator
from itertools import accumulate
from typing import Protocol, cast

from lrsrules.errors import EngineError, Location
from lrsrules.findings import Finding
from lrsrules.inputs.records import Record
from lrsrules.inputs.splitting import (
    Part,
    Plan,
    cut_parts,
    line_start,
    plan_parts,
    splittable,
)
from lrsrules.packs.waivers import WaiverSet
from lrsrules.run.crossrecord import UniqueKeys, repeat_finding, unpack_first
from lrsrules.run.partcheck import (
    Entry,
    Keyed,
    KeySeen,
    PackRecipe,
    PartReader,
    PartResult,
    PartTask,
    adopt,
    check_part,
)
from lrsrules.run.pipeline import Checked, Opener, Run
from lrsrules.run.program import CompiledPack
from lrsrules.run.rendering import PartRenderer, TargetsText, TextSink

PART_BYTES = 4 << 20  # bytes of records a part holds (about 40,000 learner records)
AHEAD = 2  # parts each worker may have running or waiting to be written


def worker_count(workers: int | str | None) -> int:
    """``workers`` as a number: ``auto`` (or None) is the cores this process may use."""
    if workers is None or workers == "auto":
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    if isinstance(workers, str):
        if not workers.isdigit():
            raise ValueError(f"workers {workers!r} is not a number or auto")
        workers = int(workers)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return workers


# --- workers -----------------------------------------------------------------------------------

class WorkerError(EngineError):
    """A worker stopped before it handed back its part (killed, out of memory, gone)."""

    quote_source = False


def _taken(pending: Result, plan: Plan) -> PartResult:
    try:
        return pending.result()
    except EngineError:
        raise
    except Exception as exc:  # the pool's or the cluster's: a worker process that died
        raise WorkerError(f"a worker stopped before it checked its part of the file "
                          f"({type(exc).__name__})", Location(plan.path),
                          hint="check the machine's memory and the workers' logs, or run "
                          "with --workers 1") from exc

class Result(Protocol):
    def result(self) -> PartResult: ...


class Workers(Protocol):
    """Where parts are checked: ``submit`` one, ``close`` when done (or abandoned)."""

    count: int

    def submit(self, task: PartTask) -> Result: ...

    def close(self) -> None: ...


WorkersFactory = Callable[[PackRecipe], Workers]


# --- the run -----------------------------------------------------------------------------------

class ParallelRun(Run):
    """A ``Run`` over the file at ``path`` whose parts ``workers`` check (see the module's
    docstring); read it as any run. ``results()`` yields only the records with findings
    (and their hits are not carried back from the workers: empty)."""

    def __init__(self, compiled: CompiledPack, opener: Opener, *, path: str,
                 workers: WorkersFactory, count: int | None, waivers: WaiverSet | None = None,
                 as_of: dt.date | None = None, today: dt.date | None = None,
                 part_bytes: int | None = None, reader: PartReader | None = None) -> None:
        super().__init__(compiled, opener, waivers=waivers, as_of=as_of, today=today)
        self._reader = reader
        self._path = path
        self._workers = workers
        self._count = count
        self._part_bytes = part_bytes
        self._keys = tuple(UniqueKeys() for _ in compiled.cross)  # the file's, across parts

    def _plan(self) -> Plan | None:
        """The file cut into parts (None: it cannot be cut, or is one part)."""
        source = self.source
        body_line = getattr(source, "body_line", None)
        if (self._count == 1 or source.format != "csv" or not isinstance(body_line, int)
                or not splittable(source.encoding or "utf-8") or not os.path.isfile(self._path)):
            return None
        plan = plan_parts(self._path, body_line, self._part_bytes or PART_BYTES,
                          multiple=self._count or 1)
        return plan if plan.part_count > 1 else None

    def _results(self, *, clean: bool, text_of: TargetsText | None = None,
                 text_sink: TextSink | None = None
                 ) -> Generator[Checked, None, None]:
        plan = None if self._started else self._plan()
        if plan is None:
            yield from super()._results(clean=clean, text_of=text_of, text_sink=text_sink)
            return
        # Without a renderer the parts hand back no text: only records.
        yield from cast("Generator[Checked, None, None]", self._parts(plan, None))

    def reported(self, renderer: PartRenderer | None = None) -> Iterator[Finding | str]:
        """The findings, as iterating the run gives them; with ``renderer`` (and no
        waivers), those of each part as the text the renderer writes, written in the
        worker that checked it, and only the findings the run makes itself (the file's,
        a ``unique`` key's repeat across parts) as findings."""
        plan = (None if renderer is None or self._waiving is not None or self._started
                else self._plan())
        if plan is None or renderer is None:
            return super().reported(renderer)
        reading = self._parts(plan, renderer)
        self._reading = reading
        return _flattened(reading)

    def _parts(self, plan: Plan, renderer: PartRenderer | None
               ) -> Generator[Checked | str, None, None]:
        self._started = True
        waiving, tally = self._waiving, self._tally
        recipe = PackRecipe.of(self.compiled)
        adopt(recipe, self.compiled)  # workers that are threads of this process find it ready
        workers: Workers | None = None
        try:
            head = (waiving.expired_findings() if waiving else []) + self.source.head_findings()
            head += self.source.missing_findings(self.compiled.required_fields())
            if head:
                yield Checked(None, self._whole(head), [])
            workers = self._workers(recipe)
            records = 0
            for result in self._in_order(plan, workers, renderer):
                if result.rendered is not None:
                    assert renderer is not None
                    yield from self._stitched(result, records, renderer)
                else:
                    repeats = self._keyed(result.keyed, records)
                    for checked in self._merged(result.entries, repeats, records):
                        tally.count(list(checked.findings))
                        if checked.findings:
                            yield checked
                    tally.records += result.records - len(result.entries) - len(repeats)
                if self._reader is not None and result.error is None:
                    self._reader.take(self.source, result.tally, records)
                records += result.records
                if result.error is not None:
                    raise result.error
            if self._reader is not None:  # the file's source has every part's counts
                end = self.source.end_findings()
                if end:
                    yield Checked(None, self._whole(end), [])
            elif records == 0:  # the head reader says what an empty file's end tells
                for _ in self.source:
                    pass
                end = self.source.end_findings()
                if end:
                    yield Checked(None, self._whole(end), [])
            self._finished = True
        finally:
            if workers is not None:
                workers.close()
            self.source.close()

    def _stitched(self, result: PartResult, before: int, renderer: PartRenderer
                  ) -> Iterator[Checked | str]:
        """A part's findings as its worker wrote them (``result.rendered``), their records
        renumbered (``before``: the records of the parts before), with the findings the run
        makes itself (see ``_keyed``, ``_checked``) after their records' own; counted."""
        rendered = result.rendered
        assert rendered is not None
        tally = self._tally
        tally.records += result.records
        tally.findings += len(rendered.numbers)
        tally.records_with_findings += rendered.records
        for severity, count in rendered.by_severity.items():
            tally.by_severity[severity] = tally.by_severity.get(severity, 0) + count
        text, numbers = rendered.text, rendered.numbers
        by = before - rendered.before  # what the worker's guess of the records before missed
        offsets: list[int] | None = None  # where each finding's text starts
        written = 0  # findings of text handed over
        repeats = self._keyed(result.keyed, before)
        for checked in self._merged(result.entries, repeats, before):
            if not checked.findings:
                continue
            assert checked.record is not None
            number = checked.record.number - before
            upto = bisect_right(numbers, number)  # the findings of records up to this one
            tally.count(list(checked.findings), record=False)
            if not upto or numbers[upto - 1] != number:  # a record with no finding of its own
                tally.records_with_findings += 1
            if upto > written:
                if offsets is None:
                    offsets = [0, *accumulate(rendered.lengths)]
                yield renderer.renumbered(text[offsets[written]:offsets[upto]], by)
                written = upto
            yield checked
        if written < len(numbers):
            yield renderer.renumbered(text[offsets[written]:] if offsets else text, by)

    def _in_order(self, plan: Plan, workers: Workers, renderer: PartRenderer | None
                  ) -> Iterator[PartResult]:
        """The parts' results in input order, each as one pass would have read it; at most
        ``AHEAD`` parts a worker submitted and not yet taken. A part is submitted as soon
        as the cut after it is found (``cut_parts``), so the first workers start while
        this process reads on for the next cuts."""
        pending: deque[tuple[Result, int, Part, int | None]] = deque()
        parts = _with_ends(cut_parts(plan))

        def submitted() -> bool:
            """Whether one more part was submitted (False: there are no more)."""
            following = next(parts, None)
            if following is None:
                return False
            index, part, end = following
            task = self._task(plan, index, part.start, part.line, end, renderer)
            pending.append((workers.submit(task), index, part, end))
            return True

        while len(pending) < AHEAD * workers.count and submitted():
            pass
        truth: int | None = plan.body_line  # where the next record truly starts (None: no more)
        while pending:
            result_of, index, part, end = pending.popleft()
            result = _taken(result_of, plan)
            submitted()  # keep the workers busy
            if truth is None or (end is not None and truth >= end):
                continue  # no record starts in this part: what it read was inside another
            if index and truth != part.line and result.first != truth:
                # The cut fell inside a record (or before blank lines): read it again from
                # where its first record truly starts.
                start = line_start(plan.path, part.start, part.line, truth)
                result = check_part(self.compiled,
                                    self._task(plan, index, start, truth, end, renderer))
            yield result
            if result.error is not None:
                return
            truth = result.next_line

    def _task(self, plan: Plan, index: int, start: int, line: int, end: int | None,
              renderer: PartRenderer | None) -> PartTask:
        source = self.source
        return PartTask(plan, index, start, line, end, self.wanted, source.encoding,
                        source.delimiter, self._waiving is not None, self._reader, renderer)

    def _keyed(self, keyed: Keyed | None, before: int) -> dict[int, Checked]:
        """Note a part's ``keyed`` keys (``before``: the records of the parts before it);
        the records whose key an earlier part had, by their number within the part, with
        their findings. A key is new in its part: no record of the part looks for it
        before it is noted, so noting them all first finds what one pass would."""
        found: dict[int, Checked] = {}
        if keyed is None:
            return found
        cross = self.compiled.cross
        for target, (digests, firsts, keys) in enumerate(zip(keyed.digests, keyed.firsts,
                                                             keyed.keys, strict=True)):
            for index, first in self._keys[target].took(digests, firsts, before):
                number, line = unpack_first(firsts[index])
                assert line is not None  # a part's records have lines
                checked = found.get(number)
                if checked is None:
                    checked = found[number] = Checked(Record(number + before, line, ()), [],
                                                      ())
                assert checked.record is not None and isinstance(checked.findings, list)
                checked.findings.append(repeat_finding(checked.record, cross[target], first,
                                                       keys[index]))
        return found

    def _merged(self, entries: list[Entry], repeats: dict[int, Checked], before: int
                ) -> Iterator[Checked]:
        """The part's entries and its ``repeats`` (see ``_keyed``) in record order."""
        if not repeats:
            for entry in entries:
                yield self._checked(entry, before)
            return
        waiting = deque(sorted(repeats.items()))
        for entry in entries:
            while waiting and waiting[0][0] < entry.number:
                yield waiting.popleft()[1]
            yield self._checked(entry, before)
        for _, checked in waiting:
            yield checked

    def _checked(self, entry: Entry, before: int) -> Checked:
        number, line = entry.number + before, entry.line
        record = Record(number, line, entry.values, entry.issue)
        found = [Finding(number, line, *data) for data in entry.findings]
        cross = self.compiled.cross
        for item in entry.across:
            if isinstance(item, KeySeen):
                keys = self._keys[item.target]
                first = (keys.add(item.digest, number, line) if item.new
                         else keys.first(item.digest))
                if first is not None:
                    found.append(repeat_finding(record, cross[item.target], first, item.key))
            else:
                found.append(Finding(number, line, *item))
        if self._waiving is not None and found:
            found = self._waiving.apply(record, found)
        return Checked(record, found, ())


def _with_ends(parts: Iterator[Part]) -> Iterator[tuple[int, Part, int | None]]:
    """Each part with its place and the line where the next starts (None: the last)."""
    index, part = 0, next(parts)
    for following in parts:
        yield index, part, following.line
        index, part = index + 1, following
    yield index, part, None


def _flattened(items: Iterator[Checked | str]) -> Iterator[Finding | str]:
    for item in items:
        if isinstance(item, str):
            yield item
        else:
            yield from item.findings
