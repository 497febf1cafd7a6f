"""no_lapse: no reachable state has the agreement in force, no ceasefire norm in effect,
and got there through an expiry the text says nothing after."""

from __future__ import annotations

from detente.checker.context import Context, Outcome, safety
from detente.language.model import Expectation
from detente.semantics.tables import IN_FORCE


def check(ctx: Context, e: Expectation) -> Outcome:
    graph = ctx.graph(rounds=False)
    m = graph.model

    def bad(s: tuple[int, ...]) -> bool:
        return m.status(s) == IN_FORCE and m.in_gap(s) and not m.ceasefire(s)

    return safety(
        ctx,
        graph,
        bad,
        "the agreement is still in force but no ceasefire binds anyone, and the text says nothing about what happens",
        "This wording lets the agreement stay in force with no ceasefire binding anyone and "
        "nothing said about what happens next.",
    )
