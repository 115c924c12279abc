"""Line breaks for generated code, so that a person can read it.

An expression longer than the width is broken inside its brackets, where Python lets a line
go on without a backslash: at the top-level commas of a call or tuple, else before ``if``
and ``else`` of a conditional, else before each ``or``, else before each ``and``; an
expression with none of these is opened at its widest bracketed group; a long ``if``
condition is put in brackets. The syntax tree stays the same, so the bytecode does too, but
for the few ``NOP`` instructions CPython keeps to mark where a line starts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

WIDTH = 100  # as the project's own code (ruff line-length)
INDENT = "    "

# Tokens enough to find brackets and break words in generated code: repr() strings whole
# (never broken inside), names and numbers as runs of word characters, other characters one
# by one. Cheaper than the tokenize module (it doubled the compile time of a pack); lines
# break only beside brackets and break words, which are whole tokens either way.
_TOKEN = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\w+|:=|\S""")
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
# Where to break a run of tokens, lowest precedence first; commas end a piece, the others
# start one.
_BREAKS: tuple[frozenset[str], ...] = (
    frozenset({","}), frozenset({"if", "else"}), frozenset({"or"}), frozenset({"and"}))


def wrap_expression(code: str, indent: str, width: int = WIDTH) -> list[str]:
    """Lines (with ``indent``) for ``code``, one expression on one line, inside brackets."""
    if len(indent) + len(code) <= width:
        return [indent + code]
    tokens = _Tokens(code)
    return tokens.lines(0, len(tokens.spans), indent, width)


def wrap_condition(keyword: str, code: str, indent: str, width: int = WIDTH) -> list[str]:
    """``if code:`` (or another keyword), with the condition in brackets when it is long."""
    line = f"{indent}{keyword} {code}:"
    if len(line) <= width:
        return [line]
    tokens = _Tokens(code)
    start, end = 0, len(tokens.spans)
    if tokens.words[0] == "(" and tokens.depths.count(0) == 2:  # in brackets: break there
        start, end = 1, end - 1
    return [f"{indent}{keyword} (", *tokens.lines(start, end, indent + INDENT, width),
            f"{indent}):"]


def fill(items: Sequence[str], separator: str, indent: str, width: int = WIDTH) -> list[str]:
    """``items``, each followed by ``separator``, as few lines as fit within the width."""
    lines: list[str] = []
    line = indent
    for item in items:
        piece = item + separator
        if line != indent and len(line) + len(piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = indent
        line += piece
    if line != indent:
        lines.append(line.rstrip())
    return lines


class _Tokens:
    """The tokens of one line of code, with their bracket depth (a bracket counts as outside
    its own group); runs of them are given as index ranges ``[start, end)``."""

    def __init__(self, code: str) -> None:
        self.code = code
        matches = list(_TOKEN.finditer(code))
        self.spans = [match.span() for match in matches]
        self.words = [match.group() for match in matches]
        self.depths: list[int] = []
        depth = 0
        for word in self.words:
            if word in _CLOSE:
                depth -= 1
            self.depths.append(depth)
            if word in _OPEN:
                depth += 1

    def text(self, start: int, end: int) -> str:
        return self.code[self.spans[start][0]:self.spans[end - 1][1]]

    def lines(self, start: int, end: int, indent: str, width: int) -> list[str]:
        text = self.text(start, end)
        if len(indent) + len(text) <= width:
            return [indent + text]
        pieces = self.split(start, end)
        if len(pieces) > 1:
            return [line for a, b in pieces for line in self.lines(a, b, indent, width)]
        group = self.widest_group(start, end)
        if group is None:
            return [indent + text]  # nothing to break inside: left long
        open_, close = group
        return [indent + self.text(start, open_ + 1),
                *self.lines(open_ + 1, close, indent + INDENT, width),
                indent + self.text(close, end)]

    def split(self, start: int, end: int) -> list[tuple[int, int]]:
        base = self.depths[start]
        for words in _BREAKS:
            after = "," in words
            cuts = [i + 1 if after else i for i in range(start, end)
                    if self.depths[i] == base and self.words[i] in words]
            cuts = [cut for cut in cuts if start < cut < end]
            if cuts:
                return list(itertools.pairwise([start, *cuts, end]))
        return [(start, end)]

    def widest_group(self, start: int, end: int) -> tuple[int, int] | None:
        """The open and close brackets of the widest non-empty top-level group."""
        base = self.depths[start]
        best: tuple[int, int] | None = None
        widest = 0
        open_ = start
        for i in range(start, end):
            if self.depths[i] != base:
                continue
            if self.words[i] in _OPEN:
                open_ = i
            elif self.words[i] in _CLOSE and i > open_ + 1 \
                    and self.spans[i][1] - self.spans[open_][0] > widest:
                best, widest = (open_, i), self.spans[i][1] - self.spans[open_][0]
        return best
