"""consistent: no reachable time point obliges a party to an act a prohibition forbids it
at that point, or to release more than it holds.

Judged at the time point, before anyone chooses (docs/semantics.md): what falls due now
is read from the state the clock has just advanced to, and what is due from one stock at
one point is added up before it is compared with what is held.
"""

from __future__ import annotations

from detente.checker.context import Context, Outcome
from detente.language.model import Expectation
from detente.semantics import amendments, condition_steps
from detente.semantics.system import System
from detente.semantics.tables import TERMINATED, State


def impossible_now(m: System, before: State) -> bool:
    """Whether the time point that follows ``before`` obliges the impossible."""
    now, _ = m.arrive(before)
    point = m.point(now)
    duties = m.duties_due(now)
    if m.triggers and now[0] != TERMINATED:  # triggered duties (and counter-releases) too
        day = point.day if point is not None else None
        duties = duties + [m.trigger_duties[k] for k in condition_steps.due(m, list(now), day)]
    if point is None and not duties:
        return False
    sus = m.suspended(now)
    need: dict[int, int] = {}
    for duty in duties:
        if duty.clause in sus or m.unanchored(now, duty):
            continue
        if duty.guard and not amendments.in_effect(m, now, duty.guard, duty.tracked):
            continue
        if m.forbidding(now, duty.debtor, duty.action):
            return True
        if duty.stock >= 0:
            need[duty.stock] = need.get(duty.stock, 0) + duty.quantity
    for k in point.sides if point is not None else ():
        side = m.sides[k]
        if side.clause in sus or (side.guard and not amendments.in_effect(m, now, side.guard)):
            continue
        if m.forbidding(now, side.debtor, "release"):
            return True
        for stock, _, q in side.items:
            if stock >= 0:
                need[stock] = need.get(stock, 0) + q
    return any((h := m.held(now, k)) is not None and h < n for k, n in need.items())


def check(ctx: Context, e: Expectation) -> Outcome:
    graph = ctx.graph(rounds=False)
    m = graph.model
    for j, s in enumerate(graph.states):
        if impossible_now(m, s) and (nxt := graph.successors_of(j)):
            return Outcome(
                "violated",
                graph,
                [*graph.path_to(j), nxt[0]],
                None,
                "the text obliges a party to something it cannot lawfully or physically do",
                states=graph.size,
                finding="This wording obliges a party to something it cannot lawfully or "
                "physically do.",
            )
    return Outcome("holds" if graph.complete else "unknown", graph, states=graph.size)
