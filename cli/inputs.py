"""The inputs of one ``validate`` run: files, folders, globs and ``-``, as a sorted list.

A folder is searched (recursively) for the extensions ``validate`` reads; a pattern with
``*``, ``?`` or ``[`` is expanded here too (``**`` spans folders), for shells that pass it
on unexpanded (Windows, or a quoted pattern); ``-`` is standard input. What each argument
yields is sorted by path, so a run reports its inputs in the same order everywhere; the
arguments keep the order they were given in, and an input named twice is checked once.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from lrsrules.errors import EngineError, Location

STDIN = "-"
# What a folder is searched for: the record formats, gzip-compressed or not, and workbooks.
KNOWN_EXTENSIONS = (".csv", ".jsonl", ".ndjson", ".csv.gz", ".jsonl.gz", ".ndjson.gz",
                    ".xlsx")
_PATTERN_CHARS = frozenset("*?[")


class InputsError(EngineError):
    """An argument names no input: a pattern matching nothing, a folder holding none."""

    quote_source = False


@dataclass(frozen=True, slots=True)
class Inputs:
    """The inputs found, and whether the run reports on several (then every finding
    names its file in the json, jsonl and csv formats): more than one argument, a folder
    or a pattern, however many files they turn out to hold."""

    paths: tuple[str, ...]
    many: bool


def find_inputs(arguments: list[str]) -> Inputs:
    """The inputs ``arguments`` name; raises ``InputsError`` for one that names none."""
    found: dict[str, None] = {}
    many = len(arguments) > 1
    for argument in arguments:
        if argument == STDIN:
            if STDIN in found:
                raise InputsError("standard input (-) is named twice", Location(STDIN),
                                  hint="it can be read once")
            found[STDIN] = None
            continue
        if os.path.isdir(argument):
            many = True
            found.update(dict.fromkeys(_in_folder(argument)))
        elif _is_pattern(argument) and not os.path.exists(argument):
            many = True
            found.update(dict.fromkeys(_matching(argument)))
        else:
            found[argument] = None  # a file, or a missing one: its reader says which
    return Inputs(tuple(found), many)


def has_known_extension(name: str) -> bool:
    return name.lower().endswith(KNOWN_EXTENSIONS)


def _in_folder(folder: str) -> list[str]:
    files = []
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))  # .git, .venv ...
        files += [os.path.join(root, name) for name in names
                  if has_known_extension(name) and not name.startswith(".")]
    if not files:
        raise InputsError("the folder holds no file of learner records", Location(folder),
                          hint=f"validate looks for {', '.join(KNOWN_EXTENSIONS)} files in it "
                          "and the folders inside it")
    return sorted(files, key=_sort_key)


def _matching(pattern: str) -> list[str]:
    files = [name for name in glob.glob(pattern, recursive=True) if os.path.isfile(name)]
    if not files:
        raise InputsError("the pattern matches no file", Location(pattern),
                          hint="check the pattern, or quote it so that the shell leaves it "
                          "to lrsrules")
    return sorted(files, key=_sort_key)


def _is_pattern(argument: str) -> bool:
    return not _PATTERN_CHARS.isdisjoint(argument)


def _sort_key(name: str) -> tuple[str, ...]:
    return Path(name).parts
