"""Change what happens when a phase's days run out: it ends, or it continues while a
named negotiation is open."""

from __future__ import annotations

from detente.bridging.edits import Edit, params
from detente.bridging.operators._common import Proposing, negotiations, with_phase
from detente.language.model import Agreement, Expiry

NAME = "expiry"
DESCRIPTION = "change a phase's expiry rule"


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    out: list[Edit] = []
    for p in a.phases:
        if p.duration_days is None:
            continue
        now = p.at_expiry
        rules: list[tuple[str, str | None]] = [("ends", None)]
        rules += [("continues_while", n.id) for n in negotiations(a) if n.phase == p.id]
        for rule, negotiation in rules:
            if rule == now.rule and negotiation == now.negotiation:
                continue
            if rule == "ends":
                words = f"when its {p.duration_days} days run out, {p.name} ends"
            else:
                words = (
                    f"when its {p.duration_days} days run out, {p.name} continues as long as "
                    f"the talks of clause {negotiation} go on"
                )
            out.append(
                Edit(
                    NAME,
                    f"phase {p.id}",
                    params(rule=rule, negotiation=negotiation),
                    f"Phase {p.id}: {words}.",
                    words,
                    2,
                    now.clause or negotiation,
                )
            )
    return out


def apply(a: Agreement, edit: Edit) -> Agreement:
    p = a.phase(edit.target.removeprefix("phase "))
    expiry = Expiry(
        rule=edit.param("rule"), negotiation=edit.param("negotiation"), clause=p.at_expiry.clause
    )
    return with_phase(a, p.model_copy(update={"at_expiry": expiry}))
