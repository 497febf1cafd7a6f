"""Narrow or widen a negotiation's scope: open talks limited to listed topics (the topics
another draft lists, when one does), or listed topics opened up."""

from __future__ import annotations

from detente.bridging.edits import Edit, params, proposed
from detente.bridging.operators._common import Proposing, negotiations, with_clause
from detente.language.model import Agreement, Scope

NAME = "scope"
DESCRIPTION = "narrow or widen a negotiation's scope"


def _listed_elsewhere(ctx: Proposing, clause_id: str) -> list[str]:
    for other in ctx.others:
        for c in other.clauses:
            if c.id == clause_id and c.negotiation is not None and c.negotiation.scope.topics:
                return list(c.negotiation.scope.topics)
    return []


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    out: list[Edit] = []
    for c in negotiations(a):
        assert c.negotiation is not None
        scope = c.negotiation.scope
        if scope.open:
            topics = _listed_elsewhere(ctx, c.id) or [
                f"the matters the parties list in clause {c.id} (to be drafted)"
            ]
            words = "the talks are limited to " + "; ".join(topics)
            out.append(
                Edit(
                    NAME,
                    f"clause {c.id}",
                    params(open=False, topics=topics),
                    f"Clause {c.id}: {words}.",
                    words,
                    1,
                    c.id,
                )
            )
        else:
            words = "the talks may take up further topics beside those listed"
            out.append(
                Edit(
                    NAME,
                    f"clause {c.id}",
                    params(open=True, topics=[]),
                    f"Clause {c.id}: {words}.",
                    words,
                    1,
                    c.id,
                )
            )
    return out


def apply(a: Agreement, edit: Edit) -> Agreement:
    c = a.clause(edit.target.removeprefix("clause "))
    assert c.negotiation is not None
    scope = Scope(open=True) if edit.param("open") else Scope(topics=edit.param("topics"))
    n = c.negotiation.model_copy(update={"scope": scope})
    return with_clause(
        a, c.model_copy(update={"negotiation": n, "text": proposed(c.text, edit.words)})
    )
