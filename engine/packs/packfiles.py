"""The pack files of one run, each read and shape-checked once.

A tool that loads several packs of one include tree (``lrsrules check`` loads every pack
file as a pack of its own) passes one ``PackFiles`` to each load, so a shared include is
read once, not once per pack that reaches it. Documents are immutable, so sharing is safe.
It also remembers the root folder each file was reached within (see ``discovery``), so
that a file of a larger pack loaded on its own stays inside the same root.
"""

from __future__ import annotations

import os
from pathlib import Path

from lrsrules.errors import PackError, Problem
from lrsrules.packs.discovery import bundled_dir, find_pack, find_pack_versions, pack_root
from lrsrules.packs.schema import check_pack_shape
from lrsrules.packs.yamlsource import YamlDocument, load_yaml, parse_yaml_text


class PackFiles:
    """Reads pack files for a run: each once, by the path as given (locations use it)."""

    def __init__(self, texts: dict[Path, str] | None = None) -> None:
        # ``texts``: content to read in place of some files (by resolved path), such as an
        # edit not yet saved; every other file is read from disk.
        self._texts = {path.resolve(): text for path, text in (texts or {}).items()}
        self._read: dict[str, YamlDocument | tuple[Problem, ...]] = {}
        self._shapes: dict[str, tuple[Problem, ...]] = {}
        self._roots: dict[Path, Path] = {}  # by resolved path

    def read(self, path: str | os.PathLike[str]) -> YamlDocument:
        """``load_yaml(path)``, read the first time; a file that failed fails alike again."""
        key = str(path)
        found = self._read.get(key)
        if found is None:
            text = self._texts.get(Path(path).resolve()) if self._texts else None
            try:
                found = load_yaml(path) if text is None else parse_yaml_text(path, text)
            except PackError as error:
                found = error.problems
            self._read[key] = found
        if isinstance(found, tuple):
            raise PackError(problems=found)
        return found

    def shape(self, doc: YamlDocument) -> tuple[Problem, ...]:
        """``check_pack_shape(doc)`` for a document ``read`` gave, checked the first time."""
        found = self._shapes.get(doc.path)
        if found is None:
            found = self._shapes[doc.path] = tuple(check_pack_shape(doc))
        return found

    def find(self, ref: str | os.PathLike[str], *,
             base_dir: str | os.PathLike[str] | None = None,
             root: Path | None = None) -> Path:
        """``find_pack``, reading a folder's files with ``read``; the file found inside
        ``root`` keeps it as its own root (a bundled pack, the bundled packs' folder)."""
        path = find_pack(ref, base_dir=base_dir, root=root, read=self.read)
        if root is not None:
            key = path.resolve()
            bundled = bundled_dir().resolve()
            self._roots.setdefault(key, bundled if key.is_relative_to(bundled) else root)
        return path

    def find_versions(self, ref: str | os.PathLike[str]) -> list[Path]:
        """``find_pack_versions``: every version file of a folder, or the one named."""
        return find_pack_versions(ref, read=self.read)

    def root_of(self, path: str | os.PathLike[str]) -> Path:
        """The root folder the files ``path`` reaches must stay inside: the one it was
        found within, or its own (``pack_root``) for a pack given directly."""
        found = self._roots.get(Path(path).resolve())
        if found is not None:
            return found
        try:
            name = self.read(path).data.get("pack")
        except PackError:
            name = None  # reported when the file is loaded
        return pack_root(path, name)
