"""Settings a repository commits: ``lrsrules.toml`` or ``[tool.lrsrules]`` in ``pyproject.toml``.

Found from the current folder upwards: in each folder ``lrsrules.toml`` (its top-level
keys), else a ``pyproject.toml`` that has a ``[tool.lrsrules]`` table; the search stops
at the first found, at a repository's root (a folder holding ``.git``: settings above a
repository are not its own) and at the filesystem root. ``LRSRULES_CONFIG`` names a file
instead, or ``none`` for no file.

Each setting in force comes from, in order: a flag on the command line, an environment
variable (``LRSRULES_PACK``, ``LRSRULES_FAIL_ON`` ...), the file, the command's default.
Paths in the file are relative to its folder. ``show-values`` is refused in a file:
personal data is shown only when someone asks for it with the flag. The file is checked
against ``config.schema.json``; a bad one is an error naming its file, line and a fix.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from lrsrules.dates import parse_iso_date
from lrsrules.errors import EngineError, Location
from lrsrules.limits import MAX_CONFIG_FILE_BYTES
from lrsrules.packs.model import DEFAULT_PACK

CONFIG_NAME = "lrsrules.toml"
PYPROJECT = "pyproject.toml"
CONFIG_ENV = "LRSRULES_CONFIG"
SCHEMA = "config.schema.json"


@dataclass(frozen=True, slots=True)
class Key:
    """One setting: its parameter in the commands, and what a value must be (for errors)."""

    param: str
    must_be: str

    @property
    def env(self) -> str:
        return "LRSRULES_" + self.param.upper()


KEYS: Mapping[str, Key] = {
    "pack": Key("pack", "a bundled pack name or a path to a pack"),
    "overlays": Key("overlays", "a list of overlay pack paths"),
    "waivers": Key("waivers", "the path of a waiver file"),
    "fail-on": Key("fail_on", "one of error, warning, info"),
    "format": Key("format", "a report format"),
    "select": Key("select", "a list of rule ids, id prefixes or tag:NAME"),
    "ignore": Key("ignore", "a list of rule ids, id prefixes or tag:NAME"),
    "workers": Key("workers", '"auto" or a whole number of 1 or more'),
    "as-of": Key("as_of", "a date written YYYY-MM-DD"),
}
_PATHS = ("pack", "overlays", "waivers")  # relative to the file's folder
_LISTS = ("overlays", "select", "ignore")
_REFUSED = {"show-values": "personal data is shown only when --show-values is given on the "
            "command line; remove it from the file"}


class ConfigError(EngineError):
    """A settings file, or an environment variable, that cannot be used."""

    quote_source = False


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A settings file read: its settings and the line of each."""

    path: Path
    table: Mapping[str, Any]
    lines: Mapping[str, int]

    def where(self, key: str) -> Location:
        return Location(str(self.path), self.lines.get(key))


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    value: object
    source: str  # default, flag, env NAME, or FILE:LINE


# --- finding and reading the file ---------------------------------------------------------------

def find_config(start: Path | None = None) -> Path | None:
    """The settings file in force for a command run in ``start`` (default: here)."""
    named = os.environ.get(CONFIG_ENV)
    if named is not None:
        if named.strip().lower() in ("", "none"):
            return None
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"the settings file named by {CONFIG_ENV} does not exist",
                              Location(named), hint=f"unset {CONFIG_ENV}, or set it to none")
        return path
    folder = (start or Path.cwd()).resolve()
    for place in (folder, *folder.parents):
        if (place / CONFIG_NAME).is_file():
            return place / CONFIG_NAME
        pyproject = place / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if (place / ".git").exists():
            return None
    return None


def read_config(path: Path) -> ConfigFile:
    """Read and check a settings file; raises ``ConfigError`` naming its line."""
    if sys.version_info >= (3, 11):  # imported when a settings file is found
        import tomllib
    else:  # pragma: no cover (Python 3.10)
        import tomli as tomllib

    text = _text(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _toml_position(str(exc))
        raise ConfigError(f"the file is not valid TOML: {message}", Location(
            str(path), line, column), hint="see https://toml.io for how TOML is written"
        ) from None
    in_pyproject = path.name == PYPROJECT
    table = document.get("tool", {}).get("lrsrules", {}) if in_pyproject else document
    config = ConfigFile(path, table, _key_lines(text, in_pyproject))
    if not isinstance(table, dict):
        raise ConfigError("tool.lrsrules must be a table", config.where(""),
                          hint="write [tool.lrsrules] above the settings")
    _check(config)
    return config


def _has_tool_table(path: Path) -> bool:
    # Read whole only when the table may be there: most pyproject files are not ours.
    try:
        if path.stat().st_size > MAX_CONFIG_FILE_BYTES:
            return True  # _text reports it
        return re.search(r"^\s*\[\s*tool\s*\.\s*lrsrules\s*[\].]|^\s*tool\s*\.\s*lrsrules\b",
                         path.read_text("utf-8", errors="replace"), re.MULTILINE) is not None
    except OSError:
        return False


def _text(path: Path) -> str:
    where = Location(str(path))
    try:
        if path.stat().st_size > MAX_CONFIG_FILE_BYTES:
            raise ConfigError(f"the settings file is larger than {MAX_CONFIG_FILE_BYTES} bytes "
                              "(the most one may be)", where, hint="check that it is the file "
                              "you meant")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the settings file: {exc.strerror}", where) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError("the settings file is not UTF-8 text", Location(str(path), line),
                          hint=f"write it as TOML text, or delete it; set {CONFIG_ENV}=none "
                          "to run without it") from None
    if "\x00" in text:
        raise ConfigError("the settings file is not text (it holds a NUL byte)",
                          Location(str(path), text[: text.index("\x00")].count("\n") + 1),
                          hint=f"write it as TOML text, or delete it; set {CONFIG_ENV}=none "
                          "to run without it")
    return text


