"""The dashboard: server-rendered pages that read without JavaScript.

Sign-in is a session cookie (signed, SameSite=Strict); every form carries a CSRF token
bound to the session. Jinja2 autoescaping is on for every template, so whatever a user
typed is shown as text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import jinja2
import plotly
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from detente.language.model import Agreement
from detente.monitor import MonitorReport
from detente.reports import statuses
from detente.reports.cells import cell_text
from detente.web import accounts, dashboard, monitoring
from detente.web.accounts import User
from detente.web.db import reading, writing
from detente.web.events import (
    COLUMNS,
    LogProblems,
    TooManyRows,
    error_messages,
    parse_event,
    parse_log,
)
from detente.web.flights import Flights
from detente.web.ledger import EventState
from detente.web.monitoring import log_row
from detente.web.service import AgreementRow, Service, ServiceError

TEMPLATES = Path(__file__).resolve().parent / "templates"
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    auto_reload=False,  # the templates ship with the package: no stat() per page
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["label"] = lambda s: str(s).replace("_", " ")
env.globals["is_url"] = lambda s: isinstance(s, str) and s.startswith(("https://", "http://"))

router = APIRouter(include_in_schema=False)

#: The monitor's pages (inline plotly) and the rendered agreement (inline CSS and SVG).
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "img-src data: blob:; frame-ancestors 'self'"
)

#: plotly.js as the installed plotly package ships it, served by this application.
PLOTLY_FILE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
PLOTLY_PATH = f"/assets/plotly-{plotly.__version__}.min.js"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, form: Any) -> None:
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not secrets.compare_digest(sent, expected)
    ):
        raise HTTPException(
            403, "the form expired or did not come from this site; reload and try again"
        )


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", getattr(request.state, "user", None))
    html = env.get_template(template).render(request=request, csrf=csrf_token(request), **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    return page(
        request, "error.html", status=status, status_code=status, message=message, user=None
    )


async def session_user(request: Request) -> User:
    """The signed-in user, read from the server-side session on every request (no cache):
    logging out, a disabled user or a changed password ends the session at once."""
    session_id = request.session.get("sid")
    user = None
    if isinstance(session_id, str):
        svc: Service = request.app.state.service
        user = await svc.user_for_session(session_id)
    if user is None:
        raise HTTPException(401, "sign in")
    request.state.user = user
    return user


async def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


UserDep = Annotated[User, Depends(session_user)]
ServiceDep = Annotated[Service, Depends(service)]


def fail(exc: ServiceError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{value!r} is not a date (YYYY-MM-DD)") from None


# --------------------------------------------------------------------------- signing in


def _safe_next(target: str | None) -> str:
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlsplit(target).netloc
    ):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return page(request, "login.html", user=None, next=_safe_next(next), message=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    name = str(form.get("name", ""))
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    address = request.client.host if request.client else "?"
    limiter: accounts.LoginLimiter = request.app.state.limiter
    refusal = limiter.refusal(name, address)
    if refusal is not None:
        return page(request, "login.html", status=429, user=None, next=target, message=refusal)
    gate: accounts.PasswordGate = request.app.state.password_gate
    engine = request.app.state.engine
    try:
        user = await run_in_threadpool(gate.check, lambda: reading(engine), name, password)
    except accounts.Busy:
        return page(
            request,
            "login.html",
            status=503,
            user=None,
            next=target,
            message="The server is busy checking other sign-ins; try again in a moment.",
        )
    if user is None:
        limiter.failed(name, address)
        return page(
            request,
            "login.html",
            status=401,
            user=None,
            next=target,
            message="Wrong name or password.",
        )
    limiter.succeeded(name, address)
    old = request.session.get("sid")
    signed_in = user

    def start() -> str:
        with writing(request.app.state.engine) as conn:
            if isinstance(old, str):
                accounts.end_session(conn, old)
            return accounts.new_session(conn, signed_in)

    session_id = await run_in_threadpool(start)
    request.session.clear()  # a new id and a new form token: no session fixation
    request.session["sid"] = session_id
    request.session["csrf"] = secrets.token_urlsafe(32)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    session_id = request.session.get("sid")
    if isinstance(session_id, str):

        def end() -> None:
            with writing(request.app.state.engine) as conn:
                accounts.end_session(conn, session_id)

        await run_in_threadpool(end)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# --------------------------------------------------------------------------- agreements


@router.get("/")
def home(request: Request, user: UserDep, svc: ServiceDep) -> Response:
    return page(request, "home.html", agreements=svc.agreements_of(user), problems=[], spec="")


@router.post("/agreements")
async def upload(request: Request, user: UserDep, svc: ServiceDep) -> Response:
    form = await request.form()
    check_csrf(request, form)
    spec = form.get("spec")
    upload_file = form.get("file")
    text = ""
    if upload_file is not None and not isinstance(upload_file, str):
        data = await upload_file.read()
        text = data.decode("utf-8", errors="replace")
    if not text.strip() and isinstance(spec, str):
        text = spec
    try:
        agreement_id = await run_in_threadpool(svc.upload, user, text)
    except ServiceError as exc:
        if exc.status != 422:
            raise fail(exc) from None
        return page(
            request,
            "home.html",
            status=422,
            agreements=await run_in_threadpool(svc.agreements_of, user),
            problems=exc.details or [{"line": None, "column": None, "message": exc.message}],
            spec=text,
        )
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)


@dataclass(frozen=True)
class Grid:
    columns: list[str]
    rows: list[list[str]]
    row_classes: list[str]


def grid(items: Any, preferred: tuple[str, ...] = ()) -> Grid:
    """The monitor's list of mappings as a table: preferred columns first, then the rest."""
    rows = [dict(i) if isinstance(i, dict) else {"value": i} for i in (items or [])]
    columns = [c for c in preferred if any(c in r for r in rows)]
    for r in rows:
        columns += [k for k in r if k not in columns]
    classes = []
    for r in rows:
        status = str(r.get("status", ""))
        said = {status, str(r.get("verification", ""))}
        # Each status its own class: not recorded is never shown as violated or late.
        named = [c for c in ("disputed", "late", "violated", "not_recorded") if c in said]
        classes.append(" ".join(statuses.css_class(c) for c in named))
    return Grid(columns, [[_cell(r, c) for c in columns] for r in rows], classes)


