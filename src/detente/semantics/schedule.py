"""What is due when: phase spans and dated norm instances, computed deterministically.

This is the calendar half of ``docs/semantics.md``: the transition system
(:mod:`detente.semantics.system`) compiles its time points from these instances,
counted in days of their phase (in a run, a phase's start day depends on choices);
the monitor's replay dates them once the path says when each phase started.

Days are agreement days: day 1 is the day of entry into force. Inside a phase,
day n is agreement day ``start + n - 1``. A phase of D days starting on day S
*expires* at the start of day S + D (plus any days granted by extensions).

A phase ends either at its expiry (``done``, or ``cut_short`` when the talks that
kept it going failed), or, while it is continuing, the day after the talks that
keep it going agree or fail (the phase is over from that day). The next phase
starts on the day its predecessor is over, or the day after the agreement that
starts it, whichever is later.

An open-ended phase followed by a phase that starts upon an agreement ends with that
agreement (:func:`ended_by_agreement`): it is over from the day after the negotiation
agrees, and at the earliest the day after it started (it lasts at least its first day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from detente.language.model import Agreement, Clause, Power, PowerAction, Role, When
from detente.semantics import anchors
from detente.semantics.roles import bound

PhaseStatus = Literal["pending", "active", "continuing", "done", "cut_short"]
Ending = Literal["done", "cut_short", "continuing"]
InstanceKind = Literal["obligation", "release", "counter_release", "negotiation_start"]

#: Phase statuses in which a phase's norms bind.
LIVE: frozenset[str] = frozenset({"active", "continuing"})

_EMPTY: Mapping[str, int] = {}


@dataclass(frozen=True)
class PhaseSpan:
    """Where one phase lies in agreement days.

    ``start`` is the phase's day 1 (None: not started, or not known from the
    given facts); ``expires`` the day at whose start its days run out (None:
    open-ended); ``ended`` the first day it is over (None: not over);
    ``ending`` how it ended, or ``continuing`` when its days ran out and its
    expiry rule keeps it going.
    """

    phase: str
    start: int | None
    expires: int | None
    ended: int | None
    ending: Ending | None

    @property
    def last_day(self) -> int | None:
        """The phase's last day as scheduled (``{phase: p, at: end}``), extensions included."""
        return None if self.expires is None else self.expires - 1

    def status_on(self, day: int) -> PhaseStatus:
        """The phase's status on agreement day ``day``."""
        if self.start is None or day < self.start:
            return "pending"
        if self.ended is not None and day >= self.ended:
            return "cut_short" if self.ending == "cut_short" else "done"
        if self.expires is not None and day >= self.expires:
            return "continuing"
        return "active"


def ended_by_agreement(agreement: Agreement) -> dict[str, str]:
    """Open-ended phases that an agreement ends: phase id -> the negotiation (clause id)
    whose agreement starts the next phase. Without it, the next phase could never start."""
    out: dict[str, str] = {}
    for before, after in zip(agreement.phases, agreement.phases[1:], strict=False):
        if before.duration_days is None and after.starts.upon_agreement is not None:
            out[before.id] = after.starts.upon_agreement
    return out


def phase_duration(
    agreement: Agreement, phase_id: str, extended: Mapping[str, int] = _EMPTY
) -> int | None:
    """A phase's length in days with the days granted to it; None when open-ended."""
    d = agreement.phase(phase_id).duration_days
    return None if d is None else anchors.span(agreement, d) + extended.get(phase_id, 0)


def phase_spans(
    agreement: Agreement,
    *,
    agreed: Mapping[str, int] = _EMPTY,
    failed: Mapping[str, int] = _EMPTY,
    extended: Mapping[str, int] = _EMPTY,
    as_of: int | None = None,
) -> dict[str, PhaseSpan]:
    """Every phase's span, given the days on which negotiations agreed or failed.

    ``agreed`` and ``failed`` map a negotiation's clause id to the agreement
    day on which it agreed or was declared failed; ``extended`` maps a phase to
    the extra days granted to it. With ``as_of``, facts after that day are
    ignored and phases that would start later are left pending.
    """
    if as_of is not None:
        agreed = {k: v for k, v in agreed.items() if v <= as_of}
        failed = {k: v for k, v in failed.items() if v <= as_of}
    spans: dict[str, PhaseSpan] = {}
    previous: PhaseSpan | None = None
    closing = ended_by_agreement(agreement)
    for phase in agreement.phases:
        start: int | None = None
        s = phase.starts
        if s.entry_into_force:
            start = 1
        else:
            waits: list[int | None] = []
            if s.after is not None:
                before = spans.get(s.after)
                waits.append(before.ended if before and before.ending == "done" else None)
            elif previous is not None:
                # An upon_agreement phase waits for the phase before it to be over.
                waits.append(previous.ended)
            if s.upon_agreement is not None:
                day = agreed.get(s.upon_agreement)
                waits.append(None if day is None else day + 1)
            start = (
                None if any(w is None for w in waits) else max(w for w in waits if w is not None)
            )
        if start is not None and as_of is not None and start > as_of:
            start = None
        duration = phase_duration(agreement, phase.id, extended)
        expires = None if start is None or duration is None else start + duration
        ended: int | None = None
        ending: Ending | None = None
        if start is not None and expires is not None:
            rule = phase.at_expiry
            if rule.rule in ("ends", "unspecified"):
                ended, ending = expires, "done"
            else:
                n = rule.negotiation
                assert n is not None
                a_day, f_day = agreed.get(n), failed.get(n)
                if a_day is not None and (f_day is None or a_day <= f_day):
                    ended, ending = max(expires, a_day + 1), "done"
                elif f_day is not None:
                    ended, ending = max(expires, f_day + 1), "cut_short"
                else:
                    ending = "continuing"
        elif start is not None and phase.id in closing:
            a_day = agreed.get(closing[phase.id])
            if a_day is not None:
                ended, ending = max(start + 1, a_day + 1), "done"
        span = PhaseSpan(phase.id, start, expires, ended, ending)
        spans[phase.id] = span
        previous = span
    return spans


