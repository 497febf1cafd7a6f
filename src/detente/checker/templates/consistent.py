"""consistent: no reachable state obliges a party to an act a prohibition forbids it at
that point, or to release more than it holds."""

from __future__ import annotations

from detente.checker.context import Context, Outcome
from detente.checker.model import LIVE
from detente.language.model import Expectation


def check(ctx: Context, e: Expectation) -> Outcome:
    graph = ctx.graph(rounds=False)
    m = graph.model
    states, parent = graph.states, graph.parent

    def bad(j: int) -> bool:
        s = states[j]
        cur, clk = s[1], s[2]
        if not 1 <= clk <= len(m.pts[cur]) or s[m.o_ph + cur] not in LIVE or s[0] == 2:
            return False
        point = m.pts[cur][clk - 1]
        before = states[parent[j]] if parent[j] >= 0 else s
        for duty in point.duties:
            if m.forbidding(s, duty.debtor, duty.action):
                return True
            if (
                duty.stock >= 0
                and (h := m.held(before, duty.stock)) is not None
                and h < duty.quantity
            ):
                return True
        for k in point.sides:
            side = m.sides[k]
            if m.forbidding(s, side.debtor, "release"):
                return True
            for stock, _, q in side.items:
                if stock >= 0 and (h := m.held(before, stock)) is not None and h < q:
                    return True
        return False

    for j in range(graph.size):
        if bad(j):
            return Outcome(
                "violated",
                graph,
                graph.path_to(j),
                None,
                "the text obliges a party to something it cannot lawfully or physically do",
                states=graph.size,
            )
    return Outcome("holds" if graph.complete else "unknown", graph, states=graph.size)
