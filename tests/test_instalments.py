"""Counter-releases per instalment (semantics/instalments.py): the share owed for each
delivery of the matching release, dated from it; payments matched oldest share first."""

from __future__ import annotations

import pytest

from detente.semantics.instalments import settle, shares, total_owed


def test_each_delivery_owes_ratio_times_units_from_its_own_day() -> None:
    # remains of one hostage on day 3, two on day 5: 15 each, due the next day
    owed = shares([(5, 2), (3, 1)], ratio=15, within_days=1)
    assert [(s.delivered_on, s.owed, s.due) for s in owed] == [(3, 15, 4), (5, 30, 6)]
    assert total_owed([(5, 2), (3, 1)], 15) == 45


def test_lateness_counts_from_each_delivery_not_from_one_round_day() -> None:
    owed = shares([(3, 1), (5, 1)], ratio=15, within_days=1)
    # 15 on day 4 (on time for the first), 15 on day 9 (late by 3 for the second)
    got = settle(owed, [(4, 15), (9, 15)])
    assert [g.status(today=10) for g in got] == ["fulfilled", "late"]
    assert [g.late_by(today=10) for g in got] == [0, 3]


def test_a_part_paid_leaves_the_rest_outstanding_and_overdue() -> None:
    owed = shares([(3, 1)], ratio=15, within_days=1)
    (g,) = settle(owed, [(4, 10)])
    assert (g.paid, g.outstanding, g.status(today=4), g.status(today=6)) == (
        10,
        5,
        "pending",
        "overdue",
    )
    assert g.late_by(today=6) == 2


def test_a_payment_before_a_share_opens_waits_for_it() -> None:
    owed = shares([(3, 1), (8, 1)], ratio=2, within_days=0)
    got = settle(owed, [(3, 4)])  # 4 given on day 3: 2 for the first, 2 ahead for the second
    assert [(g.paid, g.paid_on, g.status(today=9)) for g in got] == [
        (2, 3, "fulfilled"),
        (2, 8, "fulfilled"),
    ]


def test_a_ratio_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="ratio"):
        shares([(1, 1)], ratio=0, within_days=1)
