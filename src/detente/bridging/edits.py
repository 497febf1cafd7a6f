"""An edit to a draft: what it changes, in which clause, with which new words.

An :class:`Edit` is plain, hashable data: the operator that made it (a module of
:mod:`detente.bridging.operators`), the one thing it changes (``target``: a clause, a
phase, or a new clause), and the operator's parameters as JSON. The operator applies it
to the typed agreement (a pydantic copy, never YAML text). Two edits on one target never
go together in a candidate, so the edits of a candidate commute and a candidate is its
*set* of edits (:func:`canonical`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: How a proposal's new words are marked in a clause's text: for people to draft.
PROPOSED = "[PROPOSED, words to be drafted: {words}]"

#: The source of a clause the search writes: a document reference that names no outlet.
PROPOSAL_SOURCE = "detente bridge: a proposal for the drafters, not a source of fact"


@dataclass(frozen=True, order=True)
class Edit:
    """One change to a draft, as data (picklable, hashable, sortable)."""

    operator: str
    target: str  # "clause 14", "phase phase1", "new proposed-td-8-qatar-1"
    params: str  # the operator's parameters, as JSON text (sorted keys)
    summary: str  # one line for a mediator: what the edit does
    words: str  # the new words, as a proposal for people to draft
    distance: int = 1  # how far it moves the text: 1 a condition, 2 a new clause…
    clause: str | None = None  # the clause it edits or relates to (for guidance)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.operator, self.target, self.params)

    def param(self, name: str) -> Any:
        return json.loads(self.params)[name]

    def to_json(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "target": self.target,
            "summary": self.summary,
            "words": self.words,
            "distance": self.distance,
            "params": json.loads(self.params),
        }


def params(**values: Any) -> str:
    """An edit's parameters as canonical JSON text."""
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def canonical(edits: tuple[Edit, ...] | list[Edit]) -> tuple[Edit, ...]:
    """The one order of a set of edits: by operator, target and parameters."""
    return tuple(sorted(set(edits), key=lambda e: e.key))


def proposed(text: str, words: str) -> str:
    """A clause's text with new words appended, marked as a proposal."""
    return f"{' '.join(text.split())} {PROPOSED.format(words=words)}"


@dataclass(frozen=True)
class Redline:
    """A clause's words before and after an edit (None: the clause is new, or removed)."""

    target: str
    before: str | None
    after: str | None
    words: str  # the proposal's new words, for people to draft

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "before": self.before,
            "after": self.after,
            "words": self.words,
        }
