"""Reading batch files as streams: rows read as they are asked for, memory flat, and what
would stop a file part-way (a byte that does not decode, malformed XML) found first."""

from __future__ import annotations

import codecs
import datetime as dt
import inspect
import tracemalloc
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from batchfiles import (
    GOOD_NAME,
    HEADER,
    HEADINGS,
    LRB,
    batch_rows,
    csv_text,
    header_values,
    learner,
)

from lrsrules.batch import reader as batchread
from lrsrules.batch.check import open_batch
from lrsrules.batch.reader import read_batch
from lrsrules.errors import InputError
from lrsrules.packs.discovery import find_pack
from lrsrules.packs.loader import load_pack
from lrsrules.run.pipeline import Run
from lrsrules.run.program import CompiledPack, compile_pack

XML_NAME = "LRB_10012345_290920261030.XML"


@cache
def compiled() -> CompiledPack:
    path = find_pack(LRB.pack, base_dir=LRB.pack_base)
    return compile_pack(load_pack(path), today=dt.date(2026, 11, 29))


def xml_text(rows: list[list[str]], *, header: str = "") -> str:
    """An XML batch of ``rows`` (learners in heading order), ``header`` where it goes."""
    header = header or "<Header>" + "".join(
        f"<{h}>{v}</{h}>" for h, v in zip(HEADER, header_values(len(rows)), strict=True)
    ) + "</Header>"
    learners = "".join("<Learner>" + "".join(f"<{h}>{escape(v)}</{h}>" for h, v in
                                             zip(HEADINGS, row, strict=True)) + "</Learner>\n"
                       for row in rows)
    return f"<LRBBatch>{header}\n<Learners>\n{learners}</Learners></LRBBatch>\n"


# --- streaming ------------------------------------------------------------------------------

def test_learner_rows_are_read_as_they_are_asked_for(tmp_path: Path) -> None:
    path = tmp_path / GOOD_NAME
    path.write_text(csv_text(batch_rows(learner(), learner())), "utf-8")
    parts = read_batch(path, LRB)
    assert inspect.isgenerator(parts.records)
    assert next(parts.records).line == 2
    parts.close()
    assert inspect.getgeneratorstate(parts.records) == inspect.GEN_CLOSED


@pytest.mark.parametrize("name", [GOOD_NAME, XML_NAME])
def test_memory_stays_flat_however_many_learners(tmp_path: Path, name: str) -> None:
    count = 600
    rows = [learner(MISIdentifier=f"MIS{n}", Gender="7", Notes="z" * 4000) for n in range(count)]
    path = tmp_path / name
    if name == XML_NAME:
        path.write_text(xml_text(rows), "utf-8")
    else:
        path.write_text(csv_text(batch_rows(*rows)), "utf-8")
    del rows
    assert path.stat().st_size > 2_000_000
    pack = compiled()
    tracemalloc.start()
    try:
        with Run(pack, open_batch(path, LRB).as_source) as run:
            found = sum(1 for _ in run)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (run.summary.records, found) == (count, count)  # CDD.GENDER.01 on each
    assert peak < 1_000_000, f"peak {peak} bytes checking a {path.stat().st_size}-byte file"


# --- what would stop the file part-way is found first ---------------------------------------

def _good() -> bytes:
    return csv_text(batch_rows(learner(GivenName="Zoë"))).encode()


@pytest.mark.parametrize(("content", "encoding", "where", "byte"), [
    (_good() + "Zoë,x\r\n".encode("cp1252"), None, ":3:3:", "0xeb"),
    (codecs.BOM_UTF8 + _good().replace(b"Testname", b"Te\xffstname"), None, ":2:43:", "0xff"),
    (_good() + "Zoë".encode()[:-1], None, ":3:3:", "0xc3"),  # cut short by the end
    ("a,b\r\n".encode("utf-16-le") + b"\x00\xdcb\x00", "utf-16-le", ":2:2:", "0x00"),
    (b"a,b\r\n" + b"\x81" * 3, "cp1252", ":2:1:", "0x81"),
])
def test_a_byte_that_does_not_decode_stops_the_file_before_any_row(
        tmp_path: Path, content: bytes, encoding: str | None, where: str, byte: str) -> None:
    path = tmp_path / GOOD_NAME
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_batch(path, LRB, encoding=encoding)
    assert where in str(caught.value) and f"byte {byte} is not valid" in str(caught.value)


@pytest.mark.parametrize("block", [1, 2, 3, 7])
def test_a_bad_byte_is_placed_alike_whatever_the_block_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    path = tmp_path / GOOD_NAME
    path.write_bytes(codecs.BOM_UTF8 + "aé,b\r\ncé,".encode() + b"\xfe")
    monkeypatch.setattr(batchread, "BLOCK", block)
    with pytest.raises(InputError) as caught:
        read_batch(path, LRB)
    assert ":2:5:" in str(caught.value) and "byte 0xfe" in str(caught.value)


def test_malformed_xml_at_the_end_stops_the_file_before_any_row(tmp_path: Path) -> None:
    path = tmp_path / XML_NAME
    path.write_text(xml_text([learner()] * 3)[:-10], "utf-8")
    with pytest.raises(InputError, match=r":6:.*no element found|:6:.*unclosed"):
        read_batch(path, LRB)


# --- XML read in blocks ---------------------------------------------------------------------

def _parts(path: Path) -> tuple[object, ...]:
    parts = read_batch(path, LRB)
    return (parts.leading, parts.headings, parts.heading_line,
            [(row.line, row.cells, row.issue) for row in parts.records])


def test_xml_reads_the_same_whatever_the_block_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd = learner(Gender="7")
    rows = [learner(), odd, learner(GivenName="Ann")]
    text = xml_text(rows).replace("<LRBBatch>", '<LRBBatch xmlns="urn:lrb">')
    text = text.replace("<GivenName>Ann</GivenName>",
                        "<GivenName>A<b>n</b><![CDATA[n&]]><!-- no --></GivenName>")
    text = text.replace("<Notes></Notes></Learner>", "</Learner>", 1)  # the first learner
    path = tmp_path / XML_NAME
    path.write_text(text, "utf-8")
    whole = _parts(path)
    monkeypatch.setattr(batchread, "BLOCK", 5)
    assert _parts(path) == whole
    *_, rows_read = whole
    assert isinstance(rows_read, list)
    assert [issue for _, _, issue in rows_read] == [None, "elements differ", "elements differ"]
    assert rows_read[2][1][len(HEADER) + HEADINGS.index("GivenName")] == "Ann&"


def test_an_xml_header_after_the_learners_is_reported_before_them(tmp_path: Path) -> None:
    header = "<Header><FileVersion>2B</FileVersion><FileName>R</FileName>" \
             "<UKPRN>10012345</UKPRN><LearnerRecordCount>1</LearnerRecordCount></Header>"
    text = xml_text([learner(Gender="7")], header=" ").replace(
        "</Learners>", "</Learners>" + header)
    path = tmp_path / XML_NAME
    path.write_text(text, "utf-8")
    batch = open_batch(path, LRB, now=dt.datetime(2026, 11, 29))
    found = [(f.rule, f.record) for f in Run(compiled(), batch.as_source)]
    assert found == [("BATCH.HEADER.10", None), ("CDD.GENDER.01", 1)]
