"""A reserved right of self-defence (``power: {action: self_defence}``), written once.

Unlike ``resume_hostilities`` (one act, after which fighting is on), self-defence is a
power its holder may use again and again while it is in effect, and it never ends the
ceasefire. Each exercise is judged on its own (``docs/semantics.md``, Self-defence):

- an *attack* is a forbidden act (hostilities or any other act a prohibition names) by one
  of the parties the power answers (``against``; by default every other party of role
  ``party``);
- each self-defence power keeps one bit: an attack it has not yet answered. An attack sets
  it (in step 3); an exercise answers it (in step 4, after every choice of the step, so an
  attack at the same time point counts) and clears it;
- an exercise with no attack to answer is unfounded: a violation by its holder, of the
  power's own clause. It changes nothing else: hostilities do not resume, no phase moves.

The checker explores these options; the monitor replays a log's ``exercise`` events
through the same options and reads the outcome with :func:`founded`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from detente.semantics.events import SelfDefence, StepEvent
from detente.semantics.schedule import SELF_DEFENCE, answers
from detente.semantics.tables import FLAG_VIOLATED, State, Tables

Effect = Callable[[list[int], list[StepEvent]], None]


class _Pick(Protocol):
    """An option picked at a time point (:class:`~detente.semantics.choices.Option`)."""

    @property
    def apply(self) -> Callable[[list[int], list[StepEvent], list[Effect]], None]: ...


def mark_attack(m: Tables, t: list[int], party: int) -> None:
    """Step 3: ``party`` committed a forbidden act; every self-defence power that answers
    it now has an attack to answer."""
    for i, k in enumerate(m.self_defences):
        if m.powers[k].against >> party & 1:
            t[m.o_sd + i] = 1


def attacked(m: Tables, t: Sequence[int], k: int) -> bool:
    """Whether self-defence power ``k`` has an attack it has not yet answered."""
    return bool(t[m.o_sd + m.self_defences.index(k)])


def answer(m: Tables, k: int) -> Effect:
    """Step 4 for an exercised self-defence power: answer the attack, or violate."""
    slot = m.o_sd + m.self_defences.index(k)
    w = m.powers[k]
    flag = m.tidx.get(w.clause, -1)
    lawful, unfounded = SelfDefence(k, True), SelfDefence(k, False)

    def effect(t: list[int], evs: list[StepEvent]) -> None:
        if t[slot]:
            t[slot] = 0
            evs.append(lawful)
            return
        if m.track_violators:
            t[m.o_v] |= 1 << w.holder
        if flag >= 0:
            t[m.o_fl + flag] |= FLAG_VIOLATED
        evs.append(unfounded)

    return effect


def founded(m: Tables, arrived: State, picks: Sequence[_Pick], k: int) -> bool:
    """Whether an exercise of self-defence power ``k`` at the time point of ``arrived``,
    with the other choices ``picks`` made there, answers an attack (the monitor's reading
    of :func:`answer`)."""
    t = list(arrived)
    evs: list[StepEvent] = []
    post: list[Effect] = []
    for o in picks:
        o.apply(t, evs, post)
    return attacked(m, t, k)


__all__ = ["SELF_DEFENCE", "answer", "answers", "attacked", "founded", "mark_attack"]
