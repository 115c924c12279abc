"""The bundled LRS rules give the verdicts their sources give, field by field (what pack
tests, which compare rule ids only, cannot say)."""

from __future__ import annotations

import datetime as dt

import pytest

import lrsrules

TODAY = dt.date(2026, 6, 15)
SAMPLE = {"GivenName": "Sample", "FamilyName": "Testname", "ULN": "1026893096"}
REGISTRATION = {"LastKnownPostCode": "CV4 9EE", "DateOfBirth": "1976-08-16", "Gender": "2",
                "VerificationType": "1", "AbilityToShare": "1"}


def findings(**record: str) -> set[tuple[str, str | None]]:
    run = lrsrules.validate([SAMPLE | record], "lrs-default", today=TODAY)
    return {(finding.rule, finding.field) for finding in run}


@pytest.mark.parametrize(("missing", "field"), [
    ("LastKnownPostCode", "last_known_postcode"), ("DateOfBirth", "date_of_birth"),
    ("Gender", "gender"), ("VerificationType", "verification_type"),
    ("AbilityToShare", "ability_to_share"),
])
def test_a_learner_without_uln_is_told_each_field_the_lrs_needs(missing: str, field: str) -> None:
    record = {key: value for key, value in REGISTRATION.items() if key != missing}
    assert findings(ULN="", **record) == {("CDD.REGISTER.01", field)}


def test_a_learner_without_uln_and_nothing_else_gets_five_findings() -> None:
    register = {field for rule, field in findings(ULN="") if rule == "CDD.REGISTER.01"}
    assert register == {"last_known_postcode", "date_of_birth", "gender", "verification_type",
                        "ability_to_share"}


@pytest.mark.parametrize("name", ["Nguyễn", "Ñúñez", "Ólafsdóttir", "Αλέξης", "Иван", "田中",
                                  "O'Brien", "Smith-Jones"])
def test_names_of_every_script_pass(name: str) -> None:
    assert findings(FamilyName=name, **REGISTRATION) == set()


@pytest.mark.parametrize("name", ["Sm1th", "Smith\tJones", "Smith|Jones", 'Smith"Jones',
                                  "Smith\r\n"])
def test_ilr_forbidden_characters_are_errors(name: str) -> None:
    assert ("CDD.NAMES.01", "family_name") in findings(FamilyName=name, **REGISTRATION)


@pytest.mark.parametrize(("postcode", "rules"), [
    (" CV4 9EE", {"CDD.POSTCODE.05"}),  # the schema rejects a leading space
    ("cv4 9ee", {"CDD.POSTCODE.03"}),  # accepted; only the normal form is noted
    ("CV4 9EE  ", {"CDD.POSTCODE.03"}),
    ("ZZ99 9ZZ", {"CDD.POSTCODE.04"}),  # accepted: information only
    ("Q1A 9AA", {"CDD.POSTCODE.02"}),  # accepted by the LRS, not a real postcode
])
def test_postcode_verdicts_follow_the_lrs_schema(postcode: str, rules: set[str]) -> None:
    found = findings(**(REGISTRATION | {"LastKnownPostCode": postcode}))
    assert {rule for rule, _ in found} == rules


@pytest.mark.parametrize(("born", "fires"), [
    ("1915-06-15", True), ("1915-06-16", False),  # 111 on the day; 110
    ("2013-06-15", False), ("2013-06-16", True),  # 13 on the day; 12
])
def test_age_band_is_13_to_110(born: str, fires: bool) -> None:
    found = {rule for rule, _ in findings(**(REGISTRATION | {"DateOfBirth": born}))}
    assert bool(found & {"CDD.DOB.03", "CDD.DOB.04"}) == fires, found
