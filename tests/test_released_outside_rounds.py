"""A stock released by a duty outside an exchange's rounds counts in the replayed state,
as in the checker's runs (found by the randomized differential test).

The duty is counted from a party's act, made on day 4, after the only phase ended on
day 2: no phase counts that day. The release lands on day 6, the duty's deadline.

- The checker's run creates the duty at the act and counts the release. ``released(h) >= 1``
  then holds, so the ceasefire clause ``cf`` (binding ``while: released(h) >= 1``) binds,
  and the hostilities of day 9 violate it.
- The monitor's replay, in which every day is a point, counts the duty's days from the
  act's day: it falls due on day 6 (act day + ``within``), not on the next day, so the
  release is recorded there, counts in the state ``released()`` reads, and the hostilities
  of day 9 are a violation too.
- The report's totals count the release, and the duty reads fulfilled.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from detente.language.model import Agreement
from detente.monitor import monitor
from detente.monitor.events import Event
from tests.logs import logged

SPEC = Path(__file__).parent / "fixtures" / "released_outside_rounds.json"
EIF = dt.date(2024, 1, 1)

#: (day, actor, action, clause, round, quantity, category)
ROWS = [
    (1, "a", "breach", "x", 1, None, None),
    (1, "b", "release", "x", 1, 1, "p"),
    (2, "a", "withdraw", "o2", None, None, None),
    (4, "a", "approve", None, None, None, None),
    (6, "a", "release", "o1", None, 1, "h"),
    (7, "a", "negotiations_start", "n1", None, None, None),
    (7, "b", "negotiations_start", "n1", None, None, None),
    (9, "a", "hostilities", "cf", None, None, None),
]


def events() -> list[Event]:
    columns = ("actor", "action", "clause", "round", "quantity", "category")
    return logged(EIF, columns, ROWS, "https://example.org/generated")


def test_the_release_is_counted_in_the_totals() -> None:
    agreement = Agreement.model_validate(json.loads(SPEC.read_text(encoding="utf-8")))
    report = monitor(agreement, events(), entry_into_force=EIF, as_of=EIF + dt.timedelta(days=8))
    assert report.obligation("o1").status == "fulfilled"
    assert report.totals["a"]["h"] == 1


def test_hostilities_while_the_condition_holds_are_a_violation() -> None:
    agreement = Agreement.model_validate(json.loads(SPEC.read_text(encoding="utf-8")))
    report = monitor(agreement, events(), entry_into_force=EIF, as_of=EIF + dt.timedelta(days=8))
    assert "r7" in [v["id"] for v in report.violations]


def test_the_duty_falls_due_on_the_acts_day_plus_its_days() -> None:
    """On day 5, the day after the act, the duty is still due (day 6 is its deadline); it
    is not decided, nor read as not recorded, at the next day."""
    agreement = Agreement.model_validate(json.loads(SPEC.read_text(encoding="utf-8")))
    report = monitor(agreement, events(), entry_into_force=EIF, as_of=EIF + dt.timedelta(days=4))
    o1 = report.obligation("o1")
    assert (o1.status, o1.due_day, o1.due_in_days) == ("due", 6, 1)
