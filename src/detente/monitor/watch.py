"""What the watchers recorded: a monitoring mechanism's verifications, and tallies.

*Verifications.* A party with ``role: monitor`` (a mechanism, a coordination centre)
verifies facts in two ways the log can hold: a ``verify`` event of its own (``clause``:
the clause whose implementation it checked; ``verification``: ``confirmed`` or
``disputed``; ``notes``: what it found), or any event it reported (``reported_by``: the
mechanism) with a ``confirmed`` or ``disputed`` verification. The report lists them, so
a reader sees which facts the mechanism verified and which it disputed.

*Tallies.* A ``tally`` event is one source's count of many alleged acts ("over 100
violations"): ``actor`` is the side the acts are alleged against, ``quantity`` the count
the source gives, ``reported_by`` the source that counted. Tallies are kept per source
and never added up across sources: two monitors' counts overlap in ways no log says.
They are no act of their own: nothing is judged or replayed from them.
"""

from __future__ import annotations

import datetime as dt

from detente.language.model import Agreement, Role
from detente.monitor.events import Event
from detente.monitor.reading import event_row
from detente.monitor.report import EventRow


class Watch:
    """Collects one log's verifications and tallies, event by event."""

    def __init__(self, agreement: Agreement, entry_into_force: dt.date) -> None:
        self.eif = entry_into_force
        self.monitors = {p.id for p in agreement.parties if p.role == Role.monitor}
        self.verified: list[EventRow] = []
        self.tallies: dict[str, list[EventRow]] = {}

    def see(self, e: Event) -> None:
        if e.action == "tally":
            self.tallies.setdefault(e.reported_by or e.source, []).append(event_row(e, self.eif))
        if (e.action == "verify" and e.actor in self.monitors) or (
            e.reported_by in self.monitors and e.verification != "reported"
        ):
            self.verified.append(event_row(e, self.eif))
