"""Files for the tests of --workers and --engine dask: CSV made to be hard to cut."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from typer.testing import CliRunner

from lrsrules.cli.app import app
from lrsrules.inputs.splitting import line_start

runner = CliRunner()
FORMATS = ("text", "json", "jsonl", "csv")

PACK = """\
pack: par-test
version: 1.0.0
fields:
  uln: {aliases: [ULN]}
  name: {aliases: [Name]}
  notes: {aliases: [Notes]}
  mis: {aliases: [MIS]}
  code: {aliases: [Code]}
rules:
  - {id: P.ULN.01, field: uln, severity: error, check: "len(uln) == 10",
     message: ULN is not ten characters}
  - {id: P.NAME.01, field: name, severity: warning, check: "len(name) <= 8",
     message: name is long}
  - {id: P.NOTES.01, field: notes, severity: info, check: "len(notes) < 30",
     message: notes are long}
  - {id: P.CODE.01, field: code, severity: error, check: "int(code) < 5",
     message: code is 5 or more}
  - id: P.ULN.09
    field: uln
    severity: error
    unique: uln
    unless: uln == '9999999999'
    message: ULN repeats
  - {id: P.MIS.09, field: mis, severity: warning, unique: [mis], casefold: true,
     when: "int(code) >= 0", message: MIS repeats}
"""

TRICKY_NOTES = [
    "first line\nsecond line",
    "windows\r\nbreak",
    "old mac\rbreak",
    '1000000042,Ann,"looks like a record\n2000000000,Bo,x,y,1',
    '"\n,,,\n"',
    "ends with a break\n",
    "\n\nstarts with breaks",
    'a ""quoted"" word\nand more',
    " \n \n ",
]


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def make_csv(path: Path, rows: int, *, newline: str = "\n", bom: bool = True,
             seed: int = 7) -> Path:
    """Learner-like rows with every kind of trouble for a cut."""
    rng = random.Random(seed)
    ulns = [f"{rng.randrange(10**9, 10**10)}" for _ in range(rows // 3 + 1)]
    out = ["\ufeff" if bom else "", "ULN,Name,Notes,MIS,Code", newline]
    for number in range(rows):
        uln = rng.choice([*ulns, "9999999999", "", "12345"])
        name = rng.choice(["Ann", "Bo", "Alexandria", "", "Cy"])
        notes = rng.choice(TRICKY_NOTES) if rng.random() < 0.4 else rng.choice(
            ["", "short", "x" * 40])
        mis = rng.choice(["ab1", "AB1", "cd2", "", f"m{number}", f"M{number % 50}"])
        code = rng.choice(["1", "7", "x", "", "3"])
        cells = [uln, name, quoted(notes) if rng.random() < 0.9 or "\n" in notes
                 or "\r" in notes or "," in notes or '"' in notes else notes, mis, code]
        shape = rng.random()
        if shape < 0.03:
            cells = cells[:3]  # too few values
        elif shape < 0.06:
            cells = [*cells, "extra"]  # too many
        out += [",".join(cells), newline]
        if rng.random() < 0.03:
            out.append(newline)  # a blank line
    path.write_bytes("".join(out).encode("utf-8"))
    return path


def boundary(data: Path, fraction: float) -> int:
    """The byte offset of a true record boundary about ``fraction`` into ``data``."""
    with data.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        total = len(data.read_bytes().decode("utf-8").splitlines())
        for _ in reader:
            if reader.line_num >= total * fraction:
                return line_start(str(data), 0, 1, reader.line_num + 1)
    raise AssertionError("the file is too short")


# A pack of two fields whose rule on ``n`` cannot be evaluated on text that is no number;
# the tests add a rule on ``k``.
MIXED_PACK = """\
pack: mixed
version: 1.0.0
fields: {n: {}, k: {}}
rules:
  - {id: M.N.01, field: n, severity: warning, check: int(n) > 0, message: n must be positive}
  - {id: M.N.02, field: n, severity: info, check: len(n) < 3, message: n is long}
"""


def cli(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout + result.stderr
