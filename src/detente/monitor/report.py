"""The monitor's answer as of one date, and its JSON shape (``docs/monitoring.md``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

Status = Literal[
    "fulfilled",
    "late",
    "violated",
    "not_recorded",
    "under_way",
    "open",
    "due",
    "pending",
    "discharged",
]

#: The two readings of a deadline passed with nothing logged, by their JSON code.
READINGS: dict[str, str] = {
    "recorded_only": "Only what the log records: a duty whose deadline passed with nothing "
    "logged is 'not recorded', not violated.",
    "absence_is_violation": "Absence read as violation: a duty whose deadline passed with "
    "nothing logged is counted as violated.",
}

#: Every status, in words, for the legend of every report.
LEGEND: dict[str, str] = {
    "fulfilled": "delivered in full by its deadline",
    "late": "delivered in full, after its deadline (by how many days)",
    "violated": "a logged event says it was not done (a breach), or not done in full",
    "not_recorded": "its deadline has passed and the log says neither that it was done nor "
    "that it was not: nothing is concluded",
    "under_way": "a duty of means (best effort) not achieved by its deadline, while its "
    "debtor's efforts are logged: late, not violated",
    "open": "a duty with no deadline, in effect: never violated by time",
    "due": "its deadline is today or later",
    "pending": "its phase has not started, so it has no date yet",
    "discharged": "released before its deadline: the agreement ended, the clause was "
    "suspended, or its phase was cut short",
}


class PhaseRow(TypedDict):
    """One phase: its status and where it lay (ISO dates; None while not known)."""

    id: str
    name: str
    status: str
    start: str | None
    last_day: str | None
    ended: str | None
    extended_days: int


class CurrentPhase(TypedDict):
    """The phase in effect on the report's date."""

    id: str
    name: str
    status: str
    day_in_phase: int
    start: str | None
    last_day: str | None


class LedgerRow(TypedDict):
    """One exchange round: due and delivered on both sides, ratio agreed and achieved."""

    id: str
    clause: str
    round: int
    label: str | None
    due: str | None
    releasing: str
    counterpart: str
    release_due: dict[str, int]
    release_delivered: dict[str, int]
    counter_due: dict[str, int]
    counter_delivered: dict[str, int]
    ratio_agreed: float | None
    ratio_achieved: float | None
    status: str
    delivered_on: str | None
    late_days: int | None


class Deadline(TypedDict):
    """A duty falling due, or (with ``what``) a phase whose days run out."""

    id: str
    clause: str | None
    debtor: str | None
    due: str | None
    due_in_days: int | None
    quantity: NotRequired[int | None]
    delivered: NotRequired[int]
    what: NotRequired[str]


class EventRow(TypedDict):
    """A logged event as the report shows it: the log's columns and its agreement day."""

    date: str
    time: str | None
    actor: str
    action: str
    quantity: int | None
    category: str | None
    clause: str | None
    round: int | None
    location: str | None
    source: str
    #: who did the reporting (the outlet or the official body)
    publisher: str | None
    reported_by: str | None
    verification: str
    date_precision: str
    notes: str | None
    id: str
    day: int


class LogWarning(TypedDict):
    """Something the log says that the replay does not use, at its row."""

    line: int | None
    id: str
    message: str


class ActRow(EventRow):
    """A logged act a prohibition may forbid: the clauses that forbade it (none: lawful)."""

    prohibited_by: list[str]
    #: Whose act it is in law: the actor, or the party that answers for it (a
    #: non-signatory's forbidden act is that party's breach).
    attributed_to: str


class PowerRow(EventRow):
    """A logged exercise of a power, and whether the system offered it that day."""

    power: str
    target: str | None
    lawful: bool
    reason: str


#: What changes when disputed events are left out ("with" is a keyword, hence this form).
Difference = TypedDict(
    "Difference", {"id": str, "what": str, "with": str | int | None, "without": str | int | None}
)