def _cell(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if column == "status" and value in statuses.ORDER:
        return statuses.label(str(value))
    return cell_text(value)


def _status_view(
    report: MonitorReport, agreement: Agreement, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """The monitor's report for the dashboard, which always reads absence the default way:
    what the log does not say is not recorded, never violated."""
    data = report.to_json()
    found = [o.status for o in report.obligations]
    return {
        "data": data,
        "reading": report.reading,
        "counts": {"violated": 0, "late": 0, "not_recorded": 0} | statuses.counts(found),
        "legend": statuses.legend(set(found) | {"violated", "late", "not_recorded"}),
        "phase": dashboard.phase_sentence(data, agreement),
        "header": dashboard.header_status(data, agreement),
        "declared": dashboard.declared_note(data, agreement),
        "obligations": dashboard.obligations(report, events),
        "ledger": dashboard.ledger(data),
        "violations": dashboard.violations(data),
        "deadlines": dashboard.deadlines(data),
        "disputed": grid(data.get("disputed")),
    }


@router.get("/agreements/{agreement_id}")
async def agreement_page(
    request: Request, agreement_id: str, user: UserDep, svc: ServiceDep, as_of: str | None = None
) -> Response:
    day = _date(as_of) or dt.date.today()
    try:
        row = await svc.agreement_async(user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    # The body depends on the chain's head (just read from the database) and the date only,
    # not on who asks: render it once for everyone. Only the frame (who is signed in, the
    # form token, the tabs a role sees) is rendered per request.
    key = (row.id, row.head_hash, day.isoformat())
    cache: dict[Any, tuple[Agreement, Markup]] = request.app.state.page_cache
    hit = cache.get(key)
    frame_key: tuple[Any, ...] = key
    if hit is None:
        # The chain moved since the newest body. One request renders the new body; while
        # it does, the others are shown the newest body at once, saying up to which entry
        # it goes, rather than queueing behind the render (writers move the head often).
        bodies: Bodies = request.app.state.bodies
        older = bodies.newest(row.id, day.isoformat(), cache)
        if older is None or bodies.start(row.id, day.isoformat()):
            try:
                hit = await run_in_threadpool(
                    _agreement_body,
                    svc,
                    user,
                    row,
                    day,
                    cache,
                    key,
                    bodies,
                    request.app.state.render_process,
                )
            finally:
                if older is not None:
                    bodies.done(row.id, day.isoformat())
        else:
            older_key, entries, (model, shown) = older
            frame_key = (older_key, "behind")  # framed once, apart from the fresh page
            hit = (model, _behind(entries) + shown)
    model, body = hit
    # The whole page for this body and this signed-in frame (user, role, form token).
    framed: dict[Any, bytes] = request.app.state.framed_pages
    whole_key = (frame_key, user.id, user.role, csrf_token(request))
    html: bytes | None = framed.get(whole_key)
    if html is None:
        html = bytes(page(request, "agreement.html", row=row, agreement=model, body=body).body)
        if len(framed) > 1024:
            framed.clear()
        framed[whole_key] = html
    return HTMLResponse(html)


_body_flights = Flights()


class Bodies:
    """The newest rendered body per (agreement, day), and which are being rendered.

    While writers move the chain's head many times a second, rendering a body at every
    head would keep the interpreter busy (renders hold the GIL the event loop needs) and
    readers waiting. So one request renders a given page at a time, renders together take
    at most ``share`` of the last second (the rest of the time is the readers' and the
    writers'), and a reader that finds a render going on, or the share spent, gets the
    newest body rendered at once, marked with the entry it goes up to. A lone reader after
    a write finds neither and gets the fresh page.
    """

    def __init__(self, share: float = 0.25) -> None:
        self.share = share
        self._lock = threading.Lock()
        self._newest: dict[tuple[str, str], tuple[int, tuple[str, str, str]]] = {}
        self._rendering: dict[tuple[str, str], float] = {}
        self._spent: deque[tuple[float, float]] = deque()  # (finished at, seconds taken)

    def rendered(self, key: tuple[str, str, str], entries: int) -> None:
        with self._lock:
            known = self._newest.get((key[0], key[2]))
            if known is None or known[0] <= entries:
                self._newest[(key[0], key[2])] = (entries, key)

    def newest(
        self, agreement_id: str, day: str, cache: dict[Any, tuple[Agreement, Markup]]
    ) -> tuple[tuple[str, str, str], int, tuple[Agreement, Markup]] | None:
        """The newest body's cache key, the entries it goes up to, and the body."""
        with self._lock:
            known = self._newest.get((agreement_id, day))
        if known is None:
            return None
        body = cache.get(known[1])
        return None if body is None else (known[1], known[0], body)

    def start(self, agreement_id: str, day: str) -> bool:
        """True for the one caller that is to render a newer body now."""
        at = (agreement_id, day)
        now = time.monotonic()
        with self._lock:
            while self._spent and self._spent[0][0] < now - 1.0:
                self._spent.popleft()
            busy = sum(taken for _, taken in self._spent)
            busy += sum(now - began for began in self._rendering.values())
            if at in self._rendering or busy >= self.share:
                return False
            self._rendering[at] = now
            return True

    def done(self, agreement_id: str, day: str) -> None:
        now = time.monotonic()
        with self._lock:
            began = self._rendering.pop((agreement_id, day), now)
            self._spent.append((now, now - began))


def _behind(shown: int) -> Markup:
    """The notice on a body rendered at an older head of the chain."""
    return Markup(
        '<p class="notice" role="status">This page shows the ledger up to entry {}; newer '
        "entries are being added to it. Reload in a moment to see them.</p>"
    ).format(shown)


def _agreement_body(
    svc: Service,
    user: User,
    row: AgreementRow,
    day: dt.date,
    cache: dict[Any, tuple[Agreement, Markup]],
    key: tuple[str, str, str],
    bodies: Bodies | None = None,
    elsewhere: bool = False,
) -> tuple[Agreement, Markup]:
    """The body at ``row``'s head, rendered here or, with ``elsewhere``, in the render
    process (:mod:`detente.web.renderer`), which never holds this process's lock."""
    with _body_flights(key):  # fifty requests at a new head: one renders, the others wait
        hit = cache.get(key)
        if hit is not None:
            return hit
        model = svc.model(row)
        body: Markup | None = None
        if elsewhere:
            from detente.web import renderer

            url = svc.engine.url.render_as_string(hide_password=False)
            html = renderer.render_body(body_html, url, svc.spec(row.id), row, day)
            body = None if html is None else Markup(html)
        if body is None:
            body = body_html(model, row, svc.history_of(row).current, day)
        if len(cache) > 256:
            cache.clear()
        cache[key] = (model, body)
        if bodies is not None:
            bodies.rendered(key, row.entries)
        return model, body


def body_html(
    model: Agreement, row: AgreementRow, events: list[EventState], day: dt.date
) -> Markup:
    """The agreement page's body at ``row``'s head (``events``: the ledger's current events
    there) as of ``day``: the same for every reader."""
    from detente.reports.view import phase_views

    status: dict[str, Any] | None = None
    status_error = None
    try:
        report = monitoring.status(model, row.head_hash, events, day)
        status = _status_view(report, model, [log_row(e) for e in events])
    except monitoring.LedgerUnreadable:
        status_error = "the ledger holds events the monitor cannot read"
    return Markup(
        env.get_template("agreement_body.html").render(
            row=row,
            agreement=model,
            phases=phase_views(model),
            as_of=day.isoformat(),
            monitor=status,
            status_error=status_error,
        )
    )


@router.get("/agreements/{agreement_id}/document")
def agreement_document(agreement_id: str, user: UserDep, svc: ServiceDep) -> Response:
    """The agreement as the self-contained HTML document ``detente render`` writes."""
    from detente.reports.render import render

    try:
        model = svc.model(svc.agreement(user, agreement_id))
    except ServiceError as exc:
        raise fail(exc) from None
    return HTMLResponse(render(model, "html"), headers={"Content-Security-Policy": DOCUMENT_POLICY})


@router.get("/agreements/{agreement_id}/report")
async def monitor_report(
    request: Request,
    agreement_id: str,
    user: UserDep,
    svc: ServiceDep,
    as_of: str | None = None,
) -> Response:
    """The monitor's report with its charts (the one page that runs a script: plotly, from
    this application, :data:`PLOTLY_PATH`).

    Rendered once per chain head and date into a file, then served from it: a view of the
    dashboard or of this page never re-renders the charts while the ledger stays as it is.
    """
    day = _date(as_of) or dt.date.today()
    try:
        row = await svc.agreement_async(user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    charts: ChartFiles = request.app.state.chart_files
    path = charts.path(row.id, row.head_hash, day)
    if not path.exists():
        try:
            await run_in_threadpool(_render_report, svc, user, row, day, path)
        except ServiceError as exc:
            raise fail(exc) from None
    return FileResponse(
        path,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_POLICY, "Cache-Control": "private, no-cache"},
    )


class ChartFiles:
    """The rendered chart pages, one file per agreement, chain head and date, in a folder
    of the server's own (made at start, removed at exit)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="detente-charts-")
        self.folder = Path(self._folder.name)
        self.rendered = 0

    def path(self, agreement_id: str, head: str, day: dt.date) -> Path:
        name = hashlib.sha256(f"{agreement_id}\0{head}\0{day.isoformat()}".encode()).hexdigest()
        return self.folder / f"{name}.html"


_chart_flights = Flights()


def _render_report(svc: Service, user: User, row: AgreementRow, day: dt.date, path: Path) -> None:
    from detente.reports.monitor_html import render_monitor_html

    with _chart_flights(path):  # many viewers at a new head: one renders, the others wait
        if path.exists():
            return
        _, model, report = svc.status(user, row.id, day)
        events = [log_row(e) for e in svc.history_of(row).current]
        html = render_monitor_html(report, model, events, plotly_src=PLOTLY_PATH)
        partial = path.with_suffix(f".{secrets.token_hex(4)}.part")
        partial.write_text(html, encoding="utf-8")
        partial.replace(path)  # atomic: a reader sees the whole page or none


@router.get(PLOTLY_PATH)
def plotly_bundle() -> Response:
    """plotly.js from the installed plotly package (no CDN, no network): one file, its
    version in its name, so browsers keep it."""
    return FileResponse(
        PLOTLY_FILE,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


# --------------------------------------------------------------------------- events


#: Events a page of the history shows.
EVENTS_PER_PAGE = 100


@router.get("/agreements/{agreement_id}/events")
def events_page(request: Request, agreement_id: str, user: UserDep, svc: ServiceDep) -> Response:
    """The event history, every version, oldest first, a page of :data:`EVENTS_PER_PAGE`."""
    raw = request.query_params.get("page", "1")
    try:
        row = svc.agreement(user, agreement_id)
        hist = svc.history(user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    everything = list(hist.events.values())
    pages = max(1, -(-len(everything) // EVENTS_PER_PAGE))
    if not raw.isdigit() or not 1 <= int(raw) <= pages:
        raise HTTPException(404, f"no page {raw!r}: the history has {pages} page(s)")
    number = int(raw)
    start = (number - 1) * EVENTS_PER_PAGE
    return page(
        request,
        "events.html",
        row=row,
        events=everything[start : start + EVENTS_PER_PAGE],
        total=len(everything),
        first=start + 1,
        number=number,
        pages=pages,
        source_of=dashboard.source_of,
    )


def _import_form(
    request: Request, row: Any, problems: list[dict[str, Any]], status: int = 200, **kw: Any
) -> Response:
    return page(
        request, "import.html", status=status, row=row, problems=problems, recorded=None, **kw
    )


def _writable_row(svc: Service, user: User, agreement_id: str) -> AgreementRow:
    row = svc.agreement(user, agreement_id)
    if not user.can_record:
        raise ServiceError(403, "viewers cannot record in the ledger")
    return row


@router.get("/agreements/{agreement_id}/events/import")
def import_form(request: Request, agreement_id: str, user: UserDep, svc: ServiceDep) -> Response:
    try:
        row = _writable_row(svc, user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    return _import_form(request, row, [])


def _log_kind(filename: str, data: bytes) -> str:
    """CSV or JSON Lines: by the file's name, else by its first character."""
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    return "jsonl" if data.lstrip()[:1] == b"{" else "csv"


@router.post("/agreements/{agreement_id}/events/import")
async def import_file(
    request: Request, agreement_id: str, user: UserDep, svc: ServiceDep
) -> Response:
    """An event file from the browser: every row recorded, or none, each problem at its line
    (the same reading and the same service as ``POST /api/agreements/{id}/events/import``)."""
    form = await request.form()
    check_csrf(request, form)
    try:
        row = await run_in_threadpool(_writable_row, svc, user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    upload_file = form.get("file")
    if upload_file is None or isinstance(upload_file, str):
        return _import_form(request, row, [{"message": "choose a file to import"}], 422)
    data = await upload_file.read()
    if not data.strip():
        return _import_form(request, row, [{"message": "the file is empty"}], 422)
    try:
        parsed = parse_log(data, _log_kind(upload_file.filename or "", data))
    except TooManyRows as exc:
        return _import_form(request, row, [{"message": str(exc)}], 413)
    except LogProblems as exc:
        return _import_form(request, row, exc.problems, 422)
    except UnicodeDecodeError as exc:
        return _import_form(request, row, [{"message": f"not UTF-8 text: {exc.reason}"}], 422)
    except ValueError as exc:
        found = re.match(r"line (\d+): (.*)", str(exc), re.S)
        problem = {"line": int(found[1]), "message": found[2]} if found else {"message": str(exc)}
        return _import_form(request, row, [problem], 422)
    try:
        ids = await run_in_threadpool(svc.import_events, user, agreement_id, parsed)
    except ServiceError as exc:
        if exc.status in (409, 422):
            problems = exc.details or [{"message": exc.message}]
            return _import_form(request, row, problems, exc.status)
        raise fail(exc) from None
    return page(
        request, "import.html", status=201, row=row, problems=[], recorded=len(ids), ids=ids
    )


@router.get("/agreements/{agreement_id}/review")
def review_page(request: Request, agreement_id: str, user: UserDep, svc: ServiceDep) -> Response:
    try:
        row = svc.agreement(user, agreement_id)
        hist = svc.history(user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    return page(request, "review.html", row=row, events=hist.review_queue)


def _event_form(
    request: Request,
    row: Any,
    values: dict[str, Any],
    problems: list[dict[str, Any]],
    status: int = 200,
    *,
    action: str,
    reason: str | None = None,
    heading: str = "Record an event",
) -> Response:
    return page(
        request,
        "event_form.html",
        status=status,
        row=row,
        columns=COLUMNS,
        values=values,
        problems=problems,
        action=action,
        reason=reason,
        heading=heading,
    )


@router.get("/agreements/{agreement_id}/events/new")
def new_event(request: Request, agreement_id: str, user: UserDep, svc: ServiceDep) -> Response:
    try:
        row = svc.agreement(user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    if not user.can_record:
        raise HTTPException(403, "viewers cannot record in the ledger")
    return _event_form(
        request,
        row,
        {"date": dt.date.today().isoformat()},
        [],
        action=f"/agreements/{agreement_id}/events",
    )


def _form_values(form: Any) -> dict[str, Any]:
    return {c: str(form.get(c, "")) for c in COLUMNS}


@router.post("/agreements/{agreement_id}/events")
async def post_event(
    request: Request, agreement_id: str, user: UserDep, svc: ServiceDep
) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = _form_values(form)
    try:
        row = await run_in_threadpool(svc.agreement, user, agreement_id)
        if not user.can_record:
            raise ServiceError(403, "viewers cannot record in the ledger")
    except ServiceError as exc:
        raise fail(exc) from None
    action = f"/agreements/{agreement_id}/events"
    try:
        event = parse_event(values)
    except ValidationError as exc:
        return _event_form(request, row, values, error_messages(exc), 422, action=action)
    try:
        state = await svc.record_async(user, agreement_id, event)
    except ServiceError as exc:
        if exc.status in (409, 422):
            problems = exc.details or [{"field": "id", "message": exc.message}]
            return _event_form(request, row, values, problems, exc.status, action=action)
        raise fail(exc) from None
    return RedirectResponse(f"/agreements/{agreement_id}/events/{state.id}", status_code=303)


@router.get("/agreements/{agreement_id}/events/{event_id}")
def event_page(
    request: Request, agreement_id: str, event_id: str, user: UserDep, svc: ServiceDep
) -> Response:
    try:
        row = svc.agreement(user, agreement_id)
        hist = svc.history(user, agreement_id)
    except ServiceError as exc:
        raise fail(exc) from None
    if event_id not in hist.events:
        raise HTTPException(404, f"no event {event_id!r} in this agreement")
    versions = hist.chain(event_id)
    current = versions[-1]
    values = {
        c: "" if current.columns.get(c) is None else str(current.columns.get(c)) for c in COLUMNS
    }
    values["id"] = ""
    return page(
        request,
        "event.html",
        row=row,
        event=hist.events[event_id],
        versions=versions,
        current=current,
        columns=COLUMNS,
        values=values,
    )


@router.post("/agreements/{agreement_id}/events/{event_id}/correct")
async def correct_event(
    request: Request, agreement_id: str, event_id: str, user: UserDep, svc: ServiceDep
) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = _form_values(form)
    reason = str(form.get("reason", "")).strip()
    try:
        row = await run_in_threadpool(svc.agreement, user, agreement_id)
        if not user.can_record:
            raise ServiceError(403, "viewers cannot record in the ledger")
    except ServiceError as exc:
        raise fail(exc) from None
    action = f"/agreements/{agreement_id}/events/{event_id}/correct"
    heading = f"Correct event {event_id}"
    problems: list[dict[str, Any]] = []
    if not reason:
        problems.append({"field": "reason", "message": "say why the event is corrected"})
    try:
        event = parse_event(values)
    except ValidationError as exc:
        problems += error_messages(exc)
    if problems:
        return _event_form(
            request, row, values, problems, 422, action=action, reason=reason, heading=heading
        )
    try:
        state = await run_in_threadpool(svc.correct, user, agreement_id, event_id, event, reason)
    except ServiceError as exc:
        if exc.status in (409, 422):
            problems = exc.details or [{"field": None, "message": exc.message}]
            return _event_form(
                request,
                row,
                values,
                problems,
                exc.status,
                action=action,
                reason=reason,
                heading=heading,
            )
        raise fail(exc) from None
    return RedirectResponse(f"/agreements/{agreement_id}/events/{state.id}", status_code=303)


@router.post("/agreements/{agreement_id}/events/{event_id}/verify")
async def verify_event(
    request: Request, agreement_id: str, event_id: str, user: UserDep, svc: ServiceDep
) -> Response:
    form = await request.form()
    check_csrf(request, form)
    status = str(form.get("status", ""))
    reason = str(form.get("reason", "")).strip()
    evidence = [line.strip() for line in str(form.get("evidence", "")).splitlines() if line.strip()]
    if status not in ("confirmed", "disputed") or not reason or not evidence:
        raise HTTPException(
            422, "a verification needs confirmed or disputed, a reason and evidence"
        )
    try:
        await run_in_threadpool(
            svc.verify_event, user, agreement_id, event_id, status, reason, evidence
        )
    except ServiceError as exc:
        raise fail(exc) from None
    return RedirectResponse(f"/agreements/{agreement_id}/events/{event_id}", status_code=303)
