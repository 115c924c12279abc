"""The library API: load a pack once, run it over records, read the findings and summary.

    import lrsrules
    run = lrsrules.validate("learners.csv")            # or a file object, or dicts
    for finding in run: ...
    run.summary

Modelled on python-jsonschema's ``iter_errors`` / ``validate`` / ``is_valid``: ``validate``
returns a lazy ``Run``, ``is_valid`` is a thin wrapper over it. The command line uses these
same functions, so a caller gets exactly the findings ``lrsrules validate`` prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Union

from lrsrules.dates import parse_iso_date
from lrsrules.errors import InputError, Location, PackError, Problem
from lrsrules.packs.model import DEFAULT_PACK, Pack
from lrsrules.run.pipeline import Run
from lrsrules.run.program import CompiledPack, compile_pack

# What only loading a pack from its files, reading waivers or checking a batch file needs
# (YAML, jsonschema, lark, the checker) is imported there: a run whose prepared pack comes
# from the cache starts without it.
if TYPE_CHECKING:
    from lrsrules.batch.layouts import Layout
    from lrsrules.inputs.records import RecordSource
    from lrsrules.packs.packfiles import PackFiles
    from lrsrules.packs.waivers import WaiverSet

ENGINES = ("local", "dask")  # where the records of a file are checked
PackRef = Union[str, "os.PathLike[str]", CompiledPack]
# A path, an open file (text or binary), or Python mappings, one per learner.
Source = Union[str, "os.PathLike[str]", IO[Any], Iterable[Mapping[str, Any]]]
DateLike = dt.date | str | None


def load_pack(pack: str | os.PathLike[str] = DEFAULT_PACK, *, as_of: DateLike = None,
              overlays: Sequence[str | os.PathLike[str]] = (),
              today: dt.date | None = None, cache: bool = False,
              select: Iterable[str] | str | None = None,
              ignore: Iterable[str] | str | None = None) -> CompiledPack:
    """Load a pack by bundled name (``lrs-default``, ``lrs-cdd@1.0``) or path, and prepare it
    to run: the rules in force on ``as_of`` (default: today), every expression checked and
    compiled once. ``overlays`` are overlay packs laid over it in order, each extending the
    one before (an overlay names its base in ``extends``). ``today`` is the date
    ``today()`` means in expressions (default: the real date). ``cache``: keep the prepared
    pack in the user's cache folder and take it from there while its files are unchanged
    (``lrsrules.run.cache``; the command line does). ``select`` and ``ignore`` choose the
    rules that run, as ``--select`` and ``--ignore`` do: rule ids, id prefixes
    (``CDD.ULN``) or tags (``tag:provisional``). Raises ``PackError``, also for a selector
    that names no rule.
    """
    if isinstance(overlays, (str, os.PathLike)):  # one overlay given alone
        overlays = (overlays,)
    asked = _date(as_of, "as_of")
    on = asked or today or dt.date.today()

    def prepare(files: Callable[[], PackFiles | None]) -> CompiledPack:
        from lrsrules.packs.loader import load_pack as load_pack_file
        from lrsrules.packs.selection import select_rules
        from lrsrules.packs.versions import rules_in_force

        loaded = load_pack_file(pack, files=files())
        for overlay in overlays:
            loaded = _overlay(loaded, load_pack_file(overlay, files=files()))
        chosen = select_rules(loaded, select, ignore)
        return compile_pack(rules_in_force(chosen, on), today=today, loaded=loaded)

    from lrsrules.run import cache as pack_cache

    if not pack_cache.cache_wanted(cache):
        compiled = prepare(lambda: None)
    else:
        compiled = pack_cache.prepared_pack(pack, overlays, on=on,
                                            today=today or dt.date.today(), prepare=prepare,
                                            variant=_listed(select, ignore))
    # Kept for the runs of it, whose reports say the rules were those in force then.
    return compiled if asked is None else dataclasses.replace(compiled, as_of=asked)


def _listed(*selectors: Iterable[str] | str | None) -> list[list[str]]:
    """Selectors as plain lists (for the cache key)."""
    return [[s] if isinstance(s, str) else list(s or ()) for s in selectors]


def validate(source: Source, pack: PackRef = DEFAULT_PACK, *,
             waivers: str | os.PathLike[str] | WaiverSet | None = None, as_of: DateLike = None,
             encoding: str | None = None, delimiter: str | None = None,
             input_format: str | None = None, today: dt.date | None = None,
             cache: bool = False, workers: int | str = 1, engine: str = "local",
             scheduler: str | None = None, sheet: str | None = None,
             name: str | None = None) -> Run:
    """Check the records of ``source`` against ``pack``: a ``Run`` to iterate for the
    findings, then read ``summary``; ``run.failed()`` says whether any finding no waiver
    covers is an error.

    ``source``: a path (CSV or JSON Lines, by extension or content), an open file object,
    or an iterable of mappings (keys matched to fields as headings are). ``pack``: a name,
    a path, or a pack from ``load_pack`` (then ``as_of`` must be given there). ``waivers``:
    a waiver file (or a loaded ``WaiverSet``). The reader options are those of the
    command line (``sheet``: the sheet of an .xlsx workbook, default its first); ``name``
    is what errors and reports call a file object (default: its ``name``); ``cache`` is
    ``load_pack``'s. Raises ``PackError``, or ``InputError`` when the head of the input
    (its format, encoding, headings) cannot be used, before the first record is read; a
    fault further into a file (a byte that does not decode) is an ``InputError`` where the
    records reach it.

    ``workers``: how many processes check a CSV file's records side by side (a number, or
    ``"auto"`` for this machine's cores), with the same findings in the same order as one
    (see ``lrsrules.run.parallel``). ``engine="dask"`` checks them on the Dask cluster at
    ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``; None starts a local one),
    which must see the file at the same path (the ``dask`` extra).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    if workers != 1 or engine != "local":  # multiprocessing: imported only when asked for
        from lrsrules.run.localpool import local_workers, start_early
        from lrsrules.run.parallel import ParallelRun, worker_count

        count = worker_count(workers)
        if count > 1 and engine == "local" and isinstance(source, (str, os.PathLike)):
            start_early(source)  # its workers' imports beside the pack's loading
    else:
        count = 1
    compiled = _prepared(pack, as_of, today, cache)
    waiver_set = _waivers(waivers, compiled)

    def opener(wanted: Sequence[str]) -> RecordSource:
        fields = compiled.pack.fields
        if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
            from lrsrules.inputs.readers import open_records

            return open_records(source, fields, wanted,  # type: ignore[arg-type]
                                encoding=encoding, delimiter=delimiter,
                                input_format=input_format, sheet=sheet, name=name)
        if isinstance(source, (bytes, Mapping)):
            raise InputError(f"cannot read records from a {type(source).__name__}",
                             Location("<records>"), hint="give a path, a file object, or "
                             "an iterable of mappings (a list of dicts)")
        from lrsrules.inputs.mappings import MappingSource  # only for mappings

        return MappingSource(source, fields, wanted)

    options: dict[str, Any] = {"waivers": waiver_set,
                               "as_of": _date(as_of, "as_of") or compiled.as_of, "today": today}
    if isinstance(source, (str, os.PathLike)) and (count > 1 or engine == "dask"):
        path = os.fspath(source)  # (the branch above imported ParallelRun)
        if engine == "dask":
            from lrsrules.run.cluster import dask_workers, require_dask

            require_dask()
            return ParallelRun(compiled, opener, path=path, workers=dask_workers(scheduler),
                               count=None, **options)
        return ParallelRun(compiled, opener, path=path, workers=local_workers(count),
                           count=count, **options)
    return Run(compiled, opener, **options)


