"""One run over a CSV file read in parts side by side: the same findings as one pass.

``ParallelRun`` is a ``Run`` whose records are read by workers: the file is cut into
parts at line starts (``lrsrules.inputs.splitting``, which says how a cut that falls inside
a quoted value is found and read again), each part is checked by ``check_part`` in a
worker, and the run takes the parts' results back in input order. Workers are separate
processes (``LocalPool``, started by forkserver or spawn, never fork) or the workers of a
Dask cluster (``lrsrules.run.cluster``); each prepares the pack once from a
``PackRecipe`` (the loaded pack, which pickles, and the date ``today()`` means).

A part numbers its records from 1 and its lines as the file does; the run renumbers the
records, and does itself what needs the records before: the ``unique`` rules (a part hands
over each key with the digest ``crossrecord`` keeps, the run keeps the file's keys and
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
import multiprocessing
import os
from array import array
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, NamedTuple, Protocol

from lrsrules.errors import EngineError, Location
from lrsrules.findings import Finding
from lrsrules.inputs.readers import open_records
from lrsrules.inputs.records import Record, RecordSource
from lrsrules.inputs.splitting import Plan, line_start, open_part, plan_parts, splittable
from lrsrules.lang.compiler import constants_of
from lrsrules.packs.model import Pack
from lrsrules.packs.waivers import WaiverSet
from lrsrules.run.crossrecord import UniqueKeys, failure_finding, key_digest, repeat_finding
from lrsrules.run.pipeline import Checked, Opener, Run
from lrsrules.run.program import CompiledPack, compile_pack

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


# --- the pack, as workers get it ---------------------------------------------------------------

@dataclass(frozen=True)
class PackRecipe:
    """What a worker needs to prepare the same pack: the rules in force, the pack as
    loaded, and the date ``today()`` means (compiled packs hold generated code, which does
    not pickle; a pack does)."""

    pack: Pack
    loaded: Pack | None
    today: dt.date

    @classmethod
    def of(cls, compiled: CompiledPack) -> PackRecipe:
        today = constants_of(compiled.check).get("_today")
        return cls(compiled.pack, compiled.loaded_pack,
                   today if isinstance(today, dt.date) else dt.date.today())

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.pack.sha256, self.today.isoformat(),
                tuple(rule.id for rule in self.pack.rules))


_PREPARED: dict[tuple[str, str, tuple[str, ...]], CompiledPack] = {}  # in this process


def prepared(recipe: PackRecipe) -> CompiledPack:
    """The recipe's pack, compiled once in each process."""
    compiled = _PREPARED.get(recipe.key)
    if compiled is None:
        compiled = compile_pack(recipe.pack, today=recipe.today, loaded=recipe.loaded)
        _PREPARED[recipe.key] = compiled
    return compiled


def _adopt(recipe: PackRecipe, compiled: CompiledPack | None = None) -> None:
    """Keep ``recipe`` (a worker's initializer), or the pack already compiled from it."""
    global _RECIPE
    _RECIPE = recipe
    if compiled is not None:
        _PREPARED.setdefault(recipe.key, compiled)


_RECIPE: PackRecipe | None = None  # the pack this worker process was started for


# --- one part, in a worker ---------------------------------------------------------------------

class PartTask(NamedTuple):
    """One part to check: read from byte ``start`` (line ``line``) until a record starts on
    line ``end`` or after (None: to the end)."""

    plan: Plan
    part: int  # its place among the plan's parts
    start: int
    line: int
    end: int | None
    wanted: tuple[str, ...]
    encoding: str | None
    delimiter: str | None
    with_values: bool  # hand back each reported record's values (waivers need them)
    reader: PartReader | None = None  # how to read the part (None: as plain CSV)


class PartReader(Protocol):
    """How a worker reads a part of a file that is not plain CSV, and how the whole file's
    source takes in what the part counted. Pickled with each task: data, no open file."""

    def open_part(self, stream: BinaryIO, task: PartTask, wanted: Sequence[str]
                  ) -> RecordSource:
        """The part's records, from ``stream`` (the file's head, then the part), each
        record carrying ``wanted``; none from line ``task.end`` on."""
        ...

    def stopped_at(self, source: RecordSource) -> int | None:
        """Where the first row after the part starts (None: the part read to the end)."""
        ...

    def tally(self, source: RecordSource) -> Any:
        """What the part counted for the findings about the file's end (picklable)."""
        ...

    def take(self, source: RecordSource, tally: Any, before: int) -> None:
        """Add one part's ``tally`` to the whole file's ``source`` (``before``: the records
        of the parts before it), in input order."""
        ...


