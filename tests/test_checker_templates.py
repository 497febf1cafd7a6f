"""Each expectation template on small hand-made specs, where it holds and where it does not."""

from __future__ import annotations

import textwrap

import detente
from detente.checker import CheckResult
from detente.language.model import Agreement
from detente.language.yaml_reader import read_yaml

BASE = """
agreement:
  id: small
  title: A small two-phase truce
  status: draft
  dates: {entry_into_force: 2025-01-19}
  parties:
    - {id: a, name: Side A}
    - {id: b, name: Side B}
    - {id: m, name: Mediator, role: mediator}
  sources:
    - {id: made_up, document: "Test fixture, not a real agreement"}
  stocks:
    - {id: hostages, holder: a, name: hostages, count: HOSTAGES}
    - {id: prisoners, holder: b, name: prisoners, count: 100}
  phases:
    - id: one
      name: Phase one
      starts: entry_into_force
      duration_days: 10
      at_expiry: EXPIRY
    - id: two
      name: Phase two
      starts: TWO_STARTS
  clauses:
    - id: "1"
      text: Both sides stop hostilities.
      source: made_up
      prohibition: {parties: [a, b], act: hostilities, during: [one, two]}
    - id: "2"
      text: A releases hostages; B releases 10 prisoners for each.
      source: made_up
      exchange:
        phase: one
        releasing: a
        counterpart: b
        ratios: [{category: hostages, counter_category: prisoners, per_unit: 10}]
        rounds:
          - {day: 1, release: {hostages: 2}}
          - {day: 5, release: {hostages: 3}}
        totals: {hostages: TOTAL}
        counter_totals: {prisoners: 50}
    - id: "3"
      text: The sides negotiate phase two, starting by day 5.
      source: made_up
      negotiation:
        between: [a, b]
        starts_by: one day 5
        scope: open
        on_agreed: two
EXTRA
  expectations:
EXPECT
"""


def spec(
    expect: str,
    extra: str = "",
    *,
    hostages: int = 10,
    total: int = 5,
    expiry: str = '{rule: continues_while, negotiation: "3"}',
    two_starts: str = '{after: one, upon_agreement: "3"}',
) -> detente.Agreement:
    text = (
        BASE.replace("HOSTAGES", str(hostages))
        .replace("TOTAL", str(total))
        .replace("EXPIRY", expiry)
        .replace("TWO_STARTS", two_starts)
        .replace(
            "EXTRA", textwrap.indent(textwrap.dedent(extra).strip("\n"), "    ") if extra else ""
        )
        .replace("EXPECT", textwrap.indent(textwrap.dedent(expect).strip("\n"), "    "))
    )
    # Validated into the model without the loader's semantic checks, so that specs the
    # validator would refuse (totals that do not add up) still reach the checker.
    data, _, problems = read_yaml(text, "<test>")
    assert not problems, problems
    return Agreement.model_validate(data["agreement"])


def verdict(result: CheckResult) -> str:
    return result.expectations[0].verdict


POWER_B_RESUMES = """
- id: "4"
  text: B may resume fighting once phase one's days are over.
  source: made_up
  power:
    holder: b
    action: resume_hostilities
    available: {during: [one], after: one end}
"""


def test_no_unilateral_exit_holds_without_powers() -> None:
    r = detente.check(spec("- {template: no_unilateral_exit, protects: a}"))
    assert verdict(r) == "holds"


def test_no_unilateral_exit_violated_by_a_power_shortest_story() -> None:
    r = detente.check(spec("- {template: no_unilateral_exit, protects: a}", POWER_B_RESUMES))
    e = r.expectations[0]
    assert e.verdict == "violated"
    assert [s.day for s in e.story] == [1, 5, 10]  # the points of phase one, no more
    assert "Side B resumes fighting, as clause 4" in e.story[-1].text
    assert "4" in e.story[-1].clauses
    assert e.story[-1].text.startswith("Day 10 (if entry into force was 19 Jan 2025: 28 Jan 2025)")


def test_no_unilateral_exit_holds_when_the_power_needs_consent() -> None:
    extra = POWER_B_RESUMES + "    requires_consent: [a]\n"
    r = detente.check(spec("- {template: no_unilateral_exit, protects: a}", extra))
    assert verdict(r) == "holds"


def test_no_unilateral_exit_violated_by_declaring_talks_failed() -> None:
    extra = """
    - id: "4"
      text: B may declare the talks failed.
      source: made_up
      power: {holder: b, action: declare_failed, target: "3"}
    """
    r = detente.check(spec("- {template: no_unilateral_exit, protects: a}", extra))
    e = r.expectations[0]
    assert e.verdict == "violated"
    text = " ".join(s.text for s in e.story)
    assert "declares the talks of clause 3 failed, as clause 4" in text
    assert "resumes hostilities; no clause forbids it any more" in e.story[-1].text