def statuses_on(spans: Mapping[str, PhaseSpan], day: int) -> dict[str, PhaseStatus]:
    """Every phase's status on one agreement day."""
    return {p: s.status_on(day) for p, s in spans.items()}


# --------------------------------------------------------------------------- instances


@dataclass(frozen=True)
class Instance:
    """One dated duty: an obligation at one recurrence point, one side of one exchange
    round in one category, or one party's duty to open a negotiation.

    ``phase``/``day_in_phase`` say when it is due relative to its phase (the
    checker's view); ``opens``/``due`` are agreement days (the monitor's view),
    None while that phase's start is unknown. ``day_in_phase`` is None for a
    duty due at the end of an open-ended phase (never due). ``continuation``: a recurring
    duty's instance past its phase's planned end, due only while the phase continues.
    """

    key: str
    clause: str
    kind: InstanceKind
    debtor: str
    creditor: str
    action: str
    category: str | None
    quantity: int | None
    ratio: int | None
    round: int | None
    phase: str
    day_in_phase: int | None
    opens_phase: str
    opens_in_phase: int
    opens: int | None
    due: int | None
    #: Beyond its phase's planned end, due only while the phase continues
    #: (:mod:`detente.semantics.continuing`).
    continuation: bool = False
    #: An amended term: the clause of the amendment that gives it (in effect once made).
    amended_by: str | None = None


def local_day(agreement: Agreement, when: When, extended: Mapping[str, int] = _EMPTY) -> int | None:
    """The day of ``when`` counted inside its phase (its start being day 1)."""
    if when.day is not None:
        return anchors.local(agreement, when.day)
    if when.at == "start":
        return 1
    return phase_duration(agreement, when.phase, extended)


def _absolute(spans: Mapping[str, PhaseSpan], phase: str, local: int | None) -> int | None:
    span = spans.get(phase)
    if span is None or span.start is None or local is None:
        return None
    return span.start + local - 1


def _home_phase(agreement: Agreement, clause: Clause) -> str:
    return clause.phase or agreement.phases[0].id


