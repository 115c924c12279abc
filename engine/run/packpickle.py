"""How a prepared pack is pickled for the cache (``run.cache``): what plain pickle cannot
keep, and what it would keep slowly.

The generated check functions and nested functions are kept as their marshalled code and
the constants they read; RE2 regexes by pattern (built again on load); Python ``re``
patterns (the fast paths') with their compiled code; checked expressions with their
node-keyed tables by node, not id; slotted dataclasses as their field values. Each load
function here is named by the entries, so an entry is read back by this module.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import marshal
import pickle
import re
import sys
import types
from collections.abc import Callable
from typing import Any


class PackPickler(pickle.Pickler):
    """Pickles a ``CompiledPack`` as the module says."""

    def __init__(self, file: io.BytesIO, protocol: int) -> None:
        super().__init__(file, protocol=protocol)
        # How each type is pickled, decided once per type: reducer_override runs for every
        # object of the pack (60,000 for a code list of 5,000 comparisons).
        self.reducers: dict[type, Callable[[Any], Any] | None] = {}
        # One of each equal node type: an expression's table gives every node its own, and
        # kept once each, the pack loads hundreds of objects fewer.
        self.typed: dict[Any, Any] = {}

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind not in self.reducers:
            self.reducers[kind] = _reducer_for(kind, self.typed)
        reducer = self.reducers[kind]
        return NotImplemented if reducer is None else reducer(obj)


def _reducer_for(kind: type, typed: dict[Any, Any]) -> Callable[[Any], Any] | None:
    from lrsrules.lang.checked import UNSET, CheckedExpr
    from lrsrules.lang.groups import RememberedHits
    from lrsrules.lang.regexes import Answers, Regex, compile_regex

    if kind is types.FunctionType:
        return lambda obj: NotImplemented if _importable(obj) else _function_reduction(obj)
    if kind is re.Pattern:
        return _python_regex_reduction
    if kind is Regex:
        # Kept translated for RE2: translating Unicode classes again costs 0.1 s a pattern.
        return lambda obj: (_regex, (obj.pattern, obj._translated))
    if kind is Answers:  # a pattern's answers are its Regex's own
        return lambda obj: (_answers, (obj.pattern, compile_regex(obj.pattern)._translated))
    if kind is CheckedExpr:
        return lambda obj: _checked_reduction(obj, typed)
    if kind is types.BuiltinMethodType:  # the lookups of groups: made again by bind_groups
        made_on_load = (RememberedHits, itertools.count)
        return lambda obj: ((_made_on_load, ()) if type(obj.__self__) in made_on_load
                            else NotImplemented)
    if kind is object:
        return lambda obj: (_unset, ()) if obj is UNSET else NotImplemented
    names = _slotted_fields(kind)
    if names is None:
        return None
    # Twice as fast to load as dataclasses' own __setstate__.
    return lambda obj: (_restore, (kind, tuple([getattr(obj, name) for name in names])))


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _slotted_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a slotted dataclass (whose slots are its fields alone), else None."""
    if cls not in _FIELDS:
        names = None
        if dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__:
            names = tuple(field.name for field in dataclasses.fields(cls))
            if set(names) != set(cls.__dict__["__slots__"]):
                names = None
        _FIELDS[cls] = names
    return _FIELDS[cls]


def _restore(cls: type, values: tuple[Any, ...]) -> Any:
    found: Any = object.__new__(cls)
    names = _slotted_fields(cls) or ()
    for name, value in zip(names, values, strict=True):
        object.__setattr__(found, name, value)  # a frozen dataclass's own way
    return found


def _importable(function: types.FunctionType) -> bool:
    module = sys.modules.get(function.__module__ or "")
    if module is None or module.__dict__ is not function.__globals__:
        return False
    found: Any = module
    for part in function.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is function


def _function_reduction(function: types.FunctionType) -> tuple[Any, ...]:
    scope = function.__globals__
    module = sys.modules.get(function.__module__ or "")
    if module is not None and module.__dict__ is scope:
        where: str | dict[str, Any] = module.__name__
        siblings: list[tuple[str, bytes]] = []
    else:  # a generated module: its namespace holds its constants and its functions
        own = {name for name, value in scope.items()
               if isinstance(value, types.FunctionType) and value.__globals__ is scope}
        where = {name: value for name, value in scope.items()
                 if name != "__builtins__" and name not in own}
        siblings = [(name, marshal.dumps(scope[name].__code__)) for name in sorted(own)
                    if scope[name].__closure__ is None and name != function.__name__]
    cells = None if function.__closure__ is None else tuple(
        cell.cell_contents for cell in function.__closure__)
    return _function, (where, siblings, function.__name__, marshal.dumps(function.__code__),
                       function.__defaults__, function.__kwdefaults__, cells)


