"""The bridge to the monitor: the web application never reads the norms itself.

Event validation against the spec and the status of an agreement both come from
:mod:`detente.monitor`; this module hands it the ledger's current events (corrections
applied, verification as the ledger says) and caches answers by the chain's head.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from detente.errors import Problem, SpecError
from detente.language.model import Agreement
from detente.monitor import MonitorReport, events_from_rows, monitor, validate_event
from detente.web.flights import Flights
from detente.web.ledger import EventState

_lock = threading.Lock()
_flights = Flights()
_reports: OrderedDict[tuple[str, str, str], MonitorReport] = OrderedDict()
CACHE_SIZE = 64


class LedgerUnreadable(Exception):
    """The ledger holds events the monitor cannot read (recorded before a check existed)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def log_row(state: EventState) -> dict[str, Any]:
    """An event as a row of the event log, with the ledger's verification status."""
    row = dict(state.columns)
    row["id"] = state.id
    row["verification"] = state.status
    return row


def event_problems(agreement: Agreement, columns: dict[str, Any]) -> list[str]:
    """What the monitor finds wrong with one event against the agreement (plain sentences)."""
    return validate_event(agreement, columns)


def status(
    agreement: Agreement, head_hash: str, events: list[EventState], as_of: dt.date
) -> MonitorReport:
    """The monitor's report as of ``as_of``; cached by the chain's head and the date."""
    key = (agreement.id, head_hash, as_of.isoformat())
    hit = _cached(key)
    if hit is not None:
        return hit
    with _flights(key):  # the first of many concurrent requests runs the monitor
        hit = _cached(key)
        if hit is not None:
            return hit
        rows = [log_row(e) for e in events]
        try:
            report = monitor(
                agreement, events_from_rows(rows, agreement, path="ledger"), as_of=as_of
            )
        except SpecError as exc:
            raise LedgerUnreadable(exc.problems) from None
        with _lock:
            _reports[key] = report
            while len(_reports) > CACHE_SIZE:
                _reports.popitem(last=False)
    return report


def _cached(key: tuple[str, str, str]) -> MonitorReport | None:
    with _lock:
        hit = _reports.get(key)
        if hit is not None:
            _reports.move_to_end(key)
        return hit
