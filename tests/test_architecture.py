"""No import cycles among Détente's modules, counting imports inside functions too.

``lint-imports`` (``make test``) checks the layers and the forbidden imports, and its
``acyclic_siblings`` contract forbids cycles between the siblings of every package. A
cycle through a package's own ``__init__`` (``detente.language.model`` importing
``detente``, say, which imports everything) is between a parent and its child, not
between siblings; this test sees those too, on the same graph (grimp's, as the linter's).
"""

from __future__ import annotations

import grimp


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of two or more modules that import each other, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, [])]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work[-1] = (root, sorted(graph.find_modules_directly_imported_by(root)))
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.find_modules_directly_imported_by(nxt))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_the_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(name)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a")
    graph.add_import(importer="a", imported="a.b")
    graph.add_import(importer="a", imported="a.d")
    assert strongly_connected(graph) == [["a", "a.b", "a.c"]]


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("detente", cache_dir=None)
    assert len(graph.modules) > 50
    cycles = strongly_connected(graph)
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)
