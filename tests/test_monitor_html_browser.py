"""The monitoring report opens offline in the real Chromium and shows its charts."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from detente.language.loader import load, load_text
from detente.language.model import Agreement
from detente.monitor import Event, MonitorReport, monitor, read_events
from detente.monitor.report import LEGEND
from detente.reports.monitor_html import render_monitor_html

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("DETENTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

HOSTILE_NOTE = "</script><script>window.__pwned = 1</script>"


def _sample() -> tuple[Agreement, dict[str, Any], list[dict[str, Any]]]:
    """The minimal fixture in force, a report of the documented JSON shape, and its log."""
    text = (ROOT / "tests/fixtures/minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  status: draft\n", "  status: in_force\n  dates: {entry_into_force: 2024-01-01}\n"
    )
    agreement = load_text(text)
    events = [
        {"date": "2024-01-01", "actor": "a", "action": "release", "quantity": 2,
         "category": "hostages", "verification": "confirmed"},
        {"date": "2024-01-01", "actor": "b", "action": "release", "quantity": 20,
         "category": "prisoners", "verification": "confirmed"},
        {"date": "2024-01-06", "actor": "a", "action": "release", "quantity": 3,
         "category": "hostages", "verification": "reported"},
        {"date": "2024-01-07", "actor": "b", "action": "release", "quantity": 30,
         "category": "prisoners", "verification": "disputed"},
    ]  # fmt: skip
    report = {
        "as_of": "2024-01-12",
        "phase": "one",
        "obligations": [
            {"id": "2/r2/a", "clause": "2", "debtor": "a", "due": "2024-01-05",
             "status": "fulfilled", "fulfilled_on": "2024-01-06", "late_days": 1},
        ],
        "ledger": [
            {"clause": "2", "round": 2, "due": "2024-01-05", "late_days": 1,
             "due_release": {"hostages": 3}, "delivered_release": {"hostages": 3}},
        ],
        "totals": {"a": {"hostages": 5}, "b": {"prisoners": 50}},
        "next_deadlines": [],
        "violations": [
            {"date": "2024-01-08", "actor": "a", "action": "hostilities", "clause": "1",
             "verification": "disputed", "reported_by": "b",
             "source": "https://example.org/report", "notes": HOSTILE_NOTE},
        ],
        "powers": [],
        "disputed": [{"id": "e5", "with": "violated by a", "without": "no violation"}],
    }  # fmt: skip
    return agreement, report, events


def _real_report(
    *, absence_is_violation: bool = False
) -> tuple[Agreement, MonitorReport, list[Event]]:
    """The January 2025 log through the real monitor, as of its last day."""
    folder = ROOT / "examples/jan-2025-ceasefire"
    agreement = load(folder / "agreement.yaml")
    events = read_events(folder / "events.csv", agreement)
    report = monitor(
        agreement, events, as_of=dt.date(2025, 3, 18), absence_is_violation=absence_is_violation
    )
    return agreement, report, events


def _open_offline(page_path: Path) -> dict[str, Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    blocked: list[str] = []
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: problems.append(str(e)))

            def route(r: Any) -> None:
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(page_path.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length > 0")
            page.wait_for_timeout(300)
            result: dict[str, Any] = page.evaluate(
                """() => {
                const plots = [...document.querySelectorAll('.js-plotly-plot')];
                return {
                  plots: plots.length,
                  traces: plots.map(p => (p.data || []).length),
                  svgs: plots.map(p => p.querySelectorAll('svg.main-svg').length),
                  paths: plots.map(p => p.querySelectorAll('g.trace path, g.trace rect, g.points path').length),
                  hasPlotly: typeof window.Plotly === 'object',
                  pwned: window.__pwned === 1,
                  tables: document.querySelectorAll('table').length,
                  reading: (document.querySelector('#reading') || {}).innerText || null,
                  legend: [...document.querySelectorAll('table.legend-table tr')].slice(1)
                    .map(tr => tr.innerText.split('\t')),
                  looks: Object.fromEntries(['not-recorded', 'late', 'violated'].map(c => {
                    const td = document.querySelector(`#obligations tr.${c} td`);
                    if (!td) return [c, null];
                    const s = getComputedStyle(td);
                    return [c, {color: s.color, italic: s.fontStyle === 'italic',
                                weight: s.fontWeight, pattern: s.backgroundImage,
                                border: getComputedStyle(td.parentElement.firstElementChild)
                                  .borderLeftStyle, text: td.parentElement.innerText}];
                  })),
                };
            }"""
            )
            page.screenshot(path=str(page_path.with_suffix(".png")), full_page=True)
        finally:
            browser.close()
    result["blocked"] = blocked
    result["problems"] = problems
    return result


def _assert_rendered(result: dict[str, Any], min_plots: int) -> None:
    assert result["hasPlotly"], "plotly.js must be in the page or in the bundle beside it"
    assert result["plots"] >= min_plots
    assert all(n > 0 for n in result["traces"]), result["traces"]
    assert all(n > 0 for n in result["svgs"]), result["svgs"]
    assert all(n > 0 for n in result["paths"]), result["paths"]
    assert result["blocked"] == [], f"the page tried the network: {result['blocked']}"
    assert result["problems"] == [], result["problems"]
    assert not result["pwned"], "spec or log text ran as script"


def test_monitor_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    agreement, report, events = _sample()
    page = tmp_path / "monitor.html"
    page.write_text(render_monitor_html(report, agreement, events), encoding="utf-8")
    result = _open_offline(page)
    # One cumulative chart per releasing side, plus the timeline.
    _assert_rendered(result, min_plots=3)
    assert result["tables"] >= 4


def test_real_january_2025_report_renders_offline(tmp_path: Path) -> None:
    agreement, report, events = _real_report()
    page = tmp_path / "jan-2025.html"
    page.write_text(render_monitor_html(report, agreement, events), encoding="utf-8")
    result = _open_offline(page)
    # Israel's and Hamas's cumulative releases, and the timeline.
    _assert_rendered(result, min_plots=3)
    assert result["tables"] >= 6
    # The reading at the top; not recorded apart from late, in words and a look of its own.
    assert result["reading"].startswith("Reading: " + report.reading)
    # Violated: the two breaches logged on 2 March 2025 (the halt of goods while phase one
    # continued); everything else unlogged is not recorded, never violated.
    shown = [s for s, _ in result["legend"]]
    assert shown == ["violated", "not recorded", "late", "fulfilled", "pending"]
    assert result["legend"][1][1] == LEGEND["not_recorded"]
    unrecorded, late = result["looks"]["not-recorded"], result["looks"]["late"]
    assert "not recorded" in unrecorded["text"] and "late by" in late["text"]
    assert unrecorded["italic"] and "repeating-linear-gradient" in unrecorded["pattern"]
    assert unrecorded["color"] == "rgb(47, 93, 138)" and unrecorded["border"] == "dotted"
    assert late["color"] != unrecorded["color"] and late["border"] == "double"
    violated = result["looks"]["violated"]
    assert violated is not None and violated["color"] not in (unrecorded["color"], late["color"])


def test_page_loading_the_shared_bundle_renders_offline(tmp_path: Path) -> None:
    from detente.reports.monitor_html import PLOTLY_BUNDLE, write_plotly_bundle

    agreement, report, events = _real_report()
    page = tmp_path / "jan-2025-shared.html"
    page.write_text(
        render_monitor_html(report, agreement, events, plotly_src=PLOTLY_BUNDLE), encoding="utf-8"
    )
    write_plotly_bundle(tmp_path)
    assert page.stat().st_size < 200_000
    _assert_rendered(_open_offline(page), min_plots=3)


def test_absence_read_as_violation_is_red_and_says_so(tmp_path: Path) -> None:
    agreement, report, events = _real_report(absence_is_violation=True)
    page = tmp_path / "jan-2025-absence.html"
    page.write_text(render_monitor_html(report, agreement, events), encoding="utf-8")
    result = _open_offline(page)
    _assert_rendered(result, min_plots=3)
    assert result["reading"].startswith("Reading: Absence read as violation")
    assert result["looks"]["not-recorded"] is None
    violated = result["looks"]["violated"]
    assert violated["color"] == "rgb(143, 29, 21)" and int(violated["weight"]) >= 600
    assert violated["border"] == "solid" and not violated["italic"]
    assert "violated" in [s for s, _ in result["legend"]]
