"""Pack and layout regexes: Python's meaning, RE2's linear time, RE2's syntax only.

Every portable pattern must give what Python's ``re`` gives (``fullmatch`` for
``matches``, ``sub`` for ``regex_replace``), Unicode text included; a pattern that would
backtrack for ever in Python returns at once on any path a value takes (validate,
explain, test, diff --records, a batch file name).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lrsrules.batch.layouts import find_layout, load_layout
from lrsrules.batch.names import check_file_name
from lrsrules.cli.app import app
from lrsrules.lang.checker import Scope, parse_and_check
from lrsrules.lang.regexes import check_portable_regex, compile_regex
from lrsrules.limits import REGEX_NESTING
from lrsrules.packs.model import ExprSource, FieldDef

runner = CliRunner()
# Catastrophic for a backtracking engine on a long run of 'a' that does not end as wanted.
EVIL = ["(a+)+$", "(a|a)*b", "(a*)*b", "(a|aa)+c", "(?:a+a+)+b"]
LONG = "a" * 10_000 + "!"


def finishes(work: Callable[[], Any], seconds: float = 60) -> Any:
    """The result of ``work``, failing (not hanging) when it does not return in time."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"did not return within {seconds} s"
    return result[0]


# --- the same meaning as Python's re ---------------------------------------------------

FULLMATCH_CASES = [
    (r"\d+", ["123", "١٢٣", "12a", "²", ""]),  # Arabic-Indic digits are \d in Python
    (r"\w+", ["abc_1", "éß", "Ωμέγα", "日本", "a-b", "٣"]),
    (r"\s", [" ", "\u00a0", "\u2028", "\u3000", "\x1c", "x", "\u200b"]),
    (r"[^\W\d]+", ["abc", "é", "a1", "_"]),
    (r"[\S]+", ["ab", "a b", "\u00a0"]),
    (r"\D\W", ["a!", "1!", "éé"]),
    (r"a{,3}", ["", "aaa", "aaaa", "a{,3}"]),
    (r"(?i)strasse", ["STRASSE", "straße"]),
    (r"(?i)k", ["K", "\u212a"]),
    (r"(?i:é)x", ["Éx", "éX"]),
    (r".", ["\n", "é", "\U0001f600"]),
    (r"(?s).", ["\n"]),
    (r"(?m)a$\nb", ["a\nb"]),
    (r"\Aab", ["ab"]),
    (r"[-\]^a]+", ["-]^a", "b"]),
    (r"a+?b", ["aab"]),
    (r"(?P<x>[0-9]{2})-[0-9]", ["12-3"]),
    (r"ZZ99 ?9ZZ", ["ZZ99 9ZZ", "ZZ999ZZ", "zz99 9zz"]),
    (r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ '’.-]+", ["O’Brien", "Zoë", "Łukasz", "Ŀ", "Ő"]),
]


@pytest.mark.parametrize(("pattern", "texts"), FULLMATCH_CASES)
def test_fullmatch_means_what_python_re_means(pattern: str, texts: list[str]) -> None:
    regex = compile_regex(pattern)
    for text in texts:
        assert regex.fullmatches(text) == (re.fullmatch(pattern, text) is not None), text


SUB_CASES = [
    (r"\s+", " ", "Mary \u00a0 Jane\u3000Ann"),
    (r"x*", "-", "abxd"),
    (r"x*|b", "-", "b"),  # an empty match, then a longer one in the same place
    (r"", "-", "aé"),
    (r"^", ">", "ab"),
    (r"^ +| +$", "", "  ab c  "),
    (r"(a)|b", r"[\1]", "ab"),  # a group that took no part is ''
    (r"(é)(\w)", r"\2\1é", "éxéy"),  # non-ASCII in the text and in the replacement
    (r"/", r"\\", "a/b"),
    (r"([0-9]{2})/([0-9]{2})/([0-9]{4})", r"\3-\2-\1", "14/03/2008 and 01/02/2003"),
    (r"\d", "#", "a١b2"),
    (r"a+?", "-", "aa"),
]


@pytest.mark.parametrize(("pattern", "replacement", "text"), SUB_CASES)
def test_replace_gives_what_re_sub_gives(pattern: str, replacement: str, text: str) -> None:
    assert compile_regex(pattern).replacer(replacement)(text) == re.sub(
        pattern, replacement, text)


def test_after_an_empty_match_the_longest_match_there_is_taken() -> None:
    # The one difference left (see lang/regexes.py): Python takes the first non-empty match
    # its backtracking finds, which for a lazy repeat is the shortest; RE2 cannot list
    # matches in that order, so the longest is taken. Only patterns that prefer an empty
    # match to a longer one in the same place can tell.
    assert compile_regex("a*?").replacer("-")("aa") == "---"
    assert re.sub("a*?", "-", "aa") == "-----"


ATOMS = ["a", "b", "é", ".", r"\d", r"\w", r"\s", "[ab]", "[^a]", "(a)", "(?:ab|a)", "a?",
         "b*", "[é-ü]", "(?i)"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=5),
       st.sampled_from(["", "+", "*", "?", "{1,2}", "+?"]),
       st.text(alphabet="abé ÉA1١_\u00a0", max_size=8))
