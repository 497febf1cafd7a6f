"""A duty counted from a party's act done at a phase's expiry point, where no phase is
running, falls due on the act's day plus its days, in the checker as in the monitor
(found by the randomized differential test).

Phase p1 lasts 4 days and says nothing about its expiry, so it expires on day 5; p2
starts after p1 upon the agreement of the talks n1. On day 5, p1's expiry point, party a
approves (the act duty o1 is counted from: ``within: {days: 2}``) and n1 is agreed, so
p2 starts on day 6.

- The checker counts o1's two days in p1's days from the act's day (p1's day 7) and
  carries them into p2 when it starts (p2's day 2, day 7): o1 falls due there, not at
  p2's first point (day 6).
- The monitor's replay counts them from the act's day too: o1 falls due on day 7.

Done at the "later" point after p1's expiry instead (a day after day 5), with n1 agreed
there, the act makes o1 fall due on p2's day 2 as well, the act's day plus two: p2's
day 1 is the day after that point.
"""

from __future__ import annotations

import datetime as dt

from detente.language.loader import load_text
from detente.language.model import Agreement
from detente.monitor import Event, monitor
from detente.semantics import System
from detente.semantics.acts import ActDone
from detente.semantics.events import Agreed, Fulfilled
from tests.logs import logged

SPEC = """\
agreement:
  id: act-at-expiry
  title: A duty counted from an act done at a phase's expiry point
  status: draft
  parties:
    - {id: a, name: Side A}
    - {id: b, name: Side B}
  sources:
    - {id: s, document: "Test fixture, not a real agreement"}
  stocks:
    - {id: h, holder: a, name: hostages, count: 1, unit: persons}
  actions:
    - {id: approve, description: Side A approves the plan}
  phases:
    - {id: p1, name: Phase 1, starts: entry_into_force, duration_days: 4, at_expiry: unspecified}
    - {id: p2, name: Phase 2, starts: {after: p1, upon_agreement: n1}, duration_days: 5, at_expiry: ends}
  clauses:
    - id: n1
      text: The parties negotiate phase 2.
      source: s
      phase: p1
      negotiation: {between: [a, b], scope: {open: true}}
    - id: o1
      text: Side A releases a hostage within two days of approving the plan.
      source: s
      obligation:
        debtor: a
        creditor: b
        action: release
        quantity: 1
        category: h
        window: {within: {days: 2}, after: {act: approve, by: a}}
"""
EIF = dt.date(2024, 1, 1)


def agreement() -> Agreement:
    return load_text(SPEC, "act-at-expiry.yaml")


def checker_due_days(act_at: tuple[str, int | None]) -> list[tuple[str, int | None]]:
    """The checker's run in which a approves and n1 is agreed at the point ``act_at``
    (phase, day; None: the "later" point), o1 fulfilled when it falls due: the (phase,
    day) of every point where o1 is due."""
    ag = agreement()
    m = System(ag, {c.id for c in ag.clauses})
    s = m.initial
    due: list[tuple[str, int | None]] = []
    for _ in range(6):
        arrived, _passed = m.arrive(s)
        at = (m.phases[arrived[1]], m.local_day(arrived))
        picks = []
        for c in m.choices(arrived):
            opt = c.options[0]
            for o in c.options:
                if at == act_at and isinstance(o.act, (ActDone, Agreed)):
                    opt = o
                if isinstance(o.act, Fulfilled) and o.act.clause == "o1":
                    opt = o
                    due.append(at)
            picks.append(opt)
        _made, s = m.apply(arrived, picks)
    return due


def events(act_day: int = 5) -> list[Event]:
    rows = [
        (1, "a", "negotiations_start", "n1", None, None),
        (1, "b", "negotiations_start", "n1", None, None),
        (act_day, "a", "approve", None, None, None),
        (act_day, "a", "negotiations_agree", "n1", None, None),
        (act_day, "b", "negotiations_agree", "n1", None, None),
        (act_day + 2, "a", "release", "o1", 1, "h"),
    ]
    columns = ("actor", "action", "clause", "quantity", "category")
    return logged(EIF, columns, rows, "https://example.org/log")


def test_the_checker_makes_the_duty_due_on_the_acts_day_plus_its_days() -> None:
    """Due once, at p2's day 2 (day 7): not at p2's first point (day 6)."""
    assert checker_due_days(("p1", 5)) == [("p2", 2)]


def test_done_at_the_later_point_the_duty_is_due_on_the_next_phases_day_two() -> None:
    assert checker_due_days(("p1", None)) == [("p2", 2)]


def test_the_monitor_makes_the_duty_due_on_the_same_day() -> None:
    ag = agreement()
    on_6 = monitor(ag, events(), entry_into_force=EIF, as_of=EIF + dt.timedelta(days=5))
    assert [p["status"] for p in on_6.phases] == ["done", "active"]
    o1 = on_6.obligation("o1")
    assert (o1.status, o1.due_day, o1.due_in_days) == ("due", 7, 1)
    on_7 = monitor(ag, events(), entry_into_force=EIF, as_of=EIF + dt.timedelta(days=6))
    o1 = on_7.obligation("o1")
    assert (o1.status, o1.due_day) == ("fulfilled", 7)
    assert on_7.totals["a"]["h"] == 1


def test_done_the_day_after_the_expiry_the_monitor_makes_it_due_two_days_later() -> None:
    ag = agreement()
    report = monitor(ag, events(6), entry_into_force=EIF, as_of=EIF + dt.timedelta(days=6))
    assert [p["status"] for p in report.phases] == ["done", "active"]
    o1 = report.obligation("o1")
    assert (o1.status, o1.due_day, o1.due_in_days) == ("due", 8, 1)
