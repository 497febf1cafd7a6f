"""Clauses without a norm (recitals, principles, reporting commitments, definitions): kept,
rendered and cited, and nothing is due under them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import detente
from detente.language.loader import load
from detente.monitor import Event, monitor
from detente.reports.sentences import describe

SPEC = Path(__file__).parent / "fixtures" / "constructs" / "statements.yaml"


def test_a_recital_is_a_clause_with_its_words() -> None:
    a = load(SPEC)
    recital = a.clause("preamble")
    assert recital.norm is None and recital.kind == "recital"
    assert describe(recital, a) == (
        "A recital: “Recalling the resolutions of the Security Council on "
        "the protection of civilians” (clause preamble)."
    )
    assert describe(a.clause("2"), a).startswith("A reporting commitment: ")
    assert describe(a.clause("2"), a).endswith(" (clause 2).")


def test_statements_change_no_verdict() -> None:
    with_them = detente.check(load(SPEC))
    text = SPEC.read_text(encoding="utf-8")
    cut = text.index("    - id: preamble")
    rest = text[text.index('    - id: "1"') :]
    end = rest.index('    - id: "2"')
    without = detente.load_text(
        text[:cut] + rest[:end] + rest[rest.index("  expectations:") :], "no-statements.yaml"
    )
    assert [c.id for c in without.clauses] == ["1"]
    assert [(e.name, e.verdict, e.states) for e in with_them.expectations] == [
        (e.name, e.verdict, e.states) for e in detente.check(without).expectations
    ]


def test_nothing_falls_due_under_a_statement() -> None:
    a = load(SPEC)
    r = monitor(
        a,
        [Event(id="x", date=dt.date(2024, 1, 2), actor="a", action="announce", source="s")],
        entry_into_force=dt.date(2024, 1, 1),
    )
    assert {o.clause for o in r.obligations}.isdisjoint({"preamble", "2"})
    assert r.violations == []
