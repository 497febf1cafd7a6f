"""The explorer's compact state keys lose nothing: pack/unpack round-trips and is injective."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.checker.context import Context
from detente.checker.explore import pack, unpack
from detente.language.model import Agreement
from tests.strategies import agreements


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(agreements())
def test_every_reachable_state_round_trips(agreement) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(agreement, max_states=3000)
    g = ctx.graph()
    seen: dict[bytes, tuple[int, ...]] = {}
    for j, s in enumerate(g.states):
        b = pack(s)
        assert unpack(b, g.model.width) == s
        assert g.id_of(s) == j
        assert seen.setdefault(b, s) == s


@given(st.lists(st.lists(st.integers(-(2**40), 2**40), min_size=6, max_size=6), max_size=20))
def test_packing_is_injective(vectors: list[list[int]]) -> None:
    keys = {pack(v): tuple(v) for v in vectors}
    assert len(keys) == len({tuple(v) for v in vectors})
    for b, v in keys.items():
        assert unpack(b, 6) == v


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(agreements())
def test_fast_successors_are_the_story_path_s_in_the_same_order(agreement: Agreement) -> None:
    """``System.successors`` (the explorer's merged product) and ``System.steps`` (the story
    path, one combination at a time) are two codings of step 3: they must give the same
    next states, in the same first-occurrence order, so ids and shortest stories agree."""
    ctx = Context(agreement, max_states=2000)
    for forbid in (0, 1):
        g = ctx.graph(forbid=forbid)
        m = g.model
        for j in range(min(g.size, 150)):
            s = g.states[j]
            slow = list(dict.fromkeys(t for _, t in m.steps(s, forbid=forbid, events=False)))
            assert m.successors(s, forbid=forbid) == slow