class KeySeen(NamedTuple):
    """A record's key for a ``unique`` rule: ``new`` when it is the part's first with it."""

    target: int
    digest: int
    key: tuple[str, ...]
    new: bool


FindingData = tuple[str | None, str, str, str, str | None]  # field, rule, severity, message, value


class Entry(NamedTuple):
    """A record with findings or keys: numbered within its part."""

    number: int
    line: int
    values: tuple[str | None, ...]
    issue: str | None
    findings: list[FindingData]
    across: list[KeySeen | FindingData]  # in the order of the pack's unique rules


class Keyed(NamedTuple):
    """The keys of a part's records that have nothing else to report, each new in the part,
    as columns (one item a key: its record, line, rule and digest; the key itself for the
    finding should an earlier part have had it): a part of 40,000 records hands back a few
    arrays rather than 40,000 entries, which would cost more to pickle than to check."""

    numbers: array[int]
    lines: array[int]
    targets: array[int]
    digests: array[int]
    keys: list[tuple[str, ...]]

    @classmethod
    def empty(cls) -> Keyed:
        return cls(array("q"), array("q"), array("B"), array("Q"), [])

    def add(self, number: int, line: int, item: KeySeen | FindingData) -> None:
        assert isinstance(item, KeySeen)
        self.numbers.append(number)
        self.lines.append(line)
        self.targets.append(item.target)
        self.digests.append(item.digest)
        self.keys.append(item.key)


class PartResult(NamedTuple):
    part: int
    first: int | None  # line of its first record (None: none, or an error before it)
    next_line: int | None  # line of the first record after it (None: it read to the end)
    records: int
    entries: list[Entry]
    error: EngineError | None  # what stopped it, after its entries
    tally: Any = None  # the reader's (see PartReader.tally); None for plain CSV
    keyed: Keyed | None = None  # records not in entries whose only news is their keys


def run_part(task: PartTask, recipe: PackRecipe | None = None) -> PartResult:
    """Check one part (in a worker: ``recipe`` or the one the worker was started for)."""
    chosen = recipe or _RECIPE
    if chosen is None:
        raise RuntimeError("this worker was started without a pack")
    return check_part(prepared(chosen), task)


def check_part(compiled: CompiledPack, task: PartTask) -> PartResult:
    """The records of one part, checked by ``compiled`` but for its ``unique`` rules, whose
    keys are handed back; findings as data, numbered within the part."""
    plain = replace(compiled, cross=())
    cross = compiled.cross
    keys = tuple(UniqueKeys() for _ in cross)
    width = len(compiled.fields)
    entries: list[Entry] = []
    # Without waivers (which need a reported record's values), a record with no finding
    # whose keys are all new in the part goes in ``keyed``; only a repeat across parts,
    # which the run finds, gives it a finding.
    keyed = None if task.with_values or not cross else Keyed.empty()
    records = 0
    first: int | None = None
    next_line: int | None = None
    error: EngineError | None = None
    tally: Any = None
    end = task.end
    stream = open_part(task.plan, task.start)
    reader = task.reader

    def opener(wanted: Sequence[str]) -> RecordSource:
        if reader is not None:
            return reader.open_part(stream, task, wanted)
        return open_records(stream, compiled.pack.fields, wanted, encoding=task.encoding,
                            delimiter=task.delimiter, input_format="csv",
                            line_offset=task.line - _body_line(task))

    run: Run | None = None
    try:
        run = Run(plain, opener, extra_fields=task.wanted)
        for checked in run.results():
            record = checked.record
            if record is None:
                continue  # findings about the whole file: the run's own
            if end is not None and record.line >= end:
                next_line = record.line
                break
            records += 1
            if first is None:
                first = record.line
            across: list[KeySeen | FindingData] = []
            fresh = True  # every item of across a key new in the part
            if cross and record.issue is None:
                values = record.values[:width]
                for index, target in enumerate(cross):
                    key = target.key_of(values)
                    if key is None:
                        continue
                    takes_part = target.applies(values)
                    if takes_part is False:
                        continue
                    if takes_part is not True:
                        across.append(_data(failure_finding(record, target, takes_part)))
                        fresh = False
                        continue
                    digest = key_digest(key, target.casefold)
                    seen = keys[index].add(digest, records, record.line)
                    if seen is not None:
                        fresh = False
                    across.append(KeySeen(index, digest, tuple(key), seen is None))
            if keyed is not None and fresh and across and not checked.findings:
                for item in across:
                    keyed.add(records, record.line, item)
            elif checked.findings or across:
                entries.append(Entry(records, record.line,
                                     record.values if task.with_values else (),
                                     record.issue, [_data(f) for f in checked.findings],
                                     across))
        if reader is not None:
            if next_line is None:
                next_line = reader.stopped_at(run.source)
            tally = reader.tally(run.source)
    except EngineError as exc:
        error = exc
    finally:
        if run is not None:
            run.close()
        stream.close()
    return PartResult(task.part, first, next_line, records, entries, error, tally, keyed)


