"""The monitor's report, read off a replayed path: each duty's status, the exchange ledger,
the phases, the agreement's status, powers and acts, totals and the next deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.monitor import hours, instalments
from detente.monitor.events import Event
from detente.monitor.path import RELEASE_KINDS, Path
from detente.monitor.report import (
    ActRow,
    CurrentPhase,
    Deadline,
    Difference,
    EventRow,
    LedgerRow,
    MonitorReport,
    ObligationStatus,
    PhaseRow,
    PowerRow,
    Status,
)
from detente.semantics import Instance, anchors, figures
from detente.semantics.parts import fraction, outstanding, unit_of
from detente.semantics.roles import answering
from detente.semantics.tables import (
    COMPLETED,
    CUT_SHORT,
    IN_FORCE,
    LIVE,
    PHASE_STATUS,
    TERMINATED,
)

NEXT_DEADLINES = 10
AGREEMENT_STATUS = {COMPLETED: "completed", TERMINATED: "terminated"}


def read_report(
    path: Path,
    eif: dt.date,
    as_of: dt.date,
    today: int,
    events_read: int,
    absence_is_violation: bool,
) -> MonitorReport:
    m = path.system
    agreement = m.agreement
    state = path.state

    def date_of(day: int | None) -> dt.date | None:
        return None if day is None else eif + dt.timedelta(days=day - 1)

    # an instance past its phase's planned end is shown once it fell due (its phase continuing)
    obligations = [
        _status(path, i, today, date_of)
        for i in path.instances
        if not i.continuation or i.key in path.outcomes or i.key in path.completed
    ]

    statuses = {
        p.id: PHASE_STATUS[m.phase_status(state, q)] for q, p in enumerate(agreement.phases)
    }
    phases: list[PhaseRow] = []
    for q, p in enumerate(agreement.phases):
        start = path.starts.get(q)
        added = m.days_added(state, q)
        last = (
            None
            if start is None or p.duration_days is None
            else start + p.duration_days + added - 1
        )
        ended = path.ended.get(q)
        phases.append(
            {
                "id": p.id,
                "name": p.name,
                "status": statuses[p.id],
                "start": _iso(date_of(start)),
                "last_day": _iso(date_of(last)),
                "ended": _iso(date_of(ended[0] if ended else None)),
                "extended_days": added,
            }
        )
    phase: CurrentPhase | None = None
    live = [q for q in range(len(agreement.phases)) if m.phase_status(state, q) in LIVE]
    if live and m.status(state) != TERMINATED:
        q = live[-1]
        p = agreement.phases[q]
        start = path.starts[q]
        phase = {
            "id": p.id,
            "name": p.name,
            "status": statuses[p.id],
            "day_in_phase": anchors.shown(agreement, today - start + 1),
            "start": phases[q]["start"],
            "last_day": phases[q]["last_day"],
        }
    agreement_status = AGREEMENT_STATUS.get(m.status(state), "in_force")

    upcoming = sorted(
        (o for o in obligations if o.status == "due"), key=lambda o: (o.due_day or 0, o.id)
    )
    next_deadlines: list[Deadline] = [
        {
            "id": o.id,
            "clause": o.clause,
            "debtor": o.debtor,
            "due": _iso(o.due),
            "due_in_days": o.due_in_days,
            "quantity": o.quantity,
            "delivered": o.delivered,
        }
        for o in upcoming[:NEXT_DEADLINES]
    ]
    for q, p in enumerate(agreement.phases):
        start = path.starts.get(q)
        if statuses[p.id] != "active" or start is None or p.duration_days is None:
            continue
        expires = start + p.duration_days + m.days_added(state, q)
        if expires > today:
            next_deadlines.append(
                {
                    "id": f"{p.id}/expiry",
                    "clause": None,
                    "debtor": None,
                    "due": _iso(date_of(expires)),
                    "due_in_days": expires - today,
                    "what": f"{p.name}: its days run out ({p.at_expiry.rule.replace('_', ' ')})",
                }
            )
    next_deadlines.sort(key=lambda d: (d["due"] or "", d["id"]))

    violations: list[ActRow] = []
    lawful_acts: list[ActRow] = []
    answerer = answering(agreement)
    for act in sorted(path.acts, key=lambda a: (a.day, a.event.id)):
        row = ActRow(
            **event_row(act.event, eif),
            prohibited_by=act.prohibited_by,
            attributed_to=answerer.get(act.event.actor, act.event.actor),
        )
        (violations if act.prohibited_by else lawful_acts).append(row)
    powers: list[PowerRow] = []
    for use in sorted(path.powers, key=lambda u: (u.day, u.event.id)):
        clause = agreement.clause(use.event.clause or "")
        power = clause.power
        if power is None:
            assert clause.amendment is not None
            power = clause.amendment.as_power()
        powers.append(
            PowerRow(
                **event_row(use.event, eif),
                power="amendment" if clause.amendment is not None else power.action.value,
                target=power.target,
                lawful=use.lawful,
                reason=use.reason,
            )
        )

    totals: dict[str, dict[str, int]] = {}
    for (party, category), n in sorted(path.log.released.items()):
        totals.setdefault(party, {})[category] = n
    outside: dict[str, dict[str, int]] = {}
    for (party, category), n in sorted(path.log.outside.items()):
        outside.setdefault(party, {})[category] = n
    outside_events = [
        event_row(e, eif) for e in sorted(path.log.outside_events, key=lambda e: (e.date, e.id))
    ]
    surplus: dict[str, dict[str, int]] = {}
    for (party, category), n in sorted(path.surplus.items()):
        beyond = n - path.extension_releases.get((party, category), 0)
        if beyond > 0:
            surplus.setdefault(party, {})[category] = beyond

    return MonitorReport(
        agreement_id=agreement.id,
        title=agreement.title,
        entry_into_force=eif,
        as_of=as_of,
        day=anchors.shown(agreement, today),
        obligations=obligations,
        ledger=_ledger(path, obligations),
        totals=totals,
        phase=phase,
        phases=phases,
        agreement_status=agreement_status,
        next_deadlines=next_deadlines,
        violations=violations,
        lawful_acts=lawful_acts,
        powers=powers,
        events_read=events_read,
        surplus=surplus,
        outside_agreement=outside,
        outside_agreement_events=outside_events,
        absence_is_violation=absence_is_violation,
    )


def _status(path: Path, i: Instance, today: int, date_of: Any) -> ObligationStatus:
    m = path.system
    due = path.due(i)
    outcome = path.outcomes.get(i.key)
    done = path.completed.get(i.key)
    delivered = path.delivered.get(i.key, 0)
    late: int | None = None
    late_h: int | None = None
    due_in: int | None = None
    status: Status
    eif = date_of(1)
    timed = None if eif is None else hours.anchored(path, i, eif)
    due_at = None if timed is None else timed.due_at
    if timed is not None:
        due = timed.due  # counted from when the log shows its anchor (None: not yet)
    if timed is not None and due is None:
        status = "pending"  # its anchor has not happened
    elif (
        due_at is not None
        and due is not None
        and done is not None
        and (outcome is None or outcome[0] != "violated")
    ):
        at = hours.completed_at(path, i, date_of(done))
        late_h = hours.late_hours(due_at, at) if at is not None else None
        if late_h:
            status = "late"
        elif at is not None or done <= due:
            status, late_h = "fulfilled", None
        else:
            status, late = "late", done - due
    elif (
        outcome is not None
        and outcome[0] == "violated"
        and (done is None or due is None or done <= due)
    ):
        status = "violated"  # a breach logged (talks refused after a party's own start)
    elif done is not None and (due is None or done <= due):
        status = "fulfilled"
    elif done is not None and due is not None:
        status, late = "late", done - due
    elif outcome is not None and outcome[0] == "efforts":
        status = "under_way"  # a duty of means, not achieved, efforts logged: no violation
    elif outcome is not None and outcome[0] in ("violated", "not_recorded"):
        status = "violated" if outcome[0] == "violated" else "not_recorded"
    elif _discharged(path, i, due):
        status = "discharged"
    elif due is None and i.key in path.open_keys and path.opens(i) is not None:
        status = "open"  # no deadline, its phase under way: never violated by time
    elif due is None:
        status = "pending"
    elif due >= today:
        status, due_in = "due", due - today
    else:
        status = "not_recorded"
    got = instalments.settled(path, i)
    shares = None if got is None else instalments.rows(got, today, date_of)
    if got is not None and due is None:
        status = "pending"  # the release is not complete: in one step, nothing is due yet
    unit = unit_of(m.agreement, i.clause, i.category) if i.quantity is not None else None
    judged = figures.figure(m.agreement, i) if i.quantity is not None else None
    over = None
    if judged is not None and delivered > judged.bounds[1]:
        over = delivered - judged.bounds[1]
    return ObligationStatus(
        id=i.key,
        clause=i.clause,
        kind=i.kind,
        debtor=i.debtor,
        creditor=i.creditor,
        action=i.action,
        category=i.category,
        quantity=i.quantity,
        round=None if i.round is None else i.round + 1,
        ratio=i.ratio,
        opens=date_of(path.opens(i)),
        due=date_of(due),
        due_day=None if due is None else anchors.shown(path.system.agreement, due),
        status=status,
        delivered=delivered,
        outstanding=outstanding(i.quantity, delivered),
        fraction=fraction(i.quantity, delivered),
        unit=unit,
        shares=shares,
        shares_text=None if shares is None else instalments.summary(shares, unit),
        fulfilled_on=date_of(done),
        late_days=late,
        due_in_days=due_in,
        breached=i.key in path.breached,
        due_at=due_at,
        late_hours=late_h,
        amended=_amended(path, i, date_of),
        figure=None if judged is None else str(judged),
        over=over,
    )


def _amended(path: Path, i: Instance, date_of: Any) -> str | None:
    """'as amended on 15 November 2020 by clause 6.1-extension, per JAMnews' for an
    amended term (None under the text's terms)."""
    clause = i.amended_by
    day = None if clause is None else path.amended_on.get(clause)
    if clause is None or day is None:
        return None
    when = date_of(day)
    said = next((e for e in path.log.exercises.get(day, ()) if e.clause == clause), None)
    source = "" if said is None else f", per {said.publisher or said.source}"
    return f"as amended on {when.day} {when:%B %Y} by clause {clause}{source}"


def _discharged(path: Path, i: Instance, due: int | None) -> bool:
    """Whether the instance was released before its day: the agreement ended, its clause
    was suspended, or its phase was cut short (or is over without it falling due)."""
    t = path.terminated
    if t is not None and (due is None or t <= due):
        return True
    s = path.suspended.get(i.clause)
    if s is not None and (due is None or s <= due):
        return True
    if i.clause in path.trigger_within:
        return False  # a triggered duty is bound to no phase (docs/semantics.md, Conditions)
    q = path.phase_index[i.phase]
    ended = path.ended.get(q)
    status = path.system.phase_status(path.state, q)
    if ended is not None and (due is None or ended[0] <= due):
        return True
    if status == CUT_SHORT:
        return True
    if i.key in path.open_keys and q in path.starts:
        return False  # a duty with no deadline lasts while its phase does
    # a phase that can no longer start (an earlier one was cut short, or the agreement is over)
    return due is None and path.system.status(path.state) != IN_FORCE


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


_SEVERITY = {
    "violated": 6,
    "under_way": 4,
    "open": 3,
    "not_recorded": 5,
    "late": 4,
    "due": 3,
    "pending": 2,
    "discharged": 1,
    "fulfilled": 0,
}


def _ledger(path: Path, obligations: list[ObligationStatus]) -> list[LedgerRow]:
    """One row per exchange round: due and delivered on both sides, ratio agreed and achieved."""
    agreement = path.system.agreement
    rounds: dict[tuple[str, int], list[ObligationStatus]] = {}
    for o in obligations:
        if o.kind in RELEASE_KINDS and o.round is not None:
            rounds.setdefault((o.clause, o.round), []).append(o)
    out: list[LedgerRow] = []
    for (clause_id, n), sides in rounds.items():
        x = agreement.clause(clause_id).exchange
        assert x is not None
        rnd = x.rounds[n - 1]
        rel = [o for o in sides if o.kind == "release"]
        ctr = [o for o in sides if o.kind == "counter_release"]
        rel_due = sum(o.quantity or 0 for o in rel)
        ctr_due = sum(o.quantity or 0 for o in ctr)
        rel_done = sum(o.delivered for o in rel)
        ctr_done = sum(o.delivered for o in ctr)
        worst = max(sides, key=lambda o: _SEVERITY[o.status])
        ons = [o.fulfilled_on for o in sides if o.fulfilled_on is not None]
        out.append(
            {
                "id": f"{clause_id}/r{n}",
                "clause": clause_id,
                "round": n,
                "label": rnd.label,
                "due": _iso(sides[0].due),
                "releasing": x.releasing,
                "counterpart": x.counterpart,
                "release_due": {o.category or "": o.quantity or 0 for o in rel},
                "release_delivered": {o.category or "": o.delivered for o in rel},
                "counter_due": {o.category or "": o.quantity or 0 for o in ctr},
                "counter_delivered": {o.category or "": o.delivered for o in ctr},
                "ratio_agreed": round(ctr_due / rel_due, 2) if rel_due else None,
                "ratio_achieved": round(ctr_done / rel_done, 2) if rel_done else None,
                "status": worst.status,
                "delivered_on": _iso(max(ons)) if len(ons) == len(sides) else None,
                "late_days": max((o.late_days or 0) for o in sides) or None,
            }
        )
    return out


def event_row(e: Event, eif: dt.date) -> EventRow:
    """The event as the report shows it, with the agreement day it counts on."""
    return EventRow(
        date=e.date.isoformat(),
        time=e.time,
        actor=e.actor,
        action=e.action,
        quantity=e.quantity,
        category=e.category,
        clause=e.clause,
        round=e.round,
        location=e.location,
        source=e.source,
        publisher=e.publisher,
        reported_by=e.reported_by,
        verification=e.verification,
        date_precision=e.date_precision,
        notes=e.notes,
        id=e.id,
        day=(e.latest - eif).days + 1,
    )


def differences(
    main: MonitorReport, other: MonitorReport, disputed: list[Event]
) -> list[Difference]:
    """What changes when disputed events are left out: one row per difference."""
    out: list[Difference] = []
    theirs = {o.id: o for o in other.obligations}
    for o in main.obligations:
        t = theirs.get(o.id)
        if t is not None and (o.describe() != t.describe() or o.delivered != t.delivered):
            out.append(
                {
                    "id": o.id,
                    "what": f"{o.id} ({o.debtor})",
                    "with": o.describe(),
                    "without": t.describe(),
                }
            )
    kept = {v["id"] for v in other.violations}
    for v in main.violations:
        if v["id"] not in kept:
            out.append(
                {
                    "id": v["id"],
                    "what": f"{v['action']} by {v['actor']} on {v['date']}",
                    "with": "violation of " + ", ".join(v["prohibited_by"]),
                    "without": "not counted (disputed)",
                }
            )
    for party in sorted(set(main.totals) | set(other.totals)):
        a, b = main.totals.get(party, {}), other.totals.get(party, {})
        for cat in sorted(set(a) | set(b)):
            if a.get(cat, 0) != b.get(cat, 0):
                out.append(
                    {
                        "id": f"totals/{party}/{cat}",
                        "what": f"{cat} released by {party}",
                        "with": a.get(cat, 0),
                        "without": b.get(cat, 0),
                    }
                )
    now = main.phase["id"] if main.phase else None
    then = other.phase["id"] if other.phase else None
    if now != then:
        out.append({"id": "phase", "what": "current phase", "with": now, "without": then})
    if not out and disputed:
        out.extend(
            {
                "id": e.id,
                "what": f"{e.action} by {e.actor} on {e.date}",
                "with": "no change",
                "without": "no change",
            }
            for e in disputed
        )
    return out