def is_valid(source: Source, pack: PackRef = DEFAULT_PACK, *, fail_on: str = "error",
             **options: Any) -> bool:
    """Whether ``source`` has no finding at ``fail_on`` or worse that no waiver covers."""
    with validate(source, pack, **options) as run:
        for _ in run:
            pass
        return not run.failed(fail_on)


def check_batch(path: str | os.PathLike[str], *, layout: str | Layout | None = None,
                pack: PackRef | None = None,
                waivers: str | os.PathLike[str] | WaiverSet | None = None,
                as_of: DateLike = None, encoding: str | None = None,
                today: dt.date | None = None, now: dt.datetime | None = None,
                extra_fields: Sequence[str] = (), cache: bool = False,
                select: Iterable[str] | str | None = None,
                ignore: Iterable[str] | str | None = None, workers: int | str = 1) -> Run:
    """Check an LRS batch file (CSV, XML or XLSX) as ``lrsrules batch check`` does: its
    name, header and headings, then every learner row through the layout's pack (or
    ``pack``). ``extra_fields``: values each record should carry beyond the pack's (pack
    fields or the layout's output headings), for callers such as ``batch fix``. ``cache``
    is ``load_pack``'s, as are ``select`` and ``ignore``.

    ``workers``: as ``validate``'s, for a CSV batch file (``lrsrules.batch.cutting``): the
    same findings and summary as one. The run then yields only the records with findings,
    without the rules' hits, so ``extra_fields`` (a fix) needs one worker.
    """
    from lrsrules.batch.check import check_layout_against, open_batch
    from lrsrules.batch.layouts import Layout, load_layout
    from lrsrules.packs.discovery import find_pack

    count = 1
    if workers != 1:
        from lrsrules.run.localpool import start_early
        from lrsrules.run.parallel import worker_count

        count = worker_count(workers)
        if count > 1 and extra_fields:
            raise ValueError("extra_fields (a batch fix) reads the file in one pass: give "
                             "workers=1")
        if count > 1 and os.fspath(path).lower().endswith(".csv"):  # (only CSV is cut)
            start_early(path)
    chosen = layout if isinstance(layout, Layout) else load_layout(layout)
    if pack is None:
        pack = find_pack(chosen.pack, base_dir=chosen.pack_base)
    compiled = _prepared(pack, as_of, today, cache, select, ignore)
    check_layout_against(chosen, compiled)
    waiver_set = _waivers(waivers, compiled)
    batch = open_batch(path, chosen, encoding=encoding, now=now)
    options: dict[str, Any] = {"waivers": waiver_set,
                               "as_of": _date(as_of, "as_of") or compiled.as_of, "today": today}
    try:
        if count > 1:
            from lrsrules.batch.cutting import BatchHead
            from lrsrules.run.localpool import local_workers
            from lrsrules.run.parallel import ParallelRun

            head = BatchHead.of(batch)
            if head is not None:
                return ParallelRun(compiled, batch.as_source, path=os.fspath(path),
                                   workers=local_workers(count), count=count, reader=head,
                                   **options)
        return Run(compiled, batch.as_source, extra_fields=extra_fields, **options)
    except BaseException:
        batch.close()
        raise


