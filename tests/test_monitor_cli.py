"""`detente monitor`: terminal, JSON, HTML and the ACLED / PLOVER exports; exit codes 0, 1, 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.language.loader import load
from detente.monitor import read_events
from detente.monitor.interop import ACLED_COLUMNS, PLOVER_FIELDS, acled_row, plover_record

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC = str(FIXTURES / "monitor_spec.yaml")
LOG = str(FIXTURES / "monitor_events.csv")
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["monitor", *args])
    return result.exit_code, result.stdout, result.stderr


def test_terminal_report() -> None:
    code, out, _ = run(SPEC, LOG, "--as-of", "2024-01-20")
    assert code == 0
    for heading in ("Exchange ledger", "Released in total", "Obligations",
                    "Violations (prohibited acts)", "Powers exercised", "Disputed events, both ways"):  # fmt: skip
        assert heading in out
    assert "late by 1 day" in out and "discharged" in out


def test_json_report() -> None:
    code, out, _ = run(SPEC, LOG, "--as-of", "2024-01-04", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == "2024-01-04" and data["phase"]["id"] == "one"
    assert data["totals"] == {"a": {"hostages": 2}, "b": {"prisoners": 20}}


def test_html_report(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    page = tmp_path / "report.html"
    code, _, err = run(SPEC, LOG, "--html", str(page))
    assert code == 0, err
    assert "<html" in page.read_text(encoding="utf-8").lower()


def test_invalid_log_exits_1_with_located_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(Path(LOG).read_text(encoding="utf-8").replace("2024-01-05,,a,release", "2024-01-32,,a,release"),
                   encoding="utf-8")  # fmt: skip
    code, out, err = run(SPEC, str(bad))
    assert code == 1
    assert f"{bad}:8:1: error: '2024-01-32' is not a day of the calendar" in err
    assert "Traceback" not in out + err


def test_unreadable_exits_2(tmp_path: Path) -> None:
    assert run(SPEC, str(tmp_path / "none.csv"))[0] == 2
    assert run(SPEC, LOG, "--as-of", "yesterday")[0] == 2
    assert run(SPEC, LOG, "--export", "gdelt")[0] == 2


def test_acled_export(tmp_path: Path) -> None:
    out = tmp_path / "acled.csv"
    code, _, err = run(SPEC, LOG, "--export", "acled", "-o", str(out))
    assert code == 0, err
    with out.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == ACLED_COLUMNS and len(ACLED_COLUMNS) == 31
        rows = list(reader)
    assert len(rows) == 11
    release = rows[0]
    assert (release["event_type"], release["sub_event_type"]) == (
        "Strategic developments",
        "Agreement",
    )
    assert release["event_id_cnty"] == "e1" and release["time_precision"] == "1"
    assert release["source"].startswith("https://example.org/r1")
    assert "verification: confirmed" in release["notes"]
    hostilities = rows[8]
    assert (
        hostilities["event_type"] == "Battles"
        and hostilities["disorder_type"] == "Political violence"
    )


def test_export_of_an_invalid_log_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(Path(LOG).read_text(encoding="utf-8") + "2024-01-01,,zz,announce,,,,,s,,,,,\n",
                   encoding="utf-8")  # fmt: skip
    out = tmp_path / "out.jsonl"
    code, _, _ = run(SPEC, str(bad), "--export", "plover", "-o", str(out))
    assert code == 1 and not out.exists()
    assert not list(tmp_path.glob(".detente-export-*"))


def test_plover_export_to_stdout() -> None:
    code, out, _ = run(SPEC, LOG, "--export", "plover")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 11
    assert all(tuple(r) == PLOVER_FIELDS for r in records)
    first = records[0]
    assert (first["event"], first["mode"], first["actor"], first["recipient"]) == (
        ["RETREAT"],
        ["release"],
        ["a"],
        ["b"],
    )
    assert records[8]["event"] == ["ASSAULT"]
    assert records[8]["cite_info"]["verification"] == "disputed"


def test_precision_and_spec_actions_in_the_crosswalk() -> None:
    agreement = load(SPEC)
    [e] = [x for x in read_events(LOG, agreement) if x.id == "e3"]
    week = type(e)(**{**{f: getattr(e, f) for f in e.__dataclass_fields__}, "date_precision": "week",
                      "action": "open_crossing"})  # fmt: skip
    row = acled_row(agreement, week)
    assert row["time_precision"] == 2 and row["event_date"] == "2024-01-04"  # midweek
    record = plover_record(agreement, week)
    assert (record["event"], record["mode"]) == (["RETREAT"], ["access"])
    assert (record["date"], record["enddate"]) == ("2024-01-01", "2024-01-07")


def test_a_source_without_its_publisher_is_a_warning_and_the_report_is_made(
    tmp_path: Path,
) -> None:
    text = (
        Path(SPEC)
        .read_text(encoding="utf-8")
        .replace(
            '    - {id: made_up, document: "Test fixture, not a real agreement"}',
            '    - {id: made_up, document: "Test fixture, not a real agreement"}\n'
            "    - {id: web, url: https://example.org/report}",
        )
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    code, out, err = run(str(spec), LOG, "--as-of", "2024-01-04", "--json")
    assert code == 0
    assert json.loads(out)["agreement"]["id"] == "monitor-fixture"
    assert f"{spec}:" in err and "warning: source 'web' names no publisher" in err
