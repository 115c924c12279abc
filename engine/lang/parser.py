"""Expression text -> ``nodes``: one cached LALR parser behind a small facade.

Lark's errors are turned into ``PackError``s placed inside the YAML file by the
expression's ``ExprSource``, with a message in plain words.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from lark import Lark, Token, Tree, UnexpectedInput
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
from lark.tree import Meta

from lrsrules.errors import PackError
from lrsrules.lang import nodes as n
from lrsrules.limits import (
    EXPRESSION_CHARS,
    EXPRESSION_DEPTH,
    LIST_LITERAL_ENTRIES,
    NUMBER_LITERAL_DIGITS,
    STRING_LITERAL_CHARS,
)
from lrsrules.packs.model import ExprSource

_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# Brackets and string literals, to measure how deep brackets nest.
_BRACKETS = re.compile(r"[()\[\]]|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"")
# Operators whose chains are built as balanced trees: associative, left to right, with
# the same short cuts and nulls whichever way they are grouped ('+' only when no operand
# can be a decimal, whose sums round differently when regrouped).
_CHAINS = {"or_": "or", "and_": "and", "add": "+"}

# Terminals matched by a pattern, in the words a pack author would use; the others are
# literal text and are shown as written.
_PATTERN_WORDS = {"STRING": "a string", "INT": "a number", "DECIMAL": "a number",
                  "NAME": "a name", "$END": "the end"}


@cache
def _parser() -> Lark:
    grammar = resources.files("lrsrules.grammar").joinpath("expr.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False,
                cache=True)  # parse tables kept in the temp folder, keyed by the grammar


def decode_string(token: str) -> str:
    """The value of a quoted string token; unknown escapes keep their backslash."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[0]), body)


def _span(meta: Meta) -> n.Span:
    return n.Span(meta.start_pos, meta.end_pos)


