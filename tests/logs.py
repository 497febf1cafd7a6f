"""Event logs written as rows in a test: ``(day, value, value, ...)``, day 1 being the
entry into force, the values those of the named event-log columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from detente.monitor.events import Event


def logged(
    entry_into_force: dt.date,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    source: str,
) -> list[Event]:
    """The rows as events ``r0``, ``r1``, … in their order, each citing ``source``."""
    return [
        Event(
            id=f"r{i}",
            date=entry_into_force + dt.timedelta(days=row[0] - 1),
            source=source,
            **dict(zip(columns, row[1:], strict=True)),
        )
        for i, row in enumerate(rows)
    ]
