"""What a check returns: one verdict per expectation, each with its story."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["holds", "violated", "unknown"]


@dataclass(frozen=True)
class StoryStep:
    """One numbered step of a counterexample: its agreement day (None: not fixed), a
    sentence for a mediator, and the clauses it cites."""

    day: int | None
    text: str
    clauses: list[str] = field(default_factory=list)
    loop: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day, "text": self.text, "clauses": list(self.clauses)}


@dataclass(frozen=True)
class Limit:
    """The bound an exploration reached before it could answer: ``kind`` is ``"states"``
    (``--max-states``) or ``"memory"`` (``--max-memory``, bytes of resident memory),
    ``bound`` its value, ``states`` the states stored then and ``memory`` the process's
    resident bytes then."""

    kind: Literal["states", "memory"]
    bound: int
    states: int
    memory: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "bound": self.bound,
            "states": self.states,
            "memory_bytes": self.memory,
        }


@dataclass
class ExpectationResult:
    """The verdict on one expectation."""

    name: str
    protects: str | None
    claim: str | None
    verdict: Verdict
    story: list[StoryStep] = field(default_factory=list)
    states: int = 0
    summary: str = ""
    bound: int | None = None
    limit: Limit | None = None  # which bound an ``unknown`` reached, and when

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "protects": self.protects,
            "claim": self.claim,
            "verdict": self.verdict,
            "story": [s.to_json() for s in self.story],
            "states": self.states,
            "bound": None if self.limit is None else self.limit.to_json(),
        }


@dataclass
class CheckResult:
    """Every expectation of one agreement, checked."""

    agreement: str
    expectations: list[ExpectationResult]
    states_explored: int
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every expectation holds."""
        return all(e.verdict == "holds" for e in self.expectations)

    def __getitem__(self, name: str) -> ExpectationResult:
        return next(e for e in self.expectations if e.name == name)

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "expectations": [e.to_json() for e in self.expectations],
            "states_explored": self.states_explored,
            "seconds": round(self.seconds, 3),
        }
