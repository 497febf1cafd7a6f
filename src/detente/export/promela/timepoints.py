"""Step 0: the next time point (``docs/semantics.md``, Time).

The first step is day 1 itself. After it, the day moves to the nearest future phase
expiry, deadline, round day, extension rule's last day, start-by day or power availability
day (or to the day after a negotiation agreed or failed); a run of recurrence points with
nothing else between them is one step, on the last of them. When no point is left the day
stays: the repeating "later" point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from detente.export.promela.clause_amendments import amended_obligation
from detente.export.promela.ltl import Observer
from detente.export.promela.tables import Tables, recurrence_until, started, window_from


@dataclass(frozen=True)
class _Candidate:
    """A day that is the next time point if it is the nearest future one."""

    guard: str  # it still matters
    day: str
    why: str


def next_time_point(t: Tables, observers: Sequence[Observer]) -> list[str]:
    """The lines of step 0: set ``prev`` to the last time point and ``day`` to this one."""
    lines = [
        "    /* 0. the next time point */",
        "    if",
        "    :: !begun -> begun = 1; prev = 0;",
        "      /* the claims' observers see the initial state too */",
        *(f"      {o.update}" for o in observers if o.sticky),
        "      skip",
        "    :: begun ->",
        "      prev = day; nxt = NONE_DAY;",
        "      if :: bump -> nxt = day + 1; bump = 0 :: else -> skip fi   /* the day after an agreement */",
    ]
    for c in _candidates(t):
        lines.append(
            f"      if :: agr != TERMINATED && {c.guard} && {c.day} > day && {c.day} < nxt -> nxt = {c.day}   /* {c.why} */"
        )
        lines.append("         :: else -> skip fi;")
    lines += _last_recurrence_point(t)
    lines.append(
        "      if :: nxt != NONE_DAY -> day = nxt :: else -> lat = 1 fi   /* else: the repeating later point */"
    )
    lines.append("    fi;")
    return lines


def _candidates(t: Tables) -> list[_Candidate]:
    """Every day that can be the next time point, but the recurrence points."""
    out: list[_Candidate] = []
    for ph in t.agreement.phases:
        if ph.duration_days is not None:
            out.append(_Candidate(f"ph_{ph.id} == ACTIVE", f"EXP_{ph.id}", f"{ph.id} expires"))
    for c, _ in t.triggered:
        v = t.cid[c.id]
        out.append(
            _Candidate(f"tr_{v} != 0 && ob_{v} == UNDEC", f"tr_{v}", f"clause {c.id} falls due")
        )
    for c, o in t.obligations:
        if o.window is not None and o.recurrence is None and not o.triggered:
            out.append(
                _Candidate(
                    f"ob_{t.cid[c.id]} == UNDEC && {started(t.deadline(o).phase)}",
                    t.when(t.deadline(o)),
                    f"clause {c.id} deadline",
                )
            )
        new = amended_obligation(t, c) if o.window is not None else None
        if new is not None and o.recurrence is None:
            out.append(
                _Candidate(
                    f"ob_{t.cid[c.id]} == UNDEC && {started(t.deadline(new).phase)}",
                    t.when(t.deadline(new)),
                    f"clause {c.id} deadline as amended",
                )
            )
    seen_rounds: set[tuple[str, int]] = set()
    for s in t.sides:  # both sides of a round fall due on one day
        key = (s.clause.id, s.index)
        if key in seen_rounds:
            continue
        seen_rounds.add(key)
        out.append(
            _Candidate(
                f"{s.var} == UNDEC && {started(s.exchange.phase)}",
                s.day,
                f"clause {s.clause.id} round {s.index + 1}",
            )
        )
    for ph_id in dict.fromkeys(e.phase for _, e in t.extensions):
        if t.phase_duration.get(ph_id) is not None:
            out.append(
                _Candidate(f"ph_{ph_id} == ACTIVE", f"(EXP_{ph_id} - 1)", f"{ph_id}'s last day")
            )
    for c, g in t.negotiations:
        if g.starts_by is not None:
            out.append(
                _Candidate(
                    f"ng_{t.cid[c.id]} == NOT_STARTED && {started(g.starts_by.phase)}",
                    t.when(g.starts_by),
                    f"clause {c.id} starts by",
                )
            )
    for c, pw in t.powers:
        if pw.available.after is not None:
            out.append(
                _Candidate(
                    f"!pw_{t.cid[c.id]} && {started(pw.available.after.phase)}",
                    t.when(pw.available.after),
                    f"clause {c.id} available",
                )
            )
    for c, pw in t.powers:
        if c.id in t.amendments and pw.target is not None and pw.days:
            q = pw.target
            # after expiry, the last day an agreed extension could still bring it back
            # while the phase continues past its days: the day after, and the new expiry an
            # agreement would set (the last day it could still bring the phase back)
            for day, why in (
                (f"(EXP_{q} + 1)", "the day after expiry"),
                (f"(EXP_{q} + {pw.days})", "the new expiry an agreement would set"),
            ):
                out.append(
                    _Candidate(
                        f"rn_{t.cid[c.id]} < {t.amendment_times[c.id]} && ph_{q} == CONTINUING",
                        day,
                        f"clause {c.id}: {why}",
                    )
                )
    return out


def _last_recurrence_point(t: Tables) -> list[str]:
    """``rl``: the last recurrence point of any recurring duty before ``nxt``, which becomes
    the next time point (consecutive recurrence points with nothing between are one step)."""
    recurring = [(c, o, o.recurrence) for c, o in t.obligations if o.recurrence is not None]
    if not recurring:
        return []
    lines = [
        "      /* consecutive recurrence points with nothing else between are one step: the last of them */",
        "      rl = 0;",
    ]
    for c, o, recurrence in recurring:
        v = f"ob_{t.cid[c.id]}"
        fw, uw = window_from(t.agreement, o), recurrence_until(t.agreement, o)
        f, u, k = t.when(fw), t.when(uw), recurrence.every_days
        last = f"{f} + ((hi - {f}) / {k}) * {k}"  # the last point at or before hi
        lines += [
            f"      if :: agr != TERMINATED && {v} != DISCH && {started(fw.phase)} && {started(uw.phase)} ->   /* clause {c.id} every {k} days */",
            f"           lo = day + 1; if :: {f} > lo -> lo = {f} :: else -> skip fi;",
            f"           hi = nxt - 1; if :: {u} < hi -> hi = {u} :: else -> skip fi;",
            f"           if :: hi >= lo && {last} >= lo && {last} > rl -> rl = {last}",
            "              :: else -> skip fi",
            "         :: else -> skip fi;",
        ]
    lines.append("      if :: rl > 0 -> nxt = rl :: else -> skip fi;")
    return lines
