"""Python source for one checked expression, with null guards only where needed.

``ExprCode.value`` gives code for an expression's value (null as ``None``);
``ExprCode.test`` gives code that is true exactly when a condition has a wanted truth value,
which is what a rule needs ("is the check false?") and lets guards be hoisted: ``len(x) <=
35`` tested for false becomes ``x is not None and not len(x) <= 35``.

Both track *known* variables: fields already proven not null on the path being compiled
(after ``when: present(x)``, ``x`` is known), so later guards on them are left out. A
*strict* variable of a node is one whose null makes the node null; testing those first is
equivalent to testing the operands one by one, except that an operand that would fail is
not reached when another operand is null (the result is null either way).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lrsrules import speedups
from lrsrules.dates import parse_iso_date
from lrsrules.lang import nodes as n
from lrsrules.lang.backtracking import python_fullmatch, python_sublanguage
from lrsrules.lang.checked import UNSET as UNSET  # defined apart: a cached pack holds it
from lrsrules.lang.checked import CheckedExpr
from lrsrules.lang.functions import FUNCTIONS, LIST, TEXT, remembered, require_date

Known = frozenset[str]
_MEMO_TOKEN = re.compile("\x00([0-9]+)\x00")
MEMO_SLOT = re.compile("_m[0-9]+")  # the names ``resolve`` gives memo slots
# Functions that take null, and the result that proves their argument is not null.
_PROVES_PRESENT = {"present": True, "blank": False, "is_date": True, "is_int": True}


class Emitter:
    """Names the constants (lists, regexes, functions), temporaries and memo slots of one
    generated module.

    A call or regex match that several rules compute on the same fields (``uln matches
    ...`` as one rule's check and the next rule's ``when``; ``is_date(x)`` and ``date(x)``)
    is computed once per record: code for such a sub-expression is first emitted as a
    token, and ``resolve`` turns tokens used more than once into a lazily filled local.
    """

    def __init__(self, today: dt.date) -> None:
        self.constants: dict[str, object] = {"_today": today, "_UNSET": UNSET}
        self._by_key: dict[tuple[str, object], str] = {}
        self._temps = 0
        self._memo_ids: dict[str, int] = {}
        self._memo_code: list[str] = []
        self._memo_uses: list[int] = []

    def memo(self, code: str) -> str:
        """A token standing for ``code``, a pure expression of the record's fields."""
        key = self._memo_ids.setdefault(code, len(self._memo_code))
        if key == len(self._memo_code):
            self._memo_code.append(code)
            self._memo_uses.append(0)
        self._memo_uses[key] += 1
        return f"\x00{key}\x00"

    def resolve(self, text: str) -> tuple[str, list[str]]:
        """Replace memo tokens: plain code when used once, a memo slot otherwise.

        Returns the code and the slots it uses, which the enclosing function must set to
        ``_UNSET`` before the first use.
        """
        slots: list[str] = []

        def expand(match: re.Match[str]) -> str:
            key = int(match.group(1))
            code, inner = self.resolve(self._memo_code[key])
            slots.extend(slot for slot in inner if slot not in slots)
            if self._memo_uses[key] < 2:
                return code
            slot = f"_m{key}"
            if slot not in slots:
                slots.append(slot)
            return f"({slot} if {slot} is not _UNSET else ({slot} := {code}))"

        return _MEMO_TOKEN.sub(expand, text), slots

    def constant(self, value: object, key: tuple[str, object]) -> str:
        if key not in self._by_key:
            self._by_key[key] = name = f"_c{len(self.constants)}"
            self.constants[name] = value
        return self._by_key[key]

    def temp(self) -> str:
        self._temps += 1
        return f"_t{self._temps}"


def _is_null(node: n.Node) -> bool:
    return isinstance(node, n.Literal) and node.value is None


def _null_test(node: n.Binary) -> n.Node | None:
    """The other operand of ``x == null`` / ``x != null``, else None."""
    if node.op in ("==", "!=") and (_is_null(node.left) or _is_null(node.right)):
        return node.right if _is_null(node.left) else node.left
    return None


def _all_not_none(names: Sequence[str]) -> str:
    return " and ".join(f"{name} is not None" for name in names)


