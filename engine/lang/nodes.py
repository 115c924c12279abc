"""Typed syntax tree of the expression language.

Nodes are frozen and slotted; each carries the character offsets of its text so the
checker can point at the exact column in the pack file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # offset of the first character in the expression text
    end: int  # offset just past the last character


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | int | float | bool | None
    span: Span


@dataclass(frozen=True, slots=True)
class ListLiteral:
    items: tuple[Node, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ListRef:
    """``@name``: a named list of the pack."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    """A bare identifier: a field, or ``value`` / ``field_name`` in a rule."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "not" | "neg"
    operand: Node
    span: Span


@dataclass(frozen=True, slots=True)
class Binary:
    # "or" "and" "==" "!=" "<" "<=" ">" ">=" "in" "not in" "matches" "+" "-" "*" "/" "%"
    op: str
    left: Node
    right: Node
    span: Span


Node = Literal | ListLiteral | ListRef | Name | Call | Unary | Binary


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Call, ListLiteral)):
        return node.args if isinstance(node, Call) else node.items
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


def names_in(node: Node) -> set[str]:
    """Every bare name the expression reads (fields, ``value``, ``field_name``)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name):
            found.add(current.name)
        stack.extend(children(current))
    return found
