"""The application: one FastAPI app serving the API (/api), the dashboard and its CSS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente.web import accounts
from detente.web.db import is_sqlite, open_database, sqlite_file, writing
from detente.web.limits import BodyLimit
from detente.web.service import Service
from detente.web.signing import Signer, key_path, load_key

STATIC = Path(__file__).resolve().parent / "static"

#: Pages carry no script; the monitor's chart page (plotly, inlined) is the one exception.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'"
)


#: Served over TLS: browsers keep to HTTPS for a year (no subdomains: the cell's host only).
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Headers on every answer; pages also get a script-free content security policy."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = not str(scope["path"]).startswith(("/api", "/docs", "/redoc", "/openapi.json"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "SAMEORIGIN")
                if page:
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
                if self.https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: Seconds a thread may hold the interpreter lock while another waits for it (5 ms by
#: default); see :func:`settle`.
SWITCH_INTERVAL = 0.0005


def settle() -> None:
    """Load what the first requests would load, then exempt the heap so far from the
    cyclic garbage collector (``gc.freeze``).

    The server's heap after start-up is some 160,000 objects (FastAPI, pydantic,
    SQLAlchemy, the language and the monitor); left in the oldest generation, every full
    collection walked all of them, a pause of 100-170 ms that showed as the p99 of every
    measure under load. Frozen objects are still freed by reference counting; only cycles
    among them would stay, and start-up objects live as long as the server anyway.
    From then on, what survives a full collection is frozen too
    (:mod:`detente.web.collector`).

    The interpreter also switches threads every half millisecond instead of every five:
    the event loop gives the lock up at every socket write and database read, and while a
    worker thread ran Python (the group commit's writer, a page rendered in the server) it
    waited up to the whole interval to get it back, for every one of them.
    """
    import gc
    import sys

    from detente.web.collector import freeze_survivors
    from detente.web.pages import env

    for template in env.list_templates(extensions=["html"]):
        env.get_template(template)
    gc.collect()
    gc.freeze()
    freeze_survivors()
    sys.setswitchinterval(SWITCH_INTERVAL)


def create_app(
    database_url: str | None = None,
    *,
    engine: Engine | None = None,
    signer: Signer | None = None,
    key_file: str | None = None,
    https: bool = False,
    render_process: bool = False,
) -> FastAPI:
    """The application on a database (migrated first): a URL, or an engine already open.

    Ledger entries are signed with ``signer``, else with the key at ``key_file`` (else
    ``DETENTE_KEY_FILE``, else beside the database); a missing key raises
    ``SigningKeyError`` (``detente keys init`` makes one).

    ``https``: the cell is reached over TLS (served with a certificate, or behind a proxy
    that terminates it): the session cookie is ``Secure`` and every answer carries HSTS.
    The interactive API pages (``/docs``, ``/redoc``) are off: they would load their
    scripts from a CDN into the cell's origin; the OpenAPI document stays at
    ``/openapi.json`` for tools.

    ``render_process``: the agreement page's body is rendered in a process of its own
    (:mod:`detente.web.renderer`; ``detente serve`` does this), not in a worker thread;
    not for a database in memory, which that process could not read.
    """
    engine = engine if engine is not None else open_database(database_url)
    if signer is None:
        signer = load_key(key_path(key_file, engine.url.render_as_string(hide_password=False)))
    with writing(engine) as conn:
        key = accounts.secret_key(conn)

    app = FastAPI(
        title="Détente monitoring cell",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        description=(
            "A shared, append-only ledger of what happened against what an agreement made due. "
            "Authenticate with `Authorization: Bearer TOKEN` (tokens from `detente users token`)."
        ),
    )
    app.state.engine = engine
    # The render process reads the ledger from the database itself: not one in memory.
    in_memory = is_sqlite(engine) and sqlite_file(engine) is None
    render_process = render_process and not in_memory
    app.state.render_process = render_process
    if render_process:
        from detente.web import renderer
        from detente.web.pages import body_html

        renderer.warm(body_html)
    app.state.service = Service(engine, signer)
    app.state.limiter = accounts.LoginLimiter()
    app.state.password_gate = accounts.PasswordGate()
    app.state.response_cache = {}
    app.state.page_cache = {}
    app.state.framed_pages = {}
    from detente.web.pages import ChartFiles

    app.state.chart_files = ChartFiles()
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie="detente_session",
        same_site="strict",
        https_only=https,
    )

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, https=https)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/api"):
            if exc.status_code == 401:
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            from detente.web.pages import error_page

            return error_page(request, exc.status_code, str(exc.detail))
        detail = exc.detail
        body: dict[str, Any]
        if isinstance(detail, dict):
            body = {
                "detail": str(detail.get("message", "")),
                "problems": detail.get("problems", []),
            }
        else:
            body = {"detail": str(detail), "problems": []}
        return JSONResponse(
            body, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
            problems.append({"field": ".".join(loc) or None, "message": str(err.get("msg", ""))})
        return JSONResponse(
            {"detail": "the request has problems", "problems": problems}, status_code=422
        )

    from detente.web.api import router as api_router
    from detente.web.pages import Bodies
    from detente.web.pages import router as pages_router

    app.state.bodies = Bodies()

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
