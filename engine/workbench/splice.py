"""Write an edit of one rule into its pack file, leaving every other character as it was.

How: by splicing. The loader's YAML reader (``packs.yamlsource``) already knows where every
value starts and ends in the file, so an edited ``check``, ``when``, ``unless``, ``message``
or ``severity`` replaces exactly the characters of its old value, written in the style the
old one used (plain, quoted, or a ``>-``/``|`` block at the same indentation); a ``when`` or
``unless`` added is one new line beside the rule's ``check``, one emptied is its lines
removed. Comments, blank lines, key order and the layout of every other rule stay byte for
byte. Why not a round-trip YAML library (ruamel.yaml): it re-emits the whole document, which
re-wraps long lines, re-indents sequences and moves comments in ways no pack author asked
for, and it would be a second YAML reader beside the one the loader trusts. Splicing needs
nothing new, and what it writes is read back by the loader before it is saved.

``save_text`` writes atomically: a temporary file beside the pack, flushed to disk, then
renamed over it (the file's mode kept), so a pack is never left half written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import textwrap
from collections.abc import Mapping
from pathlib import Path

import yaml

from lrsrules.errors import EngineError, Location
from lrsrules.packs.yamlsource import YamlDocument, YamlPath

# The keys of a rule the workbench edits, in the order a rule is usually written.
EDITABLE = ("severity", "when", "check", "unless", "message")
_OPTIONAL = ("when", "unless")  # may be added or removed; the others are required
_WRAP = 96  # the bundled packs wrap text at 100 columns, leaving room for indentation


class EditError(EngineError):
    """An edit that cannot be written into the file (the rule, or how it is written)."""


def rule_index(doc: YamlDocument, rule_id: str) -> int:
    """The position of the rule ``rule_id`` in the file's ``rules`` list."""
    rules = doc.data.get("rules")
    for index, spec in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(spec, dict) and spec.get("id") == rule_id:
            return index
    raise EditError(f"{doc.path} defines no rule {rule_id}", Location(doc.path))


def current_values(doc: YamlDocument, rule_id: str) -> dict[str, str]:
    """The editable keys of the rule as the form shows them: the loaded text, '' if absent."""
    spec = doc.data["rules"][rule_index(doc, rule_id)]
    return {key: _shown(spec.get(key)) for key in EDITABLE}


def splice_rule(doc: YamlDocument, rule_id: str, values: Mapping[str, str]) -> str:
    """The file's text with the rule's editable keys set to ``values`` (others unchanged).

    A value equal to the current one changes nothing, so an untouched field keeps its
    exact spelling. Raises ``EditError`` for an unknown rule or key.
    """
    index = rule_index(doc, rule_id)
    spec = doc.data["rules"][index]
    at: YamlPath = ("rules", index)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the old text
    for key, given in values.items():
        if key not in EDITABLE:
            raise EditError(f"the workbench does not edit {key!r}", Location(doc.path))
        new = _normalised(given, key)
        if new == _shown(spec.get(key)):
            continue
        path = (*at, key)
        if key in spec:
            if not new and key in _OPTIONAL:
                edits.append(_removal(doc, path))
            else:
                edits.append(_replacement(doc, path, new))
        elif new:
            edits.append(_insertion(doc, at, key, new, spec))
    text = doc.text
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def save_text(path: Path, text: str) -> None:
    """Replace the file at ``path`` by ``text`` atomically, keeping its mode."""
    mode = path.stat().st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _shown(value: object) -> str:
    # Block scalars keep a final line break; the form shows (and compares) the text alone.
    return "" if value is None else str(value).strip()


def _normalised(given: str, key: str) -> str:
    # A form posts line breaks as CRLF; a severity is one word.
    text = given.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "".join(text.split()) if key == "severity" else text


def _value_span(doc: YamlDocument, path: YamlPath) -> tuple[int, int]:
    # A block scalar's node runs on over its final line break: stop at its last character.
    start, end = doc.span(path)
    return start, start + len(doc.text[start:end].rstrip())


def _key_column(doc: YamlDocument, path: YamlPath) -> int:
    start, _ = doc.key_span(path)
    return start - (doc.text.rfind("\n", 0, start) + 1)


def _replacement(doc: YamlDocument, path: YamlPath, new: str) -> tuple[int, int, str]:
    start, end = _value_span(doc, path)
    style = doc.style(path)
    indent = _key_column(doc, path) + 2
    if style in ("|", ">"):
        header_end = doc.text.find("\n", start, end)
        header = doc.text[start:header_end if header_end >= 0 else end]
        return start, end, _block(header, new, indent)
    return start, end, _scalar(new, style, indent)


def _scalar(new: str, style: str | None, indent: int) -> str:
    """``new`` written as a YAML value in ``style`` where it can be, else a safe style."""
    if "\n" in new:
        return _block("|-", new, indent)
    if style is None and _plain_safe(new):
        return new
    if style == "'":
        return "'" + new.replace("'", "''") + "'"
    return json.dumps(new, ensure_ascii=False)  # JSON's string syntax is YAML's "..."


def _block(header: str, new: str, indent: int) -> str:
    """A block scalar: ``header`` (``>-``, ``|`` ...) then the text at ``indent``."""
    pad = " " * indent
    folded = header.lstrip().startswith(">")
    if folded and ("\n" in new or "  " in new):
        header = "|" + header.lstrip()[1:]  # folding would change these spaces and breaks
        folded = False
    if folded:
        lines = textwrap.wrap(new, width=max(40, _WRAP - indent), break_long_words=False,
                              break_on_hyphens=False)
    else:
        lines = new.split("\n")
    return header + "\n" + "\n".join(pad + line if line else "" for line in lines)


_PLAIN_UNSAFE = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|: | #|:$|\s$")


def _plain_safe(text: str) -> bool:
    """Whether ``text`` reads back as itself, a string, written as a plain scalar."""
    if not text or _PLAIN_UNSAFE.search(text):
        return False
    try:
        loaded = yaml.safe_load(f"k: {text}")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == text


def _removal(doc: YamlDocument, path: YamlPath) -> tuple[int, int, str]:
    key_start, _ = doc.key_span(path)
    line_start = doc.text.rfind("\n", 0, key_start) + 1
    if doc.text[line_start:key_start].strip():
        raise EditError(f"{path[-1]} shares its line with other keys here; edit the file to"
                        " remove it", doc.key_location(path))
    _, end = _value_span(doc, path)
    line_end = doc.text.find("\n", end)
    return line_start, len(doc.text) if line_end < 0 else line_end + 1, ""


def _insertion(doc: YamlDocument, at: YamlPath, key: str, new: str,
               spec: Mapping[str, object]) -> tuple[int, int, str]:
    """A new ``key: value`` line: a when before the rule's check, an unless after it."""
    anchor = "check" if "check" in spec else "message"
    anchor_path = (*at, anchor)
    column = _key_column(doc, anchor_path)
    key_start, _ = doc.key_span(anchor_path)
    line_start = key_start - column
    if doc.text[line_start:key_start].strip():
        raise EditError(f"the rule is written on one line; add {key} in the file itself",
                        doc.key_location(anchor_path))
    line = " " * column + f"{key}: " + _scalar(new, None, column + 2) + "\n"
    if key == "when":
        return line_start, line_start, line
    _, end = _value_span(doc, anchor_path)
    line_end = doc.text.find("\n", end)
    if line_end < 0:
        return len(doc.text), len(doc.text), "\n" + line.rstrip("\n")
    return line_end + 1, line_end + 1, line
