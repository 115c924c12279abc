"""A pack's documentation page as Markdown or as one self-contained HTML file.

Both pages say the same, in the same order (see ``packdocs``). All pack text is escaped:
Markdown punctuation is backslash-escaped and expressions sit in code spans and fences long
enough for any backticks they hold; in HTML every text goes through ``html.escape``.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator

from lrsrules.authoring.packdocs import Example, PackDocs, RuleDoc, Section
from lrsrules.run.crossrecord import describe_unique

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")
_MD_LINE_START = re.compile(r"^(?:([-+=])|([0-9]+)([.)]))")  # would start a list or heading
_BACKTICKS = re.compile(r"`+")
MAX_LIST_ENTRIES = 20  # of a list, shown on the page
_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; }
h1, h2, h3 { line-height: 1.25; } h3 { margin-top: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; }
code { font: 13px/1.4 ui-monospace, monospace; }
.sev-error { color: #a40000; } .sev-warning { color: #8a5a00; } .sev-info { color: #245; }
.provisional { background: #fff3cd; padding: 0 .3rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
""".strip()


def render_markdown(docs: PackDocs) -> str:
    """The page as GitHub-flavoured Markdown."""
    return "\n".join(_Markdown(docs).lines()) + "\n"


def render_html(docs: PackDocs) -> str:
    """The page as one HTML file with its style sheet inline."""
    return "\n".join(_Html(docs).lines()) + "\n"


def anchor(rule_id: str) -> str:
    """The fragment id of a rule's entry: ``rule-cdd-uln-02``."""
    return "rule-" + re.sub(r"[^a-z0-9]+", "-", rule_id.lower()).strip("-")


def pack_anchor(name: str) -> str:
    """The fragment id of a pack's section: ``pack-lrs-cdd``."""
    return f"pack-{name}"  # pack names are already lower-case words and hyphens


def relative(path: str | None, docs: PackDocs) -> str:
    """``path`` relative to the pack's root folder: the page names no folder of the machine
    it was built on."""
    if not path:
        return ""
    root = docs.pack.root or os.path.dirname(docs.pack.path)
    try:
        shown = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive
        return os.path.basename(path)
    return os.path.basename(path) if shown.startswith("..") else shown.replace(os.sep, "/")


_ROLE_WORDS = {"when": "applies when", "check": "passes when", "unless": "no finding when"}


def _in_words(doc: RuleDoc) -> str:
    """``applies when x is given; passes when ...``: the conditions told in words."""
    return "; ".join(f"{_ROLE_WORDS[role]} {words}" for role, words in doc.in_words)


def _severity(doc: RuleDoc) -> str:
    override = doc.override
    return doc.rule.severity + (f" ({override})" if override else "")


def _counts(docs: PackDocs) -> str:
    rules = docs.rules
    by_severity = Counter(rule.rule.severity for rule in rules)
    parts = [f"{by_severity[s]} {s}" for s in ("error", "warning", "info") if by_severity[s]]
    text = f"{len(rules)} rule{'' if len(rules) == 1 else 's'}"
    if parts:
        text += f" ({', '.join(parts)})"
    return f"{text}; {docs.provisional} provisional"


def _expressions(rule: RuleDoc) -> Iterator[tuple[str, str]]:
    if rule.rule.unique:  # a rule that compares records: its key, as the pack writes it
        yield "unique", f"[{', '.join(rule.rule.unique)}]"
        if rule.rule.casefold:
            yield "casefold", "true"
    for role in ("when", "check", "unless"):
        source = getattr(rule.rule, role)
        if source is not None:
            yield role, source.text.strip()


def _entries(entries: tuple[str, ...]) -> str:
    """``3: a, b, c``; long lists are cut short."""
    shown = ", ".join(entries[:MAX_LIST_ENTRIES])
    more = len(entries) - MAX_LIST_ENTRIES
    return f"{len(entries)}: {shown}" + (f" and {more} more" if more > 0 else "")


def _example_text(example: Example, quote: Callable[[str], str]) -> str:
    values = ", ".join(f"{name} = {quote('(blank)' if value is None else repr(value))}"
                       for name, value in example.values)
    return values or quote("(no values)")


