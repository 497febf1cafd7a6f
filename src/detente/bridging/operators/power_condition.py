"""Add a condition to a power: "only after a breach by X the monitor has verified", "only
after the mediators certify that the talks have failed", or "only with X's agreement"."""

from __future__ import annotations

from detente.bridging.edits import Edit, params, proposed
from detente.bridging.operators._common import (
    Proposing,
    name,
    negotiations,
    signatories,
    with_clause,
)
from detente.language.model import Agreement, PowerAction

NAME = "power_condition"
DESCRIPTION = "add a condition to a power (a verified breach, certified failure, consent)"

#: Powers whose conditions are worth narrowing: those that can end a truce or a clause.
NARROWED = (
    PowerAction.end_agreement,
    PowerAction.resume_hostilities,
    PowerAction.declare_failed,
    PowerAction.suspend_clause,
)


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    out: list[Edit] = []
    for c in a.clauses:
        p = c.power
        if p is None or p.action not in NARROWED:
            continue
        holder = name(a, p.holder)
        for other in signatories(a):
            if other == p.holder:
                continue
            words = f"only after a breach by {name(a, other)} that the monitor has verified"
            out.append(
                Edit(
                    NAME,
                    f"clause {c.id}",
                    params(kind="breach", party=other, condition=f"not compliant({other})"),
                    f"Clause {c.id}: {holder}'s power ({p.action.value}) {words}.",
                    words,
                    1,
                    c.id,
                )
            )
            if other not in p.requires_consent:
                words = f"only with {name(a, other)}'s agreement"
                out.append(
                    Edit(
                        NAME,
                        f"clause {c.id}",
                        params(kind="consent", party=other),
                        f"Clause {c.id}: {holder}'s power ({p.action.value}) {words}.",
                        words,
                        1,
                        c.id,
                    )
                )
        for n in negotiations(a):
            if p.action == PowerAction.declare_failed and p.target == n.id:
                continue
            words = f"only after the mediators certify that the talks of clause {n.id} have failed"
            out.append(
                Edit(
                    NAME,
                    f"clause {c.id}",
                    params(kind="failed", negotiation=n.id, condition=f'failed("{n.id}")'),
                    f"Clause {c.id}: {holder}'s power ({p.action.value}) {words}.",
                    words,
                    1,
                    c.id,
                )
            )
    return out


def apply(a: Agreement, edit: Edit) -> Agreement:
    clause_id = edit.target.removeprefix("clause ")
    c = a.clause(clause_id)
    assert c.power is not None
    p = c.power
    if edit.param("kind") == "consent":
        power = p.model_copy(
            update={"requires_consent": [*p.requires_consent, edit.param("party")]}
        )
    else:
        new = edit.param("condition")
        old = p.available.condition
        condition = new if old is None else f"({old}) and {new}"
        available = p.available.model_copy(update={"condition": condition})
        power = p.model_copy(update={"available": available})
    return with_clause(
        a, c.model_copy(update={"power": power, "text": proposed(c.text, edit.words)})
    )
