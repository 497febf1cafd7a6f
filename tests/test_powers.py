"""Powers as texts grant them (issue 11, item 4): self-defence, amendments, renewable terms.

Each construct: a checker verdict that could fail, and a replay of a small log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import detente
from detente.errors import SpecError
from detente.language.loader import load, load_text
from detente.language.model import Agreement, PowerAction
from detente.monitor import Event, monitor
from detente.semantics import System

CONSTRUCTS = Path(__file__).resolve().parent / "fixtures" / "constructs"
EIF = dt.date(2024, 1, 1)


def _on(day: int) -> dt.date:
    return EIF + dt.timedelta(days=day - 1)


def _event(n: int, day: int, actor: str, action: str, clause: str | None = None) -> Event:
    return Event(id=f"e{n}", date=_on(day), actor=actor, action=action, source="s", clause=clause)


def _verdicts(agreement: Agreement) -> dict[str, str]:
    return {e.name: e.verdict for e in detente.check(agreement).expectations}


def _problems(text: str) -> list[str]:
    try:
        load_text(text, "spec.yaml")
    except SpecError as exc:
        return [str(p) for p in exc.problems]
    return []


# --------------------------------------------------------------------------- self-defence


def test_validate_self_defence() -> None:
    text = (CONSTRUCTS / "self_defence.yaml").read_text()
    assert _problems(text) == []
    bad = text.replace("against: [b]", "against: [bb]")
    assert _problems(bad) == [
        "spec.yaml:20:58: error: no party 'bb' in this agreement; did you mean 'b'?"
    ]
    own = text.replace("against: [b]", "against: [a]")
    assert ["holds this power" in p for p in _problems(own)] == [True]
    other = text.replace("action: self_defence", "action: end_agreement")
    assert _problems(other) == [
        "spec.yaml:20:58: error: only self_defence takes `against`, not end_agreement"
    ]


def test_checker_self_defence_answers_attacks_and_keeps_the_ceasefire() -> None:
    verdicts = _verdicts(load(CONSTRUCTS / "self_defence.yaml"))
    assert verdicts == {
        "defence_keeps_the_ceasefire": "holds",
        "defence_answers_an_attack": "holds",
        # an exercise with no attack before it is possible, and a violation
        "defence_never_unfounded": "violated",
        "unfounded_defence_is_the_holders_violation": "holds",
        "defence_is_never_unfounded_for_a_compliant_holder": "holds",
    }


def test_checker_resume_hostilities_still_ends_the_ceasefire() -> None:
    a = load(CONSTRUCTS / "self_defence.yaml")
    power = a.clause("2").power
    assert power is not None
    power.action = PowerAction.resume_hostilities
    power.against = []
    # the one-shot power lets the holder fight lawfully with nobody having violated
    assert _verdicts(a)["defence_keeps_the_ceasefire"] == "violated"


SELF_DEFENCE_LOG = [
    _event(1, 3, "b", "hostilities"),  # an attack by B
    _event(2, 4, "a", "exercise", "2"),  # answered: lawful
    _event(3, 6, "a", "exercise", "2"),  # nothing left to answer: a violation
    _event(4, 8, "b", "hostilities"),  # a second attack
    _event(5, 8, "a", "exercise", "2"),  # answered the same day: lawful
    _event(6, 40, "a", "hostilities"),  # a strike weeks later, logged as such
    _event(7, 365, "a", "exercise", "2"),  # a year on, with no attack since day 8
]


def test_monitor_judges_each_self_defence_exercise_on_its_own() -> None:
    a = load(CONSTRUCTS / "self_defence.yaml")
    r = monitor(a, SELF_DEFENCE_LOG, entry_into_force=EIF)
    lawful = {p["id"]: p["lawful"] for p in r.powers}
    assert lawful == {"e2": True, "e3": False, "e5": True, "e7": False}
    violations = {v["id"] for v in r.violations}
    assert {"e1", "e4", "e6"} <= violations, "attacks and the later strike are violations"
    assert not r.lawful_acts
    assert r.agreement_status != "terminated"


def test_monitor_one_resumption_made_every_later_strike_lawful() -> None:
    """The encoding the issue reports: self-defence written as resume_hostilities. One
    exercise and every strike a year on reads as lawful; self_defence (above) does not."""
    a = load(CONSTRUCTS / "self_defence.yaml")
    power = a.clause("2").power
    assert power is not None
    power.action = PowerAction.resume_hostilities
    power.against = []
    log = [e for e in SELF_DEFENCE_LOG if e.actor == "a"]
    r = monitor(a, log, entry_into_force=EIF)
    assert "e6" in {x["id"] for x in r.lawful_acts}
    # the same log, with self-defence as the text grants it
    r = monitor(load(CONSTRUCTS / "self_defence.yaml"), log, entry_into_force=EIF)
    assert not r.lawful_acts and not any(p["lawful"] for p in r.powers)


# --------------------------------------------------------------------------- amendments


def test_checker_amendment_brings_back_a_phase_past_its_days() -> None:
    verdicts = _verdicts(load(CONSTRUCTS / "amendment.yaml"))
    assert verdicts == {
        "no_lapse": "holds",
        # the parties may agree an extension while phase one continues past its days
        "once_expired_stays_expired": "violated",
        "two_only_upon_agreement": "holds",
        "amended_means_still_in_phase_one": "holds",
    }


def test_checker_extend_phase_cannot_do_what_an_amendment_does() -> None:
    a = load(CONSTRUCTS / "amendment.yaml")
    clause = a.clause("3")
    assert clause.amendment is not None
    clause.power, clause.amendment = clause.amendment.as_power(), None
    # a power of the text is refused once the period has run out
    assert _verdicts(a)["once_expired_stays_expired"] == "holds"


def _phase(report: object, phase: str) -> dict[str, object]:
    rows = report.phases  # type: ignore[attr-defined]
    return next(dict(p) for p in rows if p["id"] == phase)


def test_monitor_reads_a_dated_amendment_after_the_days_ran_out() -> None:
    a = load(CONSTRUCTS / "amendment.yaml")
    log = [_event(1, 13, "m", "amend", "3")]  # the mediator records the parties' settlement
    r = monitor(a, log, entry_into_force=EIF, as_of=_on(15))
    assert [(p["id"], p["lawful"]) for p in r.powers] == [("e1", True)]
    assert r.powers[0]["power"] == "amendment"
    one = _phase(r, "one")
    assert one["status"] == "active" and one["extended_days"] == 7
    # past the new expiry (day 17), phase one continues again while the talks go on
    later = monitor(a, log, entry_into_force=EIF, as_of=_on(20))
    assert _phase(later, "one")["status"] == "continuing"
    # without the amendment it never came back
    none = monitor(a, [], entry_into_force=EIF, as_of=_on(15))
    assert _phase(none, "one")["status"] == "continuing"
    # once made, it is spent; and nobody outside it makes it
    twice = [*log, _event(2, 14, "a", "amend", "3")]
    r = monitor(a, twice, entry_into_force=EIF, as_of=_on(15))
    assert [(p["id"], p["lawful"]) for p in r.powers] == [("e1", True), ("e2", False)]
    assert r.powers[1]["reason"] == "already made"


def test_validate_amendment() -> None:
    text = (CONSTRUCTS / "amendment.yaml").read_text()
    assert _problems(text) == []
    assert _problems(text.replace("extends: one", "extends: onee")) == [
        "spec.yaml:26:45: error: no phase 'onee' in this agreement; did you mean 'one'?"
    ]
    assert _problems(text.replace("parties: [a, b], extends", "parties: [a, c], extends")) == [
        "spec.yaml:26:32: error: no party 'c' in this agreement"
    ]
    open_ended = text.replace("extends: one", "extends: two")
    assert ["open-ended" in p for p in _problems(open_ended)] == [True]


# --------------------------------------------------------------------------- renewable terms


def test_checker_a_renewable_term_is_renewed_at_most_times_times() -> None:
    a = load(CONSTRUCTS / "renewable.yaml")
    assert _verdicts(a)["never_renewed"] == "violated"
    m = System(a)
    seen, todo, added = {m.initial}, [m.initial], set()
    while todo:
        for t in m.successors(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
                added.add(m.days_added(t, 0))
    assert added == {0, 10, 20}  # never renewed, once, twice; never a third time


def test_monitor_reads_each_renewal_and_refuses_one_too_many() -> None:
    a = load(CONSTRUCTS / "renewable.yaml")
    log = [
        _event(1, 9, "a", "amend", "H"),  # before the term ends
        _event(2, 21, "g", "amend", "H"),  # on the day the renewed term ran out
        _event(3, 30, "b", "amend", "H"),  # a third time: not in the text
    ]
    r = monitor(a, log, entry_into_force=EIF, as_of=_on(25))
    assert [(p["id"], p["lawful"]) for p in r.powers] == [("e1", True), ("e2", True)]
    term = _phase(r, "term")
    assert term["status"] == "active" and term["extended_days"] == 20
    r = monitor(a, log, entry_into_force=EIF, as_of=_on(40))
    assert [p["lawful"] for p in r.powers] == [True, True, False]
    assert r.powers[2]["reason"] == "already made 2 times"
    assert _phase(r, "term")["status"] == "done"
    # not renewed on the day it ran out: the term is over
    late = monitor(a, [log[0]], entry_into_force=EIF, as_of=_on(25))
    assert _phase(late, "term")["status"] == "done"
