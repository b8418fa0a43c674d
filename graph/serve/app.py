"""The web application: the API, the page, its assets, and the guard in front of them (Starlette).

Routes (nothing else is served; no path is ever joined to a folder):

- ``/`` the explorer page (``assets/serve.html``), ``/assets/NAME`` its script and stylesheet (a fixed list);
- ``/view?RECIPE`` the exported page of what is on screen (:mod:`graph.serve.shown`); ``&download=1``
  to save it;
- ``/api/search``, ``/api/show``, ``/api/neighbours``, ``/api/path``, ``/api/timeline``: the CLI's
  ``--json`` answers (:mod:`graph.serve.ask`); ``/api/about`` the data set's name; ``/api/ping``
  the trivial answer the benchmark compares with.

The guard (:class:`Guard`) answers only GET and HEAD, only for the ``Host`` the server was started
for (a page on another site that rebinds its name to 127.0.0.1 is refused), and adds to every
response a Content-Security-Policy that lets a page request nothing from anywhere else.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import TielineError
from .ask import Questions, error_json, http_status, json_body, no_result_header
from .live import Live
from .shown import page, read_recipe

__all__ = ["ASSETS", "CSP", "VIEW_CSP", "Guard", "create_app"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_HERE = Path(__file__).resolve().parent / "assets"
ASSETS = {"serve.js": "text/javascript; charset=utf-8", "serve.css": "text/css; charset=utf-8"}
"""The files ``/assets/NAME`` serves: these, from ``graph/serve/assets/``, and no other."""

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
VIEW_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
"""The exported page's own policy (in its ``<meta>``) allows its scripts by hash; this one, sent with
it, keeps it from being framed by another site and from requesting anything."""

MAX_QUERY = 16_384
"""The longest query string answered (a view of 200 steps fits)."""

_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                     (b"cross-origin-resource-policy", b"same-origin"), (b"cross-origin-opener-policy", b"same-origin")]


class Guard:
    """ASGI middleware: GET/HEAD for the server's own ``Host`` only; security headers on every answer."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], hosts: frozenset[str]):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # a websocket: refused before it opens
            await send({"type": "websocket.close", "code": 1008})
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
        if host not in self.hosts:
            await _refuse(send, 421, f"this server answers only for {' or '.join(sorted(self.hosts))}, "
                                     f"not for Host {host!r}")
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY:
            await _refuse(send, 414, f"a request of more than {MAX_QUERY:,} bytes: collapse or remove some entities")
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _refuse(send, 405, "this server is read-only: GET and HEAD only", [(b"allow", b"GET, HEAD")])
            return

        async def secured(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers + _SECURITY_HEADERS
            await send(message)
        await self.app(scope, receive, secured)


async def _refuse(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": {"kind": "Refused", "message": "tieline: " + message}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"content-security-policy", CSP.encode()), *_SECURITY_HEADERS, *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


def _json_response(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, headers={"cache-control": "no-store", **(headers or {})},
                    media_type="application/json; charset=utf-8")


def _error_response(error: TielineError) -> Response:
    return _json_response(json_body(error_json(error)), http_status(error))


def create_app(live: Live, questions: Questions, hosts: frozenset[str]) -> Guard:
    """The application over ``live`` data, answering for ``hosts`` only."""
    shell = (_HERE / "serve.html").read_bytes()
    assets = {name: (_HERE / name).read_bytes() for name in ASSETS}

    def home(request: Request) -> Response:
        return Response(shell, headers={"cache-control": "no-store"}, media_type="text/html; charset=utf-8")

    def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets:
            return _json_response(json_body({"error": {"kind": "NotFound", "message": "tieline: no such file"}}), 404)
        return Response(assets[name], headers={"cache-control": "no-cache"}, media_type=ASSETS[name])

    def ping(request: Request) -> Response:
        return _json_response(b'{"ok": true}\n')

    def about(request: Request) -> Response:
        def work(compiled: Any) -> bytes:
            dataset = compiled.graph.graph.get("dataset") or {}
            return json_body({"name": dataset.get("name") or "tieline graph", "date": dataset.get("date"),
                              "entities": compiled.graph.number_of_nodes()})
        try:
            return _json_response(live.ask(work))
        except TielineError as exc:
            return _error_response(exc)

    def api(request: Request) -> Response:
        try:
            asked = questions.parse(request.path_params["question"], list(request.query_params.multi_items()))

            def work(compiled: Any) -> tuple[bytes, dict[str, str]]:
                answer = asked.answer(compiled)
                return json_body(answer.value), no_result_header(answer)
            body, headers = live.ask(work)
        except TielineError as exc:
            return _error_response(exc)
        return _json_response(body, headers=headers)

    def view(request: Request) -> Response:
        items = [(k, v) for k, v in request.query_params.multi_items() if k != "download"]
        try:
            recipe = read_recipe(items)
            body, counts = live.ask(lambda compiled: page(compiled, questions, recipe))
        except TielineError as exc:
            return _error_response(exc)
        headers = {"cache-control": "no-store", "content-security-policy": VIEW_CSP,
                   "tieline-shown": f"{counts['entities']} entities, {counts['facts']} facts"}
        if request.query_params.get("download"):
            headers["content-disposition"] = 'attachment; filename="tieline-view.html"'
        return Response(body, headers=headers, media_type="text/html; charset=utf-8")

    routes = [Route("/", home, methods=["GET", "HEAD"]), Route("/assets/{name}", asset, methods=["GET", "HEAD"]),
              Route("/view", view, methods=["GET", "HEAD"]), Route("/api/ping", ping, methods=["GET", "HEAD"]),
              Route("/api/about", about, methods=["GET", "HEAD"]),
              Route("/api/{question}", api, methods=["GET", "HEAD"])]
    return Guard(Starlette(routes=routes), hosts)