_BINARY = {"or_": "or", "and_": "and", "eq": "==", "ne": "!=", "lt": "<", "le": "<=",
           "gt": ">", "ge": ">=", "in_": "in", "not_in": "not in", "matches": "matches",
           "add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}
_UNARY = {"not_": "not", "neg": "neg"}
_CONSTANTS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
Part = n.Node | Token


def _leaf(data: str, meta: Meta, parts: list[Part]) -> n.Node:
    """A node from its rule's alias and its children, already nodes (or tokens)."""
    span = _span(meta)
    if data in _BINARY:
        left, right = parts
        return n.Binary(_BINARY[data], left, right, span)  # type: ignore[arg-type]
    if data in _UNARY:
        return n.Unary(_UNARY[data], parts[0], span)  # type: ignore[arg-type]
    if data in _CONSTANTS:
        return n.Literal(_CONSTANTS[data], span)
    first = str(parts[0]) if parts else ""
    if data == "string":
        return n.Literal(decode_string(first), span)
    if data == "decimal":
        return n.Literal(float(first), span)
    if data == "integer":
        return n.Literal(int(first), span)
    if data == "list_":
        return n.ListLiteral(tuple(parts), span)  # type: ignore[arg-type]
    if data == "list_ref":
        return n.ListRef(first, span)
    if data == "call":
        return n.Call(first, tuple(parts[1:]), span)  # type: ignore[arg-type]
    return n.Name(first, span)


class _Builder:
    """Parse tree -> nodes without recursion (a tree may be thousands of nodes deep before
    it is measured), enforcing the limits on literals and on depth.

    Meaning is checked later, by the checker; only sizes are checked here, where the
    literal's place is at hand.
    """

    def __init__(self, source: ExprSource) -> None:
        self.source = source
        self.depths: dict[int, int] = {}  # node id -> levels of the tree, counting itself

    def fail(self, offset: int, message: str) -> PackError:
        return PackError(message, self.source.location(offset))

    def build(self, tree: Tree[Token]) -> n.Node:
        # Each step is (tree, None) to expand, or (tree, operands) to build from the last
        # len(operands) results.
        steps: list[tuple[Tree[Token] | Token, list[Tree[Token] | Token] | None]] = [
            (tree, None)]
        results: list[Part] = []
        while steps:
            item, operands = steps.pop()
            if isinstance(item, Token):
                results.append(item)
                continue
            if operands is None:
                operands = self.operands(item)
                steps.append((item, operands))
                steps.extend((operand, None) for operand in reversed(operands))
                continue
            parts = results[len(results) - len(operands):]
            del results[len(results) - len(operands):]
            results.append(self.node(item, parts))
        root = results[0]
        assert not isinstance(root, Token)
        return root

    def operands(self, tree: Tree[Token]) -> list[Tree[Token] | Token]:
        if tree.data not in _CHAINS:
            return list(tree.children)
        data, chain = tree.data, []
        while True:  # down the left side: a or b or c is ((a or b) or c)
            left, right = tree.children
            chain.append(right)
            if not (isinstance(left, Tree) and left.data == data):
                chain.append(left)
                break
            tree = left
        chain.reverse()
        return chain

    def node(self, tree: Tree[Token], parts: list[Part]) -> n.Node:
        data = str(tree.data)
        self.check_literal(data, tree, parts)
        if data in _CHAINS:
            operands: list[n.Node] = parts  # type: ignore[assignment]
            if data == "add" and any(_may_be_decimal(op) for op in operands):
                node = operands[0]
                for operand in operands[1:]:
                    node = self.measured(n.Binary("+", node, operand,
                                                  n.Span(node.span.start, operand.span.end)))
                return node
            return self.balanced(_CHAINS[data], operands)
        return self.measured(_leaf(data, tree.meta, parts))

    def balanced(self, op: str, operands: list[n.Node]) -> n.Node:
        if len(operands) == 1:
            return operands[0]
        middle = len(operands) // 2
        left = self.balanced(op, operands[:middle])  # recursion as deep as log2(length)
        right = self.balanced(op, operands[middle:])
        return self.measured(n.Binary(op, left, right, n.Span(left.span.start, right.span.end)))

    def measured(self, node: n.Node) -> n.Node:
        depth = 1 + max((self.depths.get(id(child), 1) for child in n.children(node)),
                        default=0)
        if depth > EXPRESSION_DEPTH:
            raise self.fail(node.span.start, f"the expression nests more than "
                            f"{EXPRESSION_DEPTH} levels deep here (EXPRESSION_DEPTH): split "
                            "it into simpler conditions, or name a long list in 'lists'")
        self.depths[id(node)] = depth
        return node

    def check_literal(self, data: str, tree: Tree[Token], parts: list[Part]) -> None:
        start, token = tree.meta.start_pos, str(parts[0]) if parts else ""
        if data == "string" and len(token) - 2 > STRING_LITERAL_CHARS:
            raise self.fail(start, f"this string has {len(token) - 2:,} characters; at "
                            f"most {STRING_LITERAL_CHARS:,} are allowed "
                            "(STRING_LITERAL_CHARS): put long lists of values in 'lists'")
        if data in ("integer", "decimal"):
            digits = sum(char.isdigit() for char in token)
            if digits > NUMBER_LITERAL_DIGITS:
                raise self.fail(start, f"this number has {digits:,} digits; at most "
                                f"{NUMBER_LITERAL_DIGITS} are allowed "
                                "(NUMBER_LITERAL_DIGITS): write a shorter number, or "
                                "compare the text ('123...')")
        if data == "list_" and len(parts) > LIST_LITERAL_ENTRIES:
            raise self.fail(start, f"this list has {len(parts):,} entries; at most "
                            f"{LIST_LITERAL_ENTRIES:,} are allowed (LIST_LITERAL_ENTRIES): "
                            "name a long list in the pack's 'lists' and write @name")


def _may_be_decimal(node: n.Node) -> bool:
    """Whether a decimal literal or a division is inside (a number that is not whole)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, n.Literal) and isinstance(current.value, float):
            return True
        if isinstance(current, n.Binary) and current.op == "/":
            return True
        stack.extend(n.children(current))
    return False


def parse_expression(source: ExprSource) -> n.Node:
    """Parse one expression; a syntax error is a ``PackError`` at its place in the pack."""
    text = source.text
    if not text.strip():
        raise PackError("the expression is empty", source.location(0),
                        hint="write a condition, for example present(given_name)")
    if len(text) > EXPRESSION_CHARS:
        raise PackError(f"the expression has {len(text):,} characters; at most "
                        f"{EXPRESSION_CHARS:,} are allowed (EXPRESSION_CHARS): split it into "
                        "several rules, or name long lists of values in 'lists'",
                        source.location(0))
    try:
        tree = _parser().parse(text)  # LALR: no recursion, however deep the nesting
    except UnexpectedInput as exc:
        offset, message = _describe(exc, text)
        raise PackError(message, source.location(offset)) from None
    _check_brackets(source)  # after the parse: every string is closed
    if isinstance(tree, Token):  # a lone terminal cannot happen with this grammar
        raise PackError("not an expression", source.location(0))
    return _Builder(source).build(tree)


def _check_brackets(source: ExprSource) -> None:
    """Brackets nested too deep are an error, even where they add no level to the tree."""
    depth = 0
    for match in _BRACKETS.finditer(source.text):
        bracket = match[0]
        if bracket in "([":
            depth += 1
            if depth > EXPRESSION_DEPTH:
                raise PackError(f"brackets nest more than {EXPRESSION_DEPTH} deep here "
                                "(EXPRESSION_DEPTH): split the expression into simpler "
                                "conditions", source.location(match.start()))
        elif bracket in ")]":
            depth -= 1


def _describe(exc: UnexpectedInput, text: str) -> tuple[int, str]:
    if isinstance(exc, UnexpectedCharacters):
        at = exc.pos_in_stream or 0
        char = text[at]
        if char in "'\"":
            return at, "this string is not closed (add the closing quote)"
        if char == "=":
            return at, "unexpected '='; compare with '=='"
        if char in "&|!":
            return at, f"unexpected {char!r}; use 'and', 'or', 'not'"
        return at, f"unexpected character {char!r}"
    if isinstance(exc, UnexpectedEOF):
        names = {str(name) for name in exc.expected}
        return len(text), f"the expression ends too early; expected {_expected(names)}"
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return len(text.rstrip()), (
                f"the expression ends too early; expected {_expected(exc.expected)}")
        offset = token.start_pos if token.start_pos is not None else 0
        found = repr(str(token))
        if str(token) in _COMPARISONS and _chain_before(text, offset):
            return offset, (f"unexpected {found}: comparisons cannot be chained; "
                            "join them with 'and' (a < b and b < c)")
        return offset, f"unexpected {found}; expected {_expected(exc.expected)}"
    return 0, str(exc)


_COMPARISONS = {"==", "!=", "<", "<=", ">", ">=", "in", "not", "matches"}


def _chain_before(text: str, offset: int) -> bool:
    before = text[:offset]
    return any(op in before for op in ("==", "!=", "<", ">", " in ", " matches "))


@cache
def _terminal_words() -> dict[str, str]:
    words = dict(_PATTERN_WORDS)
    for terminal in _parser().terminals:
        if terminal.name not in words and terminal.pattern.type == "str":
            words[terminal.name] = repr(terminal.pattern.value)
    return words


def _expected(names: set[str] | frozenset[str]) -> str:
    known = _terminal_words()
    words = sorted({known.get(name, name.lower()) for name in names})
    if len(words) > 6:
        words = [*words[:6], "..."]
    return ", ".join(words) if words else "something else"
