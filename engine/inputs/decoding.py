"""What to say when a file's bytes do not decode: where, as what, and the likely cause.

Shared by the record readers and the batch file reader. They differ only in their advice
for an Excel workbook, which the batch reader can read when it has its proper name.
"""

from __future__ import annotations

import codecs

from lrsrules.errors import InputError, Location

DEFAULT_ENCODING = "utf-8-sig"  # UTF-8, with or without the BOM Excel writes

_NOT_FOR_FILES = frozenset({"idna", "punycode", "undefined"})
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip) and .xls (OLE2)


def decode_hint(start: bytes, codec: str, workbook: str) -> str:
    """The likely cause, judged from the file's first bytes and the codec that failed.

    ``workbook`` is the advice given when the file looks like an Excel workbook.
    """
    if start.startswith(_UTF16_BOMS):
        return "the file starts with a UTF-16 byte order mark; try --encoding utf-16"
    if start.startswith(_WORKBOOKS):
        return f"this looks like an Excel workbook: {workbook}"
    if _shown(codec) == "utf-8":
        return "the file may be in a Windows encoding: try --encoding cp1252"
    return "check the file's encoding and give it with --encoding"


def decode_error(
    name: str,
    codec: str,
    start: bytes,
    bad: bytes,
    line: int | None,
    column: int | None,
    *,
    workbook: str,
) -> InputError:
    """The error for file ``name`` failing to decode with ``codec``.

    ``start`` is the file's first bytes and ``bad`` the byte at fault (empty when unknown);
    the message names the byte, never the text around it.
    """
    detail = f": byte 0x{bad.hex()} is not valid here" if bad else ""
    return InputError(
        f"cannot decode the file as {_shown(codec)}{detail}",
        Location(name, line, column),
        hint=decode_hint(start, codec, workbook),
    )


def _shown(codec: str) -> str:
    return "utf-8" if codec == DEFAULT_ENCODING else codec


def codec_for(given: str | None, name: str) -> str:
    """The codec to read ``name`` with: ``given`` (``--encoding``), else UTF-8 with or
    without a BOM; an unknown codec name is an ``InputError``."""
    if given is None:
        return DEFAULT_ENCODING
    try:
        info = codecs.lookup(given)
    except LookupError:
        raise InputError(f"unknown encoding {given!r}", Location(name),
                         hint="use a Python codec name such as utf-8, cp1252 or latin-1") from None
    codec = info.name
    # Codecs to bytes (base64, rot13, zlib ...) are not text encodings; idna and punycode
    # read domain names, not files, and undefined reads nothing.
    if not getattr(info, "_is_text_encoding", True) or codec in _NOT_FOR_FILES:
        raise InputError(f"unusable encoding {given!r}: it does not read a file as text",
                         Location(name), hint="use a text encoding such as utf-8, cp1252 or "
                         "latin-1") from None
    # A BOM is never data, so plain UTF-8 also drops one.
    return DEFAULT_ENCODING if codec == "utf-8" else codec
