"""no_unilateral_exit(P): in every run compliant for P, hostilities never resume lawfully
by the act of a party other than P, or by a power exercised without P's consent."""

from __future__ import annotations

from detente.checker.context import Context, Outcome, safety
from detente.language.model import Expectation


def check(ctx: Context, e: Expectation) -> Outcome:
    assert e.protects is not None
    p = ctx.model.pidx[e.protects]
    graph = ctx.graph(forbid=1 << p, rounds=False)
    m = graph.model
    others = ~(1 << p)

    def bad(s: tuple[int, ...]) -> bool:
        if not m.hostilities(s):
            return False
        if m.lawful_fighters(s) & others:
            return True
        w = m.resumed_by_power(s)
        return w is not None and w.holder != p and not w.consent >> p & 1

    return safety(
        ctx,
        graph,
        bad,
        f"while {m.agreement.party(e.protects).name} complies, fighting resumes lawfully by another's act",
    )
