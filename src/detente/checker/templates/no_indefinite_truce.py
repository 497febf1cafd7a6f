"""no_indefinite_truce(P): no run compliant for P stays forever short of the final phase,
in force, without hostilities, with no power available to anyone that could end it."""

from __future__ import annotations

from detente.checker.context import Context, Outcome, lasso
from detente.language.model import Expectation, PowerAction
from detente.semantics.tables import IN_FORCE, PENDING

#: Powers whose exercise can end a truce lawfully.
ENDING = (PowerAction.end_agreement, PowerAction.resume_hostilities, PowerAction.declare_failed)


def check(ctx: Context, e: Expectation) -> Outcome:
    assert e.protects is not None
    p = ctx.model.pidx[e.protects]
    graph = ctx.graph(forbid=1 << p, rounds=False)
    m = graph.model
    last = len(m.phases) - 1
    ceasefire_clauses = {
        c.id for c in m.prohibitions if c.prohibition and c.prohibition.act == "hostilities"
    }

    def ends_it(k: int) -> bool:
        w = m.powers[k]
        if w.action in ENDING:
            return True
        return (
            w.action == PowerAction.suspend_clause and m.suspendable[w.target] in ceasefire_clauses
        )

    def stuck(s: tuple[int, ...]) -> bool:
        return (
            m.status(s) == IN_FORCE
            and m.phase_status(s, last) == PENDING
            and not m.hostilities(s)
            and m.ceasefire(s)
            and not any(ends_it(k) for k in m.available_powers(s))
        )

    return lasso(
        ctx,
        graph,
        stuck,
        "the truce can go on forever short of the final phase, and nobody can lawfully end it",
        f"This wording lets the truce go on forever short of the final phase, with nobody able "
        f"to end it lawfully, while {m.agreement.party(e.protects).name} complies.",
    )
