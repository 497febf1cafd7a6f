"""Replay of a hand-made log through the semantic core: every status a monitor reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import detente
from detente.language.loader import load
from detente.language.model import Agreement
from detente.monitor import Event, MonitorReport, iter_events, monitor

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC = FIXTURES / "monitor_spec.yaml"
LOG = FIXTURES / "monitor_events.csv"


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return load(SPEC)


def report_on(agreement: Agreement, day: str) -> MonitorReport:
    return monitor(agreement, iter_events(LOG, agreement), as_of=dt.date.fromisoformat(day))


def test_monitor_is_public_api(agreement: Agreement) -> None:
    report = detente.monitor(agreement, detente.iter_events(LOG, agreement))
    assert isinstance(report, detente.MonitorReport)
    assert report.as_of == dt.date(2024, 1, 14), "default: the log's last date"


def test_on_time_late_and_violated(agreement: Agreement) -> None:
    r = report_on(agreement, "2024-01-04")
    assert r.obligation("2/r1/release/hostages").describe() == "fulfilled on time"
    late = r.obligation("2/r1/counter/prisoners")
    assert (late.status, late.late_days, late.fulfilled_on) == ("late", 1, dt.date(2024, 1, 2))
    assert r.obligation("4#1").status == "fulfilled"
    assert r.obligation("4#2").describe() == "late by 1 day"
    # Nothing logged for day 3's trucks: not recorded, never violated on silence alone.
    assert r.obligation("4#3").describe() == "not recorded (nothing logged by its deadline)"
    strict = monitor(
        agreement,
        iter_events(LOG, agreement),
        as_of=dt.date(2024, 1, 4),
        absence_is_violation=True,
    )
    assert strict.obligation("4#3").status == "violated"
    assert strict.obligation("4#2").describe() == "late by 1 day"
    assert "violation" in strict.reading and "not recorded" in r.reading


def test_due_in_n_days_and_next_deadlines(agreement: Agreement) -> None:
    r = report_on(agreement, "2024-01-04")
    o = r.obligation("2/r2/release/hostages")
    assert (o.status, o.due_in_days, o.describe()) == ("due", 1, "due in 1 day")
    ids = [d["id"] for d in r.next_deadlines]
    assert ids[:4] == [
        "2/r2/counter/prisoners",
        "2/r2/release/hostages",
        "3/start/a",
        "3/start/b",
    ]
    assert ids[-1] == "one/expiry"
    assert r.obligation("6").status == "pending"
    assert r.phase is not None and r.phase["id"] == "one" and r.phase["day_in_phase"] == 4


def test_negotiations_agree_starts_the_next_phase(agreement: Agreement) -> None:
    r = report_on(agreement, "2024-01-13")
    assert r.phase is not None and r.phase["id"] == "two"
    # Phase one ran out on day 11, continued while the talks were open, agreed on day 12.
    assert r.phase["start"] == "2024-01-13"
    assert r.obligation("6").due == dt.date(2024, 1, 15)
    assert r.obligation("6").describe() == "due in 2 days"


def test_termination_discharges_open_obligations(agreement: Agreement) -> None:
    r = report_on(agreement, "2024-01-20")
    assert r.agreement_status == "terminated"
    assert r.phase is None
    assert r.obligation("6").status == "discharged"
    assert r.powers[0]["lawful"] is True and r.powers[0]["power"] == "end_agreement"
    # What had fallen due unrecorded stays so; termination discharges only what was not yet due.
    assert r.obligation("4#3").status == "not_recorded"


def test_a_power_not_yet_available_is_not_lawful(agreement: Agreement) -> None:
    rows = [
        Event(
            id="x", date=dt.date(2024, 1, 3), actor="a", action="exercise", source="s", clause="5"
        )
    ]
    r = monitor(agreement, rows, as_of=dt.date(2024, 1, 20))
    assert r.powers[0]["lawful"] is False
    assert r.agreement_status == "in_force"


def test_disputed_events_are_shown_both_ways(agreement: Agreement) -> None:
    r = report_on(agreement, "2024-01-20")
    other = r.without_disputed
    assert other is not None
    assert r.obligation("2/r2/counter/prisoners").status == "fulfilled"
    assert other.obligation("2/r2/counter/prisoners").status == "not_recorded"
    assert [v["id"] for v in r.violations] == ["e9"]
    assert r.violations[0]["verification"] == "disputed"
    assert r.violations[0]["source"] == "https://example.org/strike"
    assert other.violations == []
    rows = {d["id"]: d for d in r.disputed}
    assert rows["e9"]["without"] == "not counted (disputed)"
    assert rows["totals/b/prisoners"]["with"] == 50 and rows["totals/b/prisoners"]["without"] == 20
    assert {e["id"] for e in r.disputed_events} == {"e8", "e9"}


def test_totals_per_party_and_category(agreement: Agreement) -> None:
    r = report_on(agreement, "2024-01-20")
    assert r.totals == {"a": {"hostages": 5}, "b": {"prisoners": 50}}
    assert report_on(agreement, "2024-01-03").totals == {
        "a": {"hostages": 2},
        "b": {"prisoners": 20},
    }


def test_ledger_rounds_with_ratios(agreement: Agreement) -> None:
    r = report_on(agreement, "2024-01-20")
    first, second = r.ledger
    assert first["release_due"] == {"hostages": 2} and first["counter_due"] == {"prisoners": 20}
    assert first["status"] == "late" and first["late_days"] == 1
    assert first["ratio_agreed"] == 10 and first["ratio_achieved"] == 10
    assert second["status"] == "fulfilled" and second["delivered_on"] == "2024-01-05"


def test_releases_go_to_rounds_in_order(agreement: Agreement) -> None:
    events = [
        Event(id="a1", date=dt.date(2024, 1, 1), actor="a", action="release", source="s",
              quantity=1, category="hostages"),
        Event(id="a2", date=dt.date(2024, 1, 3), actor="a", action="release", source="s",
              quantity=4, category="hostages"),
    ]  # fmt: skip
    r = monitor(agreement, events, as_of=dt.date(2024, 1, 6))
    assert r.obligation("2/r1/release/hostages").describe() == "late by 2 days"
    assert r.obligation("2/r2/release/hostages").describe() == "fulfilled on time"


def test_week_precision_counts_from_the_latest_possible_day(agreement: Agreement) -> None:
    # 2024-01-01 is a Monday: "that week" may mean as late as Sunday 7 January.
    events = [
        Event(id="w", date=dt.date(2024, 1, 1), actor="a", action="release", source="s",
              quantity=2, category="hostages", date_precision="week"),
    ]  # fmt: skip
    r = monitor(agreement, events, as_of=dt.date(2024, 1, 9))
    assert r.obligation("2/r1/release/hostages").late_days == 6


def test_json_shape(agreement: Agreement) -> None:
    data = report_on(agreement, "2024-01-20").to_json()
    for key in ("obligations", "ledger", "totals", "phase", "next_deadlines", "violations",
                "powers", "disputed", "as_of", "agreement"):  # fmt: skip
        assert key in data
    o = data["obligations"][1]
    assert {"id", "clause", "debtor", "due", "status", "fulfilled_on", "late_days"} <= set(o)
    assert o["fulfilled_on"] == "2024-01-02" and o["late_days"] == 1
    assert data["as_of"] == "2024-01-20"
    assert data["without_disputed"]["totals"]["b"]["prisoners"] == 20


def test_entry_into_force_from_argument() -> None:
    text = SPEC.read_text(encoding="utf-8").replace(
        "  dates:\n    entry_into_force: 2024-01-01\n", ""
    )
    agreement = detente.load_text(text, "nodate.yaml")
    with pytest.raises(detente.SpecError, match="entry_into_force"):
        monitor(agreement, [])
    r = monitor(agreement, [], entry_into_force=dt.date(2024, 2, 1), as_of=dt.date(2024, 2, 2))
    assert r.obligation("2/r1/release/hostages").status == "not_recorded"


def test_real_logs_replay_to_the_public_totals() -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    nov = load(root / "nov-2023-truce/agreement.yaml")
    r = monitor(nov, iter_events(root / "nov-2023-truce/events.csv", nov))
    assert r.totals == {
        "hamas": {"women_children_hostages": 80},
        "israel": {"women_minor_prisoners": 240},
    }
    # Round 2's prisoners left prison after midnight: the one late side.
    assert [row["round"] for row in r.ledger if row["status"] != "fulfilled"] == [2]
    jan = load(root / "jan-2025-ceasefire/agreement.yaml")
    r = monitor(jan, iter_events(root / "jan-2025-ceasefire/events.csv", jan))
    assert r.totals["israel"] == {"prisoners": 1755}
    assert r.obligation("exchange/r1/counter/prisoners").describe() == "late by 1 day"
    assert [v["date"] for v in r.violations] == ["2025-03-18"]


# ----------------------------------------------------------------- any valid log


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ACTIONS = ("release", "aid", "withdraw", "hostilities", "negotiations_start",
            "negotiations_agree", "exercise", "announce")  # fmt: skip


@st.composite
def _events(draw: st.DrawFn) -> list[Event]:
    out = []
    for n in range(draw(st.integers(0, 25))):
        action = draw(st.sampled_from(_ACTIONS))
        actor = draw(st.sampled_from(("a", "b", "m")))
        quantity = category = clause = None
        if action == "release":
            actor = draw(st.sampled_from(("a", "b")))
            category = "hostages" if actor == "a" else "prisoners"
            quantity = draw(st.integers(0, 40))
        elif action == "exercise":
            # Unvalidated lists may name a clause that is no power, or none.
            clause = draw(st.sampled_from(("5", "5", "1", None, "zz")))
        elif action == "aid":
            quantity = draw(st.none() | st.integers(0, 20))
        out.append(
            Event(
                id=f"g{n}",
                date=dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(-3, 30))),
                actor=actor,
                action=action,
                source="s",
                quantity=quantity,
                category=category,
                clause=clause,
                verification=draw(st.sampled_from(("reported", "confirmed", "disputed"))),
                date_precision=draw(st.sampled_from(("day", "day", "week", "month"))),
            )
        )
    return out


@settings(max_examples=150, deadline=None)
@given(events=_events(), as_of=st.integers(-5, 40))
def test_any_valid_log_replays_consistently(events: list[Event], as_of: int) -> None:
    agreement = load(SPEC)
    day = dt.date(2024, 1, 1) + dt.timedelta(days=as_of)
    r = monitor(agreement, iter(events), as_of=day)
    counted = [e for e in events if e.earliest <= day and e.action == "release"]
    expected: dict[str, dict[str, int]] = {}
    for e in counted:
        assert e.category is not None and e.quantity is not None
        expected.setdefault(e.actor, {}).setdefault(e.category, 0)
        expected[e.actor][e.category] += e.quantity
    assert r.totals == expected
    for o in r.obligations:
        assert o.status in (
            "fulfilled", "late", "violated", "not_recorded", "due", "pending", "discharged"
        )  # fmt: skip
        # Only a logged breach makes a violation, and this log has none.
        assert o.status != "violated"
        assert (o.status == "late") == bool(o.late_days)
        if o.quantity is not None and o.status in ("fulfilled", "late"):
            assert o.delivered == o.quantity
    assert r.without_disputed is not None
    r.to_json()
