"""Deadlines counted from a party's act recorded in the log ("24 hours after government
approval"): validate, the checker, the monitor and their agreement (docs/semantics.md,
"Time as texts write it"; the rule is semantics/acts.py)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

import detente
from detente.errors import SpecError
from detente.language.loader import load, load_text
from detente.monitor import Event, monitor
from detente.monitor.log import Log
from detente.monitor.replay import replay_path
from detente.semantics import System

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "constructs" / "act_anchor.yaml"
TEXT = FIXTURE.read_text()
ANCHOR = "after: {act: approve, by: gov}}}"


def _problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_text(text)
    return [p.message for p in info.value.problems]


# --------------------------------------------------------------------------- validate


def test_the_fixture_validates() -> None:
    a = load(FIXTURE)
    o = a.clause("1").obligation
    assert o is not None and o.act_anchor is not None and o.triggered


def test_an_unknown_act_or_party_says_did_you_mean() -> None:
    bad = TEXT.replace("after: {act: approve, by: gov}", "after: {act: aprove, by: gov}", 1)
    assert any("no action 'aprove'" in m and "did you mean 'approve'" in m for m in _problems(bad))
    bad = TEXT.replace("after: {act: approve, by: gov}", "after: {act: approve, by: gvo}", 1)
    assert any("no party 'gvo'" in m and "did you mean 'gov'" in m for m in _problems(bad))


def test_an_observer_or_a_group_holds_no_act() -> None:
    text = TEXT.replace(
        "    - {id: gov, name: Government}",
        "    - {id: gov, name: Government, answers_for: [militia]}\n"
        "    - {id: militia, name: A militia, role: non_signatory}\n"
        "    - {id: press, name: The press, role: observer}",
    )
    bad = text.replace("after: {act: approve, by: gov}", "after: {act: approve, by: militia}", 1)
    msgs = _problems(bad)
    assert any("'militia' is a non_signatory" in m and "name 'gov'" in m for m in msgs), msgs
    bad = text.replace("after: {act: approve, by: gov}", "after: {act: approve, by: press}", 1)
    assert any(
        "'press' is a observer" in m or "'press' is an observer" in m for m in _problems(bad)
    )


def test_a_duty_counted_from_an_act_does_not_recur() -> None:
    bad = TEXT.replace(ANCHOR, ANCHOR[:-1] + ", recurrence: {every_days: 1}}", 1)
    assert any("falls due once" in m for m in _problems(bad))


# --------------------------------------------------------------------------- the checker


def test_checker_the_duty_exists_only_once_the_act_is_done() -> None:
    r = detente.check(FIXTURE)
    verdicts = {e.name: e.verdict for e in r.expectations}
    assert verdicts["a_complying_never_violates_it"] == "holds"
    assert verdicts["decided_once_due"] == "holds"
    assert verdicts["deployment_not_before_withdrawal_is_due"] == "holds"
    # the approval may never come: nothing falls due, nothing is decided
    assert verdicts["always_decided"] == "violated"
    # it may come in phase two, and the deadline is counted from it there
    assert verdicts["not_owed_in_phase_two"] == "violated"
    assert verdicts["deployment_not_owed_in_phase_two"] == "violated"
    missed = next(e for e in r.expectations if e.name == "may_be_violated")
    assert missed.verdict == "violated"
    assert [s.day for s in missed.story] == [1, 2]  # approved on day 1, due 24 hours later
    assert "Government does the act 'approve'" in missed.story[0].text
    assert "within 24 hours of that act" in missed.story[0].text
    assert "Side A does not do what clause 1 requires" in missed.story[1].text


def test_checker_counted_from_entry_into_force_the_duty_is_always_due() -> None:
    """The same spec with the deadline counted from entry into force: the duty is always
    decided, so the verdict that depended on the act changes."""
    text = TEXT.replace("after: {act: approve, by: gov}", "after: entry_into_force")
    r = detente.check(load_text(text))
    verdicts = {e.name: e.verdict for e in r.expectations}
    assert verdicts["always_decided"] == "holds"
    assert verdicts["not_owed_in_phase_two"] == "holds"
    assert verdicts["deployment_not_owed_in_phase_two"] == "holds"


# --------------------------------------------------------------------------- the monitor


def _event(n: int, date: str, time: str | None, actor: str, action: str) -> Event:
    return Event(
        id=f"e{n}",
        date=dt.date.fromisoformat(date),
        time=time,
        actor=actor,
        action=action,
        source="https://example.org/log",
    )


AS_OF = dt.date(2025, 1, 30)


def test_monitor_counts_hours_from_the_logged_act_to_the_minute() -> None:
    a = load(FIXTURE)  # entry into force 19 Jan 2025, 08:00
    approved = _event(1, "2025-01-20", "18:00", "gov", "approve")
    r = monitor(a, [approved, _event(2, "2025-01-21", "20:30", "a", "withdraw")], as_of=AS_OF)
    one = r.obligation("1")
    assert one.due_at == dt.datetime(2025, 1, 21, 18, 0)
    assert (one.status, one.late_hours, one.describe()) == ("late", 3, "late by 3 hours")
    on_time = monitor(a, [approved, _event(2, "2025-01-21", "17:59", "a", "withdraw")], as_of=AS_OF)
    assert on_time.obligation("1").status == "fulfilled"
    # the deployment, counted in days from the same act, is due on 23 January
    dep = r.obligation("1b")
    assert (dep.due, dep.status) == (dt.date(2025, 1, 23), "not_recorded")


def test_monitor_no_act_logged_leaves_the_duty_pending_however_late() -> None:
    a = load(FIXTURE)
    r = monitor(a, [_event(1, "2025-01-21", "09:00", "a", "withdraw")], as_of=AS_OF)
    assert r.obligation("1").status == "pending"
    assert r.obligation("1").due is None


def test_monitor_an_act_without_a_time_compares_dates() -> None:
    a = load(FIXTURE)
    log = [
        _event(1, "2025-01-20", None, "gov", "approve"),
        _event(2, "2025-01-21", "23:00", "a", "withdraw"),
    ]
    r = monitor(a, log, as_of=AS_OF)
    one = r.obligation("1")
    assert (one.due, one.status, one.late_hours) == (dt.date(2025, 1, 21), "fulfilled", None)
    late = monitor(a, [log[0], _event(2, "2025-01-23", None, "a", "withdraw")], as_of=AS_OF)
    assert (late.obligation("1").status, late.obligation("1").late_days) == ("late", 2)


def test_the_replay_does_the_act_on_its_logged_day() -> None:
    """The monitor reads the act off the replayed path: the same system, one run of it."""
    a = load(FIXTURE)
    log = Log(a, dt.date(2025, 1, 19))
    for e in (_event(1, "2025-01-22", "07:00", "gov", "approve"),):
        log.add(e, e.date)
    path = replay_path(a, log, 12)
    assert path.triggered == {"1": 4, "1b": 4}
    assert path.outcomes["1"][0] == "not_recorded" and path.outcomes["1"][1] == 5
    assert path.outcomes["1b"][1] == 7
    m = System(a)
    assert m.anchor_acts == [("gov", "approve")]


# --------------------------------------------------------------------------- the guide


def _guide_block(heading: str) -> str:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "language.md").read_text()
    section = guide.split(heading, 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_guides_example_validates_and_checks() -> None:
    block = _guide_block("### Counted from a party's act")
    head = """\
agreement:
  id: plan
  title: Point 4 of the plan
  status: draft
  parties:
    - {id: israel, name: Israel}
    - {id: hamas, name: Hamas}
  sources:
    - {id: wh_plan, document: "The White House, 29 September 2025"}
  stocks:
    - {id: hostages, name: Hostages, holder: hamas, count: 48}
  phases:
    - {id: one, name: One, starts: entry_into_force}
  expectations:
    - {name: never_owed, formula: G not in_effect("4")}
"""
    a = load_text(head + textwrap.indent(block, "  "))
    o = a.clause("4").obligation
    assert o is not None and o.act_anchor is not None and o.act_anchor.by == "israel"
    assert detente.check(a).expectations[0].verdict == "violated"
