"""The one folder the workbench may read and write: every path is resolved inside it.

A path from the browser is relative to the folder; it is resolved (symbolic links
followed) and refused when the result lies outside, so ``../x``, an absolute path and a
link pointing out of the folder all fail the same way, before any file is opened.
"""

from __future__ import annotations

from pathlib import Path

from lrsrules.errors import EngineError, Location


class OutsideFolder(EngineError):
    """A path that is not inside the workbench's folder (or names no file there)."""


class Folder:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def resolve(self, relative: str, *, suffixes: tuple[str, ...] = ()) -> Path:
        """The file ``relative`` names inside the folder; ``OutsideFolder`` otherwise."""
        if not relative or "\x00" in relative:
            raise OutsideFolder("no file given", Location(relative or None))
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise OutsideFolder(f"{relative} is outside the folder {self.root}",
                                Location(relative),
                                hint="the workbench reads and writes only inside its folder")
        if not path.is_file():
            raise OutsideFolder(f"{relative} is not a file in {self.root}", Location(relative))
        if suffixes and path.suffix.lower() not in suffixes:
            raise OutsideFolder(f"{relative} is not a {' or '.join(suffixes)} file",
                                Location(relative))
        return path

    def relative(self, path: Path) -> str:
        """``path`` as the browser names it: relative to the folder, with ``/``."""
        return path.resolve().relative_to(self.root).as_posix()
