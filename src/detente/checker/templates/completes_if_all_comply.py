"""completes_if_all_comply: in every run where nobody violates anything, nobody exercises
a power and every negotiation eventually agrees, the agreement completes with every
exchange round fulfilled. A counterexample is a loop, without completion, in which no
negotiation is left open (so the talks did agree, or never had to)."""

from __future__ import annotations

from detente.checker.context import Context, Outcome, lasso
from detente.language.model import Expectation
from detente.semantics.tables import COMPLETED


def check(ctx: Context, e: Expectation) -> Outcome:
    everyone = (1 << len(ctx.model.parties)) - 1
    graph = ctx.graph(forbid=everyone, powers=False, rounds=False)
    m = graph.model

    def stuck(s: tuple[int, ...]) -> bool:
        return m.status(s) != COMPLETED and not m.any_talks_open(s)

    return lasso(
        ctx,
        graph,
        stuck,
        "everyone complies and the talks agree, yet the agreement never completes",
        "This wording lets the agreement stop short of completion even when every party "
        "complies and the talks agree.",
    )
