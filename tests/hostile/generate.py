"""Large hostile inputs for the catalogue, made at test time (never committed).

Each function writes one file and is named in a case's ``generate`` list as ``make``, with
its other keys as arguments. The personal values are the catalogue's known ones
(``PERSONAL``), so a case can assert that none of them is ever printed.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable
from pathlib import Path

# Known personal values: every fixture learner is made of these, and no output may show
# one unless the case asks for --show-values.
PERSONAL = ("Zebedee", "Quantock", "9876543210", "ZQ9 9ZZ", "zebedee.quantock@example.org",
            "1987-06-05")
SECRET = "SECRET-OUTSIDE-THE-PACK"  # the content of files outside a pack's folder

LEARNER_HEADINGS = "GivenName,FamilyName,ULN,DateOfBirth,LastKnownPostCode,EmailAddress"
LEARNER = "Zebedee,Quantock,9876543210,1987-06-05,ZQ9 9ZZ,zebedee.quantock@example.org"
PACK_HEAD = "pack: hostile\nversion: 1.0.0\nfields:\n  code: {aliases: [Code]}\nrules:\n"


def learners(path: Path, rows: int = 1000, quote_at: int | None = None) -> None:
    """A CSV of ``rows`` learners; ``quote_at`` opens a quote that is never closed."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(LEARNER_HEADINGS + "\n")
        for row in range(1, rows + 1):
            out.write(('"' if row == quote_at else "") + LEARNER + "\n")


def utf16_learners(path: Path) -> None:
    """Learners saved as UTF-16 (with its byte order mark), as some Windows tools do."""
    path.write_text(f"{LEARNER_HEADINGS}\n{LEARNER}\n", "utf-16")


def long_line(path: Path, size: int, header: bool = True) -> None:
    """A file whose last line has ``size`` characters and no newline."""
    with path.open("w", encoding="utf-8") as out:
        if header:
            out.write(LEARNER_HEADINGS + "\n")
        chunk = "Q" * (1 << 20)
        for _ in range(size >> 20):
            out.write(chunk)


def big_cell(path: Path, size: int) -> None:
    """One learner whose family name is ``size`` characters long."""
    path.write_text(f"{LEARNER_HEADINGS}\nZebedee,{'Q' * size},9876543210,1987-06-05,,\n",
                    "utf-8")


def big_json_value(path: Path, size: int) -> None:
    """A JSON Lines record whose family name is ``size`` characters long."""
    path.write_text('{"GivenName": "Zebedee", "FamilyName": "' + "Q" * size + '"}\n', "utf-8")


def deep_json(path: Path, depth: int) -> None:
    """A JSON Lines record whose ULN holds arrays nested ``depth`` deep."""
    path.write_text('{"GivenName": "Zebedee", "ULN": ' + "[" * depth + "]" * depth + "}\n",
                    "utf-8")


def big_literal_pack(path: Path, size: int) -> None:
    """A pack whose check compares with a string literal of ``size`` characters."""
    path.write_text(PACK_HEAD + "  - {id: H.BIG.01, field: code, severity: error, message: m,\n"
                    f"     check: \"code != '{'x' * size}'\"}}\n", "utf-8")


def chain_pack(path: Path, terms: int, op: str = "or", deep: bool = False) -> None:
    """A pack with one check of ``terms`` comparisons joined by ``op`` (flat, or each one
    in its own pair of brackets when ``deep``)."""
    parts = [f"code == '{n}'" for n in range(terms)]
    if deep:
        text = parts[0]
        for part in parts[1:]:
            text = f"({text} {op} {part})"
    else:
        text = f" {op} ".join(parts)
    path.write_text(PACK_HEAD + "  - id: H.CHAIN.01\n    field: code\n    severity: error\n"
                    "    message: not a known code\n    check: >-\n      " + text + "\n", "utf-8")


def nested_pack(path: Path, depth: int, opening: str = "not ", closing: str = "") -> None:
    """A pack whose check nests ``depth`` times: ``not not ... code == '1'`` by default."""
    text = opening * depth + "code == '1'" + closing * depth
    path.write_text(PACK_HEAD + "  - id: H.DEEP.01\n    field: code\n    severity: error\n"
                    "    message: m\n    check: >-\n      " + text + "\n", "utf-8")


def plus_chain_pack(path: Path, terms: int) -> None:
    text = " + ".join(["len(code)"] * terms) + " > 0"
    path.write_text(PACK_HEAD + "  - id: H.PLUS.01\n    field: code\n    severity: error\n"
                    "    message: m\n    check: >-\n      " + text + "\n", "utf-8")


def big_integer_pack(path: Path, digits: int) -> None:
    path.write_text(PACK_HEAD + "  - id: H.INT.01\n    field: code\n    severity: error\n"
                    f"    message: m\n    check: len(code) < {'9' * digits}\n", "utf-8")


