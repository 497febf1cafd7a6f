"""What a log says that the replay cannot use, reported at its row, never swallowed:
an event dated before entry into force (the replay starts on day 1), and releases
beyond the count a stock declares (``docs/monitoring.md``, "Silence is reported")."""

from __future__ import annotations

import datetime as dt

from detente.language.model import Agreement
from detente.monitor.events import Event
from detente.monitor.report import LogWarning


class Notices:
    """Collects the warnings of one log, event by event, in the log's order."""

    def __init__(self, agreement: Agreement, entry_into_force: dt.date) -> None:
        self.eif = entry_into_force
        self.counts = {s.id: (s.holder, s.count) for s in agreement.stocks if s.count is not None}
        self.released: dict[str, int] = {}
        self.over: set[str] = set()
        self.warnings: list[LogWarning] = []

    def see(self, e: Event) -> None:
        if e.latest < self.eif:
            self._warn(
                e,
                f"event {e.id} is dated {e.date.isoformat()}, before entry into force "
                f"({self.eif.isoformat()}): the replay, which starts that day, does not use it",
            )
            return
        if e.action != "release" or e.outside_agreement or e.category not in self.counts:
            return
        holder, count = self.counts[e.category]
        total = self.released.get(e.category, 0) + (e.quantity or 0)
        self.released[e.category] = total
        if total > count and e.category not in self.over:
            self.over.add(e.category)
            self._warn(
                e,
                f"with event {e.id}, {total:,} {e.category} have been released, but the "
                f"agreement declares that {holder} holds {count:,}: check the figure or the "
                "stock's count",
            )

    def _warn(self, e: Event, message: str) -> None:
        self.warnings.append({"line": e.line, "id": e.id, "message": message})
