"""Time as texts write it: deadlines in hours counted from an anchor, and day 0 counting.

One rule (docs/semantics.md, "Time as texts write it"), read by validate, the checker,
the monitor, stories and reports."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

import detente
from detente.errors import SpecError
from detente.language.loader import load, load_text
from detente.monitor import Event, monitor
from detente.semantics import System, anchors
from detente.semantics.schedule import instances, phase_spans

CONSTRUCTS = Path(__file__).resolve().parent / "fixtures" / "constructs"
ANCHORS = CONSTRUCTS / "anchors.yaml"
DAY_ZERO = CONSTRUCTS / "day_zero.yaml"


def _spec(clauses: str, *, counting: str = "day_one", phase_days: int = 10) -> str:
    return textwrap.dedent(
        """\
        agreement:
          id: t
          title: T
          status: draft
          counting: {counting}
          parties:
            - {{id: a, name: Side A}}
            - {{id: b, name: Side B}}
          sources:
            - {{id: s, document: "made up"}}
          phases:
            - {{id: one, name: One, starts: entry_into_force, duration_days: {days}, at_expiry: ends}}
            - {{id: two, name: Two, starts: {{after: one}}, duration_days: 5, at_expiry: ends}}
          clauses:
        """
    ).format(counting=counting, days=phase_days) + textwrap.indent(textwrap.dedent(clauses), "    ")


WITHDRAW = """\
- id: "1"
  text: A withdraws within 72 hours of entry into force.
  source: s
  obligation: {debtor: a, creditor: b, action: withdraw, window: WINDOW}
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_text(text)
    return [p.message for p in info.value.problems]


# --------------------------------------------------------------------------- validate


def test_anchor_references_say_did_you_mean() -> None:
    text = _spec(
        WITHDRAW.replace("WINDOW", "{after: entry_into_force, within: {hours: 72}}")
        + """\
- id: "2"
  text: B opens the crossing 24 hours after the withdrawal.
  source: s
  obligation:
    debtor: b
    creditor: a
    action: aid
    window: {after: {fulfilled: "11"}, within: {hours: 24}}
- id: "3"
  text: B deploys within 2 days of phase two's start.
  source: s
  obligation: {debtor: b, creditor: a, action: aid, window: {after: {phase: tow}, within: {days: 2}}}
"""
    )
    problems = _problems(text)
    assert "no clause '11' in this agreement; did you mean '1'?" in problems
    assert "no phase 'tow' in this agreement; did you mean 'two'?" in problems


def test_a_deadline_past_its_phase_is_an_error_at_within() -> None:
    text = _spec(WITHDRAW.replace("WINDOW", "{after: entry_into_force, within: {hours: 240}}"))
    (problem,) = _problems(text)
    assert "10 days" not in problem and "falls after the last day of 'one'" in problem
    # 216 hours (9 days) from day 1 is day 10, the last: fine
    load_text(_spec(WITHDRAW.replace("WINDOW", "{after: entry_into_force, within: {hours: 216}}")))


def test_window_shapes_and_day_zero_need_their_words() -> None:
    both = WITHDRAW.replace(
        "WINDOW", "{by: one day 3, after: entry_into_force, within: {hours: 2}}"
    )
    assert any("not both" in p for p in _problems(_spec(both)))
    bare = WITHDRAW.replace("WINDOW", "{within: {hours: 2}}")
    assert any("`after`" in p for p in _problems(_spec(bare)))
    day0 = WITHDRAW.replace("WINDOW", "{by: {phase: one, day: 0}}")
    assert any("counting: day_zero" in p for p in _problems(_spec(day0)))
    load_text(_spec(day0, counting="day_zero"))
    itself = WITHDRAW.replace("WINDOW", '{after: {fulfilled: "1"}, within: {hours: 2}}')
    assert any("its own clause" in p for p in _problems(_spec(itself)))


# --------------------------------------------------------------------------- the schedule


def test_hours_round_up_to_days_from_their_anchor() -> None:
    a = load(ANCHORS)
    due = {i.clause: (i.phase, i.day_in_phase) for i in instances(a, phase_spans(a))}
    assert due["1"] == ("one", 4)  # 72 hours after day 1: day 4
    assert due["2"] == ("one", 6)  # 30 hours (2 days, rounded up) after clause 1's day 4
    assert due["4"] == ("two", 3)  # 2 days after phase two's first day


def test_day_zero_counts_the_first_day_as_zero() -> None:
    a = load(DAY_ZERO)
    spans = phase_spans(a)
    # a 60-day period from day 0 runs to day 60: 61 days; phase two starts on (text) day 61
    assert (spans["one"].start, spans["one"].expires) == (1, 62)
    assert spans["two"].start == 62
    due = {i.clause: i.due for i in instances(a, spans)}
    assert due == {"1": 61, "2": 62}
    assert [anchors.shown(a, d) for d in (61, 62)] == [60, 61]


