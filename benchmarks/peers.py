"""The benchmark pack's checks (benchmarks/pack/bench.yaml) written for each peer, run in a
process of its own by benchmarks/run.py:

    python benchmarks/peers.py PEER FILE OUTPUT

Each reads the CSV FILE (as benchmarks/make_learners.py writes it), applies the pack's
error rules, writes what it found to OUTPUT where it has one (the hand loop writes JSON
Lines findings, as ``lrsrules validate --format jsonl`` does) and prints ``errors N``: the
number of (record, rule, field) failures at severity error, which run.py compares with
lrsrules's. The rules, as the pack has them (a blank or all-space value is null, and a
rule on a null value does not fire unless it says the value is required):

- given and family name required; each name at most 35 characters, of letters, spaces,
  apostrophes, hyphens and full stops, holding no placeholder word (test, not known ...);
- ULN ten digits not starting with 0, and then its mod-11 check digit right;
- date of birth a real date written YYYY-MM-DD;
- gender 0, 1, 2 or 9; AbilityToShare 0, 1 or 2;
- postcode (in upper case) and e-mail address (at most 254 characters) of their patterns.

Only the standard library is imported at the top, so the hand loop and ``csv.reader``
start as a plain script does; each peer imports its own library.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Sequence

NAME = "[A-Za-zÀ-ÖØ-öø-ÿ' .’-]+"
ULN = "[1-9][0-9]{9}"
DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
POSTCODE = "[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2}"
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,6}"
PLACEHOLDERS = ("test", "unknown", "not known", "dummy", "xxx", "refused", "anonymous",
                "baby", "twin", "child")
WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
GENDERS = ("0", "1", "2", "9")
SHARE_CODES = ("0", "1", "2")
COLUMNS = ("GivenName", "FamilyName", "ULN", "DateOfBirth", "Gender", "LastKnownPostCode",
           "EmailAddress", "AbilityToShare")
# A placeholder as a whole word (words are runs of letters and digits; "not known" is two
# words in a row), for the peers that test with one regular expression.
WORD_EDGE = r"[^\p{L}\p{N}]"
PLACEHOLDER_RE = (f"(^|{WORD_EDGE})(" + "|".join(
    p.replace(" ", f"{WORD_EDGE}+") for p in PLACEHOLDERS) + f")({WORD_EDGE}|$)")
MESSAGES = {"B.GIVEN.01": "Given name is required", "B.FAMILY.01": "Family name is required",
            "B.NAMES.02": "Name is longer than 35 characters",
            "B.NAMES.03": "Name holds a character that is not a letter, space, apostrophe, "
                          "hyphen or full stop",
            "B.NAMES.04": "Name holds a placeholder word",
            "B.ULN.01": "ULN must be 10 digits not starting with 0",
            "B.ULN.02": "ULN check digit is wrong",
            "B.DOB.01": "Date of birth must be a real date written YYYY-MM-DD",
            "B.GENDER.01": "Gender must be 0, 1, 2 or 9",
            "B.POSTCODE.01": "Postcode is not a valid UK postcode",
            "B.EMAIL.01": "E-mail address is not valid",
            "B.SHARE.01": "AbilityToShare must be 0, 1 or 2"}


# --- the strict hand-written loop: csv + re, findings written as JSON Lines -------------------

_NAME_RE, _ULN_RE, _DATE_RE = re.compile(NAME), re.compile(ULN), re.compile(DATE)
_POSTCODE_RE, _EMAIL_RE = re.compile(POSTCODE), re.compile(EMAIL)
_WORD_RE = re.compile(r"[^\W_]+")
_PHRASES = frozenset(tuple(p.split()) for p in PLACEHOLDERS)


def _placeholder(text: str) -> bool:
    words = _WORD_RE.findall(text.casefold())
    return any((word,) in _PHRASES or tuple(words[i:i + 2]) in _PHRASES
               for i, word in enumerate(words))


def _real_date(text: str) -> bool:
    if _DATE_RE.fullmatch(text) is None:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def hand_checks(values: Sequence[str | None]) -> list[tuple[str, str]]:
    """(rule, field) of each error in one record's values, in COLUMNS order."""
    given, family, uln, dob, gender, postcode, email, share = values
    found = []
    if given is None:
        found.append(("B.GIVEN.01", "given_name"))
    if family is None:
        found.append(("B.FAMILY.01", "family_name"))
    for field, name in (("given_name", given), ("family_name", family)):
        if name is not None:
            if len(name) > 35:
                found.append(("B.NAMES.02", field))
            if _NAME_RE.fullmatch(name) is None:
                found.append(("B.NAMES.03", field))
            if _placeholder(name):
                found.append(("B.NAMES.04", field))
    if uln is not None:
        if _ULN_RE.fullmatch(uln) is None:
            found.append(("B.ULN.01", "uln"))
        elif sum(int(d) * w for d, w in zip(uln, WEIGHTS)) % 11 != 10:  # noqa: B905
            found.append(("B.ULN.02", "uln"))
    if dob is not None and not _real_date(dob):
        found.append(("B.DOB.01", "date_of_birth"))
    if gender is not None and gender not in GENDERS:
        found.append(("B.GENDER.01", "gender"))
    if postcode is not None and _POSTCODE_RE.fullmatch(postcode.upper()) is None:
        found.append(("B.POSTCODE.01", "last_known_postcode"))
    if email is not None and (len(email) > 254 or _EMAIL_RE.fullmatch(email) is None):
        found.append(("B.EMAIL.01", "email_address"))
    if share is not None and share not in SHARE_CODES:
        found.append(("B.SHARE.01", "ability_to_share"))
    return found


