"""The small interface between the transition system and whatever reads it.

In Stateright's manner: initial states, the actions (choices) open in a state, the next
state, and named observations for the properties. The explorer, the expectation
templates, the stories and the monitor's replay all go through it, never through a
state's slots.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from detente.semantics.choices import Choice, Option
from detente.semantics.events import StepEvent
from detente.semantics.tables import State


class TransitionSystem(Protocol):
    """What the checker explores and the monitor replays."""

    width: int

    def initial_states(self) -> list[State]:
        """The states a run starts in."""
        ...

    def arrive(self, s: State) -> tuple[State, tuple[StepEvent, ...]]:
        """The state as the next time point arrives, and what passing time did."""
        ...

    def choices(self, arrived: State, *, forbid: int = 0, powers: bool = True) -> list[Choice]:
        """The independent decisions open at that point (``forbid``: parties that never
        violate; ``powers=False``: no power is exercised)."""
        ...

    def apply(self, arrived: State, picks: Sequence[Option]) -> tuple[tuple[StepEvent, ...], State]:
        """One option per choice applied: the step's events and the next state."""
        ...

    def successors(self, s: State, *, forbid: int = 0, powers: bool = True) -> list[State]:
        """Every next state, in a fixed order, without events (the explorer's fast path)."""
        ...

    def steps(
        self, s: State, *, forbid: int = 0, powers: bool = True, events: bool = True
    ) -> Iterator[tuple[tuple[StepEvent, ...], State]]:
        """Every next state with the events of the step (for stories)."""
        ...
