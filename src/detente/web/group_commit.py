"""Group commit: events posted at the same moment share one transaction and one fsync.

Each request waits until the transaction holding its event has committed, so an answered
201 is as durable as with one transaction per event; but when many clients post at once,
the database flushes its log once per batch instead of once per event. One writer
thread per application process; the database's locks still order writers of several
processes.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from detente.web import ledger
from detente.web.db import writing

MAX_BATCH = 200


class DuplicateEvent(Exception):
    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id!r} is already recorded")
        self.event_id = event_id


@dataclass
class _Job:
    agreement_id: str
    payload: dict[str, Any]
    recorded_by: str
    event_id: str | None
    future: Future[ledger.Entry] = field(default_factory=Future)


class GroupCommit:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def record(
        self, agreement_id: str, payload: dict[str, Any], recorded_by: str, event_id: str | None
    ) -> ledger.Entry:
        """Append one new event and return its entry once it is committed."""
        return self.submit(agreement_id, payload, recorded_by, event_id).result()

    def submit(
        self, agreement_id: str, payload: dict[str, Any], recorded_by: str, event_id: str | None
    ) -> Future[ledger.Entry]:
        """Queue one new event; the future holds its entry once it is committed.

        An event loop awaits it (``asyncio.wrap_future``) without holding a worker thread.
        """
        job = _Job(agreement_id, payload, recorded_by, event_id)
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="detente-ledger", daemon=True
                )
                self._thread.start()
        self._jobs.put(job)
        return job.future

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
        done: list[tuple[_Job, ledger.Entry | str]] = []
        try:
            with writing(self.engine) as conn:
                for agreement_id, jobs in by_agreement.items():
                    items = [ledger.NewEvent(j.payload, j.recorded_by, j.event_id) for j in jobs]
                    done += zip(jobs, ledger.append_events(conn, agreement_id, items), strict=True)
        except Exception as exc:  # nothing of the batch was committed
            for job in batch:
                job.future.set_exception(exc)
            return
        for job, outcome in done:
            if isinstance(outcome, str):
                job.future.set_exception(DuplicateEvent(outcome))
            else:
                job.future.set_result(outcome)
