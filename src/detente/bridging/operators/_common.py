"""What the edit operators share: replacing, adding and removing clauses and phases on a
pydantic copy of the agreement, and naming parties and negotiations for the words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from detente.language.model import Agreement, Clause, Phase, Role


@dataclass(frozen=True)
class Proposing:
    """What an operator may look at besides the draft: the other drafts of the
    negotiation (to borrow their wording, e.g. a scope's topics)."""

    others: tuple[Agreement, ...] = field(default_factory=tuple)


def with_clause(a: Agreement, clause: Clause) -> Agreement:
    return a.model_copy(update={"clauses": [clause if c.id == clause.id else c for c in a.clauses]})


def add_clause(a: Agreement, clause: Clause) -> Agreement:
    return a.model_copy(update={"clauses": [*a.clauses, clause]})


def without_clause(a: Agreement, clause_id: str) -> Agreement:
    return a.model_copy(update={"clauses": [c for c in a.clauses if c.id != clause_id]})


def with_phase(a: Agreement, phase: Phase) -> Agreement:
    return a.model_copy(update={"phases": [phase if p.id == phase.id else p for p in a.phases]})


def name(a: Agreement, party: str) -> str:
    return next((p.name for p in a.parties if p.id == party), party)


def names(a: Agreement, parties: Iterable[str]) -> str:
    listed = [name(a, p) for p in parties]
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def signatories(a: Agreement) -> list[str]:
    """The parties proper (role party), in the spec's order."""
    return [p.id for p in a.parties if p.role == Role.party]


def third_parties(a: Agreement) -> list[str]:
    """Mediators and guarantors, in the spec's order."""
    return [p.id for p in a.parties if p.role in (Role.mediator, Role.guarantor)]


def negotiations(a: Agreement) -> list[Clause]:
    return [c for c in a.clauses if c.negotiation is not None]


def new_id(a: Agreement, stem: str) -> str:
    """A clause id for a new clause, not used in the draft (at most 32 characters)."""
    stem = stem[:28]
    taken = {c.id for c in a.clauses}
    n = 1
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"
