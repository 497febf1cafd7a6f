"""Time as texts write it: the counting convention, and deadlines counted from an anchor.

One rule, read by the schedule (and so by the checker and the monitor's replay), the
Promela export, stories and reports (see ``docs/semantics.md``, "Time as texts write it"):

- **Counting.** Internally a phase's first day is its day 1 and entry into force is
  agreement day 1. A ``counting: day_zero`` text calls that day 0: its ``{phase: p,
  day: n}`` is internal day ``n + 1``, and a period of ``duration_days: D`` runs from
  day 0 to day D, so it lasts D + 1 days. Days are shown back in the text's numbering.
- **Anchored deadlines.** ``within: {hours: H}`` (or ``{days: N}``) ``after:`` an
  anchor falls due, in whole days, on the anchor's day plus ``ceil(H / 24)`` (or N):
  an anchor known only by its day is read as the end of that day, so the rounding is
  up and never shortens the text's time. Anchors: entry into force (the first phase's
  day 1), a phase's start (its day 1), another clause's fulfilment (that clause's own
  deadline in the checker, where a duty is done at its deadline; the duty falls due
  only if that clause was fulfilled), or a party's act recorded in the log.
- **Hours in the monitor.** When a deadline is in hours and its anchor has a time of
  day (entry into force with its time, or the logged event that fulfilled the anchor
  clause), the deadline is that moment plus H hours exactly, and the monitor compares
  the fulfilling event's date and time with it and reports lateness in hours.
"""

from __future__ import annotations

import datetime as dt

from detente.language.calendar import (
    due_point,
    first_phase,
    local,
    offset,
    shown,
    span,
    whole_days,
)
from detente.language.model import Agreement, Obligation, When

__all__ = [
    "anchor_clause",
    "anchor_phase",
    "deadline",
    "due_point",
    "exact_deadline",
    "first_phase",
    "hours",
    "local",
    "offset",
    "opening",
    "shown",
    "span",
    "whole_days",
]


def deadline(agreement: Agreement, o: Obligation) -> When:
    """An obligation's deadline as a phase day in the text's numbering (``by`` as written,
    or the day an anchored window resolves to). An act's anchor has no fixed day: its
    deadline is reported as the end of the anchor's phase. A triggered duty (``once``) has
    no deadline before its trigger: the end of the first phase stands for it."""
    if o.window is None:
        return When(phase=first_phase(agreement), at="end")
    if o.window.by is not None:
        return o.window.by
    at = due_point(agreement, o)
    if at is None:
        return When(phase=anchor_phase(agreement, o), at="end")
    return When(phase=at[0], day=max(1, shown(agreement, at[1])))


def opening(agreement: Agreement, o: Obligation) -> When:
    """When an obligation's window opens: its `from`, its phase's start, or its anchor."""
    w = o.window
    if w is None:  # a triggered duty: opens at its trigger
        return When(phase=first_phase(agreement), at="start")
    if w.by is not None:
        return w.from_ or When(phase=w.by.phase, at="start")
    assert w.after is not None
    if w.after.fulfilled is not None:
        c = next((c for c in agreement.clauses if c.id == w.after.fulfilled), None)
        if c is not None and c.obligation is not None and c.obligation is not o:
            return deadline(agreement, c.obligation)
    return When(phase=anchor_phase(agreement, o), at="start")


def anchor_phase(agreement: Agreement, o: Obligation) -> str:
    """The phase an anchored window lies in (the anchor's phase)."""
    if o.window is None:
        return first_phase(agreement)
    a = o.window.after
    if a is None:
        assert o.window.by is not None
        return o.window.by.phase
    if a.phase is not None:
        return a.phase
    if a.fulfilled is not None:
        c = next((c for c in agreement.clauses if c.id == a.fulfilled), None)
        if c is not None and c.obligation is not None:
            at = due_point(agreement, c.obligation)
            if at is not None:
                return at[0]
    return first_phase(agreement)


def anchor_clause(o: Obligation) -> str | None:
    """The clause whose fulfilment an obligation's deadline is counted from, if any."""
    return None if o.window is None or o.window.after is None else o.window.after.fulfilled


def hours(o: Obligation) -> int | None:
    """The deadline's length in hours, when the text gives it in hours."""
    w = None if o.window is None else o.window.within
    return None if w is None else w.hours


def exact_deadline(anchor_at: dt.datetime, o: Obligation) -> dt.datetime | None:
    """The moment an hours deadline runs out, counted from an anchor known to the minute;
    None for a deadline in days (compared by date)."""
    h = hours(o)
    return None if h is None else anchor_at + dt.timedelta(hours=h)
