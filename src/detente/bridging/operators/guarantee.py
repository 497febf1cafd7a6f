"""Add the guarantors' undertaking that the talks continue: a duty of means (best efforts)
of a mediator or guarantor, owed to a party, with no deadline, while the talks' phase lasts."""

from __future__ import annotations

from detente.bridging.edits import PROPOSAL_SOURCE, Edit, params
from detente.bridging.operators._common import Proposing, add_clause, name, negotiations
from detente.language.model import Agreement, Clause, Obligation

NAME = "guarantee"
DESCRIPTION = "add a guarantors' undertaking that the talks continue"


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    out: list[Edit] = []
    i = 0
    for n in negotiations(a):
        assert n.negotiation is not None
        guarantors = n.negotiation.mediators or [
            p.id for p in a.parties if p.role.value in ("mediator", "guarantor")
        ]
        for g in guarantors:
            for creditor in n.negotiation.between:
                i += 1
                words = (
                    f"{name(a, g)} undertakes to {name(a, creditor)} to do its utmost so that "
                    f"the talks of clause {n.id} continue until they agree"
                )
                out.append(
                    Edit(
                        NAME,
                        f"new bridge-gu{i}",
                        params(
                            negotiation=n.id,
                            guarantor=g,
                            creditor=creditor,
                            phase=n.phase,
                            id=f"bridge-gu{i}",
                        ),
                        f"New clause: {words}.",
                        words,
                        2,
                        n.id,
                    )
                )
    return out


def apply(a: Agreement, edit: Edit) -> Agreement:
    clause = Clause(
        id=edit.param("id"),
        title="Guarantors' undertaking that the talks continue (proposal)",
        text=f"[PROPOSED, words to be drafted: {edit.words}]",
        source=[PROPOSAL_SOURCE],
        phase=edit.param("phase"),
        obligation=Obligation(
            debtor=edit.param("guarantor"),
            creditor=edit.param("creditor"),
            action="effort",
            object=f"that the talks of clause {edit.param('negotiation')} continue",
            effort="best",
        ),
    )
    return add_clause(a, clause)
