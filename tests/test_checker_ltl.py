"""The LTL tableau against brute-force evaluation on small Kripke structures."""

from __future__ import annotations

from itertools import pairwise, product

from hypothesis import given, settings
from hypothesis import strategies as st

from detente.checker.explore import find_lasso
from detente.checker.ltl import automaton, find_accepting_lasso
from detente.language import expressions as ex

P, Q = ex.Atom("p"), ex.Atom("q")

formulas = st.recursive(
    st.sampled_from([P, Q, ex.Const(True)]),
    lambda inner: st.one_of(
        inner.map(ex.Not),
        st.tuples(inner, inner).map(lambda t: ex.And(t)),
        st.tuples(inner, inner).map(lambda t: ex.Or(t)),
        st.tuples(inner, inner).map(lambda t: ex.Implies(*t)),
        inner.map(lambda f: ex.Temporal("G", f)),
        inner.map(lambda f: ex.Temporal("F", f)),
        inner.map(lambda f: ex.Temporal("X", f)),
        st.tuples(inner, inner).map(lambda t: ex.Until(*t)),
    ),
    max_leaves=5,
)


@st.composite
def kripke(draw: st.DrawFn) -> tuple[list[list[int]], list[tuple[bool, bool]]]:
    n = draw(st.integers(1, 4))
    edges = [
        sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3)))) for _ in range(n)
    ]
    vals = [(draw(st.booleans()), draw(st.booleans())) for _ in range(n)]
    return edges, vals


def evaluate(f: ex.Formula, word: list[tuple[bool, bool]], loop_at: int) -> bool:
    """Truth of ``f`` at position 0 of the infinite word ``word[:loop_at] word[loop_at:]^ω``."""
    n = len(word)

    def nxt(i: int) -> int:
        return i + 1 if i + 1 < n else loop_at

    def sat(g: ex.Formula) -> list[bool]:
        match g:
            case ex.Const(v):
                return [v] * n
            case ex.Atom(name):
                return [w[0] if name == "p" else w[1] for w in word]
            case ex.Not(o):
                return [not x for x in sat(o)]
            case ex.And(ops):
                cols = [sat(o) for o in ops]
                return [all(c[i] for c in cols) for i in range(n)]
            case ex.Or(ops):
                cols = [sat(o) for o in ops]
                return [any(c[i] for c in cols) for i in range(n)]
            case ex.Implies(a, b):
                sa, sb = sat(a), sat(b)
                return [not x or y for x, y in zip(sa, sb, strict=True)]
            case ex.Temporal("X", o):
                so = sat(o)
                return [so[nxt(i)] for i in range(n)]
            case ex.Temporal("F", o):
                return sat(ex.Until(ex.Const(True), o))
            case ex.Temporal("G", o):
                return sat(ex.Not(ex.Until(ex.Const(True), ex.Not(o))))
            case ex.Until(a, b):
                sa, sb = sat(a), sat(b)
                out = [False] * n
                for _ in range(n + 1):
                    out = [sb[i] or (sa[i] and out[nxt(i)]) for i in range(n)]
                return out
        raise AssertionError(g)

    return sat(f)[0]


def lassos(edges: list[list[int]], limit: int) -> list[tuple[list[int], int]]:
    """Every lasso from state 0 with at most ``limit`` distinct positions."""
    out = []

    def walk(path: list[int]) -> None:
        for x in edges[path[-1]]:
            if x in path:
                out.append((list(path), path.index(x)))
        if len(path) < limit:
            for x in edges[path[-1]]:
                walk([*path, x])

    walk([0])
    return out


@settings(max_examples=300, deadline=None)
@given(formulas, kripke())
def test_tableau_agrees_with_brute_force(
    f: ex.Formula, k: tuple[list[list[int]], list[tuple[bool, bool]]]
) -> None:
    edges, vals = k
    aut = automaton(ex.Not(f))

    def label(s: int) -> int:
        mask = 0
        for i, a in enumerate(aut.atoms):
            if vals[s][0] if a.name == "p" else vals[s][1]:
                mask |= 1 << i
        return mask

    found = find_accepting_lasso(aut, lambda s: edges[s], label)
    brute = [
        (path, at) for path, at in lassos(edges, 6) if not evaluate(f, [vals[s] for s in path], at)
    ]
    if found is None:
        assert not brute, f"tableau says {ex.render(f)} holds; brute force finds {brute[0]}"
    else:
        prefix, loop = found
        assert loop[0] == loop[-1] == prefix[-1]
        for a, b in pairwise(prefix):
            assert b in edges[a]
        for a, b in pairwise(loop):
            assert b in edges[a]
        word = [vals[s] for s in prefix[:-1] + loop[:-1]]
        assert not evaluate(f, word, len(prefix) - 1), ex.render(f)


def test_find_lasso_returns_a_cycle_through_every_accepting_set() -> None:
    edges = {0: [1], 1: [2, 3], 2: [1], 3: [3]}
    found = find_lasso([0, 1, 2, 3], lambda n: edges[n], lambda n: n != 3, [lambda n: n == 2])
    assert found is not None
    entry, loop = found
    assert entry == 1 and loop[0] == loop[-1] == 1 and 2 in loop
    assert find_lasso([0, 1, 2, 3], lambda n: edges[n], lambda n: n in (0, 3), []) == (3, [3, 3])
    assert find_lasso([0, 1], lambda n: [1] if n == 0 else [0], lambda n: n == 0, []) is None


def test_find_lasso_asks_the_region_once_a_node() -> None:
    """The region is a predicate on a state (unpacked from the graph): asked once a node,
    not once an edge, on a complete graph of five nodes."""
    asked: list[int] = []

    def region(n: int) -> bool:
        asked.append(n)
        return n != 4

    nodes = list(range(5))
    found = find_lasso(nodes, lambda n: [x for x in nodes if x != n], region, [])
    assert found is not None and found[0] == 0
    assert sorted(asked) == nodes


def test_operators_on_a_fixed_word() -> None:
    word = [(False, False), (True, False), (True, True)]
    assert evaluate(ex.Temporal("F", Q), word, 2)
    assert evaluate(ex.Until(ex.Not(Q), Q), word, 2)
    assert not evaluate(ex.Temporal("G", P), word, 1)
    assert evaluate(ex.Temporal("X", P), word, 2)
    assert all(x for x in product([True], repeat=1))
