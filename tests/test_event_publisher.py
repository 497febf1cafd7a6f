"""The event log's `publisher` column: read, checked (a web source with no publisher is
warned about at its row), shown in every report, and optional for logs written before it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
from rich.console import Console
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import Problem
from detente.language.loader import load
from detente.monitor import iter_events, monitor
from detente.monitor.events import COLUMNS, publisher_in_notes, write_events
from detente.reports.monitor_docx import render_monitor_docx
from detente.reports.monitor_html import render_monitor_html
from detente.reports.monitor_terminal import print_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SPEC = FIXTURES / "monitor_spec.yaml"

OLD_HEADER = "date,actor,action,quantity,category,clause,source,notes,id"
NEW_HEADER = "date,actor,action,quantity,category,clause,source,publisher,notes,id"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_column_is_read_and_old_logs_take_it_from_their_notes(tmp_path: Path) -> None:
    agreement = load(SPEC)
    new = _write(
        tmp_path,
        "new.csv",
        NEW_HEADER + "\n"
        '2024-01-01,a,release,2,hostages,2,https://example.org/r1,"AP, via whio.com",Round one.,e1\n',
    )
    (e,) = iter_events(new, agreement)
    assert e.publisher == "AP, via whio.com" and e.notes == "Round one."
    old = _write(
        tmp_path,
        "old.csv",
        OLD_HEADER + "\n"
        '2024-01-01,a,release,2,hostages,2,https://example.org/r1,"Publisher: Reuters. Round one.",e1\n',
    )
    (e,) = iter_events(old, agreement)
    assert e.publisher == "Reuters"
    assert publisher_in_notes("Publisher: AP, via whio.com. Round 6: three men.") == (
        "AP, via whio.com"
    )
    assert publisher_in_notes("Round 6, from the publisher: none.") is None


def test_a_row_without_a_column_keeps_its_id(tmp_path: Path) -> None:
    """Ids made from a row's hash do not change for rows written before the column."""
    agreement = load(SPEC)
    line = "2024-01-01,a,announce,,,,https://example.org/r1,Said so.\n"
    old = _write(
        tmp_path, "old.csv", "date,actor,action,quantity,category,clause,source,notes\n" + line
    )
    (before,) = iter_events(old, agreement)
    blank = _write(
        tmp_path,
        "blank.csv",
        "date,actor,action,quantity,category,clause,source,notes,publisher\n"
        + line.rstrip()
        + ",\n",
    )
    (after,) = iter_events(blank, agreement)
    assert before.id == after.id and before.id.startswith("ev-")


def test_a_web_source_without_a_publisher_is_warned_about_at_its_row(tmp_path: Path) -> None:
    agreement = load(SPEC)
    path = _write(
        tmp_path,
        "log.csv",
        NEW_HEADER + "\n"
        "2024-01-01,a,announce,,,,https://example.org/r1,,Said so.,e1\n"
        "2024-01-01,a,announce,,,,https://example.org/r2,Reuters,Said so.,e2\n"
        "2024-01-01,a,announce,,,,Minutes of the joint committee (p. 3),,Said so.,e3\n"
        "2024-01-02,a,announce,,,,https://example.org/r4,,Publisher: AFP. Said so.,e4\n",
    )
    warnings: list[Problem] = []
    events = list(iter_events(path, agreement, warnings=warnings))
    assert len(events) == 4  # a warning, not an error: every row is read
    assert [str(w) for w in warnings] == [
        f"{path}:2:26: warning: this event's source names no publisher: say who did the "
        "reporting (the outlet or the official body) in the `publisher` column, e.g. "
        "`AP, via whio.com`"
    ]
    result = CliRunner().invoke(app, ["monitor", str(SPEC), str(path)])
    assert result.exit_code == 0
    assert f"{path}:2:26: warning: this event's source names no publisher" in result.stderr
    assert ":3:" not in result.stderr and ":4:" not in result.stderr


def test_every_report_names_who_reported_each_fact(tmp_path: Path) -> None:
    agreement = load(SPEC)
    path = _write(
        tmp_path,
        "log.csv",
        "date,actor,action,clause,source,publisher,verification,id\n"
        "2024-01-08,b,hostilities,1,https://example.org/strike,Agence France-Presse,disputed,v1\n",
    )
    report = monitor(agreement, iter_events(path, agreement))
    assert report.violations[0]["publisher"] == "Agence France-Presse"
    assert report.to_json()["violations"][0]["publisher"] == "Agence France-Presse"
    console = Console(record=True, width=250)
    print_report(report, agreement, console)
    assert "Agence France-Presse: https://example.org/strike" in console.export_text()
    assert "Agence France-Presse" in render_monitor_html(report, agreement)
    document = docx.Document(io.BytesIO(render_monitor_docx(report, agreement)))
    texts = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Agence France-Presse: https://example.org/strike" in texts


def test_the_column_round_trips_and_the_examples_fill_it(tmp_path: Path) -> None:
    assert COLUMNS.index("publisher") == COLUMNS.index("source") + 1
    for log in sorted((ROOT / "examples").glob("*/events.csv")):
        agreement = load(log.parent / "agreement.yaml")
        warnings: list[Problem] = []
        events = list(iter_events(log, agreement, warnings=warnings))
        assert warnings == [], log
        with open(log, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert all(r["publisher"] for r in rows), log  # in the column, not only the notes
        assert not any(r["notes"].startswith("Publisher:") for r in rows), log
        for fmt in ("csv", "jsonl"):
            out = tmp_path / f"{log.parent.name}.{fmt}"
            write_events(events, out)
            again = list(iter_events(out, agreement))
            assert [e.publisher for e in again] == [e.publisher for e in events]