class _Markdown:
    def __init__(self, docs: PackDocs) -> None:
        self.docs = docs

    def lines(self) -> Iterator[str]:
        docs, pack = self.docs, self.docs.pack
        yield f"# {_md(pack.name)} {_md(pack.version)}" + (
            f": {_md(pack.title)}" if pack.title else "")
        yield ""
        if pack.description:
            yield _para(pack.description)
            yield ""
        yield f"- Pack file: {_code(relative(pack.path, docs))}"
        if pack.extends:
            yield f"- Extends: {self.pack_link(pack.extends)}"
        yield f"- sha256: {_code(pack.sha256)}"
        if pack.includes:
            yield f"- Includes: {', '.join(self.pack_link(name) for name in pack.includes)}"
        yield f"- {_counts(docs)}"
        yield ""
        if docs.rules:
            yield "| Rule | Severity | Enforced by | Field | Message |"
            yield "|---|---|---|---|---|"
            for rule in docs.rules:
                flag = " (provisional)" if rule.provisional else ""
                yield (f"| [{_md(rule.rule.id)}](#{anchor(rule.rule.id)}){flag} | "
                       f"{rule.rule.severity} | {rule.rule.enforced_by or ''} | "
                       f"{', '.join(map(_code, rule.rule.fields))} | "
                       f"{_cell(rule.rule.message)} |")
            yield ""
        yield from self.disabled()
        for section in docs.sections:
            yield from self.section(section)
        yield from self.fields()

    def disabled(self) -> Iterator[str]:
        pack = self.docs.pack
        if not pack.disabled:
            return
        yield "## Rules this overlay disables"
        yield ""
        yield "| Rule | Reason |"
        yield "|---|---|"
        for rule_id, reason in pack.disabled.items():
            yield f"| {_md(rule_id)} | {_cell(reason)} |"
        yield ""

    def pack_link(self, name: str) -> str:
        documented = any(section.pack == name and section.rules for section in self.docs.sections)
        return f"[{_md(name)}](#{pack_anchor(name)})" if documented else _md(name)

    def section(self, section: Section) -> Iterator[str]:
        if not section.rules:
            return
        title = f": {_md(section.title)}" if section.title else ""
        yield f'<a id="{pack_anchor(section.pack)}"></a>'
        yield ""
        yield f"## {_md(section.pack)} {_md(section.version)}{title}"
        yield ""
        if section.pack != self.docs.pack.name and section.description:
            yield _para(section.description)
            yield ""
        for rule in section.rules:
            yield from self.rule(rule)

    def rule(self, doc: RuleDoc) -> Iterator[str]:
        rule = doc.rule
        yield f'<a id="{anchor(rule.id)}"></a>'
        yield ""
        yield f"### {_md(rule.id)}"
        yield ""
        yield _para(doc.description)
        yield ""
        yield f"- **Severity:** {_md(_severity(doc))}"
        yield f"- **Enforced by:** {_md(doc.enforced_by)}"
        if doc.in_words:
            yield f"- **In words:** {_md(_in_words(doc))}"
        yield f"- **Field:** {', '.join(_code(name) for name in rule.fields)}"
        if rule.doc:
            yield f"- **Message:** {_md(rule.message)}"
        if rule.unique:
            yield f"- **Across records:** {_md(describe_unique(rule))}"
        if rule.provenance:
            yield f"- **Provenance:** {_md(rule.provenance.strip())}"
        for key, value in doc.in_force:
            yield f"- **{key.capitalize()}:** {_md(value)}"
        if rule.tags:
            yield f"- **Tags:** {', '.join(_md(tag) for tag in rule.tags)}"
        yield ""
        body = "\n".join(f"{role}: {text}" for role, text in _expressions(doc))
        fence = "`" * max(3, _longest_backticks(body) + 1)
        yield f"{fence}text\n{body}\n{fence}"
        yield ""
        yield from self.examples("Fires on", doc.fires, doc.more_fires)
        yield from self.examples("Passes on", doc.passes, doc.more_passes)

    def examples(self, label: str, examples: tuple[Example, ...], more: int) -> Iterator[str]:
        if not examples:
            return
        yield f"{label}:"
        yield ""
        for example in examples:
            yield (f"- {_md(example.case)} ({_code(relative(example.file, self.docs))}): "
                   f"{_example_text(example, _code)}")
        if more:
            yield f"- and {more} more"
        yield ""

    def fields(self) -> Iterator[str]:
        pack = self.docs.pack
        yield "## Fields"
        yield ""
        yield "| Field | Headings accepted | Description |"
        yield "|---|---|---|"
        for name, field in pack.fields.items():
            yield (f"| {_code(name)} | {_cell(', '.join(field.aliases))} | "
                   f"{_cell(field.description or '')} |")
        yield ""
        if pack.lists:
            yield "## Lists"
            yield ""
            yield "| List | Entries | Source |"
            yield "|---|---|---|"
            for name, spec in pack.lists.items():
                source = relative(spec.file, self.docs) if spec.file else "inline"
                yield (f"| {_code('@' + name)} | {_cell(_entries(spec.entries))} | "
                       f"{_cell(source)} |")
            yield ""


