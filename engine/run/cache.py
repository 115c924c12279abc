"""The prepared pack kept on disk, so that a run on a small file starts at once.

Preparing the default pack (its YAML read, every file's shape checked, every expression
parsed, checked and compiled to Python) takes about half a second; reading it back from
here takes a few milliseconds and needs neither jsonschema nor lark nor PyYAML imported,
nor the expression checker and compiler (what an entry holds of theirs is in
``lang.checked``).

An entry is keyed by what was asked (the pack reference, the overlays, the working folder
a relative reference is read from, the date of the rules in force and of ``today()``),
the code of lrsrules itself (every module's size and modification time, so a new version
or an edited checkout is never served an old entry) and the Python version (the entry
holds compiled code). It records the content hash of every file the pack was made from
(pack files, includes, overlays, list files, and the names of the pack files beside each,
so that a new version in a pack's folder is seen): an entry whose files differ in one
byte is not used, and is replaced by the next run.

Trust: an entry is a pickle, and unpickling can run code, so it is trusted exactly as
Python trusts its own ``__pycache__``: only from a folder that is the user's own (owned by
them, a folder, not a link, writable by no one else; created with mode 0700) and only a
file in it that they own and no one else may write. A folder that fails those checks is
not used (a ``CacheWarning`` says why). An entry is written to a temporary file in the
folder and renamed into place, so concurrent runs each read a whole entry, never a part;
a truncated, corrupt or foreign file fails its digest or its load and is ignored, then
rewritten. Nothing here raises: a cache that cannot be used costs only time.

The folder is ``$LRSRULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/lrsrules``, else
``~/.cache/lrsrules``. ``LRSRULES_NO_CACHE=1`` turns the cache off everywhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import pickle
import stat
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrsrules import speedups
from lrsrules.digests import blake2b
from lrsrules.limits import PACK_CACHE_BYTES
from lrsrules.run.packpickle import PackPickler
from lrsrules.run.program import CompiledPack

if TYPE_CHECKING:
    from lrsrules.packs.packfiles import PackFiles

_MAGIC = b"lrsrules prepared pack 3\n"
_SUFFIX = ".pack"
_KEEP_DAYS = 7  # entries not written for this long are removed (the date is in the key)
_PACK_SUFFIXES = (".yaml", ".yml")


class CacheWarning(UserWarning):
    """The cache folder is not safe to use: the run goes on without it."""


# Prepare a pack, reading each pack it loads through a new reader from the given factory
# (readers that note what they read).
Prepare = Callable[[Callable[[], "PackFiles"]], CompiledPack]


def cache_folder() -> Path:
    """Where entries are kept (the folder may not exist yet)."""
    chosen = os.environ.get("LRSRULES_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lrsrules"


def cache_wanted(asked: bool) -> bool:
    """Whether to use the cache: as asked, unless ``LRSRULES_NO_CACHE`` is set (not 0)."""
    return asked and os.environ.get("LRSRULES_NO_CACHE", "") in ("", "0")


def prepared_pack(ref: str | os.PathLike[str], overlays: Sequence[str | os.PathLike[str]],
                  *, on: dt.date, today: dt.date, prepare: Prepare,
                  variant: object = None) -> CompiledPack:
    """The pack ``prepare`` makes, read from the cache when an entry made from the same
    files is there, else prepared and stored. Errors of ``prepare`` (a ``PackError``)
    pass through; nothing is stored for them."""
    folder = _usable_folder(cache_folder())
    seen: set[str] = set()

    def files() -> PackFiles:
        return _reading_files(seen)

    if folder is None:
        return prepare(files)
    entry = folder / (_key(ref, overlays, on, today, variant) + _SUFFIX)
    found = _read_entry(entry)
    if found is not None:
        return found
    compiled = prepare(files)
    made_from = seen | set(compiled.loaded.files) | set(compiled.pack.files)
    _write_entry(folder, entry, compiled, made_from)
    return compiled


# --- the key --------------------------------------------------------------------------------

def _key(ref: str | os.PathLike[str], overlays: Sequence[str | os.PathLike[str]],
         on: dt.date, today: dt.date, variant: object = None) -> str:
    # variant: what else made the pack (the rules selected, as JSON); and whether the fast
    # paths were on, which decides the code compiled.
    named = [os.fspath(ref), *(os.fspath(path) for path in overlays)]
    relative = any(not os.path.isabs(path) for path in named)
    parts: list[object] = [
        _MAGIC.decode(), sys.version, sys.implementation.cache_tag, _code_fingerprint(),
        named, os.getcwd() if relative else "", on.isoformat(), today.isoformat(), variant,
        speedups.enabled()]
    return blake2b(json.dumps(parts).encode(), digest_size=20).hexdigest()


def _code_fingerprint() -> str:
    """Size and modification time of every module of lrsrules (and its grammar)."""
    import importlib.util

    grammar = importlib.util.find_spec("lrsrules.grammar")
    folders = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # lrsrules/
               *(grammar.submodule_search_locations or () if grammar else ())]
    hasher = blake2b()
    for folder in folders:
        for path, size, mtime in sorted(_code_files(folder)):
            hasher.update(f"{path}\0{size}\0{mtime}\n".encode())
    return hasher.hexdigest()


def _code_files(folder: str) -> Iterable[tuple[str, int, int]]:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    yield from _code_files(entry.path)
            elif entry.name.endswith((".py", ".lark")):
                info = entry.stat()
                yield entry.path, info.st_size, info.st_mtime_ns


# --- what an entry was made from ------------------------------------------------------------

def _reading_files(seen: set[str]) -> PackFiles:
    """A pack-file reader that notes the path of every file it reads into ``seen``."""
    from lrsrules.packs.packfiles import PackFiles
    from lrsrules.packs.yamlsource import YamlDocument

    class Noting(PackFiles):
        def read(self, path: str | os.PathLike[str]) -> YamlDocument:
            seen.add(os.fspath(path))
            return super().read(path)

    return Noting()


def _made_from(paths: Iterable[str]) -> dict[str, Any]:
    """The content hash of each file, and the pack files' names in each one's folder."""
    files = sorted({os.path.realpath(path) for path in paths})
    folders = sorted({os.path.dirname(path) for path in files})
    return {"files": {path: _file_hash(path) for path in files},
            "folders": {folder: _listing(folder) for folder in folders}}


def _file_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return blake2b(handle.read(), digest_size=32).hexdigest()
    except OSError:
        return None


def _listing(folder: str) -> list[str] | None:
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(_PACK_SUFFIXES))
    except OSError:
        return None


def _still_the_same(made_from: Any) -> bool:
    if not isinstance(made_from, dict):
        return False
    files, folders = made_from.get("files"), made_from.get("folders")
    if not isinstance(files, dict) or not isinstance(folders, dict) or not files:
        return False
    return (all(_file_hash(path) == digest for path, digest in files.items())
            and all(_listing(folder) == names for folder, names in folders.items()))


# --- the folder and its entries -------------------------------------------------------------

def _usable_folder(folder: Path) -> Path | None:
    """The folder, created (mode 0700) when missing; None when it cannot be trusted."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None  # a read-only home, say: run without the cache
    problem = _untrusted(info, "folder")
    if problem is not None:
        warnings.warn(f"lrsrules: not using the pack cache {folder}: {problem}",
                      CacheWarning, stacklevel=3)
        return None
    return folder


