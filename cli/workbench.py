"""`lrsrules workbench`: the browser workbench on a folder of packs, on this computer only."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer

from lrsrules.cli.exit_codes import ExitCode
from lrsrules.errors import EngineError

MISSING = ("lrsrules workbench needs the workbench extra: pip install 'lrsrules[workbench]'")


def workbench(
    folder: Annotated[
        Path,
        typer.Argument(help="The folder of packs to work on (default: the current folder). "
                       "The workbench reads and writes only inside it."),
    ] = Path("."),
    port: Annotated[int, typer.Option("--port", help="The port to listen on (0: any free "
                                      "port).")] = 0,
    host: Annotated[str, typer.Option("--host", help="The address to listen on; keep "
                                      "127.0.0.1 so that only this computer can connect.")
                    ] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the address but do "
                                             "not open a browser.")] = False,
) -> None:
    """Open the browser workbench: read rules, change them with live checking, run their
    cases, try them on a sample file, and save. Stop it with Ctrl-C."""
    try:
        import uvicorn

        from lrsrules.workbench.app import create_app
        from lrsrules.workbench.security import LOOPBACK, new_token
    except ImportError:
        typer.echo(MISSING, err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    if not folder.is_dir():
        raise EngineError(f"{folder} is not a folder", hint="give the folder of your packs")
    token = new_token()
    hosts = LOOPBACK if host in LOOPBACK else (*LOOPBACK, host)
    app = create_app(folder, token, hosts=hosts)
    chosen = port or _free_port(host)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{chosen}/?token={token}"
    typer.echo(f"lrsrules workbench on {folder.resolve()}\nopen: {url}\nstop: Ctrl-C")
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    # No access log: the first request's address holds the token.
    uvicorn.run(app, host=host, port=chosen, access_log=False, log_level="warning")


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def register(app: typer.Typer) -> None:
    from lrsrules.cli.app import reports_errors

    app.command("workbench")(reports_errors(workbench))
