"""A replay's anchored duties: due on the day their anchor clause was actually fulfilled,
plus the offset (docs/semantics.md, "Time as texts write it").

The checker reads a duty done at its deadline, so it places a duty counted from a
clause's fulfilment on that clause's deadline plus the offset (:mod:`.anchors`). A
replay knows better: its log says when the anchor clause was complete, early or late.
There, each such duty has one slot in the state:

- ``0``: its anchor has not been met;
- the choice ``anchor`` (offered every day while the slot is 0) stands for the log
  showing the anchor clause complete that day; it sets the slot to ``k + 1`` (``k``:
  the offset in whole days, at least 1; the duties are taken off their fixed points by
  :meth:`.tables.Tables._detach_anchored`);
- each new day counts the slot down; the day it reaches ``1`` the duty falls due (a
  ``duty`` choice, whatever phase is current); the next day it is ``-1``: settled.

So the replay's anchored duty falls due on the anchor's fulfilment day plus ``k``, and
the monitor reads that day off the path (:class:`AnchorMet`), never re-deriving it.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.semantics.events import StepEvent
from detente.semantics.tables import Duty, Tables

SETTLED = -1


@dataclass(frozen=True, slots=True)
class AnchorMet(StepEvent):
    """Replay: the anchor clause of anchored duty ``k`` is complete today; the duty falls
    due ``days`` days later."""

    k: int
    clause: str
    anchor: str
    days: int


def count_down(m: Tables, st: list[int]) -> None:
    """A new day: every armed slot counts down; one that was due yesterday is settled."""
    for j in range(len(m.anchored)):
        i = m.o_an + j
        if st[i] == 1:
            st[i] = SETTLED
        elif st[i] >= 2:
            st[i] -= 1


def due_today(m: Tables, st: list[int] | tuple[int, ...]) -> list[Duty]:
    """The replay's anchored duties that fall due at today's point."""
    return [a.duty for j, a in enumerate(m.anchored) if st[m.o_an + j] == 1]


def unmet(m: Tables, st: list[int] | tuple[int, ...]) -> list[int]:
    """The anchored duties whose anchor has not been met yet (an ``anchor`` choice each)."""
    return [j for j in range(len(m.anchored)) if st[m.o_an + j] == 0]


def met(m: Tables, j: int) -> tuple[AnchorMet, int, int]:
    """The act of meeting anchored duty ``j``'s anchor: its event, slot and armed value."""
    a = m.anchored[j]
    return AnchorMet(j, a.duty.clause, a.anchor, max(a.days, 1)), m.o_an + j, max(a.days, 1) + 1
