"""completes_if_all_comply: in every run where nobody violates anything, nobody exercises
a power and every negotiation eventually agrees, the agreement completes with every
exchange round fulfilled. A counterexample is a loop, without completion, in which no
negotiation is left open (so the talks did agree, or never had to)."""

from __future__ import annotations

from detente.checker.context import Context, Outcome, lasso
from detente.checker.model import COMPLETED, OPEN
from detente.language.model import Expectation


def check(ctx: Context, e: Expectation) -> Outcome:
    everyone = (1 << len(ctx.model.parties)) - 1
    graph = ctx.graph(forbid=everyone, powers=False, rounds=False)
    m = graph.model
    ng = range(m.o_ng, m.o_ng + len(m.negotiations))

    def stuck(s: tuple[int, ...]) -> bool:
        return s[0] != COMPLETED and not any(s[i] == OPEN for i in ng)

    return lasso(
        ctx,
        graph,
        stuck,
        "everyone complies and the talks agree, yet the agreement never completes",
    )
