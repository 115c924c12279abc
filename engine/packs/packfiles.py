"""The pack files of one run, each read and shape-checked once.

A tool that loads several packs of one include tree (``lrsrules check`` loads every pack
file as a pack of its own) passes one ``PackFiles`` to each load, so a shared include is
read once, not once per pack that reaches it. Documents are immutable, so sharing is safe.
"""

from __future__ import annotations

import os
from pathlib import Path

from lrsrules.errors import PackError, Problem
from lrsrules.packs.discovery import find_pack
from lrsrules.packs.schema import check_pack_shape
from lrsrules.packs.yamlsource import YamlDocument, load_yaml


class PackFiles:
    """Reads pack files for a run: each once, by the path as given (locations use it)."""

    def __init__(self) -> None:
        self._read: dict[str, YamlDocument | tuple[Problem, ...]] = {}
        self._shapes: dict[str, tuple[Problem, ...]] = {}

    def read(self, path: str | os.PathLike[str]) -> YamlDocument:
        """``load_yaml(path)``, read the first time; a file that failed fails alike again."""
        key = str(path)
        found = self._read.get(key)
        if found is None:
            try:
                found = load_yaml(path)
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
             base_dir: str | os.PathLike[str] | None = None) -> Path:
        """``find_pack``, reading a folder's files with ``read``."""
        return find_pack(ref, base_dir=base_dir, read=self.read)
