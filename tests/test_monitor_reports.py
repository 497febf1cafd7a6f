"""'Not recorded' is a status of its own in every monitor report: terminal, JSON, HTML and
DOCX show it apart from violated and late, with the legend, and say the reading of
absence at the top; `--absence-is-violation` switches to the other reading."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from detente.cli import app
from detente.language.loader import load
from detente.language.model import Agreement
from detente.monitor import MonitorReport, iter_events, monitor
from detente.monitor.report import LEGEND
from detente.reports import statuses
from detente.reports.cells import cell_text
from detente.reports.monitor_docx import STATUS_LOOK, render_monitor_docx
from detente.reports.monitor_html import render_monitor_html
from detente.reports.monitor_terminal import STATUS_STYLE, print_report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC = str(FIXTURES / "monitor_spec.yaml")
LOG = str(FIXTURES / "monitor_events.csv")
RECORDED_ONLY = "Only what the log records"
ABSENCE = "Absence read as violation"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["monitor", *args])
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    """Terminal text with Rich's line wrapping undone (runs of whitespace as one space)."""
    return " ".join(text.split())


def report_of(as_of: str, *, absence_is_violation: bool = False) -> tuple[Agreement, MonitorReport]:
    agreement = load(SPEC)
    report = monitor(
        agreement,
        iter_events(LOG, agreement),
        as_of=dt.date.fromisoformat(as_of),
        absence_is_violation=absence_is_violation,
    )
    return agreement, report


# ----------------------------------------------------------------- the command line


def test_the_flag_switches_not_recorded_to_violated() -> None:
    code, out, err = run(SPEC, LOG, "--as-of", "2024-01-04", "--json")
    assert code == 0, err
    default = json.loads(out)
    code, out, err = run(SPEC, LOG, "--as-of", "2024-01-04", "--json", "--absence-is-violation")
    assert code == 0, err
    strict = json.loads(out)

    def status(data: dict[str, Any], key: str) -> str:
        return str(next(o["status"] for o in data["obligations"] if o["id"] == key))

    assert status(default, "4#3") == "not_recorded"
    assert status(strict, "4#3") == "violated"
    # What the log records is the same in both readings.
    assert status(default, "4#1") == status(strict, "4#1") == "fulfilled"
    assert (default["reading"], strict["reading"]) == ("recorded_only", "absence_is_violation")
    assert default["legend"] == strict["legend"] == LEGEND


