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

    protected = m.agreement.party(e.protects).name

    def who(s: tuple[int, ...]) -> str:
        names = [
            m.agreement.parties[i].name
            for i in range(len(m.parties))
            if m.lawful_fighters(s) >> i & 1 and i != p
        ]
        w = m.resumed_by_power(s)
        if w is not None and w.holder != p and not w.consent >> p & 1:
            names.append(m.agreement.parties[w.holder].name)
        return " and ".join(dict.fromkeys(names)) or "another party"

    def summary(s: tuple[int, ...]) -> str:
        actors = who(s)
        verb = "resume" if " and " in actors else "resumes"
        return f"while {protected} complies, {actors} lawfully {verb} the fighting"

    def finding(s: tuple[int, ...]) -> str:
        return (
            f"This wording lets {who(s)} resume the fighting lawfully, without {protected}'s "
            f"consent, while {protected} complies."
        )

    return safety(ctx, graph, bad, summary, finding)