def test_random_portable_patterns_agree_with_re(atoms: list[str], repeat: str,
                                                text: str) -> None:
    pattern = "".join(atoms) + repeat
    if check_portable_regex(pattern) is not None:
        return  # e.g. (?i) not at the start
    regex = compile_regex(pattern)
    assert regex.fullmatches(text) == (re.fullmatch(pattern, text) is not None)
    if "*?" not in pattern and "??" not in pattern and "+?" not in pattern:  # see above
        assert regex.replacer("<>")(text) == re.sub(pattern, "<>", text)


def test_lone_surrogates_in_a_text_neither_raise_nor_get_lost() -> None:
    text = "ab\udcffc"  # an undecodable byte of a file name, as os.fsdecode gives it
    assert compile_regex("ab.c").fullmatches(text)
    assert compile_regex("b").replacer("B")(text) == "aB\udcffc"
    match = compile_regex("(?P<x>a)b.c").fullmatch(text)
    assert match is not None and match["x"] == "a"


# --- rejected: syntax RE2 lacks, or a meaning it cannot keep ---------------------------

@pytest.mark.parametrize(("pattern", "reason"), [
    (r"(a)\1", "backreferences"),
    (r"a(?=b)", "lookahead"),
    (r"(?<!a)b", "lookahead/lookbehind"),
    (r"(?>a)", "atomic"),
    (r"a*+", "possessive"),
    (r"\bword\b", "word boundaries"),
    (r"a\Z", "RE2 does not accept it (invalid escape sequence: \\Z)"),
    (r"\u00e9", "RE2 does not accept it"),
    (r"(?x) a b", "RE2 does not accept it"),
    (r"(?a)\d", "only the flags i, m and s"),
    (r"a{1001}", "RE2 does not accept it (invalid repetition size: {1001})"),
    ("(" * (REGEX_NESTING + 1) + ")" * (REGEX_NESTING + 1), f"at most {REGEX_NESTING}"),
    ("(" * 5000 + "a" + ")" * 5000, "nested 5000 deep"),  # Python's own parser crashed
])
def test_unportable_patterns_are_rejected_saying_why(pattern: str, reason: str) -> None:
    error = check_portable_regex(pattern)
    assert error is not None and reason in error


def test_a_rejected_pattern_is_a_problem_at_the_column_of_its_literal() -> None:
    scope = Scope({"a": FieldDef("a")}, {})
    for text in ["a matches '\\bx'", "regex_replace(a, '(?=x)', 'y') == 'z'"]:
        _, problems = parse_and_check(ExprSource.inline(text), scope, "check")
        assert [p.location.column for p in problems] == [text.index("'") + 1]
        assert problems[0].message.startswith("invalid regular expression: ")


def test_re2_errors_are_not_logged_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    assert check_portable_regex("a{1001}") is not None
    assert capfd.readouterr().err == ""


# --- linear time, on every path a value takes ------------------------------------------

@pytest.mark.parametrize("pattern", EVIL)
def test_patterns_that_backtrack_in_python_return_at_once_on_re2(pattern: str) -> None:
    regex = compile_regex(pattern)
    assert finishes(lambda: regex.fullmatches(LONG)) is False
    assert finishes(lambda: regex.replacer("x")(LONG)) == LONG  # no match anywhere


