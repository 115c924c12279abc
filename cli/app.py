"""The lrsrules application: commands are registered here; errors become exit codes here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from lrsrules.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from lrsrules.errors import EngineError

app = typer.Typer(
    name="lrsrules",
    help="Check learner records against the LRS data standards, with rules kept as data.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn engine errors into a clear message on stderr and exit code 2, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EngineError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(ExitCode.ERROR) from None
        except BrokenPipeError:
            # The reader went away (`lrsrules rules | head`): stop quietly, and keep Python
            # from failing again while flushing stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(ExitCode.ERROR) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(ExitCode.ERROR) from None
        except (typer.Exit, typer.Abort, typer.BadParameter, SystemExit):
            raise  # typer reports these itself: a usage error exits 2 with the usage line
        except Exception as exc:
            if os.environ.get("LRSRULES_DEBUG"):
                raise
            typer.echo(f"lrsrules: internal error ({type(exc).__name__}); please report it. "
                       "Set LRSRULES_DEBUG=1 to see the details.", err=True)
            raise typer.Exit(ExitCode.ERROR) from None

    return run  # type: ignore[return-value]


def _register() -> None:
    # Imported here so each command module can import `app` helpers without a cycle.
    from lrsrules.cli import batch, rules, test_command, validate

    validate.register(app)
    batch.register(app)
    rules.register(app)
    test_command.register(app)

    # Pack authoring: check, explain, docs, schema (issue 5 part A).
    from lrsrules.cli import check, docs, explain, schema_command

    check.register(app)
    explain.register(app)
    docs.register(app)
    schema_command.register(app)

    # Pack versions: diff (issue 5 part B).
    from lrsrules.cli import diff

    diff.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
