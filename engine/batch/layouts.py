"""Batch file layouts: one YAML file per kind and version of LRS batch file, loaded as data.

A layout says what a well-formed batch file looks like (its name, header record, learner
headings and the pack field each maps to, trailer, XML form, the return codes of an output
file), which pack runs on each learner record, and the id, severity and message of every
check the batch engine makes. The file is shape-checked against
``schemas/layout.schema.json``, then checked for meaning (regexes compile, groups and
headings exist, messages name only the placeholders their check fills in); every problem is
a ``PackError`` pointing at its line, like a pack's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from lrsrules.errors import PackError, Problem
from lrsrules.findings import Finding
from lrsrules.lang.regexes import Regex, check_portable_regex, compile_regex
from lrsrules.packs.discovery import bundled_dir, check_inside
from lrsrules.packs.schema import check_shape, schema_validator
from lrsrules.packs.yamlsource import YamlDocument, YamlPath, load_yaml

LAYOUTS_FOLDER = "layouts"  # in the bundled rulepacks folder
DEFAULT_LAYOUT = "lrb-2a"
SUFFIXES = (".yaml", ".yml")

_HEADING = ("heading", "found", "column", "expected_column")
# Every check the engine makes, with the placeholders its message may use (never record,
# line, field or value: those name the parts of the finding itself).
CHECKS: Mapping[str, tuple[str, ...]] = {
    "file.empty": (),
    "name.form": ("name", "extensions"),
    "name.extension_case": ("name", "extension", "extensions"),
    "name.timestamp": ("name", "timestamp"),
    "name.future": ("name", "timestamp"),
    "name.header": ("name", "group", "found", "heading", "header_value"),
    "header.missing": (),
    "header.value": ("heading",),  # each header field's own rule, given with the field
    "header.heading_missing": _HEADING,
    "header.heading_unexpected": _HEADING,
    "header.heading_misspelt": _HEADING,
    "header.heading_moved": _HEADING,
    "header.heading_duplicate": _HEADING,
    "header.own_rows": ("first", "last", "row"),
    "header.later_values": ("headings", "count", "row"),
    "header.count": ("declared", "count"),
    "header.count_range": ("count", "min", "max"),
    "headings.none": ("row",),
    "headings.missing": _HEADING,
    "headings.unexpected": _HEADING,
    "headings.misspelt": _HEADING,
    "headings.moved": _HEADING,
    "headings.duplicate": _HEADING,
    "headings.variant": _HEADING,
    "records.none": (),
    "record.columns": ("count", "width"),
    "record.elements": (),
    "trailer.missing": ("marker",),
    "trailer.count": ("declared", "count"),
    "return_code.missing": ("heading",),
    "return_code.unknown": ("code", "heading"),
    "return_code.reported": ("code", "meaning", "action"),
}
# Which checks a layout must give rules for, by the part of the layout they check.
_NEEDED = {
    None: ("file.empty", "headings.none", "headings.missing", "headings.unexpected",
           "headings.misspelt", "headings.moved", "headings.duplicate", "records.none",
           "record.columns"),
    "file_name": ("name.form", "name.extension_case", "name.timestamp", "name.future",
                  "name.header"),
    "header": ("header.missing", "header.heading_missing", "header.heading_unexpected",
               "header.heading_misspelt", "header.heading_moved", "header.heading_duplicate",
               "header.own_rows", "header.later_values"),
    "xml": ("record.elements",),
    "trailer": ("trailer.missing", "trailer.count"),
    "output": ("return_code.missing", "return_code.unknown", "return_code.reported"),
}
# Checks needed only when some header field or learner heading uses the feature.
_NEEDED_BY_COUNT = ("header.count", "header.count_range")
_NEEDED_BY_VARIANT = ("headings.variant",)
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class LayoutRule:
    """The id, severity and message of one check; ``finding`` fills the message in."""

    check: str
    id: str
    severity: str
    message: str

    def finding(self, record: int | None = None, line: int | None = None,
                field: str | None = None, value: str | None = None,
                **params: object) -> Finding:
        return Finding(record, line, field, self.id, self.severity,
                       self.message.format_map(params), value)


@dataclass(frozen=True, slots=True)
class HeaderField:
    heading: str
    rule: LayoutRule
    required: bool = True
    values: tuple[str, ...] = ()
    pattern: Regex | None = None
    count: tuple[int | None, int | None] | None = None  # (min, max): the learner rows

    def accepts(self, value: str | None) -> bool:
        """Whether ``value`` (None when blank or absent) is a right value for the field."""
        if value is None:
            return not self.required
        if self.values and value not in self.values:
            return False
        return self.pattern is None or self.pattern.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class FileNameRule:
    pattern: Regex  # run on RE2: linear in the length of the name
    extensions: tuple[str, ...]
    timestamp: str  # strptime format of the timestamp group
    formats: tuple[str, ...]  # input formats whose names are checked
    header_values: Mapping[str, str]  # pattern group -> header heading it must equal


@dataclass(frozen=True, slots=True)
class ReturnCode:
    code: str
    meaning: str
    severity: str | None = None  # a finding of this severity for a learner given the code
    action: str | None = None  # what the provider does about it


@dataclass(frozen=True, slots=True)
class OutputSpec:
    headings: tuple[str, ...]
    return_code: str
    codes: Mapping[str, ReturnCode]


@dataclass(frozen=True, slots=True)
class TrailerSpec:
    marker: str
    count_column: int | None = None  # 1-based


@dataclass(frozen=True, slots=True)
class XmlSpec:
    root: str
    learner: str  # path from the root, e.g. Learners/Learner
    header: str | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    version: str
    title: str
    path: str
    pack: str  # reference to the pack run on every record
    learner: tuple[tuple[str, str], ...]  # (heading, pack field), in the prescribed order
    rules: Mapping[str, LayoutRule]  # by check
    sha256: str
    header: tuple[HeaderField, ...] = ()
    file_name: FileNameRule | None = None
    trailer: TrailerSpec | None = None
    xml: XmlSpec | None = None
    output: OutputSpec | None = None
    delimiter: str = ","
    provisional: str | None = None
    variants: Mapping[str, str] = dataclass_field(default_factory=dict)  # spelling -> heading

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(heading for heading, _ in self.learner)

    @property
    def pack_base(self) -> Path:
        """The folder a relative ``pack`` reference is taken from."""
        return Path(self.path).parent

    def rule(self, check: str) -> LayoutRule:
        return self.rules[check]


def layouts_dir() -> Path:
    return bundled_dir() / LAYOUTS_FOLDER


def bundled_layouts() -> list[str]:
    return sorted(p.stem for p in layouts_dir().iterdir() if p.suffix in SUFFIXES)


def find_layout(ref: str | os.PathLike[str]) -> Path:
    """The layout file ``ref`` names: a path, or the name of a bundled layout."""
    text = os.fspath(ref)
    if isinstance(ref, os.PathLike) or any(s in text for s in "/" + os.sep) \
            or text.endswith(SUFFIXES):
        path = Path(text)
        if not path.is_file():
            raise PackError(f"no layout file at {path}", hint="check the path and its spelling")
        return path
    if _NAME.match(text):
        for suffix in SUFFIXES:
            path = layouts_dir() / f"{text}{suffix}"
            if path.is_file():
                return path
    raise PackError(f"no bundled layout named {text!r}",
                    hint=f"bundled layouts: {', '.join(bundled_layouts()) or '(none)'}")


def load_layout(ref: str | os.PathLike[str] | None = None) -> Layout:
    """Load and check the layout ``ref`` names (``DEFAULT_LAYOUT`` when None)."""
    path = find_layout(DEFAULT_LAYOUT if ref is None else ref)
    doc = load_yaml(path, kind="layout", key="layout")
    problems = check_shape(doc, schema_validator("layout.schema.json"), _describe,
                           quote="layout" in doc.data)
    if problems:
        raise PackError(problems=problems)
    reader = _Reader(doc)
    layout = reader.read()
    if reader.problems:
        raise PackError(problems=sorted(reader.problems, key=_position))
    return layout


class _Reader:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def fail(self, message: str, at: YamlPath, hint: str | None = None,
             key: bool = False) -> None:
        where = self.doc.key_location(at) if key else self.doc.location(at)
        self.problems.append(Problem(message, where, hint))

    def read(self) -> Layout:
        data = self.doc.data
        rules = self._rules(data["rules"])
        header = tuple(self._header_field(i, spec) for i, spec in enumerate(data.get("header", [])))
        learner = tuple((spec["heading"], spec["field"]) for spec in data["learner"])
        self._distinct(("learner",), [h for h, _ in learner], "heading")
        self._distinct(("learner",), [f for _, f in learner], "field")
        self._distinct(("header",), [f.heading for f in header], "heading")
        variants = self._variants(data["learner"], header)
        output = self._output(data.get("output"), learner)
        self._pack_ref(data["pack"])
        needed = [check for part, checks in _NEEDED.items() if part is None or part in data
                  for check in checks]
        needed += _NEEDED_BY_COUNT if any(f.count for f in header) else ()
        needed += _NEEDED_BY_VARIANT if variants else ()
        for check in needed:
            if check not in rules:
                self.fail(f"rules has no rule for check {check!r}", ("rules",), key=True)
        return Layout(
            name=data["layout"], version=data["version"], title=data["title"],
            path=self.doc.path, pack=data["pack"], learner=learner, rules=rules,
            sha256=hashlib.sha256(self.doc.text.encode("utf-8")).hexdigest(),
            header=header, file_name=self._file_name(data.get("file_name"), header),
            trailer=_trailer(data.get("trailer")), xml=_xml(data.get("xml")), output=output,
            delimiter=data.get("delimiter", ","), provisional=data.get("provisional"),
            variants=variants,
        )

    def _rules(self, specs: dict[str, Any]) -> dict[str, LayoutRule]:
        rules: dict[str, LayoutRule] = {}
        seen: dict[str, str] = {}
        for check, spec in specs.items():
            rule = self._rule(("rules", check), check, spec)
            if rule.id in seen and seen[rule.id] != check:
                self.fail(f"rule id {rule.id} is also the id of check {seen[rule.id]!r}",
                          ("rules", check, "id"), "each check has an id of its own")
            seen.setdefault(rule.id, check)
            rules[check] = rule
        return rules

    def _pack_ref(self, ref: str) -> None:
        # A pack named by path stays in the layout's folder, as a pack's includes do.
        if any(sep in ref for sep in "/" + os.sep) or ref.endswith(SUFFIXES):
            folder = Path(self.doc.path).parent
            try:
                check_inside(folder / ref, folder, ref, "pack", owner="layout")
            except PackError as error:
                self.fail(error.problems[0].message, ("pack",), error.problems[0].hint)

    def _rule(self, at: YamlPath, check: str, spec: dict[str, Any]) -> LayoutRule:
        allowed = CHECKS[check]
        names = _placeholders(spec["message"])
        if names is None:
            self.fail("message has a brace without its pair", (*at, "message"),
                      "write {{ and }} for a brace")
        for name in names or ():
            if name not in allowed:
                words = ", ".join("{" + p + "}" for p in allowed) or "none"
                self.fail(f"message names {{{name}}}, which this check does not fill in",
                          (*at, "message"), f"placeholders here: {words}; write {{{{ and }}}}"
                          " for a brace")
        return LayoutRule(check, spec["id"], spec.get("severity", "error"), spec["message"])

    def _header_field(self, index: int, spec: dict[str, Any]) -> HeaderField:
        at: YamlPath = ("header", index)
        rule = self._rule((*at, "rule"), "header.value", spec["rule"])
        pattern = self._regex(spec.get("pattern"), (*at, "pattern"))
        count = spec.get("count")
        bounds = None if count is None else (count.get("min"), count.get("max"))
        if count and count.get("min", 0) > count.get("max", count.get("min", 0)):
            self.fail("count min is more than its max", (*at, "count"))
        return HeaderField(spec["heading"], rule, spec.get("required", True),
                           tuple(spec.get("values", ())), pattern, bounds)

    def _variants(self, specs: list[dict[str, Any]],
                  header: tuple[HeaderField, ...]) -> dict[str, str]:
        taken = {spec["heading"] for spec in specs} | {field.heading for field in header}
        variants: dict[str, str] = {}
        for index, spec in enumerate(specs):
            for other, spelling in enumerate(spec.get("also", ())):
                if spelling in taken or spelling in variants:
                    self.fail(f"{spelling!r} is already a heading or another spelling",
                              ("learner", index, "also", other))
                variants[spelling] = spec["heading"]
        return variants

    def _file_name(self, spec: dict[str, Any] | None,
                   header: tuple[HeaderField, ...]) -> FileNameRule | None:
        if spec is None:
            return None
        at: YamlPath = ("file_name",)
        pattern = self._regex(spec["pattern"], (*at, "pattern"))
        groups = set(pattern.groupindex) if pattern else set()
        if pattern is not None:
            for group in ("timestamp", "extension"):
                if group not in groups:
                    self.fail(f"the name pattern has no group (?P<{group}>...)",
                              (*at, "pattern"))
        headings = {field.heading for field in header}
        values: dict[str, str] = spec.get("header_values", {})
        for group, heading in values.items():
            if pattern is not None and group not in groups:
                self.fail(f"the name pattern has no group (?P<{group}>...)",
                          (*at, "header_values", group), key=True)
            if heading not in headings:
                self.fail(f"{heading!r} is not a heading of the header",
                          (*at, "header_values", group))
        stamp = spec["timestamp"]
        if not _round_trips(stamp):
            self.fail(f"{stamp!r} is not a strptime format that writes a date and time",
                      (*at, "timestamp"), "for DDMMYYYYHHMM write %d%m%Y%H%M")
        return FileNameRule(pattern or compile_regex(""), tuple(spec["extensions"]), stamp,
                            tuple(spec.get("formats", ("csv", "xml"))), values)

    def _output(self, spec: dict[str, Any] | None,
                learner: tuple[tuple[str, str], ...]) -> OutputSpec | None:
        if spec is None:
            return None
        headings = tuple(spec["headings"])
        known = {heading for heading, _ in learner}
        for index, heading in enumerate(headings):
            if heading in known:
                self.fail(f"{heading!r} is also a learner heading", ("output", "headings", index))
        if spec["return_code"] not in headings:
            self.fail(f"{spec['return_code']!r} is not one of the output headings",
                      ("output", "return_code"))
        codes = {code: ReturnCode(code, entry["meaning"], entry.get("severity"),
                                  entry.get("action"))
                 for code, entry in spec["codes"].items()}
        return OutputSpec(headings, spec["return_code"], codes)

    def _regex(self, text: str | None, at: YamlPath) -> Regex | None:
        if text is None:
            return None
        error = check_portable_regex(text)
        if error:
            self.fail(f"invalid regular expression: {error}", at)
            return None
        return compile_regex(text)

    def _distinct(self, at: YamlPath, items: list[str], what: str) -> None:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item in seen:
                self.fail(f"{what} {item!r} is listed twice", (*at, index, what))
            seen.add(item)


def _trailer(spec: dict[str, Any] | None) -> TrailerSpec | None:
    return None if spec is None else TrailerSpec(spec["marker"], spec.get("count_column"))


def _xml(spec: dict[str, Any] | None) -> XmlSpec | None:
    return None if spec is None else XmlSpec(spec["root"], spec["learner"], spec.get("header"))


def _placeholders(message: str) -> list[str] | None:
    """The names between braces in ``message``; None when a brace has no pair."""
    try:
        parsed = list(string.Formatter().parse(message))
    except ValueError:
        return None
    # A conversion or format spec ({x!r}, {x:>3}) is kept in the name, so it is refused.
    return [name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            for _, name, spec, conversion in parsed if name is not None]


def _round_trips(fmt: str) -> bool:
    moment = dt.datetime(2001, 2, 3, 4, 5)
    try:
        return dt.datetime.strptime(moment.strftime(fmt), fmt) == moment
    except ValueError:
        return False


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.location.line or 0, problem.location.column or 0)


def _describe(doc: YamlDocument, path: YamlPath) -> str:
    if not path:
        return "the layout"
    head, rest = path[0], path[1:]
    if not rest:
        return "layout name" if head == "layout" else str(head)
    if head in ("learner", "header") and isinstance(rest[0], int):
        owner = f"{head} heading {rest[0] + 1}"
        return owner if len(rest) == 1 else f"{' '.join(map(str, rest[1:]))} of {owner}"
    if head == "rules":
        owner = f"rule {rest[0]}"
        return owner if len(rest) == 1 else f"{rest[1]} of {owner}"
    return " ".join(str(part) for part in path)

