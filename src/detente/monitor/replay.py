"""Replay a sourced event log through the semantic core, as of a date.

The norms are read once, by :mod:`detente.semantics`: phase spans from the days
talks agreed or failed and phases were extended, dated instances of every
obligation and exchange round, what a prohibition forbids, which powers are in
effect. This module only counts what the log says was done and lays it against
those instances.

One pass over the log: each event adds to per-day counters keyed by (actor,
action, category, clause); only acts a prohibition may forbid, exercised
powers and disputed events are kept one by one, since they appear in the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from detente.errors import Problem, SpecError
from detente.language.model import Agreement, When
from detente.monitor.events import Event
from detente.monitor.report import MonitorReport, ObligationStatus
from detente.semantics import (
    Instance,
    PhaseSpan,
    instances,
    local_day,
    phase_spans,
    powers_available,
    prohibited,
    statuses_on,
)
from detente.semantics.replay_support import extension_days, negotiation_clauses

FlowKey = tuple[str, str, str | None, str | None]  # actor, action, category, clause
RELEASE_KINDS = ("release", "counter_release")
NEXT_DEADLINES = 10


@dataclass
class _Tally:
    """What the log says was done, counted per day (agreement days)."""

    flows: dict[FlowKey, dict[int, list[int]]] = field(default_factory=dict)
    agreed: dict[str, dict[str, int]] = field(default_factory=dict)
    exercises: list[tuple[int, Event]] = field(default_factory=list)
    acts: list[tuple[int, Event]] = field(default_factory=list)

    def add(self, day: int, e: Event, tracked: set[str], acts: set[str], talks: list[str]) -> None:
        if e.action in tracked:
            per_day = self.flows.setdefault((e.actor, e.action, e.category, e.clause), {})
            slot = per_day.setdefault(day, [0, 0])
            if e.quantity is None:
                slot[1] += 1
            else:
                slot[0] += e.quantity
        if e.action == "negotiations_agree":
            clause = e.clause if e.clause in talks else (talks[0] if len(talks) == 1 else None)
            if clause is not None:
                seen = self.agreed.setdefault(clause, {})
                seen[e.actor] = min(day, seen.get(e.actor, day))
        elif e.action == "exercise":
            self.exercises.append((day, e))
        if e.action in acts:
            self.acts.append((day, e))


def monitor(
    agreement: Agreement,
    events: Iterable[Event],
    *,
    entry_into_force: dt.date | None = None,
    as_of: dt.date | None = None,
) -> MonitorReport:
    """The agreement's implementation as of ``as_of`` (default: the log's last date).

    ``events`` is read once (give :func:`detente.monitor.iter_events` to stream a
    file). Disputed events count in the report and not in ``report.without_disputed``.
    """
    eif = entry_into_force
    if eif is None and agreement.dates.entry_into_force is not None:
        eif = agreement.dates.entry_into_force.date
    if eif is None:
        raise SpecError(
            [
                Problem(
                    agreement.id,
                    None,
                    None,
                    "the agreement gives no dates.entry_into_force; give the date of entry "
                    "into force (--entry-into-force) to replay its log",
                )
            ]
        )
    tracked = {"release", "negotiations_start"} | {
        c.obligation.action for c in agreement.clauses if c.obligation is not None
    }
    acts = {c.prohibition.act for c in agreement.clauses if c.prohibition is not None}
    talks = negotiation_clauses(agreement)
    with_all, undisputed = _Tally(), _Tally()
    disputed: list[Event] = []
    last: dt.date | None = None
    count = 0
    for e in events:
        if as_of is not None and e.earliest > as_of:
            continue
        when = e.latest if as_of is None else min(e.latest, as_of)
        day = (when - eif).days + 1
        last = when if last is None or when > last else last
        count += 1
        with_all.add(day, e, tracked, acts, talks)
        if e.disputed:
            disputed.append(e)
        else:
            undisputed.add(day, e, tracked, acts, talks)
    report_date = as_of or (max(last, eif) if last is not None else eif)
    main = _evaluate(agreement, with_all, eif, report_date, count)
    main.without_disputed = _evaluate(
        agreement, undisputed, eif, report_date, count - len(disputed)
    )
    main.disputed_events = [_event_row(e, eif) for e in disputed]
    main.disputed = _differences(main, main.without_disputed, disputed)
    return main


# --------------------------------------------------------------------------- evaluation


@dataclass
class _Facts:
    agreed: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    extended: dict[str, int] = field(default_factory=dict)
    terminated: int | None = None
    suspended: dict[str, int] = field(default_factory=dict)
    resumed: dict[str, int] = field(default_factory=dict)


def _agreed_days(agreement: Agreement, tally: _Tally, as_of: int) -> dict[str, int]:
    """A negotiation agrees the day all of `between` have said so, or the day another
    (a mediator) announces it, whichever comes first."""
    out: dict[str, int] = {}
    for clause_id, by_actor in tally.agreed.items():
        neg = agreement.clause(clause_id).negotiation
        assert neg is not None
        seen = {a: d for a, d in by_actor.items() if d <= as_of}
        days: list[int] = [d for a, d in seen.items() if a not in neg.between]
        if all(p in seen for p in neg.between):
            days.append(max(seen[p] for p in neg.between))
        if days:
            out[clause_id] = min(days)
    return out


def _released(tally: _Tally, as_of: int) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for (actor, action, category, _), per_day in tally.flows.items():
        if action == "release" and category is not None:
            n = sum(q for d, (q, _) in per_day.items() if d <= as_of)
            out[(actor, category)] = out.get((actor, category), 0) + n
    return out


def _reached(agreement: Agreement, spans: Mapping[str, PhaseSpan], extended: Mapping[str, int]):  # type: ignore[no-untyped-def]
    def reached_on(day: int) -> Any:
        def check(when: When) -> bool:
            span = spans.get(when.phase)
            local = local_day(agreement, when, extended)
            if span is None or span.start is None or local is None:
                return False
            return span.start + local - 1 <= day

        return check

    return reached_on


def _evaluate(
    agreement: Agreement, tally: _Tally, eif: dt.date, as_of: dt.date, events_read: int
) -> MonitorReport:
    today = (as_of - eif).days + 1

    def date_of(day: int | None) -> dt.date | None:
        return None if day is None else eif + dt.timedelta(days=day - 1)

    released = _released(tally, today)
    facts = _Facts(agreed=_agreed_days(agreement, tally, today))
    by_rule = extension_days(agreement, released)

    def extended_total() -> dict[str, int]:
        out = dict(by_rule)
        for p, d in facts.extended.items():
            out[p] = out.get(p, 0) + d
        return out

    # Powers, in date order: each one's effect changes what binds afterwards.
    powers: list[dict[str, Any]] = []
    done: list[str] = []
    power_clauses = {c.id for c in agreement.clauses if c.power is not None}
    for day, e in sorted(tally.exercises, key=lambda x: (x[0], x[1].id)):
        if day > today or e.clause not in power_clauses:
            # Unvalidated events (a list built by hand) may name no power: nothing to replay.
            continue
        ext = extended_total()
        spans = phase_spans(
            agreement, agreed=facts.agreed, failed=facts.failed, extended=ext, as_of=day
        )
        statuses = statuses_on(spans, day)
        in_force = facts.terminated is None or day < facts.terminated
        granted = _granted(agreement, tally, spans, ext, day)
        available = powers_available(
            agreement,
            statuses,
            reached=_reached(agreement, spans, ext)(day),
            in_force=in_force,
            exercised=done,
            granted=granted,
            holder=e.actor,
        )
        assert e.clause is not None
        power = agreement.clause(e.clause).power
        assert power is not None
        lawful = e.clause in available
        reason = "in effect for its holder" if lawful else _why_not(agreement, e, done, in_force)
        row = _event_row(e, eif) | {
            "power": power.action.value,
            "target": power.target,
            "lawful": lawful,
            "reason": reason,
        }
        powers.append(row)
        if not lawful:
            continue
        done.append(e.clause)
        if power.action == "end_agreement":
            facts.terminated = day
        elif power.action == "declare_failed" and power.target:
            facts.failed[power.target] = day
        elif power.action == "extend_phase" and power.target:
            facts.extended[power.target] = facts.extended.get(power.target, 0) + (power.days or 0)
        elif power.action == "suspend_clause" and power.target:
            facts.suspended[power.target] = day
        elif power.action == "resume_hostilities":
            facts.resumed[e.actor] = day

    ext = extended_total()
    spans = phase_spans(
        agreement, agreed=facts.agreed, failed=facts.failed, extended=ext, as_of=today
    )
    found = instances(agreement, spans, extended=ext)
    fulfilled, delivered = _allocate(found, tally, today)
    obligations = [
        _status(i, fulfilled.get(i.key), delivered.get(i.key, 0), spans, facts, today, date_of)
        for i in found
    ]

    violations: list[dict[str, Any]] = []
    lawful_acts: list[dict[str, Any]] = []
    for day, e in sorted(tally.acts, key=lambda x: (x[0], x[1].id)):
        if day > today:
            continue
        in_force = facts.terminated is None or day < facts.terminated
        off = [c for c, d in facts.suspended.items() if d <= day]
        clauses = prohibited(
            agreement, e.actor, e.action, statuses_on(spans, day), in_force=in_force, suspended=off
        )
        resumed = facts.resumed.get(e.actor)
        if e.action == "hostilities" and resumed is not None and resumed <= day:
            clauses = []
        row = _event_row(e, eif) | {"prohibited_by": clauses}
        (violations if clauses else lawful_acts).append(row)

    statuses = statuses_on(spans, today)
    live = [p for p in agreement.phases if statuses[p.id] in ("active", "continuing")]
    phase: dict[str, Any] | None = None
    over = facts.terminated is not None and facts.terminated <= today
    if live and not over:
        p = live[-1]
        s = spans[p.id]
        assert s.start is not None
        phase = {
            "id": p.id,
            "name": p.name,
            "status": statuses[p.id],
            "day_in_phase": today - s.start + 1,
            "start": _iso(date_of(s.start)),
            "last_day": _iso(date_of(s.last_day)),
        }
    phases = [
        {
            "id": p.id,
            "name": p.name,
            "status": statuses[p.id],
            "start": _iso(date_of(spans[p.id].start)),
            "last_day": _iso(date_of(spans[p.id].last_day)),
            "ended": _iso(date_of(spans[p.id].ended)),
            "extended_days": ext.get(p.id, 0),
        }
        for p in agreement.phases
    ]
    if facts.terminated is not None:
        agreement_status = "terminated"
    elif all(statuses[p.id] in ("done", "cut_short") for p in agreement.phases):
        agreement_status = "completed"
    else:
        agreement_status = "in_force"

    upcoming = sorted(
        (o for o in obligations if o.status == "due"), key=lambda o: (o.due_day or 0, o.id)
    )
    next_deadlines: list[dict[str, Any]] = [
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
    for p in agreement.phases:
        s = spans[p.id]
        if statuses[p.id] == "active" and s.expires is not None and s.expires > today:
            next_deadlines.append(
                {
                    "id": f"{p.id}/expiry",
                    "clause": None,
                    "debtor": None,
                    "due": _iso(date_of(s.expires)),
                    "due_in_days": s.expires - today,
                    "what": f"{p.name}: its days run out ({p.at_expiry.rule.replace('_', ' ')})",
                }
            )
    next_deadlines.sort(key=lambda d: (d["due"] or "", d["id"]))

    totals: dict[str, dict[str, int]] = {}
    for (party, category), n in sorted(released.items()):
        totals.setdefault(party, {})[category] = n

    return MonitorReport(
        agreement_id=agreement.id,
        title=agreement.title,
        entry_into_force=eif,
        as_of=as_of,
        day=today,
        obligations=obligations,
        ledger=_ledger(agreement, obligations),
        totals=totals,
        phase=phase,
        phases=phases,
        agreement_status=agreement_status,
        next_deadlines=next_deadlines,
        violations=violations,
        lawful_acts=lawful_acts,
        powers=powers,
        events_read=events_read,
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _why_not(agreement: Agreement, e: Event, done: list[str], in_force: bool) -> str:
    assert e.clause is not None
    power = agreement.clause(e.clause).power
    assert power is not None
    if power.holder != e.actor:
        return f"the power is {power.holder}'s, not {e.actor}'s"
    if e.clause in done:
        return "already exercised"
    if not in_force:
        return "the agreement was no longer in force"
    return "not in effect on that day (its phase, day or condition)"


def _granted(
    agreement: Agreement,
    tally: _Tally,
    spans: Mapping[str, PhaseSpan],
    extended: Mapping[str, int],
    day: int,
) -> set[str]:
    """Powers put in effect by a violation of an obligation that grants them, by ``day``."""
    grants = {
        c.id: c.obligation.on_violation.grants
        for c in agreement.clauses
        if c.obligation is not None and c.obligation.on_violation is not None
    }
    if not grants:
        return set()
    found = [i for i in instances(agreement, spans, extended=extended) if i.clause in grants]
    fulfilled, _ = _allocate(found, tally, day)
    out: set[str] = set()
    for i in found:
        if i.due is None or i.due >= day:
            continue
        on = fulfilled.get(i.key)
        if on is None or on > i.due:
            out.add(grants[i.clause])
    return out


def _allocate(
    found: list[Instance], tally: _Tally, today: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Deliveries to instances in order of their due days: the day each was fulfilled, and
    how much each has received.

    Releases go to the earliest round not yet complete, even ahead of its day; other
    duties count from the day their window opens. An event without a quantity fulfils
    the instance it goes to.
    """
    fulfilled: dict[str, int] = {}
    delivered: dict[str, int] = {}
    groups: dict[tuple[str, str, str | None], list[Instance]] = {}
    for i in found:
        if i.due is not None:
            groups.setdefault((i.debtor, i.action, i.category), []).append(i)
    for (debtor, action, category), group in groups.items():
        group.sort(key=lambda i: (i.due or 0, i.round or 0))
        entries: list[tuple[int, int, str | None, int, int]] = []
        for (actor, act, cat, clause), per_day in tally.flows.items():
            if actor != debtor or act != action or cat != category:
                continue
            for d, (q, n) in per_day.items():
                if d <= today:
                    entries.append((d, 0 if clause else 1, clause, q, n))
        entries.sort(key=lambda x: (x[0], x[1], x[2] or ""))
        for d, _, clause, q, n in entries:
            while q > 0 or n > 0:
                target = next(
                    (
                        i
                        for i in group
                        if i.key not in fulfilled
                        and (clause is None or i.clause == clause)
                        and (i.kind in RELEASE_KINDS or i.opens is None or d >= i.opens)
                    ),
                    None,
                )
                if target is None:
                    break
                if n > 0 or target.quantity is None:
                    fulfilled[target.key] = d
                    if target.quantity is not None:
                        delivered[target.key] = target.quantity
                    if n > 0:
                        n -= 1
                    else:
                        delivered[target.key] = delivered.get(target.key, 0) + q
                        q = 0
                    continue
                need = target.quantity - delivered.get(target.key, 0)
                take = min(need, q)
                delivered[target.key] = delivered.get(target.key, 0) + take
                q -= take
                if take == need:
                    fulfilled[target.key] = d
    return fulfilled, delivered