def _toml_position(message: str) -> tuple[str, int | None, int | None]:
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found is None:
        return message, None, None
    return message[: found.start()], int(found[1]), int(found[2])


def _key_lines(text: str, in_pyproject: bool) -> dict[str, int]:
    """The line of each top-level setting (and of the table itself, as "")."""
    lines: dict[str, int] = {}
    inside = not in_pyproject
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"\[\s*([^\]]*?)\s*\]", stripped)
        if header and not stripped.startswith("[["):
            name = re.sub(r"\s+", "", header[1])
            inside = name == "tool.lrsrules" if in_pyproject else False
            if inside:
                lines.setdefault("", number)
            continue
        key = re.match(r"""["']?([A-Za-z0-9_-]+)["']?\s*=""", stripped)
        if inside and key:
            lines.setdefault(key[1], number)
    return lines


def _check(config: ConfigFile) -> None:
    for key, why in _REFUSED.items():
        if key in config.table:
            raise ConfigError(f"{key} cannot be set in a settings file", config.where(key),
                              hint=why)
    problems = []
    import difflib  # for a file found, as jsonschema

    from lrsrules.packs.schema import schema_validator  # jsonschema: only for a file found

    for error in sorted(schema_validator(SCHEMA).iter_errors(config.table),
                        key=lambda e: [str(p) for p in e.path]):
        if error.validator == "additionalProperties":
            for key in sorted(set(config.table) - set(KEYS)):
                close = difflib.get_close_matches(key, KEYS, n=1)
                hint = (f"did you mean {close[0]}?" if close
                        else f"the settings are: {', '.join(KEYS)}")
                problems.append(ConfigError(f"unknown setting {key!r}", config.where(key),
                                            hint=hint))
            continue
        key = str(error.path[0]) if error.path else ""
        what = KEYS[key].must_be if key in KEYS else "as the schema says"
        problems.append(ConfigError(f"{key} must be {what}", config.where(key),
                                    hint=_example(key)))
    if problems:
        raise ConfigError(problems=[p for error in problems for p in error.problems])


def _example(key: str) -> str:
    examples = {"pack": 'pack = "lrs-default"', "overlays": 'overlays = ["ours.yaml"]',
                "waivers": 'waivers = "waivers.yaml"', "fail-on": 'fail-on = "warning"',
                "format": 'format = "jsonl"', "select": 'select = ["CDD.ULN"]',
                "ignore": 'ignore = ["tag:provisional"]', "workers": 'workers = "auto"',
                "as-of": 'as-of = "2026-08-01"'}
    return f"e.g. {examples[key]}" if key in examples else "see the README's settings section"


# --- the settings in force ----------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])

ShowConfigOption = Annotated[bool, typer.Option(
    "--show-config", help="Show each setting in force and where it comes from (default, a "
    "settings file and line, an environment variable or a flag), and exit.")]


def configured(command: F) -> F:
    """Give ``command`` the settings of the file and the environment for each of its
    parameters not given on the command line; with ``--show-config``, show them instead.
    The command takes ``ctx: typer.Context`` (where the parameters came from) and
    ``show_config: ShowConfigOption``."""
    hints = typing.get_type_hints(command, include_extras=True)

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        show = kwargs.pop("show_config", False)
        context: typer.Context = kwargs["ctx"]
        given = {name for name in kwargs if _given(context, name)}
        settings = settings_in_force(kwargs, given, hints)
        if show:
            typer.echo(describe(settings, context.command_path))
            raise typer.Exit(0)
        for setting in settings:
            kwargs[KEYS[setting.key].param] = setting.value
        return command(*args, **kwargs)

    return run  # type: ignore[return-value]


