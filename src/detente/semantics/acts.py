"""Deadlines counted from a party's act recorded in the log ("24 hours after government
approval"): ``window: {within: {hours: 24}, after: {act: approve, by: government}}``
(docs/semantics.md, "Time as texts write it").

The rule, written once:

- **The act is a choice of the named party.** At every time point while the agreement
  is not terminated, until it is done, the party ``by`` may do the act (once: it is
  done, and stays done). Each act has one slot in the state: 0 not done, 1 done. Several
  duties may count from one act; it is one choice.
- **The duty is triggered by the act** (:mod:`detente.semantics.conditions`): it does not
  exist before the act (nothing is due, nothing can be violated), and it is created at
  the end of the step of the act, due ``within`` after the act's day (hours rounded up
  to whole days, as every anchored deadline), counted on across phase boundaries. From
  then on its slot is a trigger's countdown: pending until its day, then the debtor
  fulfils or violates it, like any duty.
- **In a replay** the act is done on the day the log records it (an event of that
  action by that party); the monitor reads the event's time and, for a deadline in
  hours, compares the fulfilling event with the act's moment plus the hours, to the
  minute (:mod:`detente.monitor.hours`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from detente.semantics.choices import NOTHING, Choice, Effect, Option
from detente.semantics.events import StepEvent
from detente.semantics.tables import Tables


@dataclass(frozen=True, slots=True)
class ActDone(StepEvent):
    """Party ``party`` does ``action``, an act some deadline is counted from."""

    party: int
    action: str


def done(m: Tables, s: list[int] | tuple[int, ...], j: int) -> bool:
    """Whether act ``j`` (an index into ``m.anchor_acts``) has been done."""
    return bool(s[m.o_ac + j])


def choices(m: Tables, st: list[int]) -> list[Choice]:
    """Step 3: each act not done yet is a choice of its party: do it now, or not."""
    out: list[Choice] = []
    opts = _options(m)
    for j in range(len(m.anchor_acts)):
        if not st[m.o_ac + j]:
            out.append(Choice("anchor_act", j, opts[j], act=m.anchor_acts[j][1]))
    return out


def _options(m: Tables) -> list[tuple[Option, Option]]:
    cached = m.act_options
    if cached is not None:
        return cast(list[tuple[Option, Option]], cached)
    built: list[tuple[Option, Option]] = []
    for j, (party, action) in enumerate(m.anchor_acts):
        ev = ActDone(m.pidx[party], action)
        slot = m.o_ac + j

        def apply(
            t: list[int],
            evs: list[StepEvent],
            post: list[Effect],
            slot: int = slot,
            ev: ActDone = ev,
        ) -> None:
            t[slot] = 1
            evs.append(ev)

        built.append((NOTHING, Option(ev, apply)))
    m.act_options = built
    return built
