"""The workbench's web layer: pages rendered on the server, and the actions the editor calls.

Pages (GET): the packs of the folder, a rule, the editor of a rule. Actions (POST, JSON in
and out, called by ``static/workbench.js``): check an edit, run cases, diff, upload a
sample, try an edit on a sample, explain a record, save. Each action hands the edit to
``Workspace`` and returns what it says; no rule logic lives here. ``Guard`` (``security``)
stands in front of all of it.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from lrsrules.authoring.packdocs import is_provisional
from lrsrules.authoring.words import describe
from lrsrules.errors import EngineError
from lrsrules.limits import MAX_WORKBENCH_UPLOAD_BYTES
from lrsrules.workbench.paths import OutsideFolder
from lrsrules.workbench.security import LOOPBACK, Guard, new_token
from lrsrules.workbench.workspace import (
    SAMPLE_SUFFIXES,
    Edit,
    Workspace,
    enforced_by_words,
    own_rules,
)

STATIC = Path(__file__).parent / "static"
MAX_JSON_BYTES = 1 << 20  # an edit is one rule's text: far below this
Handler = Callable[[Request], Awaitable[Response]]


class Uploads:
    """Sample files uploaded for this session: in a temporary folder removed on exit."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="lrsrules-workbench-")
        self.names: dict[str, tuple[Path, str]] = {}  # id -> (file, name as uploaded)

    def add(self, content: bytes, name: str) -> str:
        suffix = Path(name).suffix.lower()
        if suffix not in SAMPLE_SUFFIXES:
            raise EngineError(f"a sample is a {', '.join(SAMPLE_SUFFIXES)} file",
                              hint="save the records as CSV with a header row")
        upload = secrets.token_urlsafe(8)
        path = Path(self._folder.name) / f"{upload}{suffix}"
        path.write_bytes(content)
        self.names[upload] = (path, Path(name).name)
        return upload

    def path(self, upload: str) -> Path:
        if upload not in self.names:
            raise OutsideFolder("that upload is not known (the workbench was restarted?)")
        return self.names[upload][0]

    def close(self) -> None:
        self._folder.cleanup()