def _function(where: str | dict[str, Any], siblings: list[tuple[str, bytes]], name: str,
              code: bytes, defaults: tuple[Any, ...] | None,
              kwdefaults: dict[str, Any] | None, cells: tuple[Any, ...] | None
              ) -> types.FunctionType:
    if isinstance(where, str):
        import importlib

        scope = importlib.import_module(where).__dict__
    else:
        scope = dict(where)
        for sibling, sibling_code in siblings:
            scope[sibling] = types.FunctionType(marshal.loads(sibling_code), scope, sibling)
    closure = None if cells is None else tuple(types.CellType(value) for value in cells)
    function = types.FunctionType(marshal.loads(code), scope, name, defaults, closure)
    function.__kwdefaults__ = kwdefaults
    if not isinstance(where, str):
        scope[name] = function
        from lrsrules.lang.groups import bind_groups

        bind_groups(scope)  # the memory of its groups: never stored, made for this scope
    return function


def _made_on_load() -> None:
    return None


def _checked_reduction(checked: Any, typed: dict[Any, Any]) -> tuple[Any, ...]:
    """A checked expression with its tree, types and regexes packed in a pickle of their
    own, read back when the expression is first read (``CheckedExpr.__getattr__``)."""
    from lrsrules.lang import nodes as n

    by_id: dict[int, Any] = {}
    stack = [checked.root]
    while stack:
        node = stack.pop()
        by_id[id(node)] = node
        stack.extend(n.children(node))
    types_ = [(by_id[key], typed.setdefault(kept, kept))
              for key, kept in checked.types.items() if key in by_id]
    regexes = [(by_id[key], regex) for key, regex in checked.regexes.items() if key in by_id]
    packed = io.BytesIO()
    inner = PackPickler(packed, protocol=pickle.HIGHEST_PROTOCOL)
    inner.typed = typed
    inner.dump((checked.root, types_, regexes))
    return _checked, (packed.getvalue(), checked.source)


def _checked(packed: bytes, source: Any) -> Any:
    from lrsrules.lang.checked import CheckedExpr

    found: Any = object.__new__(CheckedExpr)
    found.source = source
    found._unpack = functools.partial(_unpacked, packed)
    return found


def _unpacked(packed: bytes) -> tuple[Any, dict[int, Any], dict[int, Any]]:
    root, types_, regexes = pickle.loads(packed)
    return (root, {id(node): kept for node, kept in types_},
            {id(node): regex for node, regex in regexes})


# The Regex rebuilt for each (pattern, translation), so that an expression's regex and the
# answers its generated code reads stay one object, as they were when the entry was made.
_REBUILT: dict[tuple[str, str], Any] = {}


def _regex(pattern: str, translated: str) -> Any:
    from lrsrules.lang.regexes import Regex

    found = _REBUILT.get((pattern, translated))
    if found is None:
        found = _REBUILT[(pattern, translated)] = Regex(pattern, translated)
    return found


def _answers(pattern: str, translated: str) -> Any:
    return _regex(pattern, translated).fullmatches.__self__


def _python_regex_reduction(compiled: re.Pattern[Any]) -> Any:
    """A pattern of Python's ``re`` (a fast path's, ``lang.backtracking``) kept with the
    code its compiler made: compiled again, the default pack's few patterns (classes that
    spell out every code point of \\w) cost 20 ms a run; built from the code, 0.2 ms. The
    key holds the Python version, so the code is always read by the ``re`` that made it;
    a pattern whose code does not rebuild it exactly is pickled as ``re`` pickles it."""
    try:
        import re._compiler as sre_compile  # type: ignore[import-not-found]
        import re._parser as sre_parse  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_compile
        import sre_parse
    try:
        parsed = sre_parse.parse(compiled.pattern, compiled.flags)
        names = [None] * parsed.state.groups
        for name, index in parsed.state.groupdict.items():
            names[index] = name
        made = (compiled.pattern, compiled.flags | parsed.state.flags,
                [int(op) for op in sre_compile._code(parsed, compiled.flags)],
                parsed.state.groups - 1, dict(parsed.state.groupdict), tuple(names))
        if _python_regex(*made) != compiled:
            return NotImplemented
    except Exception:  # a Python whose re works otherwise: pickled as re pickles it
        return NotImplemented
    return _python_regex, made


def _python_regex(pattern: str, flags: int, code: list[int], groups: int,
                  groupindex: dict[str, int], indexgroup: tuple[str | None, ...]
                  ) -> re.Pattern[Any]:
    import _sre  # type: ignore[import-not-found]

    compiled: re.Pattern[Any] = _sre.compile(pattern, flags, code, groups, groupindex,
                                             indexgroup)
    return compiled


def _unset() -> object:
    from lrsrules.lang.checked import UNSET

    return UNSET
