"""Remove a clause that grants a power, forbids, or obliges."""

from __future__ import annotations

from detente.bridging.edits import Edit, params
from detente.bridging.operators._common import Proposing, without_clause
from detente.language.model import Agreement

NAME = "remove_clause"
DESCRIPTION = "remove a clause"

#: The norms whose clause may be struck out (a negotiation or an exchange holds the deal up).
REMOVABLE = ("power", "prohibition", "obligation", "extension", "amendment")


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    return [
        Edit(
            NAME,
            f"clause {c.id}",
            params(),
            f"Clause {c.id} ({c.kind}) is struck out.",
            f"clause {c.id} is struck out",
            2,
            c.id,
        )
        for c in a.clauses
        if c.kind in REMOVABLE
    ]


def apply(a: Agreement, edit: Edit) -> Agreement:
    return without_clause(a, edit.target.removeprefix("clause "))
