"""The one run: source -> records -> prepared pack -> findings -> waivers -> summary.

Every way of checking records goes through ``Run``: ``lrsrules.validate`` and the
``validate`` command over files and mappings, ``batch check`` and ``batch fix`` over batch
files, ``diff --records``. A run opens its source with the values it needs (the pack's
fields, then the key fields of waivers and what the caller asks for), checks each record
once, passes it through the state of the rules that compare records (``crossrecord``),
applies the waivers to that record's findings, and keeps the totals; the summary is
the run's own, never pieced together by a caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from itertools import chain
from operator import attrgetter
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple

from lrsrules import speedups
from lrsrules.findings import SEVERITY_RANK, Finding
from lrsrules.inputs.records import LineProof, Record, RecordSource
from lrsrules.run.crossrecord import CrossRecords
from lrsrules.run.findings import RunInfo, Summary
from lrsrules.run.program import CompiledPack, Hit
from lrsrules.run.rendering import PartRenderer, TargetsText, TextSink
from lrsrules.run.runner import Tally

if TYPE_CHECKING:
    from lrsrules.packs.waivers import WaiverSet
    from lrsrules.run.rowproof import RowProof
    from lrsrules.run.waiving import Waiving

# Opens the run's source given the values each record must carry, in that order.
Opener = Callable[[Sequence[str]], RecordSource]


class Checked(NamedTuple):
    """One record and its findings (waivers applied); ``record`` is None for findings
    about the input as a whole. ``record.values`` hold every value the run was asked
    for, in ``Run.wanted`` order."""

    record: Record | None
    findings: Sequence[Finding]
    hits: Sequence[Hit]  # the rules that fired, before waivers (for tools that fix values)


_NONE: tuple[()] = ()  # no findings, no hits: shared by every clean record
_FINDINGS = attrgetter("findings")


class KeptProofs:
    """The whole-row proofs made for one pack without rules across records (each then
    the pack's alone), by the layout of the file they were made for, and whether proving
    paid on one file: kept by a process that checks the parts of a file one after another
    (``lrsrules.run.partcheck``), so that a part after the first proves from its second
    record with a proof already made and the way already chosen, instead of reading
    ``csvsource.PROVE_EARLY`` records the plain way and timing both ways again. The choice
    changes how long a part takes, never what it finds."""

    def __init__(self) -> None:
        self.proofs: dict[tuple[str, int, tuple[tuple[str, int], ...], bool], RowProof | None] = {}
        self.chosen: bool | None = None  # True: prove; False: the plain way; None: untold


class Run:
    """One pack run over one source. Iterate it (once) for the findings, in input order;
    ``summary`` then holds the totals. Use it as a context manager, or read it to the end,
    to close the source.

    ``extra_fields`` are values the caller wants on each record beyond the pack's (a batch
    fix needs every field of the layout); ``today`` is the date waivers expire against.
    """

    def __init__(self, compiled: CompiledPack, opener: Opener, *,
                 waivers: WaiverSet | None = None, as_of: dt.date | None = None,
                 today: dt.date | None = None, extra_fields: Sequence[str] = ()) -> None:
        self.compiled = compiled
        self.as_of = as_of
        self.waivers = waivers
        fields = compiled.fields
        self._waiving: Waiving | None = None
        if waivers is not None:  # imported only for a run with waivers
            from lrsrules.run.waiving import Waiving

            self._waiving = Waiving(waivers, fields, today=today or dt.date.today())
        wanted = self._waiving.wanted if self._waiving else fields
        self.wanted: tuple[str, ...] = wanted + tuple(
            name for name in dict.fromkeys(extra_fields) if name not in wanted)
        self.source = opener(self.wanted)
        self._tally = Tally()
        self._started = False
        self._finished = False
        self._reading: Generator[object, None, None] | None = None  # records being read
        self._skip_proven = False  # see results()
        self._proven_before: int | None = None
        self._kept: KeptProofs | None = None

    @property
    def info(self) -> RunInfo:
        """What ran on what (for a reporter's ``start``)."""
        pack, source = self.compiled.pack, self.source
        return RunInfo(pack.name, pack.version, pack.sha256, pack.path, source.path,
                       source.format, source.encoding, source.delimiter,
                       as_of=None if self.as_of is None else self.as_of.isoformat(),
                       waivers=None if self.waivers is None else self.waivers.path,
                       pack=pack, rules=pack.rules)

    def records_read_and_bytes(self) -> tuple[int, tuple[int, int] | None]:
        """Records checked so far, and the bytes read of the input's size when known: for a
        progress display, cheap and safe to ask from another thread."""
        return self._tally.records + self.source.proven, self.source.bytes_read()

    def __iter__(self) -> Iterator[Finding]:
        # chain and map run in C: no Python frame between the run and its reader.
        self._reading = reading = self._results(clean=False)
        return chain.from_iterable(map(_FINDINGS, reading))

    def reported(self, renderer: PartRenderer | None = None) -> Iterator[Finding | str]:
        """The findings, as iterating the run gives them, or some of them as the text
        ``renderer`` writes for them, in their place, to be written as it is: a record's
        findings that are its targets' own (none from the reader, a repeat or an error),
        written straight from the targets that fired, without a ``Finding`` made. A run
        whose input is checked in parts elsewhere (``lrsrules.run.parallel``) hands over
        the text written for them there."""
        text_of = (None if renderer is None or self._waiving is not None
                   else renderer.targets_text(self.compiled.finding_parts))
        if text_of is None:
            return iter(self)
        self._reading = reading = self._results(clean=False, text_of=text_of)
        return chain.from_iterable(map(_FINDINGS, reading))

    def results(self, *, skip_proven: bool = False, proven_before: int | None = None,
                kept: KeptProofs | None = None, text_of: TargetsText | None = None,
                text_sink: TextSink | None = None) -> Iterator[Checked]:
        """Each record with its findings, and the findings about the input as a whole
        (expired waivers and the input's own first, what only its end tells last).
        ``skip_proven``: leave out the records the whole-row fast path proves clean
        (``source.proven`` counts them), as iterating the findings does; with
        ``proven_before``, only those that start on a line before that one; ``kept``:
        the proofs made, and the way chosen, on earlier parts of the same file;
        ``text_of``: a record whose findings are its targets' own gets their text for
        findings, one str, and no hits (see ``reported``); ``text_sink``: where such a
        record of a block's records made together (``RecordSource.runs``) has its text
        handed instead, with its number, in input order: it is not given here, nor are
        those of them that have no findings."""
        self._skip_proven = skip_proven
        self._proven_before = proven_before
        self._kept = kept
        self._reading = reading = self._results(clean=True, text_of=text_of,
                                                text_sink=text_sink)
        return reading

    def _results(self, *, clean: bool, text_of: TargetsText | None = None,
                 text_sink: TextSink | None = None
                 ) -> Generator[Checked, None, None]:
        # clean=False leaves out the records without findings: iterating findings needs
        # nothing of them, and most records of a real file are clean. With ``text_of``
        # (see ``reported``), a record whose findings are its targets' own has their text
        # for findings: one str.
        if self._started:
            raise RuntimeError("a run is read once: start another for a second pass")
        self._started = True
        compiled, tally, waiving = self.compiled, self._tally, self._waiving
        width = len(compiled.fields)
        trim = len(self.wanted) > width
        try:
            head = (waiving.expired_findings() if waiving else []) + self.source.head_findings()
            head += self.source.missing_findings(compiled.required_fields())
            if head:
                yield Checked(None, self._whole(head), [])
            check, decode, findings_of = compiled.check, compiled.decode, compiled.findings_of
            # Rules across records see each record after its own check (a repeat's finding
            # follows the record's others); their state lives as long as the run.
            crossing = CrossRecords(compiled.cross) if compiled.cross else None
            across = crossing.findings if crossing is not None else None
            # Records only written from the targets that fired, none compared with
            # another: the proof may answer some lines' hits itself (their records then
            # carry no values), and a block's records are written together (below).
            as_text = text_of is not None and across is None and waiving is None
            if not clean or self._skip_proven:
                self._offer_proof(crossing, answering=as_text)
            repeats: list[Finding] = []
            by_severity = tally.by_severity
            severities = compiled.severities
            hits: Sequence[Hit]
            new = tuple.__new__  # one Checked a record: skip the named tuple's Python __new__
            # A block's records made together (see RecordSource.runs) whose findings are
            # written as text: their texts joined, without a Checked each.
            lane = as_text and (not clean or text_sink is not None)
            for run in self.source.runs():
                records: Sequence[Record]
                if isinstance(run, list):
                    if lane:
                        assert text_of is not None
                        yield from self._texts_of(run, text_of, text_sink)
                        continue
                    records = run
                else:
                    records = (run,)
                for record in records:
                    if record.issue is not None:
                        hits, found = [], list(record.notes)
                    else:
                        values = record.values[:width] if trim else record.values
                        narrowed = record.check  # the whole-row proof's, for some lines
                        raw = check(values) if narrowed is None else narrowed(values)
                        if across is not None:
                            repeats = across(record, values)
                        if not raw and not record.notes and not repeats:  # the common case
                            tally.records += 1
                            if clean:
                                yield new(Checked, (record, _NONE, _NONE))
                            continue
                        if text_of is not None and not record.notes and not repeats:
                            try:  # an error's hit is an (index, exception) pair: not text
                                text = text_of(record.number, record.line, raw)
                            except TypeError:
                                pass
                            else:
                                tally.records += 1  # Tally.count, inlined, as below
                                tally.records_with_findings += 1
                                tally.findings += len(raw)
                                for index in raw:
                                    by_severity[severities[index]] += 1
                                yield new(Checked, (record, (text,), _NONE))
                                continue
                        found = findings_of(record, raw)
                        hits = decode(raw) if clean else _NONE  # read by tools that fix
                        if repeats:
                            found = [*found, *repeats]
                    if waiving is not None and found:
                        found = waiving.apply(record, found)
                    tally.records += 1  # Tally.count, inlined: this runs per record reported
                    if found:
                        tally.records_with_findings += 1
                        tally.findings += len(found)
                        for finding in found:
                            by_severity[finding.severity] += 1
                    yield new(Checked, (record, found, hits))
            end = self.source.end_findings()
            if end:
                yield Checked(None, self._whole(end), [])
            self._finished = True
        finally:
            self.source.close()

    def _texts_of(self, records: list[Record], text_of: TargetsText,
                  sink: TextSink | None = None) -> Iterator[Checked]:
        """``_results`` for a block's records made together, where findings are written
        as text and no record is compared with another (no ``unique`` rule, no waiver):
        the texts of their findings joined into one, or each handed to ``sink`` with its
        record's number. The records are lines read whole, none with notes or an issue;
        a record whose hits hold an error gets its findings made, in its place."""
        compiled, tally = self.compiled, self._tally
        check, severities, by_severity = compiled.check, compiled.severities, tally.by_severity
        width = len(compiled.fields) if len(self.wanted) > len(compiled.fields) else None
        texts: list[str] = []
        add = texts.append
        counted = 0  # records counted in the tally so far
        for place, record in enumerate(records):
            values = record.values if width is None else record.values[:width]
            narrowed = record.check  # the whole-row proof's, for some lines
            raw = check(values) if narrowed is None else narrowed(values)
            if not raw:
                continue
            try:  # an error's hit is an (index, exception) pair: not text
                text = text_of(record.number, record.line, raw)
            except TypeError:
                found = compiled.findings_of(record, raw)
                tally.records += place - counted
                counted = place + 1
                if texts:
                    yield tuple.__new__(Checked, (None, ("".join(texts),), _NONE))
                    texts.clear()
                tally.count(found)
                yield tuple.__new__(Checked, (record, found, _NONE))
                continue
            if sink is None:
                add(text)
            else:
                sink(record.number, text)
            tally.records_with_findings += 1
            tally.findings += len(raw)
            for index in raw:
                by_severity[severities[index]] += 1
        tally.records += len(records) - counted
        if texts:
            yield tuple.__new__(Checked, (None, ("".join(texts),), _NONE))

    def _offer_proof(self, crossing: CrossRecords | None, *, answering: bool = False
                     ) -> None:
        """Let the source skip the lines the whole-row fast path proves clean (records
        it then never hands over, counted in ``source.proven``)."""
        if not speedups.enabled():
            return
        compiled, until = self.compiled, self._proven_before
        kept = None if crossing is not None else self._kept  # (their proofs see the run's)
        if kept is not None and kept.chosen is False:
            return  # the plain way was the faster on this file

        def make(delimiter: str, width: int, columns: Mapping[str, int]) -> LineProof | None:
            from lrsrules.run.lineshape import Layout
            from lrsrules.run.rowproof import line_proof

            layout = Layout(delimiter, width, columns)
            if kept is None:
                return line_proof(compiled, layout, crossing, until=until,
                                  answering=answering)
            key = (delimiter, width, tuple(columns.items()), answering)
            if key not in kept.proofs:
                kept.proofs[key] = line_proof(compiled, layout, answering=answering)
            proof = kept.proofs[key]
            return None if proof is None else proof.ending(until)

        # Kept proofs are those of a file cut into parts for workers: a large one.
        self.source.prove_lines(make, chosen=None if kept is None else kept.chosen,
                                large=kept is not None)

    def _whole(self, found: list[Finding]) -> list[Finding]:
        if self._waiving is not None:
            found = self._waiving.apply(None, found)
        self._tally.count(found, record=False)
        return found

    def _run_to_the_end(self) -> None:
        # Totals asked for before every finding was read: read the rest of the records
        # (from where iterating stopped), keeping no finding.
        if not self._started:
            self._reading = self._results(clean=False)
        if not self._finished and self._reading is not None:
            for _ in self._reading:
                pass

    @property
    def summary(self) -> Summary:
        """The totals of the whole input: asked for before the findings were all read, the
        rest of the records are run first (their findings are not kept)."""
        self._run_to_the_end()
        source, tally = self.source, self._tally
        extra, notes = source.summary_extra()
        unmatched = () if self._waiving is None else self._waiving.unmatched()
        if unmatched:
            notes = (*notes, f"Warning: {len(unmatched)} waiver"
                     f"{'' if len(unmatched) == 1 else 's'} matched no finding (fixed since, "
                     f"or mistyped?): {', '.join(unmatched)}")
        return Summary(tally.records + source.proven, tally.findings, dict(tally.by_severity),
                       tally.records_with_findings, len(self.compiled.pack.rules),
                       source.ignored_headings, source.missing_fields,
                       None if self._waiving is None else self._waiving.waived,
                       extra=extra, notes=tuple(notes), unmatched_waivers=unmatched)

    def worst(self) -> str | None:
        """The worst severity among findings no waiver covers (None: no such finding), in
        the whole input (see ``summary``)."""
        self._run_to_the_end()
        counts = dict(self._tally.by_severity)
        if self._waiving is not None:
            for severity, waived in self._waiving.waived_by_severity.items():
                counts[severity] -= waived
        present = [severity for severity, count in counts.items() if count]
        return max(present, key=SEVERITY_RANK.__getitem__, default=None)

    def failed(self, fail_on: str = "error") -> bool:
        """Whether a finding no waiver covers is at ``fail_on`` or worse, in the whole
        input (see ``summary``)."""
        if fail_on not in SEVERITY_RANK:
            raise ValueError(f"fail_on {fail_on!r} is not a severity: give one of "
                             f"{', '.join(SEVERITY_RANK)}")
        worst = self.worst()
        return worst is not None and SEVERITY_RANK[worst] >= SEVERITY_RANK[fail_on]

    def close(self) -> None:
        """Close the source; the totals are then those of the records read before."""
        if self._reading is not None:
            self._reading.close()
        self._finished = True
        self.source.close()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
