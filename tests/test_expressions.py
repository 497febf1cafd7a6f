"""The expression language: conditions and LTL formulas parse, render and round-trip."""

from __future__ import annotations

import contextlib
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.language.expressions import (
    And,
    Atom,
    ExpressionError,
    Formula,
    Implies,
    Not,
    Or,
    Temporal,
    Until,
    parse,
    reference_problems,
    render,
)


def test_single_predicate_is_an_atom() -> None:
    assert parse("expired(phase1)") == Atom("expired", ("phase1",))


def test_operators_bind_as_documented() -> None:
    f = parse('expired(phase1) and not agreed("14") -> hostilities')
    assert f == Implies(
        And((Atom("expired", ("phase1",)), Not(Atom("agreed", ("14",))))), Atom("hostilities")
    )
    assert parse("a U b or c") == Or((Until(Atom("a"), Atom("b")), Atom("c")))
    assert parse("G F active(phase2)") == Temporal("G", Temporal("F", Atom("active", ("phase2",))))


def test_comparison_of_a_count() -> None:
    assert parse("held(women) >= 3") == Atom("held", ("women",), ">=", 3)


def test_condition_refuses_temporal_operators() -> None:
    with pytest.raises(ExpressionError, match="temporal"):
        parse("G hostilities", temporal=False)


@pytest.mark.parametrize("text", ["", "foo(", "and", "held(x) <", "a -> ", "G", "(a"])
def test_malformed_formulas_raise_expression_error(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text)


def test_references_are_checked_against_the_spec() -> None:
    names = {"phase": {"phase1"}, "clause": {"8"}, "negotiation": {"8"}, "stock": {"women"}}
    f = parse('active(phase9) and agreed("8") and held(women) and frob(x) and violated("8") < 2')
    problems = reference_problems(f, names)
    assert "active(phase9): no phase 'phase9' in this agreement; did you mean 'phase1'?" in problems
    assert "held(…) must be compared with a number" in problems
    assert any(p.startswith("unknown predicate 'frob'") for p in problems)
    assert "violated(…) cannot be compared with a number" in problems
    assert len(problems) == 4


TEMPORAL: tuple[Literal["G", "F", "X"], ...] = ("G", "F", "X")
_atoms = st.sampled_from(
    [
        Atom("hostilities"),
        Atom("active", ("phase1",)),
        Atom("violated", ("1.3",)),
        Atom("held", ("women",), "<", 3),
    ]
)
_formulas = st.recursive(
    _atoms,
    lambda sub: st.one_of(
        sub.map(Not),
        st.tuples(sub, sub).map(lambda p: And(p)),
        st.tuples(sub, sub).map(lambda p: Or(p)),
        st.tuples(sub, sub).map(lambda p: Implies(*p)),
        st.tuples(st.sampled_from(TEMPORAL), sub).map(lambda p: Temporal(*p)),
        st.tuples(sub, sub).map(lambda p: Until(*p)),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(_formulas)
def test_render_then_parse_gives_back_the_same_meaning(f: Formula) -> None:
    text = render(f)
    assert render(parse(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_parses_or_raises_expression_error(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse(text)