def _untrusted(info: os.stat_result, kind: str) -> str | None:
    """Why a folder or file with this status cannot be trusted, if it cannot."""
    wanted = stat.S_ISDIR if kind == "folder" else stat.S_ISREG
    if not wanted(info.st_mode):
        return f"it is not a {kind}"
    getuid = getattr(os, "getuid", None)  # absent on Windows, where ACLs decide
    if getuid is not None and info.st_uid != getuid():
        return "it belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "others may write to it"
    return None


def _read_entry(entry: Path) -> CompiledPack | None:
    """The pack an entry holds, if it is whole, trusted and made from the same files."""
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None  # not there yet (or not readable): prepare it
    try:
        with open(fd, "rb") as handle:
            if _untrusted(os.fstat(handle.fileno()), "file") is not None:
                return None
            data = handle.read(PACK_CACHE_BYTES + 1)
    except OSError:
        return None
    if len(data) > PACK_CACHE_BYTES or not data.startswith(_MAGIC):
        return None
    digest, _, rest = data[len(_MAGIC):].partition(b"\n")
    if _digest(rest) != digest:
        return None  # truncated or altered
    made_from, _, payload = rest.partition(b"\n")
    try:
        if not _still_the_same(json.loads(made_from)):
            return None
        compiled = pickle.loads(payload)
    except Exception:  # an entry that does not load is one to rewrite, never a crash
        return None
    return compiled if isinstance(compiled, CompiledPack) else None


def _digest(data: bytes) -> bytes:
    """What an entry's second line holds: the digest of the rest, in hex."""
    return blake2b(data, digest_size=32).hexdigest().encode()


def _write_entry(folder: Path, entry: Path, compiled: CompiledPack,
                 made_from: Iterable[str]) -> None:
    try:
        buffer = io.BytesIO()
        PackPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(compiled)
    except Exception:  # something in the pack that cannot be kept: run without an entry
        return
    rest = json.dumps(_made_from(made_from)).encode() + b"\n" + buffer.getvalue()
    if len(rest) > PACK_CACHE_BYTES - 100:
        return
    data = _MAGIC + _digest(rest) + b"\n" + rest
    temporary = folder / f".{entry.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with open(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, entry)  # atomic: a reader sees the old entry or the new one
    except OSError:
        with contextlib.suppress(OSError):  # removed by another run first
            os.unlink(temporary)
        return
    _remove_old(folder)


def _remove_old(folder: Path) -> None:
    cutoff = time.time() - _KEEP_DAYS * 86400
    try:
        with os.scandir(folder) as entries:
            for item in entries:
                if item.name.endswith((_SUFFIX, ".tmp")) and item.is_file(
                        follow_symlinks=False) and item.stat().st_mtime < cutoff:
                    with contextlib.suppress(OSError):  # removed by another run first
                        os.unlink(item.path)
    except OSError:
        return
