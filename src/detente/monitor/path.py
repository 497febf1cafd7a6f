"""A replayed run, day by day: where each phase lay, what the log delivered to each duty,
and how each duty came out at its deadline.

:class:`Path` is filled by :func:`detente.monitor.replay.replay_path` as it steps the
transition system: :meth:`Path.arrive` when a day's time point arrives (phases that
start or run out, then the day's deliveries matched to the duties they were for),
:meth:`Path.step` with the events of the choices made that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from detente.monitor.events import Event
from detente.monitor.log import Log
from detente.semantics import Instance, System, figures
from detente.semantics.anchor_days import AnchorMet
from detente.semantics.events import (
    Committed,
    Endeavoured,
    Exercised,
    Fulfilled,
    HostilitiesResumed,
    NotRecorded,
    OpeningNotRecorded,
    PhaseExpired,
    PhaseOver,
    PhaseStarted,
    RefusedToOpen,
    Released,
    ReleasedLate,
    SideNotRecorded,
    StepEvent,
    TalksOpened,
    Terminated,
    Triggered,
    Violated,
    Withheld,
)
from detente.semantics.means import open_duties
from detente.semantics.tables import COMPLETED, State

Outcome = Literal["fulfilled", "violated", "not_recorded", "efforts"]
RELEASE_KINDS = ("release", "counter_release")


@dataclass
class Act:
    """A logged act that a prohibition may forbid, judged at its day's time point."""

    day: int
    event: Event
    prohibited_by: list[str]


@dataclass
class PowerUse:
    """A logged exercise of a power, and whether the system offered it that day."""

    day: int
    event: Event
    lawful: bool
    reason: str