class ExprCode:
    """Code generation for one checked expression in one rule target."""

    def __init__(self, emitter: Emitter, checked: CheckedExpr, env: Mapping[str, str],
                 field_name: str | None, lists: Mapping[str, tuple[str, ...]]) -> None:
        self.e = emitter
        self.checked = checked
        self.env = env  # field name (and "value") -> local variable
        self.field_name = field_name
        self.lists = lists

    # -- what can be null ---------------------------------------------------------------

    def var(self, node: n.Node) -> str | None:
        if isinstance(node, n.Name) and node.name != "field_name":
            return self.env[node.name]
        return None

    def nullable(self, node: n.Node, known: Known) -> bool:
        if isinstance(node, n.Literal):
            return node.value is None
        if isinstance(node, n.Name):
            return node.name != "field_name" and self.env[node.name] not in known
        if isinstance(node, n.Call):
            spec = FUNCTIONS[node.function]
            return not spec.takes_null and any(self.nullable(a, known) for a in node.args)
        if isinstance(node, n.Unary):
            return self.nullable(node.operand, known)
        if isinstance(node, n.Binary):
            if _null_test(node) is not None:
                return False
            if node.op in ("in", "not in", "matches"):
                return self.nullable(node.left, known)
            return self.nullable(node.left, known) or self.nullable(node.right, known)
        return False  # lists are never null

    def strict(self, node: n.Node) -> Known:
        """Variables whose null makes this node null."""
        var = self.var(node)
        if var is not None:
            return frozenset({var})
        if isinstance(node, n.Call):
            if FUNCTIONS[node.function].takes_null:
                return frozenset()
            return frozenset().union(*(self.strict(a) for a in node.args))
        if isinstance(node, n.Unary):
            return self.strict(node.operand)
        if isinstance(node, n.Binary):
            if _null_test(node) is not None:
                return frozenset()
            if node.op in ("and", "or"):
                return self.strict(node.left) & self.strict(node.right)
            if node.op in ("in", "not in", "matches"):
                return self.strict(node.left)
            return self.strict(node.left) | self.strict(node.right)
        return frozenset()

    def implied(self, node: n.Node, want: bool) -> Known:
        """Variables proven not null when the condition has the truth value ``want``."""
        if isinstance(node, n.Call) and node.function in _PROVES_PRESENT:
            var = self.var(node.args[0])
            if var is not None and want == _PROVES_PRESENT[node.function]:
                return frozenset({var})
            return frozenset()
        if isinstance(node, n.Binary):
            other = _null_test(node)
            if other is not None:
                var = self.var(other)
                if var is not None and want == (node.op == "!="):
                    return frozenset({var})
                return frozenset()
        return self.strict(node)  # a true or false result is not null

    # -- conditions ---------------------------------------------------------------------

    def test(self, node: n.Node, want: bool, known: Known) -> tuple[str, Known]:
        """Code true exactly when ``node`` evaluates to ``want``; and what it then proves."""
        if isinstance(node, n.Unary) and node.op == "not":
            return self.test(node.operand, not want, known)
        if isinstance(node, n.Binary) and node.op in ("and", "or"):
            return self.logical_test(node, want, known)
        proven = known | self.implied(node, want)
        if not self.nullable(node, known):
            code = self.raw(node, known)
            return (code if want else f"(not {code})"), proven
        hoisted = sorted(self.strict(node) - known)
        if hoisted and not self.nullable(node, known | frozenset(hoisted)):
            code = self.raw(node, known | frozenset(hoisted))
            return f"({_all_not_none(hoisted)} and {'' if want else 'not '}{code})", proven
        return f"({self.value(node, known)} is {want})", proven

    def logical_test(self, node: n.Binary, want: bool, known: Known) -> tuple[str, Known]:
        # `a and b` is false when either is false; true when both are. `or` is the mirror.
        # Operands run left to right, the right one skipped only when the left decides.
        deciding = node.op == "or"  # the value of the left operand that decides
        left, right = node.left, node.right
        if want == deciding:
            left_code, left_known = self.test(left, want, known)
            right_code, right_known = self.test(right, want, known)
            return f"({left_code} or {right_code})", left_known & right_known
        if not self.nullable(left, known):
            left_code, left_known = self.test(left, want, known)
            right_code, right_known = self.test(right, want, left_known)
            return f"({left_code} and {right_code})", right_known
        # A null left operand does not decide, so the right one still runs.
        temp = self.e.temp()
        right_code, right_known = self.test(right, want, known)
        left_value = self.value(left, known)
        return (f"(({temp} := {left_value}) is not {deciding} and {right_code} "
                f"and {temp} is {want})"), right_known | self.implied(left, want)

    # -- values -------------------------------------------------------------------------

    def value(self, node: n.Node, known: Known) -> str:
        """Code for the node's value; ``None`` where the language gives null."""
        if self.nullable(node, known) and not isinstance(node, n.Name):
            hoisted = sorted(self.strict(node) - known)
            if hoisted and not self.nullable(node, known | frozenset(hoisted)):
                tests = " or ".join(f"{name} is None" for name in hoisted)
                return f"(None if {tests} else {self.raw(node, known | frozenset(hoisted))})"
        return self.raw(node, known)

    def guarded(self, parts: Sequence[n.Node], known: Known,
                build: Callable[..., str]) -> str:
        """build(*operands), null when a nullable operand is null (checked in order)."""
        names: list[str] = []
        tests: list[str] = []
        for part in parts:
            code = self.value(part, known)
            if not self.nullable(part, known):
                names.append(code)
            elif code.isidentifier():
                tests.append(f"{code} is None")
                names.append(code)
            else:
                temp = self.e.temp()
                tests.append(f"({temp} := {code}) is None")
                names.append(temp)
        body = build(*names)
        return f"(None if {' or '.join(tests)} else {body})" if tests else body

    def raw(self, node: n.Node, known: Known) -> str:
        if isinstance(node, n.Literal):
            return repr(node.value)
        if isinstance(node, n.Name):
            return repr(self.field_name) if node.name == "field_name" else self.env[node.name]
        if isinstance(node, (n.ListRef, n.ListLiteral)):
            items = self.constant_list(node)
            if items is not None:
                return self.e.constant(items, ("tuple", items))
            assert isinstance(node, n.ListLiteral)
            return "(" + "".join(f"{self.value(i, known)}, " for i in node.items) + ")"
        if isinstance(node, n.Call):
            return self.call(node, known)
        if isinstance(node, n.Unary):
            if isinstance(node.operand, n.Literal) and node.op == "neg":
                return repr(-node.operand.value)  # type: ignore[operator]
            sign = "not " if node.op == "not" else "-"
            return self.guarded([node.operand], known, lambda a: f"({sign}{a})")
        return self.binary(node, known)

    def constant_list(self, node: n.Node) -> tuple[Any, ...] | None:
        if isinstance(node, n.ListRef):
            return self.lists[node.name]
        if isinstance(node, n.ListLiteral) and all(
                isinstance(item, n.Literal) for item in node.items):
            return tuple(item.value for item in node.items)  # type: ignore[union-attr]
        return None

    def call(self, node: n.Call, known: Known) -> str:
        spec = FUNCTIONS[node.function]
        args = node.args
        if node.function == "today":
            return "_today"
        if node.function in ("present", "blank") and self.var(args[0]) is not None:
            # Field values are null exactly when blank: a plain null test.
            test = "is not" if node.function == "present" else "is"
            return f"({self.var(args[0])} {test} None)"
        if node.function in ("is_date", "date") and self.checked.typed(args[0]).type == TEXT:
            return self.date_call(node, known)
        if spec.regex_param is not None:  # the pattern and replacement: checked literals
            regex = self.checked.regexes[id(args[spec.regex_param])]
            replacement = args[spec.regex_param + 1]
            assert isinstance(replacement, n.Literal) and isinstance(replacement.value, str)
            replace = self.e.constant(regex.replacer(replacement.value),
                                      ("replacer", (regex.pattern, replacement.value)))
            return self.guarded(args[:spec.regex_param], known,
                                lambda a: self.e.memo(f"{replace}({a})"))
        last = self.constant_list(args[-1]) if args and spec.params[-1] == LIST else None
        if last is not None and spec.specialise is not None:
            # e.g. contains_word(x, @list): the list is indexed once, at compile time.
            made = spec.specialise(last)
            if node.function == "contains_word" and speedups.enabled():
                # Names repeat: a C lookup, mostly, and one memory for the whole run.
                made = remembered(made, (node.function, last))
            special = self.e.constant(made, (node.function, last))
            return self.guarded(args[:-1], known,
                                lambda *a: self.e.memo(f"{special}({', '.join(a)})"))
        if spec.takes_null:
            codes = [self.value(a, known) for a in args]
            if spec.inline is not None:
                return spec.inline.format(*codes)
            impl = self.e.constant(spec.impl, ("function", node.function))
            return self.e.memo(f"{impl}({', '.join(codes)})")
        if spec.inline is not None:
            template = spec.inline
            return self.guarded(args, known, lambda *a: template.format(*a))
        impl = self.e.constant(spec.impl, ("function", node.function))
        return self.guarded(args, known, lambda *a: self.e.memo(f"{impl}({', '.join(a)})"))

    def date_call(self, node: n.Call, known: Known) -> str:
        """is_date(x) and date(x) on text share one parse of x per record."""
        parse = self.e.constant(
            remembered(parse_iso_date, "parse_iso_date") if speedups.enabled()
            else parse_iso_date, ("function", "parse_iso_date"))  # dates repeat: a lookup
        arg = node.args[0]
        if node.function == "date":
            require = self.e.constant(require_date, ("function", "require_date"))

            def parsed_or_fail(a: str) -> str:
                if not a.isidentifier():
                    return f"{require}({parse}({a}), {a})"
                # The parse is shared; `require` runs only to say why there is no date.
                temp = self.e.temp()
                return (f"({temp} if ({temp} := {self.e.memo(f'{parse}({a})')}) is not None "
                        f"else {require}(None, {a}))")

            return self.guarded([arg], known, parsed_or_fail)
        code = self.value(arg, known)
        if not code.isidentifier():
            impl = self.e.constant(FUNCTIONS["is_date"].impl, ("function", "is_date"))
            return f"{impl}({code})"
        parsed = f"{self.e.memo(f'{parse}({code})')} is not None"
        if self.nullable(arg, known):
            return f"({code} is not None and {parsed})"
        return f"({parsed})"

    def binary(self, node: n.Binary, known: Known) -> str:
        op = node.op
        other = _null_test(node)
        if other is not None:
            return f"({self.value(other, known)} {'is' if op == '==' else 'is not'} None)"
        if op in ("and", "or"):
            return self.logical_value(node, known)
        if op in ("in", "not in"):
            items = self.constant_list(node.right)
            if items is None:
                container = self.value(node.right, known)
            else:
                container = self.e.constant(frozenset(items), ("set", items))
            return self.guarded([node.left], known, lambda a: f"({a} {op} {container})")
        if op == "matches":  # the pattern is a checked string literal, compiled once
            regex = self.checked.regexes[id(node.right)]
            fast = python_fullmatch(regex.pattern) if speedups.enabled() else None
            if fast is not None:  # proven linear on Python's re, a third of RE2's cost
                found = self.e.constant(fast, ("python regex", regex.pattern))
                return self.guarded([node.left], known,
                                    lambda a: self.e.memo(f"({found}({a}) is not None)"))
            test = self.e.constant(regex.fullmatches, ("regex", regex.pattern))
            quick = python_sublanguage(regex.pattern) if speedups.enabled() else None
            if quick is not None:  # most texts match a sublanguage re runs in C: RE2 after
                sub = self.e.constant(quick, ("python sublanguage", regex.pattern))
                return self.guarded([node.left], known, lambda a: self.e.memo(
                    f"({sub}({a}) is not None or {test}({a}))"))
            return self.guarded([node.left], known, lambda a: self.e.memo(f"{test}({a})"))
        return self.guarded([node.left, node.right], known, lambda a, b: f"({a} {op} {b})")

    def logical_value(self, node: n.Binary, known: Known) -> str:
        left, right = node.left, node.right
        if not self.nullable(left, known) and not self.nullable(right, known):
            return f"({self.raw(left, known)} {node.op} {self.raw(right, known)})"
        # Kleene logic, left to right with short cut: a deciding operand wins over null.
        decide, other = ("False", "True") if node.op == "and" else ("True", "False")
        a, b = self.e.temp(), self.e.temp()
        return (f"({decide} if ({a} := {self.value(left, known)}) is {decide} else "
                f"({decide} if ({b} := {self.value(right, known)}) is {decide} else "
                f"(None if {a} is None or {b} is None else {other})))")