@dataclass(frozen=True)
class ObligationStatus:
    """One obligation instance (an exchange round's side, a day's aid, a start-by duty)."""

    id: str
    clause: str
    kind: str
    debtor: str
    creditor: str
    action: str
    category: str | None
    quantity: int | None
    round: int | None
    ratio: int | None
    opens: dt.date | None
    due: dt.date | None
    due_day: int | None
    #: fulfilled, late, violated, not_recorded, due, pending (its phase has not started)
    #: or discharged (see :data:`LEGEND`).
    status: Status
    delivered: int
    fulfilled_on: dt.date | None
    late_days: int | None
    due_in_days: int | None
    #: A logged breach says it was not done by its deadline (it may have been done late).
    breached: bool = False
    #: For a deadline in hours from an anchor known to the minute: the moment it runs
    #: out, and how many hours late it was fulfilled (then ``late_days`` is None).
    due_at: dt.datetime | None = None
    late_hours: int | None = None
    #: Units still to be done, and the fraction done (0 to 1); None without a quantity.
    outstanding: int | None = None
    fraction: float | None = None
    #: What the quantity counts ('positions', 'persons').
    unit: str | None = None
    #: The terms as an amendment changed them: 'as amended on 26 January 2025 by clause
    #: exchange-settlement, per Reuters'; None under the text's terms.
    amended: str | None = None
    #: A counter-release per instalment (``for_each``): each instalment's share, and the
    #: shares in words (``monitor/instalments.py``); None for any other duty.
    shares: list[Any] | None = None
    shares_text: str | None = None
    #: The quantity as the text gives it when not exact ('20 to 22', 'about 1,700'); the
    #: delivery is judged against its bounds (semantics/figures.py), and what went past
    #: the upper bound is ``over``.
    figure: str | None = None
    over: int | None = None

    def progress(self) -> str | None:
        """The part done and what is outstanding: '24 of 28 bodies delivered, 4 outstanding'
        (None: no quantity, or nothing outstanding)."""
        if self.quantity is None or not self.outstanding:
            return None
        unit = f" {self.unit}" if self.unit else ""
        if self.figure is not None:  # short of the figure's lower bound
            return (
                f"{self.delivered:,} of {self.figure}{unit} delivered, short by "
                f"{self.outstanding:,}"
            )
        return (
            f"{self.delivered} of {self.quantity}{unit} delivered, {self.outstanding} outstanding"
        )

    def describe(self) -> str:
        """The status in words: 'fulfilled on time', 'late by 2 days', 'due in 3 days'; a
        counter-release per instalment adds its shares ('3 of 4 shares paid ...'); a
        delivery past a figure's upper bound says so; under amended terms, 'fulfilled on
        time (due by day 16 as amended on 15 November 2020 by ...)'."""
        said = self._describe()
        if self.over:
            unit = f" {self.unit}" if self.unit else ""
            said += (
                f" (over: {self.delivered:,}{unit} delivered against {self.figure}, "
                f"{self.over:,} more than its upper bound)"
            )
        if self.shares_text is not None:  # pending: the release not done, only shares speak
            said = self.shares_text if self.status == "pending" else f"{said}; {self.shares_text}"
        if self.amended is None:
            return said
        by = f"due by day {self.due_day} " if self.due_day is not None else ""
        if self.status == "due":
            return f"{by}{self.amended}: {said}"
        return f"{said} ({by}{self.amended})"

    def _describe(self) -> str:
        if self.status == "fulfilled":
            # Without a deadline there is no time to be on: a duty with none is "fulfilled".
            return "fulfilled on time" if self.due is not None else "fulfilled"
        if self.status == "late":
            late = f"late by {self.late_days} day{'s' if self.late_days != 1 else ''}"
            if self.late_hours is not None:
                late = f"late by {self.late_hours} hour{'s' if self.late_hours != 1 else ''}"
            return late + (" (a breach was logged at its deadline)" if self.breached else "")
        part = self.progress() if self.delivered else None
        if self.status == "due":
            n = self.due_in_days
            due = "due today" if n == 0 else f"due in {n} day{'s' if n != 1 else ''}"
            return f"{due} ({part})" if part else due
        if self.status == "pending":
            return "pending (its phase has not started)"
        if self.status == "under_way":
            return f"under way: efforts logged ({part or 'not achieved'})"
        if self.status == "open":
            return f"open, no deadline ({part})" if part else "open, no deadline"
        if self.status == "violated" and part:
            return f"violated ({part})"
        if self.status == "not_recorded" and part:
            return f"not recorded ({part} by its deadline)"
        if self.status == "not_recorded":
            return "not recorded (nothing logged by its deadline)"
        return self.status

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "clause": self.clause,
            "kind": self.kind,
            "debtor": self.debtor,
            "creditor": self.creditor,
            "action": self.action,
            "category": self.category,
            "quantity": self.quantity,
            "round": self.round,
            "opens": _iso(self.opens),
            "due": _iso(self.due),
            "status": self.status,
            "status_text": self.describe(),
            "delivered": self.delivered,
            "outstanding": self.outstanding,
            "fraction": self.fraction,
            "unit": self.unit,
            "figure": self.figure,
            "over": self.over,
            "fulfilled_on": _iso(self.fulfilled_on),
            "late_days": self.late_days,
            "late_hours": self.late_hours,
            "due_at": None if self.due_at is None else self.due_at.isoformat(timespec="minutes"),
            "due_in_days": self.due_in_days,
            "breached": self.breached,
            "amended": self.amended,
        } | ({} if self.shares is None else {"shares": self.shares})


