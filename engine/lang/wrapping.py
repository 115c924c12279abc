"""Line breaks for generated code, so that a person can read it.

An expression longer than the width is broken inside its brackets, where Python lets a line
go on without a backslash: at the top-level commas of a call or tuple, else before ``if``
and ``else`` of a conditional, else before each ``or``, else before each ``and``; an
expression with none of these is opened at its widest bracketed group. Only whitespace
changes, never a token, so the code compiles to the same bytecode as the one-line form.
"""

from __future__ import annotations

import io
import itertools
import tokenize
from collections.abc import Sequence

WIDTH = 100  # as the project's own code (ruff line-length)
INDENT = "    "

_KEPT = frozenset({tokenize.OP, tokenize.NAME, tokenize.NUMBER, tokenize.STRING})
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
# Where to break a run of tokens, lowest precedence first; commas end a piece, the others
# start one.
_BREAKS: tuple[frozenset[str], ...] = (
    frozenset({","}), frozenset({"if", "else"}), frozenset({"or"}), frozenset({"and"}))

_Tokens = Sequence[tokenize.TokenInfo]


def wrap_expression(code: str, indent: str, width: int = WIDTH) -> list[str]:
    """Lines (with ``indent``) for ``code``, one expression on one line, inside brackets."""
    if len(indent) + len(code) <= width:
        return [indent + code]
    return _lines(code, _tokens(code), indent, width)


def wrap_condition(keyword: str, code: str, indent: str, width: int = WIDTH) -> list[str]:
    """``if code:`` (or another keyword), with the condition in brackets when it is long."""
    line = f"{indent}{keyword} {code}:"
    if len(line) <= width:
        return [line]
    tokens = _tokens(code)
    depths = _depths(tokens)
    if tokens[0].string == "(" and depths.count(0) == 2:  # already in brackets: break there
        tokens = tokens[1:-1]
    return [f"{indent}{keyword} (", *_lines(code, tokens, indent + INDENT, width),
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


def _tokens(code: str) -> list[tokenize.TokenInfo]:
    return [token for token in tokenize.generate_tokens(io.StringIO(code).readline)
            if token.type in _KEPT]


def _text(code: str, tokens: _Tokens) -> str:
    return code[tokens[0].start[1]:tokens[-1].end[1]]


def _lines(code: str, tokens: _Tokens, indent: str, width: int) -> list[str]:
    text = _text(code, tokens)
    if len(indent) + len(text) <= width:
        return [indent + text]
    pieces = _split(tokens)
    if len(pieces) > 1:
        return [line for piece in pieces for line in _lines(code, piece, indent, width)]
    group = _widest_group(tokens)
    if group is None:
        return [indent + text]  # nothing to break inside: left long
    start, end = group
    return [indent + _text(code, tokens[:start + 1]),
            *_lines(code, tokens[start + 1:end], indent + INDENT, width),
            indent + _text(code, tokens[end:])]


def _depths(tokens: _Tokens) -> list[int]:
    """The bracket depth of each token (a bracket counts as outside its own group)."""
    depths, depth = [], 0
    for token in tokens:
        if token.string in _CLOSE:
            depth -= 1
        depths.append(depth)
        if token.string in _OPEN:
            depth += 1
    return depths


def _split(tokens: _Tokens) -> list[_Tokens]:
    depths = _depths(tokens)
    for words in _BREAKS:
        after = "," in words
        cuts = [i + 1 if after else i for i, token in enumerate(tokens)
                if depths[i] == 0 and token.string in words]
        cuts = [cut for cut in cuts if 0 < cut < len(tokens)]
        if cuts:
            bounds = [0, *cuts, len(tokens)]
            return [tokens[a:b] for a, b in itertools.pairwise(bounds)]
    return [tokens]


def _widest_group(tokens: _Tokens) -> tuple[int, int] | None:
    """Indices of the open and close brackets of the widest non-empty top-level group."""
    depths = _depths(tokens)
    best: tuple[int, int] | None = None
    widest = 0
    start = 0
    for i, token in enumerate(tokens):
        if depths[i] != 0:
            continue
        if token.string in _OPEN:
            start = i
        elif token.string in _CLOSE and i > start + 1 \
                and token.end[1] - tokens[start].start[1] > widest:
            best, widest = (start, i), token.end[1] - tokens[start].start[1]
    return best
