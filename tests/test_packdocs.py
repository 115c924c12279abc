"""Pack documentation pages: what they say (authoring.packdocs) and how it is written
(report.docpages)."""

from __future__ import annotations

import dataclasses
import html.parser
import textwrap
from pathlib import Path

import pytest

from lrsrules.authoring.packdocs import PackDocs, RuleDoc, build_pack_docs, is_provisional
from lrsrules.report.docpages import anchor, render_html, render_markdown

BASE = """\
pack: base
version: 2.0.0
title: Base rules
description: Fields and a rule of their own.
fields:
  name: {aliases: [Name], description: The learner's name}
  code: {aliases: [Code]}
lists:
  codes: ['1', '2']
rules:
  - id: B.CODE.01
    field: code
    severity: warning
    check: code in @codes
    message: "Code must be 1 or 2 | <b>not</b> *bold*"
    provenance: "provisional: not yet confirmed"
"""

BASE_TESTS = """\
cases:
  - {name: code three, record: {Code: "3"}, expect: [B.CODE.01]}
  - {name: code one, record: {Code: "1"}, expect: []}
  - {name: no code, record: {}, expect: []}
"""

TOP = """\
pack: top
version: 1.0.0
title: Top <pack>
include: [../base]
rules:
  - id: T.NAME.01
    field: name
    severity: error
    when: present(name)
    check: len(name) <= 5
    message: Name is too long
    doc: "- Names hold at most five characters & no `backticks`."
    provenance: Schema, section 2
    enforced_by: lrs
    tags: [names]
"""

TOP_TESTS = """\
cases:
  - {name: long name, record: {Name: Alexander}, expect: [T.NAME.01]}
  - {name: short name, record: {Name: Bo, Code: "2"}, expect: []}
  - {name: long name and bad code, record: {Name: Alexander, Code: "7"},
     expect: [T.NAME.01, B.CODE.01]}
"""


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")


@pytest.fixture()
def docs(tmp_path: Path) -> PackDocs:
    write(tmp_path, "base/base.yaml", BASE)
    write(tmp_path, "base/tests/cases.yaml", BASE_TESTS)
    write(tmp_path, "top/top.yaml", TOP)
    write(tmp_path, "top/tests/cases.yaml", TOP_TESTS)
    return build_pack_docs(tmp_path / "top")


def rule(docs: PackDocs, rule_id: str) -> RuleDoc:
    return next(r for r in docs.rules if r.rule.id == rule_id)


def test_sections_hold_the_packs_own_rules_first_then_each_included_packs(
        docs: PackDocs) -> None:
    assert [(s.pack, s.version, [r.rule.id for r in s.rules]) for s in docs.sections] == [
        ("top", "1.0.0", ["T.NAME.01"]),
        ("base", "2.0.0", ["B.CODE.01"]),
    ]
    assert docs.provisional == 1


def test_examples_are_cases_where_the_rule_fires_or_is_evaluated_and_passes(
        docs: PackDocs) -> None:
    code = rule(docs, "B.CODE.01")
    assert [e.case for e in code.fires] == ["code three", "long name and bad code"]
    assert [e.case for e in code.passes] == ["code one", "short name"]  # "no code": skipped
    assert code.fires[0].values == (("code", "3"),)  # only what the rule reads


def test_examples_beyond_the_limit_are_counted(docs: PackDocs, tmp_path: Path) -> None:
    cases = "".join(f"  - {{name: c{i}, record: {{Code: '{i + 3}'}}, expect: [B.CODE.01]}}\n"
                    for i in range(5))
    write(tmp_path, "base/tests/more.yaml", "cases:\n" + cases)
    code = rule(build_pack_docs(tmp_path / "top"), "B.CODE.01")
    assert len(code.fires) == 3
    assert code.more_fires == 4


def test_provisional_means_provenance_starting_with_provisional(docs: PackDocs) -> None:
    assert is_provisional(rule(docs, "B.CODE.01").rule)
    assert not is_provisional(rule(docs, "T.NAME.01").rule)


def test_dates_in_force_are_shown_when_a_rule_has_them(docs: PackDocs) -> None:
    dated = dataclasses.replace(rule(docs, "T.NAME.01"),
                                rule=dataclasses.replace(rule(docs, "T.NAME.01").rule,
                                                         extra={"since": "2025-08-01"}))
    assert dated.in_force == (("since", "2025-08-01"),)
    page = render_markdown(dataclasses.replace(
        docs, sections=(dataclasses.replace(docs.sections[0], rules=(dated,)),)))
    assert "- **Since:** 2025-08-01" in page


def test_markdown_page_has_a_summary_table_and_an_entry_per_rule(docs: PackDocs) -> None:
    page = render_markdown(docs)
    assert page.startswith("# top 1.0.0: Top \\<pack\\>\n")
    assert "- 2 rules (1 error, 1 warning); 1 provisional" in page
    assert (f"| [T.NAME.01](#{anchor('T.NAME.01')}) | error | lrs | `name` | Name is too long |"
            in page)
    assert "- **Enforced by:** LRS: the LRS rejects the record (or treats it so)" in page
    assert "- **Enforced by:** not stated" in page  # B.CODE.01 does not say
    # Pack text never makes markup: pipes, tags and stars are escaped.
    assert ("| Code must be 1 or 2 \\| \\<b\\>not\\</b\\> \\*bold\\* |" in page)
    assert '<a id="rule-t-name-01"></a>\n\n### T.NAME.01' in page
    assert "\\- Names hold at most five characters \\& no \\`backticks\\`." in page
    assert "```text\nwhen: present(name)\ncheck: len(name) <= 5\n```" in page
    assert "Fires on:\n\n- long name (`" in page
    assert "- long name (`top/tests/cases.yaml`): name = `'Alexander'`\n" in page
    assert "- **In words:** applies when name is given; passes when name has at most 5 " \
           "characters" in page
    assert str(Path(docs.pack.root)) not in page  # paths are relative to the pack root
    assert "## base 2.0.0: Base rules" in page
    assert "| `@codes` | 2: 1, 2 | inline |" in page
    assert "| `name` | Name | The learner's name |" in page


def test_html_page_escapes_everything_and_is_well_formed(docs: PackDocs) -> None:
    page = render_html(docs)
    assert "<title>top 1.0.0: Top &lt;pack&gt;</title>" in page
    assert "Code must be 1 or 2 | &lt;b&gt;not&lt;/b&gt; *bold*" in page
    assert "<b>" not in page
    assert f'<h3 id="{anchor("B.CODE.01")}">B.CODE.01</h3>' in page
    assert '<span class="provisional">provisional</span>' in page
    assert "<dt>Enforced by</dt><dd>LRS: the LRS rejects the record (or treats it so)</dd>" in page
    checker = _Balance()
    checker.feed(page)
    assert checker.open == []


def test_bundled_default_pack_documents_every_rule_it_runs() -> None:
    docs = build_pack_docs("lrs-default")
    assert [s.pack for s in docs.sections] == [
        "lrs-default", "lrs-cdd", "lrs-identity", "lrs-prohibited", "lrs-privacy", "lrs-file"]
    assert len(docs.rules) == len(docs.pack.rules)
    assert all(r.fires and r.passes for r in docs.rules)  # every bundled rule is tested
    # A data manager can tell an LRS rejection from an ILR rule and from advice.
    assert {r.rule.id: r.rule.enforced_by for r in docs.rules if r.rule.enforced_by is None} == {}
    assert docs.provisional > 0


class _Balance(html.parser.HTMLParser):
    """Every element opened is closed, in order (void elements aside)."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open)
        self.open.pop()
