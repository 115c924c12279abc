"""Shape check of a pack file against ``schemas/pack.schema.json``.

jsonschema finds the errors; this module words each one for a pack author and points it
at the offending YAML value (or key), so every problem in a file is reported at once.

A file that may hold personal data (a waiver file's key values; or a file that is not what
it should be at all, such as records given in a pack's place) is checked with
``quote=False``: its problems then quote neither its lines nor its values, only its keys.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from jsonschema import Draft202012Validator, ValidationError

from lrsrules.errors import Location, Problem
from lrsrules.packs.yamlsource import YamlDocument, YamlPath

# What a pattern asks for, keyed by the schema's $defs name; worded for the error message.
_PATTERN_WORDS = {
    "packName": "lowercase letters and digits joined by hyphens, like lrs-default",
    "fieldName": "snake_case: a lowercase letter, then lowercase letters, digits or underscores",
    "ruleId": "uppercase dotted segments like CDD.GIVENNAME.01",
    "semver": "a semantic version like 1.0.0",
    "date": "a date written YYYY-MM-DD, like 2025-08-01",
}
_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value lines)",
    "null": "empty",
}
_VERSION_MESSAGE = (
    "version must be a semantic version like 1.0.0"
    " (write it as text: quote it if YAML reads it as a number)"
)


# Names the value at a path the way an author thinks of it, e.g. "alias 2 of field name".
Describe = Callable[[YamlDocument, YamlPath], str]


def check_pack_shape(doc: YamlDocument) -> list[Problem]:
    """Every shape problem in ``doc``, sorted by line and column (empty when it is fine).

    A file without ``pack:`` is not known to be a pack, so its problems quote none of it.
    """
    return check_shape(doc, schema_validator("pack.schema.json"), _describe,
                       quote="pack" in doc.data)


def check_shape(
    doc: YamlDocument, validator: Draft202012Validator, describe: Describe, *,
    quote: bool = True,
) -> list[Problem]:
    """Every problem ``validator`` finds in ``doc``, worded with ``describe``, sorted by place.

    Other YAML files with a schema of their own (pack tests) share the wording here. With
    ``quote`` false, no problem quotes a value or a line of the file.
    """
    problems: dict[tuple[str, Location], Problem] = {}
    for error in validator.iter_errors(doc.data):
        for problem in _problems(doc, error, describe, quote):
            # ``required`` reports each missing key once per error; keep one of each.
            if not quote:
                problem = dataclasses.replace(problem, quote_source=False)
            problems.setdefault((problem.message, problem.location), problem)
    return sorted(problems.values(), key=_position)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``schemas/<name>`` shipped with the engine."""
    source = resources.files("lrsrules.packs").joinpath(f"schemas/{name}")
    schema: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return schema


@cache
def schema_validator(name: str) -> Draft202012Validator:
    """A validator for ``schemas/<name>``, built once."""
    return Draft202012Validator(load_schema(name))


def _schema() -> dict[str, Any]:
    return load_schema("pack.schema.json")


@cache
def _pattern_words() -> dict[str, str]:
    defs = _schema()["$defs"]
    # Keyed by the pattern itself: list names and a rule's ``field`` repeat the field-name
    # pattern, so one wording serves all three.
    return {defs[name]["pattern"]: text for name, text in _PATTERN_WORDS.items()}


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.location.line or 0, problem.location.column or 0)


class _Error(NamedTuple):
    """The parts of a ``ValidationError`` the handlers use, typed."""

    path: YamlPath
    instance: Any  # the offending value
    expected: Any  # the keyword's value in the schema
    schema: dict[str, Any]
    message: str
    what: str  # the offending value, named for the author: "severity", "alias 2 of field x"
    keyword: str  # the schema keyword that failed
    quote: bool  # whether a message may show the offending value


def _problems(
    doc: YamlDocument, validation: ValidationError, describe: Describe, quote: bool
) -> Iterator[Problem]:
    error = _Error(
        tuple(validation.absolute_path),
        validation.instance,
        validation.validator_value,
        validation.schema if isinstance(validation.schema, dict) else {},
        validation.message,
        describe(doc, tuple(validation.absolute_path)),
        str(validation.validator),
        quote,
    )
    path = error.path
    if "propertyNames" in validation.schema_path:
        # The offending instance is a key of the mapping at ``path``.
        key = str(error.instance)
        words = _pattern_words().get(str(error.expected), "a valid name")
        kind = "list" if path[:1] == ("lists",) else "field"
        yield Problem(f"{kind} name must be {words}, not {key!r}", doc.key_location((*path, key)))
        return
    if path == ("version",) and validation.validator in ("type", "pattern"):
        yield Problem(_VERSION_MESSAGE, doc.location(path), "for example: version: 1.0.0")
        return
    handler = _HANDLERS.get(str(validation.validator), _other)
    yield from handler(doc, error)


