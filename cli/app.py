"""The lrsrules application: commands are registered here; errors become exit codes here."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, wraps
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer
from typer.core import TyperGroup

from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.cli.helptext import humanise
from lrsrules.errors import EngineError

humanise()
if TYPE_CHECKING:  # typer's own copy of click (0.26 on); annotations only
    from typer import _click as click

app = typer.Typer(
    name="lrsrules",
    help="Check learner records against the LRS data standards, with rules kept as data.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,  # --install-completion and --show-completion (bash, zsh, fish ...)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},  # subcommands inherit it
)

F = TypeVar("F", bound=Callable[..., Any])
# Signals that end the process without running any cleanup unless caught: caught, they
# unwind like Ctrl-C, so temporary files are removed and the exit code says what happened.
_STOPPING = {signal.SIGTERM: ExitCode.TERMINATED, signal.SIGHUP: ExitCode.HANGUP}


class Stopped(BaseException):
    """A stopping signal arrived (a BaseException, so ``except Exception`` lets it by)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def reports_errors(command: F) -> F:
    """Turn engine errors into a clear message on stderr and exit code 2, never a traceback;
    signals into their exit codes, once temporary files are removed."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _stopping_signals():
            return _run_reporting_errors(command, args, kwargs)

    return run  # type: ignore[return-value]


def _run_reporting_errors(command: Callable[..., Any], args: tuple[Any, ...],
                          kwargs: dict[str, Any]) -> Any:
    try:
        return command(*args, **kwargs)
    except EngineError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    except BrokenPipeError:
        # The reader went away (`lrsrules validate big.csv | head`): stop quietly, as a tool
        # ended by SIGPIPE would, with its exit code; 0 would claim a complete check. Keep
        # Python from failing again while flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(ExitCode.BROKEN_PIPE) from None
    except KeyboardInterrupt:
        typer.echo("lrsrules: interrupted", err=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except Stopped as stop:
        typer.echo(f"lrsrules: stopped by {signal.Signals(stop.signum).name}", err=True)
        raise typer.Exit(_STOPPING[signal.Signals(stop.signum)]) from None
    except (typer.Exit, typer.Abort, typer.BadParameter, SystemExit):
        raise  # typer reports these itself: a usage error exits 2 with the usage line
    except Exception as exc:
        if os.environ.get("LRSRULES_DEBUG"):
            raise
        typer.echo(f"lrsrules: internal error ({type(exc).__name__}); please report it. "
                   "Set LRSRULES_DEBUG=1 to see the details.", err=True)
        raise typer.Exit(ExitCode.ERROR) from None


@contextmanager
def _stopping_signals() -> Iterator[None]:
    """Raise ``Stopped`` on SIGTERM and SIGHUP while a command runs (once: a second
    signal while cleaning up is ignored); a signal the caller ignores (nohup) stays
    ignored. Only the main thread may set handlers: elsewhere, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise Stopped(signum)

    previous = {}
    for signum in _STOPPING:
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def version_text() -> str:
    """lrsrules's version and the bundled packs' (each's default version)."""
    from importlib.metadata import PackageNotFoundError, version

    from lrsrules.packs.discovery import bundled_packs
    from lrsrules.packs.loader import load_pack

    try:
        lines = [f"lrsrules {version('lrsrules')}"]
    except PackageNotFoundError:  # run from a source tree that was never installed
        lines = ["lrsrules (version unknown: not installed)"]
    lines.append("bundled packs:")
    for name in bundled_packs():
        try:
            lines.append(f"  {name} {load_pack(name).version}")
        except EngineError as exc:  # one broken pack must not hide the others' versions
            lines.append(f"  {name} (cannot be loaded: {type(exc).__name__})")
    return "\n".join(lines)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Show the version of lrsrules and of the bundled packs, and exit.")] = False,
) -> None:
    # The app's help is the Typer's (with the exit codes); this only adds --version.
    return


# Each command and the module that defines it (its ``register(app)`` adds it), in the order
# `lrsrules --help` lists them: validate and batch check (issue 1), rules, test; pack
# authoring: check, explain, docs, schema (issue 5 part A); pack versions: diff (part B);
# settings files: config (issue 13); the browser workbench (issue 15), whose extra is
# imported only when it runs.
_COMMANDS = {"validate": "validate", "batch": "batch", "rules": "rules", "test": "test_command",
             "check": "check", "explain": "explain", "docs": "docs", "schema": "schema_command",
             "diff": "diff", "config": "config", "workbench": "workbench"}


class _Commands(TyperGroup):
    """The app's commands, each imported when it is run or listed: `lrsrules validate`
    starts without importing what the authoring tools need (start-up is most of the time
    a small file takes)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _COMMANDS and cmd_name not in self.commands:
            self.commands[cmd_name] = _command(cmd_name)
        return super().get_command(ctx, cmd_name)


@cache
def _command(name: str) -> click.Command:
    # Imported here so each command module can import `app` helpers without a cycle.
    module = importlib.import_module(f"lrsrules.cli.{_COMMANDS[name]}")
    holder = typer.Typer(add_completion=False, rich_markup_mode=None)
    module.register(holder)
    return typer.main.get_group(holder).commands[name]


app.info.cls = _Commands


def main() -> None:
    """Console-script entry point."""
    warnings.showwarning = _show_warning
    sys.exit(app())


def _show_warning(message: Warning | str, category: type[Warning], filename: str,
                  lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
    # A warning here is for the user (the pack cache is not used, and why), not for a
    # developer: the message alone, without the library's file and line.
    print(message, file=file or sys.stderr)
