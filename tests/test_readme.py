"""The README's first commands work on a fresh machine as written, and it points only to
files the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def test_the_first_command_makes_a_virtual_environment_before_installing() -> None:
    block = re.search(r"^```sh\n(.*?)^```", README, re.MULTILINE | re.DOTALL)
    assert block is not None
    first, second = block[1].splitlines()[:2]
    assert first.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install")
    assert first.endswith("lrsrules validate examples/learners.csv")
    assert second == "pip install -e '.[test]' && pytest"
    assert (ROOT / "examples" / "learners.csv").is_file()
    assert "awk '/^```sh$/" in (ROOT / ".ci" / "run").read_text("utf-8")  # CI runs it


# Files of the reader's own, shown in example output.
EXAMPLES = {"rulepacks/mine/mine.yaml"}


def test_every_file_of_the_repository_the_readme_names_is_there() -> None:
    named = set(re.findall(r"((?:examples|rulepacks|benchmarks|tests|engine|cli|grammar|\.ci)"
                           r"/[\w./-]*\w|\b[A-Z]+\.md)\b", README))
    assert "SECURITY.md" in named and "examples/learners.csv" in named
    missing = sorted(name for name in named - EXAMPLES if not (ROOT / name).exists())
    assert not missing, missing


def test_no_file_names_a_document_the_repository_does_not_hold() -> None:
    held = {path.name for path in ROOT.rglob("*.md") if ".venv" not in path.parts}
    for path in [ROOT / "pyproject.toml", ROOT / "README.md",
                 *ROOT.glob("rulepacks/**/*.yaml")]:
        for name in re.findall(r"\b[A-Z][A-Z0-9_-]*\.md\b", path.read_text("utf-8")):
            assert name in held, f"{path} names {name}"
