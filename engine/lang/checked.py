"""What checking and compiling a pack leave for its runs: each checked expression (the
type of every node), each rule's checked conditions on one field, the type of the check
function, and the marker of a memo slot not yet filled.

Kept apart from the checker and the compiler, which make them: a pack read back from the
cache (``run.cache``) holds these and runs without importing either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrsrules.lang import nodes as n
    from lrsrules.lang.regexes import Regex
    from lrsrules.packs.model import ExprSource

# A function returned by compile_rules: values (in CompiledPack.fields order) -> hits, where a
# hit is a target index (the rule failed) or (target index, exception) (it could not be
# evaluated).
CheckFunction = Callable[[Sequence[str | None]], list[Any]]
UNSET = object()  # a memo slot of the generated code not yet filled for this record


@dataclass(frozen=True, slots=True)
class Typed:
    type: str
    nullable: bool


@dataclass
class CheckedExpr:
    """A parsed expression with the type of every node (keyed by node identity)."""

    root: n.Node
    source: ExprSource
    types: dict[int, Typed] = field(default_factory=dict)
    regexes: dict[int, Regex] = field(default_factory=dict)  # pattern literals, compiled

    def typed(self, node: n.Node) -> Typed:
        return self.types[id(node)]

    if not TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any:
            # Only for what is missing: an expression read back from the cache has its
            # tree, types and regexes packed until one is first read (``run.packpickle``):
            # a run on a short file reads none, and loads no node class. Unpacked once,
            # the three together, under a lock: threads may share a pack (a Dask worker's
            # tasks), and a tree must never meet another copy's types.
            if name in _PACKED and "_unpack" in self.__dict__:
                with _UNPACKING:
                    unpack = self.__dict__.get("_unpack")
                    if unpack is not None:
                        root, types, regexes = unpack()
                        self.__dict__.update(root=root, types=types, regexes=regexes)
                        del self.__dict__["_unpack"]
                return self.__dict__[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


_PACKED = frozenset({"root", "types", "regexes"})
_UNPACKING = Lock()


@dataclass(frozen=True, slots=True)
class RuleCode:
    """The checked conditions of one rule applied to one field (a 'target')."""

    check: CheckedExpr
    when: CheckedExpr | None
    unless: CheckedExpr | None
    field: str  # the field `value` and `field_name` stand for
    rule_id: str = ""  # named in a comment of the generated code, for people reading it
