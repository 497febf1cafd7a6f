"""The real case: the two July 2024 wordings of the Gaza framework's paragraphs 8 and 14."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente.checker as checker

GAZA = Path(__file__).parent.parent / "examples" / "gaza-framework-2024"


@pytest.fixture(scope="module")
def israel() -> checker.CheckResult:
    return checker.check(GAZA / "july-2024-israel-wording.yaml")


@pytest.fixture(scope="module")
def hamas() -> checker.CheckResult:
    return checker.check(GAZA / "july-2024-hamas-wording.yaml")


def test_israel_wording_lets_israel_end_the_truce_while_hamas_complies(
    israel: checker.CheckResult,
) -> None:
    r = israel["no_unilateral_exit(hamas)"]
    assert r.verdict == "violated"
    last = r.story[-1]
    # The power opens on day 43, the first day after the six weeks (the README: inferred).
    assert last.day == 43
    assert "Israel resumes fighting, as clause 14" in last.text
    assert "14" in last.clauses
    assert r.claim == "no_unilateral_exit_hamas"


def test_hamas_wording_leaves_israel_no_lawful_exit(hamas: checker.CheckResult) -> None:
    assert hamas["no_unilateral_exit(hamas)"].verdict == "holds"
    assert hamas["no_unilateral_exit(hamas)"].story == []


def test_hamas_wording_lets_the_truce_stall_forever(hamas: checker.CheckResult) -> None:
    r = hamas["no_indefinite_truce(israel)"]
    assert r.verdict == "violated"
    loop = [s for s in r.story if s.loop]
    assert loop and loop[0].text.startswith("From then on, this can repeat forever")
    assert "neither agree nor fail" in loop[0].text
    assert any(s.day == 43 and "clause 14" in s.text for s in r.story)


def test_israel_wording_cannot_stall_forever(israel: checker.CheckResult) -> None:
    assert israel["no_indefinite_truce(israel)"].verdict == "holds"


def test_general_expectations_hold_on_both(
    israel: checker.CheckResult, hamas: checker.CheckResult
) -> None:
    for result in (israel, hamas):
        for name in ("no_lapse", "completes_if_all_comply", "reciprocity(hamas, israel)"):
            assert result[name].verdict == "holds", (result.agreement, name)
        assert result["totals_add_up"].claim is None


def test_json_shape(israel: checker.CheckResult) -> None:
    data = israel.to_json()
    assert set(data) == {"agreement", "expectations", "states_explored", "seconds"}
    e = data["expectations"][0]
    assert set(e) == {
        *("name", "protects", "claim", "verdict", "finding", "position", "sources"),
        *("story", "states", "bound"),
    }
    assert all(x["bound"] is None for x in data["expectations"])  # no bound was reached
    assert set(e["story"][0]) == {"day", "text", "clauses"}
