"""Line breaks in generated code change whitespace only, never what the code does."""

from __future__ import annotations

import ast

import pytest

from lrsrules.lang.wrapping import fill, wrap_condition, wrap_expression
from lrsrules.packs.loader import load_pack
from lrsrules.run.program import compile_pack


def conditions() -> list[str]:
    tree = ast.parse(compile_pack(load_pack("lrs-default")).source)
    return [ast.unparse(node.test) for node in ast.walk(tree) if isinstance(node, ast.If)]


@pytest.mark.parametrize("width", [30, 60, 100])
def test_a_wrapped_expression_parses_to_the_same_tree(width: int) -> None:
    for code in conditions():
        lines = wrap_expression(f"({code})", "", width)
        assert ast.dump(ast.parse("\n".join(lines))) == ast.dump(ast.parse(code)), lines


def test_a_wrapped_condition_is_broken_in_its_own_brackets() -> None:
    code = "(a is not None and not (len(a) <= 35)) and (b is not None and b in _c1)"
    assert wrap_condition("if", code, "    ", 60) == [
        "    if (",
        "        (a is not None and not (len(a) <= 35))",
        "        and (b is not None and b in _c1)",
        "    ):",
    ]
    assert wrap_condition("if", "(x is None)", "    ") == ["    if (x is None):"]


def test_strings_are_never_broken_or_split_on() -> None:
    code = "(a == 'x and y, (or) if else' or b == 'z')"
    lines = wrap_expression(code, "", 20)
    assert lines == ["(", "    a == 'x and y, (or) if else'", "    or b == 'z'", ")"]


def test_a_call_is_broken_after_its_commas() -> None:
    assert wrap_expression("f(aaaa, bbbb, cccc)", "", 10) == [
        "f(", "    aaaa,", "    bbbb,", "    cccc", ")"]


def test_fill_puts_as_many_items_on_a_line_as_fit() -> None:
    assert fill(["aa", "bb", "cc"], ", ", "  ", 9) == ["  aa, bb,", "  cc,"]


@pytest.mark.parametrize("text", ["x and y, (or) if else", "it's", 'a"b\'c, (', "\\', or (",
                                  "\\"])
def test_any_repr_string_stays_whole(text: str) -> None:
    code = f"(a == {text!r} or b in ({text!r}, 'z') or c)"
    lines = wrap_expression(code, "", 12)
    assert ast.dump(ast.parse("\n".join(lines))) == ast.dump(ast.parse(code)), lines
    assert any(repr(text) in line for line in lines)