def _given(context: typer.Context, name: str) -> bool:
    # By name: typer may bring its own copy of click, whose ParameterSource is another enum.
    source = context.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def settings_in_force(values: Mapping[str, Any], given: set[str],
                      hints: Mapping[str, Any]) -> list[Setting]:
    """Each setting a command takes (``values``: its parameters as the command line left
    them, ``given`` those given there), as flag > environment > file > default decide."""
    path = find_config()
    config = None if path is None else read_config(path)
    settings = []
    for key, spec in KEYS.items():
        if spec.param not in values:
            continue  # a setting this command does not take
        kind = _kind(hints.get(spec.param))
        if spec.param in given:
            settings.append(Setting(key, values[spec.param], "flag"))
        elif os.environ.get(spec.env, "").strip():
            raw: Any = os.environ[spec.env].strip()
            if key in _LISTS:
                raw = [part.strip() for part in raw.split(",") if part.strip()]
            where = Location(f"environment variable {spec.env}")
            settings.append(Setting(key, _convert(key, raw, kind, where, None),
                                    f"env {spec.env}"))
        elif config is not None and key in config.table:
            where = config.where(key)
            value = _convert(key, config.table[key], kind, where, config.path.parent)
            settings.append(Setting(key, value, f"{where.file}:{where.line or 1}"))
        else:
            settings.append(Setting(key, values[spec.param], "default"))
    return settings


def describe(settings: list[Setting], command: str) -> str:
    path = find_config()
    lines = [f"settings of {command}",
             f"settings file: {path}" if path else
             f"settings file: none found (looked for {CONFIG_NAME} and [tool.lrsrules] in "
             f"{PYPROJECT} from {Path.cwd()} up to the repository's root)"]
    width = max((len(s.key) for s in settings), default=0)
    for setting in settings:
        lines.append(f"  {setting.key:<{width}} = {_shown(setting.value, setting.key):<24} "
                     f"({setting.source})")
    return "\n".join(lines)


def defaults_of(command: Callable[..., Any]) -> dict[str, Any]:
    """A command's parameters as their defaults (for ``lrsrules config``)."""
    return {name: param.default for name, param in inspect.signature(command).parameters.items()
            if param.default is not inspect.Parameter.empty}


def _shown(value: object, key: str) -> str:
    if value is None and key == "pack":
        return DEFAULT_PACK
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "(none)"
    return "(none)" if value is None else str(value)


def _kind(hint: Any) -> Any:
    """The type a parameter's value has: Annotated and Optional taken off."""
    if typing.get_origin(hint) is Annotated:
        hint = typing.get_args(hint)[0]
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if args and typing.get_origin(hint) is not list:
        hint = args[0]
    return hint


def _convert(key: str, raw: Any, kind: Any, where: Location, base: Path | None) -> Any:
    """A value of the file or the environment as the command's parameter takes it."""
    if base is not None and key in _PATHS:
        raw = [str(base / item) for item in raw] if isinstance(raw, list) \
            else _pack_path(raw, base) if key == "pack" else str(base / raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(raw)
        except ValueError:
            choices = ", ".join(str(member.value) for member in kind)
            raise ConfigError(f"{key} {raw!r} is not one this command offers", where,
                              hint=f"use one of {choices}") from None
    if key == "as-of" and (not isinstance(raw, str) or parse_iso_date(raw) is None):
        raise ConfigError(f"as-of {raw!r} is not a real date written YYYY-MM-DD", where)
    if key == "workers":
        return _workers(raw, kind, where)
    if kind is Path:
        return Path(raw)
    return raw


def _workers(raw: Any, kind: Any, where: Location) -> Any:
    text = str(raw).strip().lower()
    if text != "auto" and not (text.isdigit() and int(text) >= 1):
        raise ConfigError(f"workers {raw!r} must be {KEYS['workers'].must_be}", where)
    if kind is int:
        return 0 if text == "auto" else int(text)
    return text


def _pack_path(value: str, base: Path) -> str:
    # A bundled pack's name (lrs-default, lrs-cdd@1.0) stays a name; a path is made one.
    candidate = base / value
    is_path = candidate.exists() or "/" in value or os.sep in value \
        or value.endswith((".yaml", ".yml"))
    return str(candidate) if is_path else value


def show_config() -> None:
    """Show each setting in force for lrsrules validate here, and where it comes from: a
    settings file (lrsrules.toml, or [tool.lrsrules] in pyproject.toml, from this folder
    up to the repository's root), an environment variable (LRSRULES_PACK ...), or the
    default."""
    from lrsrules.cli.validate import validate

    settings = settings_in_force(defaults_of(validate), set(),
                                 typing.get_type_hints(validate, include_extras=True))
    typer.echo(describe(settings, "lrsrules validate"))


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("config")(reports_errors(show_config))
