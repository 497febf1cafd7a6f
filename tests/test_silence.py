"""Silence is reported, not swallowed (issue 11, item 7): a phase after an open-ended phase
that starts upon agreement is reachable (checker, monitor); a phase that can never start
is an error; an event dated before entry into force and releases beyond a stock's
declared count are warnings at their log row."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import detente
from detente.language.loader import load, load_text
from detente.monitor import iter_events, monitor

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OPEN_ENDED = FIXTURES / "constructs" / "open_ended_then.yaml"
DETENTE = str(Path(sys.executable).parent / "detente")
COLUMNS = "date,actor,action,quantity,category,clause,source,reported_by,verification,id\n"


def test_a_phase_after_an_open_ended_phase_is_reachable_upon_agreement() -> None:
    result = detente.check(load(OPEN_ENDED))
    v = {e.name: e.verdict for e in result.expectations}
    assert v["two_reachable"] == "holds"  # once the talks agree, phase two starts
    assert v["two_certain"] == "violated"  # the talks may never agree
    assert v["one_ends_with_talks"] == "holds"  # and nothing else ends phase one
    assert v["withdraws_only_in_two"] == "holds"


def replay(tmp_path: Path, spec: Path, rows: str, as_of: str) -> detente.MonitorReport:
    agreement = load(spec)
    log = tmp_path / "log.csv"
    log.write_text(COLUMNS + rows)
    return monitor(
        agreement,
        iter_events(log, agreement),
        entry_into_force=dt.date(2025, 3, 1),
        as_of=dt.date.fromisoformat(as_of),
    )


def test_the_replay_ends_the_open_ended_phase_when_its_talks_agree(tmp_path: Path) -> None:
    rows = (
        "2025-03-05,a,negotiations_agree,,,3,https://example.org/deal,a,confirmed,e1\n"
        "2025-03-05,b,negotiations_agree,,,3,https://example.org/deal,b,confirmed,e2\n"
        "2025-03-08,a,withdraw,,,2,https://example.org/out,m,confirmed,e3\n"
    )
    r = replay(tmp_path, OPEN_ENDED, rows, "2025-03-12")
    phases = {p["id"]: p for p in r.phases}
    assert phases["one"]["status"] == "done" and phases["one"]["ended"] == "2025-03-06"
    assert phases["two"]["start"] == "2025-03-06"
    assert r.obligation("2").describe() == "fulfilled on time"  # due on two's day 3, 8 March
    # Without the agreement, phase one is still running and nothing is due.
    quiet = replay(tmp_path, OPEN_ENDED, "", "2025-03-12")
    assert {p["id"]: p["status"] for p in quiet.phases} == {"one": "active", "two": "pending"}
    assert quiet.obligation("2").status != "violated"


def test_a_phase_waiting_for_talks_that_open_inside_it_is_an_error(tmp_path: Path) -> None:
    text = OPEN_ENDED.read_text().replace(
        "      phase: one\n      negotiation:", "      phase: two\n      negotiation:"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    proc = subprocess.run(
        [DETENTE, "validate", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "'two' can never start: it waits for the agreement of '3'" in proc.stdout + proc.stderr


STOCKED = """
agreement:
  id: stocked
  title: A release of detainees
  status: draft
  parties:
    - {id: a, name: Side A}
    - {id: b, name: Side B}
  sources:
    - {id: s, document: "Test fixture, not a real agreement"}
  stocks:
    - {id: detainees, holder: b, name: detainees, count: 10}
  phases:
    - {id: one, name: Phase one, starts: entry_into_force, duration_days: 10, at_expiry: ends}
  clauses:
    - id: "1"
      text: Side B releases ten detainees by day 5.
      source: s
      obligation: {debtor: b, creditor: a, action: release, quantity: 10, category: detainees, window: {by: one day 5}}
"""


def test_events_before_entry_into_force_and_releases_beyond_a_stock_are_warnings(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "stocked.yaml"
    spec.write_text(STOCKED)
    load_text(STOCKED)
    rows = (
        "2025-02-27,b,release,2,detainees,1,https://example.org/early,m,reported,e1\n"
        "2025-03-02,b,release,8,detainees,1,https://example.org/r1,m,confirmed,e2\n"
        "2025-03-03,b,release,4,detainees,1,https://example.org/r2,m,confirmed,e3\n"
    )
    r = replay(tmp_path, spec, rows, "2025-03-05")
    assert [(w["line"], w["id"]) for w in r.warnings] == [(2, "e1"), (4, "e3")]
    assert "before entry into force (2025-03-01)" in r.warnings[0]["message"]
    assert "12 detainees have been released" in r.warnings[1]["message"]
    assert "holds 10" in r.warnings[1]["message"]
    # the command line prints them at their row, and they change no exit code
    log = tmp_path / "log.csv"
    proc = subprocess.run(
        [
            DETENTE,
            "monitor",
            str(spec),
            str(log),
            "--entry-into-force",
            "2025-03-01",
            "--as-of",
            "2025-03-05",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert f"{log}:2: warning: event e1 is dated 2025-02-27" in proc.stderr, proc.stderr
    assert f"{log}:4: warning:" in proc.stderr
