"""Load rule packs with everything they include, and merge them into one ``Pack``.

``load_pack`` takes a pack reference (see ``discovery``: a path, a folder, or a bundled
pack's name and version). Loading checks the shape of every file, resolves ``include``
depth first (each file once, so a diamond is fine), reads list files, and collects every
problem it can before raising one ``PackError`` with all of them. Loads that share a
``PackFiles`` read each pack file once between them.

Every file a pack reaches by path stays inside its root folder (see ``discovery``); list
files are ``.txt`` files. Sizes are bounded by ``lrsrules.limits``.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from lrsrules.errors import Location, PackError, Problem
from lrsrules.limits import MAX_LIST_ENTRIES, MAX_LIST_FILE_BYTES, MAX_PACK_FILES, MAX_RULES
from lrsrules.packs.discovery import check_inside
from lrsrules.packs.model import DEFAULT_PACK as DEFAULT_PACK  # defined there, kept here
from lrsrules.packs.model import FieldDef, ListDef, Pack, RuleDef, normalise_heading
from lrsrules.packs.overlays import (
    Overlay,
    apply_overrides,
    duplicate_hint,
    overrides_without_base,
)
from lrsrules.packs.packfiles import PackFiles
from lrsrules.packs.versions import check_aliases, read_dates
from lrsrules.packs.yamlsource import YamlDocument, YamlPath, read_limited

# The expression language gives these names a meaning of their own.
RESERVED_FIELDS = ("value", "field_name")

_EXPR_EXTRAS = frozenset({"fix"})  # keys of ``RuleDef.extra`` holding an expression
LIST_SUFFIX = ".txt"
_RULE_KEYS = frozenset(
    {"id", "field", "severity", "when", "check", "unless", "message", "doc", "provenance", "tags"}
    | {"aliases", "since", "until"}
)


def load_pack(ref: str | os.PathLike[str] | None = None, *,
              files: PackFiles | None = None, root: str | os.PathLike[str] | None = None,
              ) -> Pack:
    """Load the pack ``ref`` names (``DEFAULT_PACK`` when None) with all it includes,
    reading its files through ``files`` (by default, a reader of its own).

    ``root``: for a file of a larger pack loaded on its own, that pack's ``root``; its
    files then stay inside the same folder (when the file lies in it at all).
    """
    files = files or PackFiles()
    path = files.find(DEFAULT_PACK if ref is None else ref)
    within = Path(root).resolve() if root is not None else None
    if within is None or not path.resolve().is_relative_to(within):
        within = files.root_of(path)
    return _PackLoader(files).load(path, within)


@dataclass
class _Part:
    """One pack file, read and checked, before it is merged with the others."""

    doc: YamlDocument
    name: str
    fields: list[FieldDef] = field(default_factory=list)
    headings: list[tuple[str, str, Location]] = field(default_factory=list)  # field, heading
    lists: list[ListDef] = field(default_factory=list)
    rules: list[RuleDef] = field(default_factory=list)
    field_refs: list[tuple[str, Location]] = field(default_factory=list)  # rules' fields
    list_files: list[Path] = field(default_factory=list)
    root: Path = Path()  # the folder every file it reaches must stay inside
    base: Path | None = None  # the pack file it extends
    reached: list[Path] = field(default_factory=list)  # the files it extends and includes


class _PackLoader:
    def __init__(self, files: PackFiles) -> None:
        self.files = files
        self.problems: list[Problem] = []
        # Every file reached, keyed by its resolved path, in the order loading finished
        # (includes before their includer); None for a file that failed.
        self.parts: dict[Path, _Part | None] = {}
        self.names: dict[str, Path] = {}
        self.stack: list[tuple[Path, str]] = []
        self.alias_places: dict[tuple[str, str], Location] = {}  # (rule id, alias) -> place

    def load(self, path: Path, within: Path) -> Pack:
        root = self._visit(path, None, within)
        if root is None or self.problems:
            self._raise()
        parts = [part for part in self.parts.values() if part is not None]
        fields = self._merge_fields(parts)
        lists = self._merge_lists(parts)
        rules = self._merge_rules(parts, fields)
        if len(rules) > MAX_RULES:
            self._problem(f"the pack and what it includes hold {len(rules):,} rules; the"
                          f" most allowed is {MAX_RULES:,}", root.doc.location(("pack",)),
                          "split the rules into packs that are loaded separately")
            self._raise()
        self.problems += check_aliases(rules, self.alias_places)
        rules, disabled = self._apply_overlays(parts, rules)
        if self.problems:
            self._raise()
        files = sorted(
            {str(Path(part.doc.path).resolve()) for part in parts}
            | {str(file.resolve()) for part in parts for file in part.list_files}
        )
        data = root.doc.data
        return Pack(
            name=root.name,
            version=data["version"],
            title=data.get("title"),
            path=root.doc.path,
            fields=fields,
            lists=lists,
            rules=rules,
            files=tuple(files),
            sha256=_digest(files),
            includes=tuple(part.name for part in parts if part is not root),
            description=data.get("description"),
            extends=self._name_at(root.base),
            disabled=disabled,
            root=str(within),
        )

    def _raise(self) -> NoReturn:
        def order(problem: Problem) -> tuple[str, int, int]:
            loc = problem.location
            return (loc.file or "", loc.line or 0, loc.column or 0)

        raise PackError(problems=sorted(self.problems, key=order))

    def _visit(self, path: Path, via: Location | None, root: Path) -> _Part | None:
        key = path.resolve()
        chain = [entry[0] for entry in self.stack]
        if key in chain:
            names = [name for _, name in self.stack[chain.index(key) :]]
            cycle = " -> ".join([*names, names[0]])
            self._problem(f"include cycle: {cycle}", via, "remove one of these includes")
            return None
        if key in self.parts:
            return self.parts[key]  # reached before, e.g. both sides of a diamond
        if len(self.parts) >= MAX_PACK_FILES:
            self._problem(f"the pack reaches more than {MAX_PACK_FILES} pack files",
                          via, "include fewer packs; merge small ones")
            return None
        self.parts[key] = None  # until it loads cleanly
        try:
            doc = self.files.read(path)
        except PackError as error:
            self.problems.extend(error.problems)
            return None
        shape = self.files.shape(doc)
        if shape:
            # Later checks assume the shape; fixing these first avoids knock-on errors.
            self.problems.extend(shape)
            return None
        name: str = doc.data["pack"]
        if self.names.get(name, key) != key:
            first = self.names[name]
            self._problem(f"pack {name} is reached from two files: {first} and {key}", via)
            return None
        self.names[name] = key
        self.stack.append((key, name))
        # The base of an overlay is reached first, like a first include.
        extends = doc.data.get("extends")
        base = None if extends is None else self._include(doc, ("extends",), extends, root)
        reached = [self._include(doc, ("include", index), ref, root)
                   for index, ref in enumerate(doc.data.get("include", []))]
        self.stack.pop()
        part = self._read(doc, name, root)
        part.base = base
        part.reached = [path for path in (base, *reached) if path is not None]
        del self.parts[key]  # re-insert so that includes come first in ``parts``
        self.parts[key] = part
        return part

    def _include(self, doc: YamlDocument, at: YamlPath, ref: str, root: Path) -> Path | None:
        where = doc.location(at)
        try:
            path = self.files.find(ref, base_dir=Path(doc.path).parent, root=root)
        except PackError as error:
            # Errors about the reference itself have no place of their own: use the entry.
            for problem in error.problems:
                if problem.location.line is None:
                    problem = Problem(problem.message, where, problem.hint)
                self.problems.append(problem)
            return None
        self._visit(path, where, self.files.root_of(path))
        return path.resolve()

    def _read(self, doc: YamlDocument, name: str, root: Path) -> _Part:
        part = _Part(doc, name, root=root)
        data = doc.data
        for field_name, spec in data.get("fields", {}).items():
            self._read_field(part, field_name, spec or {})
        for list_name, spec in data.get("lists", {}).items():
            self._read_list(part, list_name, spec)
        rules = data.get("rules", [])
        if len(rules) > MAX_RULES:
            self._problem(f"the file holds {len(rules):,} rules; the most a pack may hold is"
                          f" {MAX_RULES:,}", doc.key_location(("rules",)),
                          "split the rules into packs that are loaded separately")
            rules = []
        for index, spec in enumerate(rules):
            self._read_rule(part, index, spec)
        return part

    def _read_field(self, part: _Part, name: str, spec: dict[str, Any]) -> None:
        doc = part.doc
        where = doc.key_location(("fields", name))
        if name in RESERVED_FIELDS:
            self._problem(
                f"field name {name!r} is reserved: expressions use it for the field at hand",
                where,
                "rename the field (its input headings can stay as aliases)",
            )
        aliases = tuple(spec.get("aliases", ()))
        part.fields.append(FieldDef(name, aliases, spec.get("description"), where,
                                    spec.get("format")))
        part.headings.append((name, name, where))
        for index, alias in enumerate(aliases):
            part.headings.append((name, alias, doc.location(("fields", name, "aliases", index))))

    def _read_list(self, part: _Part, name: str, spec: list[Any] | dict[str, str]) -> None:
        doc = part.doc
        where = doc.key_location(("lists", name))
        if isinstance(spec, list):
            if len(spec) > MAX_LIST_ENTRIES:
                self._problem(_too_many(name, len(spec)), where, _LIST_HINT)
                return
            # Entries are compared as text, exactly as written: 01 stays "01".
            entries = tuple(doc.raw(("lists", name, index)) for index in range(len(spec)))
            part.lists.append(ListDef(name, entries, where))
            return
        written: str = spec["file"]
        path = Path(os.path.normpath(Path(doc.path).parent / written))
        try:
            if not written.lower().endswith(LIST_SUFFIX):
                raise PackError(f"list file {written} is not a .txt file",
                                hint="a list file is text, one entry a line, named .txt")
            check_inside(path, part.root, written, "list file")
            entries = _read_list_file(path, written)
        except PackError as error:
            problem = error.problems[0]
            self._problem(problem.message, doc.location(("lists", name, "file")),
                          problem.hint)
            return
        if len(entries) > MAX_LIST_ENTRIES:
            self._problem(_too_many(name, len(entries)), doc.location(("lists", name, "file")),
                          _LIST_HINT)
            return
        part.lists.append(ListDef(name, entries, where, str(path)))
        part.list_files.append(path)

    def _read_rule(self, part: _Part, index: int, spec: dict[str, Any]) -> None:
        doc = part.doc
        at = ("rules", index)
        names = spec["field"]
        if isinstance(names, str):
            part.field_refs.append((names, doc.location((*at, "field"))))
        else:
            for i, ref in enumerate(names):
                part.field_refs.append((ref, doc.location((*at, "field", i))))
        self._check_unique(part, at, spec)
        since, until, problems = read_dates(doc, at, spec)
        self.problems += problems
        aliases = tuple(spec.get("aliases", ()))
        for i, alias in enumerate(aliases):
            self.alias_places[(spec["id"], alias)] = doc.location((*at, "aliases", i))
        part.rules.append(
            RuleDef(
                id=spec["id"],
                fields=(names,) if isinstance(names, str) else tuple(names),
                severity=spec["severity"],
                check=doc.expr_source((*at, "check")) if "check" in spec else None,
                message=spec["message"],
                when=doc.expr_source((*at, "when")) if "when" in spec else None,
                unless=doc.expr_source((*at, "unless")) if "unless" in spec else None,
                doc=spec.get("doc"),
                provenance=spec.get("provenance"),
                tags=tuple(spec.get("tags", ())),
                location=doc.location((*at, "id")),
                pack=part.name,
                aliases=aliases,
                since=since,
                until=until,
                # A fix is an expression: kept with its place in the file, for its errors.
                extra={key: doc.expr_source((*at, key)) if key in _EXPR_EXTRAS else value
                       for key, value in spec.items() if key not in _RULE_KEYS},
            )
        )

    def _check_unique(self, part: _Part, at: YamlPath, spec: dict[str, Any]) -> None:
        """A rule has a check (each record alone) or a unique key (across records), not
        both; the key's fields are field references like ``field``'s."""
        doc, rule = part.doc, spec["id"]
        if "unique" not in spec:  # the shape check asks for its check
            if "casefold" in spec:
                self._problem(f"casefold of rule {rule} applies only to a unique key",
                              doc.key_location((*at, "casefold")),
                              "remove it, or add unique: the fields of the key")
            return
        if "check" in spec:
            self._problem(f"rule {rule} has both a check and a unique key",
                          doc.key_location((*at, "check")),
                          "a rule checks each record, or compares records: split it in two")
        if "fix" in spec:
            self._problem(f"rule {rule} compares records: it has no fix",
                          doc.key_location((*at, "fix")), "remove the fix")
        if isinstance(spec["field"], list) and len(spec["field"]) > 1:
            self._problem(f"rule {rule} compares records: its findings point at one field",
                          doc.location((*at, "field")),
                          "name one field (the key may have several: unique: [a, b])")
        key = spec["unique"]
        if isinstance(key, str):
            part.field_refs.append((key, doc.location((*at, "unique"))))
        else:
            for i, ref in enumerate(key):
                part.field_refs.append((ref, doc.location((*at, "unique", i))))

    def _merge_fields(self, parts: Sequence[_Part]) -> dict[str, FieldDef]:
        fields: dict[str, FieldDef] = {}
        for part in parts:
            for new in part.fields:
                old = fields.setdefault(new.name, new)
                if (old.aliases, old.description) != (new.aliases, new.description):
                    self._problem(
                        f"field {new.name} is already defined differently"
                        f" at {old.location.prefix()}",
                        new.location,
                        "define it once, in the pack the others include, or identically",
                    )
        # Two fields must never claim the same input heading.
        claimed: dict[str, tuple[str, str]] = {}
        for part in parts:
            for name, heading, where in part.headings:
                key = normalise_heading(heading)
                other, other_heading = claimed.setdefault(key, (name, heading))
                if other != name:
                    also = f" (its heading {other_heading!r})" if other_heading != other else ""
                    self._problem(
                        f"heading {heading!r} of field {name} also matches field {other}{also}",
                        where,
                        "headings are compared ignoring case, spaces, underscores and hyphens",
                    )
        return fields

    def _merge_lists(self, parts: Sequence[_Part]) -> dict[str, ListDef]:
        lists: dict[str, ListDef] = {}
        for part in parts:
            for new in part.lists:
                old = lists.setdefault(new.name, new)
                if old.entries != new.entries:
                    self._problem(
                        f"list {new.name} is already defined with other entries"
                        f" at {old.location.prefix()}",
                        new.location,
                        "define it once, in the pack the others include, or identically",
                    )
        return lists

    def _merge_rules(
        self, parts: Sequence[_Part], fields: dict[str, FieldDef]
    ) -> tuple[RuleDef, ...]:
        rules: dict[str, RuleDef] = {}
        for part in parts:
            for rule in part.rules:
                first = rules.setdefault(rule.id, rule)
                if first is not rule:
                    self._problem(
                        f"duplicate rule id {rule.id} (first defined at {first.location.prefix()})",
                        rule.location,
                        self._duplicate_hint(part, first),
                    )
            # Rules may use fields from anywhere in the merged pack.
            for name, where in part.field_refs:
                if name not in fields:
                    message, hint = _unknown_field(name, fields)
                    self._problem(message, where, hint)
        return tuple(rules.values())

    def _apply_overlays(
        self, parts: Sequence[_Part], rules: tuple[RuleDef, ...]
    ) -> tuple[tuple[RuleDef, ...], dict[str, str]]:
        found: list[Overlay] = []
        for part in parts:
            problem = overrides_without_base(part.doc)
            if problem is not None:
                self.problems.append(problem)
            if part.base is not None:
                found.append(Overlay(part.doc, part.name, self._name_at(part.base) or "",
                                     self._tree(part.base)))
        if not found:
            return rules, {}
        kept, disabled, problems = apply_overrides(rules, found)
        self.problems += problems
        return kept, disabled

    def _duplicate_hint(self, part: _Part, first: RuleDef) -> str:
        if part.base is not None and first.pack in self._tree(part.base):
            return duplicate_hint(self._name_at(part.base))
        return duplicate_hint(None)

    def _tree(self, key: Path) -> frozenset[str]:
        """Names of the pack at ``key`` and of every pack it extends or includes."""
        names: set[str] = set()
        stack = [key]
        while stack:
            part = self.parts.get(stack.pop())
            if part is not None and part.name not in names:
                names.add(part.name)
                stack.extend(part.reached)
        return frozenset(names)

    def _name_at(self, key: Path | None) -> str | None:
        part = self.parts.get(key) if key is not None else None
        return part.name if part is not None else None

    def _problem(self, message: str, where: Location | None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, where or Location(), hint))


def _unknown_field(name: str, fields: Iterable[str]) -> tuple[str, str | None]:
    known = list(fields)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown field {name!r}; did you mean {close[0]!r}?", None
    return f"unknown field {name!r}", f"fields defined: {', '.join(known) or '(none)'}"


_LIST_HINT = "a list this long is no hand-written list; split it, or check the pack"


def _too_many(name: str, count: int) -> str:
    return f"list {name} has {count:,} entries; the most allowed is {MAX_LIST_ENTRIES:,}"


def _read_list_file(path: Path, written: str) -> tuple[str, ...]:
    """Entries of a list file: one a line, trimmed; blank lines and # comments skipped.

    Errors name the file as the pack writes it and never quote its lines."""
    try:
        content = read_limited(path, MAX_LIST_FILE_BYTES)
    except FileNotFoundError:
        raise PackError(f"list file not found: {written}",
                        hint="the path is relative to the pack file") from None
    except OSError as error:
        raise PackError(f"cannot read list file {written}: {error.strerror or error}"
                        ) from None
    if len(content) > MAX_LIST_FILE_BYTES:
        raise PackError(f"list file {written} is larger than"
                        f" {MAX_LIST_FILE_BYTES // 1024 // 1024} MiB, the most allowed",
                        hint=_LIST_HINT)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise PackError(f"list file {written} is not UTF-8 text (line {line})",
                        hint="save it as UTF-8") from None
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def _digest(files: Sequence[str]) -> str:
    """sha256 over the files' contents, in ``files`` order, each prefixed by its length.

    Names are left out so that a pack hashes the same wherever it is installed; the length
    prefix keeps two files from hashing like their concatenation.
    """
    hasher = hashlib.sha256()
    for name in files:
        try:
            content = Path(name).read_bytes()
        except OSError as error:
            raise PackError(f"cannot read {name}: {error.strerror or error}") from None
        hasher.update(len(content).to_bytes(8, "big"))
        hasher.update(content)
    return hasher.hexdigest()
