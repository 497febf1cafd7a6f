"""Deadlines counted from an anchor, read against the log: dates, and hours where known.

The rule is :mod:`detente.semantics.anchors` (docs/semantics.md, "Time as texts write
it"); this module only finds, in the log, when each anchor happened: entry into force
(with its time of day, when the spec gives one), a phase's start, the day and time the
log shows the anchor clause fulfilled, or the day and time of the party's act. A deadline in hours whose anchor has a time is
compared with the fulfilling event's date and time, and lateness is counted in hours.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from detente.monitor.path import Path
from detente.semantics import Instance, anchors


@dataclass(frozen=True)
class Anchored:
    """An anchored instance's deadline as the log sets it."""

    #: the agreement day it falls due (None: the anchor has not happened)
    due: int | None
    #: the exact moment it runs out, when in hours from an anchor known to the minute
    due_at: dt.datetime | None


def _moment(day: dt.date, time: str | None) -> dt.datetime | None:
    if time is None:
        return None
    hh, mm = time.split(":")
    return dt.datetime.combine(day, dt.time(int(hh), int(mm)))


def completed_at(path: Path, i: Instance, date_of_day: dt.date) -> dt.datetime | None:
    """When the log shows ``i`` completed, to the minute: the latest time among the day's
    matching events, or None when one of them has no time."""
    day = path.log.day_of(date_of_day)
    times = [
        t
        for (d, actor, action, clause), ts in path.log.times.items()
        if d == day and actor == i.debtor and action == i.action and clause in (None, i.clause)
        for t in ts
    ]
    if not times or any(t is None for t in times):
        return None
    return max(m for t in times if (m := _moment(date_of_day, t)) is not None)


def act_at(path: Path, act: tuple[str, str], day: int, date_of_day: dt.date) -> dt.datetime | None:
    """When the log shows the act done on ``day``, to the minute: the earliest time among
    that day's records of it, or None when one of them has no time."""
    times = [t for d, t in path.log.anchor_acts.get(act, ()) if d == day]
    if not times or any(t is None for t in times):
        return None
    return min(m for t in times if (m := _moment(date_of_day, t)) is not None)


def anchored(path: Path, i: Instance, eif: dt.date) -> Anchored | None:
    """The deadline of an instance whose window is counted from an anchor (None: not one)."""
    a = path.system.agreement
    clause = a.clause(i.clause)
    o = clause.obligation
    if o is None or o.window is None or o.window.after is None or o.window.within is None:
        return None
    anchor, within = o.window.after, o.window.within
    k = anchors.whole_days(within)
    if anchor.fulfilled is not None:
        done = path.anchor_met.get(i.clause)  # the day the replay met the anchor
        if done is None:
            return Anchored(None, None)
        when = completed_at(path, path.by_key[anchor.fulfilled], eif + dt.timedelta(days=done - 1))
    elif anchor.act is not None and anchor.by is not None:
        done = path.triggered.get(i.clause)  # the day the replay did the act
        if done is None:
            return Anchored(None, None)
        when = act_at(path, (anchor.by, anchor.act), done, eif + dt.timedelta(days=done - 1))
    else:
        done = path.due(i)
        if done is None:
            return Anchored(None, None)
        done -= k  # the anchor's day: entry into force, or the phase's start
        when = None
        fact = a.dates.entry_into_force
        if done == 1 and fact is not None and fact.time is not None:
            when = _moment(eif, fact.time)
    due_at = None if when is None else anchors.exact_deadline(when, o)
    due = done + k if due_at is None else (due_at.date() - eif).days + 1
    return Anchored(due, due_at)


def late_hours(deadline: dt.datetime, done: dt.datetime) -> int:
    """Whole hours late, rounded up (0: on time)."""
    return max(0, math.ceil((done - deadline).total_seconds() / 3600))
