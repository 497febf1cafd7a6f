"""Request bodies limited while they stream, per route.

A request whose ``Content-Length`` is over its route's limit is answered 413 before a
byte of its body is read; one without (chunked) is counted as it arrives and stopped at
the limit. Nothing is ever buffered past the limit, so five 100 MB requests cost what
five small ones do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class Limit:
    method: str
    path: re.Pattern[str]
    bytes: int
    what: str


#: The routes that take big bodies; every other request body is at most DEFAULT bytes.
LIMITS: tuple[Limit, ...] = (
    Limit("POST", re.compile(r"^/(api/)?agreements/[^/]+/events/import$"), 16 * MiB, "an import"),
    Limit("POST", re.compile(r"^/(api/)?agreements/?$"), 3 * MiB, "a spec upload"),
)
DEFAULT = 256 * KiB


def limit_for(method: str, path: str) -> tuple[int, str]:
    """The most a request to ``path`` may send, and what to call it in the error."""
    for limit in LIMITS:
        if limit.method == method and limit.path.match(path):
            return limit.bytes, limit.what
    return DEFAULT, "a request body"


def _size(n: int) -> str:
    return f"{n // MiB} MiB" if n >= MiB else f"{n // KiB} KiB"


class BodyLimit:
    """ASGI middleware enforcing :func:`limit_for` on every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most, what = limit_for(scope["method"], scope["path"])
        message = f"{what} is at most {_size(most)}"
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _refuse(scope, send, 400, "Content-Length is not a number")
                return
            if length > most:
                await _refuse(scope, send, 413, message)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > most:
                    raise HTTPException(413, message, headers={"Connection": "close"})
            return msg

        await self.app(scope, counted, send)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    response: Response
    if str(scope["path"]).startswith("/api"):
        response = JSONResponse({"detail": message, "problems": []}, status_code=status)
    else:
        response = PlainTextResponse(message, status_code=status)
    response.headers["Connection"] = "close"

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
