"""The workbench's guard: one ASGI layer in front of every page, file and action.

The server listens on 127.0.0.1, but any web page the user opens could still send requests
to it, and any local user could connect; so, as Jupyter does:

- **a token**: a random secret printed in the opening URL (``?token=...``) is required on
  every request; the first request trades it for an HttpOnly, SameSite=Strict cookie and is
  redirected to the same address without it (so it leaves the address bar and history);
- **Host** must name the loopback (or the host the server was bound to), which stops a
  DNS-rebinding page from reaching it under another name;
- **changes are POST only** and carry the session's CSRF token in an ``X-CSRF-Token`` header
  (the pages' scripts send it; another site cannot read it), with ``Origin`` (or
  ``Referer``), when the browser sends one, equal to the workbench's own;
- every response says not to cache, not to be framed, and runs only the workbench's own
  scripts (a Content-Security-Policy without inline scripts).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import URL, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "lrsrules_workbench"
CSRF_HEADER = "x-csrf-token"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
SAFE_METHODS = ("GET", "HEAD")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
NO_TOKEN = ("This workbench needs the address it printed when it started, with its token "
            "(http://127.0.0.1:PORT/?token=...). Open that address, or start it again with "
            "`lrsrules workbench`.")


class Guard:
    """Refuses every request without the token, from another host, or a change without
    the CSRF token; passes the rest to ``app`` with security headers added."""

    def __init__(self, app: ASGIApp, *, token: str, csrf: str,
                 hosts: Iterable[str] = LOOPBACK) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf
        self.hosts = {host.lower() for host in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan: start-up and shut-down
            return
        request = Request(scope)
        refusal = self._refusal(request)
        response: Response | None = refusal
        if refusal is None and _same(request.query_params.get("token"), self.token):
            response = self._enter(request)
        if response is not None:
            await _with_headers(response)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, request: Request) -> Response | None:
        host = _host_name(request.headers.get("host", ""))
        if host not in self.hosts:
            return PlainTextResponse("This workbench answers only on its own address "
                                     "(127.0.0.1).", status_code=403)
        has_token = _same(request.query_params.get("token"), self.token)
        if not has_token and not _same(request.cookies.get(COOKIE), self.token):
            return PlainTextResponse(NO_TOKEN, status_code=403)
        if request.method in SAFE_METHODS:
            return None
        if not self._same_origin(request):
            return PlainTextResponse("Refused: the request came from another site.",
                                     status_code=403)
        if not _same(request.headers.get(CSRF_HEADER), self.csrf):
            return PlainTextResponse("Refused: the request lacks the page's CSRF token. "
                                     "Reload the page and try again.", status_code=403)
        return None

    def _same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin") or request.headers.get("referer")
        if origin is None:
            return True  # not a browser's cross-site request: the CSRF token still counts
        parts = urlsplit(origin)
        return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://" \
            f"{request.headers.get('host', '')}"

    def _enter(self, request: Request) -> Response:
        """Trade the token in the URL for a cookie, and drop it from the address."""
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        target = URL(path=request.url.path, query=urlencode(query))
        response = RedirectResponse(str(target), status_code=303)
        response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict",
                            path="/")
        return response


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _same(given: str | None, secret: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), secret.encode())


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _with_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def cookie_header(token: str) -> str:
    """The Cookie header a client sends once it has entered (for tests and tools)."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE] = token
    return cookie.output(header="", sep="").strip()