def test_no_indefinite_truce_violated_by_a_stall_as_a_loop() -> None:
    r = detente.check(spec("- {template: no_indefinite_truce, protects: b}"))
    e = r.expectations[0]
    assert e.verdict == "violated"
    assert e.story[-1].loop
    assert e.story[-1].text.startswith("From then on, this can repeat forever")
    assert any(s.day == 11 and "continues" in s.text for s in e.story)


def test_no_indefinite_truce_holds_with_an_exit_power() -> None:
    r = detente.check(spec("- {template: no_indefinite_truce, protects: b}", POWER_B_RESUMES))
    assert verdict(r) == "holds"


def test_no_lapse_violated_when_phase_one_simply_ends() -> None:
    r = detente.check(
        spec("- {template: no_lapse}", expiry="ends", two_starts='{upon_agreement: "3"}')
    )
    e = r.expectations[0]
    assert e.verdict == "violated"
    assert e.story[-1].day == 11


def test_no_lapse_holds_on_continuation() -> None:
    assert verdict(detente.check(spec("- {template: no_lapse}"))) == "holds"


def test_completes_if_all_comply_holds() -> None:
    assert verdict(detente.check(spec("- {template: completes_if_all_comply}"))) == "holds"


def test_a_round_that_cannot_be_released_is_consistent_s_finding_not_completion_s() -> None:
    """A party that cannot release a round violates it all the same (docs/semantics.md):
    with 4 hostages for 5 due, no run has everyone complying, so completes_if_all_comply
    holds for want of such runs, and `consistent` is the expectation that tells the flaw."""
    r = detente.check(
        spec("- {template: completes_if_all_comply}\n- {template: consistent}", hostages=4)
    )
    completes, consistent = r.expectations
    assert completes.verdict == "holds"
    assert consistent.verdict == "violated"
    assert any("does not release 3 hostages" in s.text for s in consistent.story)
    assert verdict(detente.check(spec("- {template: completes_if_all_comply}"))) == "holds"


def test_consistent_violated_when_more_is_due_than_held() -> None:
    r = detente.check(spec("- {template: consistent}", hostages=4))
    e = r.expectations[0]
    assert e.verdict == "violated"
    assert e.story[-1].day == 5


def test_consistent_violated_when_an_obligation_is_forbidden() -> None:
    extra = """
    - id: "4"
      text: A withdraws by day 3.
      source: made_up
      obligation: {debtor: a, creditor: b, action: withdraw, window: {by: one day 3}}
    - id: "5"
      text: A must not withdraw in phase one.
      source: made_up
      prohibition: {parties: [a], act: withdraw, during: [one]}
    """
    r = detente.check(spec("- {template: consistent}", extra))
    assert verdict(r) == "violated"
    assert r.expectations[0].story[-1].day == 3
    assert verdict(detente.check(spec("- {template: consistent}"))) == "holds"


def test_reciprocity_violated_when_a_round_has_no_counterpart() -> None:
    extra = """
    - id: "4"
      text: A releases one more, for nothing.
      source: made_up
      exchange:
        phase: one
        releasing: a
        counterpart: b
        rounds: [{day: 2, release: {hostages: 1}}]
    """
    r = detente.check(spec("- {template: reciprocity, parties: [a, b]}", extra))
    e = r.expectations[0]
    assert e.verdict == "violated"
    assert e.story[-1].day == 2
    assert verdict(detente.check(spec("- {template: reciprocity, parties: [a, b]}"))) == "holds"


def test_totals_add_up_is_static() -> None:
    r = detente.check(spec("- {template: totals_add_up}", total=6))
    e = r.expectations[0]
    assert e.verdict == "violated" and e.claim is None and e.states == 0
    assert "clause 2" in e.story[0].text.lower() and e.story[0].clauses == ["2"]
    assert verdict(detente.check(spec("- {template: totals_add_up}"))) == "holds"


def test_formula_liveness_and_safety() -> None:
    r = detente.check(
        spec(
            """
            - {formula: "F active(two)", name: two_starts}
            - {formula: 'G (active(two) -> agreed("3"))', name: two_needs_talks}
            - {formula: "G not hostilities", name: peace, protects: a}
            """
        )
    )
    assert r["two_starts"].verdict == "violated"
    assert any(s.loop for s in r["two_starts"].story)
    assert r["two_needs_talks"].verdict == "holds"
    assert r["peace"].verdict == "violated"  # b may break the truce
    assert any("Side B resumes hostilities" in s.text for s in r["peace"].story)


def test_max_states_gives_unknown_never_a_wrong_holds() -> None:
    r = detente.check(spec("- {template: no_unilateral_exit, protects: a}"), max_states=5)
    e = r.expectations[0]
    assert e.verdict == "unknown" and e.bound == 5
    assert not r.ok


def test_minimal_fixture_checks() -> None:
    r = detente.check("tests/fixtures/minimal.yaml")
    assert r["no_unilateral_exit(a)"].verdict == "holds"
    assert r["no_indefinite_truce(b)"].verdict == "violated"
