"""Which rules a record exercises, and whether a pack's cases cover each of its rules.

A rule is covered when some case expects it to fire and it does, and some case evaluates
it, neither expects nor gets a finding, and it raises nothing. Evaluated means that for one
of the rule's targets the ``when`` condition holds (or there is none) and the target field
is not blank: a record that skips the rule proves nothing about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrsrules.errors import Location
from lrsrules.lang.compiler import compile_value
from lrsrules.lang.functions import blank
from lrsrules.packs.model import Pack
from lrsrules.run.program import CompiledPack, lists_of

if TYPE_CHECKING:
    from lrsrules.authoring.packtests import CaseResult


@dataclass(frozen=True, slots=True)
class RuleCoverage:
    rule: str
    location: Location  # of the rule in its pack file
    fires: bool  # some case expects it and it fires
    passes: bool  # some case evaluates it, does not expect it, and it does not fire
    has_fix: bool = False  # the rule has a ``fix``
    fix_tested: bool = False  # some case states what its fix gives, and it does

    @property
    def gaps(self) -> tuple[str, ...]:
        """What is missing, worded for a report: empty when the rule is covered."""
        found = []
        if not self.fires:
            found.append("no case where it fires")
        if not self.passes:
            found.append("no case where it is evaluated and passes")
        if self.has_fix and not self.fix_tested:
            found.append("no case states what its fix gives (fixed:)")
        return tuple(found)


class EvaluatedRules:
    """Ids of the rules evaluated on a record; each target's ``when`` is compiled once.

    ``today`` must be the date ``compiled`` was built with (None: the real date).
    """

    def __init__(self, compiled: CompiledPack, today: dt.date | None = None) -> None:
        self.compiled = compiled
        self.today = today or dt.date.today()
        self._lists = lists_of(compiled.pack)
        self._when: dict[int, Callable[[Sequence[str | None]], Any]] = {}

    def __call__(self, values: Sequence[str | None]) -> frozenset[str]:
        targets = self.compiled.targets
        # A rule that compares records is evaluated on a record with a key that takes part.
        across = {target.rule.id for target in self.compiled.cross
                  if target.key_of(values) is not None and target.applies(values) is True}
        return frozenset(
            target.rule.id
            for index, target in enumerate(targets)
            if self._evaluated(index, values)
        ) | across

    def _evaluated(self, index: int, values: Sequence[str | None]) -> bool:
        target = self.compiled.targets[index]
        if blank(values[target.value_index]):
            return False
        when = target.code.when
        if when is None:
            return True
        function = self._when.get(index)
        if function is None:
            function = compile_value(when, self.compiled.fields, self._lists,
                                     today=self.today, field=target.field)
            self._when[index] = function
        try:
            return function(values) is True
        except Exception:
            return False  # the check function reports the failure as the rule's error


def measure_coverage(pack: Pack, results: Iterable[CaseResult]) -> tuple[RuleCoverage, ...]:
    """Coverage of each rule ``pack`` itself defines (not its includes'), in pack order."""
    fires: set[str] = set()
    passes: set[str] = set()
    fixed: set[str] = set()
    for result in results:
        fires |= result.case.expected & result.found
        broken = {error.rule for error in result.errors}
        passes |= result.evaluated - result.found - result.case.expected - broken
        if result.passed:
            fixed |= result.fixed_by
    return tuple(
        RuleCoverage(rule.id, rule.location, rule.id in fires, rule.id in passes,
                     rule.fix is not None, rule.id in fixed)
        for rule in pack.rules
        if rule.pack == pack.name
    )
