"""Gzip-compressed inputs (``learners.csv.gz``): read as a stream, never decompressed whole.

A file is taken as gzip by its name (``.gz``, any case); what it holds is told by the name
before that (``.csv.gz``, ``.jsonl.gz``). Decompressed bytes are counted as they are read:
past ``MAX_GZIP_RATIO`` times the compressed file's size (once past ``GZIP_RATIO_FROM``
bytes), the file is an ``InputError``, so a gzip bomb costs bounded time, not hours of
blank lines. A damaged or cut-short stream is an ``InputError`` too, never a traceback.
"""

from __future__ import annotations

import io
import os
import zlib
from typing import IO, Any

from lrsrules.errors import InputError, Location
from lrsrules.limits import GZIP_RATIO_FROM, MAX_GZIP_RATIO

GZIP_SUFFIX = ".gz"


def is_gzip(name: str) -> bool:
    return name.lower().endswith(GZIP_SUFFIX)


def inner_suffix(name: str) -> str:
    """The extension that says what a file holds: ``.csv`` for ``a.csv`` and ``a.CSV.gz``."""
    if is_gzip(name):
        name = name[: -len(GZIP_SUFFIX)]
    return os.path.splitext(name)[1].lower()


class _BoundedGzip(io.RawIOBase):
    """The decompressed bytes of a gzip file, bounded by ``MAX_GZIP_RATIO``."""

    def __init__(self, raw: IO[bytes], name: str, stored: int) -> None:
        import gzip  # imported for a gzip file only: start-up is most of a small run

        super().__init__()
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._name = name
        self._most = max(GZIP_RATIO_FROM, MAX_GZIP_RATIO * stored)
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            count = self._gzip.readinto(buffer)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            raise damaged(self._name, exc) from None
        self._read += count
        if self._read > self._most:
            raise InputError(
                f"the file expands to more than {MAX_GZIP_RATIO} times its compressed size "
                "(the most a gzip file may)", Location(self._name),
                hint="a file of learners never compresses this well: check the file")
        return count

    def close(self) -> None:
        if not self.closed:
            try:
                self._gzip.close()
            finally:
                self._raw.close()
        super().close()


def damaged(name: str, exc: BaseException) -> InputError:
    what = ("it ends before the compressed data does" if isinstance(exc, EOFError)
            else "it is not a valid gzip file")
    return InputError(f"cannot decompress the file: {what}", Location(name),
                      hint="compress it again (gzip FILE), or give the file uncompressed")


def open_gzip(name: str) -> IO[bytes]:
    """``name`` opened as its decompressed bytes (buffered), bounded as the module says.

    Raises ``InputError`` when it cannot be opened; a damaged stream is one as it is read.
    """
    location = Location(name)
    try:
        raw = open(name, "rb")  # noqa: SIM115 (closed with the stream)
    except IsADirectoryError:
        raise InputError("this is a directory, not a file", location) from None
    except FileNotFoundError:
        raise InputError("file not found", location) from None
    except PermissionError:
        raise InputError("permission denied: cannot read the file", location) from None
    except OSError as exc:
        raise InputError(f"cannot open the file: {exc.strerror}", location) from None
    try:
        stored = os.fstat(raw.fileno()).st_size
        return io.BufferedReader(_BoundedGzip(raw, name, stored), 1 << 16)
    except BaseException:
        raw.close()
        raise
