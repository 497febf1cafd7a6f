"""The explorer's intern table (fixed-size records in a bytearray, open addressing) and the
oracle (a dict of packed bytes) give the same graphs: the same states under the same ids,
the same parents, the same edges, on generated agreements and on the benchmark family."""

from __future__ import annotations

import sys
from array import array
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings

from detente.checker.context import Context
from detente.checker.explore import Graph, Records
from detente.language.loader import load_text
from detente.language.model import Agreement
from detente.semantics.system import System
from tests.strategies import agreements

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from family import member_yaml


def same_graph(model: System, **kw: Any) -> Graph:
    fast = Graph(model, table="records", **kw).explore()
    oracle = Graph(model, table="dict", **kw).explore()
    assert fast.size == oracle.size
    assert list(fast.states) == list(oracle.states)
    assert fast.parent == oracle.parent
    assert fast.targets == oracle.targets
    assert fast.offsets == oracle.offsets
    assert fast.complete == oracle.complete
    for j, s in enumerate(oracle.states):
        assert fast.id_of(s) == j
    return fast


def restrictions(ctx: Context) -> list[tuple[System, int, bool]]:
    models = [ctx.model] + ([ctx.folded] if ctx.folded is not None else [])
    return [(m, f, p) for m in models for f in (0, 1, 2) for p in (True, False)]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(agreements())
def test_records_and_oracle_agree_on_generated_agreements(agreement: Agreement) -> None:
    ctx = Context(agreement)
    for model, forbid, powers in restrictions(ctx):
        same_graph(model, forbid=forbid, powers=powers, max_states=3000)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6])
def test_records_and_oracle_agree_on_the_family(size: int) -> None:
    ctx = Context(load_text(member_yaml(size), f"family-{size}.yaml"))
    for model, forbid, powers in restrictions(ctx):
        same_graph(model, forbid=forbid, powers=powers, max_states=5000)


def test_a_stopped_graph_is_the_same_prefix() -> None:
    ctx = Context(load_text(member_yaml(6), "family-6.yaml"))
    g = same_graph(ctx.model, max_states=777)
    assert g.size == 777 and not g.complete


class Counter:
    """A toy model whose values outgrow one byte, then two, then four: 0, 1, … and their
    negatives and cubes, so every record form is crossed mid-way."""

    width = 3
    initial = (0, 0, 0)

    def successors(
        self, s: tuple[int, ...], *, forbid: int = 0, powers: bool = True
    ) -> list[tuple[int, ...]]:
        k = s[0] + 1
        if k > 1400:
            return [(0, 0, 0)]
        return [(k, -k if k > 300 else k, k**3), (k, 0, 0) if k % 7 else (0, 0, 0)]


def test_records_widen_and_keep_their_ids() -> None:
    g = same_graph(cast(System, Counter()))
    table = g.interned
    assert isinstance(table, Records) and table.code == "q"
    assert g.states[1400] == (1400, -1400, 1400**3) or any(
        s == (1400, -1400, 1400**3) for s in g.states
    )


def test_records_round_trip_every_form() -> None:
    r = Records(2)
    for t in [(0, 255), (3, 4), (300, 0), (-5, 70000), (2**40, -(2**40)), (0, 255)]:
        j = r.find(t)
        if j < 0:
            j = r.add(j)
        assert r.state(j) == t
        assert r.lookup(t) == j
    assert len(r) == 5 and r.code == "q"
    assert r.lookup((9, 9)) is None and r.lookup((2**70, 0)) is None
    assert list(r) == [(0, 255), (3, 4), (300, 0), (-5, 70000), (2**40, -(2**40))]
    assert array("q", r.recs[:16]).tolist() == [0, 255]


def test_a_compact_check_answers_as_the_default_one() -> None:
    """``check(compact=True)`` (records) and the default (dict) give the same results."""
    import detente

    agreement = load_text(member_yaml(4), "family-4.yaml")
    fast, compact = detente.check(agreement), detente.check(agreement, compact=True)
    assert [e.to_json() for e in compact.expectations] == [e.to_json() for e in fast.expectations]