def _status(
    i: Instance,
    on: int | None,
    delivered: int,
    spans: Mapping[str, PhaseSpan],
    facts: _Facts,
    today: int,
    date_of: Any,
) -> ObligationStatus:
    late: int | None = None
    due_in: int | None = None
    if on is not None:
        assert i.due is not None
        late = max(0, on - i.due)
        status = "late" if late else "fulfilled"
    else:
        span = spans.get(i.phase)
        suspended = facts.suspended.get(i.clause)
        t = facts.terminated
        cut = span is not None and span.ending == "cut_short" and span.ended is not None
        if (
            (t is not None and (i.due is None or t <= i.due))
            or (suspended is not None and (i.due is None or suspended <= i.due))
            or (
                cut
                and span is not None
                and span.ended is not None
                and (i.due is None or span.ended <= i.due)
            )
        ):
            status = "discharged"
        elif i.due is None:
            status = "pending"
        elif today > i.due:
            status = "violated"
        else:
            status = "due"
            due_in = i.due - today
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
        opens=date_of(i.opens),
        due=date_of(i.due),
        due_day=i.due,
        status=status,
        delivered=delivered,
        fulfilled_on=date_of(on),
        late_days=late,
        due_in_days=due_in,
    )


_SEVERITY = {"violated": 5, "late": 4, "due": 3, "pending": 2, "discharged": 1, "fulfilled": 0}


