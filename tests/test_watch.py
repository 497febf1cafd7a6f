"""Who watches (issue 11, items 5 and 6): a monitoring mechanism's verifications are read
and reported; tallies are kept per source and never summed across sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from detente.errors import SpecError
from detente.language.loader import load
from detente.monitor import iter_events, monitor

SPEC = Path(__file__).resolve().parent / "fixtures" / "constructs" / "answers_for.yaml"
COLUMNS = "date,actor,action,quantity,clause,source,reported_by,verification,notes,id\n"


def replay(tmp_path: Path, rows: str):  # type: ignore[no-untyped-def]
    agreement = load(SPEC)
    log = tmp_path / "log.csv"
    log.write_text(COLUMNS + rows)
    return monitor(
        agreement,
        iter_events(log, agreement),
        entry_into_force=dt.date(2024, 11, 27),
        as_of=dt.date(2024, 12, 10),
    )


def test_the_report_says_which_facts_the_mechanism_verified(tmp_path: Path) -> None:
    rows = (
        "2024-12-02,g,hostilities,,,https://example.org/fire,a,reported,Rockets reported,e1\n"
        "2024-12-03,m,verify,,2,https://example.org/m,m,disputed,No launch found,e2\n"
        "2024-12-04,a,hostilities,,,https://example.org/strike,m,confirmed,Strike seen,e3\n"
        "2024-12-05,a,hostilities,,,https://example.org/other,b,confirmed,,e4\n"
    )
    r = replay(tmp_path, rows)
    found = {v["id"]: (v["actor"], v["verification"]) for v in r.verified}
    # the mechanism's own verify event, and the event it reported as confirmed; not e4,
    # which another party confirmed, nor e1, which the mechanism did not verify
    assert found == {"e2": ("m", "disputed"), "e3": ("a", "confirmed")}
    assert r.to_json()["verified"][0]["notes"] == "No launch found"


def test_only_a_monitoring_mechanism_logs_a_verify_event(tmp_path: Path) -> None:
    rows = "2024-12-03,a,verify,,2,https://example.org/x,a,confirmed,,e1\n"
    with pytest.raises(SpecError, match="a `verify` event is a monitoring mechanism's"):
        replay(tmp_path, rows)


def test_tallies_are_kept_per_source_and_never_summed(tmp_path: Path) -> None:
    rows = (
        "2024-12-08,a,tally,100,1,https://example.org/lebanese-army,b,reported,over 100 violations,t1\n"
        "2024-12-08,a,tally,62,1,https://example.org/ngo,ngo_report,reported,62 violations,t2\n"
        "2024-12-09,a,tally,120,1,https://example.org/lebanese-army-2,b,reported,,t3\n"
    )
    r = replay(tmp_path, rows)
    by_source = {s: [t["quantity"] for t in ts] for s, ts in r.tallies.items()}
    assert by_source == {"b": [100, 120], "ngo_report": [62]}
    # a tally is no act: nothing is judged from it
    assert r.violations == [] and r.lawful_acts == []
    assert "282" not in str(r.to_json()) and "162" not in str(r.to_json())
