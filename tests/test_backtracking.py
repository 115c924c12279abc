"""Patterns run on Python's re only when proven linear, with RE2's answers.

``python_fullmatch`` must refuse every pattern that can backtrack for long (those stay
on RE2), and where it accepts one, answer exactly as ``Regex.fullmatches`` does, on
Unicode text and on lone surrogates (which RE2 reads as U+FFFD).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsrules.lang.backtracking import python_fullmatch, python_pattern
from lrsrules.lang.regexes import compile_regex

# Each can take time exponential, or a high power, in the length of a text on a
# backtracking engine: they must stay on RE2.
HOSTILE = [
    "(a+)+$", "(a+)+", "(a*)*b", "(a|aa)+c", "(?:a+a+)+b", "(x+x+)+y",
    "(?:[0-9]+)+", "a*a*a*a*b", ".*.*=.*", r"\d+\d+x", "(a|b|ab)*c", "(?:a|a?)+b",
    "([a-z]+)*[0-9]", "(?:ab|a)*c", "(.*)*x", "(?:a{1,10}){1,10}b", "a{0,900}a{0,900}b",
    "[a-z]+[a-z0-9]*@", "(?:a|a?)+c", r"^(a+)+$", "(?i)a+a+b",
    r"(\d+)\.\1", "(?=a)a+", "(?s:.)*.*x",
]
# Bounded on a backtracking engine: taken by re.
LINEAR = [
    "[1-9][0-9]{9}", "[0-9]{9}", "ZZ99 ?9ZZ", r"[^\d\x00-\x1f\x7f-\x9f|\"]+",
    "(?:[A-Z0-9]{2,4} [0-9][A-Z]{2}|BFPO ?[0-9]{1,4})", r"(?:mr|mrs|miss|ms|dr)\.? .+",
    "[A-Za-zÀ-ÖØ-öø-ÿ' .’-]+", "[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2}",
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,6}", r"(?:[^\W_]|[\s'’.\-])+",
    "[a-zA-Z]{1,2}[0-9rR][0-9a-zA-Z]? ?[0-9][abdefghjlnpqrstuwxyzABDEFGHJLNPQRSTUWXYZ]{2}"
    " ? ? ? ?|[bB][fF][pP][oO] ?[0-9]{1,4} ? ? ? ?", "a|", "", r"\d+\.\d+", r"[^a]\W\S\s.",
    # Choices of single characters that overlap: one set in the pattern re runs.
    r"(?:\w|[0-9])+!", "(?:a|[ab])+c", "(a|a)*b", r"(?:[^\W_]|[0-9_])+!",
]


def finishes(work: Callable[[], Any], seconds: float = 30) -> Any:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"did not return within {seconds} s"
    return result[0]


@pytest.mark.parametrize("pattern", HOSTILE)
def test_patterns_that_can_backtrack_stay_on_re2(pattern: str) -> None:
    assert python_pattern(pattern) is None
    assert python_fullmatch(pattern) is None


@pytest.mark.parametrize("pattern", LINEAR)
def test_patterns_proven_linear_run_on_re(pattern: str) -> None:
    assert python_fullmatch(pattern) is not None


def _texts(pattern: str, rng: random.Random) -> list[str]:
    """Texts near the pattern's own characters, with others mixed in."""
    alphabet = [c for c in pattern if c not in "\\[]()?*+{}|^"] + list(
        "aZ09 .-'’@é\u0660\u00a0\n\ufffd\udc80_|\"\x00\x85ß\U0001f600")
    texts = ["", "ZZ99 9ZZ", "mr x", "Mrs Sample", "1234567890", "a@b.co", "O’Brien"]
    for _ in range(400):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))))
    return texts


@pytest.mark.parametrize("pattern", LINEAR)
def test_answers_are_re2s(pattern: str) -> None:
    fast = python_fullmatch(pattern)
    assert fast is not None
    regex = compile_regex(pattern)
    for text in _texts(pattern, random.Random(pattern)):
        assert (fast(text) is not None) == regex.fullmatches(text), (pattern, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab01 .\ufffd\udc80é\n"), max_size=12),
       st.sampled_from(LINEAR))
def test_answers_are_re2s_on_any_text(text: str, pattern: str) -> None:
    fast = python_fullmatch(pattern)
    assert fast is not None
    assert (fast(text) is not None) == compile_regex(pattern).fullmatches(text)


def test_a_lone_surrogate_reads_as_re2_reads_it() -> None:
    for pattern, text in [("\ufffd", "\udc80"), ("[^\ufffd]", "\udc80"), (".", "\udc80"),
                          ("[\ue000-\uffff]", "\udc80"), (r"\D", "\udc80")]:
        fast = python_fullmatch(pattern)
        assert fast is not None
        assert (fast(text) is not None) == compile_regex(pattern).fullmatches(text), pattern


@pytest.mark.parametrize("pattern", LINEAR)
def test_accepted_patterns_return_on_long_texts_that_nearly_match(pattern: str) -> None:
    fast = python_fullmatch(pattern)
    assert fast is not None
    # Texts that nearly match, long: a backtracking blow-up would not finish.
    for text in ["a" * 50_000 + "!", "1" * 50_000 + "x", " " * 50_000 + "\n",
                 "a." * 25_000 + "@", "mr " + "a" * 50_000 + "\n"]:
        finishes(lambda text=text: fast(text))


# Refused by python_fullmatch, but with a sublanguage re runs (repeats taken fewer times).
WITH_SUBLANGUAGE = [
    r"[a-zA-Z0-9!#$%'\*\+\-/=\?\^_`\{\|\}~]+(\.[a-zA-Z0-9!#$%'\*\+\-/=\?\^_`\{\|\}~]+)*@"
    r"[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9](\.[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])*"
    r"\.[a-zA-Z]{2,6}",
    r"(ab|a)(c[ab]+)*d", r"x[ab]{0,40}b(-[ab]{1,3}){2,5}",
]


@pytest.mark.parametrize("pattern", WITH_SUBLANGUAGE)
def test_a_text_the_sublanguage_takes_the_pattern_takes(pattern: str) -> None:
    from lrsrules.lang.backtracking import python_sublanguage

    assert python_fullmatch(pattern) is None
    sub = python_sublanguage(pattern)
    assert sub is not None
    regex = compile_regex(pattern)
    rng = random.Random(pattern)
    texts = _texts(pattern, rng) + [
        "".join(rng.choice("abcdx.-@") for _ in range(rng.randint(0, 14)))
        for _ in range(20_000)]
    for text in texts:
        if sub(text) is not None:
            assert regex.fullmatches(text), (pattern, text)
    samples = ["ann.lee@example.org", "abcabd", "xb-a-a"]
    assert any(sub(text) is not None for text in samples)
    for text in ["a" * 50_000 + "!", "a." * 25_000 + "@", "ab" * 25_000 + "c"]:
        finishes(lambda text=text: sub(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab.@-x1\ufffd\udc80é\n"), max_size=16),
       st.sampled_from(WITH_SUBLANGUAGE))
def test_a_sublanguage_takes_no_text_the_pattern_refuses(text: str, pattern: str) -> None:
    from lrsrules.lang.backtracking import python_sublanguage

    sub = python_sublanguage(pattern)
    assert sub is not None
    if sub(text) is not None:
        assert compile_regex(pattern).fullmatches(text)


@pytest.mark.parametrize("pattern", LINEAR[:4])
def test_a_pattern_re_runs_whole_has_no_sublanguage(pattern: str) -> None:
    from lrsrules.lang.backtracking import python_sublanguage

    assert python_sublanguage(pattern) is None  # python_fullmatch runs it exactly
