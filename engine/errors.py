"""One error root for everything the engine reports about packs and input files.

An ``EngineError`` carries one or more ``Problem``s; each knows where it happened and
prints as ``file:line:col: message`` followed by the offending source line and a caret.
"""

from __future__ import annotations

import linecache
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file; line and column are 1-based, either may be unknown."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def prefix(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    location: Location = Location()
    hint: str | None = None
    # Pack files are small and on disk, so the caret line is read back from the file;
    # input files may hold personal data, so their problems never quote a line.
    quote_source: bool = True

    def format(self) -> str:
        # A problem that is nowhere in particular (a pack name that names nothing) is its
        # message alone, not "<input>: ...".
        bare = self.location.file is None and self.location.line is None
        text = self.message if bare else f"{self.location.prefix()}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        caret = self._caret_lines()
        return f"{text}\n{caret}" if caret else text

    def _caret_lines(self) -> str:
        loc = self.location
        if not (self.quote_source and loc.file and loc.line):
            return ""
        source = linecache.getline(loc.file, loc.line).rstrip("\r\n")
        if not source:
            return ""
        if loc.column is None:
            return f"    {source}"
        # Keep tabs so the caret lines up under the same character.
        pad = "".join(ch if ch == "\t" else " " for ch in source[: loc.column - 1])
        return f"    {source}\n    {pad}^"


class EngineError(Exception):
    """Root of every error the engine raises on purpose."""

    quote_source = True  # whether its problems may quote the source line (see Problem)

    def __init__(
        self,
        message: str | None = None,
        location: Location | None = None,
        *,
        hint: str | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        found = list(problems)
        if message is not None:
            found.insert(0, Problem(message, location or Location(), hint, self.quote_source))
        if not found:
            raise ValueError("an EngineError needs a message or problems")
        self.problems: tuple[Problem, ...] = tuple(found)
        super().__init__(self.problems[0].message)

    def __str__(self) -> str:
        return "\n".join(problem.format() for problem in self.problems)


class PackError(EngineError):
    """A rule pack (or something it includes) is malformed."""


class InputError(EngineError):
    """An input file cannot be read as records."""

    quote_source = False  # input lines hold personal data
