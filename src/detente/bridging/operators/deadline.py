"""Set or move a deadline: the latest day talks must start (``starts_by``), or the length
of a phase (its days), a week earlier or later."""

from __future__ import annotations

from detente.bridging.edits import Edit, params, proposed
from detente.bridging.operators._common import Proposing, with_clause, with_phase
from detente.language.model import Agreement, When

NAME = "deadline"
DESCRIPTION = "set or move a deadline (talks' latest start, a phase's length)"

#: How far a deadline moves: a week either way.
SHIFTS = (-7, 7)


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    out: list[Edit] = []
    for c in a.clauses:
        n = c.negotiation
        if n is None or n.starts_by is None or n.starts_by.day is None:
            continue
        length = a.phase(n.starts_by.phase).duration_days
        for shift in SHIFTS:
            day = n.starts_by.day + shift
            if day < 1 or (length is not None and day > length):
                continue
            words = f"the talks start no later than day {day} of {n.starts_by.phase}"
            out.append(
                Edit(
                    NAME,
                    f"clause {c.id}",
                    params(kind="starts_by", day=day),
                    f"Clause {c.id}: {words} (was day {n.starts_by.day}).",
                    words,
                    1,
                    c.id,
                )
            )
    for p in a.phases:
        if p.duration_days is None:
            continue
        for shift in SHIFTS:
            days = p.duration_days + shift
            if days < 1:
                continue
            words = f"{p.name} lasts {days} days"
            out.append(
                Edit(
                    NAME,
                    f"phase {p.id}",
                    params(kind="duration", days=days),
                    f"Phase {p.id}: {words} (was {p.duration_days}).",
                    words,
                    1,
                    p.at_expiry.clause,
                )
            )
    return out


def apply(a: Agreement, edit: Edit) -> Agreement:
    kind, target = edit.param("kind"), edit.target.split(" ", 1)[1]
    if kind == "starts_by":
        c = a.clause(target)
        assert c.negotiation is not None and c.negotiation.starts_by is not None
        when = When(phase=c.negotiation.starts_by.phase, day=edit.param("day"))
        n = c.negotiation.model_copy(update={"starts_by": when})
        return with_clause(
            a, c.model_copy(update={"negotiation": n, "text": proposed(c.text, edit.words)})
        )
    p = a.phase(target)
    return with_phase(a, p.model_copy(update={"duration_days": edit.param("days")}))
