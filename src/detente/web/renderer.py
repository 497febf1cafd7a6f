"""The agreement page's body rendered in a process of its own.

Rendering the body runs the monitor over the whole ledger (its replay is pure Python:
80 ms of CPU at a thousand events, more as the ledger grows) and then the templates. In a
worker thread of the server that work held the interpreter lock the event loop needs, for
a quarter of every second while writers moved the chain's head: with 40 readers and 10
writers the page's p99 was 110-160 ms with renders and 40-50 ms with renders turned off,
in the same minutes on the same machine. In a separate process the render costs CPU but
never the server's lock.

The render process reads the ledger itself, from the database, incrementally (it keeps
each agreement's folded history and reads only the entries recorded since), up to the
head it is asked to render. The server sends it the head, not the events: pickling the
events for every render held the server's lock for a time that grew with the ledger
(tens of milliseconds at a few thousand events, on every render).

One process per server (``detente serve``), started at the first render (``spawn``: no
fork of a threaded server) and reused; it parses each agreement once and keeps it. If it
cannot be used (it died, or the machine refuses a process), the body is rendered in the
server as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine

from detente.language.model import Agreement
from detente.web import ledger
from detente.web.db import make_engine, reading
from detente.web.ledger import EventState
from detente.web.service import AgreementRow

#: Seconds a render may take before the server gives up on the process and renders itself.
TIMEOUT = 120.0
#: The render process runs at a lower priority (nice) than the server: on a small machine
#: the event loop answering requests goes first, and the page being rendered meanwhile is
#: shown as the newest one, marked with the entry it goes up to.
RENDER_NICE = 10

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(os.getpid(), RENDER_NICE),
            )
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


#: How a body is rendered: the agreement, its row at a head, the current events there, the
#: date. A module-level function (the render process finds it by its name).
BodyRenderer = Callable[[Agreement, AgreementRow, list[EventState], dt.date], Any]


def warm(how: BodyRenderer) -> None:
    """Start the render process now, in the background, with ``how``'s module imported
    there (the application: a second or more), so that the first page does not wait."""
    try:
        _executor().submit(_warm, how)
    except Exception:  # no process to be had: pages are rendered here
        return


def render_body(
    how: BodyRenderer, database_url: str, spec_text: str, row: AgreementRow, day: dt.date
) -> str | None:
    """``how(agreement, row, events, day)`` run in the render process, as a string, with
    the ledger's current events at ``row``'s head as that process reads them from
    ``database_url``; None when that process could not be used or could not read the
    ledger at that head (the caller then renders in this process)."""
    pool = _executor()
    try:
        future = pool.submit(_render, how, database_url, spec_text, row, day)
    except Exception:  # a process that could not start
        _discard(pool)
        return None
    try:
        return future.result(timeout=TIMEOUT)
    except LedgerMoved:
        return None
    except Exception:  # a dead or stuck process
        _discard(pool)
        return None


class LedgerMoved(Exception):
    """The ledger read in the render process does not reach the head asked for (it was
    rewritten since): the server renders from its own reading."""


# ---------------------------------------------------------------- in the render process

_models: dict[str, Agreement] = {}
_engines: dict[str, Engine] = {}
_histories: dict[tuple[str, str], ledger.History] = {}


def _start(parent: int, nice: int) -> None:
    """Lower this process's priority, and end it when the server is gone, however it ended
    (``kill -9`` too: the pool's pipes alone would keep this process waiting for work
    forever)."""
    with contextlib.suppress(OSError):
        os.nice(nice)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="detente-render-watch", daemon=True).start()


def _model(spec_text: str) -> Agreement:
    from detente.language.loader import load_text

    key = hashlib.sha256(spec_text.encode()).hexdigest()
    hit = _models.get(key)
    if hit is None:
        hit = _models[key] = load_text(spec_text, "agreement.yaml")
    return hit


def _warm(how: BodyRenderer) -> None:
    """Nothing: receiving ``how`` imported its module."""


def _at_head(hist: ledger.History, row: AgreementRow) -> bool:
    return len(hist.entries) == row.entries and (
        not hist.entries or hist.entries[-1].hash == row.head_hash
    )


def _events(database_url: str, row: AgreementRow) -> list[EventState]:
    """The current events at ``row``'s head, read from where the last render left off."""
    engine = _engines.get(database_url)
    if engine is None:
        engine = _engines[database_url] = make_engine(database_url)
    key = (database_url, row.id)
    hist = _histories.get(key)
    if hist is None or not _at_head(hist, row):
        base = hist if hist is not None and len(hist.entries) < row.entries else None
        with reading(engine) as conn:
            hist = ledger.extended(conn, row.id, base, before=row.entries)
        if not _at_head(hist, row):
            raise LedgerMoved(row.id)
        _histories[key] = hist
    return hist.current


def _render(
    how: BodyRenderer, database_url: str, spec_text: str, row: AgreementRow, day: dt.date
) -> str:
    return str(how(_model(spec_text), row, _events(database_url, row), day))