def _body_line(task: PartTask) -> int:
    # The stream holds the file's head, then the part: its first line comes after the
    # head's lines, numbered as the file's until shifted to the part's own.
    return task.plan.parts[0].line


def _data(finding: Finding) -> FindingData:
    return (finding.field, finding.rule, finding.severity, finding.message, finding.value)


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


class LocalPool:
    """Worker processes on this machine, started by forkserver (spawn where there is
    none): never fork, which would copy this process's threads and locks."""

    def __init__(self, count: int, recipe: PackRecipe) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods
                                              else "spawn")
        if context.get_start_method() == "forkserver":  # workers fork from one that has it
            context.set_forkserver_preload([__name__])
        self.count = count
        self._pool = ProcessPoolExecutor(count, mp_context=context, initializer=_adopt,
                                         initargs=(recipe,))

    def submit(self, task: PartTask) -> Future[PartResult]:
        return self._pool.submit(run_part, task)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


WorkersFactory = Callable[[PackRecipe], Workers]


def local_workers(count: int) -> WorkersFactory:
    return lambda recipe: LocalPool(count, recipe)


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
        return plan if len(plan.parts) > 1 else None

    def _results(self, *, clean: bool) -> Generator[Checked, None, None]:
        plan = None if self._started else self._plan()
        if plan is None:
            yield from super()._results(clean=clean)
            return
        self._started = True
        waiving, tally = self._waiving, self._tally
        recipe = PackRecipe.of(self.compiled)
        _adopt(recipe, self.compiled)  # workers that are threads of this process find it ready
        workers: Workers | None = None
        try:
            head = (waiving.expired_findings() if waiving else []) + self.source.head_findings()
            head += self.source.missing_findings(self.compiled.required_fields())
            if head:
                yield Checked(None, self._whole(head), [])
            workers = self._workers(recipe)
            records = 0
            for result in self._in_order(plan, workers):
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

    def _in_order(self, plan: Plan, workers: Workers) -> Iterator[PartResult]:
        """The parts' results in input order, each as one pass would have read it; at most
        ``AHEAD`` parts a worker submitted and not yet taken."""
        parts = plan.parts
        ends = [part.line for part in parts[1:]] + [None]
        tasks = (self._task(plan, index, part.start, part.line, ends[index])
                 for index, part in enumerate(parts))
        pending: deque[Result] = deque()
        for task in tasks:
            pending.append(workers.submit(task))
            if len(pending) >= AHEAD * workers.count:
                break
        truth: int | None = parts[0].line  # where the next record truly starts (None: no more)
        for index, part in enumerate(parts):
            result = _taken(pending.popleft(), plan)
            for task in tasks:  # keep the workers busy
                pending.append(workers.submit(task))
                break
            end = ends[index]
            if truth is None or (end is not None and truth >= end):
                continue  # no record starts in this part: what it read was inside another
            if index and truth != part.line and result.first != truth:
                # The cut fell inside a record (or before blank lines): read it again from
                # where its first record truly starts.
                start = line_start(plan.path, part.start, part.line, truth)
                result = check_part(self.compiled,
                                    self._task(plan, index, start, truth, end))
            yield result
            if result.error is not None:
                return
            truth = result.next_line

    def _task(self, plan: Plan, index: int, start: int, line: int, end: int | None
              ) -> PartTask:
        source = self.source
        return PartTask(plan, index, start, line, end, self.wanted, source.encoding,
                        source.delimiter, self._waiving is not None, self._reader)

    def _keyed(self, keyed: Keyed | None, before: int) -> dict[int, Checked]:
        """Note a part's ``keyed`` keys (``before``: the records of the parts before it);
        the records whose key an earlier part had, by their number within the part, with
        their findings. A key is new in its part: no record of the part looks for it
        before it is noted, so noting them all first finds what one pass would."""
        found: dict[int, Checked] = {}
        if keyed is None:
            return found
        cross = self.compiled.cross
        for number, line, target, digest, key in zip(keyed.numbers, keyed.lines,
                                                     keyed.targets, keyed.digests, keyed.keys,
                                                     strict=True):
            first = self._keys[target].add(digest, number + before, line)
            if first is None:
                continue
            checked = found.get(number)
            if checked is None:
                checked = found[number] = Checked(Record(number + before, line, ()), [], ())
            assert checked.record is not None and isinstance(checked.findings, list)
            checked.findings.append(repeat_finding(checked.record, cross[target], first, key))
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
