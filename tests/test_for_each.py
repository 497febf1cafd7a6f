"""Counter-releases per instalment as a construct of the language (``for_each``; docs/
language.md, "For each one returned"): validate's checks, the checker's one-step reading,
and the monitor's shares per delivery (rules: semantics/instalments.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.errors import SpecError
from detente.language.loader import load
from detente.monitor import Event, monitor

SPEC = Path(__file__).parent / "fixtures" / "constructs" / "instalments.yaml"
DAY1 = dt.date(2025, 1, 1)
FOR_EACH = 'for_each: {clause: "1", per_unit: 3}'


def _text(old: str, new: str) -> str:
    text = SPEC.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def _errors(text: str) -> str:
    with pytest.raises(SpecError) as info:
        detente.load_text(text, "spec.yaml")
    return str(info.value)


def _verdicts(text: str) -> dict[str, str]:
    return {
        e.name: e.verdict for e in detente.check(detente.load_text(text, "s.yaml")).expectations
    }


def _on(day: int) -> dt.date:
    return DAY1 + dt.timedelta(days=day - 1)


# --------------------------------------------------------------------------- validate


def test_the_counter_quantity_is_per_unit_times_the_release() -> None:
    assert load(SPEC).clause("2").obligation.quantity == 12  # type: ignore[union-attr]


def test_an_unknown_release_gets_a_did_you_mean_at_its_line() -> None:
    msg = _errors(_text(FOR_EACH, 'for_each: {clause: "11", per_unit: 3}'))
    assert "spec.yaml:24:" in msg and "no clause '11'" in msg and "did you mean '1'?" in msg
    assert msg.count("\n") == 0  # one root cause, one line


def test_the_release_answered_must_be_a_release_of_a_quantity() -> None:
    msg = _errors(_text(FOR_EACH, 'for_each: {clause: "3", per_unit: 3}'))
    assert "spec.yaml:24:" in msg and "clause '3' has no obligation" in msg
    msg = _errors(_text("category: remains, quantity: 4,", "category: remains,"))
    assert "clause '1' is a release with no `quantity`" in msg


def test_counter_releases_may_not_answer_each_other_in_a_cycle() -> None:
    msg = _errors(_text(FOR_EACH, 'for_each: {clause: "2", per_unit: 3}'))
    assert "cycle (2 -> 2)" in msg


def test_a_ratio_is_at_least_one_and_a_stated_quantity_must_add_up() -> None:
    msg = _errors(_text("per_unit: 3", "per_unit: 0"))
    assert msg == (
        "spec.yaml:24:113: error: clause '2', obligation, for_each: `per_unit` must be at "
        "least 1, not 0"
    )
    msg = _errors(_text(FOR_EACH, f"{FOR_EACH}, quantity: 10"))
    assert "3 for each of the 4 of clause 1 is 12, not 10" in msg
    assert load(SPEC).clause("2").obligation is not None
    detente.load_text(_text(FOR_EACH, f"{FOR_EACH}, quantity: 12"), "ok.yaml")


def test_each_share_has_its_days_and_no_window_or_trigger() -> None:
    msg = _errors(_text(", within_days: 3}", "}"))
    assert "gives `within_days`" in msg
    msg = _errors(_text(", within_days: 3}", ", within_days: 3, once: 'true'}"))
    assert "drop `once`" in msg


# --------------------------------------------------------------------------- checker


def test_the_checker_reads_the_counter_release_as_due_after_the_release_is_complete() -> None:
    base = _verdicts(SPEC.read_text(encoding="utf-8"))
    assert base["bodies_only_after_remains"] == "holds"
    assert base["bodies_in_phase_two"] == "holds"  # remains by day 5, bodies 3 days later
    assert base["bodies_not_owed_without_remains"] == "holds"
    assert base["b_keeps_its_side"] == "violated"
    assert base["consistent"] == "holds"
    # one day instead: the bodies fall due on day 6, still in phase one
    assert _verdicts(_text("within_days: 3", "within_days: 1"))["bodies_in_phase_two"] == "violated"
    # 3 x 4 = 12 bodies owed, 10 held: the text asks for more than Side B holds
    assert _verdicts(_text("holder: b, count: 12", "holder: b, count: 10"))["consistent"] == (
        "violated"
    )


# --------------------------------------------------------------------------- monitor


def _release(eid: str, day: int, actor: str, category: str, n: int) -> Event:
    return Event(
        id=eid, date=_on(day), actor=actor, action="release", category=category, quantity=n,
        source="s",
    )  # fmt: skip


LOG = [
    _release("r1", 1, "a", "remains", 1),
    _release("b1", 2, "b", "bodies", 3),  # the first share, on time (due day 4)
    _release("r2", 2, "a", "remains", 1),
    _release("r3", 3, "a", "remains", 1),
    _release("b2", 7, "b", "bodies", 6),  # the second (due 5) and third (due 6): late
    _release("r4", 5, "a", "remains", 1),  # the release complete on day 5 (its deadline)
]


def test_the_monitor_owes_a_share_per_instalment_and_dates_lateness_from_each() -> None:
    a = load(SPEC)
    r = monitor(a, LOG[:5], entry_into_force=DAY1, as_of=_on(4))
    o = r.obligation("2")
    # three remains returned, nine bodies owed so far, three paid; the release goes on
    assert o.status == "pending"
    assert o.describe() == "by instalment: 1 of 3 shares paid (3 of 9 persons), 6 outstanding"
    r = monitor(a, LOG, entry_into_force=DAY1, as_of=_on(9))
    o = r.obligation("2")
    assert [(s["due"], s["paid"], s["status"], s["late_days"]) for s in o.shares or []] == [
        ("2025-01-04", 3, "fulfilled", 0),
        ("2025-01-05", 3, "late", 2),
        ("2025-01-06", 3, "late", 1),
        ("2025-01-08", 0, "overdue", 1),
    ]
    assert o.describe() == (
        "not recorded (9 of 12 persons delivered, 3 outstanding by its deadline); by "
        "instalment: 3 of 4 shares paid (9 of 12 persons), 3 outstanding, 2 late by at most "
        "2 days, one overdue by 1 day"
    )
    # the one-step reading (the checker's): all twelve due 3 days after the release was
    # complete (day 5 -> day 8); paid in full on day 10, late by 2 days
    done = monitor(
        a, [*LOG, _release("b3", 10, "b", "bodies", 3)], entry_into_force=DAY1, as_of=_on(12)
    )
    o = done.obligation("2")
    assert (o.status, o.late_days, o.due) == ("late", 2, _on(8))
    assert (o.shares or [])[-1]["status"] == "late" and (o.shares or [])[-1]["late_days"] == 2
    row = next(x for x in done.to_json()["obligations"] if x["id"] == "2")
    assert [s["paid_on"] for s in row["shares"]] == [
        "2025-01-02",
        "2025-01-07",
        "2025-01-07",
        "2025-01-10",
    ]
    assert done.surplus == {}


def test_bodies_given_before_any_remains_wait_for_the_first_share() -> None:
    a = load(SPEC)
    r = monitor(
        a,
        [_release("b0", 1, "b", "bodies", 3), _release("r1", 2, "a", "remains", 1)],
        entry_into_force=DAY1,
        as_of=_on(3),
    )
    (share,) = r.obligation("2").shares or []
    assert (share["paid"], share["paid_on"], share["status"]) == (3, "2025-01-02", "fulfilled")


# --------------------------------------------------------------------------- docs


def test_the_docs_example_validates_and_owes_fifteen_for_each() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    section = guide[guide.index("#### Counter-releases per instalment") :]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    clauses = "\n".join("    " + line for line in block.strip("\n").splitlines())
    spec = f"""agreement:
  id: docs-for-each
  title: The example of docs/language.md, Counter-releases per instalment
  status: draft
  parties:
    - {{id: israel, name: Israel}}
    - {{id: hamas, name: Hamas}}
  sources:
    - {{id: white_house_plan, document: "Comprehensive Plan to End the Gaza Conflict", publisher: The White House}}
  stocks:
    - {{id: deceased_hostages, name: Remains of deceased hostages, holder: hamas, count: 28}}
    - {{id: gazan_remains, name: Remains of deceased Gazans, holder: israel}}
  phases:
    - {{id: phase1, name: Phase one, starts: entry_into_force, duration_days: 10, at_expiry: ends}}
  clauses:
{clauses}
"""
    a = detente.load_text(spec, "docs.yaml")
    counter = a.clause("5.2").obligation
    assert counter is not None and counter.for_each is not None
    assert (counter.for_each.per_unit, counter.quantity) == (15, 420)
    detente.check(a)


# --------------------------------------------------------------------------- any log


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    remains=st.lists(st.tuples(st.integers(1, 7), st.integers(1, 2)), max_size=4),
    bodies=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 6)), max_size=5),
)
def test_on_any_log_the_shares_add_up_and_the_row_reads_one_step(
    remains: list[tuple[int, int]], bodies: list[tuple[int, int]]
) -> None:
    a = load(SPEC)
    log = [_release(f"r{k}", d, "a", "remains", n) for k, (d, n) in enumerate(remains)]
    log += [_release(f"b{k}", d, "b", "bodies", n) for k, (d, n) in enumerate(bodies)]
    o = monitor(a, log, entry_into_force=DAY1, as_of=_on(14)).obligation("2")
    shares = o.shares or []
    credited = min(4, sum(n for _, n in remains))  # what clause 1 can take
    given_ = min(12, sum(n for _, n in bodies))  # what clause 2 can take
    assert sum(s["owed"] for s in shares) == 3 * credited
    assert sum(s["paid"] for s in shares) == min(given_, 3 * credited)
    for s in shares:
        assert s["paid"] + s["outstanding"] == s["owed"]
        assert (s["status"] == "late") == (s["paid_on"] is not None and s["paid_on"] > s["due"])
    # the one-step reading: clause 1, complete by its deadline (day 5), is judged fulfilled
    # there, so the whole 12 fall due 3 days later (day 8); not complete: nothing falls due
    days = sorted(remains)
    done = next(
        (d for d, _ in days if sum(n for e, n in days if e <= d) >= 4),
        None,
    )
    if done is None or done > 5:
        assert (o.status, o.due) == ("pending", None)
    else:
        assert o.due == _on(8)
        paid_by = sum(n for d, n in bodies if d <= 8)
        assert (o.status == "fulfilled") == (paid_by >= 12)
