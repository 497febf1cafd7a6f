"""Recurring duties keep falling due while their phase continues (issue 12, item 3): in the
checker's time abstraction, in the monitor's replay, and on the January 2025 log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import detente
from detente.language.loader import load
from detente.monitor import Event, iter_events, monitor
from detente.semantics import System
from detente.semantics.continuing import continuing_clauses, days_between
from detente.semantics.tables import CONTINUING

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "constructs" / "recurring_continuing.yaml"
JAN = ROOT / "examples" / "jan-2025-ceasefire"
EIF = dt.date(2024, 1, 1)


def _event(n: int, day: int, actor: str, action: str, **kw: object) -> Event:
    return Event(
        id=f"e{n}",
        date=EIF + dt.timedelta(days=day - 1),
        actor=actor,
        action=action,
        source="https://example.org/log",
        **kw,  # type: ignore[arg-type]
    )


def test_which_duties_go_on() -> None:
    """Only recurring duties running to the end of a continues_while phase go on."""
    fixture = {p: [c.id for c in cs] for p, cs in continuing_clauses(load(FIXTURE)).items()}
    assert fixture == {"one": ["aid", "reports"]}  # not `lists`, which ends on day 2
    jan = {
        p: [c.id for c in cs] for p, cs in continuing_clauses(load(JAN / "agreement.yaml")).items()
    }
    assert jan == {"phase1": ["aid", "fuel"]}  # not the weekly names, due by day 41
    assert days_between(1, 2, 3, 8) == [5, 7] and days_between(6, 7, 42, 50) == [48]


def test_the_checker_lets_the_aid_be_missed_while_the_phase_continues() -> None:
    verdicts = {e.name: e.verdict for e in detente.check(load(FIXTURE)).expectations}
    assert verdicts["aid_never_first_missed_after_expiry"] == "violated"
    assert verdicts["reports_never_first_missed_after_expiry"] == "violated"
    assert verdicts["lists_never_first_missed_after_expiry"] == "holds"
    assert verdicts["aid_binds_while_talks_go_on"] == "holds"
    assert verdicts["aid_ends_with_phase_one"] == "holds"


def test_the_later_point_of_a_continuing_phase_has_the_duty_due() -> None:
    """The explorer's state at the repeating later point, phase one continuing: the daily aid
    and the every-other-day reports fall due there; the lists do not."""
    m = System(load(FIXTURE))
    state = m.initial
    for _ in range(12):
        arrived, _ = m.arrive(state)
        if m.is_later(arrived) and m.phase_status(arrived, 0) == CONTINUING:
            break
        # nobody agrees, nobody violates: the first option of every choice
        _, state = m.apply(arrived, [c.options[0] for c in m.choices(arrived)])
    else:
        raise AssertionError("phase one never reached its later point while continuing")
    assert sorted(d.clause for d in m.duties_due(arrived)) == ["aid", "reports"]
    assert m.in_effect("aid", arrived) and not m.in_effect("lists", arrived)


def test_the_replay_keeps_the_aid_due_until_the_phase_is_over() -> None:
    """Phase one (3 days) continues from day 4 while the talks go on; they agree on day 7,
    so phase one is over from day 8. Aid instances 4 to 7 fall due; a logged breach (day 6)
    is a violation, a missing record (day 7) is not recorded; nothing is due on day 8 on,
    so aid delivered on day 9 goes to the oldest overdue instance, late, not to a new one."""
    agreement = load(FIXTURE)
    events = [
        *(_event(d, d, "a", "aid", clause="aid") for d in (1, 2, 3, 4, 5)),
        _event(6, 6, "a", "breach", clause="aid", round=6),
        _event(7, 7, "a", "negotiations_agree", clause="talks"),
        _event(8, 7, "b", "negotiations_agree", clause="talks"),
        _event(9, 9, "a", "aid", clause="aid"),
    ]
    r = monitor(agreement, events, entry_into_force=EIF, as_of=EIF + dt.timedelta(days=9))
    aid = {o.id: o.status for o in r.obligations if o.clause == "aid"}
    assert aid == {
        "aid#1": "fulfilled",
        "aid#2": "fulfilled",
        "aid#3": "fulfilled",
        "aid#4": "fulfilled",
        "aid#5": "fulfilled",
        "aid#6": "late",
        "aid#7": "not_recorded",
    }
    six = next(o for o in r.obligations if o.id == "aid#6")
    assert six.breached and six.late_days == 3
    reports = {o.id: o.status for o in r.obligations if o.clause == "reports"}
    # every other day: days 1 and 3 in the phase's days, 5 and 7 while it continues
    assert reports == {f"reports#{n}": "not_recorded" for n in (1, 2, 3, 4)}
    assert [o.due_day for o in r.obligations if o.clause == "reports"] == [1, 3, 5, 7]
    assert r.phases[0]["status"] == "done"
    assert r.phases[0]["ended"] == (EIF + dt.timedelta(days=7)).isoformat()  # over from day 8
    lists = [o.id for o in r.obligations if o.clause == "lists"]
    assert lists == ["lists#1", "lists#2"]  # a duty with a fixed last day stops there


def test_a_phase_still_continuing_shows_its_instances_up_to_today() -> None:
    agreement = load(FIXTURE)
    r = monitor(agreement, [], entry_into_force=EIF, as_of=EIF + dt.timedelta(days=5))
    assert [o.id for o in r.obligations if o.clause == "aid"][-1] == "aid#6"
    assert r.phase is not None and r.phase["status"] == "continuing"
    assert all(o.status == "not_recorded" for o in r.obligations if o.clause == "aid")


def test_the_halt_of_2_march_2025_is_flagged_as_the_record_says() -> None:
    """January 2025: phase one continued past 1 March while the talks on phase two went on,
    so the 600 trucks a day (and 50 of fuel) stayed due. The log's breach of 2 March (the
    PMO's halt of all goods) makes that day's instances violated; the days after, with no
    row of their own, are not recorded, never violated."""
    agreement = load(JAN / "agreement.yaml")
    r = monitor(agreement, iter_events(JAN / "events.csv", agreement))
    after = {
        o.id: o
        for o in r.obligations
        if o.clause in ("aid", "fuel") and o.due is not None and o.due > dt.date(2025, 3, 1)
    }
    assert after["aid#43"].due == dt.date(2025, 3, 2)
    assert after["aid#43"].status == "violated" and after["aid#43"].breached
    assert after["fuel#43"].status == "violated" and after["fuel#43"].breached
    rest = [o for k, o in after.items() if k not in ("aid#43", "fuel#43")]
    assert rest and all(o.status == "not_recorded" and not o.breached for o in rest)
    last = max(o.due for o in after.values() if o.due is not None)
    assert last == r.as_of == dt.date(2025, 3, 18)  # due every day while phase one continues
    assert len(after) == 2 * 17
    halt = next(e for e in iter_events(JAN / "events.csv", agreement) if e.id == "jan25-044")
    assert halt.action == "breach" and "Prime Minister's Office" in (halt.notes or "")
