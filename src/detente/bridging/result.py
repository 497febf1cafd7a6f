"""What a bridging search returns: ranked proposals, each with its verdicts and redlines,
the closest candidates when none holds, and what the search did and did not try."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detente.bridging.edits import Edit, Redline
from detente.language.model import Agreement


@dataclass
class Proposal:
    """A set of edits to one draft, the verdicts after it, and its redlined words."""

    rank: int
    draft: str  # the draft's id
    draft_index: int
    edits: tuple[Edit, ...]
    verdicts: dict[str, str]
    redlines: list[Redline]
    agreement: Agreement  # the edited draft
    violated: int = 0

    @property
    def distance(self) -> int:
        return sum(e.distance for e in self.edits)

    @property
    def ok(self) -> bool:
        return self.violated == 0

    def key(self) -> list[list[str]]:
        """The proposal as plain data, for comparing two runs."""
        return [[self.draft, *(e.target for e in self.edits), *(e.params for e in self.edits)]]

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "draft": self.draft,
            "edits": [e.to_json() for e in self.edits],
            "distance": self.distance,
            "holds": self.ok,
            "still_violated": [n for n, v in self.verdicts.items() if v != "holds"],
            "verdicts": self.verdicts,
            "redline": [r.to_json() for r in self.redlines],
        }


@dataclass
class BridgeResult:
    """Everything a search found, and how much of the space it looked at."""

    drafts: list[str]
    paths: list[str | None]
    expectations: list[tuple[str, str | None]]  # (label, protects)
    baseline: list[dict[str, str]]  # per draft: label → verdict
    already_satisfied: list[str]
    proposals: list[Proposal]
    closest: list[Proposal]
    max_edits: int
    candidates_judged: int
    invalid: int
    duplicates: int  # candidates reached by another order of the same edits, judged once
    pruned: int  # supersets of a proposal, not judged
    not_tried: list[str]  # what the budget stopped, in words ([] when nothing)
    seconds: float
    check_seconds: float  # the sum of the time spent in the checks themselves
    workers: int
    edits_offered: dict[str, int] = field(default_factory=dict)  # draft → edits offered

    @property
    def rate(self) -> float:
        """Candidates judged per second of the whole search."""
        return self.candidates_judged / self.seconds if self.seconds > 0 else 0.0

    @property
    def found(self) -> bool:
        return bool(self.proposals) or bool(self.already_satisfied)

    @property
    def complete(self) -> bool:
        return not self.not_tried

    def to_json(self) -> dict[str, Any]:
        return {
            "drafts": self.drafts,
            "expectations": [{"name": n, "protects": p} for n, p in self.expectations],
            "baseline": dict(zip(self.drafts, self.baseline, strict=True)),
            "already_satisfied": self.already_satisfied,
            "max_edits": self.max_edits,
            "proposals": [p.to_json() for p in self.proposals],
            "closest": [p.to_json() for p in self.closest],
            "search": {
                "candidates_judged": self.candidates_judged,
                "invalid": self.invalid,
                "duplicates_judged_once": self.duplicates,
                "supersets_of_a_proposal_skipped": self.pruned,
                "not_tried": self.not_tried,
                "complete": self.complete,
                "seconds": round(self.seconds, 3),
                "check_seconds": round(self.check_seconds, 3),
                "candidates_per_second": round(self.rate, 1),
                "workers": self.workers,
                "edits_offered": self.edits_offered,
            },
        }
