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


#: The columns of :meth:`CheckResult.to_frame` and of :meth:`ExpectationResult.to_frame`.
EXPECTATION_COLUMNS = [
    *("agreement", "expectation", "protects", "verdict", "states", "steps", "finding"),
    *("position", "sources", "claim"),
]
STEP_COLUMNS = ["step", "day", "loop", "text", "clauses"]


@dataclass(frozen=True)
class Limit:
    """The bound an exploration reached before it could answer: ``kind`` is ``"states"``
    (``--max-states``), ``"memory"`` (``--max-memory``, bytes of resident memory) or
    ``"time"`` (``--max-seconds``, seconds since the check began exploring), ``bound``
    its value, ``states`` the states stored then and ``memory`` the process's resident
    bytes then."""

    kind: Literal["states", "memory", "time"]
    bound: int | float
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
    bound: int | float | None = None
    #: The verdict on the draft in one sentence ("This wording lets … while Hamas complies.").
    finding: str = ""
    #: Why the protected party wants it: the expectation's ``position``, in its sources' words.
    position: str | None = None
    #: The sources of that position.
    sources: list[str] = field(default_factory=list)
    #: The protected party's name, for sentences.
    protects_name: str | None = None
    limit: Limit | None = None  # which bound an ``unknown`` reached, and when

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "protects": self.protects,
            "claim": self.claim,
            "verdict": self.verdict,
            "finding": self.finding,
            "position": self.position,
            "sources": list(self.sources),
            "story": [s.to_json() for s in self.story],
            "states": self.states,
            "bound": None if self.limit is None else self.limit.to_json(),
        }

    def row(self, agreement: str = "") -> dict[str, Any]:
        """The expectation as one row of :meth:`CheckResult.to_frame`."""
        return {
            "agreement": agreement,
            "expectation": self.name,
            "protects": self.protects,
            "verdict": self.verdict,
            "states": self.states,
            "steps": len(self.story),
            "finding": self.finding or None,
            "position": self.position,
            "sources": list(self.sources),
            "claim": self.claim,
        }

    def story_rows(self) -> list[dict[str, Any]]:
        return [
            {"step": i, "day": s.day, "loop": s.loop, "text": s.text, "clauses": s.clauses}
            for i, s in enumerate(self.story, 1)
        ]

    def to_frame(self) -> Any:
        """The story, one row a step, as a pandas DataFrame (needs the ``frames`` extra)."""
        from detente.frames import frame

        return frame(self.story_rows(), STEP_COLUMNS)

    def _repr_html_(self) -> str:
        from detente.frames import html_table

        caption = f"{self.name}: {self.verdict}" + (f". {self.finding}" if self.finding else "")
        return html_table(self.story_rows(), STEP_COLUMNS, caption)


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

    def rows(self) -> list[dict[str, Any]]:
        return [e.row(self.agreement) for e in self.expectations]

    def to_frame(self) -> Any:
        """One row per expectation (verdict, states, story length, finding, position and its
        sources) as a pandas DataFrame; needs the ``frames`` extra (pandas). A story's steps:
        ``result[name].to_frame()``."""
        from detente.frames import frame

        return frame(self.rows(), EXPECTATION_COLUMNS)

    def _repr_html_(self) -> str:
        from detente.frames import html_table

        columns = [c for c in EXPECTATION_COLUMNS if c not in ("agreement", "claim")]
        caption = f"{self.agreement}: {self.states_explored:,} states in {self.seconds:.2f} s"
        return html_table(self.rows(), columns, caption)