class _Html:
    def __init__(self, docs: PackDocs) -> None:
        self.docs = docs

    def lines(self) -> Iterator[str]:
        docs, pack = self.docs, self.docs.pack
        heading = f"{pack.name} {pack.version}" + (f": {pack.title}" if pack.title else "")
        yield "<!DOCTYPE html>"
        yield '<html lang="en">'
        yield '<head><meta charset="utf-8">'
        yield f"<title>{_h(heading)}</title>"
        yield f"<style>\n{_CSS}\n</style></head>"
        yield "<body>"
        yield f"<h1>{_h(heading)}</h1>"
        if pack.description:
            yield f"<p>{_h(pack.description.strip())}</p>"
        yield "<dl>"
        yield f"<dt>Pack file</dt><dd><code>{_h(relative(pack.path, docs))}</code></dd>"
        if pack.extends:
            yield f"<dt>Extends</dt><dd>{self.pack_link(pack.extends)}</dd>"
        yield f"<dt>sha256</dt><dd><code>{_h(pack.sha256)}</code></dd>"
        if pack.includes:
            links = ", ".join(self.pack_link(name) for name in pack.includes)
            yield f"<dt>Includes</dt><dd>{links}</dd>"
        yield f"<dt>Rules</dt><dd>{_h(_counts(docs))}</dd>"
        yield "</dl>"
        if docs.rules:
            yield ("<table><tr><th>Rule</th><th>Severity</th><th>Enforced by</th><th>Field</th>"
                   "<th>Message</th></tr>")
            for rule in docs.rules:
                flag = ' <span class="provisional">provisional</span>' \
                    if rule.provisional else ""
                yield (f'<tr><td><a href="#{anchor(rule.rule.id)}">{_h(rule.rule.id)}</a>'
                       f"{flag}</td><td class=\"sev-{rule.rule.severity}\">"
                       f"{rule.rule.severity}</td><td>{_h(rule.rule.enforced_by or '')}</td>"
                       f"<td>{_h(', '.join(rule.rule.fields))}</td>"
                       f"<td>{_h(rule.rule.message)}</td></tr>")
            yield "</table>"
        if pack.disabled:
            yield "<h2>Rules this overlay disables</h2>"
            yield "<table><tr><th>Rule</th><th>Reason</th></tr>"
            for rule_id, reason in pack.disabled.items():
                yield f"<tr><td>{_h(rule_id)}</td><td>{_h(reason)}</td></tr>"
            yield "</table>"
        for section in docs.sections:
            yield from self.section(section)
        yield from self.fields()
        yield "</body>"
        yield "</html>"

    def pack_link(self, name: str) -> str:
        documented = any(section.pack == name and section.rules for section in self.docs.sections)
        return f'<a href="#{pack_anchor(name)}">{_h(name)}</a>' if documented else _h(name)

    def section(self, section: Section) -> Iterator[str]:
        if not section.rules:
            return
        title = f": {section.title}" if section.title else ""
        yield (f'<h2 id="{pack_anchor(section.pack)}">'
               f"{_h(f'{section.pack} {section.version}{title}')}</h2>")
        if section.pack != self.docs.pack.name and section.description:
            yield f"<p>{_h(section.description.strip())}</p>"
        for rule in section.rules:
            yield from self.rule(rule)

    def rule(self, doc: RuleDoc) -> Iterator[str]:
        rule = doc.rule
        yield f'<h3 id="{anchor(rule.id)}">{_h(rule.id)}</h3>'
        yield f"<p>{_h(doc.description.strip())}</p>"
        yield "<dl>"
        yield (f'<dt>Severity</dt><dd class="sev-{rule.severity}">{_h(_severity(doc))}</dd>')
        yield f"<dt>Enforced by</dt><dd>{_h(doc.enforced_by)}</dd>"
        if doc.in_words:
            yield f"<dt>In words</dt><dd>{_h(_in_words(doc))}</dd>"
        yield f"<dt>Field</dt><dd><code>{_h(', '.join(rule.fields))}</code></dd>"
        if rule.doc:
            yield f"<dt>Message</dt><dd>{_h(rule.message)}</dd>"
        if rule.unique:
            yield f"<dt>Across records</dt><dd>{_h(describe_unique(rule))}</dd>"
        if rule.provenance:
            style = ' class="provisional"' if doc.provisional else ""
            yield f"<dt>Provenance</dt><dd><span{style}>{_h(rule.provenance.strip())}</span></dd>"
        for key, value in doc.in_force:
            yield f"<dt>{key.capitalize()}</dt><dd>{_h(value)}</dd>"
        if rule.tags:
            yield f"<dt>Tags</dt><dd>{_h(', '.join(rule.tags))}</dd>"
        yield "</dl>"
        body = "\n".join(f"{role}: {text}" for role, text in _expressions(doc))
        yield f"<pre><code>{_h(body)}</code></pre>"
        yield from self.examples("Fires on", doc.fires, doc.more_fires)
        yield from self.examples("Passes on", doc.passes, doc.more_passes)

    def examples(self, label: str, examples: tuple[Example, ...], more: int) -> Iterator[str]:
        if not examples:
            return
        yield f"<p>{label}:</p><ul>"
        for example in examples:
            where = _h(relative(example.file, self.docs))
            yield (f"<li>{_h(example.case)} (<code>{where}</code>): "
                   f"{_example_text(example, _hcode)}</li>")
        if more:
            yield f"<li>and {more} more</li>"
        yield "</ul>"

    def fields(self) -> Iterator[str]:
        pack = self.docs.pack
        yield "<h2>Fields</h2>"
        yield "<table><tr><th>Field</th><th>Headings accepted</th><th>Description</th></tr>"
        for name, field in pack.fields.items():
            yield (f"<tr><td><code>{_h(name)}</code></td><td>{_h(', '.join(field.aliases))}"
                   f"</td><td>{_h(field.description or '')}</td></tr>")
        yield "</table>"
        if pack.lists:
            yield "<h2>Lists</h2>"
            yield "<table><tr><th>List</th><th>Entries</th><th>Source</th></tr>"
            for name, spec in pack.lists.items():
                source = relative(spec.file, self.docs) if spec.file else "inline"
                yield (f"<tr><td><code>@{_h(name)}</code></td><td>{_h(_entries(spec.entries))}</td>"
                       f"<td>{_h(source)}</td></tr>")
            yield "</table>"


def _md(text: str) -> str:
    """Text with Markdown punctuation escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _para(text: str) -> str:
    """``_md`` for text that starts a line, where ``- `` or ``1. `` would start a list."""
    return _MD_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}",
                              _md(text))


def _cell(text: str) -> str:
    return _md(text)  # one line, pipes escaped: fit for a table cell


def _code(text: str) -> str:
    """A Markdown code span that holds ``text`` whatever backticks it contains."""
    text = " ".join(text.split())
    fence = "`" * (_longest_backticks(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _hcode(text: str) -> str:
    return f"<code>{_h(text)}</code>"