@dataclass
class MonitorReport:
    """Each obligation's status, the exchange ledger, totals, violations, powers, the
    current phase and the next deadlines, as of ``as_of``; ``without_disputed`` is the same
    report with disputed events left out, ``disputed`` what differs between the two."""

    agreement_id: str
    title: str
    entry_into_force: dt.date
    as_of: dt.date
    day: int
    obligations: list[ObligationStatus]
    ledger: list[LedgerRow]
    totals: dict[str, dict[str, int]]
    phase: CurrentPhase | None
    phases: list[PhaseRow]
    agreement_status: str
    next_deadlines: list[Deadline]
    violations: list[ActRow]
    lawful_acts: list[ActRow]
    powers: list[PowerRow]
    events_read: int
    #: {party: {category: count}} released with no due round to go to (not credited ahead)
    surplus: dict[str, dict[str, int]] = field(default_factory=dict)
    #: {party: {category: count}} released outside the agreement (``outside_agreement``
    #: in the log): not in ``totals``, matched to no duty; and those events, with sources
    outside_agreement: dict[str, dict[str, int]] = field(default_factory=dict)
    outside_agreement_events: list[EventRow] = field(default_factory=list)
    #: The reading asked for: a deadline passed with nothing logged is violated (True) or
    #: not recorded (False, the default).
    absence_is_violation: bool = False
    disputed: list[Difference] = field(default_factory=list)
    disputed_events: list[EventRow] = field(default_factory=list)
    without_disputed: MonitorReport | None = None
    #: What the log says that the replay cannot use, one per row: an event dated before
    #: entry into force, releases beyond a stock's declared count. Each is
    #: ``{"line", "id", "message"}``; the command line prints them as warnings.
    warnings: list[LogWarning] = field(default_factory=list)
    #: Facts a monitoring mechanism (role: monitor) verified: its ``verify`` events, and
    #: the events it reported as confirmed or disputed (``detente.monitor.watch``).
    verified: list[EventRow] = field(default_factory=list)
    #: Each source's own tallies of alleged acts (``tally`` events), by source; never
    #: added up across sources.
    tallies: dict[str, list[EventRow]] = field(default_factory=dict)

    @property
    def reading_code(self) -> str:
        return "absence_is_violation" if self.absence_is_violation else "recorded_only"

    @property
    def reading(self) -> str:
        """The reading of absence the report uses, in words, for the top of every report."""
        return READINGS[self.reading_code]

    @property
    def in_all(self) -> dict[str, dict[str, int]]:
        """{party: {category: count}} released in all: under the agreement and outside it."""
        out: dict[str, dict[str, int]] = {}
        for part in (self.totals, self.outside_agreement):
            for party, cats in part.items():
                mine = out.setdefault(party, {})
                for cat, n in cats.items():
                    mine[cat] = mine.get(cat, 0) + n
        return out

    def reconciliation(self) -> list[tuple[str, int, int, int]]:
        """Per party that released anyone: (party, under the agreement, outside it, in all)."""
        rows = []
        for party in sorted(set(self.totals) | set(self.outside_agreement)):
            under = sum(self.totals.get(party, {}).values())
            outside = sum(self.outside_agreement.get(party, {}).values())
            if under or outside:
                rows.append((party, under, outside, under + outside))
        return rows

    def obligation(self, key: str) -> ObligationStatus:
        return next(o for o in self.obligations if o.id == key)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (dates as ISO 8601 strings)."""
        data: dict[str, Any] = {
            "agreement": {"id": self.agreement_id, "title": self.title},
            "entry_into_force": self.entry_into_force.isoformat(),
            "as_of": self.as_of.isoformat(),
            "day": self.day,
            "reading": self.reading_code,
            "reading_text": self.reading,
            "legend": LEGEND,
            "agreement_status": self.agreement_status,
            "phase": self.phase,
            "phases": self.phases,
            "obligations": [o.to_json() for o in self.obligations],
            "ledger": self.ledger,
            "totals": self.totals,
            "surplus": self.surplus,
            "outside_agreement": self.outside_agreement,
            "outside_agreement_events": self.outside_agreement_events,
            "in_all": self.in_all,
            "next_deadlines": self.next_deadlines,
            "violations": self.violations,
            "lawful_acts": self.lawful_acts,
            "powers": self.powers,
            "disputed": self.disputed,
            "disputed_events": self.disputed_events,
            "warnings": self.warnings,
            "verified": self.verified,
            "tallies": self.tallies,
            "events_read": self.events_read,
        }
        if self.without_disputed is not None:
            other = self.without_disputed.to_json()
            data["without_disputed"] = {
                k: other[k]
                for k in (
                    "obligations",
                    "ledger",
                    "totals",
                    "phase",
                    "violations",
                    "next_deadlines",
                )
            }
        return data

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)

    def rows(self, table: str = "obligations") -> list[dict[str, Any]]:
        """One of the report's tables as JSON-ready rows: ``obligations`` (the default),
        ``ledger``, ``totals`` (party, category, count), ``surplus``, ``violations``,
        ``lawful_acts``, ``powers``, ``next_deadlines``, ``phases``, ``disputed`` or
        ``disputed_events``."""
        if table not in FRAME_TABLES:
            raise ValueError(f"no table {table!r}; the tables are {', '.join(FRAME_TABLES)}")
        if table in ("totals", "surplus"):
            counts = self.totals if table == "totals" else self.surplus
            return [
                {"party": party, "category": category, "count": n}
                for party, cats in counts.items()
                for category, n in cats.items()
            ]
        return [dict(r) for r in self.to_json()[table]]

    def to_frame(self, table: str = "obligations") -> Any:
        """One of the report's tables (see :meth:`rows`) as a pandas DataFrame, dates
        parsed; needs the ``frames`` extra (pandas)."""
        from detente.frames import frame

        return frame(self.rows(table), FRAME_TABLES[table])

    def _repr_html_(self) -> str:
        """Jupyter: the obligations as a table, under the reading and the date."""
        from detente.frames import html_table

        caption = f"{self.title}, as of {self.as_of.isoformat()} (day {self.day}). {self.reading}"
        return html_table(self.rows("obligations"), FRAME_TABLES["obligations"], caption)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


_EVENT_COLUMNS = [c for c in EventRow.__annotations__ if c != "id"]

#: The columns of each table :meth:`MonitorReport.to_frame` gives, in order.
FRAME_TABLES: dict[str, list[str]] = {
    "obligations": [
        *("id", "clause", "kind", "debtor", "creditor", "action", "category", "quantity"),
        *("round", "opens", "due", "due_day", "status", "delivered", "outstanding", "fraction"),
        *("unit", "fulfilled_on"),
        *("late_days", "due_in_days", "breached"),
    ],
    "ledger": list(LedgerRow.__annotations__),
    "totals": ["party", "category", "count"],
    "surplus": ["party", "category", "count"],
    "violations": ["id", *_EVENT_COLUMNS, "prohibited_by", "attributed_to"],
    "lawful_acts": ["id", *_EVENT_COLUMNS, "prohibited_by", "attributed_to"],
    "powers": ["id", *_EVENT_COLUMNS, "power", "target", "lawful", "reason"],
    "next_deadlines": list(Deadline.__annotations__),
    "phases": list(PhaseRow.__annotations__),
    "disputed": ["id", "what", "with", "without"],
    "disputed_events": ["id", *_EVENT_COLUMNS],
}
