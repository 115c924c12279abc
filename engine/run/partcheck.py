"""One part of a file, checked in a worker: what a worker is sent, does and hands back.

``lrsrules.run.parallel`` (whose docstring tells the method) cuts a file into parts and
sends each to a worker as a ``PartTask``; the worker prepares the pack once from a
``PackRecipe`` (the loaded pack, which pickles, and the date ``today()`` means) and
``check_part`` reads and checks the part's records, but for the ``unique`` rules, whose
keys it hands back with the findings, numbered within the part (``PartResult``). Kept
apart from the run that merges the parts: this is the half that runs in the workers.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, BinaryIO, NamedTuple, Protocol

from lrsrules.errors import EngineError
from lrsrules.findings import SEVERITIES, Finding
from lrsrules.inputs.readers import open_records
from lrsrules.inputs.records import Record, RecordSource
from lrsrules.inputs.splitting import Plan, open_part
from lrsrules.lang.compiler import constants_of
from lrsrules.packs.model import Pack
from lrsrules.run.crossrecord import CrossRecords, Key, failure_finding, key_digest, pack_first
from lrsrules.run.pipeline import KeptProofs, Run
from lrsrules.run.program import CompiledPack, CrossTarget, compile_pack
from lrsrules.run.rendering import PartRenderer, TargetsText

# --- the pack, as workers get it ---------------------------------------------------------------

@dataclass(frozen=True)
class PackRecipe:
    """What a worker needs to prepare the same pack: the rules in force, the pack as
    loaded, and the date ``today()`` means (compiled packs hold generated code, which does
    not pickle; a pack does)."""

    pack: Pack
    loaded: Pack | None
    today: dt.date
    # The compiled pack it was made of (not pickled): a worker forked from this process
    # has it already; one that is sent the recipe gets ``prepared``.
    compiled: CompiledPack | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, compiled: CompiledPack) -> PackRecipe:
        today = constants_of(compiled.check).get("_today")
        return cls(compiled.pack, compiled.loaded_pack,
                   today if isinstance(today, dt.date) else dt.date.today(), compiled)

    @cached_property
    def prepared(self) -> bytes | None:
        """The compiled pack, pickled as the prepared-pack cache keeps it (made by this
        process, so trusted): a worker reads it back in milliseconds instead of compiling
        the pack again. Made only when the recipe is pickled (a large pack takes a tenth
        of a second). None when it could not be pickled: the worker compiles."""
        return None if self.compiled is None else _pickled(self.compiled)

    def __reduce__(self) -> tuple[Any, ...]:
        return _recipe, (self.pack, self.loaded, self.today, self.prepared)

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.pack.sha256, self.today.isoformat(),
                tuple(rule.id for rule in self.pack.rules))


def _recipe(pack: Pack, loaded: Pack | None, today: dt.date, prepared: bytes | None
            ) -> PackRecipe:
    recipe = PackRecipe(pack, loaded, today)
    recipe.__dict__["prepared"] = prepared  # what the cached property would hold
    return recipe


_PREPARED: dict[tuple[str, str, tuple[str, ...]], CompiledPack] = {}  # in this process


def prepared(recipe: PackRecipe) -> CompiledPack:
    """The recipe's pack, compiled once in each process."""
    compiled = _PREPARED.get(recipe.key)
    if compiled is None:
        compiled = recipe.compiled  # in the process that made the recipe
        if compiled is None and recipe.prepared is not None:
            compiled = pickle.loads(recipe.prepared)
        if not isinstance(compiled, CompiledPack):
            compiled = compile_pack(recipe.pack, today=recipe.today, loaded=recipe.loaded)
        _PREPARED[recipe.key] = compiled
    return compiled


def _pickled(compiled: CompiledPack) -> bytes | None:
    from lrsrules.run.packpickle import PackPickler

    try:
        buffer = io.BytesIO()
        PackPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(compiled)
    except Exception:  # something in the pack that cannot be pickled: workers compile
        return None
    return buffer.getvalue()


def adopt(recipe: PackRecipe, compiled: CompiledPack | None = None) -> None:
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
    # Write the part's findings as the report's text here (None: hand them back as data).
    renderer: PartRenderer | None = None


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


class Rendered(NamedTuple):
    """A part's findings as a ``PartRenderer`` wrote them: one text, the findings in
    record order, with each one's record (within the part) and length, so the run can put
    the findings it adds itself (a ``unique`` key an earlier part had) in their places,
    and their counts for the summary. The text numbers records as if ``before`` came
    before the part (the lines before it, as if each held one record)."""

    text: str
    numbers: array[int]  # each finding's record, within the part
    lengths: array[int]  # each finding's characters in text (a record's, written at once:
    # on its first finding, 0 on the others)
    by_severity: dict[str, int]
    records: int  # the records with findings
    before: int


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