def _additional(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    allowed = sorted(error.schema.get("properties", {}))
    for key in error.instance:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        yield Problem(
            f"unknown key {key!r} in {error.what};"
            f" expected one of: {', '.join(allowed)}",
            doc.key_location((*error.path, key)),
            f"did you mean {close[0]!r}?" if close else None,
        )


def _required(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    for key in error.expected:
        if key not in error.instance:
            yield Problem(f"{error.what} has no {key!r}", doc.location(error.path))


def _type(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    names = [error.expected] if isinstance(error.expected, str) else list(error.expected)
    words = _or([_TYPE_WORDS.get(name, name) for name in names])
    hint = None
    if "string" in names and isinstance(error.instance, (bool, int, float)):
        hint = "quote it if YAML reads it as a number or true/false"
    yield Problem(
        f"{error.what} must be {words}, not {_instance_words(error.instance, error.quote)}",
        doc.location(error.path),
        hint,
    )


def _enum(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    choices = ", ".join(str(choice) for choice in error.expected)
    yield Problem(
        f"{error.what} must be one of {choices}{_not(error)}", doc.location(error.path)
    )


def _pattern(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    words = _pattern_words().get(str(error.expected), "in the expected form")
    yield Problem(f"{error.what} must be {words}{_not(error)}", doc.location(error.path))


def _empty(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    yield Problem(f"{error.what} must not be empty", doc.location(error.path))


def _unique(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    seen: set[tuple[str, object]] = set()
    for index, item in enumerate(error.instance):
        key = (type(item).__name__, item)  # as JSON Schema sees it: true is not 1
        if key in seen:
            message = (f"{error.what} lists {_text(item)!r} twice" if error.quote
                       else f"entry {index + 1} of {error.what} repeats an earlier one")
            yield Problem(message, doc.location((*error.path, index)))
        seen.add(key)


def _minimum(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    yield Problem(f"{error.what} must be at least {error.expected}{_not(error)}",
                  doc.location(error.path))


def _other(doc: YamlDocument, error: _Error) -> Iterator[Problem]:
    # jsonschema's own message shows the value.
    message = error.message if error.quote else f"fails the schema's {error.keyword!r} check"
    yield Problem(f"{error.what}: {message}", doc.location(error.path))


def _not(error: _Error) -> str:
    return f", not {_text(error.instance)!r}" if error.quote else ""


_Handler = Callable[[YamlDocument, _Error], Iterator[Problem]]
_HANDLERS: dict[str, _Handler] = {
    "additionalProperties": _additional,
    "required": _required,
    "type": _type,
    "enum": _enum,
    "pattern": _pattern,
    "minLength": _empty,
    "minItems": _empty,
    "uniqueItems": _unique,
    "minimum": _minimum,
}


def _describe(doc: YamlDocument, path: YamlPath) -> str:
    """Name the value at ``path`` the way an author thinks of it: "alias 2 of field name"."""
    if not path:
        return "the pack"
    head, rest = path[0], path[1:]
    if not rest:
        return "pack name" if head == "pack" else str(head)
    if head == "include":
        return f"include entry {nth(rest[0])}"
    if head == "overrides":
        owner = f"override {nth(rest[0])}"
        return owner if len(rest) == 1 else f"{rest[1]} of {owner}"
    if head == "rules":
        owner = f"rule {item_name(doc, 'rules', rest[0], 'id') or nth(rest[0])}"
    elif head == "fields":
        owner = f"field {rest[0]}"
    elif head == "lists":
        owner = f"list {rest[0]}"
        if len(rest) == 2 and isinstance(rest[1], int):
            return f"entry {nth(rest[1])} of {owner}"
    else:
        return " ".join(str(part) for part in path)
    if len(rest) == 1:
        return owner
    if len(rest) == 2:
        # Keys of a rule read best alone ("severity must be ..."); the caret shows the rule.
        return str(rest[1]) if head == "rules" else f"{rest[1]} of {owner}"
    item = "alias" if rest[1] == "aliases" else f"{rest[1]} entry"
    return f"{item} {nth(rest[2])} of {owner}"


def item_name(doc: YamlDocument, key: str, index: str | int, name_key: str) -> str | None:
    """The ``name_key`` of item ``index`` of the top-level list ``key``, if it is non-empty text.

    Labels are made for documents that may fail the shape check, so nothing is assumed.
    """
    items = doc.data.get(key)
    if isinstance(index, int) and isinstance(items, list) and index < len(items):
        item = items[index]
        if isinstance(item, dict) and isinstance(item.get(name_key), str) and item[name_key]:
            return str(item[name_key])
    return None


def nth(index: str | int) -> str:
    """A list index as people count (from 1); a key as it is."""
    return str(index + 1) if isinstance(index, int) else str(index)


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _instance_words(value: object, quote: bool = True) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, (int, float)):
        return f"the number {value}" if quote else "a number"
    if isinstance(value, str):
        return f"the text {value!r}" if quote else "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"
