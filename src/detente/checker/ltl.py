"""Custom LTL expectations: the negated formula becomes a generalised Büchi automaton
(the elementary-set tableau: one automaton state per consistent set of subformulas),
and a lasso in its product with the explored graph is a counterexample.

Formulas are reduced to a core of ``true``, atoms, not, and, X and U:
``a or b = not (not a and not b)``, ``F a = true U a``, ``G a = not F not a``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

from detente.language import expressions as ex

# Core formulas as tuples: ("true",), ("ap", Atom), ("not", f), ("and", f, g), ("X", f), ("U", f, g)
Core = tuple[object, ...]
TRUE: Core = ("true",)


def core(f: ex.Formula) -> Core:
    """The formula in the core operators, double negations removed."""
    match f:
        case ex.Const(value):
            return TRUE if value else neg(TRUE)
        case ex.Atom():
            return ("ap", f)
        case ex.Not(operand):
            return neg(core(operand))
        case ex.And(operands):
            out = core(operands[0])
            for o in operands[1:]:
                out = ("and", out, core(o))
            return out
        case ex.Or(operands):
            out = neg(core(operands[0]))
            for o in operands[1:]:
                out = ("and", out, neg(core(o)))
            return neg(out)
        case ex.Implies(left, right):
            return neg(("and", core(left), neg(core(right))))
        case ex.Temporal("X", operand):
            return ("X", core(operand))
        case ex.Temporal("F", operand):
            return ("U", TRUE, core(operand))
        case ex.Temporal("G", operand):
            return neg(("U", TRUE, neg(core(operand))))
        case ex.Until(left, right):
            return ("U", core(left), core(right))
    raise TypeError(f"not a formula: {f!r}")


def neg(f: Core) -> Core:
    return f[1] if f[0] == "not" else ("not", f)  # type: ignore[return-value]


def _subformulas(f: Core, out: dict[Core, None]) -> None:
    if f[0] == "not":
        _subformulas(f[1], out)  # type: ignore[arg-type]
        return
    for child in f[1:]:
        if isinstance(child, tuple):
            _subformulas(child, out)
    out[f] = None


@dataclass
class Automaton:
    """A generalised Büchi automaton whose states are elementary sets."""

    atoms: list[ex.Atom]
    labels: list[int]  # per state: bit mask of the atoms true in it
    initial: list[int]
    succ: list[list[int]]
    accepting: list[set[int]]


def automaton(f: ex.Formula) -> Automaton:
    """The tableau automaton accepting exactly the runs that satisfy ``f``."""
    phi = core(f)
    subs: dict[Core, None] = {}
    _subformulas(phi, subs)
    positive = [g for g in subs if g != TRUE]
    free = [g for g in positive if g[0] in ("ap", "X", "U")]
    atoms = [g[1] for g in positive if g[0] == "ap"]
    sets: list[dict[Core, bool]] = []
    for values in product((False, True), repeat=len(free)):
        v: dict[Core, bool] = {TRUE: True}
        v.update(zip(free, values, strict=True))

        def val(g: Core, v: dict[Core, bool] = v) -> bool:
            if g[0] == "not":
                return not val(g[1])  # type: ignore[arg-type]
            if g[0] == "and":
                return val(g[1]) and val(g[2])  # type: ignore[arg-type]
            return v[g]

        ok = True
        for g in positive:
            if g[0] == "U":
                left, right = val(g[1]), val(g[2])  # type: ignore[arg-type]
                if right and not v[g]:
                    ok = False
                if v[g] and not right and not left:
                    ok = False
        if ok:
            full = {g: val(g) for g in positive}
            full[TRUE] = True
            sets.append(full)

    def truth(b: dict[Core, bool], g: Core) -> bool:
        if g[0] == "not":
            return not truth(b, g[1])  # type: ignore[arg-type]
        return b[g]

    xs = [g for g in positive if g[0] == "X"]
    us = [g for g in positive if g[0] == "U"]
    succ: list[list[int]] = []
    for b in sets:
        row = []
        for j, b2 in enumerate(sets):
            if any(b[x] != truth(b2, x[1]) for x in xs):  # type: ignore[arg-type]
                continue
            if any(
                b[u] != (truth(b, u[2]) or (truth(b, u[1]) and b2[u]))  # type: ignore[arg-type]
                for u in us
            ):
                continue
            row.append(j)
        succ.append(row)
    labels = []
    for b in sets:
        mask = 0
        for i, a in enumerate(atoms):
            if b[("ap", a)]:
                mask |= 1 << i
        labels.append(mask)
    accepting = [
        {i for i, b in enumerate(sets) if not b[u] or truth(b, u[2])}  # type: ignore[arg-type]
        for u in us
    ]
    initial = [i for i, b in enumerate(sets) if truth(b, phi)]
    return Automaton([a for a in atoms if isinstance(a, ex.Atom)], labels, initial, succ, accepting)


def product_graph(
    aut: Automaton,
    kripke_edges: Callable[[int], Sequence[int]],
    label: Callable[[int], int],
    root: int = 0,
) -> tuple[list[int], dict[int, int], Callable[[int], list[int]]]:
    """The product of the explored graph with ``aut``, breadth-first from ``root``: its
    nodes (``k * len(aut.labels) + b``) in breadth-first order, their parents (-1 for an
    initial node) and its successor function."""
    n = len(aut.labels)
    by_label: dict[int, set[int]] = {}
    for i, m in enumerate(aut.labels):
        by_label.setdefault(m, set()).add(i)
    parent: dict[int, int] = {}
    order: list[int] = []
    queue: deque[int] = deque()
    for b in aut.initial:
        if aut.labels[b] == label(root):
            node = root * n + b
            if node not in parent:
                parent[node] = -1
                order.append(node)
                queue.append(node)
    cache: dict[int, list[int]] = {}

    def succ(node: int) -> list[int]:
        out = cache.get(node)
        if out is None:
            k, b = divmod(node, n)
            out = []
            for k2 in kripke_edges(k):
                allowed = by_label.get(label(k2), set())
                out.extend(k2 * n + b2 for b2 in aut.succ[b] if b2 in allowed)
            cache[node] = out
        return out

    while queue:
        node = queue.popleft()
        for x in succ(node):
            if x not in parent:
                parent[x] = node
                order.append(x)
                queue.append(x)
    return order, parent, succ


def _accepting_components(
    aut: Automaton, order: Sequence[int], succ: Callable[[int], list[int]]
) -> list[set[int]]:
    """The strongly connected components of the product that hold a cycle meeting every
    accepting set."""
    from detente.checker.explore import _sccs

    n = len(aut.labels)
    comp = _sccs(order, succ)
    members: dict[int, set[int]] = {}
    for node, c in comp.items():
        members.setdefault(c, set()).add(node)
    out = []
    for ms in members.values():
        if len(ms) == 1:
            (node,) = ms
            if node not in succ(node):
                continue
        if all(any(node % n in acc for node in ms) for acc in aut.accepting):
            out.append(ms)
    return out


#: How many loop entries the search for the shortest lasso tries at most.
MAX_ENTRIES = 256


def find_accepting_lasso(
    aut: Automaton,
    kripke_edges: Callable[[int], Sequence[int]],
    label: Callable[[int], int],
    root: int = 0,
) -> tuple[list[int], list[int]] | None:
    """A shortest run of the explored graph accepted by ``aut``, as (prefix, loop) of
    graph ids: breadth-first over the product, then, for each entry into an accepting
    component in breadth-first order, the shortest loop through every accepting set;
    the lasso with the fewest steps in all (prefix and loop) wins.

    ``label(k)`` is the mask of the automaton's atoms true in graph state ``k``.
    The prefix ends at the loop's first state; the loop returns to it.
    """
    from detente.checker.explore import _bfs_within

    n = len(aut.labels)
    order, parent, succ = product_graph(aut, kripke_edges, label, root)
    components = _accepting_components(aut, order, succ)
    if not components:
        return None
    component_of = {node: ms for ms in components for node in ms}
    depth: dict[int, int] = {}
    for node in order:
        p = parent[node]
        depth[node] = 0 if p < 0 else depth[p] + 1
    best: tuple[int, int, list[int]] | None = None  # (steps, entry, loop)
    tried = 0
    for entry in order:
        ms = component_of.get(entry)
        if ms is None:
            continue
        if best is not None and (depth[entry] + 1 >= best[0] or tried >= MAX_ENTRIES):
            break
        tried += 1
        loop = [entry]
        for acc in aut.accepting:

            def meets(x: int, acc: set[int] = acc) -> bool:
                return x % n in acc

            seg = _bfs_within(loop[-1], meets, succ, ms, allow_self=True)
            loop.extend(seg[1:])
        back = _bfs_within(loop[-1], entry.__eq__, succ, ms, allow_self=False)
        loop.extend(back[1:])
        steps = depth[entry] + len(loop) - 1
        if best is None or steps < best[0]:
            best = (steps, entry, loop)
    assert best is not None
    _, entry, loop = best
    path = [entry]
    while parent[path[-1]] >= 0:
        path.append(parent[path[-1]])
    return [x // n for x in reversed(path)], [x // n for x in loop]


def shortest_bad_prefix(
    aut: Automaton,
    kripke_edges: Callable[[int], Sequence[int]],
    label: Callable[[int], int],
    endless: Callable[[int], bool],
    root: int = 0,
    limit: int = 200_000,
) -> list[int] | None:
    """The shortest path of graph ids from ``root`` after which no continuation in the
    graph can satisfy the formula ``aut`` accepts (a bad prefix: a finite counterexample
    to it), or None when there is none (or ``limit`` prefixes were tried first).

    ``endless(k)``: whether some infinite run of the graph goes on from ``k``; a prefix
    ending where no run goes on is never called bad.
    """
    n = len(aut.labels)
    order, _, succ = product_graph(aut, kripke_edges, label, root)
    components = _accepting_components(aut, order, succ)
    alive: set[int] = {node for ms in components for node in ms}
    preds: dict[int, list[int]] = {}
    for node in order:
        for x in succ(node):
            preds.setdefault(x, []).append(node)
    queue: deque[int] = deque(alive)
    while queue:
        x = queue.popleft()
        for p in preds.get(x, ()):
            if p not in alive:
                alive.add(p)
                queue.append(p)
    by_label: dict[int, set[int]] = {}
    for i, m in enumerate(aut.labels):
        by_label.setdefault(m, set()).add(i)
    start = frozenset(
        b for b in aut.initial if aut.labels[b] == label(root) and root * n + b in alive
    )
    if not start:
        return None  # bad from the start: no step to tell
    key = (root, start)
    parent: dict[tuple[int, frozenset[int]], tuple[int, frozenset[int]] | None] = {key: None}
    frontier: deque[tuple[int, frozenset[int]]] = deque([key])
    while frontier:
        k, bs = frontier.popleft()
        for k2 in kripke_edges(k):
            allowed = by_label.get(label(k2), set())
            nxt = frozenset(
                b2 for b in bs for b2 in aut.succ[b] if b2 in allowed and k2 * n + b2 in alive
            )
            child = (k2, nxt)
            if child in parent:
                continue
            parent[child] = (k, bs)
            if not nxt:
                if not endless(k2):
                    continue
                path = [k2]
                at: tuple[int, frozenset[int]] | None = (k, bs)
                while at is not None:
                    path.append(at[0])
                    at = parent[at]
                return path[::-1]
            if len(parent) >= limit:
                return None
            frontier.append(child)
    return None