class Keyed(NamedTuple):
    """The keys of a part's records that have nothing else to report, each new in the part,
    as columns for each unique rule (a key's digest; its first record and line, packed as
    ``crossrecord.pack_first``; the key itself, for the finding should an earlier part
    have had it): a part of 40,000 records hands back a few lists rather than 40,000
    entries, which would cost more to pickle than to check, and the run takes each rule's
    in bulk (``UniqueKeys.took``)."""

    digests: list[list[Key]]  # short keys are kept as their text (see crossrecord)
    firsts: list[array[int]]
    keys: list[list[tuple[str, ...]]]

    @classmethod
    def empty(cls, rules: int) -> Keyed:
        return cls([[] for _ in range(rules)], [array("q") for _ in range(rules)],
                   [[] for _ in range(rules)])


class _PartKeys:
    """The keys of one part's records for the pack's unique rules, noted as
    ``CrossRecords.findings`` notes a file's (``key_of``, ``applies`` and
    ``UniqueKeys.add`` inlined the same way: this runs per record)."""

    def __init__(self, cross: Sequence[CrossTarget], keyed: Keyed | None) -> None:
        self.keyed = keyed
        self._plan = CrossRecords(cross).plan  # its keys: each first record in the part

    def noted(self, record: Record, number: int, values: Sequence[str | None], alone: bool
              ) -> list[KeySeen | FindingData]:
        """Note the keys of ``record`` (number ``number`` in the part). When it is
        ``alone`` (it has nothing else to report, and the part hands back ``keyed``) and
        every key is new in the part, they go there and nothing comes back; else its keys
        and failures, in rule order, for its entry."""
        packed = pack_first(number, record.line)
        seen: list[tuple[int, Key, tuple[str, ...], bool]] = []
        failed: list[tuple[int, KeySeen | FindingData]] = []
        fresh = True
        for index, (target, first, single, takes_part, casefold) in enumerate(self._plan):
            key: tuple[str, ...]
            if single is not None:  # a key of one field
                value = values[single]
                if value is None or not value.strip():
                    continue
                key = (value,)
            else:
                parts = target.key_of(values)
                if parts is None:
                    continue
                key = tuple(parts)
            if takes_part is not None:
                raw = takes_part(values)
                if not raw:
                    continue
                if raw[0].__class__ is not int:  # its when or unless could not be evaluated
                    failed.append((index, _data(failure_finding(record, target, raw[0][1]))))
                    fresh = False
                    continue
            digest = key_digest(key, casefold)
            new = first.setdefault(digest, packed) == packed
            fresh = fresh and new
            seen.append((index, digest, key, new))
        keyed = self.keyed
        if alone and fresh and keyed is not None:
            for index, digest, key, _ in seen:
                keyed.digests[index].append(digest)
                keyed.firsts[index].append(packed)
                keyed.keys[index].append(key)
            return []
        items: list[tuple[int, KeySeen | FindingData]] = [
            (index, KeySeen(index, digest, key, new)) for index, digest, key, new in seen]
        if failed:
            items = sorted(items + failed, key=lambda item: item[0])
        return [item for _, item in items]


class PartResult(NamedTuple):
    part: int
    first: int | None  # line of its first record (None: none, or an error before it)
    next_line: int | None  # line of the first record after it (None: it read to the end)
    records: int
    entries: list[Entry]
    error: EngineError | None  # what stopped it, after its entries
    tally: Any = None  # the reader's (see PartReader.tally); None for plain CSV
    keyed: Keyed | None = None  # records not in entries whose only news is their keys
    rendered: Rendered | None = None  # the findings as text (with a task's renderer)


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
    width = len(compiled.fields)
    entries: list[Entry] = []
    # Without waivers (which need a reported record's values), a record with no finding
    # whose keys are all new in the part goes in ``keyed``; only a repeat across parts,
    # which the run finds, gives it a finding.
    keyed = None if task.with_values or not cross else Keyed.empty(len(cross))
    keys = _PartKeys(cross, keyed)
    # With a renderer, the findings are written here, and a record's keys go in ``keyed``
    # whether or not it has findings (a repeat the run finds follows the record's text).
    written = (None if task.renderer is None or task.with_values
               else _Written(task.renderer, task.line - _body_line(task)))
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
        # Without rules across records, the lines a CSV part's proof shows clean need not
        # come back at all (the part's record numbers count them); with some, every
        # record's keys do. The first record always comes back: no line is proven before
        # ``csvsource.PROVE_EARLY`` (a part is of a large file).
        skip = reader is None and not cross
        kept = _kept(compiled, task) if reader is None else None
        # A record's findings written straight from the targets that fired, where its
        # number is the part's count (every record not proven comes back).
        text_of = written.targets_text(plain) if written is not None and skip else None
        # The records of a block proven together hand their texts straight to ``written``
        # (none of them is past the part's end: see ``RowProof.unproven``).
        sink = written.add_text if text_of is not None and written is not None else None
        for checked in run.results(skip_proven=skip, proven_before=end, kept=kept,
                                   text_of=text_of, text_sink=sink):
            record = checked.record
            if record is None:
                continue  # findings about the whole file: the run's own
            if end is not None and record.line >= end:
                next_line = record.line
                if skip:
                    records = record.number - 1
                break
            records = record.number if skip else records + 1
            if first is None:
                first = record.line
            own = checked.findings
            if written is not None and own:  # the findings as text: only keys go on
                head: object = own[0]
                if isinstance(head, str):  # written from the targets (``text_of``)
                    written.add_text(records, head)
                else:
                    written.add(records, own)
                own = ()
            across: list[KeySeen | FindingData] = []
            if cross and record.issue is None:
                across = keys.noted(record, records, record.values[:width], not own)
            if own or across:
                entries.append(Entry(records, record.line,
                                     record.values if task.with_values else (),
                                     record.issue, [_data(f) for f in own], across))
        else:
            if skip:  # the end of the file: the records proven after the last one count too
                records = run.summary.records
        if reader is not None:
            if next_line is None:
                next_line = reader.stopped_at(run.source)
            tally = reader.tally(run.source)
        if kept is not None and run.source.proof_chosen is not None:
            kept.chosen = run.source.proof_chosen
    except EngineError as exc:
        error = exc
    finally:
        if run is not None:
            run.close()
        stream.close()
    return PartResult(task.part, first, next_line, records, entries, error, tally, keyed,
                      None if written is None else written.result())


