"""For analysts in notebooks: DataFrames (pandas, the ``frames`` extra) and Jupyter tables."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

import detente
from detente.checker.compare import compare
from detente.frames import NO_PANDAS
from detente.language.loader import load
from detente.monitor import monitor, read_events

ROOT = Path(__file__).resolve().parent.parent
GAZA = ROOT / "examples" / "gaza-framework-2024"
JAN = ROOT / "examples" / "jan-2025-ceasefire"

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def report() -> detente.MonitorReport:
    agreement = load(JAN / "agreement.yaml")
    events = read_events(JAN / "events.csv", agreement)
    return monitor(agreement, events, as_of=dt.date(2025, 3, 18))


def test_check_result_frame_one_row_per_expectation() -> None:
    result = detente.check(GAZA / "july-2024-israel-wording.yaml")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["expectation"]) == [e.name for e in result.expectations]
    row = frame.set_index("expectation").loc["no_unilateral_exit(hamas)"]
    assert row["verdict"] == "violated" and row["protects"] == "hamas"
    assert row["finding"].startswith("This wording lets Israel")
    assert "ap_mb" in row["sources"]
    story = result["no_unilateral_exit(hamas)"].to_frame()
    assert list(story.columns) == ["step", "day", "loop", "text", "clauses"]
    assert story["day"].iloc[-1] == 43  # paragraph 14 opens after the six weeks (issue 12)
    html = result._repr_html_()
    assert html.startswith('<table class="detente">') and "no_unilateral_exit(hamas)" in html


def test_monitor_report_frames(report: detente.MonitorReport) -> None:
    obligations = report.to_frame()
    assert len(obligations) == len(report.obligations)
    assert pd.api.types.is_datetime64_any_dtype(obligations["due"])
    assert set(obligations["status"]) <= {
        "fulfilled", "late", "violated", "not_recorded", "due", "pending", "discharged",
    }  # fmt: skip
    totals = report.to_frame("totals")
    assert list(totals.columns) == ["party", "category", "count"]
    assert totals["count"].sum() == sum(n for c in report.totals.values() for n in c.values())
    ledger = report.to_frame("ledger")
    assert len(ledger) == len(report.ledger)
    with pytest.raises(ValueError, match="the tables are obligations"):
        report.to_frame("nothing")
    html = report._repr_html_()
    assert "<caption>" in html and report.reading.split(":")[0] in html


def test_comparison_frames() -> None:
    comparison = compare(
        [GAZA / "july-2024-israel-wording.yaml", GAZA / "july-2024-hamas-wording.yaml"]
    )
    matrix = comparison.to_frame()
    assert list(matrix.columns) == ["expectation", "protects", *comparison.drafts]
    row = matrix.set_index("expectation").loc["no_unilateral_exit(hamas)"]
    assert list(row[comparison.drafts]) == ["violated", "holds"]
    changes = comparison.to_frame("changes")
    assert set(changes["clause"]) >= {"8", "14"}
    assert "<table" in comparison._repr_html_()


def test_without_pandas_one_line_error() -> None:
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "import detente\n"
        "r = detente.check('tests/fixtures/minimal.yaml')\n"
        "try:\n    r.to_frame()\nexcept ModuleNotFoundError as e:\n    print(e)\n"
        "print('<table' in r._repr_html_())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [NO_PANDAS, "True"]


def test_importing_detente_does_not_import_pandas() -> None:
    code = (
        "import sys, detente, detente.checker, detente.monitor, detente.reports.render\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
