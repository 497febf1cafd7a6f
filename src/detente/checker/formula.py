"""Expectations written as LTL formulas (``expectations[].formula``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from detente.checker.context import Context, Outcome
from detente.checker.explore import Graph, _sccs
from detente.checker.ltl import Automaton, automaton, find_accepting_lasso, shortest_bad_prefix
from detente.language import expressions as ex
from detente.language.model import Expectation


def check(ctx: Context, e: Expectation) -> Outcome:
    """Every run (compliant for ``protects`` when given) satisfies the formula, or the
    shortest counterexample: a finite run after which the formula can no longer hold
    however the run goes on, when there is one, else a shortest lasso that breaks it."""
    assert e.formula is not None
    parsed = ex.parse(e.formula)
    aut = automaton(ex.Not(parsed))
    forbid = ctx.party_bit(e.protects) if e.protects else 0
    exchanges = {c.id for c in ctx.agreement.clauses if c.exchange is not None}
    rounds = any(
        a.name in ("held", "released")
        or (a.name in ("fulfilled", "violated", "in_effect") and set(a.args) & exchanges)
        for a in aut.atoms
    )
    graph = ctx.graph(forbid=forbid, rounds=rounds)
    found = find_accepting_lasso(aut, graph.successors_of, labeller(graph, aut))
    if found is None:
        return Outcome("holds" if graph.complete else "unknown", graph, states=graph.size)
    prefix, loop = found
    told: list[int] | None = loop
    if graph.complete:
        positive = automaton(parsed)
        bad = shortest_bad_prefix(
            positive, graph.successors_of, labeller(graph, positive), endless(graph).__contains__
        )
        if bad is not None and len(bad) <= len(prefix) + len(loop) - 1:
            prefix, told = bad, None
    complies = f", while {ctx.agreement.party(e.protects).name} complies" if e.protects else ""
    return Outcome(
        "violated",
        graph,
        prefix,
        told,
        f"a run where the formula {e.formula} fails",
        states=graph.size,
        finding=f"This wording lets a run happen in which {e.label} ({e.formula}) fails{complies}.",
    )


def labeller(graph: Graph, aut: Automaton) -> Callable[[int], int]:
    """``label(k)``: the mask of ``aut``'s atoms true in graph state ``k`` (memoised)."""
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

    return label


def endless(graph: Graph) -> set[int]:
    """The graph states from which some infinite run goes on (they reach a cycle)."""
    nodes = range(graph.size)
    comp = _sccs(nodes, lambda j: list(graph.successors_of(j)))
    sizes: dict[int, int] = {}
    for c in comp.values():
        sizes[c] = sizes.get(c, 0) + 1
    out = {j for j in nodes if sizes[comp[j]] > 1 or j in graph.successors_of(j)}
    preds: dict[int, list[int]] = {}
    for j in nodes:
        for x in graph.successors_of(j):
            preds.setdefault(x, []).append(j)
    queue = deque(out)
    while queue:
        x = queue.popleft()
        for p in preds.get(x, ()):
            if p not in out:
                out.add(p)
                queue.append(p)
    return out
