"""How a spec's day numbers and durations read in days: the counting convention, and
the day an anchored deadline falls on. Pure arithmetic on the model, read by validate
and by the semantics (:mod:`detente.semantics.anchors`, which states the whole rule)."""

from __future__ import annotations

import math

from detente.language.model import Agreement, Anchor, Duration, Obligation


def offset(agreement: Agreement) -> int:
    """1 when the text counts the first day as day 0, else 0."""
    return 1 if agreement.counting == "day_zero" else 0


def local(agreement: Agreement, written: int) -> int:
    """The internal day (first day = 1) of a day number as the text writes it."""
    return written + offset(agreement)


def span(agreement: Agreement, written_days: int) -> int:
    """How many days a period of ``written_days`` lasts, counted as the text counts."""
    return written_days + offset(agreement)


def shown(agreement: Agreement, day: int) -> int:
    """An internal day (agreement day or day of a phase) numbered as the text numbers it."""
    return day - offset(agreement)


def whole_days(duration: Duration) -> int:
    """A duration in whole days, hours rounded up (72 hours: 3 days; 30 hours: 2)."""
    if duration.days is not None:
        return duration.days
    assert duration.hours is not None
    return math.ceil(duration.hours / 24)


def trigger_days(o: Obligation) -> int | None:
    """Whole days from a triggered duty's trigger to its deadline (None: not triggered).

    One reading for every spelling: ``once`` with ``within_days: N`` or ``within: {days:
    N}`` (N), or ``within: {hours: H}`` (H / 24 rounded up); a window ``within`` a time
    ``after`` a party's act (the act is its trigger) reads the same way."""
    if o.trigger is not None:  # `once`, or a counter-release per instalment (`for_each`)
        if o.within_days is not None:
            return o.within_days
        return None if o.within is None else whole_days(o.within)
    a = o.act_anchor
    if a is not None and o.window is not None and o.window.within is not None:
        return whole_days(o.window.within)
    return None


def trigger_hours(o: Obligation) -> int | None:
    """A triggered duty's time from trigger to deadline in hours, when the text gives hours."""
    if o.trigger is not None:
        return None if o.within is None else o.within.hours
    if o.act_anchor is not None and o.window is not None and o.window.within is not None:
        return o.window.within.hours
    return None


def first_phase(agreement: Agreement) -> str:
    return next(
        (p.id for p in agreement.phases if p.starts.entry_into_force), agreement.phases[0].id
    )


def _anchor_point(
    agreement: Agreement, anchor: Anchor, seen: frozenset[str]
) -> tuple[str, int] | None:
    """The anchor's (phase, internal day in that phase), when it is fixed by the text."""
    if anchor.entry_into_force:
        return first_phase(agreement), 1
    if anchor.phase is not None:
        return anchor.phase, 1
    if anchor.fulfilled is not None:
        if anchor.fulfilled in seen:
            return None  # a cycle (validate reports it)
        c = next((c for c in agreement.clauses if c.id == anchor.fulfilled), None)
        if c is None or c.obligation is None:
            return None
        return _due_point(agreement, c.obligation, seen | {anchor.fulfilled})
    return None  # an act: its day is a party's choice


def _due_point(agreement: Agreement, o: Obligation, seen: frozenset[str]) -> tuple[str, int] | None:
    w = o.window
    if w is None:
        return None  # a triggered duty: no day before its trigger
    if w.by is not None:
        by = w.by
        if by.day is not None:
            return by.phase, local(agreement, by.day)
        if by.at == "start":
            return by.phase, 1
        d = next((p.duration_days for p in agreement.phases if p.id == by.phase), None)
        return None if d is None else (by.phase, span(agreement, d))
    assert w.after is not None and w.within is not None
    at = _anchor_point(agreement, w.after, seen)
    return None if at is None else (at[0], at[1] + whole_days(w.within))


def due_point(agreement: Agreement, o: Obligation) -> tuple[str, int] | None:
    """An obligation's deadline as (phase, internal day of that phase); None when it is no
    fixed day (an open-ended phase's end, an act's anchor)."""
    return _due_point(agreement, o, frozenset())
