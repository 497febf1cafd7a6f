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
class Completed(StepEvent):
    """The agreement completes (step 5)."""


# --------------------------------------------------------------------------- acts


@dataclass(frozen=True, slots=True)
class Fulfilled(StepEvent):
    """A debtor carries out an obligation due at this point (days ``first``–``last`` of its
    phase when a run of recurrence days is one point)."""

    debtor: int
    clause: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class PerhapsFulfilled(StepEvent):
    """An obligation folded with others into "violates at least one": this one may or may
    not have been carried out (stories cite it, never count it as complied with)."""

    debtor: int
    clause: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Violated(StepEvent):
    """A debtor does not carry out an obligation due at this point."""

    debtor: int
    clause: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class NotRecorded(StepEvent):
    """Replay only: an obligation fell due and the log says neither that it was carried
    out nor that it was not."""

    debtor: int
    clause: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Released(StepEvent):
    """Round side ``side`` is released in full on its day."""

    side: int


@dataclass(frozen=True, slots=True)
class Withheld(StepEvent):
    """Round side ``side`` is not released on its day: a violation by its debtor."""

    side: int


@dataclass(frozen=True, slots=True)
class SideNotRecorded(StepEvent):
    """Replay only: round side ``side`` fell due and the log does not say it was released
    in full, nor that it was withheld."""

    side: int


@dataclass(frozen=True, slots=True)
class ReleasedLate(StepEvent):
    """Replay only: round side ``side``, due earlier, is completed on this day."""

    side: int


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
class Extended(StepEvent):
    """An extension rule's releasing party releases its units more, lengthening the phase."""

    extension: int
