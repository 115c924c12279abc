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

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Union

from lrsrules.dates import parse_iso_date
from lrsrules.errors import InputError, Location, PackError, Problem
from lrsrules.inputs.readers import open_records
from lrsrules.inputs.records import RecordSource
from lrsrules.packs.model import DEFAULT_PACK, Pack
from lrsrules.packs.waivers import WaiverSet, load_waivers
from lrsrules.run.pipeline import Run
from lrsrules.run.program import CompiledPack, compile_pack

# What only loading a pack from its files or checking a batch file needs (YAML, jsonschema,
# lark) is imported there: a run whose prepared pack comes from the cache starts without it.
if TYPE_CHECKING:
    from lrsrules.batch.layouts import Layout
    from lrsrules.packs.packfiles import PackFiles

PackRef = Union[str, "os.PathLike[str]", CompiledPack]
# A path, an open file (text or binary), or Python mappings, one per learner.
Source = Union[str, "os.PathLike[str]", IO[Any], Iterable[Mapping[str, Any]]]
DateLike = dt.date | str | None


def load_pack(pack: str | os.PathLike[str] = DEFAULT_PACK, *, as_of: DateLike = None,
              overlays: Sequence[str | os.PathLike[str]] = (),
              today: dt.date | None = None, cache: bool = False) -> CompiledPack:
    """Load a pack by bundled name (``lrs-default``, ``lrs-cdd@1.0``) or path, and prepare it
    to run: the rules in force on ``as_of`` (default: today), every expression checked and
    compiled once. ``overlays`` are overlay packs laid over it in order, each extending the
    one before (an overlay names its base in ``extends``). ``today`` is the date
    ``today()`` means in expressions (default: the real date). ``cache``: keep the prepared
    pack in the user's cache folder and take it from there while its files are unchanged
    (``lrsrules.run.cache``; the command line does). Raises ``PackError``.
    """
    if isinstance(overlays, (str, os.PathLike)):  # one overlay given alone
        overlays = (overlays,)
    on = _date(as_of, "as_of") or today or dt.date.today()

    def prepare(files: Callable[[], PackFiles | None]) -> CompiledPack:
        from lrsrules.packs.loader import load_pack as load_pack_file
        from lrsrules.packs.versions import rules_in_force

        loaded = load_pack_file(pack, files=files())
        for overlay in overlays:
            loaded = _overlay(loaded, load_pack_file(overlay, files=files()))
        return compile_pack(rules_in_force(loaded, on), today=today, loaded=loaded)

    from lrsrules.run import cache as pack_cache

    if not pack_cache.cache_wanted(cache):
        return prepare(lambda: None)
    return pack_cache.prepared_pack(pack, overlays, on=on, today=today or dt.date.today(),
                                    prepare=prepare)


def validate(source: Source, pack: PackRef = DEFAULT_PACK, *,
             waivers: str | os.PathLike[str] | WaiverSet | None = None, as_of: DateLike = None,
             encoding: str | None = None, delimiter: str | None = None,
             input_format: str | None = None, today: dt.date | None = None,
             cache: bool = False) -> Run:
    """Check the records of ``source`` against ``pack``: a ``Run`` to iterate for the
    findings, then read ``summary``; ``run.failed()`` says whether any finding no waiver
    covers is an error.

    ``source``: a path (CSV or JSON Lines, by extension or content), an open file object,
    or an iterable of mappings (keys matched to fields as headings are). ``pack``: a name,
    a path, or a pack from ``load_pack`` (then ``as_of`` must be given there). ``waivers``:
    a waiver file (or a loaded ``WaiverSet``). The reader options are those of the
    command line; ``cache`` is ``load_pack``'s. Raises ``PackError``, or ``InputError``
    when the head of the input (its format, encoding, headings) cannot be used, before
    the first record is read; a fault further into a file (a byte that does not decode)
    is an ``InputError`` where the records reach it.
    """
    compiled = _prepared(pack, as_of, today, cache)
    waiver_set = _waivers(waivers, compiled)

    def opener(wanted: Sequence[str]) -> RecordSource:
        fields = compiled.pack.fields
        if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
            return open_records(source, fields, wanted,  # type: ignore[arg-type]
                                encoding=encoding, delimiter=delimiter,
                                input_format=input_format)
        if isinstance(source, (bytes, Mapping)):
            raise InputError(f"cannot read records from a {type(source).__name__}",
                             Location("<records>"), hint="give a path, a file object, or "
                             "an iterable of mappings (a list of dicts)")
        from lrsrules.inputs.mappings import MappingSource  # only for mappings

        return MappingSource(source, fields, wanted)

    return Run(compiled, opener, waivers=waiver_set, as_of=_date(as_of, "as_of"),
               today=today)


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
                extra_fields: Sequence[str] = (), cache: bool = False) -> Run:
    """Check an LRS batch file (CSV, XML or XLSX) as ``lrsrules batch check`` does: its
    name, header and headings, then every learner row through the layout's pack (or
    ``pack``). ``extra_fields``: values each record should carry beyond the pack's (pack
    fields or the layout's output headings), for callers such as ``batch fix``. ``cache``
    is ``load_pack``'s.
    """
    from lrsrules.batch.check import check_layout_against, open_batch
    from lrsrules.batch.layouts import Layout, load_layout
    from lrsrules.packs.discovery import find_pack

    chosen = layout if isinstance(layout, Layout) else load_layout(layout)
    if pack is None:
        pack = find_pack(chosen.pack, base_dir=chosen.pack_base)
    compiled = _prepared(pack, as_of, today, cache)
    check_layout_against(chosen, compiled)
    waiver_set = _waivers(waivers, compiled)
    batch = open_batch(path, chosen, encoding=encoding, now=now)
    try:
        return Run(compiled, batch.as_source, waivers=waiver_set, as_of=_date(as_of, "as_of"),
                   today=today, extra_fields=extra_fields)
    except BaseException:
        batch.close()
        raise


def _prepared(pack: PackRef, as_of: DateLike, today: dt.date | None,
              cache: bool = False) -> CompiledPack:
    if isinstance(pack, CompiledPack):
        if as_of is not None:
            raise ValueError("as_of applies when the pack is loaded: "
                             "give it to load_pack, or give the pack by name")
        return pack
    return load_pack(pack, as_of=as_of, today=today, cache=cache)


def _waivers(waivers: str | os.PathLike[str] | WaiverSet | None,
             compiled: CompiledPack) -> WaiverSet | None:
    if waivers is None or isinstance(waivers, WaiverSet):
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