def instances(
    agreement: Agreement,
    spans: Mapping[str, PhaseSpan],
    *,
    extended: Mapping[str, int] = _EMPTY,
) -> list[Instance]:
    """Every obligation instance, exchange round side and negotiation start-by duty, in clause order."""
    out: list[Instance] = []

    def add(
        key: str,
        clause: Clause,
        kind: InstanceKind,
        debtor: str,
        creditor: str,
        action: str,
        phase: str,
        local: int | None,
        opens_phase: str,
        opens_local: int,
        *,
        category: str | None = None,
        quantity: int | None = None,
        ratio: int | None = None,
        round_: int | None = None,
    ) -> None:
        out.append(
            Instance(
                key,
                clause.id,
                kind,
                debtor,
                creditor,
                action,
                category,
                quantity,
                ratio,
                round_,
                phase,
                local,
                opens_phase,
                opens_local,
                _absolute(spans, opens_phase, opens_local),
                _absolute(spans, phase, local),
            )
        )

    for clause in agreement.clauses:
        if (o := clause.obligation) is not None and (o.window is None or o.triggered):
            # a triggered duty (`once`, or counted from a party's act): no day in the
            # calendar until it is created; a duty with no deadline: in effect while its
            # phase lasts, never due (semantics/means.py)
            home = _home_phase(agreement, clause)
            add(
                clause.id,
                clause,
                "obligation",
                o.debtor,
                o.creditor,
                o.action,
                home,
                None,
                home,
                1,
                category=o.category,
                quantity=o.quantity,
            )
        elif (o := clause.obligation) is not None:
            by = anchors.deadline(agreement, o)
            due_local = local_day(agreement, by, extended)
            frm = anchors.opening(agreement, o)
            from_local = local_day(agreement, frm, extended) or 1
            if o.recurrence is not None and frm.phase == by.phase and due_local is not None:
                until = o.recurrence.until
                last = due_local
                if until is not None and until.phase == by.phase:
                    last = min(last, local_day(agreement, until, extended) or last)
                for n, day in enumerate(range(from_local, last + 1, o.recurrence.every_days), 1):
                    add(
                        f"{clause.id}#{n}",
                        clause,
                        "obligation",
                        o.debtor,
                        o.creditor,
                        o.action,
                        by.phase,
                        day,
                        by.phase,
                        day,
                        category=o.category,
                        quantity=o.quantity,
                    )
            else:
                add(
                    clause.id,
                    clause,
                    "obligation",
                    o.debtor,
                    o.creditor,
                    o.action,
                    by.phase,
                    due_local,
                    frm.phase,
                    from_local,
                    category=o.category,
                    quantity=o.quantity,
                )
        elif (x := clause.exchange) is not None:
            ratios = {r.category: r for r in x.ratios}
            for i, rnd in enumerate(x.rounds):
                for cat, units in rnd.release.items():
                    add(
                        f"{clause.id}/r{i + 1}/release/{cat}",
                        clause,
                        "release",
                        x.releasing,
                        x.counterpart,
                        "release",
                        x.phase,
                        anchors.local(agreement, rnd.day),
                        x.phase,
                        anchors.local(agreement, rnd.day),
                        category=cat,
                        quantity=units,
                        round_=i,
                    )
                counter: dict[str, tuple[int, int | None]] = {}
                if rnd.counter_release is not None:
                    counter = {c: (q, None) for c, q in rnd.counter_release.items()}
                else:
                    for cat, units in rnd.release.items():
                        r = ratios.get(cat)
                        if r is not None:
                            q, _ = counter.get(r.counter_category, (0, None))
                            counter[r.counter_category] = (q + units * r.per_unit, r.per_unit)
                for cat, (q, ratio) in counter.items():
                    if q <= 0:
                        continue  # nothing to release in return: no duty
                    add(
                        f"{clause.id}/r{i + 1}/counter/{cat}",
                        clause,
                        "counter_release",
                        x.counterpart,
                        x.releasing,
                        "release",
                        x.phase,
                        anchors.local(agreement, rnd.day),
                        x.phase,
                        anchors.local(agreement, rnd.day),
                        category=cat,
                        quantity=q,
                        ratio=ratio,
                        round_=i,
                    )
        elif (neg := clause.negotiation) is not None and neg.starts_by is not None:
            start_by = local_day(agreement, neg.starts_by, extended)
            home = neg.starts_by.phase
            for party in neg.between:
                other = next((p for p in neg.between if p != party), party)
                add(
                    f"{clause.id}/start/{party}",
                    clause,
                    "negotiation_start",
                    party,
                    other,
                    "negotiations_start",
                    home,
                    start_by,
                    home,
                    1,
                )
    return out


# --------------------------------------------------------------------------- what binds


def _binds_in(during: Iterable[str], phase_statuses: Mapping[str, str], in_force: bool) -> bool:
    if not in_force:
        return False
    phases = list(during)
    if not phases:
        return True
    return any(phase_statuses.get(p) in LIVE for p in phases)


def prohibited(
    agreement: Agreement,
    party: str,
    act: str,
    phase_statuses: Mapping[str, str],
    *,
    in_force: bool = True,
    suspended: Iterable[str] = (),
) -> list[str]:
    """The clauses whose prohibition forbids ``party`` to do ``act`` now (empty: lawful)."""
    off = set(suspended)
    return [
        c.id
        for c in agreement.clauses
        if (p := c.prohibition) is not None
        and c.id not in off
        and p.act == act
        and party in bound(agreement, p.parties)
        and _binds_in(p.during, phase_statuses, in_force)
    ]


def ceasefire_in_effect(
    agreement: Agreement,
    phase_statuses: Mapping[str, str],
    *,
    in_force: bool = True,
    suspended: Iterable[str] = (),
) -> bool:
    """Whether some prohibition of hostilities binds some party now."""
    off = set(suspended)
    return any(
        (p := c.prohibition) is not None
        and c.id not in off
        and p.act == "hostilities"
        and _binds_in(p.during, phase_statuses, in_force)
        for c in agreement.clauses
    )


def grantable_powers(agreement: Agreement) -> set[str]:
    """Power clauses that only a violation puts in effect (``on_violation: {grants: c}``)."""
    return {
        c.obligation.on_violation.grants
        for c in agreement.clauses
        if c.obligation is not None and c.obligation.on_violation is not None
    }


#: The power whose every exercise must answer an attack (:mod:`~detente.semantics.self_defence`).
SELF_DEFENCE = PowerAction.self_defence


def answers(agreement: Agreement, holder: str, power: Power) -> list[str]:
    """The parties whose attacks ``power`` answers: ``against``, or every other party of
    role ``party``."""
    if power.against:
        return list(dict.fromkeys(power.against))
    return [p.id for p in agreement.parties if p.role == Role.party and p.id != holder]