def test_help_documents_the_flag_and_the_word_report() -> None:
    result = runner.invoke(app, ["monitor", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = flat(result.stdout)
    assert "--absence-is-violation" in text and "not recorded" in text and "breach" in text
    assert "--docx" in text and "Word document" in text


# ----------------------------------------------------------------- the terminal


def terminal(report: MonitorReport, agreement: Agreement) -> str:
    console = Console(width=200, force_terminal=True, color_system="standard", highlight=False)
    with console.capture() as captured:
        print_report(report, agreement, console)
    return captured.get()


def test_terminal_says_the_reading_and_keeps_not_recorded_apart() -> None:
    code, out, _ = run(SPEC, LOG, "--as-of", "2024-01-04")
    assert code == 0
    text = flat(out)
    assert text.index(RECORDED_ONLY) < text.index("Obligations") < text.index("Legend")
    assert "Obligations: 0 violated, 1 not recorded, 2 late" in text
    assert flat(LEGEND["not_recorded"]) in text and flat(LEGEND["late"]) in text
    assert LEGEND["violated"] not in text  # the legend lists the statuses present only
    assert "--absence-is-violation" in text

    code, out, _ = run(SPEC, LOG, "--as-of", "2024-01-04", "--absence-is-violation")
    assert code == 0
    text = flat(out)
    assert ABSENCE in text and RECORDED_ONLY not in text
    assert "Obligations: 1 violated, 2 late" in text and "1 not recorded" not in text
    assert flat(LEGEND["violated"]) in text


def test_terminal_styles_not_recorded_never_as_violated_or_late() -> None:
    looks = {STATUS_STYLE[s] for s in ("not_recorded", "late", "violated")}
    assert len(looks) == 3 and "red" not in STATUS_STYLE["not_recorded"]
    agreement, report = report_of("2024-01-04")
    ansi = terminal(report, agreement)
    assert "not recorded (nothing logged by its deadline)" in ansi
    assert "\x1b[3;34mnot recorded (nothing logged by its deadline)" in ansi  # italic blue
    assert "\x1b[33mlate by 1 day" in ansi  # yellow
    agreement, report = report_of("2024-01-04", absence_is_violation=True)
    assert "\x1b[1;31mviolated" in terminal(report, agreement)  # bold red


def test_terminal_shows_the_surplus_when_there_is_one(tmp_path: Path) -> None:
    log = tmp_path / "events.csv"
    extra = (
        "2024-01-06,,a,release,2,hostages,2,,X,https://example.org/r3,m,reported,day,More.,e12\n"
    )
    log.write_text(Path(LOG).read_text(encoding="utf-8") + extra, encoding="utf-8")
    code, out, _ = run(SPEC, str(log), "--as-of", "2024-01-08")
    assert code == 0
    assert re.search(r"Released beyond the schedule.*\n(.*\n)*.*Side A.*hostages.*2", out)
    code, out, _ = run(SPEC, LOG, "--as-of", "2024-01-08")
    assert "Released beyond the schedule" not in out


# ----------------------------------------------------------------- HTML


class Rows(HTMLParser):
    """Every table row of a page: its class and its text; and the text of each id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []
        self.ids: dict[str, str] = {}
        self._row: list[str] | None = None
        self._class = ""
        self._open: list[tuple[str, str, list[str]]] = []  # tag, id, text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self._row, self._class = [], a.get("class") or ""
        if tag in ("td", "th") and self._row is not None:
            self._row.append(" ")
        if a.get("id"):
            self._open.append((tag, a["id"] or "", []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append((self._class, " ".join("".join(self._row).split())))
            self._row = None
        if self._open and self._open[-1][0] == tag:
            _, key, text = self._open.pop()
            self.ids[key] = " ".join("".join(text).split())

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row.append(data)
        for _, _, text in self._open:
            text.append(data)

    def row(self, text: str) -> tuple[str, str]:
        return next(r for r in self.rows if text in r[1])


def parse(page: str) -> Rows:
    parser = Rows()
    parser.feed(page)
    return parser


def test_html_has_a_class_and_words_for_not_recorded_a_legend_and_the_reading(
    tmp_path: Path,
) -> None:
    pytest.importorskip("plotly")
    out = tmp_path / "report.html"
    code, _, err = run(SPEC, LOG, "--as-of", "2024-01-20", "--html", str(out))
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    found = parse(page)
    assert found.ids["reading"].startswith("Reading: " + RECORDED_ONLY)
    cls, text = found.row("not recorded (nothing logged by its deadline)")
    assert cls == "not-recorded"  # a class of its own, with its words in the row
    assert found.row("late by 1 day")[0] == "late"
    assert "tr.not-recorded td" in page and "repeating-linear-gradient" in page  # a pattern
    legend = [text for cls, text in found.rows if text.startswith("not recorded its deadline")]
    assert legend == ["not recorded " + LEGEND["not_recorded"]]
    assert found.row("Obligations violated") == ("", "Obligations violated 0 0")
    assert found.row("Obligations not recorded")[1] == "Obligations not recorded 1 2"
    assert "0 violated, 1 not recorded, 2 late" in found.row("Obligation instances")[1]

    code, _, err = run(SPEC, LOG, "--as-of", "2024-01-20", "--html", str(out),
                       "--absence-is-violation")  # fmt: skip
    assert code == 0, err
    found = parse(out.read_text(encoding="utf-8"))
    assert found.ids["reading"].startswith("Reading: " + ABSENCE)
    cls, text = found.row("Obligations violated")
    assert text == "Obligations violated 1 2" and cls == "disputed"  # only the violated
    assert not [r for r in found.rows if "not-recorded" in r[0]]
    assert found.row("violated " + LEGEND["violated"])[0] == "violated"


def test_html_from_json_alone_says_the_same_reading() -> None:
    pytest.importorskip("plotly")
    agreement, report = report_of("2024-01-04", absence_is_violation=True)
    from_object = parse(render_monitor_html(report, agreement)).ids["reading"]
    from_json = parse(render_monitor_html(report.to_json_text(), agreement)).ids["reading"]
    other = statuses.OTHER_READING["absence_is_violation"]
    assert from_object == from_json == f"Reading: {report.reading} {other}"


# ----------------------------------------------------------------- DOCX


def read_docx(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def cells(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_docx_report_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    code, stdout, err = run(SPEC, LOG, "--as-of", "2024-01-04", "--docx", str(out))
    assert code == 0, err
    assert f"wrote {out}" in flat(stdout)
    document = read_docx(out.read_bytes())
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert paragraphs[0] == "Monitoring: A hand-made truce for the monitor's tests"
    assert paragraphs[2].startswith("Reading: " + RECORDED_ONLY)
    for h in ("Next deadlines", "Obligations", "Legend", "Exchange ledger",
              "Violations (prohibited acts)"):  # fmt: skip
        assert h in headings
    tables = [cells(t) for t in document.tables]
    state = dict((row[0], row[1]) for row in tables[0])
    assert state["Current phase"] == "Phase one (active, day 4)"
    assert state["Agreement"] == "in force"
    assert state["Obligations"].startswith("0 violated, 1 not recorded, 2 late")
    obligations = next(t for t in document.tables if t.rows[0].cells[0].text == "Obligation")
    row = next(r for r in obligations.rows if r.cells[0].text == "4#3")
    assert row.cells[4].text == "not recorded (nothing logged by its deadline)"
    run_ = row.cells[4].paragraphs[0].runs[0]
    assert run_.italic and run_.font.color.rgb == STATUS_LOOK["not_recorded"][0]
    assert run_.font.color.rgb != STATUS_LOOK["violated"][0]
    legend = next(t for t in tables if t[0] == ["Status", "Meaning"])
    assert ["not recorded", LEGEND["not_recorded"]] in legend
    assert all(s != "violated" for s, _ in legend[1:])
    ledger = next(t for t in tables if t[0][0] == "Round")
    assert ledger[1][0] == "2 r1" and ledger[1][5] == "late by 1 d"
    deadlines = next(t for t in tables if t[0][0] == "Due")
    assert ["2024-01-05", "1 d", "2/r2/release/hostages", "Side A", "0 of 3"] in deadlines


def test_docx_sources_of_violations_and_the_other_reading() -> None:
    agreement, report = report_of("2024-01-20", absence_is_violation=True)
    document = read_docx(render_monitor_docx(report, agreement))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Reading: " + ABSENCE in text and "not recorded" in text  # where the other one is
    tables = [cells(t) for t in document.tables]
    violations = next(t for t in tables if t[0][0] == "Date" and "Prohibited by" in t[0])
    assert violations[1] == ["2024-01-08", "Side B", "hostilities", "1", "disputed", "Side A",
                             "https://example.org/strike"]  # fmt: skip
    obligations = next(t for t in tables if t[0][0] == "Obligation")
    assert next(r for r in obligations if r[0] == "4#3")[4] == "violated"
    legend = next(t for t in tables if t[0] == ["Status", "Meaning"])
    assert ["violated", LEGEND["violated"]] in legend
    assert all(s != "not recorded" for s, _ in legend[1:])


def test_docx_to_a_folder_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    code, out, err = run(SPEC, LOG, "--docx", str(tmp_path / "no" / "report.docx"))
    assert code == 2 and "Traceback" not in out + err


def test_releases_outside_the_agreement_reconcile_in_every_report() -> None:
    root = Path(__file__).resolve().parent.parent / "examples" / "nov-2023-truce"
    agreement = load(root / "agreement.yaml")
    report = monitor(agreement, iter_events(root / "events.csv", agreement))
    assert report.reconciliation() == [("hamas", 80, 25, 105), ("israel", 240, 0, 240)]
    console = Console(record=True, width=200)
    print_report(report, agreement, console)
    text = console.export_text()
    assert "Released outside the agreement" in text and "reconciled to the public total" in text
    assert re.search(r"Hamas\s*│\s*80\s*│\s*25\s*│\s*105", text)
    assert (
        "https://www.bangkokpost.com/thailand/general/2695453/4-more-thais-released-by-hamas"
        in text
    )
    page = render_monitor_html(report, agreement)
    assert "Reconciled to the public total" in page
    assert re.search(r"<td>Hamas</td><td class=\"n\">80</td><td class=\"n\">25</td>"
                     r"<td class=\"n\">105</td>", page)  # fmt: skip
    document = read_docx(render_monitor_docx(report, agreement))
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Hamas", "80", "25", "105"] in cells


def test_docx_cells_are_the_html_cells() -> None:
    """The DOCX formats its cells with the one cell formatter the HTML and web pages use:
    lists joined with semicolons, floats without trailing zeros."""
    agreement, report = report_of("2024-01-20", absence_is_violation=True)
    report.violations[0]["prohibited_by"] = ["1", "7"]
    document = read_docx(render_monitor_docx(report, agreement))
    tables = [cells(t) for t in document.tables]
    violations = next(t for t in tables if t[0][0] == "Date" and "Prohibited by" in t[0])
    assert violations[1][3] == cell_text(["1", "7"]) == "1; 7"
    assert cell_text(0.5) == "0.5" and cell_text({"a_b": 2.0}) == "a b 2"