@dataclass
class Path:
    """One replayed run of ``system`` against ``log``."""

    system: System
    log: Log
    today: int = 0
    #: phase index -> agreement day of its day 1
    starts: dict[int, int] = field(default_factory=lambda: {0: 1})
    #: phase index -> (first day it is over, how)
    ended: dict[int, tuple[int, str]] = field(default_factory=dict)
    #: instance key -> (how it came out at its deadline, day)
    outcomes: dict[str, tuple[Outcome, int]] = field(default_factory=dict)
    #: instance key -> how much the log delivered to it / the day it was complete
    delivered: dict[str, int] = field(default_factory=dict)
    completed: dict[str, int] = field(default_factory=dict)
    #: (actor, category) -> releases that were for no due round
    surplus: dict[tuple[str, str], int] = field(default_factory=dict)
    #: day -> (actor, category) -> that day's releases that were for no due round
    surplus_on: dict[int, dict[tuple[str, str], int]] = field(default_factory=dict)
    #: (actor, category) -> releases that earned an extension rule's days
    extension_releases: dict[tuple[str, str], int] = field(default_factory=dict)
    #: instance keys for which a logged breach was matched
    breached: set[str] = field(default_factory=set)
    acts: list[Act] = field(default_factory=list)
    powers: list[PowerUse] = field(default_factory=list)
    terminated: int | None = None
    completed_on: int | None = None
    suspended: dict[str, int] = field(default_factory=dict)
    #: instance key -> (day, units) of each delivery credited to it (instalments read them)
    parts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    state: State = ()

    def __post_init__(self) -> None:
        m = self.system
        self.state = m.initial
        # the text's terms; an amendment of a clause swaps in its terms when it is made
        self.instances: list[Instance] = [i for i in m.instances if i.amended_by is None]
        self.by_key = {i.key: i for i in self.instances}
        #: amendment clause -> the agreement day it was made (its terms in effect from then)
        self.amended_on: dict[str, int] = {}
        #: instance keys of duties with no deadline (in effect while their phase lasts)
        self.open_keys = open_duties(m.agreement)
        self.phase_index = {p: q for q, p in enumerate(m.phases)}
        # (phase, clause, first day, last day) -> the instance keys of that duty's point
        self.duty_keys: dict[tuple[int, str, int, int], tuple[str, ...]] = {}
        for q, pts in enumerate(m.pts):
            for pt in pts:
                for duty in pt.duties + pt.continuing:
                    self.duty_keys[(q, duty.clause, duty.first_day, duty.last_day)] = duty.keys
        # a replay's anchored duty falls due in whatever phase is current on its day
        for a in m.anchored:
            for q in range(len(m.pts)):
                self.duty_keys[(q, a.duty.clause, a.duty.first_day, a.duty.last_day)] = a.duty.keys
        #: per anchored duty: its anchor clause's instance keys
        self.anchor_keys: list[tuple[str, ...]] = [
            tuple(i.key for i in m.instances if i.clause == a.anchor) for a in m.anchored
        ]
        #: anchored clause -> the agreement day its anchor was met in the replay
        self.anchor_met: dict[str, int] = {}
        self.side_keys: list[tuple[str, ...]] = [
            tuple(
                f"{s.clause}/r{s.round + 1}/{'counter' if s.counter else 'release'}/{cat}"
                for _, cat, _ in s.items
            )
            for s in m.sides
        ]
        #: triggered duties: clause -> days from trigger to deadline; clause -> the day the
        #: replayed run created it (a Triggered step event: read off the path)
        self.trigger_within = {t.clause: t.within for t in m.triggers}
        self.triggered: dict[str, int] = {}
        for q in range(len(m.pts)):
            for duty in m.trigger_duties:
                self.duty_keys[(q, duty.clause, duty.first_day, duty.last_day)] = duty.keys
        #: counter-releases per instalment (their clause ids): paid from the first
        #: instalment on, before the one-step reading creates the duty
        self.for_each = {
            c.id
            for c in m.agreement.clauses
            if c.obligation is not None and c.obligation.for_each is not None
        }
        #: instance key -> the upper bound of the figure its quantity was written as, when
        #: not exact (semantics/figures.py): a delivery may fill it up to there
        self.upper: dict[str, int] = {
            i.key: b[1]
            for i in m.instances
            if i.quantity is not None and (b := figures.bounds(m.agreement, i)) is not None
        }
        self.start_keys: list[tuple[str, ...]] = [
            tuple(f"{n.clause}/start/{m.parties[p]}" for p in n.between) for n in m.negotiations
        ]

    # ------------------------------------------------------------------ when

    def due(self, i: Instance) -> int | None:
        """The agreement day an instance falls due (None: its phase has not started, or a
        triggered duty not created yet)."""
        if i.clause in self.trigger_within:
            created = self.triggered.get(i.clause)
            return None if created is None else created + self.trigger_within[i.clause]
        start = self.starts.get(self.phase_index[i.phase])
        if start is None or i.day_in_phase is None:
            return None
        return start + i.day_in_phase - 1

    def opens(self, i: Instance) -> int | None:
        """The agreement day an instance's window opens."""
        if i.clause in self.trigger_within:
            return self.triggered.get(i.clause)
        start = self.starts.get(self.phase_index[i.opens_phase])
        return None if start is None else start + i.opens_in_phase - 1

    def continuing(self, i: Instance) -> bool:
        """Whether a continuation instance (past its phase's planned end) falls due, as far
        as the path knows: its phase has started and is not over by the instance's day."""
        d = self.due(i)
        ended = self.ended.get(self.phase_index[i.phase])
        return d is not None and (ended is None or ended[0] > d)

    # ------------------------------------------------------------------ a day

    def arrive(self, day: int, arrived: State, passed: tuple[StepEvent, ...]) -> None:
        """Time has reached ``day``: note phases that ran out or started, then match the
        day's deliveries to the duties they were for."""
        self.today = day
        self._note(day, passed, arrived[1])
        for key, (q, n) in sorted(
            self.log.deliveries.get(day, {}).items(), key=lambda kv: _order(kv[0])
        ):
            self._deliver(day, key, q, n)

    def step(self, day: int, arrived: State, made: tuple[StepEvent, ...], state: State) -> None:
        self._note(day, made, arrived[1])
        self.state = state
        if self.completed_on is None and self.system.status(state) == COMPLETED:
            self.completed_on = day

    def _note(self, day: int, events: tuple[StepEvent, ...], cur: int) -> None:
        m = self.system
        for e in events:
            match e:
                case PhaseStarted(q):
                    self.starts[q] = day
                case PhaseExpired(q, how) if how != "continuing":
                    self.ended[q] = (day, "cut_short" if how == "cut_short" else "done")
                case PhaseOver(q, how):
                    self.ended[q] = (day + 1, how)
                case Terminated():
                    self.terminated = day
                case Triggered(clause):
                    if clause not in self.triggered:
                        self.triggered[clause] = day
                        self._deliver_on_trigger_day(day, clause)
                case Fulfilled(_, clause, first, last):
                    self._outcome(
                        self.duty_keys.get((cur, clause, first, last), ()), "fulfilled", day
                    )
                case Violated(_, clause, first, last):
                    self._outcome(
                        self.duty_keys.get((cur, clause, first, last), ()), "violated", day
                    )
                case Endeavoured(_, clause, first, last):
                    keys = self.duty_keys.get((cur, clause, first, last), ())
                    self._outcome(keys, "efforts", day)
                case NotRecorded(_, clause, first, last):
                    keys = self.duty_keys.get((cur, clause, first, last), ())
                    self._outcome(keys, "not_recorded", day)
                case Released(k):
                    self._outcome(self.side_keys[k], "fulfilled", day)
                case Withheld(k):
                    self._outcome(self.side_keys[k], "violated", day)
                case SideNotRecorded(k):
                    self._outcome(self.side_keys[k], "not_recorded", day)
                case AnchorMet(_, clause, _, _):
                    self.anchor_met.setdefault(clause, day)
                case ReleasedLate(_):
                    pass  # the deliveries say when it was complete
                case TalksOpened(k):
                    for key in self.start_keys[k]:
                        self.completed.setdefault(key, day)
                        i = self.by_key.get(key)
                        if i is not None and (d := self.due(i)) is not None and day <= d:
                            self.outcomes.setdefault(key, ("fulfilled", day))
                case RefusedToOpen(k, mask):
                    n = m.negotiations[k]
                    refused = tuple(
                        key
                        for p, key in zip(n.between, self.start_keys[k], strict=True)
                        if mask >> p & 1
                    )
                    self._outcome(refused, "violated", day)
                case OpeningNotRecorded(k):
                    for key in self.start_keys[k]:
                        i = self.by_key.get(key)
                        if i is not None and self.due(i) == day and key not in self.completed:
                            self.outcomes.setdefault(key, ("not_recorded", day))
                case Exercised(k) if k in m.clause_amendments:
                    self._amend(m.powers[k].clause, day)
                case Exercised(k):
                    w = m.powers[k]
                    if w.action == "suspend_clause" and 0 <= w.target < len(m.suspendable):
                        self.suspended.setdefault(m.suspendable[w.target], day)
                case Committed() | HostilitiesResumed():
                    pass  # judged with the logged event, in Chooser.pick
                case _:
                    pass

    def _amend(self, clause: str, day: int) -> None:
        """Amendment ``clause`` made on ``day``: its terms replace the text's from then on
        (what was delivered to a term stays delivered to the same term)."""
        m = self.system
        self.amended_on.setdefault(clause, day)
        new = [i for i in m.instances if i.amended_by == clause]
        old = {key for key, by in m.replaced.items() if by == clause}
        # in the text's order: a term in the place of the one it replaces, a new one
        # (another category in the same round) after its round's
        rank: dict[tuple[str, int | None], int] = {}
        place: dict[str, int] = {}
        for n, i in enumerate(m.instances):
            if i.amended_by is None:
                place.setdefault(i.key, n)
                rank.setdefault((i.clause, i.round), n)
        self.instances = sorted(
            [i for i in self.instances if i.key not in old] + new,
            key=lambda i: (
                place.get(i.key, rank.get((i.clause, i.round), len(place))),
                i.key not in place,
            ),
        )
        self.by_key = {i.key: i for i in self.instances}

    def _outcome(self, keys: tuple[str, ...], outcome: Outcome, day: int) -> None:
        """The first outcome stays, but a violation (a refusal at a later point) sticks."""
        for key in keys:
            before = self.outcomes.get(key)
            if before is None or (outcome == "violated" and before[0] != "violated"):
                self.outcomes[key] = (outcome, day)

    # ------------------------------------------------------------------ deliveries

    def _deliver(
        self, day: int, key: tuple[str, str, str | None, str | None, int | None], q: int, n: int
    ) -> None:
        """Match what was delivered on ``day`` to the duties it was for.

        An event naming a ``round`` goes to that round (or recurrence) only. Otherwise:
        first the duty due that day (or whose window is open), then overdue ones, oldest
        first (late), then the next round not yet due (delivered early); a counter-release
        goes ahead only to a round whose releases have begun. What is left is surplus:
        never credited to a later round ahead of its turn.
        """
        actor, action, category, clause, rnd = key
        cands = [
            i
            for i in self.instances
            if (not i.continuation or self.continuing(i))
            and i.debtor == actor
            and i.action == action
            and (category is None or i.category is None or i.category == category)
            and (clause is None or i.clause == clause)
            and (rnd is None or instance_number(i) == rnd)
            and i.key not in self.completed
        ]
        due_now: list[tuple[int, Instance]] = []
        overdue: list[tuple[int, Instance]] = []
        ahead: list[tuple[int, Instance]] = []
        for i in cands:
            d = self.due(i)
            if d is None:
                o = self.opens(i) if i.key in self.open_keys else None
                # no deadline: done whenever it is done; a counter-release per
                # instalment: its shares open with each instalment
                if (o is not None and o <= day) or i.clause in self.for_each:
                    due_now.append((self.today + 10**6, i))
                continue
            o = self.opens(i) if i.kind not in RELEASE_KINDS else d
            if (o is None or o <= day) and day <= d:
                due_now.append((d, i))
            elif d < day:
                overdue.append((d, i))
            elif i.kind in RELEASE_KINDS or rnd is not None:
                ahead.append((d, i))
        if rnd is None and ahead:
            # An early release goes to the next round not yet due only; a counter-release
            # only to a round whose releases have begun (it pays for what came home). What is
            # left is surplus, never credited to a later round ahead of its turn, so a
            # hold-back shows on the round it hit.
            nxt = min(d for d, _ in ahead)
            ahead = [
                (d, i)
                for d, i in ahead
                if d == nxt and (i.kind != "counter_release" or self._released_for(i))
            ]
        order = [
            i
            for group in (due_now, overdue, ahead)
            for _, i in sorted(group, key=lambda x: (x[0], x[1].round or 0))
        ]
        for idx, i in enumerate(order):
            if q <= 0 and n <= 0:
                break
            if n > 0 or i.quantity is None:
                self.delivered[i.key] = i.quantity if i.quantity is not None else 1
                self.completed[i.key] = day
                if n > 0:
                    n -= 1
                else:
                    q = 0
                continue
            had = self.delivered.get(i.key, 0)
            need = i.quantity - had
            hi = self.upper.get(i.key)
            if hi is not None:  # a figure: filled to its upper bound; the last takes all
                need = q if idx == len(order) - 1 else max(need, hi - had)
            take = min(need, q)
            self.delivered[i.key] = had + take
            if take > 0:
                self.parts.setdefault(i.key, []).append((day, take))
            q -= take
            if had + take >= i.quantity:
                self.completed[i.key] = day
        if q > 0 and action == "release" and category is not None:
            self.surplus[(actor, category)] = self.surplus.get((actor, category), 0) + q
            today = self.surplus_on.setdefault(day, {})
            today[(actor, category)] = today.get((actor, category), 0) + q

    def _deliver_on_trigger_day(self, day: int, clause: str) -> None:
        """A duty created at the end of ``day`` (its trigger held then) takes what that day's
        log delivered for it and no earlier duty took (the releases left as surplus)."""
        i = self.by_key.get(clause)
        if i is None or i.key in self.completed:
            return
        for (actor, action, category, named, _), (q, n) in self.log.deliveries.get(day, {}).items():
            if actor != i.debtor or action != i.action or named not in (None, i.clause):
                continue
            if category is not None and i.category is not None and category != i.category:
                continue
            if i.quantity is None or category is None:
                if q > 0 or n > 0:
                    self.delivered[i.key] = i.quantity if i.quantity is not None else 1
                    self.completed[i.key] = day
                continue
            left = self.surplus_on.get(day, {}).get((actor, category), 0)
            take = min(left, i.quantity - self.delivered.get(i.key, 0))
            if take <= 0:
                continue
            self.surplus_on[day][(actor, category)] = left - take
            self.surplus[(actor, category)] -= take
            self.delivered[i.key] = self.delivered.get(i.key, 0) + take
            self.parts.setdefault(i.key, []).append((day, take))
            if self.delivered[i.key] >= i.quantity:
                self.completed[i.key] = day

    def _released_for(self, counter: Instance) -> bool:
        """Whether anything was delivered to the release side of ``counter``'s round."""
        prefix = f"{counter.clause}/r{(counter.round or 0) + 1}/release/"
        return any(n > 0 for k, n in self.delivered.items() if k.startswith(prefix))

    def log_act(self, day: int, event: Event, prohibited_by: list[str]) -> None:
        self.acts.append(Act(day, event, prohibited_by))

    def log_power(self, day: int, event: Event, lawful: bool, reason: str) -> None:
        self.powers.append(PowerUse(day, event, lawful, reason))


def instance_number(i: Instance) -> int | None:
    """An instance's round (exchange) or recurrence number (recurring duty), from 1."""
    if i.round is not None:
        return i.round + 1
    if "#" in i.key:
        return int(i.key.rsplit("#", 1)[1])
    return None


def _order(
    key: tuple[str, str, str | None, str | None, int | None],
) -> tuple[int, int, str, str, str, str]:
    """Deliveries naming their round first, then those naming their clause, then the rest."""
    actor, action, category, clause, rnd = key
    return (
        0 if rnd is not None else 1,
        0 if clause else 1,
        actor,
        action,
        category or "",
        clause or "",
    )
