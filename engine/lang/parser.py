"""Expression text -> ``nodes``: one cached LALR parser behind a small facade.

Lark's errors are turned into ``PackError``s placed inside the YAML file by the
expression's ``ExprSource``, with a message in plain words.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from lark import Lark, Token, Transformer, UnexpectedInput, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
from lark.tree import Meta

from lrsrules.errors import PackError
from lrsrules.lang import nodes as n
from lrsrules.packs.model import ExprSource

_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}

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
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            else:
                out.append(ch + nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _span(meta: Meta) -> n.Span:
    return n.Span(meta.start_pos, meta.end_pos)


def _binary(op: str):  # type: ignore[no-untyped-def]
    def build(self: _ToNodes, meta: Meta, children: list[n.Node]) -> n.Node:
        left, right = children
        return n.Binary(op, left, right, _span(meta))

    return build


@v_args(meta=True)
class _ToNodes(Transformer[Token, n.Node]):
    """Parse tree -> nodes. Never raises: meaning is checked later, by the checker."""

    or_ = _binary("or")
    and_ = _binary("and")
    eq = _binary("==")
    ne = _binary("!=")
    lt = _binary("<")
    le = _binary("<=")
    gt = _binary(">")
    ge = _binary(">=")
    in_ = _binary("in")
    not_in = _binary("not in")
    matches = _binary("matches")
    add = _binary("+")
    sub = _binary("-")
    mul = _binary("*")
    div = _binary("/")
    mod = _binary("%")

    def not_(self, meta: Meta, children: list[n.Node]) -> n.Node:
        return n.Unary("not", children[0], _span(meta))

    def neg(self, meta: Meta, children: list[n.Node]) -> n.Node:
        return n.Unary("neg", children[0], _span(meta))

    def string(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.Literal(decode_string(str(children[0])), _span(meta))

    def decimal(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.Literal(float(children[0]), _span(meta))

    def integer(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.Literal(int(children[0]), _span(meta))

    def true(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.Literal(True, _span(meta))

    def false(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.Literal(False, _span(meta))

    def null(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.Literal(None, _span(meta))

    def list_(self, meta: Meta, children: list[n.Node]) -> n.Node:
        return n.ListLiteral(tuple(children), _span(meta))

    def list_ref(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.ListRef(str(children[0]), _span(meta))

    def call(self, meta: Meta, children: list[Token | n.Node]) -> n.Node:
        name, *args = children
        return n.Call(str(name), tuple(args), _span(meta))  # type: ignore[arg-type]

    def name(self, meta: Meta, children: list[Token]) -> n.Node:
        return n.Name(str(children[0]), _span(meta))


_TO_NODES = _ToNodes()


def parse_expression(source: ExprSource) -> n.Node:
    """Parse one expression; a syntax error is a ``PackError`` at its place in the pack."""
    text = source.text
    if not text.strip():
        raise PackError("the expression is empty", source.location(0),
                        hint="write a condition, for example present(given_name)")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        offset, message = _describe(exc, text)
        raise PackError(message, source.location(offset)) from None
    if isinstance(tree, Token):  # a lone terminal cannot happen with this grammar
        raise PackError("not an expression", source.location(0))
    node: n.Node = _TO_NODES.transform(tree)
    return node


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
