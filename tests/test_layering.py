"""The import contracts (.ci/layering, import-linter): kept by the tree, broken by a bad import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the .ci scripts are bash")


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # lint-imports lives beside the interpreter, which need not be on PATH; its report is
    # wrapped to the terminal's width, so the width is set wide enough for whole lines.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(command, cwd=cwd, env={**os.environ, "PATH": path, "COLUMNS": "200"},
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_tree_keeps_every_import_contract() -> None:
    result = run([str(ROOT / ".ci" / "layering")], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_base_module_importing_the_cli_breaks_the_layers(tmp_path: Path) -> None:
    # The package laid out as the check lays it out, with lrsrules.findings a copy that
    # imports the cli.
    assert run([str(ROOT / ".ci" / "shadow"), str(tmp_path)], ROOT).returncode == 0
    altered = tmp_path / "lrsrules" / "findings.py"
    altered.unlink()
    text = (ROOT / "engine" / "findings.py").read_text("utf-8")
    altered.write_text(text + "\nimport lrsrules.cli  # noqa: E402\n", "utf-8")

    result = run(["lint-imports", "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
                 tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "Layers: each imports only those below it BROKEN" in report, report
    assert "The library never imports the cli BROKEN" in report, report
    assert "lrsrules.findings -> lrsrules.cli" in report, report
