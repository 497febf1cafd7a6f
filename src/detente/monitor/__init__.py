"""Monitoring: an agreement against what actually happened, from a sourced event log.

``monitor(agreement, iter_events(path, agreement), as_of=...)`` replays the log
through the semantic core (``docs/monitoring.md``).
"""

from detente.monitor.events import (
    COLUMNS,
    Event,
    events_from_rows,
    iter_events,
    read_events,
    validate_event,
    write_events,
)
from detente.monitor.replay import monitor
from detente.monitor.report import MonitorReport, ObligationStatus

__all__ = [
    "COLUMNS",
    "Event",
    "MonitorReport",
    "ObligationStatus",
    "events_from_rows",
    "iter_events",
    "monitor",
    "read_events",
    "validate_event",
    "write_events",
]
