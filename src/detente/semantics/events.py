"""What happens in one step of the transition system, as typed values.

A step (``docs/semantics.md``) first lets time pass (:class:`Reached`, :class:`Later`,
:class:`PhaseExpired`, :class:`PhaseStarted`), then applies the choices made at the time
point (each option of a :class:`~detente.semantics.system.Choice` is one of the *acts*
below), then their consequences (:class:`Terminated`, :class:`PhaseOver`,
:class:`Completed`). Stories tell these; the monitor reads them off a replayed path.

Parties, phases, negotiations, powers, round sides and extension rules are named by
their index in the compiled tables (:class:`~detente.semantics.tables.Tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class StepEvent:
    """Base of every step event."""

    __slots__ = ()


# --------------------------------------------------------------------------- time


@dataclass(frozen=True, slots=True)
class Reached(StepEvent):
    """Time reaches day ``day`` of phase ``phase`` (a time point of that phase)."""

    phase: int
    day: int


@dataclass(frozen=True, slots=True)
class Later(StepEvent):
    """Time passes to some later day on which nothing is scheduled."""


@dataclass(frozen=True, slots=True)
class PhaseExpired(StepEvent):
    """A phase's days run out and its ``at_expiry`` rule applies."""

    phase: int
    how: Literal["ends", "unspecified", "done", "cut_short", "continuing"]


@dataclass(frozen=True, slots=True)
class PhaseStarted(StepEvent):
    phase: int


@dataclass(frozen=True, slots=True)
class PhaseOver(StepEvent):
    """A continuing phase is over because its talks agreed (done) or failed (cut short)."""

    phase: int
    how: Literal["done", "cut_short"]


@dataclass(frozen=True, slots=True)
class Terminated(StepEvent):
    """The agreement is terminated by an exercised ``end_agreement`` power."""

    power: int


@dataclass(frozen=True, slots=True)
class Triggered(StepEvent):
    """A triggered duty's condition holds for the first time: the duty is created
    (``docs/semantics.md``, Conditions)."""

    clause: str


@dataclass(frozen=True, slots=True)
class Completed(StepEvent):
    """The agreement completes (step 5)."""


# --------------------------------------------------------------------------- acts


@dataclass(frozen=True, slots=True)
class DutyOutcome(StepEvent):
    """How an obligation due at this point came out: its debtor, its clause, and the days
    ``first``–``last`` of its phase (more than one when a run of recurrence days is one
    point)."""

    debtor: int
    clause: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Fulfilled(DutyOutcome):
    """The debtor carries out the obligation."""


@dataclass(frozen=True, slots=True)
class PerhapsFulfilled(DutyOutcome):
    """An obligation folded with others into "violates at least one": this one may or may
    not have been carried out (stories cite it, never count it as complied with)."""


@dataclass(frozen=True, slots=True)
class Violated(DutyOutcome):
    """The debtor does not carry out the obligation."""


@dataclass(frozen=True, slots=True)
class Endeavoured(DutyOutcome):
    """A duty of means (``effort: best``) not achieved by its deadline while its debtor
    makes the efforts it owes: no violation (``semantics/means.py``)."""


@dataclass(frozen=True, slots=True)
class NotRecorded(DutyOutcome):
    """Replay only: the log says neither that the obligation was carried out nor that it
    was not."""


@dataclass(frozen=True, slots=True)
class SideOutcome(StepEvent):
    """How round side ``side`` (an index into the tables' sides) came out."""

    side: int


@dataclass(frozen=True, slots=True)
class Released(SideOutcome):
    """The side is released in full on its day."""


@dataclass(frozen=True, slots=True)
class Withheld(SideOutcome):
    """The side is not released on its day: a violation by its debtor."""


@dataclass(frozen=True, slots=True)
class SideNotRecorded(SideOutcome):
    """Replay only: the side fell due and the log does not say it was released in full,
    nor that it was withheld."""


@dataclass(frozen=True, slots=True)
class ReleasedLate(SideOutcome):
    """Replay only: the side, due earlier, is completed on this day."""


@dataclass(frozen=True, slots=True)
class Committed(StepEvent):
    """A party does ``act``, which ``clauses`` forbid it now: a violation."""

    party: int
    act: str
    clauses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HostilitiesResumed(StepEvent):
    """A party resumes hostilities: unlawfully when ``clauses`` forbid it, else lawfully."""

    party: int
    clauses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TalksOpened(StepEvent):
    negotiation: int


@dataclass(frozen=True, slots=True)
class RefusedToOpen(StepEvent):
    """The parties in ``refusing`` (a bit mask) refuse to open talks due to start."""

    negotiation: int
    refusing: int


@dataclass(frozen=True, slots=True)
class OpeningNotRecorded(StepEvent):
    """Replay only: talks due to have started are not recorded as open."""

    negotiation: int


@dataclass(frozen=True, slots=True)
class Agreed(StepEvent):
    negotiation: int


@dataclass(frozen=True, slots=True)
class Stalled(StepEvent):
    negotiation: int


@dataclass(frozen=True, slots=True)
class Exercised(StepEvent):
    """The holder of power ``power`` exercises it (with the consent it requires)."""

    power: int


@dataclass(frozen=True, slots=True)
class SelfDefence(StepEvent):
    """Step 4 of an exercised self-defence power: it answered an attack (``founded``), or
    there was none to answer, a violation by its holder."""

    power: int
    founded: bool


@dataclass(frozen=True, slots=True)
class Extended(StepEvent):
    """An extension rule's releasing party releases its units more, lengthening the phase."""

    extension: int
