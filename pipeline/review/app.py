"""The review web app: Starlette routes over an `Archive`; pages are a static shell plus vanilla JS.

Safety:
- data never reaches HTML on the server: pages are a fixed shell, the data comes
  as JSON and the scripts put it in the page with `textContent` only; a strict
  Content-Security-Policy (scripts from /static only) backs that up;
- files: only static assets of the package, and documents and page images that
  `Archive` has checked to lie inside OUT;
- every state-changing request needs the per-server token that the shell carries
  (`X-Vnocr-Token` header, JSON body): other sites cannot read it, so they cannot
  make a clerk's browser save anything; with `allowed_hosts` the Host header is
  checked too (no DNS rebinding onto 127.0.0.1).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import search_routes
from .archive import Archive, ReviewError
from .pages import PACKAGE, shell

TOKEN_HEADER = "x-vnocr-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]  # names a browser sends for this machine
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def host_name(header: str) -> str:
    """`127.0.0.1:8765` -> `127.0.0.1`, `[::1]:8765` -> `[::1]`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else header
    return header.split(":", 1)[0]


class Guard:
    """ASGI middleware: the Host check, security headers on every answer, the token on every state-changing request."""

    def __init__(self, app: ASGIApp, token: str, allowed_hosts: list[str] | None = None) -> None:
        self.app, self.token = app, token
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.allowed_hosts is not None and host_name(headers.get("host", "")) not in self.allowed_hosts:
            await PlainTextResponse("Invalid host header", 400)(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            given = headers.get(TOKEN_HEADER, "")
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                await JSONResponse({"error": "missing or wrong page token; reload the page"}, 403)(scope, receive, send)
                return
            if headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
                await JSONResponse({"error": "send JSON"}, 415)(scope, receive, send)
                return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_secured)


def _view(view: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return shell(request, view)

    return endpoint


def _archive(request: Request) -> Archive:
    return request.app.state.archive


def _int(value: Any, default: int | None = None) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        if default is None:
            raise ReviewError("a number was expected") from None
        return default


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise ReviewError("the request is not valid JSON") from None
    if not isinstance(data, dict):
        raise ReviewError("the request must be a JSON object")
    return data


async def api_documents(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(_archive(request).documents))


async def api_overview(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(_archive(request).overview))


async def api_queue(request: Request) -> Response:
    doc = request.query_params.get("doc") or None
    return JSONResponse(await run_in_threadpool(_archive(request).queue, doc))


async def api_document(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(_archive(request).document_view, request.query_params.get("doc")))


async def api_image(request: Request) -> Response:
    q = request.query_params
    path = await run_in_threadpool(_archive(request).image, q.get("doc"), _int(q.get("page"), 1))
    return FileResponse(path, headers={"cache-control": "private, max-age=3600"})


async def api_crop(request: Request) -> Response:
    q = request.query_params
    data = await run_in_threadpool(_archive(request).crop, q.get("doc"), q.get("word", ""))
    return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=3600"})


async def api_correct(request: Request) -> Response:
    b = await _body(request)
    result = await run_in_threadpool(
        _archive(request).correct,
        b.get("doc"), b.get("word"), b.get("text"), b.get("who"), b.get("seen"),
        b.get("version"), bool(b.get("flag", False)), bool(b.get("restore", False)),
    )
    return JSONResponse(result)


async def api_batch_preview(request: Request) -> Response:
    q = request.query_params
    result = await run_in_threadpool(
        _archive(request).batch_preview, q.get("find"), q.get("replace", ""), q.get("ignore_case") in ("1", "true")
    )
    return JSONResponse(result)


async def api_batch_apply(request: Request) -> Response:
    b = await _body(request)
    result = await run_in_threadpool(
        _archive(request).batch_apply, b.get("find"), b.get("replace"), bool(b.get("ignore_case")), b.get("who"), b.get("items")
    )
    return JSONResponse(result)


async def api_batch_suggestions(request: Request) -> Response:
    return JSONResponse({"suggestions": await run_in_threadpool(_archive(request).batch_suggestions)})


async def favicon(request: Request) -> Response:
    """The icon, also where a browser looks without being told (a JSON answer or an image opened alone)."""
    return FileResponse(PACKAGE / "static" / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})


async def review_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ReviewError)
    return JSONResponse({"error": str(exc), **exc.payload}, exc.status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.detail}, exc.status_code)
    return Response(str(exc.detail), exc.status_code, media_type="text/plain")


def create_app(out_dir: Path, *, token: str | None = None, allowed_hosts: list[str] | None = None) -> Starlette:
    """The review app over `out_dir` (a folder written by `vnocr process`).

    `allowed_hosts`: the Host names the app answers to (None: any, e.g. under a test client).
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise FileNotFoundError(f"{out_dir} is not a folder written by vnocr process")
    routes = [
        Route("/", _view("overview")),
        Route("/documents", _view("list")),
        Route("/queue", _view("queue")),
        Route("/page", _view("page")),
        Route("/batch", _view("batch")),
        Route("/favicon.ico", favicon),
        Route("/api/overview", api_overview),
        Route("/api/documents", api_documents),
        Route("/api/queue", api_queue),
        Route("/api/document", api_document),
        Route("/api/image", api_image),
        Route("/api/crop", api_crop),
        Route("/api/correct", api_correct, methods=["POST"]),
        Route("/api/batch/preview", api_batch_preview),
        Route("/api/batch/suggestions", api_batch_suggestions),
        Route("/api/batch/apply", api_batch_apply, methods=["POST"]),
        *search_routes.routes(),
        Mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static"),
    ]
    token = token or secrets.token_urlsafe(32)
    middleware = [Middleware(Guard, token=token, allowed_hosts=allowed_hosts)]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={ReviewError: review_error, HTTPException: http_error},
        max_body_size=2_000_000,
    )
    app.state.archive = Archive(out_dir)
    app.state.token = token
    app.state.shell_template = (PACKAGE / "templates" / "shell.html").read_text("utf-8")
    return app
