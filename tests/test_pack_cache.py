"""The prepared-pack cache (lrsrules.run.cache): same findings, never stale, never trusted
when someone else could have written it, safe under concurrent runs."""

from __future__ import annotations

import io
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrsrules
from lrsrules.cli.app import app
from lrsrules.run import cache
from lrsrules.run.packpickle import PackPickler

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = ("GivenName,FamilyName,ULN,DateOfBirth,Gender,LastKnownPostCode,EmailAddress\n"
            "Ann,Smith,9999999999,2007-02-30,7,nowhere,not an address\n"
            "Bob,Jones,1000000042,2001-05-04,1,B1 1AA,bob@example.org\n")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("LRSRULES_CACHE_DIR", str(where))
    monkeypatch.delenv("LRSRULES_NO_CACHE", raising=False)
    return where


@pytest.fixture
def learners(tmp_path: Path) -> Path:
    path = tmp_path / "learners.csv"
    path.write_text(LEARNERS, "utf-8")
    return path


@pytest.fixture
def own_pack(tmp_path: Path) -> Path:
    """A pack with a list file, copied where a test may edit it."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "codes.txt").write_text("0\n1\n2\n9\n", "utf-8")
    (pack / "mine.yaml").write_text(
        "pack: mine\nversion: 1.0.0\nfields:\n  gender: {aliases: [Gender]}\n"
        "lists:\n  codes: {file: codes.txt}\nrules:\n"
        "  - {id: M.G.01, field: gender, severity: error, check: 'gender in @codes',"
        " message: Gender code unknown}\n", "utf-8")
    return pack / "mine.yaml"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pack"))


def findings(source: Path, pack: lrsrules.CompiledPack) -> list[dict[str, object]]:
    return [finding.to_dict() for finding in lrsrules.validate(source, pack)]


def test_a_pack_read_from_the_cache_finds_exactly_what_a_prepared_one_finds(
        folder: Path, learners: Path) -> None:
    fresh = lrsrules.load_pack()
    made = lrsrules.load_pack(cache=True)
    (entry,) = entries(folder)
    stored = entry.read_bytes()
    read = lrsrules.load_pack(cache=True)
    assert entry.read_bytes() == stored  # read, not prepared again
    assert read is not made and read.source == fresh.source
    assert findings(learners, read) == findings(learners, fresh) != []
    assert [t.rule.id for t in read.targets] == [t.rule.id for t in fresh.targets]
    assert len(read.cross) == len(fresh.cross)
    # The remembered groups of the check function are made again, in its own namespace.
    namespace = read.check.__globals__
    lookup = namespace["_G0"]
    assert lookup.__self__._namespace is namespace
    assert lookup.__self__.function is namespace["_g0"]


def test_a_checked_expression_read_back_still_knows_its_nodes(folder: Path) -> None:
    lrsrules.load_pack(cache=True)
    read = lrsrules.load_pack(cache=True)
    for target in read.targets:
        checked = target.code.check
        assert checked.typed(checked.root).type  # keyed by the node, not a stale id


def test_a_checked_expression_read_back_is_unpacked_when_first_read(folder: Path) -> None:
    fresh = lrsrules.load_pack()
    lrsrules.load_pack(cache=True)
    read = lrsrules.load_pack(cache=True)
    assert read.required_fields() == fresh.required_fields() != {}  # kept: no tree read
    checked = read.targets[0].code.check
    assert "root" not in vars(checked) and "_unpack" in vars(checked)
    assert checked.source == fresh.targets[0].code.check.source  # not packed
    original = fresh.targets[0].code.check
    assert checked.root == original.root  # its tree, types and regexes, read now
    assert checked.typed(checked.root) == original.typed(original.root)
    assert len(checked.types) == len(original.types)
    assert "_unpack" not in vars(checked) and "root" in vars(checked)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        checked.nothing  # noqa: B018 (the attribute is the test)


@pytest.mark.parametrize("pattern", [r"[\w' -]+", r"(?P<area>[A-Z]{1,2})[0-9]+", r"(?i)mrs?\.? .+",
                                     r"[^\W\d_][\w'’.-]*"])
def test_a_python_regex_is_read_back_the_same_from_its_compiled_code(pattern: str) -> None:
    compiled = re.compile(pattern)
    buffer = io.BytesIO()
    PackPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump([compiled])
    assert b"_python_regex" in buffer.getvalue()  # not compiled again on load
    (read,) = pickle.loads(buffer.getvalue())
    assert read == compiled and read.groupindex == compiled.groupindex
    for text in ("Mrs. Ann O'Neill", "AB12", "x", ""):
        found, wanted = read.fullmatch(text), compiled.fullmatch(text)
        assert (found and found.span()) == (wanted and wanted.span())


def test_editing_the_pack_or_its_list_file_is_seen(folder: Path, own_pack: Path,
                                                   learners: Path) -> None:
    assert len(findings(learners, lrsrules.load_pack(own_pack, cache=True))) == 1
    (own_pack.parent / "codes.txt").write_text("0\n1\n2\n9\n7\n", "utf-8")
    assert findings(learners, lrsrules.load_pack(own_pack, cache=True)) == []
    own_pack.write_text(own_pack.read_text("utf-8").replace("Gender code unknown", "Bad"),
                        "utf-8")
    compiled = lrsrules.load_pack(own_pack, cache=True)
    assert [rule.message for rule in compiled.pack.rules] == ["Bad"]


def test_a_new_version_beside_the_pack_is_seen(folder: Path, own_pack: Path) -> None:
    assert lrsrules.load_pack(own_pack.parent, cache=True).pack.version == "1.0.0"
    newer = own_pack.read_text("utf-8").replace("version: 1.0.0", "version: 1.1.0")
    (own_pack.parent / "mine-1.1.yaml").write_text(newer, "utf-8")
    assert lrsrules.load_pack(own_pack.parent, cache=True).pack.version == "1.1.0"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "digest"])
def test_a_damaged_entry_is_ignored_and_written_again(folder: Path, learners: Path,
                                                      damage: str) -> None:
    lrsrules.load_pack(cache=True)
    (entry,) = entries(folder)
    good = entry.read_bytes()
    bad = {"garbage": os.urandom(len(good)), "truncated": good[: len(good) // 3],
           "empty": b"", "digest": good[:-1] + bytes([good[-1] ^ 1])}[damage]
    entry.write_bytes(bad)
    read = lrsrules.load_pack(cache=True)
    assert findings(learners, read) == findings(learners, lrsrules.load_pack())
    assert entry.read_bytes().startswith(cache._MAGIC) and len(entry.read_bytes()) > 1000


def test_the_folder_is_made_the_users_own(folder: Path) -> None:
    lrsrules.load_pack(cache=True)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (entry,) = entries(folder)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_a_folder_others_may_write_to_is_not_used(folder: Path) -> None:
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.warns(cache.CacheWarning, match="others may write to it"):
        lrsrules.load_pack(cache=True)
    assert entries(folder) == []


def test_an_entry_others_may_write_to_is_not_read(folder: Path) -> None:
    lrsrules.load_pack(cache=True)
    (entry,) = entries(folder)
    entry.chmod(0o666)
    assert cache._read_entry(entry) is None
    entry.chmod(0o600)
    assert cache._read_entry(entry) is not None


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="giving a file to another user takes root")
def test_an_entry_of_another_user_is_not_read(folder: Path) -> None:
    lrsrules.load_pack(cache=True)
    (entry,) = entries(folder)
    os.chown(entry, 65534, 65534)
    assert cache._read_entry(entry) is None


def test_no_cache_and_the_variable_leave_the_folder_alone(
        folder: Path, learners: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(learners), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert not folder.exists()
    monkeypatch.setenv("LRSRULES_NO_CACHE", "1")
    result = runner.invoke(app, ["validate", str(learners)])
    assert result.exit_code == 1, result.output
    assert not folder.exists()
    monkeypatch.delenv("LRSRULES_NO_CACHE")
    result = runner.invoke(app, ["validate", str(learners)])
    assert result.exit_code == 1, result.output
    assert len(entries(folder)) == 1


def test_batch_check_takes_no_cache_too(folder: Path, tmp_path: Path) -> None:
    sample = ROOT / "examples" / "LRB_10012345_290920261030.CSV"
    copy = tmp_path / sample.name
    shutil.copy(sample, copy)
    result = CliRunner().invoke(app, ["batch", "check", str(copy), "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    assert not folder.exists()


def test_two_runs_at_once_on_an_empty_cache_agree(folder: Path, learners: Path,
                                                   tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from lrsrules.cli.app import main; main()",
               "validate", str(learners), "-f", "jsonl"]
    env = {**os.environ, "LRSRULES_CACHE_DIR": str(folder)}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            for _ in range(3)]
    results = [(run.wait(60), run.stdout.read(), run.stderr.read())  # type: ignore[union-attr]
               for run in runs]
    assert {code for code, _, _ in results} == {1}, results
    assert len({out for _, out, _ in results}) == 1 and results[0][1]
    assert [err for _, _, err in results] == [b""] * 3
    (entry,) = entries(folder)
    assert cache._read_entry(entry) is not None
    assert list(folder.glob(".*.tmp")) == []


def test_an_entry_is_kept_per_day_of_the_rules_in_force(folder: Path) -> None:
    lrsrules.load_pack(cache=True)
    lrsrules.load_pack(as_of="2024-01-01", cache=True)
    assert len(entries(folder)) == 2


def test_threads_reading_one_packed_expression_see_one_tree(folder: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from lrsrules.lang.checked import CheckedExpr

    lrsrules.load_pack(cache=True)
    read = lrsrules.load_pack(cache=True)
    expressions = [target.code.check for target in read.targets]
    assert all("_unpack" in vars(checked) for checked in expressions)

    def typed(checked: CheckedExpr) -> str:
        return checked.typed(checked.root).type

    with ThreadPoolExecutor(8) as pool:
        types = list(pool.map(typed, expressions * 8))  # each read by several at once
    assert types == [typed(checked) for checked in expressions] * 8
    assert not any("_unpack" in vars(checked) for checked in expressions)