def _prepared(pack: PackRef, as_of: DateLike, today: dt.date | None,
              cache: bool = False, select: Iterable[str] | str | None = None,
              ignore: Iterable[str] | str | None = None) -> CompiledPack:
    if isinstance(pack, CompiledPack):
        if as_of is not None:
            raise ValueError("as_of applies when the pack is loaded: "
                             "give it to load_pack, or give the pack by name")
        if select or ignore:
            raise ValueError("select and ignore apply when the pack is loaded: "
                             "give them to load_pack, or give the pack by name")
        return pack
    return load_pack(pack, as_of=as_of, today=today, cache=cache, select=select,
                     ignore=ignore)


def _waivers(waivers: str | os.PathLike[str] | WaiverSet | None,
             compiled: CompiledPack) -> WaiverSet | None:
    if waivers is None:
        return None
    from lrsrules.packs.waivers import WaiverSet, load_waivers

    if isinstance(waivers, WaiverSet):
        return waivers
    return load_waivers(waivers, compiled.loaded)


def _date(value: DateLike, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    parsed = parse_iso_date(value)
    if parsed is None:
        raise ValueError(f"{name} {value!r} is not a real date written YYYY-MM-DD")
    return parsed


def _overlay(base: Pack, overlay: Pack) -> Pack:
    if overlay.extends != base.name:
        where = Location(overlay.path)
        said = f"extends {overlay.extends}" if overlay.extends else "extends no pack"
        raise PackError(problems=[Problem(
            f"overlay {overlay.name} {said}, not {base.name}", where,
            f"write extends: {base.name} in it, or give the packs in the order they extend")])
    return overlay
