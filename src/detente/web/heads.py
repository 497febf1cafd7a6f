"""The one query every read makes (the agreement's head, if the caller belongs to it), on
the event loop itself.

Every page and listing is cached by the chain's head, and the head is read from the
database on every request, so an entry recorded by any process is seen at once. Making
that read in a worker thread cost more than everything else a cached answer does: under
fifty concurrent clients the hand-over to the thread pool and back (and the threads'
contention for the interpreter lock) tripled the latency. So the read is made here, on
the loop: SQLite through a connection of its own (WAL readers never wait for writers; a
busy database answers at once and we fall back), PostgreSQL through a few asynchronous
psycopg connections. Anything unusual (an in-memory database, another event loop, an
error) returns ``FALLBACK`` and the caller reads in a worker thread as before.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque
from typing import Any

from sqlalchemy import Engine

from detente.web.db import sqlite_file

FALLBACK: Any = object()
PG_CONNECTIONS = 8

_SQL = (
    "SELECT a.id, a.title, a.uploaded_by, a.uploaded_at, a.head_position, a.head_hash "
    "FROM agreements a JOIN memberships m ON m.agreement_id = a.id "
    "WHERE a.id = {p} AND m.user_id = {p}"
)
#: Who a bearer token or a session cookie is, read on every request (nothing cached, so a
#: revoked token, an ended session or a disabled user is refused at once, in every process).
_TOKEN_SQL = (
    "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.token_hash = {p} AND t.revoked_at IS NULL AND NOT u.disabled AND NOT u.removed"
)
_SESSION_SQL = (
    "SELECT u.id, u.name, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.id_hash = {p} AND NOT u.disabled AND NOT u.removed"
)
_QUERIES = {"member": _SQL, "token": _TOKEN_SQL, "session": _SESSION_SQL}
_SQLITE = {k: q.format(p="?") for k, q in _QUERIES.items()}
_PG = {k: q.format(p="%s") for k, q in _QUERIES.items()}


class _Batch:
    """The requests waiting for the next query on one key, and the query running now."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: list[asyncio.Future[Any]] = []
        self.task: asyncio.Task[Any] | None = None


class HeadReader:
    def __init__(self, engine: Engine) -> None:
        url = engine.url
        self.backend = url.get_backend_name()
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_path = sqlite_file(engine)
        self._pg_conninfo = (
            url.set(drivername="postgresql").render_as_string(hide_password=False)
            if self.backend == "postgresql" and url.get_driver_name() == "psycopg"
            else None
        )
        self._pg_loop: asyncio.AbstractEventLoop | None = None
        self._pg_idle: list[Any] = []
        self._pg_waiters: deque[asyncio.Future[Any]] = deque()
        self._pg_open = 0
        self._batches: dict[tuple[Any, ...], _Batch] = {}

    async def member_row(self, agreement_id: str, user_id: int) -> Any:
        """The row (id, title, uploaded_by, uploaded_at, head_position, head_hash) or None
        when the user does not belong to it; ``FALLBACK`` when it could not ask here.

        On PostgreSQL, requests asking the same question at the same moment share one
        query, but only a query that starts after they arrived: the answer is never older
        than the request.
        """
        return await self._query("member", agreement_id, user_id)

    async def token_user(self, digest: str) -> Any:
        """(id, name, role) of the token's user if the token and user are live, else None."""
        return await self._query("token", digest)

    async def session_user(self, digest: str) -> Any:
        """(id, name, role, expires_at) of the session's user if the user is live, else None."""
        return await self._query("session", digest)

    async def _query(self, *key: Any) -> Any:
        if self._sqlite_path is not None:  # a few microseconds: nothing to share
            try:
                return self._sqlite_row(key)
            except Exception:
                return FALLBACK
        if self._pg_conninfo is None:
            return FALLBACK
        loop = asyncio.get_running_loop()
        batch = self._batches.get(key)
        if batch is None or batch.loop is not loop:
            batch = self._batches[key] = _Batch(loop)
        waiter: asyncio.Future[Any] = loop.create_future()
        batch.waiting.append(waiter)
        if batch.task is None:
            self._launch(key, batch)
        return await waiter

    def _launch(self, key: tuple[Any, ...], batch: _Batch) -> None:
        served, batch.waiting = batch.waiting, []
        task = batch.loop.create_task(self._ask(key))
        batch.task = task

        def done(_: object) -> None:
            result = FALLBACK if task.cancelled() or task.exception() else task.result()
            for waiter in served:
                if not waiter.done():
                    waiter.set_result(result)
            if batch.waiting:  # arrived while this query ran: they need a newer one
                self._launch(key, batch)
            else:
                batch.task = None
                if self._batches.get(key) is batch:
                    del self._batches[key]

        task.add_done_callback(done)

    async def _ask(self, key: tuple[Any, ...]) -> Any:
        try:
            return await self._pg_row(key)
        except Exception:
            return FALLBACK

    def _sqlite_row(self, key: tuple[Any, ...]) -> Any:
        assert self._sqlite_path is not None
        with self._lock:
            if self._sqlite is None:
                conn = sqlite3.connect(
                    self._sqlite_path, isolation_level=None, check_same_thread=False
                )
                conn.execute("PRAGMA busy_timeout=0")  # never block the event loop
                self._sqlite = conn
            try:
                # fetchall: the statement runs to its end, no read transaction stays open
                rows = self._sqlite.execute(_SQLITE[key[0]], key[1:]).fetchall()
                return rows[0] if rows else None
            except sqlite3.Error:
                self._sqlite.close()
                self._sqlite = None
                raise

    async def _pg_row(self, key: tuple[Any, ...]) -> Any:
        loop = asyncio.get_running_loop()
        if self._pg_loop is None:
            self._pg_loop = loop
        if loop is not self._pg_loop:
            return FALLBACK  # connections belong to the first loop (the server's)
        conn = await self._pg_take()
        try:
            cur = await conn.execute(_PG[key[0]], key[1:])
            row = await cur.fetchone()
        except BaseException:  # an error, or the request cancelled half-way: drop it
            self._pg_open -= 1
            conn.pgconn.finish()
            self._pg_give(None)
            raise
        self._pg_give(conn)
        return row

    async def _pg_take(self) -> Any:
        """A connection: an idle one, a new one (up to ``PG_CONNECTIONS``), or the next one
        given back, first come first served (a plain queue lets newcomers overtake)."""
        import psycopg

        if self._pg_idle:
            return self._pg_idle.pop()
        if self._pg_open < PG_CONNECTIONS:
            self._pg_open += 1
            try:
                return await psycopg.AsyncConnection.connect(
                    self._pg_conninfo or "", autocommit=True
                )
            except BaseException:
                self._pg_open -= 1
                raise
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pg_waiters.append(waiter)
        try:
            conn = await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                self._pg_give(waiter.result())
            raise
        if conn is None:  # a connection was dropped: open a new one in its place
            return await self._pg_take()
        return conn

    def _pg_give(self, conn: Any) -> None:
        while self._pg_waiters:
            waiter = self._pg_waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if conn is not None:
            self._pg_idle.append(conn)
