"""Help and usage errors worded for people, not in typer's type notation.

Typer writes types in help as ``<str>``, ``<list[str]>`` and required arguments as
``{PATH}`` (0.28 through ``make_metavar``, 0.29 through ``display_type``), and 0.29's
usage errors carry pydantic's "Value error, " prefix. ``humanise`` makes help read as
click's always did (``--pack PACK``, ``--format [text|json]``, ``PATH...``) and drops
the prefix. Each change is made only where the typer in use has the piece it changes,
so another typer keeps its own wording rather than failing.
"""

from __future__ import annotations

from typing import Any

import typer
import typer.core

_PREFIX = "Value error, "


def humanise() -> None:
    option = getattr(typer.core, "TyperOption", None)
    argument = getattr(typer.core, "TyperArgument", None)
    if option is not None and hasattr(option, "display_type"):
        option.display_type = _option_type
    if argument is not None and hasattr(argument, "display_type_rich"):
        argument.display_type_rich = _argument_type
    if argument is not None and hasattr(argument, "_usage_display_name"):
        argument._usage_display_name = _usage_name
    if option is not None and not hasattr(option, "display_type"):  # typer before 0.29
        option.make_metavar = _option_metavar
    if argument is not None and not hasattr(argument, "_usage_display_name"):
        argument.make_metavar = _argument_metavar
    bad = typer.BadParameter
    if not getattr(bad.format_message, "humanised", False):
        plain = bad.format_message

        def format_message(self: Any) -> str:
            return str(plain(self)).replace(_PREFIX, "")

        format_message.humanised = True  # type: ignore[attr-defined]
        bad.format_message = format_message  # type: ignore[method-assign]


def _choices(param: Any) -> str | None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not getattr(descriptor, "is_choice", False):
        return None
    return "[" + "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ()) + "]"


def _option_type(self: Any, ctx: Any) -> str:
    """An option's value as a word (``--pack PACK``), or its choices."""
    return _choices(self) or (self.name or "value").upper().replace("_", "-")


def _argument_type(self: Any, ctx: Any) -> str | None:
    """An argument is named by its metavar; only choices are added."""
    return _choices(self)


def _usage_name(self: Any) -> str:
    name = str(self.display_name_raw)
    if self.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name if self.required else f"[{name}]"


def _option_metavar(self: Any, ctx: Any) -> str:
    """typer before 0.29: an option's value as a word (``--pack PACK``), or its choices."""
    if self.metavar is not None:
        return str(self.metavar)
    choices = getattr(self.type, "choices", None)
    if choices:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
    return (self.name or "value").upper().replace("_", "-")


def _argument_metavar(self: Any, ctx: Any, *, usage: bool = False) -> str:
    """typer before 0.29: an argument by its metavar (or name), ``...`` when it takes
    several, in brackets in the usage line when it may be left out."""
    name = str(self.metavar or (self.name or "").upper())
    if self.nargs != 1 and not name.endswith("..."):
        name += "..."
    return f"[{name}]" if usage and not self.required else name
