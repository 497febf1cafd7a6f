"""What an event log says, gathered per agreement day in one pass.

Deliveries (releases, the spec's own duty actions, opening talks) are summed per day
and per (actor, action, category, clause, round), so a log of a million rows takes no
more room than its distinct days and subjects; acts a prohibition may forbid,
exercised powers and breaches are kept one by one, since the report names each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from detente.language.model import Agreement
from detente.monitor.events import Event

#: (actor, action, category, clause, round) of a delivery.
DeliveryKey = tuple[str, str, str | None, str | None, int | None]


@dataclass(frozen=True, slots=True)
class Breach:
    """A logged ``breach``: ``actor`` did not do what ``clause`` (round ``round``) required."""

    day: int
    actor: str
    clause: str
    round: int | None
    event: Event


@dataclass
class Log:
    """One agreement's event log, read once, by agreement day (day 1: entry into force)."""

    agreement: Agreement
    entry_into_force: dt.date
    #: day -> (actor, action, category, clause, round) -> [quantity, events without quantity]
    deliveries: dict[int, dict[DeliveryKey, list[int]]] = field(default_factory=dict)
    breaches: list[Breach] = field(default_factory=list)
    #: negotiation clause (None: the log did not say) -> actor -> first day it agreed
    agreements: dict[str | None, dict[str, int]] = field(default_factory=dict)
    exercises: dict[int, list[Event]] = field(default_factory=dict)
    acts: dict[int, list[Event]] = field(default_factory=dict)
    released: dict[tuple[str, str], int] = field(default_factory=dict)
    #: (actor, category) -> released outside the agreement, and those events
    outside: dict[tuple[str, str], int] = field(default_factory=dict)
    outside_events: list[Event] = field(default_factory=list)
    #: (day, actor, action, clause) -> the times of day of that day's deliveries (None:
    #: an event with no time), for deadlines in hours
    times: dict[tuple[int, str, str, str | None], list[str | None]] = field(default_factory=dict)
    #: (actor, clause) -> days on which efforts towards a duty of means were logged
    efforts: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    #: (party, action) of an act some deadline is counted from -> (day, time) of each
    #: logged occurrence (semantics/acts.py)
    anchor_acts: dict[tuple[str, str], list[tuple[int, str | None]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        a = self.agreement
        self._delivered_actions = {"release", "negotiations_start"} | {
            c.obligation.action for c in a.clauses if c.obligation is not None
        }
        self._duties = {
            c.id
            for c in a.clauses
            if c.obligation is not None or c.exchange is not None or c.negotiation is not None
        }
        self._anchor_acts = {
            (x.by, x.act)
            for c in a.clauses
            if c.obligation is not None
            and (x := c.obligation.act_anchor) is not None
            and x.by is not None
            and x.act is not None
        }
        self._acts = {"hostilities"} | {
            c.prohibition.act for c in a.clauses if c.prohibition is not None
        }

    def day_of(self, when: dt.date) -> int:
        return (when - self.entry_into_force).days + 1

    def add(self, e: Event, when: dt.date) -> None:
        """Count one event on the date ``when`` (its latest possible date, or the report's)."""
        day = self.day_of(when)
        if e.outside_agreement:
            # Released, but not under the agreement: counted apart, matched to no duty.
            if e.category is not None:
                k = (e.actor, e.category)
                self.outside[k] = self.outside.get(k, 0) + (e.quantity or 0)
            self.outside_events.append(e)
            return
        if e.action in self._delivered_actions:
            key = (e.actor, e.action, e.category, e.clause, e.round)
            slot = self.deliveries.setdefault(day, {}).setdefault(key, [0, 0])
            self.times.setdefault((day, e.actor, e.action, e.clause), []).append(e.time)
            if e.quantity is None:
                slot[1] += 1
            else:
                slot[0] += e.quantity
            if e.action == "release" and e.category is not None:
                k = (e.actor, e.category)
                self.released[k] = self.released.get(k, 0) + (e.quantity or 0)
        if (e.actor, e.action) in self._anchor_acts:
            self.anchor_acts.setdefault((e.actor, e.action), []).append((day, e.time))
        if e.action == "breach" and e.clause is not None:
            self.breaches.append(Breach(day, e.actor, e.clause, e.round, e))
        elif e.action == "negotiations_agree":
            seen = self.agreements.setdefault(e.clause, {})
            seen[e.actor] = min(day, seen.get(e.actor, day))
        elif e.action in ("exercise", "amend"):
            self.exercises.setdefault(day, []).append(e)
        elif e.action == "effort" and e.clause is not None:
            self.efforts.setdefault((e.actor, e.clause), []).append(day)
        if e.action in self._acts and e.clause not in self._duties:
            # an act logged under a duty's clause is that duty's performance, not an act
            # a prohibition may forbid
            self.acts.setdefault(day, []).append(e)

    def agreed_on(self, clause: str, between: tuple[str, ...], only: bool) -> int | None:
        """The day talks agreed: the day all of ``between`` have logged agreement, or the day
        anyone else (a mediator) announced it, whichever is first. Events that name no
        clause count for the agreement's only negotiation (``only``)."""
        seen: dict[str, int] = {}
        for key in (clause, None) if only else (clause,):
            for actor, day in self.agreements.get(key, {}).items():
                seen[actor] = min(day, seen.get(actor, day))
        days = [d for actor, d in seen.items() if actor not in between]
        if between and all(p in seen for p in between):
            days.append(max(seen[p] for p in between))
        return min(days) if days else None
