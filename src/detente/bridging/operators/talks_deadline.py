"""Give talks a deadline after which a named mediator or guarantor decides: from the day
the talks' phase runs out, the mediator may decide the talks' outcome itself (binding
arbitration of the remaining terms: the talks count as agreed and the phase they lead to
starts, with no party's consent), declare the talks failed, or declare that the ceasefire
ends (with the consent of the parties it names)."""

from __future__ import annotations

from detente.bridging.edits import PROPOSAL_SOURCE, Edit, params
from detente.bridging.operators._common import (
    Proposing,
    add_clause,
    name,
    names,
    negotiations,
)
from detente.language.model import (
    Agreement,
    Availability,
    Clause,
    Power,
    PowerAction,
    When,
)

NAME = "talks_deadline"
DESCRIPTION = "give talks a deadline after which a named mediator or guarantor decides"


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    out: list[Edit] = []
    i = 0
    for n in negotiations(a):
        assert n.negotiation is not None
        between = list(n.negotiation.between)
        phase = n.phase
        if phase is None or a.phase(phase).duration_days is None:
            continue
        deciders = n.negotiation.mediators or [
            p.id for p in a.parties if p.role.value in ("mediator", "guarantor")
        ]
        for m in deciders:
            choices: list[tuple[str, list[str]]] = [
                ("arbitrate", []),
                ("declare_failed", []),
                ("declare_failed", between),
                *[("resume_hostilities", [p]) for p in between],
                ("resume_hostilities", between),
            ]
            for action, consent in choices:
                i += 1
                if action == "arbitrate":
                    what = (
                        f"decide the terms still open in the talks of clause {n.id}, binding on "
                        "both sides, and the talks then count as agreed"
                    )
                elif action == "declare_failed":
                    what = f"declare the talks of clause {n.id} failed"
                else:
                    what = "decide that the ceasefire ends"
                agree = f", with the agreement of {names(a, consent)}" if consent else ""
                words = (
                    f"If the talks of clause {n.id} have not agreed when the days of "
                    f"{a.phase(phase).name} run out, {name(a, m)} may {what}{agree}"
                )
                out.append(
                    Edit(
                        NAME,
                        f"new bridge-td{i}",
                        params(
                            negotiation=n.id,
                            decider=m,
                            action=action,
                            consent=consent,
                            phase=phase,
                            id=f"bridge-td{i}",
                        ),
                        f"New clause: {words}.",
                        words,
                        2,
                        n.id,
                    )
                )
    return out


def apply(a: Agreement, edit: Edit) -> Agreement:
    action = PowerAction(edit.param("action"))
    phase = edit.param("phase")
    power = Power(
        holder=edit.param("decider"),
        action=action,
        target=edit.param("negotiation")
        if action in (PowerAction.declare_failed, PowerAction.arbitrate)
        else None,
        available=Availability(
            during=[phase],
            after=When(phase=phase, at="end"),
            condition=f"expired({phase})",
        ),
        requires_consent=list(edit.param("consent")),
    )
    clause = Clause(
        id=edit.param("id"),
        title="Deadline for the talks; the mediator decides (proposal)",
        text=f"[PROPOSED, words to be drafted: {edit.words}]",
        source=[PROPOSAL_SOURCE],
        phase=phase,
        power=power,
    )
    return add_clause(a, clause)