# --------------------------------------------------------------------------- the checker


def test_checker_a_duty_counted_from_a_clause_waits_for_its_fulfilment() -> None:
    r = detente.check(ANCHORS)
    verdicts = {e.name: e.verdict for e in r.expectations}
    assert verdicts["crossing_only_after_withdrawal"] == "holds"
    assert verdicts["maps_only_in_phase_two"] == "holds"
    assert verdicts["crossing_always_opens"] == "violated"
    missed = next(e for e in r.expectations if e.name == "crossing_never_missed")
    assert missed.verdict == "violated"
    assert [s.day for s in missed.story] == [1, 4, 6]
    assert "Side A complies with clause 1" in missed.story[1].text


def test_checker_without_the_anchor_the_crossing_could_open_first() -> None:
    """The same spec with the crossing due on a fixed day: the order is no longer kept."""
    text = ANCHORS.read_text().replace(
        '{after: {fulfilled: "1"}, within: {hours: 30}}', "{by: one day 2}"
    )
    r = detente.check(load_text(text))
    verdicts = {e.name: e.verdict for e in r.expectations}
    assert verdicts["crossing_only_after_withdrawal"] == "violated"


def test_checker_story_numbers_days_as_the_text_does() -> None:
    r = detente.check(DAY_ZERO)
    missed = next(e for e in r.expectations if e.name == "withdrawal_never_missed")
    assert missed.verdict == "violated"
    assert [s.day for s in missed.story] == [0, 60]
    assert missed.story[-1].text.startswith("Day 60:")
    assert {e.name: e.verdict for e in r.expectations}["completes_if_all_comply"] == "holds"


# --------------------------------------------------------------------------- the monitor


def _event(n: int, date: str, time: str | None, actor: str, action: str, clause: str) -> Event:
    return Event(
        id=f"e{n}",
        date=dt.date.fromisoformat(date),
        time=time,
        actor=actor,
        action=action,
        clause=clause,
        source="https://example.org/log",
    )


def test_monitor_compares_hours_and_reports_lateness_in_hours() -> None:
    a = load(ANCHORS)  # entry into force 19 Jan 2025 at 08:30
    log = [
        _event(1, "2025-01-22", "10:00", "a", "withdraw", "1"),  # due 22 Jan 08:30
        _event(2, "2025-01-23", "15:00", "b", "aid", "2"),  # due 23 Jan 16:00
    ]
    r = monitor(a, log, as_of=dt.date(2025, 1, 28))
    one, two = r.obligation("1"), r.obligation("2")
    assert one.due_at == dt.datetime(2025, 1, 22, 8, 30)
    assert (one.status, one.late_hours, one.describe()) == ("late", 2, "late by 2 hours")
    # counted from the withdrawal as logged (10:00), not from its deadline
    assert two.due_at == dt.datetime(2025, 1, 23, 16, 0)
    assert two.status == "fulfilled"
    late = monitor(
        a,
        [log[0], _event(2, "2025-01-23", "20:15", "b", "aid", "2")],
        as_of=dt.date(2025, 1, 28),
    )
    assert late.obligation("2").describe() == "late by 5 hours"
    assert late.obligation("2").to_json()["late_hours"] == 5


def test_monitor_an_anchor_that_never_happened_leaves_the_duty_pending() -> None:
    a = load(ANCHORS)
    r = monitor(a, [_event(1, "2025-01-20", "09:00", "b", "aid", "x")], as_of=dt.date(2025, 1, 28))
    assert r.obligation("1").status == "not_recorded"
    assert r.obligation("2").status == "pending"


def test_monitor_without_times_compares_days() -> None:
    a = load(ANCHORS)
    log = [_event(1, "2025-01-22", None, "a", "withdraw", "1")]
    r = monitor(a, log, as_of=dt.date(2025, 1, 28))
    assert (r.obligation("1").status, r.obligation("1").late_hours) == ("fulfilled", None)


def test_monitor_day_zero_report_numbers_days_as_the_text_does() -> None:
    a = load(DAY_ZERO)
    log = [_event(1, "2025-03-01", None, "a", "withdraw", "1")]
    r = monitor(a, log, entry_into_force=dt.date(2025, 1, 1), as_of=dt.date(2025, 3, 2))
    o = r.obligation("1")
    # day 60 counted from day 0 on 1 Jan 2025 is 2 March
    assert (o.due, o.due_day, o.status) == (dt.date(2025, 3, 2), 60, "fulfilled")
    assert r.day == 60


def test_the_same_system_replays_and_explores() -> None:
    """Both read one table: the anchored duty sits on the point the checker explores."""
    m = System(load(ANCHORS))
    days = [p.day for p in m.pts[0]]
    assert 4 in days and 6 in days
