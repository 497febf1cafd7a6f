"""Conditions and triggers on norms (docs/language.md, Conditions): a duty created once a
condition holds (`once` + `within_days`), a prohibition that binds only while a condition
holds (`while`), talks that open once a condition holds (`opens_when`). Validation, the
checker's verdicts flipping with the condition, and the monitor's replay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import detente
from detente.errors import SpecError
from detente.language.loader import load
from detente.monitor import Event, monitor

CONSTRUCTS = Path(__file__).parent / "fixtures" / "constructs"
TRIGGERS = CONSTRUCTS / "triggers.yaml"
WHILE = CONSTRUCTS / "while.yaml"
OPENS = CONSTRUCTS / "opens_when.yaml"
DAY1 = dt.date(2025, 1, 1)


def _text(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def _verdicts(text: str) -> dict[str, str]:
    result = detente.check(detente.load_text(text, "spec.yaml"))
    return {e.name: e.verdict for e in result.expectations}


def _errors(text: str) -> str:
    with pytest.raises(SpecError) as info:
        detente.load_text(text, "spec.yaml")
    return str(info.value)


def _on(day: int) -> dt.date:
    return DAY1 + dt.timedelta(days=day - 1)


# --------------------------------------------------------------------------- validate


def test_an_unknown_reference_in_a_trigger_gets_a_did_you_mean() -> None:
    msg = _errors(_text(TRIGGERS, "once: released(hostages) >= 4", "once: released(hostage) >= 4"))
    assert "no stock 'hostage'" in msg and "did you mean 'hostages'?" in msg
    msg = _errors(_text(TRIGGERS, "once: released(hostages) >= 4", "once: releasd(hostages) >= 4"))
    assert "unknown predicate 'releasd'" in msg and "did you mean 'released'?" in msg


def test_an_unknown_clause_in_a_while_condition_is_named_at_its_line() -> None:
    msg = _errors(_text(WHILE, "while: compliant(a)", 'while: not violated("11")'))
    assert "spec.yaml:22:" in msg and "no clause '11'" in msg and "did you mean '1'?" in msg


def test_a_trigger_has_within_and_no_window() -> None:
    msg = _errors(_text(TRIGGERS, ", within_days: 3}", "}"))
    assert "needs `within` ({days: N} or {hours: H})" in msg
    msg = _errors(
        _text(TRIGGERS, ", within_days: 3}", ", within_days: 3, window: {by: one day 5}}")
    )
    assert "give `within` (or `within_days`), not a `window`" in msg
    msg = _errors(_text(TRIGGERS, ", within_days: 3}", ", within_days: 3, within: {days: 3}}"))
    assert "`within_days` is the old spelling of `within: {days: N}`" in msg


def test_talks_open_by_a_date_or_on_a_condition_not_both() -> None:
    msg = _errors(_text(OPENS, "on_agreed: two,", "on_agreed: two, starts_by: one day 3,"))
    assert "not both" in msg


def test_a_condition_on_a_norm_cannot_read_what_conditions_decide() -> None:
    msg = _errors(_text(WHILE, "while: compliant(a)", "while: ceasefire"))
    assert "cannot use 'ceasefire'" in msg


# --------------------------------------------------------------------------- checker


def test_the_while_condition_decides_who_can_lawfully_exit() -> None:
    # B is bound as long as A keeps the agreement: A cannot lawfully get B fighting while
    # B complies, and B's fighting is lawful only after A's breach
    base = _verdicts(WHILE.read_text(encoding="utf-8"))
    assert base["no_unilateral_exit(b)"] == "holds"
    assert base["b_fights_only_after_a_breach"] == "holds"
    assert base["b_always_bound"] == "violated"
    # bound only once A has withdrawn (day 5): before that B may fight lawfully, breach or not
    flipped = _verdicts(_text(WHILE, "while: compliant(a)", 'while: fulfilled("1")'))
    assert flipped["b_fights_only_after_a_breach"] == "violated"
    assert flipped["a_breach_lifts_the_ban"] == "holds"
    # no condition: B is always bound
    plain = _verdicts(_text(WHILE, ", while: compliant(a)}", "}"))
    assert plain["b_always_bound"] == "holds"


def test_a_triggered_duty_falls_due_within_its_days_of_the_trigger() -> None:
    # hostages by day 5 -> prisoners within 3 days: day 8, the first day of phase two
    base = _verdicts(TRIGGERS.read_text(encoding="utf-8"))
    assert base["prisoners_only_after_hostages"] == "holds"
    assert base["prisoners_in_phase_two"] == "holds"
    assert base["b_keeps_its_side"] == "violated"
    # within one day: due on day 6, still in phase one
    one_day = _verdicts(_text(TRIGGERS, "within_days: 3", "within_days: 1"))
    assert one_day["prisoners_in_phase_two"] == "violated"
    # a trigger that holds at once: the prisoners may come before the hostages
    always = _verdicts(_text(TRIGGERS, "once: released(hostages) >= 4", "once: 'true'"))
    assert always["prisoners_only_after_hostages"] == "violated"


def test_talks_open_only_once_their_condition_holds() -> None:
    base = _verdicts(OPENS.read_text(encoding="utf-8"))
    assert base == {"talks_only_after_releases": "holds", "talks_open_eventually": "violated"}
    plain = _verdicts(_text(OPENS, ', opens_when: fulfilled("1")}', "}"))
    assert plain == {"talks_only_after_releases": "violated", "talks_open_eventually": "holds"}


# --------------------------------------------------------------------------- monitor


def _release(eid: str, day: int, actor: str, category: str, n: int) -> Event:
    return Event(
        id=eid,
        date=_on(day),
        actor=actor,
        action="release",
        category=category,
        quantity=n,
        source="s",
    )


def test_the_monitor_dates_a_triggered_duty_from_the_day_its_trigger_held() -> None:
    a = load(TRIGGERS)
    hostages = _release("h", 4, "a", "hostages", 4)
    on_time = monitor(a, [hostages, _release("p", 6, "b", "prisoners", 40)], entry_into_force=DAY1)
    # clause 1 is judged at its deadline (day 5): the trigger holds from then, so the
    # prisoners are due on day 8
    row = next(o for o in on_time.obligations if o.clause == "2")
    assert (row.status, row.due_day, row.opens) == ("fulfilled", 8, _on(5))
    late = monitor(
        a,
        [hostages, _release("p", 10, "b", "prisoners", 40)],
        entry_into_force=DAY1,
    )
    row = next(o for o in late.obligations if o.clause == "2")
    assert (row.status, row.due_day, row.late_days) == ("late", 8, 2)
    # released on the day the trigger held (day 5): the release counts for the duty
    same_day = monitor(
        a,
        [hostages, _release("p", 5, "b", "prisoners", 40)],
        entry_into_force=DAY1,
    )
    row = next(o for o in same_day.obligations if o.clause == "2")
    assert (row.status, row.fulfilled_on) == ("fulfilled", _on(5))
    assert same_day.surplus == {}
    # the hostages never came: nothing is due from Side B
    none = monitor(a, [_release("x", 9, "b", "prisoners", 1)], entry_into_force=DAY1, as_of=_on(12))
    row = next(o for o in none.obligations if o.clause == "2")
    assert (row.status, row.due_day) == ("pending", None)


def _fire(eid: str, day: int, actor: str) -> Event:
    return Event(id=eid, date=_on(day), actor=actor, action="hostilities", source="s")


def test_the_monitor_judges_an_act_by_the_condition_on_its_day() -> None:
    a = load(WHILE)
    kept = monitor(a, [_fire("b1", 6, "b")], entry_into_force=DAY1)
    assert [(v["id"], v["prohibited_by"]) for v in kept.violations] == [("b1", ["2"])]
    # Side A fired first (day 3): from the next day Side B is no longer bound
    broken = monitor(a, [_fire("a1", 3, "a"), _fire("b1", 6, "b")], entry_into_force=DAY1)
    assert [(v["id"], v["prohibited_by"]) for v in broken.violations] == [("a1", ["3"])]
    assert [x["id"] for x in broken.lawful_acts] == ["b1"]


def test_the_monitor_opens_talks_once_their_condition_holds() -> None:
    a = load(OPENS)
    agreed = [
        Event(
            id=f"g{who}",
            date=_on(12),
            actor=who,
            action="negotiations_agree",
            clause="4",
            source="s",
        )
        for who in ("a", "b")
    ]
    later = _on(14)
    done = monitor(
        a, [_release("h", 3, "a", "hostages", 3), *agreed], entry_into_force=DAY1, as_of=later
    )
    assert {p["id"]: p["status"] for p in done.phases}["two"] == "active"
    # no release: the talks never opened, so the logged agreement starts nothing
    stuck = monitor(a, agreed, entry_into_force=DAY1, as_of=later)
    assert {p["id"]: p["status"] for p in stuck.phases}["two"] == "pending"


# --------------------------------------------------------------------------- docs


def test_the_docs_examples_validate() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    section = guide[guide.index("### Conditions on norms") : guide.index("### Clauses without")]
    blocks = [b.split("```", 1)[0] for b in section.split("```yaml\n")[1:]]
    assert len(blocks) == 3
    clauses = "".join(
        "\n".join("    " + line for line in b.strip("\n").splitlines()) + "\n" for b in blocks
    )
    spec = f"""agreement:
  id: docs-conditions
  title: The examples of docs/language.md, Conditions on norms
  status: draft
  parties:
    - {{id: tplf, name: TPLF}}
    - {{id: government, name: Government of Ethiopia}}
    - {{id: israel, name: Israel}}
    - {{id: hamas, name: Hamas}}
    - {{id: ukraine, name: Ukraine}}
    - {{id: donetsk_luhansk, name: Certain areas of Donetsk and Luhansk}}
    - {{id: osce, name: OSCE, role: mediator}}
  sources:
    - {{id: nairobi_declaration, document: "Nairobi declaration, 12 Nov 2022", publisher: PA-X}}
    - {{id: national_text, document: "Gaza agreement text", publisher: The National}}
    - {{id: res_2202, document: "S/RES/2202 (2015), annex I", publisher: UN Security Council}}
  actions:
    - {{id: disarm_heavy_weapons, description: hand over heavy weapons}}
    - {{id: withdraw, description: withdraw forces}}
  phases:
    - {{id: phase1, name: Phase one, starts: entry_into_force, duration_days: 42, at_expiry: ends}}
    - {{id: withdrawal, name: Withdrawal, starts: {{after: phase1}}, duration_days: 14, at_expiry: ends}}
    - {{id: phase2, name: Phase two, starts: {{upon_agreement: talks}}}}
  clauses:
    - id: withdrawal
      text: Foreign and non-ENDF forces withdraw.
      source: nairobi_declaration
      obligation: {{debtor: government, creditor: tplf, action: withdraw, window: {{by: phase1 day 30}}}}
    - id: talks
      text: Talks on the second stage.
      source: national_text
      negotiation: {{between: [israel, hamas], scope: open, on_agreed: phase2}}
{clauses}"""
    a = detente.load_text(spec, "docs.yaml")
    duty, ban, talks = a.clause("2.1d").obligation, a.clause("I.1").prohibition, a.clause("4")
    assert duty is not None and duty.once == 'fulfilled("withdrawal")'
    assert ban is not None and ban.while_ == "open(talks) or not started(phase2)"
    assert talks.negotiation is not None
    assert talks.negotiation.opens_when == "started(withdrawal)"
    detente.check(a)  # and the checker reads them


def test_rounds_are_not_folded_when_a_condition_reads_stock_counts() -> None:
    from detente.semantics import System

    a = load(TRIGGERS)  # once: released(hostages) >= 4
    assert not System(a, abstract_rounds=True).abstract
    plain = detente.load_text(
        _text(TRIGGERS, "once: released(hostages) >= 4", 'once: fulfilled("1")'), "x.yaml"
    )
    assert System(plain, abstract_rounds=True).abstract
