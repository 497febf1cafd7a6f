"""no_indefinite_truce(P): no run compliant for P stays forever short of the final phase,
in force, without hostilities, with no way out for P available.

A way out for P is a power that ends the truce and can be exercised without the consent of a
conflict party (role ``party``) other than P: its holder is P, a mediator or a guarantor, and
the consent it requires names no conflict party but P. A power that needs the counterparty's
agreement is no way out: the run in which the counterparty withholds it forever is the
indefinite truce P fears."""

from __future__ import annotations

from detente.checker.context import Context, Outcome, lasso
from detente.language.model import Expectation, PowerAction
from detente.semantics.tables import IN_FORCE, PENDING

#: Powers whose exercise can end a truce lawfully.
ENDING = (
    PowerAction.end_agreement,
    PowerAction.resume_hostilities,
    PowerAction.declare_failed,
    PowerAction.arbitrate,  # moves the run on: the talks count as agreed
)


def check(ctx: Context, e: Expectation) -> Outcome:
    assert e.protects is not None
    p = ctx.model.pidx[e.protects]
    graph = ctx.graph(forbid=1 << p, rounds=False)
    m = graph.model
    last = len(m.phases) - 1
    ceasefire_clauses = {
        c.id for c in m.prohibitions if c.prohibition and c.prohibition.act == "hostilities"
    }

    #: conflict parties other than P: a power needing one of them is no way out for P
    others = sum(1 << i for i in m.fighters if i != p)

    def ends_it(k: int) -> bool:
        w = m.powers[k]
        if (1 << w.holder) & others or w.consent & others:
            return False
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

    name = m.agreement.party(e.protects).name
    return lasso(
        ctx,
        graph,
        stuck,
        "the truce can go on forever short of the final phase, and no way to end it lawfully "
        "is open without the other side's consent",
        f"This wording lets the truce go on forever short of the final phase, while "
        f"{name} complies: no way to end it lawfully is open to {name} or a mediator without "
        f"the other side's consent.",
    )