def hand(path: str, output: str) -> int:
    errors = 0
    with open(path, encoding="utf-8-sig", newline="") as handle, \
            open(output, "w", encoding="utf-8") as out:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [header.index(name) for name in COLUMNS]
        line = reader.line_num
        for number, row in enumerate(reader, 1):
            first, line = line + 1, reader.line_num
            values = [row[i] if row[i] and not row[i].isspace() else None for i in columns]
            for rule, field in hand_checks(values):
                errors += 1
                out.write(json.dumps({"record": number, "line": first, "field": field,
                                      "rule": rule, "severity": "error",
                                      "message": MESSAGES[rule]}) + "\n")
    return errors


def csv_reader(path: str, output: str) -> int:
    """Reading the file and nothing else: the floor under every CSV peer."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for _ in csv.reader(handle):
            pass
    return -1  # checks nothing


# --- Polars: a lazy scan, every check an expression --------------------------------------

def polars_checks(path: str, output: str) -> int:
    import polars as pl

    def value(name: str) -> pl.Expr:
        text = pl.col(name)
        return pl.when(text.str.strip_chars() == "").then(None).otherwise(text)

    def fails(test: pl.Expr) -> pl.Expr:  # a rule on a null value does not fire
        return test.fill_null(False).cast(pl.Int64).sum()

    given, family, uln, dob = (value(c) for c in COLUMNS[:4])
    gender, postcode, email, share = (value(c) for c in COLUMNS[4:])
    digit_sum = sum(uln.str.slice(i, 1).cast(pl.Int64, strict=False) * w
                    for i, w in enumerate(WEIGHTS))
    uln_ok = uln.str.contains(f"^{ULN}$")
    counts = [given.is_null().cast(pl.Int64).sum(), family.is_null().cast(pl.Int64).sum()]
    for name in (given, family):
        counts += [fails(name.str.len_chars() > 35), fails(~name.str.contains(f"^{NAME}$")),
                   fails(name.str.to_lowercase().str.contains(PLACEHOLDER_RE))]
    counts += [
        fails(~uln_ok), fails(uln_ok & (digit_sum % 11 != 10)),
        fails(~dob.str.contains(f"^{DATE}$") | dob.str.to_date("%Y-%m-%d", strict=False)
              .is_null() & dob.is_not_null()),
        fails(~gender.is_in(GENDERS)),
        fails(~postcode.str.to_uppercase().str.contains(f"^{POSTCODE}$")),
        fails((email.str.len_chars() > 254) | ~email.str.contains(f"^{EMAIL}$")),
        fails(~share.is_in(SHARE_CODES)),
    ]
    frame = pl.scan_csv(path, infer_schema=False, schema_overrides=dict.fromkeys(
        COLUMNS, pl.String)).select(pl.sum_horizontal(counts).alias("errors")).collect()
    return int(frame["errors"][0])


# --- DuckDB: one SQL query ---------------------------------------------------------------

def duckdb_checks(path: str, output: str) -> int:
    import duckdb

    def value(name: str) -> str:
        return f"nullif(trim(\"{name}\"), '')"  # blank (or all spaces): null

    def fails(test: str) -> str:
        return f"count(*) filter (where coalesce({test}, false))"

    given, family, uln, dob = (value(c) for c in COLUMNS[:4])
    gender, postcode, email, share = (value(c) for c in COLUMNS[4:])
    # RE2 (DuckDB's regex engine) spells Unicode classes \pL and \pN inside brackets.
    placeholder = PLACEHOLDER_RE.replace(WORD_EDGE, r"[^\pL\pN]")
    digits = " + ".join(f"cast(substr({uln}, {i + 1}, 1) as integer) * {w}"
                        for i, w in enumerate(WEIGHTS))
    tests = [f"{given} is null", f"{family} is null"]
    for name in (given, family):
        tests += [f"length({name}) > 35", f"not regexp_full_match({name}, '{_sql(NAME)}')",
                  f"regexp_matches(lower({name}), '{_sql(placeholder)}')"]
    uln_ok = f"regexp_full_match({uln}, '{ULN}')"
    tests += [
        f"not {uln_ok}",
        f"case when {uln_ok} then ({digits}) % 11 != 10 else false end",
        f"{dob} is not null and (not regexp_full_match({dob}, '{DATE}') or "
        f"try_strptime({dob}, '%Y-%m-%d') is null)",
        f"{gender} not in {GENDERS}",
        f"not regexp_full_match(upper({postcode}), '{POSTCODE}')",
        f"length({email}) > 254 or not regexp_full_match({email}, '{_sql(EMAIL)}')",
        f"{share} not in {SHARE_CODES}",
    ]
    total = " + ".join(fails(test) for test in tests)
    query = (f"select {total} from read_csv('{_sql(path)}', all_varchar = true, header = true,"
             " quote = '\"', escape = '\"')")
    return int(duckdb.sql(query).fetchall()[0][0])


def _sql(text: str) -> str:
    return text.replace("'", "''")


# --- Frictionless: a Table Schema with constraints, custom checks for the rest --------------

def frictionless_checks(path: str, output: str) -> int:
    import frictionless
    from frictionless import Check, Schema, errors, fields

    def text(name: str, **constraints: object) -> fields.StringField:
        return fields.StringField(name=name, constraints=dict(constraints))

    schema = Schema(fields=[
        text("GivenName", required=True, maxLength=35, pattern=NAME),
        text("FamilyName", required=True, maxLength=35, pattern=NAME),
        text("ULN", pattern=ULN),
        text("DateOfBirth"), text("Gender", enum=list(GENDERS)),
        text("LastKnownPostCode"),
        text("EmailAddress", maxLength=254, pattern=EMAIL),
        text("AbilityToShare", enum=list(SHARE_CODES)),
        text("Notes"),
    ])

    class Remaining(Check):
        """The rules a Table Schema constraint cannot say: placeholder words, the ULN check
        digit, a real date, the postcode in upper case."""

        Errors = [errors.RowError]  # noqa: RUF012 (frictionless reads a list)

        def validate_row(self, row: frictionless.Row) -> object:
            for name in ("GivenName", "FamilyName"):
                value = row[name]
                if value and _placeholder(value):
                    yield errors.RowError.from_row(row, note=f"placeholder in {name}")
            uln = row["ULN"]
            if uln and _ULN_RE.fullmatch(uln) and sum(
                    int(d) * w for d, w in zip(uln, WEIGHTS)) % 11 != 10:  # noqa: B905
                yield errors.RowError.from_row(row, note="ULN check digit")
            dob = row["DateOfBirth"]
            if dob and not _real_date(dob):
                yield errors.RowError.from_row(row, note="date of birth")
            postcode = row["LastKnownPostCode"]
            if postcode and _POSTCODE_RE.fullmatch(postcode.upper()) is None:
                yield errors.RowError.from_row(row, note="postcode")

    report = frictionless.validate(
        # Frictionless reads only paths inside its base folder ("not safe" otherwise).
        frictionless.Resource(os.path.basename(path), basepath=os.path.dirname(
            os.path.abspath(path)), schema=schema, detector=frictionless.Detector(
            field_missing_values=["", " "])),
        checks=[Remaining()], limit_errors=10_000_000, skip_errors=["#row-errors-limit"])
    return sum(len(task.errors) for task in report.tasks)


# --- Pandera: a DataFrameSchema over pandas ----------------------------------------------

def pandera_checks(path: str, output: str) -> int:
    import pandas as pd
    import pandera.pandas as pa

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=list(COLUMNS))
    frame = frame.apply(lambda column: column.where(column.str.strip() != "", None))
    # Python's re has no \p{L}: a word edge is a character that is not a letter or digit.
    words = "(^|[^\\w]|_)(" + "|".join(
        p.replace(" ", r"(?:[^\w]|_)+") for p in PLACEHOLDERS) + ")([^\\w]|_|$)"

    def uln_digit(series: pd.Series) -> pd.Series:
        ok = series.str.fullmatch(ULN).fillna(False).astype(bool)
        digits = sum(series.str.slice(i, i + 1).where(ok, "0").astype(int) * w
                     for i, w in enumerate(WEIGHTS))
        return ~ok | (digits % 11 == 10)

    def real_date(series: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
        return series.str.fullmatch(DATE).fillna(False).astype(bool) & parsed.notna()

    def name(column: str) -> pa.Column:
        return pa.Column(str, nullable=False, checks=[
            pa.Check.str_length(max_value=35, ignore_na=True),
            pa.Check.str_matches(f"(?:{NAME})$", ignore_na=True),
            pa.Check(lambda s: ~s.str.casefold().str.contains(words, regex=True),
                     element_wise=False, ignore_na=True)], name=column)

    schema = pa.DataFrameSchema({
        "GivenName": name("GivenName"), "FamilyName": name("FamilyName"),
        "ULN": pa.Column(str, nullable=True, checks=[
            pa.Check.str_matches(f"(?:{ULN})$"), pa.Check(uln_digit)]),
        "DateOfBirth": pa.Column(str, nullable=True, checks=pa.Check(real_date)),
        "Gender": pa.Column(str, nullable=True, checks=pa.Check.isin(GENDERS)),
        "LastKnownPostCode": pa.Column(str, nullable=True, checks=pa.Check(
            lambda s: s.str.upper().str.fullmatch(POSTCODE).fillna(False).astype(bool))),
        "EmailAddress": pa.Column(str, nullable=True, checks=[
            pa.Check.str_length(max_value=254), pa.Check.str_matches(f"(?:{EMAIL})$")]),
        "AbilityToShare": pa.Column(str, nullable=True, checks=pa.Check.isin(SHARE_CODES)),
    })
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as failed:
        cases = failed.failure_cases
        # Each failing (row, check) once; a null where a value is required is one failure.
        return len(cases.drop_duplicates(["column", "check", "index"]))
    return 0


PEERS: dict[str, Callable[[str, str], int]] = {
    "hand": hand, "csv.reader": csv_reader, "polars": polars_checks,
    "duckdb": duckdb_checks, "frictionless": frictionless_checks, "pandera": pandera_checks,
}

if __name__ == "__main__":
    peer, source, target = sys.argv[1:4]
    print(f"errors {PEERS[peer](source, target)}")