def _ledger(agreement: Agreement, obligations: list[ObligationStatus]) -> list[dict[str, Any]]:
    """One row per exchange round: due and delivered on both sides, ratio agreed and achieved."""
    rounds: dict[tuple[str, int], list[ObligationStatus]] = {}
    for o in obligations:
        if o.kind in RELEASE_KINDS and o.round is not None:
            rounds.setdefault((o.clause, o.round), []).append(o)
    out: list[dict[str, Any]] = []
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
                "release_due": {o.category: o.quantity for o in rel},
                "release_delivered": {o.category: o.delivered for o in rel},
                "counter_due": {o.category: o.quantity for o in ctr},
                "counter_delivered": {o.category: o.delivered for o in ctr},
                "ratio_agreed": round(ctr_due / rel_due, 2) if rel_due else None,
                "ratio_achieved": round(ctr_done / rel_done, 2) if rel_done else None,
                "status": worst.status,
                "delivered_on": _iso(max(ons)) if len(ons) == len(sides) else None,
                "late_days": max((o.late_days or 0) for o in sides) or None,
            }
        )
    return out


def _event_row(e: Event, eif: dt.date) -> dict[str, Any]:
    row = e.to_row()
    row["day"] = (e.latest - eif).days + 1
    return row


def _differences(
    main: MonitorReport, other: MonitorReport, disputed: list[Event]
) -> list[dict[str, Any]]:
    """What changes when disputed events are left out: one row per difference."""
    out: list[dict[str, Any]] = []
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
    if (main.phase or {}).get("id") != (other.phase or {}).get("id"):
        out.append(
            {
                "id": "phase",
                "what": "current phase",
                "with": (main.phase or {}).get("id"),
                "without": (other.phase or {}).get("id"),
            }
        )
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
