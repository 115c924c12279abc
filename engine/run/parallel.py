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
over each key as ``crossrecord`` keeps it, the run keeps the file's keys and
names the first record of each repeat), the waivers (which may name a record by number),
the totals, and the findings about the file as a whole (its head's, once; its end's from
the whole). The first error in input order stops the run as it would stop one pass, with
the same message and place. A part's results are held until the parts before it are
written, and only so many parts run ahead (``AHEAD`` per worker), so memory stays bounded.

Inputs that cannot be cut (JSON Lines, whose headings grow with the keys met; a file
object; mappings; a small file; an encoding in which a byte is not a character) are read
in one pass, with the same findings.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol

from lrsrules.errors import EngineError, Location
from lrsrules.findings import Finding
from lrsrules.inputs.readers import open_records
from lrsrules.inputs.records import Record, RecordSource
from lrsrules.inputs.splitting import Plan, line_start, open_part, plan_parts, splittable
from lrsrules.lang.compiler import constants_of
from lrsrules.packs.model import Pack
from lrsrules.packs.waivers import WaiverSet
from lrsrules.run.crossrecord import (
    Key,
    UniqueKeys,
    failure_finding,
    key_digest,
    repeat_finding,
)
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


class KeySeen(NamedTuple):
    """A record's key for a ``unique`` rule: ``new`` when it is the part's first with it."""

    target: int
    digest: Key
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


class PartResult(NamedTuple):
    part: int
    first: int | None  # line of its first record (None: none, or an error before it)
    next_line: int | None  # line of the first record after it (None: it read to the end)
    records: int
    entries: list[Entry]
    error: EngineError | None  # what stopped it, after its entries


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
    records = 0
    first: int | None = None
    next_line: int | None = None
    error: EngineError | None = None
    end = task.end
    stream = open_part(task.plan, task.start)

    def opener(wanted: Sequence[str]) -> RecordSource:
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
                        continue
                    digest = key_digest(key, target.casefold)
                    seen = keys[index].add(digest, records, record.line)
                    across.append(KeySeen(index, digest, tuple(key), seen is None))
            if checked.findings or across:
                entries.append(Entry(records, record.line,
                                     record.values if task.with_values else (),
                                     record.issue, [_data(f) for f in checked.findings],
                                     across))
    except EngineError as exc:
        error = exc
    finally:
        if run is not None:
            run.close()
        stream.close()
    return PartResult(task.part, first, next_line, records, entries, error)


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
                 part_bytes: int | None = None) -> None:
        super().__init__(compiled, opener, waivers=waivers, as_of=as_of, today=today)
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
                for entry in result.entries:
                    checked = self._checked(entry, records)
                    tally.count(list(checked.findings))
                    if checked.findings:
                        yield checked
                tally.records += result.records - len(result.entries)
                records += result.records
                if result.error is not None:
                    raise result.error
            if records == 0:  # the head reader says what an empty file's end tells
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
                        source.delimiter, self._waiving is not None)

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
