"""Expectations written as LTL formulas (``expectations[].formula``)."""

from __future__ import annotations

from detente.checker.context import Context, Outcome
from detente.checker.ltl import automaton, find_accepting_lasso
from detente.language import expressions as ex
from detente.language.model import Expectation


def check(ctx: Context, e: Expectation) -> Outcome:
    """Every run (compliant for ``protects`` when given) satisfies the formula, or a lasso
    that does not."""
    assert e.formula is not None
    aut = automaton(ex.Not(ex.parse(e.formula)))
    forbid = ctx.party_bit(e.protects) if e.protects else 0
    exchanges = {c.id for c in ctx.agreement.clauses if c.exchange is not None}
    rounds = any(
        a.name in ("held", "released")
        or (a.name in ("fulfilled", "violated", "in_effect") and set(a.args) & exchanges)
        for a in aut.atoms
    )
    graph = ctx.graph(forbid=forbid, rounds=rounds)
    m = graph.model
    labels: dict[int, int] = {}

    def label(k: int) -> int:
        if k not in labels:
            s = graph.states[k]
            mask = 0
            for i, a in enumerate(aut.atoms):
                if m.atom(a, s):
                    mask |= 1 << i
            labels[k] = mask
        return labels[k]

    found = find_accepting_lasso(aut, graph.successors_of, label)
    if found is not None:
        prefix, loop = found
        complies = f", while {ctx.agreement.party(e.protects).name} complies" if e.protects else ""
        return Outcome(
            "violated",
            graph,
            prefix,
            loop,
            f"a run where the formula {e.formula} fails",
            states=graph.size,
            finding=f"This wording lets a run happen in which {e.label} ({e.formula}) "
            f"fails{complies}.",
        )
    return Outcome("holds" if graph.complete else "unknown", graph, states=graph.size)