def many_rules_pack(path: Path, rules: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(PACK_HEAD)
        for n in range(rules):
            out.write(f"  - {{id: H.R.{n:05d}, field: code, severity: error, message: m,"
                      f" check: \"code != '{n}'\"}}\n")


def big_list_pack(path: Path, entries: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("pack: hostile\nversion: 1.0.0\nfields:\n  code: {aliases: [Code]}\n"
                  "lists:\n  words:\n")
        for n in range(entries):
            out.write(f"    - w{n}\n")
        out.write("rules:\n  - {id: H.L.01, field: code, severity: error, message: m,"
                  " check: code in @words}\n")


def deep_flow_yaml(path: Path, depth: int) -> None:
    path.write_text("pack: hostile\nversion: 1.0.0\nfields: {code: {}}\nrules: []\nx: "
                    + "[" * depth + "]" * depth + "\n", "utf-8")


def alias_bomb_yaml(path: Path, levels: int = 9) -> None:
    """The 'billion laughs' of YAML: each level lists the one before ten times."""
    lines = ["pack: hostile", "version: 1.0.0", "fields: {code: {}}", "rules: []",
             "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels + 1):
        before = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([before] * 10)}]")
    path.write_text("\n".join(lines) + "\n", "utf-8")


def zip_bomb_xlsx(path: Path, megabytes: int) -> None:
    """An .xlsx whose sheet decompresses to ``megabytes`` MiB of blank space."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns='
                      '"http://schemas.openxmlformats.org/package/2006/content-types"/>')
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                sheet.write(block)


def shared_strings_xlsx(path: Path, count: int) -> None:
    """A workbook of one learner whose shared-strings table holds ``count`` strings."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    cells = ["GivenName", "FamilyName", "Zebedee", "Quantock"]
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{2 * r - 2}</v></c>'
                   f'<c r="B{r}" t="s"><v>{2 * r - 1}</v></c></row>' for r in (1, 2))
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{kinds}.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            f'sheet1.xml" ContentType="{kinds}.worksheet+xml"/><Override PartName="/xl/'
            f'sharedStrings.xml" ContentType="{kinds}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="r1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet '
            'name="Learners" sheetId="1" r:id="r1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="r1" Type="{rel}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="r2" Type="{rel}/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>{rows}</sheetData>'
            "</worksheet>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
        with book.open("xl/sharedStrings.xml", "w") as table:
            table.write(f'<?xml version="1.0"?><sst xmlns="{main}" count="{count}" '
                        f'uniqueCount="{count}">'.encode())
            table.write("".join(f"<si><t>{text}</t></si>" for text in cells).encode())
            for start in range(len(cells), count, 10_000):
                table.write("".join(f"<si><t>s{n}</t></si>"
                                    for n in range(start, min(count, start + 10_000))).encode())
            table.write(b"</sst>")


def big_xml_attribute(path: Path, megabytes: int) -> None:
    """An LRB XML batch file whose first learner element carries a huge attribute."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<LRBBatch><Header><FileVersion>2A'
                  "</FileVersion></Header><Learners><Learner junk=\"")
        block = "Q" * (1 << 20)
        for _ in range(megabytes):
            out.write(block)
        out.write('"><ULN>9876543210</ULN></Learner></Learners></LRBBatch>\n')


def gzip_bomb(path: Path, megabytes: int) -> None:
    """A gzip file of a learner, then ``megabytes`` MiB of blank lines (spaces): it
    compresses about a thousand times, each line cheap to read and skip."""
    blank = b" " * 63 + b"\n"
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(f"{LEARNER_HEADINGS}\n{LEARNER}\n".encode())
        block = blank * ((1 << 20) // len(blank))
        for _ in range(megabytes):
            out.write(block)
class _Poison:
    """Unpickled, it creates the file ``pwned`` in the working folder: a cache entry that
    runs code when it is trusted."""

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, ("pwned", "w"))


def pack_cache_entry(path: Path, kind: str, mode: int = 0o600) -> None:
    """The prepared-pack cache folder ``path`` holding the entry ``lrsrules validate``
    (default pack, run in ``path``'s parent folder) looks for, made ``kind``: garbage,
    truncated, poisoned (a whole entry, its digest right, whose pickle runs code) or a
    symbolic link to a poisoned entry. The entry gets ``mode``."""
    import contextlib
    import hashlib
    import os
    import pickle

    import lrsrules
    from lrsrules.run import cache

    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    before = os.getcwd()
    saved = os.environ.get("LRSRULES_CACHE_DIR")
    os.environ["LRSRULES_CACHE_DIR"] = str(path)
    try:
        os.chdir(path.parent)
        lrsrules.load_pack(cache=True)  # the genuine entry, under the name a run looks for
    finally:
        os.chdir(before)
        if saved is None:
            del os.environ["LRSRULES_CACHE_DIR"]
        else:
            os.environ["LRSRULES_CACHE_DIR"] = saved
    (entry,) = path.glob("*.pack")
    data = entry.read_bytes()
    if kind == "garbage":
        data = os.urandom(len(data))
    elif kind == "truncated":
        data = data[: len(data) // 2]
    else:
        head, rest = data[len(cache._MAGIC):].split(b"\n", 1)[1].split(b"\n", 1)
        rest = head + b"\n" + pickle.dumps(_Poison())
        data = cache._MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest
    if kind == "symlink":
        elsewhere = path.parent / "elsewhere.pack"
        elsewhere.write_bytes(data)
        entry.unlink()
        entry.symlink_to(elsewhere)
        return
    with contextlib.suppress(FileNotFoundError):
        entry.unlink()
    entry.write_bytes(data)
    entry.chmod(mode)


MAKERS: dict[str, Callable[..., None]] = {
    "learners": learners, "utf16_learners": utf16_learners, "long_line": long_line,
    "big_cell": big_cell, "big_json_value": big_json_value, "deep_json": deep_json,
    "big_literal_pack": big_literal_pack, "chain_pack": chain_pack,
    "nested_pack": nested_pack, "plus_chain_pack": plus_chain_pack,
    "big_integer_pack": big_integer_pack, "many_rules_pack": many_rules_pack,
    "big_list_pack": big_list_pack, "deep_flow_yaml": deep_flow_yaml,
    "alias_bomb_yaml": alias_bomb_yaml, "zip_bomb_xlsx": zip_bomb_xlsx,
    "shared_strings_xlsx": shared_strings_xlsx, "big_xml_attribute": big_xml_attribute,
    "gzip_bomb": gzip_bomb,
    "pack_cache_entry": pack_cache_entry,
}