def create_app(folder: str | Path, token: str | None = None, *,
               hosts: tuple[str, ...] = LOOPBACK) -> Starlette:
    """The workbench on ``folder``; every request must carry ``token`` (see ``security``)."""
    workspace = Workspace(folder)
    uploads = Uploads()
    csrf = secrets.token_urlsafe(32)  # one per server, which serves one session
    templates = Environment(loader=PackageLoader("lrsrules.workbench", "templates"),
                            autoescape=select_autoescape(default=True))
    templates.tests["contains"] = lambda items, item: item in items
    templates.globals.update(csrf=csrf, folder=workspace.folder.root.name,
                             enforced_by_words=enforced_by_words, provisional=is_provisional)

    def page(name: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**context))

    async def packs(request: Request) -> Response:
        return page("packs.html", packs=workspace.packs())

    async def rule(request: Request) -> Response:
        file, rule_id = _query(request, "file"), _query(request, "id")
        pack = workspace.pack(file)
        found = next((r for r in own_rules(pack) if r.id == rule_id), None)
        if found is None:
            raise EngineError(f"{file} defines no rule {rule_id}")
        report, cases = workspace.cases(pack, rule_id)
        return page("rule.html", file=file, pack=pack, rule=found, cases=cases,
                    report=report, rules=own_rules(pack), in_words=describe)

    async def edit(request: Request) -> Response:
        file, rule_id = _query(request, "file"), _query(request, "id")
        found = workspace.rule(file, rule_id)
        return page("edit.html", file=file, rule=found,
                    values=workspace.form_values(file, rule_id), samples=workspace.samples(),
                    upload_limit=MAX_WORKBENCH_UPLOAD_BYTES)

    async def check(request: Request) -> Response:
        edit = await _edit(request)
        return JSONResponse({"issues": [issue.to_dict() for issue in workspace.check(edit)]})

    async def cases(request: Request) -> Response:
        body = await _json(request)
        edit = _edit_of(body)
        pack, issues = workspace.loads(edit)
        if pack is None:
            return JSONResponse({"errors": [issue.to_dict() for issue in issues]})
        whole = body.get("scope") == "pack"
        report, results = workspace.cases(pack, None if whole else edit.rule)
        return JSONResponse({
            "scope": "pack" if whole else "rule",
            "results": [{"name": r.case.name, "file": Path(r.case.location.file or "").name,
                         "line": r.case.location.line, "expect": ", ".join(r.case.expect),
                         "fires": edit.rule in r.case.expected,
                         "passed": r.passed, "explain": [] if r.passed else r.explain()}
                        for r in results],
            "gaps": [{"rule": g.rule, "gaps": list(g.gaps)} for g in report.gaps
                     if whole or g.rule == edit.rule],
        })

    async def diff(request: Request) -> Response:
        return JSONResponse(workspace.diff(await _edit(request)))

    async def upload(request: Request) -> Response:
        name = request.headers.get("x-file-name", "sample.csv")
        content = await _body(request, MAX_WORKBENCH_UPLOAD_BYTES, "the sample file")
        upload_id = uploads.add(content, name)
        return JSONResponse({"upload": upload_id, "name": uploads.names[upload_id][1]})

    async def try_sample(request: Request) -> Response:
        body = await _json(request)
        return JSONResponse(workspace.impact(_edit_of(body), _sample(body),
                                             show_values=body.get("show_values") is True))

    async def explain(request: Request) -> Response:
        body = await _json(request)
        number = body.get("record")
        if not isinstance(number, int) or number < 1:
            raise EngineError("give the number of a record (1 is the first)")
        return JSONResponse(workspace.explain(_edit_of(body), _sample(body), number,
                                              show_values=body.get("show_values") is True))

    async def save(request: Request) -> Response:
        issues = workspace.save(await _edit(request))
        return JSONResponse({"saved": not issues, "errors": [i.to_dict() for i in issues]})

    def _sample(body: dict[str, Any]) -> Path:
        if isinstance(body.get("upload"), str):
            return uploads.path(body["upload"])
        sample = body.get("sample")
        if not isinstance(sample, str):
            raise EngineError("choose a sample file or upload one")
        return workspace.folder.resolve(sample, suffixes=SAMPLE_SUFFIXES)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            uploads.close()

    routes = [
        Route("/", _errors(packs, page), methods=["GET"]),
        Route("/rule", _errors(rule, page), methods=["GET"]),
        Route("/edit", _errors(edit, page), methods=["GET"]),
        Route("/api/check", _errors(check), methods=["POST"]),
        Route("/api/cases", _errors(cases), methods=["POST"]),
        Route("/api/diff", _errors(diff), methods=["POST"]),
        Route("/api/upload", _errors(upload), methods=["POST"]),
        Route("/api/try", _errors(try_sample), methods=["POST"]),
        Route("/api/explain", _errors(explain), methods=["POST"]),
        Route("/api/save", _errors(save), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.uploads = uploads
    app.state.csrf = csrf
    app.add_middleware(Guard, token=token or new_token(), csrf=csrf, hosts=hosts)
    return app


def _errors(handler: Handler, page: Callable[..., HTMLResponse] | None = None) -> Handler:
    """Engine errors as a clear message (403 for a path outside the folder), never a trace."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except EngineError as error:
            status = 403 if isinstance(error, OutsideFolder) else 400
            messages = [p.message + (f" ({p.hint})" if p.hint else "") for p in error.problems]
            if page is not None:
                response = page("error.html", messages=messages)
                response.status_code = status
                return response
            return JSONResponse({"error": "; ".join(messages)}, status_code=status)

    return run


def _query(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise EngineError(f"the address lacks ?{name}=")
    return value


async def _body(request: Request, limit: int, what: str) -> bytes:
    """The request's body, refused past ``limit`` bytes while it arrives."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise EngineError(f"{what} is larger than {limit // 1024 // 1024} MiB, the most "
                              "the workbench takes (MAX_WORKBENCH_UPLOAD_BYTES)",
                              hint="try the rule on a smaller sample")
        chunks.append(chunk)
    return b"".join(chunks)


async def _json(request: Request) -> dict[str, Any]:
    import json

    try:
        body = json.loads(await _body(request, MAX_JSON_BYTES, "the request"))
    except ValueError:
        raise EngineError("the request is not JSON") from None
    if not isinstance(body, dict):
        raise EngineError("the request is not a JSON object")
    return body


async def _edit(request: Request) -> Edit:
    return _edit_of(await _json(request))


def _edit_of(body: dict[str, Any]) -> Edit:
    file, rule, values = body.get("file"), body.get("rule"), body.get("values", {})
    if not isinstance(file, str) or not isinstance(rule, str) or not isinstance(values, dict) \
            or not all(isinstance(v, str) for v in values.values()):
        raise EngineError("the request needs file, rule and values (text)")
    return Edit(file, rule, {str(k): v for k, v in values.items()})
