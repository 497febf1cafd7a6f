"""Group commit: events posted at the same moment share one transaction and one fsync.

Each request waits until the transaction holding its event has committed, so an answered
201 is as durable as with one transaction per event; but when many clients post at once,
the database flushes its log once per batch instead of once per event. One writer
thread per application process; the database's locks still order writers of several
processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from detente.web import ledger
from detente.web.db import writing
from detente.web.signing import Signer

MAX_BATCH = 200


class DuplicateEvent(Exception):
    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id!r} is already recorded")
        self.event_id = event_id


class KeyReusedError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used for a different request; "
            "a retry must send the same request"
        )
        self.key = key


#: What a request gets: its new entry, or the first answer to its Idempotency-Key.
Outcome = ledger.Entry | ledger.Replay


@dataclass
class _Job:
    agreement_id: str
    payload: dict[str, Any]
    recorded_by: str
    event_id: str | None
    key: str | None = None
    digest: str | None = None
    future: Future[Outcome] = field(default_factory=Future)
    #: Set by ``record_async``: the loop's own future, answered with one wake-up per batch.
    waiter: asyncio.Future[Outcome] | None = None


_Answer = tuple[_Job, Outcome | BaseException]


class GroupCommit:
    def __init__(self, engine: Engine, signer: Signer) -> None:
        self.engine = engine
        self.signer = signer
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def record(
        self,
        agreement_id: str,
        payload: dict[str, Any],
        recorded_by: str,
        event_id: str | None,
        key: str | None = None,
    ) -> Outcome:
        """Append one new event and return its entry once it is committed (or the first
        answer to ``key``, an ``Idempotency-Key``, when a request with it was answered)."""
        return self.submit(agreement_id, payload, recorded_by, event_id, key).result()

    async def record_async(
        self,
        agreement_id: str,
        payload: dict[str, Any],
        recorded_by: str,
        event_id: str | None,
        key: str | None = None,
    ) -> Outcome:
        """``record`` for an event loop: no worker thread waits for the commit, and the
        whole batch is answered with one wake-up of the loop (not one per event)."""
        job = self._job(agreement_id, payload, recorded_by, event_id, key)
        job.waiter = asyncio.get_running_loop().create_future()
        self._put(job)
        return await job.waiter

    def submit(
        self,
        agreement_id: str,
        payload: dict[str, Any],
        recorded_by: str,
        event_id: str | None,
        key: str | None = None,
    ) -> Future[Outcome]:
        """Queue one new event; the future holds its entry once it is committed."""
        job = self._job(agreement_id, payload, recorded_by, event_id, key)
        self._put(job)
        return job.future

    @staticmethod
    def _job(
        agreement_id: str,
        payload: dict[str, Any],
        recorded_by: str,
        event_id: str | None,
        key: str | None,
    ) -> _Job:
        digest = None if key is None else ledger.request_digest([event_id, payload])
        return _Job(agreement_id, payload, recorded_by, event_id, key, digest)

    def _put(self, job: _Job) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="detente-ledger", daemon=True
                )
                self._thread.start()
        self._jobs.put(job)

    def _run(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Job]) -> None:
        by_agreement: dict[str, list[_Job]] = {}
        for job in batch:
            by_agreement.setdefault(job.agreement_id, []).append(job)
        done: list[_Answer] = []
        try:
            with writing(self.engine) as conn:
                for agreement_id, jobs in by_agreement.items():
                    items = [
                        ledger.NewEvent(j.payload, j.recorded_by, j.event_id, j.key, j.digest)
                        for j in jobs
                    ]
                    appended = ledger.append_events(conn, agreement_id, items, signer=self.signer)
                    for one, got in zip(jobs, appended, strict=True):
                        done.append((one, _outcome(got)))
        except Exception as exc:  # nothing of the batch was committed
            done = [(job, exc) for job in batch]
        loops: dict[asyncio.AbstractEventLoop, list[_Answer]] = {}
        for job, outcome in done:
            if job.waiter is not None:
                loops.setdefault(job.waiter.get_loop(), []).append((job, outcome))
            elif isinstance(outcome, BaseException):
                job.future.set_exception(outcome)
            else:
                job.future.set_result(outcome)
        for loop, answers in loops.items():
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                loop.call_soon_threadsafe(_answer, answers)


def _outcome(got: ledger.Entry | str | ledger.Replay | ledger.KeyReused) -> Outcome | Exception:
    if isinstance(got, str):
        return DuplicateEvent(got)
    if isinstance(got, ledger.KeyReused):
        return KeyReusedError(got.key)
    return got


def _answer(answers: list[_Answer]) -> None:
    for job, outcome in answers:
        waiter = job.waiter
        if waiter is None or waiter.done():  # the request went away meanwhile
            continue
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)