PACK = """\
pack: evil
version: 1.0.0
fields:
  name: {aliases: [Name]}
rules:
  - id: EVIL.01
    field: name
    severity: error
    check: not (name matches '(a+)+$') and not (name matches '(a|a)*b')
    message: m
"""


@pytest.fixture()
def evil_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "evil"
    (folder / "tests").mkdir(parents=True)
    (folder / "evil.yaml").write_text(PACK, "utf-8")
    (folder / "tests" / "cases.yaml").write_text(
        f"cases:\n  - name: long\n    record: {{Name: '{LONG}'}}\n    expect: []\n"
        f"  - name: fires\n    record: {{Name: aaa}}\n    expect: [EVIL.01]\n", "utf-8")
    (tmp_path / "in.csv").write_text(f"Name\n{LONG}\naaa\n", "utf-8")
    return folder


def invoke(*args: str | Path) -> tuple[int, str]:
    result = finishes(lambda: runner.invoke(app, [str(a) for a in args]))
    return result.exit_code, result.stdout + result.stderr


def test_validate_explain_test_and_diff_run_an_evil_pattern_on_a_long_value(
        evil_pack: Path) -> None:
    records = evil_pack.parent / "in.csv"
    code, out = invoke("validate", "--pack", evil_pack, records)
    assert code == 1 and "1 finding" in out, out
    code, out = invoke("explain", "--pack", evil_pack, "--record", f"{records}:1", "EVIL.01")
    assert code == 0 and "internal error" not in out, out
    code, out = invoke("test", evil_pack)
    assert code == 0 and "2 passed" in out, out
    code, out = invoke("diff", evil_pack, evil_pack, "--records", records)
    assert code == 0 and "internal error" not in out, out


def test_an_evil_file_name_pattern_returns_at_once(tmp_path: Path) -> None:
    path = tmp_path / "evil-layout.yaml"
    shutil.copy(find_layout("lrb-2a"), path)
    text = path.read_text("utf-8")
    text = text.replace("(?P<ukprn>[0-9]{8})", "(?P<ukprn>(?:[0-9]+)+)")
    assert "(?:[0-9]+)+" in text
    path.write_text(text, "utf-8")
    layout = load_layout(path)
    assert layout.file_name is not None
    name = "LRB_" + "1" * 10_000 + "X"
    found = finishes(lambda: check_file_name(name, layout.file_name, layout.rules))
    assert [f.rule for f in found] == ["BATCH.NAME.01"]


def test_answers_kept_for_repeated_values_are_the_same_and_bounded() -> None:
    from lrsrules.lang import regexes
    from lrsrules.lang.regexes import compile_regex

    pattern = compile_regex("[A-Z][a-z]+")
    for _ in range(3):
        assert pattern.fullmatches("Zoe") and not pattern.fullmatches("zoe")
    for n in range(regexes._KNOWN_TEXTS + 100):
        pattern.fullmatches(f"Name{n}")
    assert len(pattern._known) == regexes._KNOWN_TEXTS
    long = "Z" + "z" * regexes._KNOWN_CHARS
    assert compile_regex("[A-Z][a-z]+").fullmatches(long)
    fresh = compile_regex("[A-Z][a-z]+")
    fresh.fullmatches(long)
    assert long not in fresh._known  # long texts are never kept


def test_python_classes_become_ranges_that_match_exactly_what_python_matches() -> None:
    import re
    import sys

    import re2

    from lrsrules.lang.regexes import _CATEGORY_RUNS, _category

    sample = [chr(c) for c in range(0, sys.maxunicode + 1, 37) if not 0xD800 <= c < 0xE000]
    sample += ["_", "٣", "\u00a0", "\u2028", "ß", "Ⅻ", "²"]
    for name, python in _CATEGORY_RUNS.items():
        ours = re2.compile(f"[{_category(name)}]")
        theirs = re.compile(python[:-1])
        for char in sample:
            assert bool(ours.fullmatch(char)) == bool(theirs.fullmatch(char)), (name, char)
