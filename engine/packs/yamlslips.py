"""The common slips in hand-written YAML, found where the author made them.

PyYAML reports where it gave up, which for an unclosed quote is the end of the file, in the
parser's own words ("expected <block end>, but found '<scalar>'"). When it fails, the text
is read again here, line by line up to that place, for the slips people make: a quote not
closed on its line, an apostrophe inside single quotes, a tab in the indentation, a line
indented out of step with the keys around it, and ': ' inside an unquoted value. Each
slip is told in plain words with a hint built from the line itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# ``key: value`` or ``- key: value`` at the start of a line: group 1 the indentation and
# dash, group 2 the key, group 3 the value after ': '.
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#'\"{}\[\],][^:#]*?):[ \t]+(.*)$")
_ITEM = re.compile(r"^(\s*-\s+)(.*)$")


@dataclass(frozen=True, slots=True)
class Slip:
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str


def find_slip(text: str, line: int, column: int, problem: str) -> Slip | None:
    """The slip that made PyYAML fail at ``line``/``column`` (1-based) with ``problem``,
    if it is one of the common ones; None leaves the parser's report as it is."""
    lines = text.splitlines()
    for number, current in enumerate(lines[:line], start=1):
        if "\t" in current[: len(current) - len(current.lstrip())]:
            return Slip(number, current.index("\t") + 1, "a tab in the indentation",
                        "indent with spaces, not tabs (YAML does not allow tabs there)")
    for number, current in enumerate(lines[:line], start=1):
        slip = _quote_slip(number, current)
        # A quoted value may span lines: blame this one only if closing it there helps.
        if slip is not None and _helps(lines, number, current, line):
            return slip
    if line > len(lines):
        return None
    if "mapping values are not allowed" in problem:
        return _colon_or_indent(lines, line, column)
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return _indent_slip(lines, line)
    return None


def _helps(lines: list[str], number: int, current: str, failed_at: int) -> bool:
    """Whether the file parses, or fails further on, with line ``number``'s quote closed
    (an apostrophe doubled, or the missing quote added)."""
    found = _value_start(current)
    assert found is not None
    start, value = found
    quote = value[0]
    body = value[1:].rstrip()
    if quote == "'" and body.endswith("'"):
        body = body[:-1].replace("'", "''") + "'"
    elif not body.endswith(quote):
        body += quote
    mended = [*lines[: number - 1], current[:start] + quote + body, *lines[number:]]
    try:
        for _ in yaml.parse("\n".join(mended)):  # events only: nothing is built
            pass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return mark is not None and mark.line + 1 > failed_at
    return True


def _value_start(current: str) -> tuple[int, str] | None:
    """Where a line's value starts (0-based) and the value, for ``key: v`` and ``- v``."""
    match = _KEY_VALUE.match(current)
    if match:
        return match.start(3), match[3]
    match = _ITEM.match(current)
    if match and not _KEY_VALUE.match(match[2] + " "):
        return match.start(2), match[2]
    return None


def _quote_slip(number: int, current: str) -> Slip | None:
    found = _value_start(current)
    if found is None:
        return None
    start, value = found
    if not value or value[0] not in "'\"":
        return None
    quote = value[0]
    i = 1
    while i < len(value):
        ch = value[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if quote == "'" and value[i + 1: i + 2] == "'":
                i += 2  # '' is an apostrophe inside single quotes
                continue
            rest = value[i + 1:].strip()
            if rest and not rest.startswith("#") and quote == "'":
                inner = value[1:].rstrip()
                inner = inner[:-1] if inner.endswith("'") else inner
                doubled = inner.replace("'", "''")
                return Slip(number, start + i + 1,
                            "an apostrophe inside single quotes ends the quoted text early",
                            f"double the apostrophe ('{doubled}') or use double quotes "
                            f"(\"{inner}\")")
            return None
        i += 1
    closer = "a double quote" if quote == '"' else "a single quote"
    return Slip(number, start + 1, "the quote opened here is not closed on this line",
                f"end the value with {closer} ({quote}) on the same line")


def _colon_or_indent(lines: list[str], line: int, column: int) -> Slip | None:
    current = lines[line - 1]
    found = _value_start(current)
    if found is not None and found[0] < column - 1:
        start, value = found
        key = current[:start].rstrip()
        quoted = value.replace('"', '\\"')
        return Slip(line, column, "': ' inside a value that is not in quotes: YAML reads it "
                    "as the start of another key",
                    f"put the whole value in quotes: {key.strip()} \"{quoted}\"")
    return _indent_slip(lines, line)


def _indent_slip(lines: list[str], line: int) -> Slip | None:
    current = lines[line - 1]
    indent = len(current) - len(current.lstrip(" "))
    above = _line_above(lines, line)
    if above is None:
        return None
    number, text = above
    item = _ITEM.match(text)
    keys_at = len(item[1]) if item else len(text) - len(text.lstrip(" "))
    if indent == keys_at:
        return None
    return Slip(line, indent + 1,
                f"this line is indented {indent} spaces, but the keys above it (line "
                f"{number}) are indented {keys_at}",
                f"line it up with the key it belongs beside: {keys_at} spaces, or fewer "
                "to close the block above")


def _line_above(lines: list[str], line: int) -> tuple[int, str] | None:
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if text.strip() and not text.lstrip().startswith("#"):
            return number, text
    return None
