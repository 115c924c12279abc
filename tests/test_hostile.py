"""The hostile-input catalogue (tests/hostile/*.yaml): careless or hostile packs, waiver
files, inputs and output paths, each run as a user runs it, in a process of its own.

Every case must end within 30 s and 1 GiB with its expected exit code and message, and
never print "internal error", a traceback, a known personal value (``generate.PERSONAL``)
or the content of a file outside the pack's folder (``generate.SECRET``). Large inputs are
generated into the case's folder (``generate.MAKERS``). ``pytest -k CASE_ID`` runs one.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from generate import MAKERS, PERSONAL, SECRET

CATALOGUE = Path(__file__).parent / "hostile"
ROOT = Path(__file__).resolve().parent.parent
SECONDS = 30
MEMORY = 1 << 30  # bytes of resident memory a case may use
KINDS = ("hang", "crash", "leak", "lost", "silent", "memory")
NEVER = ("internal error", "Traceback", SECRET, *PERSONAL)


def _cases() -> list[Any]:
    cases = []
    for path in sorted(CATALOGUE.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")):
            cases.append(pytest.param(case, id=case["id"]))
    return cases


CASES = _cases()


def _lrsrules() -> str:
    found = Path(sys.executable).parent / "lrsrules"
    return str(found) if found.exists() else shutil.which("lrsrules") or "lrsrules"


def _lay_out(case: dict[str, Any], folder: Path) -> None:
    for name, text in (case.get("files") or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{ROOT}", str(ROOT)), "utf-8")
    for spec in case.get("generate") or []:
        options = dict(spec)
        path = folder / options.pop("file")
        path.parent.mkdir(parents=True, exist_ok=True)
        MAKERS[options.pop("make")](path, **options)
    for link, target in (case.get("links") or {}).items():
        (folder / link).symlink_to(target.replace("{ROOT}", str(ROOT)))
    for name, mode in (case.get("modes") or {}).items():
        (folder / name).chmod(int(str(mode), 8))


def _run(args: list[str], folder: Path, stdin: str | None,
         extra_env: dict[str, str] | None = None) -> tuple[int, str, str, float, int]:
    # A case's own variables may name its folder as {HERE} (a cache folder inside it).
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1",
           **{name: str(value).replace("{HERE}", str(folder))
              for name, value in (extra_env or {}).items()}}
    env.pop("LRSRULES_DEBUG", None)
    start = time.monotonic()
    with subprocess.Popen([_lrsrules(), *args], cwd=folder, env=env, text=True,
                          stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            out, err = process.communicate(stdin, timeout=SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"still running after {SECONDS} s\n{err[-2000:]}")
        # The child's own peak memory, read before Popen reaps it.
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return process.returncode, out, err, time.monotonic() - start, usage.ru_maxrss * 1024


@pytest.mark.parametrize("case", CASES)
def test_hostile_case(case: dict[str, Any], tmp_path: Path) -> None:
    assert case["kind"] in KINDS, case["kind"]
    _lay_out(case, tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()
              and p.stat().st_size < (1 << 20)}
    args = [str(a).replace("{ROOT}", str(ROOT)) for a in case["run"]]
    code, out, err, _seconds, memory = _run(args, tmp_path,
                                           case.get("stdin"), case.get("env"))
    said = out + err
    assert code == case["exit"], f"exit {code}, expected {case['exit']}\n{said[-3000:]}"
    for text in case.get("says") or []:
        assert text in said, f"{text!r} not in output:\n{said[-3000:]}"
    allowed = set(case.get("shows") or [])  # values a case shows on purpose (--show-values)
    for text in (*NEVER, *(case.get("never") or [])):
        if text not in allowed:
            assert text not in said, f"{text!r} printed:\n{said[-3000:]}"
    assert memory < MEMORY, f"peak memory {memory >> 20} MiB"
    for name in case.get("creates_none") or []:  # what a hostile file tried to make happen
        assert not (tmp_path / name).exists(), f"{name} was created"
    for path, content in before.items():  # input files are never modified
        if not any(path.match(name) for name in case.get("writes") or []):  # names or globs
            assert path.read_bytes() == content, f"{path.name} was modified"


def test_the_catalogue_covers_every_kind_with_enough_cases() -> None:
    kinds = [param.values[0]["kind"] for param in CASES]
    ids = [param.values[0]["id"] for param in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(CASES) >= 80
    for kind in KINDS:
        assert kinds.count(kind) >= 3, kind
