"""Agreed extensions (``amendment:``), written once (``docs/semantics.md``, Amendments).

An amendment is a dated joint act of the parties it names: all of them consent on one day
(the checker: the power's holder with the others' consent in the same step; the monitor:
a logged ``amend`` of the clause). It moves the phase's expiry ``days`` later and leaves
the text as it was. Unlike ``extend_phase`` (a power the text gives, refused once the
period has run out), the parties may also agree it after the phase's days have run out,
while the phase is still the latest one started:

- before expiry (the phase pending or active): the expiry moves ``days`` later;
- after expiry (the phase continuing, or done with nothing started after it), when the
  new expiry still lies ahead (``today < expiry + days``): the phase is active again until
  its new expiry, and a gap its expiry opened is closed.

It is one act: once made, it is spent; with ``times: N`` (a term renewable by agreement)
the parties may make it N times, each time ``days`` more.

An amendment of a **clause** (``amends:``) changes its terms from the step it is made in:
an obligation's deadline (``by``, or ``days`` later) or quantity, or the contents of an
exchange's rounds. Both terms are compiled: the text's instances of what it changes are in
effect while it is not made, the amended ones once it is (a *guard* on each duty and
round side: ``-(k + 1)`` for the text's, ``k + 1`` for the amended, ``0`` otherwise). It
is open while what it changes is not yet past: at a time point on or before the text's
day for each term it changes and before the amended day; an obligation's once it is not
fulfilled. Made on the very day the text's deadline falls, it voids that day's violation
(``Options.voidable`` in choices.py): the parties agreed a new date before the old one had
passed. The amended terms' calendar (which instances each amendment replaces and gives)
is compiled in :mod:`.amended_terms`, beside the text's in :mod:`.schedule`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from detente.language.model import Role
from detente.semantics.amended_terms import (
    ClauseAmendment,
    amended_clause,
    amended_instances,
    binds,
    clause_amendment_pairs,
    guard_of,
)
from detente.semantics.events import StepEvent
from detente.semantics.tables import (
    ACTIVE,
    CONTINUING,
    DONE,
    FLAG_FULFILLED,
    IN_FORCE,
    LIVE,
    PENDING,
    TERMINATED,
    Tables,
)

Effect = Callable[[list[int], list[StepEvent]], None]

#: Phase statuses after expiry from which an agreed extension brings the phase back.
REOPENABLE = (CONTINUING, DONE)


def new_expiry(m: Tables, s: Sequence[int], k: int) -> int | None:
    """The day of its phase on which the phase would expire once amendment ``k`` is made
    (None: an open-ended phase)."""
    w = m.powers[k]
    dur = m.durations[w.target]
    if dur is None:
        return None
    return dur + 1 + s[m.o_ex + w.target] + w.days


def made(m: Tables, s: Sequence[int], k: int) -> int:
    """How many times amendment ``k`` has been made (counted above the power's flag bits)."""
    return s[m.o_pw + k] >> 2


def open_to(m: Tables, s: Sequence[int], k: int) -> bool:
    """Whether the parties may make amendment ``k`` now (its ``available`` conditions aside)."""
    w = m.powers[k]
    if k in m.clause_amendments:
        return clause_open(m, s, k)
    q = w.target
    if q < 0 or s[0] != IN_FORCE or made(m, s, k) >= w.times:
        return False
    status = s[m.o_ph + q]
    if status in (PENDING, ACTIVE):
        return True
    if status not in REOPENABLE or s[1] != q:
        return False
    clk = s[2]
    if not 1 <= clk <= len(m.pts[q]):
        return False  # a "later" day: past every day it could move the expiry to
    expiry = new_expiry(m, s, k)
    return expiry is not None and m.pts[q][clk - 1].day < expiry


def effect(m: Tables, k: int) -> Effect:
    """Step 4 of a made amendment: the expiry moves; a phase past its days is active again."""
    w = m.powers[k]
    count = m.o_pw + k
    if k in m.clause_amendments:

        def change(t: list[int], evs: list[StepEvent]) -> None:
            t[count] += 4  # made: the amended terms are in effect from the next point

        return change
    phase, more, days, gap = m.o_ph + w.target, m.o_ex + w.target, w.days, m.o_gap

    def amend(t: list[int], evs: list[StepEvent]) -> None:
        t[count] += 4  # one more time made
        t[more] += days
        if t[phase] in REOPENABLE:
            t[phase] = ACTIVE
            t[gap] = 0

    return amend


def recorded_by(m: Tables, k: int, actor: str) -> bool:
    """Whether a logged act of ``actor`` records amendment ``k``: one of the parties that
    make it, or a mediator or guarantor announcing their settlement."""
    w = m.powers[k]
    i = m.pidx.get(actor, -1)
    if i < 0:
        return False
    if i == w.holder or w.consent >> i & 1:
        return True
    return m.agreement.parties[i].role in (Role.mediator, Role.guarantor)


# --------------------------------------------------------------------------- clauses


def in_effect(m: Tables, s: Sequence[int], guard: int, tracked: int = -1) -> bool:
    """Whether a duty or round side with ``guard`` binds in state ``s``. An amended
    obligation (``tracked``: its clause's flag slot) already fulfilled under the text's
    terms, on the day the amendment was made, is not due again."""
    if not binds(m, s, guard):
        return False
    return guard <= 0 or tracked < 0 or not s[m.o_fl + tracked] & FLAG_FULFILLED


def clause_open(m: Tables, s: Sequence[int], k: int) -> bool:
    """Whether clause amendment ``k`` may be made at the point of ``s``: not terminated, not
    made, its clause not fulfilled, and no term it changes past (the text's on or before
    its day, the amended before its day)."""
    if s[0] == TERMINATED or s[m.o_pw + k] & 1:
        return False  # (a completed agreement's duties still bind, so may be amended)
    info = m.clause_amendments[k]
    flag = m.tidx.get(info.amends, -1)
    if flag >= 0 and s[m.o_fl + flag] & FLAG_FULFILLED and not info.rounds:
        return False
    cur, clk = s[1], s[2]
    today = m.pts[cur][clk - 1].day if 1 <= clk <= len(m.pts[cur]) else None
    for q, day, amended in info.terms:
        status = s[m.o_ph + q]
        if status == PENDING:
            continue
        if q != cur or status not in LIVE or today is None:
            return False
        if today > day or (amended and today == day):
            return False
    return True


__all__ = [
    "REOPENABLE",
    "ClauseAmendment",
    "amended_clause",
    "amended_instances",
    "clause_amendment_pairs",
    "clause_open",
    "effect",
    "guard_of",
    "in_effect",
    "made",
    "new_expiry",
    "open_to",
    "recorded_by",
]
