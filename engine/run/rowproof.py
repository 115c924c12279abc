"""The whole-row fast path: prove a CSV line clean without building its record.

Most lines of a real file break no rule. For those, a run need not split the line, build
a record, call the check function and build nothing from its empty answer: one regular
expression over the raw line, made from the pack for this file's columns, can show that
no rule fails. ``line_proof`` decides what goes in it (``lrsrules.run.lineshape`` writes
it):

- each target whose check reads one field and has a translated shape
  (``lrsrules.lang.cellpatterns``) becomes an assertion at the start of that field's cell
  (each part of an ``and`` on its own cell);
- a target that only says which values its field may take (``f in [...]``, ``f != 'x'``)
  is answered by value (``_lists_values``), as the residual rules of one field below: a
  line that breaks it still matches the expression, and a long list is one lookup;
- a check digit is computed over a block's column of values at once (``CheckDigits``),
  and the other targets of one field (a ``contains_word`` list, a pattern no sublanguage
  of which the proof can use) answer a block's column by value (``_ValueAnswers``);
- the targets over several fields are the *residual*: the pack's own generated check
  function, made for them alone, run on the values the expression captured, in
  ``CompiledPack.fields`` order;
- the rules across records (``unique``) note the line's keys only when none repeats
  (``CrossRecords.admit``).

Whether the proof is used at all is for the reader to find out on the file
(``lrsrules.inputs.prooftrial``): where it says little, the plain way is faster.

A length limit of ``LONG_LIMIT`` characters or more (an e-mail address's 254) is not
read cell by cell: a line no longer than the shortest such limit holds no longer cell, so
the expression leaves them out and longer lines are read the plain way; where many lines
are longer, the proof reads them for the rest of the file (``Shapes.uncap``).

A line is proven clean when each of its cells is plain text or text in quotes (with
no quote, delimiter or line break inside, csv reads it as the text), one cell for each
heading, every assertion holds, the residual finds nothing and no key repeats. Any
other line is read and checked the plain way, so the proof only ever needs to be
sufficient: a line it cannot prove loses nothing but time. A line that matches the
expression but fails a column (a placeholder name, a wrong check digit) needs
only the part of the check for the fields of those columns (``Narrowing``): its record
carries that part (``Record.check``), and the run calls it instead of the whole check
function. The expression is linear in
the line: each cell's assertions are lookaheads (which never backtrack once matched) of
patterns proven linear, and cells are separated by a character no cell pattern takes.
``LRSRULES_NO_FAST_PATHS=1`` turns the proof off, as every fast path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import compress, islice
from operator import itemgetter, not_
from typing import Any

from lrsrules.lang import nodes as n
from lrsrules.lang.cellpatterns import CellCheck, CellSyntax, cell_check
from lrsrules.lang.checked import CheckedExpr, RuleCode
from lrsrules.lang.compiler import CheckFunction, compile_rules, constants_of
from lrsrules.lang.groups import hit_index
from lrsrules.run.crossrecord import CrossRecords
from lrsrules.run.lineshape import LONG_LIMIT, Layout, Shape, Shapes, clean_line
from lrsrules.run.narrowing import Narrowing
from lrsrules.run.program import CompiledPack, lists_of

# Where more than one in this many of a block's clean lines are longer than the capped
# expressions prove (``lineshape.LONG_LIMIT``), the proof reads the long limits for the
# rest of the file.
LONG_SHARE = 16


def line_proof(compiled: CompiledPack, layout: Layout,
               across: CrossRecords | None = None, *, until: int | None = None,
               answering: bool = False) -> RowProof | None:
    """The proof for ``compiled`` over files laid out as ``layout`` (None: none can be
    made for it); ``across`` holds the run's rules across records, when it has some.
    With ``until``, no line from that one on is proven (a part of a file ends there).
    ``answering``: the run writes findings from the targets that fired and reads nothing
    else of a record, so a line whose hits the proof can look up by value is handed over
    as an ``Answered`` record, without values (see ``Narrowing.answer_for``)."""
    if layout.width < 2:
        return None  # one cell: a blank line would look like an empty record
    syntax = CellSyntax(layout.delimiter)  # lines with quotes
    bare = CellSyntax(layout.delimiter, quoted=False)  # lines without: a simpler expression
    lists = lists_of(compiled.pack)
    today = constants_of(compiled.check)["_today"]
    assert isinstance(today, dt.date)
    asserted: dict[str, list[CellCheck]] = {}
    asserted_bare: dict[str, list[CellCheck]] = {}
    residual: list[int] = []  # the targets the expression cannot say, by index
    cells_of: dict[int, set[str]] = {}  # a translated target -> the fields of its cells
    # A target that reads only fields the file has no column for gives every line the
    # same answer: none to check when it passes on blanks.
    blank = [index for index, target in enumerate(compiled.targets)
             if not _fields_of(target.code, compiled.fields) & set(layout.columns)]
    if _fires_on_blanks(compiled, blank):
        return None  # every line fails a rule: nothing to prove
    for index, target in enumerate(compiled.targets):
        if index in blank:
            continue
        if _lists_values(target.code):  # answered by value, as the residual of one field
            residual.append(index)
            continue
        parts = _conjuncts(target.code.check)  # each part of an `and` on its own cell
        translated = [cell_check(part, target.field, syntax, lists, today) for part in parts]
        if any(one is None or one.field not in layout.columns for one in translated):
            residual.append(index)
            continue
        cells_of[index] = {one.field for one in translated if one is not None}
        for part, one in zip(parts, translated, strict=True):
            assert one is not None
            if one.assertion in {a.assertion for a in asserted.get(one.field, ())}:
                continue
            asserted.setdefault(one.field, []).append(one)
            plain = cell_check(part, target.field, bare, lists, today)
            assert plain is not None  # the same shape, read without quotes
            asserted_bare.setdefault(plain.field, []).append(plain)
    # Checks run over a block's column of values at once, and the fields they read: the
    # check digits, and the residual rules of one field (answers kept by value: names and
    # dates repeat, and a kept answer is a dict lookup in C).
    columns = [(field, check.column) for field, checks in asserted.items() for check in checks
               if check.column is not None]
    alone: dict[str, list[int]] = {}
    for index in residual:
        read = _fields_of(compiled.targets[index].code, compiled.fields)
        if len(read) == 1:
            alone.setdefault(read.pop(), []).append(index)
    residual = [index for index in residual
                if not any(index in indexes for indexes in alone.values())]
    for field, indexes in alone.items():
        answers = _ValueAnswers(compile_rules(
            [compiled.targets[index].code for index in indexes], (field,), lists,
            today=today, label=f"<pack {compiled.pack.name} {field}>")[0])
        columns.append((field, answers.failures))
    wanted = {field for field, _ in columns}  # the fields the Python part reads
    for index in residual:
        wanted |= _fields_of(compiled.targets[index].code, compiled.fields)
    for cross in compiled.cross:
        wanted |= {compiled.fields[i] for i in (cross.value_index, *cross.key_indexes)}
        if cross.code is not None:
            wanted |= _fields_of(cross.code, compiled.fields)
    captured = sorted((layout.columns[f], f) for f in wanted if f in layout.columns)
    by_column = {column: field for column, field in captured}
    if len(by_column) != len(captured) or len(set(layout.columns.values())) != len(
            layout.columns):
        return None  # two fields read from one column
    check = None
    if residual:
        check = compile_rules([compiled.targets[index].code for index in residual],
                              compiled.fields, lists, today=today,
                              label=f"<pack {compiled.pack.name} residual>",
                              numbers=residual)[0]
    # The fields whose cells a line may fail alone, each with the targets it may then fail:
    # those it is a cell of, and its residual rules of one field.
    suspects: dict[str, list[int]] = {}
    for index, fields in cells_of.items():
        for field in fields:
            suspects.setdefault(field, []).append(index)
    for field, indexes in alone.items():
        suspects.setdefault(field, []).extend(indexes)
    narrowing = Narrowing(compiled, {field: sorted(indexes)
                                      for field, indexes in suspects.items()},
                           check, lists, today, answerable=[
                               field for field, indexes in suspects.items()
                               if answering and all(_fields_of(compiled.targets[index].code,
                                                               compiled.fields) == {field}
                                                    for index in indexes)])
    tests = [(compiled.fields.index(field), test, narrowing.bit(field))
             for field, test in columns]
    def shapes(cap: int | None) -> list[Shape]:
        return [Shape(clean_line(found, layout, by_column, syntax_, cap=cap),
                       compiled.fields, tests)
                for found, syntax_ in ((asserted_bare, bare), (asserted, syntax))]

    capped = shapes(LONG_LIMIT)
    # The expressions that read the long limits, for lines past them: those already made
    # when the pack has no such limit.
    full = capped if all(shape.cap is None for shape in capped) else shapes(None)
    return RowProof(Shapes(*capped, *full), check,
                    across.admit if across is not None else None, until, narrowing)


class RowProof:
    """The proof for one file's columns (see the module): ``proves`` one line, or finds
    the ``unproven`` lines of a block of them, each with the part of the check its record
    needs. Made by ``line_proof``."""

    def __init__(self, shapes: Shapes, check: CheckFunction | None,
                 admit: Callable[[int, int, Sequence[str | None]], bool] | None,
                 until: int | None, narrowing: Narrowing) -> None:
        self.shapes = shapes
        self._check = check
        self._admit = admit
        self.plain = check is None and admit is None  # nothing to run line by line
        self._until = until
        self._narrowing = narrowing

    def ending(self, until: int | None) -> RowProof:
        """This proof for a part of a file that ends at line ``until`` (the same
        expressions, and the same answers kept)."""
        return RowProof(self.shapes, self._check, self._admit, until, self._narrowing)

    def _stops(self, line: int) -> bool:
        """Whether ``line`` is past the lines this proof may prove."""
        return self._until is not None and line >= self._until

    def proves(self, text: str, number: int, line: int) -> bool:
        shape = self.shapes.quoted if '"' in text else self.shapes.bare
        found = shape.lines.fullmatch(text)
        if found is None or found.group(1) is None or self._stops(line):
            return False
        if shape.cap is not None and len(text) > shape.cap:
            return False
        values = shape.pick(found.groups())
        for index, test in shape.column_tests:  # a column of one ("" for a value not found)
            if test([values[index] or ""])[0]:
                return False
        return self.plain or self._passes(values, number, line)

    def _passes(self, values: Sequence[str | None], number: int, line: int) -> bool:
        check, admit = self._check, self._admit
        if check is not None and check(values):
            return False
        return admit is None or admit(number, line, values)

    def unproven(self, block: str, number: int, line: int
                 ) -> Iterator[tuple[str, int, CheckFunction | None]] | list[
                     tuple[str, int, CheckFunction | None]]:
        shapes = self.shapes
        shape = shapes.quoted if '"' in block else shapes.bare
        lines = shape.lines.findall(block)
        whole = list(map(itemgetter(0), lines))  # "" for a line that is not clean
        if shape.cap is not None:
            _longer_unmatched(shapes, shape.cap, lines, whole)
        # The fields each clean line that fails a column test may fail by.
        failed = _column_failures(shape, lines, whole) if shape.columns else {}
        until, stop = self._until, len(lines)
        if until is not None and line + len(lines) >= until:  # none proven from there on
            stop = max(until - line - 1, 0)
        if self.plain:  # only the lines not proven are looked at, found in C calls
            given = _unproven_lines(lines, whole, failed, stop, self._narrowing.answer_for,
                                    shape.places)
            # A block that runs past the end of a part: one at a time, so that the reader
            # makes no record of the lines after the part's end, which it does not read.
            return given if stop == len(lines) else iter(given)
        return self._checked_lines(shape, lines, failed, stop, number, line)

    def _checked_lines(self, shape: Shape, lines: Sequence[tuple[str, ...]],
                       failed: Mapping[int, int], stop: int, number: int, line: int
                       ) -> Iterator[tuple[str, int, CheckFunction | None]]:
        """``unproven`` where each clean line runs the residual check or notes its keys
        (as the records before it are checked: a repeat names the first)."""
        proven = 0
        pick, passes, narrowed = shape.pick, self._passes, self._narrowing.check_for
        blank = {"": None}.get  # findall gives "" for a value not found: None
        for index, found in enumerate(lines):
            number += 1
            line += 1
            text = found[0]
            if not text:
                yield found[-1], proven, None
            elif index >= stop:  # past the end of the part: checked whole, by its own part
                yield text, proven, None
            else:
                mask = failed.get(index)
                if mask is None:
                    picked: Any = pick(found)
                    if passes(tuple(map(blank, picked, picked)), number, line):
                        proven += 1
                        continue
                    mask = 0  # only the rules over several fields, or a repeat
                yield text, proven, narrowed(mask)
            proven = 0
        yield "", proven, None


def _longer_unmatched(shapes: Shapes, cap: int, lines: list[tuple[str, ...]],
                      whole: list[str]) -> None:
    """The clean lines longer than ``cap`` made lines not clean (their text in the last
    group, as findall gives a line the expression did not match); many of them, and the
    proof reads the long limits from the next block on."""
    longer = list(compress(range(len(whole)), map(cap.__lt__, map(len, whole))))
    if not longer:
        return
    if len(longer) * LONG_SHARE > len(lines):
        shapes.uncap()
    width = len(lines[0])
    for index in longer:
        lines[index] = ("",) * (width - 1) + (whole[index],)
        whole[index] = ""


def _unproven_lines(lines: Sequence[tuple[str, ...]], whole: Sequence[str],
                    failed: Mapping[int, int], stop: int,
                    narrowed: Callable[[int, Sequence[str], Mapping[int, int]], CheckFunction],
                    places: Mapping[int, int]) -> list[tuple[str, int, CheckFunction | None]]:
    """``RowProof.unproven`` where a line that matches the clean expression and passes its
    column tests is proven (no check, no key to note): only the other lines are visited,
    those the expression did not match found by ``compress`` and the rest by index; a
    list, which the reader takes from faster than from a generator."""
    count = len(lines)
    unmatched = compress(range(stop), map(not_, islice(whole, stop)))
    if failed:  # (a line from ``stop`` on may have failed a column too: given once)
        indexes = sorted({*unmatched, *(index for index in failed if index < stop)})
    else:
        indexes = list(unmatched)
    indexes.extend(range(stop, count))
    after = -1  # the index of the line last given
    given: list[tuple[str, int, CheckFunction | None]] = []
    add = given.append
    for index in indexes:
        found = lines[index]
        text = found[0]
        proven = index - after - 1
        after = index
        if not text:
            add((found[-1], proven, None))
        elif index >= stop:  # past the end of the part: checked whole, by its own part
            add((text, proven, None))
        else:
            add((text, proven, narrowed(failed[index], found, places)))
    add(("", count - after - 1, None))
    return given


def _column_failures(shape: Shape, lines: Sequence[tuple[str, ...]],
                     whole: Sequence[str]) -> dict[int, int]:
    """The lines of a block (findall's) that match the clean line but fail a check
    run over the column of values at once (the columns picked out in C calls), each with
    the bits of the fields whose columns it fails; ``whole``: each line's clean text, ""
    for a line that is not clean."""
    clean = list(compress(range(len(lines)), whole))
    matched = list(compress(lines, whole))
    failed: dict[int, int] = {}
    for place, test, bit in shape.columns:
        flags = test(list(map(itemgetter(place), matched)))
        found = flags.find(1)
        while found >= 0:
            index = clean[found]
            failed[index] = failed.get(index, 0) | bit
            found = flags.find(1, found + 1)
    return failed


class _ValueAnswers(dict[str, int]):
    """Whether rules of one field fail on a value (1) or not (0), kept by value while
    there is room (``check``: their generated function of that one value)."""

    __slots__ = ("check",)
    ROOM = 8192  # answers kept ...
    LONGEST = 64  # ... for values no longer than this

    def __init__(self, check: CheckFunction) -> None:
        super().__init__()
        self.check = check

    def __missing__(self, text: str) -> int:
        answer = 1 if self.check((text or None,)) else 0
        if len(text) <= self.LONGEST and len(self) < self.ROOM:
            self[text] = answer
        return answer

    def failures(self, texts: Sequence[str]) -> bytes:
        return bytes(map(self.__getitem__, texts))


def _lists_values(code: RuleCode) -> bool:
    """Whether a target only says which values its one field may take (``f in [...]``,
    ``f != '2'``, with no ``when`` or ``unless``): a code's line that breaks it (a code
    that means a finding, an unknown code) matches the clean line and has its column
    answered by value (a dict lookup), rather than failing the expression, which
    would send it to be checked whole; and a long list of codes is one lookup, not a
    branch of the expression for each."""
    if code.when is not None or code.unless is not None:
        return False
    node = code.check.root
    if isinstance(node, n.Unary) and node.op == "not":
        node = node.operand
    if not isinstance(node, n.Binary) or node.op not in ("in", "not in", "==", "!="):
        return False
    values = (n.ListLiteral, n.ListRef) if node.op in ("in", "not in") else (n.Literal,)
    return (isinstance(node.left, n.Name) and isinstance(node.right, values)
            and (not isinstance(node.right, n.ListLiteral)
                 or all(isinstance(item, n.Literal) for item in node.right.items)))


def _conjuncts(checked: CheckedExpr) -> list[CheckedExpr]:
    """The parts of a check that is ``A and B and ...`` (Kleene logic: when each part is
    true or null, so is the whole), each as an expression of its own."""
    parts, stack = [], [checked.root]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Binary) and node.op == "and":
            stack += [node.right, node.left]
        else:
            parts.append(node)
    return [checked if part is checked.root else replace(checked, root=part) for part in parts]


def _fires_on_blanks(compiled: CompiledPack, indexes: Sequence[int]) -> bool:
    """Whether a target of ``indexes`` fires (or fails) on a record of blank values: asked
    of the pack's own check function (a target's answer is its own, whatever others do)."""
    if not indexes:
        return False
    wanted = set(indexes)
    return any(hit_index(hit) in wanted for hit in compiled.check((None,) * len(compiled.fields)))


def _fields_of(code: object, fields: Sequence[str]) -> set[str]:
    from lrsrules.lang.nodes import names_in

    found: set[str] = set()
    field = code.field  # type: ignore[attr-defined]
    for expr in (code.when, code.check, code.unless):  # type: ignore[attr-defined]
        if expr is not None:
            found |= {field if name == "value" else name for name in names_in(expr.root)}
    found.add(field)
    return found & set(fields)
