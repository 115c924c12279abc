"""YAML with source positions: plain Python data plus where every value sits in its file.

PyYAML composes nodes (which carry marks); this module builds the data from them itself so
that it can reject what PyYAML would accept silently (duplicate keys, aliases, merge keys,
unknown tags), keep dates as text, and remember the node behind every path. A path is a
tuple of mapping keys and sequence indexes, e.g. ``("rules", 3, "check")``.

Mapping keys are always ``str``: the key's text as written (``1:`` gives ``"1"`` and
``yes:`` gives ``"yes"``), because in a pack every key is a name.

Reading is bounded (``lrsrules.limits``): the file's size, how deep collections nest, how
many values it holds and how long one value is are checked while PyYAML composes, before
anything large is built. Only ``.yaml``/``.yml`` files are read, so that a data file given
in a pack's place is refused unread; and an error in a file that is not YAML at all (it
does not parse, or is not a mapping) quotes none of its lines.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lrsrules.errors import Location, PackError, Problem
from lrsrules.limits import (
    MAX_YAML_DEPTH,
    MAX_YAML_FILE_BYTES,
    MAX_YAML_NODES,
    MAX_YAML_SCALAR_CHARS,
)
from lrsrules.packs.model import ExprSource
from lrsrules.packs.yamlslips import find_slip

YamlPath = tuple[str | int, ...]
YAML_SUFFIXES = (".yaml", ".yml")

_TAG = "tag:yaml.org,2002:"
_TIMESTAMP = _TAG + "timestamp"
_MERGE = _TAG + "merge"
# Dates stay text, and so does the YAML 1.1 "value" key ``=``.
_TEXT_TAGS = {_TAG + "str", _TIMESTAMP, _TAG + "value"}
_TYPED_TAGS = {_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"}
_LINE_BREAKS = "\n\x85\u2028\u2029"
_FIRST_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ESCAPE_DIGITS = {"x": 2, "u": 4, "U": 8}


class _Unsupported(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None, hint: str) -> None:
        super().__init__(message)
        self.message, self.mark, self.hint = message, mark, hint


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver and without aliases, bounded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.count = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        # An alias would make two paths share one node (and one position), so packs
        # spell every value out; refusing the first one also rules out alias bombs.
        if isinstance(event, yaml.AliasEvent):
            raise _Unsupported(f"YAML aliases (*{event.anchor}) are not supported in packs",
                               mark, "write the value out in full where it is needed")
        self.count += 1
        if self.count > MAX_YAML_NODES:
            raise _Unsupported(f"the file holds more than {MAX_YAML_NODES:,} YAML values",
                               mark, "split it into packs that include each other")
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_YAML_SCALAR_CHARS:
            raise _Unsupported(
                f"this value is {len(event.value):,} characters long; the most allowed is"
                f" {MAX_YAML_SCALAR_CHARS:,}", mark,
                "shorten it; a long list of words belongs in a list file")
        # The composer recurses once per level: stop long before Python's stack does.
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _Unsupported(f"collections nest more than {MAX_YAML_DEPTH} deep here",
                                   mark, "flatten the structure; packs nest a few levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlDocument:
    """A parsed YAML file: ``data``, its ``text``, and the position of every value in it.

    ``path`` is the file's path as it was given to ``load_yaml``; locations use it.
    """

    def __init__(
        self,
        path: str,
        text: str,
        data: dict[str, Any],
        nodes: dict[YamlPath, Node],
        keys: dict[YamlPath, Node],
    ) -> None:
        self.path = path
        self.text = text
        self.data = data
        self._nodes = nodes
        self._keys = keys

    def location(self, path: YamlPath) -> Location:
        """Where the value at ``path`` starts; a missing path gives its nearest ancestor."""
        return self._mark_location(self._node(path, self._nodes).start_mark)

    def key_location(self, path: YamlPath) -> Location:
        """Where the mapping key of ``path`` starts (the value's place for list items)."""
        if path in self._keys:
            return self._mark_location(self._keys[path].start_mark)
        return self.location(path)

    def span(self, path: YamlPath) -> tuple[int, int]:
        """Where the value at ``path`` starts and ends, as character offsets in ``text``
        (the workbench splices an edited value into the file by them)."""
        node = self._nodes[path]
        return node.start_mark.index, node.end_mark.index

    def key_span(self, path: YamlPath) -> tuple[int, int]:
        """Where the mapping key of ``path`` starts and ends, as offsets in ``text``."""
        node = self._keys[path]
        return node.start_mark.index, node.end_mark.index

    def style(self, path: YamlPath) -> str | None:
        """How the scalar at ``path`` is written: None (plain), ``'``, ``"``, ``|``, ``>``."""
        style: str | None = self._scalar(path).style
        return style or None

    def raw(self, path: YamlPath) -> str:
        """The scalar's text before YAML gives it a type: ``0`` -> "0", ``true`` -> "true"."""
        text: str = self._scalar(path).value
        return text

    def expr_source(self, path: YamlPath) -> ExprSource:
        """The scalar at ``path`` as expression text, each character mapped to its place."""
        node = self._scalar(path)
        text: str = node.value
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in ("'", '"'):
            first = start + 1
        elif node.style in ("|", ">"):
            # Content starts after the header line, which may hold a comment.
            found = _FIRST_BREAK.search(self.text, start, end)
            first = found.end() if found else end
        else:
            first = start
        offsets = _align(text, self.text, first, end, node.style)
        places = _walk(self.text, node.start_mark, end)
        positions = tuple(places[offset - start] for offset in offsets)
        return ExprSource(text, self.path, positions)

    def _scalar(self, path: YamlPath) -> ScalarNode:
        node = self._nodes[path]
        if not isinstance(node, ScalarNode):
            raise TypeError(f"{path!r} is not a scalar in {self.path}")
        return node

    def _node(self, path: YamlPath, table: dict[YamlPath, Node]) -> Node:
        while path not in table:
            path = path[:-1]
        return table[path]

    def _mark_location(self, mark: yaml.Mark) -> Location:
        return Location(self.path, mark.line + 1, mark.column + 1)


# Finding a pack reads the version of each file in its folder, then loading reads the one
# chosen, and a shared include is reached from several packs: a document parsed once is
# reused while the file's text is the same. Documents are treated as immutable.
_PARSED: dict[tuple[str, str, str], YamlDocument] = {}
_PARSED_LIMIT = 256


def load_yaml(path: str | os.PathLike[str], *, kind: str = "pack",
              key: str = "pack") -> YamlDocument:
    """Read a YAML file whose top level is a mapping; every failure is a ``PackError``.

    ``kind`` names what the file should be ("pack", "waiver file") in the error that
    refuses a file without a YAML suffix. Errors quote the file's lines only when its top
    level has ``key`` (``pack:``): then it is known to be a {kind}, not records.
    """
    name = str(path)
    if not name.lower().endswith(YAML_SUFFIXES) and not Path(path).is_dir():
        raise PackError(
            f"{name} is not a {kind}: a {kind} is a .yaml or .yml file", Location(name),
            hint="check the order of the arguments: the records to check go first,"
            " packs and waiver files after their options")
    text = _read_text(Path(path), name)
    cached = (name, text, key)
    if cached not in _PARSED:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[cached] = _parse_yaml(name, text, key)
    return _PARSED[cached]


def parse_yaml_text(path: str | os.PathLike[str], text: str, *,
                    key: str = "pack") -> YamlDocument:
    """``load_yaml`` on ``text`` given in place of the file's content (text not yet saved:
    the workbench checks an edit before it is written)."""
    return _parse_yaml(str(path), text, key)


def _parse_yaml(name: str, text: str, key: str) -> YamlDocument:
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
        if root is None:
            raise PackError(
                "the file is empty", Location(name, 1, 1), hint="a pack starts with `pack: name`"
            )
        if not isinstance(root, MappingNode):
            raise _unquoted(
                f"the top level must be a mapping of keys (like `pack: name`), not {_kind(root)}",
                _location(name, root.start_mark),
            )
        builder = _Builder(name, loader)
        data = builder.build(root, ())
    except _Unsupported as error:
        raise _unquoted(error.message, _location(name, error.mark), error.hint) from None
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(name, error, text, key) from None
    except yaml.reader.ReaderError as error:
        line, column = _line_column(text, error.position)
        raise _unquoted(
            f"could not parse YAML: character U+{error.character:04X} is not allowed",
            Location(name, line, column),
            "remove the control character",
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if builder.problems:
        known = any(isinstance(k, ScalarNode) and k.value == key for k, _ in root.value)
        raise PackError(problems=builder.problems if known else [
            dataclasses.replace(problem, quote_source=False) for problem in builder.problems])
    return YamlDocument(name, text, data, builder.nodes, builder.keys)


class _Builder:
    """Turns composed nodes into plain data, recording nodes by path and collecting problems."""

    def __init__(self, name: str, constructor: yaml.constructor.SafeConstructor) -> None:
        self.name = name
        self.constructor = constructor
        self.nodes: dict[YamlPath, Node] = {}
        self.keys: dict[YamlPath, Node] = {}
        self.problems: list[Problem] = []

    def build(self, node: Node, path: YamlPath) -> Any:
        self.nodes[path] = node
        if isinstance(node, MappingNode) and node.tag == _TAG + "map":
            return self._mapping(node, path)
        if isinstance(node, SequenceNode) and node.tag == _TAG + "seq":
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        return self._problem(node, f"YAML tag {_short(node.tag)} is not supported here")

    def _mapping(self, node: MappingNode, path: YamlPath) -> dict[str, Any]:
        data: dict[str, Any] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._problem(key_node, "a mapping key must be plain text")
                continue
            if key_node.tag == _MERGE:
                self._problem(key_node, "merge keys (<<) are not supported in packs")
                continue
            key: str = key_node.value
            if key in seen:
                first = seen[key].start_mark.line + 1
                self._problem(
                    key_node,
                    f"duplicate key {key!r} (first at line {first})",
                    "YAML would keep only the last one; remove or rename one of them",
                )
                continue
            seen[key] = key_node
            child = (*path, key)
            self.keys[child] = key_node
            data[key] = self.build(value_node, child)
        return data

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag in _TEXT_TAGS:
            return node.value
        if node.tag in _TYPED_TAGS:
            return self.constructor.construct_object(node)
        if node.tag == _MERGE:
            return self._problem(node, "merge keys (<<) are not supported in packs")
        return self._problem(node, f"YAML tag {_short(node.tag)} is not supported here")

    def _problem(self, node: Node, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, _location(self.name, node.start_mark), hint))


def _unquoted(message: str, location: Location, hint: str | None = None) -> PackError:
    # The file may be no YAML at all (records given in a pack's place): quote none of it.
    return PackError(problems=[Problem(message, location, hint, quote_source=False)])


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit + 1`` of them (one more
    than allowed tells a file that is too large). ``OSError`` when it cannot be read: a
    folder raises ``IsADirectoryError``; a device or a pipe, which might never end or
    never open, is refused before it is opened."""
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "it is a folder")
    if not stat.S_ISREG(mode):
        raise OSError(22, "it is not a regular file")
    with path.open("rb") as file:
        return file.read(limit + 1)


def _read_text(path: Path, name: str) -> str:
    try:
        content = read_limited(path, MAX_YAML_FILE_BYTES)
    except FileNotFoundError:
        raise PackError(
            f"file not found: {name}", Location(name), hint="check the path and its spelling"
        ) from None
    except IsADirectoryError:
        raise PackError(
            f"{name} is a folder, not a YAML file", Location(name), hint="give a .yaml file"
        ) from None
    except OSError as error:
        raise PackError(
            f"cannot read {name}: {error.strerror or error}",
            Location(name),
            hint="check that the file exists and you may read it",
        ) from None
    if len(content) > MAX_YAML_FILE_BYTES:
        raise PackError(f"{name} is larger than {MAX_YAML_FILE_BYTES // 1024 // 1024} MiB,"
                        " the most a YAML file may be", Location(name),
                        hint="split it into packs that include each other")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        column = error.start - (content.rfind(b"\n", 0, error.start) + 1) + 1
        # The line cannot be decoded, so the error cannot quote it.
        problem = Problem(f"the file is not UTF-8 text (byte 0x{content[error.start]:02x})",
                          Location(name, line, column), "save the file as UTF-8",
                          quote_source=False)
        raise PackError(problems=[problem]) from None


def _syntax_error(name: str, error: yaml.MarkedYAMLError, text: str, key: str) -> PackError:
    mark = error.problem_mark or error.context_mark
    problem, context = error.problem or "invalid syntax", error.context
    # A file whose top level names its kind (``pack:``) is no data file: quote its lines.
    known = re.search(rf"(?m)^{re.escape(key)}[ \t]*:", text) is not None
    if mark is not None:
        slip = find_slip(text, mark.line + 1, mark.column + 1, problem)
        if slip is not None:
            return PackError(problems=[Problem(
                f"could not parse YAML: {slip.message}", Location(name, slip.line, slip.column),
                slip.hint, quote_source=known)])
    if context == "while scanning a quoted scalar" and error.context_mark is not None:
        mark = error.context_mark  # where the quote opened, not the end of the file
    if context and problem.startswith("but "):
        message = f"could not parse YAML: {context}, {problem}"
    elif context and error.context_mark:
        line = error.context_mark.line + 1
        message = f"could not parse YAML: {problem} ({context} at line {line})"
    else:
        message = f"could not parse YAML: {problem}"
    hint = None
    if "'\\t'" in message:
        hint = "indent with spaces, not tabs"
    elif "mapping values are not allowed" in message:
        hint = "quote the value if it contains ': '"
    return PackError(problems=[Problem(message, _location(name, mark), hint,
                                       quote_source=known)])


def _location(name: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(name)
    return Location(name, mark.line + 1, mark.column + 1)


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    return "a single value"


def _line_column(text: str, index: int) -> tuple[int, int]:
    start = max(text.rfind(ch, 0, index) for ch in "\n\r")
    return text.count("\n", 0, index) + 1, index - start


def _walk(text: str, mark: yaml.Mark, end: int) -> list[tuple[int, int]]:
    """(line, column), 1-based, of every index from ``mark`` to ``end`` inclusive.

    Counts line breaks the way PyYAML's reader does, so the result agrees with its marks.
    """
    line, column = mark.line, mark.column
    places = []
    for index in range(mark.index, end + 1):
        places.append((line + 1, column + 1))
        ch = text[index] if index < len(text) else ""
        if (ch and ch in _LINE_BREAKS) or (ch == "\r" and text[index + 1 : index + 2] != "\n"):
            line, column = line + 1, 0
        elif ch and ch != "\ufeff":
            column += 1
    return places


def _align(value: str, text: str, first: int, end: int, style: str | None) -> list[int]:
    """Index in ``text`` of each character of ``value`` (and one past its end).

    Greedy: each character maps to its next occurrence in the source, which is exact for
    characters written as themselves and puts folded line breaks on the whitespace they
    came from. Escapes in double-quoted scalars are stepped over explicitly so that a
    character they produce cannot match something further on.
    """
    offsets = []
    i = first
    for ch in value:
        if style == '"':
            i = _next_char_or_escape(ch, text, i, end)
            if i < end and text[i] == "\\":
                offsets.append(i)
                i += 2 + _ESCAPE_DIGITS.get(text[i + 1 : i + 2], 0)
                continue
        found = text.find(ch, i, end)
        if found < 0:
            offsets.append(min(i, end))
            continue
        offsets.append(found)
        i = found + 1
        if style == "'" and ch == "'" and text[i : i + 1] == "'":
            i += 1  # a quote written twice is one character
    offsets.append(min(i, end))
    return offsets


def _next_char_or_escape(ch: str, text: str, i: int, end: int) -> int:
    """Skip escaped line breaks, then return where ``ch`` or the next escape comes first."""
    while True:
        found = text.find(ch, i, end)
        # Only up to ``found``: searching on to the end for every character was quadratic.
        escape = text.find("\\", i, end if found < 0 else found)
        if escape < 0 or (0 <= found < escape):
            return i if found < 0 else found
        after = escape + 1
        if after < end and text[after] in "\r" + _LINE_BREAKS:
            # A backslash at the end of a line joins the lines and produces nothing.
            i = after + (2 if text[after : after + 2] == "\r\n" else 1)
            while i < end and text[i] in " \t":
                i += 1
            continue
        return escape
