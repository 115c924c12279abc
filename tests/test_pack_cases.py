"""Every case kept beside a bundled pack, one test each, and a coverage test per pack.

Test ids are ``pack::rule::case``, where rule is the expected rule ids joined with ``+`` (or
``clean``), so ``pytest -k CDD.ULN.02`` runs the cases of one rule.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pytest

from lrsrules.authoring.packtests import Case, CaseRunner, load_case_files, run_pack_tests
from lrsrules.errors import EngineError
from lrsrules.packs.discovery import bundled_packs
from lrsrules.packs.loader import load_pack
from lrsrules.packs.model import Pack
from lrsrules.run.program import compile_pack

TODAY = dt.date.today()  # the date of files without `today:`, fixed for the whole session


@cache
def _pack(name: str) -> Pack:
    return load_pack(name)


@cache
def _runner(name: str, today: dt.date) -> CaseRunner:
    return CaseRunner(compile_pack(_pack(name), today=today), today)


def _case_params() -> list[Any]:
    params = []
    for name in bundled_packs():
        try:
            files = load_case_files(_pack(name))
        except EngineError:
            continue  # test_bundled_pack_cases_load reports it; collection goes on
        for file in files:
            for case in file.cases:
                params.append(pytest.param(name, file.today or TODAY, case,
                                           id=f"{name}::{case.label}::{case.name}"))
    return params


@pytest.mark.parametrize("name", bundled_packs())
def test_bundled_pack_cases_load(name: str) -> None:
    try:
        load_case_files(_pack(name))
    except EngineError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.mark.parametrize(("name", "today", "case"), _case_params())
def test_case_fires_exactly_the_expected_rules(name: str, today: dt.date, case: Case) -> None:
    result = _runner(name, today).run(case)
    where = case.location.prefix()
    assert result.passed, f"{where}: {case.name}\n" + "\n".join(result.explain())


@pytest.mark.parametrize("name", bundled_packs())
def test_every_rule_has_a_case_where_it_fires_and_one_where_it_passes(name: str) -> None:
    report = run_pack_tests(_pack(name))
    if report.gaps and not report.has_tests:
        pytest.skip(f"{name} has no tests folder yet ({report.tests_dir})")
    gaps = [f"{rule.rule}: {'; '.join(rule.gaps)}" for rule in report.gaps]
    assert not gaps, f"rules of {name} lacking cases:\n" + "\n".join(gaps)
