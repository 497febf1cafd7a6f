"""Counterexample stories: they quote the clauses' own text (marked as the text's words or
the spec's summary), never a generated sentence, name every actor, say the verdict on the
draft, and are the shortest the checker finds, for formulas as for templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import detente
from detente.checker import CheckResult
from detente.language.loader import load
from tests.test_checker_templates import spec

GAZA = Path(__file__).parent.parent / "examples" / "gaza-framework-2024"
EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*/*.yaml"))
QUOTED = re.compile(r"“([^”]*)”")


def _fold(text: str) -> str:
    return " ".join(text.split())


def _stories(path: Path) -> tuple[detente.Agreement, CheckResult]:
    agreement = load(path)
    return agreement, detente.check(agreement)


@pytest.mark.parametrize("wording", ["july-2024-israel-wording", "july-2024-hamas-wording"])
def test_july_2024_stories_quote_clause_14_s_own_words(wording: str) -> None:
    agreement, result = _stories(GAZA / f"{wording}.yaml")
    (violated,) = [e for e in result.expectations if e.verdict == "violated"]
    text = " ".join(s.text for s in violated.story)
    assert _fold(agreement.clause("14").text) in QUOTED.findall(text)
    # clause 14 is a summary in both wordings, and the story says so
    assert agreement.clause("14").words == "summary"
    assert "Clause 14, as the spec summarises it (not the text's words): “" in text
    assert "(clause 14).”" not in text and "”) says" not in text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_quotation_marks_enclose_only_clause_texts(path: Path) -> None:
    agreement, result = _stories(path)
    texts = {_fold(c.text) for c in agreement.clauses}
    for e in result.expectations:
        for step in e.story:
            for quoted in QUOTED.findall(step.text):
                assert quoted in texts, (e.name, quoted)
        assert "another's act" not in e.summary


def test_a_quoted_clause_is_marked_as_the_text_s_words() -> None:
    agreement = load(GAZA / "base.yaml")
    quoted = [c for c in agreement.clauses if c.words == "quote"]
    assert quoted
    from detente.checker.story import quotation

    line = quotation(agreement, quoted[0].id)
    assert line == f"Clause {quoted[0].id}, in the text's words: “{_fold(quoted[0].text)}”"


def test_israel_wording_story_names_the_actor_and_the_position() -> None:
    _, result = _stories(GAZA / "july-2024-israel-wording.yaml")
    e = result["no_unilateral_exit(hamas)"]
    assert "Israel lawfully resumes the fighting" in e.summary
    assert e.finding.startswith("This wording lets Israel resume the fighting lawfully")
    assert e.finding.endswith("while Hamas complies.")
    assert e.protects_name == "Hamas" and e.position and e.position.startswith("Hamas sought")
    assert "ap_mb" in e.sources
    data = e.to_json()
    assert data["finding"] == e.finding and data["sources"] == e.sources


def test_the_continuation_cites_the_clause_of_the_continuation_rule() -> None:
    agreement, result = _stories(GAZA / "july-2024-hamas-wording.yaml")
    rule = agreement.phases[0].at_expiry.clause
    e = result["no_indefinite_truce(israel)"]
    (step,) = [s for s in e.story if "continues" in s.text and s.day == 43]
    assert f"it continues, as clause {rule} provides" in step.text
    assert rule in step.clauses


def test_a_formula_story_is_the_shortest_counterexample() -> None:
    r = detente.check(spec('- {formula: "G not hostilities", name: peace, protects: a}'))
    e = r["peace"]
    assert e.verdict == "violated"
    # Side B may break the truce on day 1: one step, not a run to a loop (5 steps before).
    assert len(e.story) == 1
    assert e.story[0].day == 1 and "Side B resumes hostilities" in e.story[0].text
    assert e.finding.endswith("while Side A complies.")


def test_a_liveness_formula_still_ends_in_a_loop() -> None:
    r = detente.check(spec('- {formula: "F active(two)", name: two_starts}'))
    e = r["two_starts"]
    assert e.verdict == "violated" and e.story[-1].loop
    assert len(e.story) == 5
