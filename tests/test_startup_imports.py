"""What `lrsrules validate` imports when its prepared pack comes from the cache (issue 11:
start-up is most of the time a small file takes): never what only preparing a pack, other
inputs, other reports or other commands need. Behaviour, not timing: the modules are those
in ``sys.modules`` when a real process exits (benchmarks/run.py times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lrsrules

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = ("GivenName,FamilyName,ULN,DateOfBirth,Gender,LastKnownPostCode,EmailAddress\n"
            "Ann,Smith,9999999999,2007-02-30,7,nowhere,not an address\n"
            "Bob,Jones,1000000042,2001-05-04,1,B1 1AA,bob@example.org\n")
# Run as the console script runs, writing the modules imported to argv[1] at exit.
SCRIPT = """\
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["lrsrules", *sys.argv[2:]]
from lrsrules.cli.app import main
main()
"""
# Preparing a pack (YAML, its shape, the expression parser, checker and compiler), the
# other inputs and reports, waivers, settings files, workers, the terminal layout (rich:
# never on a piped run), typer's rich help and the other commands; the rules' expression
# trees (kept packed in the entry until read: no record of a short file needs them),
# and OpenSSL (hashlib: the cache takes BLAKE2 from _blake2).
NEVER = [
    "yaml", "jsonschema", "referencing", "lark", "rich", "typer.rich_utils",
    "multiprocessing", "concurrent.futures", "gzip", "zipfile", "xml.etree.ElementTree",
    "tomllib", "tomli", "lrsrules.lang.nodes", "_hashlib",
    "lrsrules.packs.loader", "lrsrules.packs.yamlsource", "lrsrules.packs.schema",
    "lrsrules.packs.selection", "lrsrules.packs.waivers",
    "lrsrules.lang.parser", "lrsrules.lang.checker", "lrsrules.lang.compiler",
    "lrsrules.lang.codegen", "lrsrules.lang.backtracking",
    "lrsrules.inputs.jsonlines", "lrsrules.inputs.workbooks", "lrsrules.inputs.mappings",
    "lrsrules.run.parallel", "lrsrules.run.waiving",
    "lrsrules.report.terminal", "lrsrules.report.htmlpage", "lrsrules.report.junit",
    "lrsrules.report.sarif", "lrsrules.report.github",
    "lrsrules.cli.manyreport", "lrsrules.cli.batch", "lrsrules.cli.check",
    "lrsrules.cli.explain", "lrsrules.authoring", "lrsrules.batch", "lrsrules.workbench",
]


def imported(tmp_path: Path, *args: str) -> set[str]:
    """The modules a run of ``lrsrules ARGS`` (in ``tmp_path``, output piped) imports."""
    env = {**os.environ, "LRSRULES_CACHE_DIR": str(tmp_path / "cache"),
           "LRSRULES_CONFIG": "none"}
    for name in ("LRSRULES_NO_CACHE", "LRSRULES_NO_FAST_PATHS", "FORCE_COLOR"):
        env.pop(name, None)
    found = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(found), *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    return set(json.loads(found.read_text("utf-8")))


@pytest.mark.parametrize("report", [["-f", "text"], ["-f", "jsonl", "-o", "out.jsonl"]])
def test_a_cached_validate_imports_nothing_only_preparing_or_other_work_needs(
        tmp_path: Path, report: list[str]) -> None:
    (tmp_path / "learners.csv").write_text(LEARNERS, "utf-8")
    first = imported(tmp_path, "validate", "learners.csv", *report)
    assert {"yaml", "lrsrules.lang.checker"} <= first  # prepared, then cached
    assert list((tmp_path / "cache").glob("*.pack"))
    modules = imported(tmp_path, "validate", "learners.csv", *report)
    assert "lrsrules.run.cache" in modules and "lrsrules.cli.validate" in modules
    loaded = sorted(name for name in modules for never in NEVER
                    if name == never or name.startswith(never + "."))
    assert loaded == []


def test_importing_lrsrules_imports_its_api_when_a_name_is_used() -> None:
    code = ("import sys, lrsrules; print('lrsrules.api' in sys.modules); "
            "lrsrules.validate; print('lrsrules.api' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "True"]


def test_every_name_of_the_api_is_there() -> None:
    for name in lrsrules.__all__:
        assert getattr(lrsrules, name) is not None, name
    assert set(lrsrules.__all__) <= set(dir(lrsrules))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        lrsrules.nonsense  # type: ignore[attr-defined]  # noqa: B018
    namespace: dict[str, object] = {}
    exec("from lrsrules import *", namespace)
    assert set(lrsrules.__all__) <= set(namespace)
