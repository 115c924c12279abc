"""Every named limit is documented with its value, where users read about them."""

from __future__ import annotations

import re
from pathlib import Path

from lrsrules import limits

ROOT = Path(__file__).resolve().parent.parent


def named_limits() -> dict[str, int]:
    return {name: value for name, value in vars(limits).items()
            if name.isupper() and isinstance(value, int)}


def test_security_md_lists_every_limit_with_its_value() -> None:
    rows = {m["name"]: m["value"] for m in re.finditer(
        r"^\| `(?P<name>[A-Z_]+)` \| (?P<value>[0-9,]+)", (ROOT / "SECURITY.md").read_text(
            "utf-8"), re.MULTILINE)}
    found = named_limits()
    assert len(found) >= 20
    assert set(rows) == set(found), set(rows) ^ set(found)
    for name, value in found.items():
        assert rows[name] == f"{value:,}", (name, rows[name], value)


def test_the_readme_points_to_the_limits() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "SECURITY.md" in readme