class _Written:
    """A part's findings as its task's renderer writes them (see ``Rendered``)."""

    def __init__(self, renderer: PartRenderer, before: int) -> None:
        self._renderer = renderer
        self._render = renderer.rendered
        self._before = before
        self._fired: Sequence[int] = ()  # the targets of the text made last
        self._severities: Sequence[str] = ()  # each target's (see ``targets_text``)
        self._texts: list[str] = []
        # Lists while the part is read (a list takes an item for a fraction of what an
        # array's extend costs), arrays once it is: what the run is handed.
        self._numbers: list[int] = []
        self._lengths: list[int] = []
        self._by_severity = dict.fromkeys(SEVERITIES, 0)
        self._records = 0

    def add(self, number: int, findings: Sequence[Finding]) -> None:
        render, texts, lengths, by_severity = (self._render, self._texts, self._lengths,
                                               self._by_severity)
        before = self._before
        self._records += 1
        for finding in findings:
            text = render(finding, before)
            texts.append(text)
            lengths.append(len(text))
            by_severity[finding.severity] += 1
        self._numbers.extend([number] * len(findings))

    def targets_text(self, compiled: CompiledPack) -> TargetsText | None:
        """The renderer's text of a record's findings from the targets that fired, its
        number raised as ``rendered`` raises it; the targets kept for ``add_text``."""
        text = self._renderer.targets_text(compiled.finding_parts)
        if text is None:
            return None
        before = self._before
        self._severities = compiled.severities

        def text_of(number: int, line: int, fired: Sequence[int]) -> str:
            made = text(number + before, line, fired)  # an error's hit raises first
            self._fired = fired
            return made

        return text_of

    def add_text(self, number: int, text: str) -> None:
        """The text ``targets_text`` made last, for record ``number`` (its characters
        counted on its first finding: the run cuts text between records only)."""
        fired, severities, by_severity = self._fired, self._severities, self._by_severity
        self._records += 1
        self._texts.append(text)
        lengths = self._lengths
        lengths.append(len(text))
        if len(fired) == 1:  # most records with findings: one
            self._numbers.append(number)
            by_severity[severities[fired[0]]] += 1
            return
        lengths.extend([0] * (len(fired) - 1))
        self._numbers.extend([number] * len(fired))
        for index in fired:
            by_severity[severities[index]] += 1

    def result(self) -> Rendered:
        return Rendered("".join(self._texts), array("q", self._numbers),
                        array("q", self._lengths),
                        self._by_severity, self._records, self._before)


_KEPT: dict[tuple[str, object, tuple[str, ...], str], KeptProofs] = {}  # in this process
_KEPT_FILES = 64  # files whose proofs are kept at once (a cluster's worker lives long)


def _kept(compiled: CompiledPack, task: PartTask) -> KeptProofs:
    """The proofs this process made with ``compiled`` for the parts of the task's file."""
    pack = compiled.pack
    key = (pack.sha256, constants_of(compiled.check).get("_today"),
           tuple(rule.id for rule in pack.rules), task.plan.path)
    kept = _KEPT.get(key)
    if kept is None:
        if len(_KEPT) >= _KEPT_FILES:
            _KEPT.clear()
        kept = _KEPT[key] = KeptProofs()
    return kept


def _body_line(task: PartTask) -> int:
    # The stream holds the file's head, then the part: its first line comes after the
    # head's lines, numbered as the file's until shifted to the part's own.
    return task.plan.body_line


def _data(finding: Finding) -> FindingData:
    return (finding.field, finding.rule, finding.severity, finding.message, finding.value)
