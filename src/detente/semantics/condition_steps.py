"""The steps of ``docs/semantics.md``, Conditions, on a state: the transition system
(:mod:`detente.semantics.system`) calls these hooks; what they compile is
:mod:`detente.semantics.conditions`."""

from __future__ import annotations

from typing import cast

from detente.semantics import acts
from detente.semantics.choices import Choice, Effect, Option
from detente.semantics.conditions import (
    DECIDED,
    DUE_NEXT,
    NOT_CREATED,
    PENDING_BASE,
    countdown,
    decode,
    encode,
)
from detente.semantics.events import StepEvent, TalksOpened, Triggered
from detente.semantics.observe import Observations
from detente.semantics.tables import NOT_STARTED, OPEN, TERMINATED


def create(m: Observations, t: list[int], evs: list[StepEvent]) -> None:
    """End of a step: create every triggered duty whose condition now holds (or whose act
    has been done), and open the talks whose condition now holds (the agreement not
    terminated)."""
    if t[0] == TERMINATED:
        return
    s = tuple(t)
    n = len(m.phases)
    for k, trig in enumerate(m.triggers):
        slot = m.o_tr + k
        if t[slot] != NOT_CREATED:
            continue
        j = m.act_of[k]
        if j >= 0:  # counted from a party's act (semantics/acts.py): done yet?
            if not acts.done(m, t, j):
                continue
        elif trig.condition is None or not m.holds(trig.condition, s):
            continue
        day = m.point_day(s)
        if day is not None:
            t[slot] = encode(n, s[1], day + trig.within)
        elif m.replay is not None:  # every day is a point: count the days from today
            t[slot] = countdown(trig.within)
        elif (ended := m.local_day(s)) is not None:
            # a fixed point of a phase that has just ended, no phase running: counted in
            # that phase's days, carried into the next phase if it starts (else due at
            # the next point, a "later" one)
            t[slot] = encode(n, s[1], ended + trig.within)
        else:  # a "later" point: due at the next point, or carried into a phase starting there
            t[slot] = DUE_NEXT
        evs.append(Triggered(trig.clause))
    for k, cond in m.openers.items():
        if t[m.o_ng + k] == NOT_STARTED and m.holds(cond, s):
            t[m.o_ng + k] = OPEN
            evs.append(TalksOpened(k))


def count_down(m: Observations, t: list[int]) -> None:
    """A replay's new day: every duty counting down (created on a day no phase counts) is
    a day nearer its deadline, and falls due today when its days have run out."""
    for k in range(len(m.triggers)):
        v = t[m.o_tr + k]
        if v == -1:
            t[m.o_tr + k] = DUE_NEXT
        elif v < -1:
            t[m.o_tr + k] = v + 1


def carry(m: Observations, t: list[int], j: int, day_one: int | None) -> None:
    """Phase ``j`` starts: pending duties counted in the phase before are counted on in
    ``j`` (``day_one``: the earlier phase's day that is ``j``'s day 1; None: unknown, so
    they fall due at the next time point). Starting after a "later" point (``day_one``
    None), ``j``'s day 1 is the day after it: a duty created there (due at the next
    point) falls due on that day plus its days, on ``j``'s day of that number (in the
    checker; a replay counts such a duty down by itself)."""
    n = len(m.phases)
    for k, trig in enumerate(m.triggers):
        v = t[m.o_tr + k]
        if v == DUE_NEXT and day_one is None and m.replay is None:
            t[m.o_tr + k] = encode(n, j, max(trig.within, 1))
            continue
        if v < PENDING_BASE:
            continue
        q, d = decode(n, v)
        if q == j:
            continue
        t[m.o_tr + k] = (
            DUE_NEXT if day_one is None or d < day_one else encode(n, j, d - day_one + 1)
        )


def next_point(m: Observations, st: list[int], cur: int, clk: int) -> int:
    """The clock's next point in phase ``cur`` from ``clk`` on: a day that is a time point
    only for triggered duties is passed over unless one falls due on it."""
    pts, only, n = m.pts[cur], m.trigger_only[cur], len(m.phases)
    if not only:
        return clk
    waiting = {
        decode(n, v)[1]
        for k in range(len(m.triggers))
        if (v := st[m.o_tr + k]) >= PENDING_BASE and decode(n, v)[0] == cur
    }
    while clk <= len(pts) and pts[clk - 1].day in only and pts[clk - 1].day not in waiting:
        clk += 1
    return clk


def due(m: Observations, st: list[int], point_day: int | None) -> list[int]:
    """The triggered duties that fall due at this time point: their day has come, or no
    point of their phase is left to wait for."""
    out: list[int] = []
    cur, n = st[1], len(m.phases)
    for k in range(len(m.triggers)):
        v = st[m.o_tr + k]
        if v == DUE_NEXT:
            out.append(k)
        elif v >= PENDING_BASE:
            q, d = decode(n, v)
            if point_day is None or q != cur or point_day >= d:
                out.append(k)
    return out


def choice(m: Observations, k: int, base: Choice) -> Choice:
    """The debtor's choice on triggered duty ``k`` (``base``: its duty choice), each option
    also marking the trigger decided."""
    return Choice(
        base.kind, base.subject, tuple(_decided(m, k, o) for o in base.options), base.duty
    )


def _decided(m: Observations, k: int, opt: Option) -> Option:
    cache = cast(dict[tuple[int, int], Option], m.trigger_options)
    key = (k, id(opt))
    got = cache.get(key)
    if got is not None:
        return got
    slot, inner = m.o_tr + k, opt.apply

    def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
        inner(t, evs, post)
        t[slot] = DECIDED

    got = cache[key] = Option(opt.act, apply)
    return got
