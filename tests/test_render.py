"""`detente render`: the agreement as Markdown, self-contained HTML and DOCX."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.language.loader import load, load_text
from detente.language.model import Agreement
from detente.reports.monitor_html import PLOTLY_BUNDLE, render_monitor_html, write_plotly_bundle
from detente.reports.render import FORMATS, render
from detente.reports.view import build_view

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SPECS = sorted(p for p in (ROOT / "examples").glob("*/*.yaml") if p.is_file())

HOSTILE = """
agreement:
  id: hostile
  title: "Truce <script>alert('title')</script> & co"
  status: draft
  parties:
    - {id: a, name: "<b>Side A</b>"}
    - {id: b, name: Side B | pipe}
  sources:
    - {id: s, document: "Doc <img src=x onerror=alert(1)>"}
  phases:
    - {id: one, name: "Phase <i>one</i>", starts: entry_into_force, duration_days: 3}
  clauses:
    - id: "1.2"
      title: "Stop <script>"
      text: "Both stop. <script>alert('clause')</script> *not emphasis* | [link](http://x)"
      words: quote
      source: s
      prohibition: {parties: [a, b], act: hostilities}
"""


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("fmt", FORMATS)
def test_minimal_renders_in_every_format(minimal_spec: Path, fmt: str) -> None:
    data = render(load(minimal_spec), fmt)  # type: ignore[arg-type]
    assert data
    text = _docx_text(data) if fmt == "docx" else data.decode("utf-8")
    for needle in ("A minimal two-phase truce", "Side A", "Phase one", "Clause 2", "Clause 3"):
        assert needle in text


def test_markdown_has_clauses_timeline_and_schedule(minimal_spec: Path) -> None:
    md = render(load(minimal_spec), "md").decode()
    assert "## Phase timeline" in md
    assert "| Phase one (`one`) | on entry into force | 1–10 |" in md
    # The schedule: rounds, the derived counter-releases and the totals against the stated ones.
    assert "| Round 1 | 1 | 1 |  | 2 | 20* |" in md
    assert "| **Total** | | | | **5** | **50** |" in md
    assert "*Summary of the text*" in md


def test_html_is_self_contained_and_offline(minimal_spec: Path) -> None:
    html = render(load(minimal_spec), "html").decode()
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "<style>" in html
    # Nothing the page would fetch: no external stylesheets, scripts, images or fonts.
    assert not re.search(r"<(script|link|img|iframe)\b", html, re.I)
    assert "@import" not in html and "url(" not in html


def test_html_escapes_spec_text() -> None:
    html = render(load_text(HOSTILE), "html").decode()
    assert "<script>" not in html
    assert "<img" not in html and "<b>Side A" not in html
    assert "&lt;script&gt;alert(&#39;clause&#39;)&lt;/script&gt;" in html
    assert "Truce &lt;script&gt;" in html


def test_markdown_neutralises_spec_text() -> None:
    md = render(load_text(HOSTILE), "md").decode()
    assert "<script>" not in md
    assert r"\<script\>" in md
    assert r"\*not emphasis\*" in md
    # A pipe in a party name cannot break the parties table.
    assert r"Side B \| pipe" in md


def test_quote_and_summary_are_marked(minimal_spec: Path) -> None:
    md = render(load_text(HOSTILE), "md").decode()
    assert "*Quoted from the text*" in md
    assert "> Both stop." in md
    html = render(load_text(HOSTILE), "html").decode()
    assert 'class="clause quote"' in html and "<blockquote>" in html


def test_docx_opens_and_has_numbered_clauses(minimal_spec: Path) -> None:
    data = render(load(minimal_spec), "docx")
    document = docx.Document(io.BytesIO(data))
    headings = [
        p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")
    ]
    assert {"Clause 1", "Clause 2", "Clause 3"} <= set(headings)
    assert len(document.tables) >= 3  # parties, timeline, schedule
    schedule = document.tables[-1]
    assert [c.text for c in schedule.rows[1].cells][-2:] == ["2", "20*"]


def test_docx_keeps_hostile_text_as_text() -> None:
    text = _docx_text(render(load_text(HOSTILE), "docx"))
    assert "<script>alert('clause')</script>" in text
    assert "Clause 1.2: Stop <script>" in text


def test_view_derives_phase_days_and_round_counts(minimal_spec: Path) -> None:
    view = build_view(load(minimal_spec))
    one, two = view.phases
    assert (one.start_day, one.end_day, one.conditional) == (1, 10, False)
    assert (two.start_day, two.end_day, two.conditional) == (11, None, True)
    (schedule,) = view.schedules
    assert schedule.total_release == {"hostages": 5}
    assert schedule.total_counter == {"prisoners": 50}


def test_cli_render_writes_each_format(minimal_spec: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for fmt in FORMATS:
        out = tmp_path / f"minimal.{fmt}"
        result = runner.invoke(app, ["render", str(minimal_spec), "--to", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0


def test_cli_render_refuses_unknown_format_and_missing_file(
    minimal_spec: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["render", str(minimal_spec), "--to", "pdf"]).exit_code == 2
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["render", str(missing), "--to", "md", "-o", "-"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("spec", EXAMPLE_SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("fmt", FORMATS)
def test_examples_render(spec: Path, fmt: str) -> None:
    agreement = load(spec)
    data = render(agreement, fmt)  # type: ignore[arg-type]
    text = _docx_text(data) if fmt == "docx" else data.decode("utf-8")
    for clause in agreement.clauses:
        assert f"Clause {clause.id}" in text


def test_folded_yaml_text_renders_in_docx() -> None:
    # The YAML reader may keep fold marks (control characters) in `>-` text; DOCX refuses them.
    spec = HOSTILE.replace(
        "  status: draft\n",
        "  status: draft\n  description: >-\n    A long description\n    folded over lines.\n",
    )
    agreement = load_text(spec)
    text = _docx_text(render(agreement, "docx"))
    assert "A long description" in text and "folded over lines." in text
    assert "\x07" not in render(agreement, "html").decode()


# ----------------------------------------------------------------- the monitoring report (HTML)


def _in_force(minimal_spec: Path) -> Agreement:
    text = minimal_spec.read_text(encoding="utf-8").replace(
        "  status: draft\n", "  status: in_force\n  dates: {entry_into_force: 2024-01-01}\n"
    )
    return load_text(text)


def test_monitor_html_inlines_plotly_once_and_loads_nothing(minimal_spec: Path) -> None:
    page = render_monitor_html({"as_of": "2024-01-12", "phase": "one"}, _in_force(minimal_spec))
    assert len(re.findall(r"plotly\.js v\d", page)) == 1  # one inlined copy, by its banner
    assert page.count("<script>") >= 1
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link\b", page)
    assert "Phase one (one)" in page


def test_monitor_html_can_load_one_shared_bundle_instead(
    minimal_spec: Path, tmp_path: Path
) -> None:
    page = render_monitor_html(
        {"as_of": "2024-01-12"}, _in_force(minimal_spec), plotly_src=PLOTLY_BUNDLE
    )
    assert not re.search(r"plotly\.js v\d", page)  # no inlined copy
    assert page.count(f'<script src="{PLOTLY_BUNDLE}"></script>') == 1
    assert len(page) < 200_000
    bundle = write_plotly_bundle(tmp_path)
    assert bundle.name == PLOTLY_BUNDLE and re.search(r"plotly\.js v\d", bundle.read_text())
    before = bundle.stat().st_mtime_ns
    assert write_plotly_bundle(tmp_path).stat().st_mtime_ns == before  # written once


def test_cli_monitor_html_page_is_small_with_the_bundle_beside_it(tmp_path: Path) -> None:
    jan = Path(__file__).resolve().parent.parent / "examples" / "jan-2025-ceasefire"
    runner = CliRunner()
    args = ["monitor", str(jan / "agreement.yaml"), str(jan / "events.csv")]
    result = runner.invoke(app, [*args, "--html", str(tmp_path / "a.html")])
    assert result.exit_code in (0, 1), result.output
    runner.invoke(app, [*args, "--html", str(tmp_path / "b.html")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html", PLOTLY_BUNDLE]
    assert (tmp_path / "a.html").stat().st_size < 200_000  # was 4.8 MB with plotly inline
    runner.invoke(app, [*args, "--html", str(tmp_path / "one.html"), "--self-contained"])
    one = (tmp_path / "one.html").read_text(encoding="utf-8")
    assert len(re.findall(r"plotly\.js v\d", one)) == 1 and "<script src=" not in one


def _chart_titles(page: str) -> list[str]:
    return re.findall(r"Released by [^\"]*?: cumulative", page)


def test_monitor_html_charts_fit_the_agreement(minimal_spec: Path) -> None:
    agreement = _in_force(minimal_spec)
    events = [
        {"date": "2024-01-01", "actor": "a", "action": "release", "quantity": 2,
         "category": "hostages", "verification": "confirmed"},
    ]  # fmt: skip
    assert _chart_titles(render_monitor_html({"as_of": "2024-01-12"}, agreement, events)) == [
        "Released by Side A: cumulative",
        "Released by Side B: cumulative",
    ]
    # No exchange clause: no exchange chart, whatever the log says.
    text = minimal_spec.read_text(encoding="utf-8")
    cut = text.index('    - id: "2"')
    no_exchange = text[:cut] + text[text.index('    - id: "3"') :]
    no_exchange = no_exchange.replace(
        "  status: draft\n", "  status: in_force\n  dates: {entry_into_force: 2024-01-01}\n"
    )
    page = render_monitor_html({"as_of": "2024-01-12"}, load_text(no_exchange), events)
    assert _chart_titles(page) == [] and "timeline-chart" in page
    # Remains are counted apart from persons: a chart of their own, with their own axis.
    remains = text.replace(
        "    - {id: hostages, holder: a, name: hostages, count: 10}\n",
        "    - {id: hostages, holder: a, name: hostages, count: 10}\n"
        "    - {id: bodies, holder: a, name: remains of hostages, count: 2, unit: remains}\n",
    ).replace("  status: draft\n", "  status: in_force\n  dates: {entry_into_force: 2024-01-01}\n")
    events.append(
        {"date": "2024-01-02", "actor": "a", "action": "release", "quantity": 1,
         "category": "bodies", "verification": "confirmed"}
    )  # fmt: skip
    page = render_monitor_html({"as_of": "2024-01-12"}, load_text(remains), events)
    assert _chart_titles(page) == [
        "Released by Side A: cumulative",
        "Released by Side A (remains): cumulative",
        "Released by Side B: cumulative",
    ]
    assert "remains (cumulative)" in page


def test_monitor_html_escapes_log_text(minimal_spec: Path) -> None:
    hostile = "<script>alert('x')</script>"
    report = {
        "as_of": "2024-01-12",
        "violations": [
            {"date": "2024-01-03", "actor": "a", "action": "hostilities", "notes": hostile}
        ],
    }
    events = [
        {"date": "2024-01-01", "actor": "a", "action": "release", "quantity": 2,
         "category": "hostages", "verification": "confirmed", "notes": hostile},
    ]  # fmt: skip
    page = render_monitor_html(report, _in_force(minimal_spec), events)
    assert hostile not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_monitor_html_reads_objects_json_text_and_odd_rows(minimal_spec: Path) -> None:
    class Report:
        def to_json(self) -> str:
            return json.dumps(
                {
                    "as_of": "2024-01-12",
                    "obligations": [{"id": "x", "late_days": "n/a", "due": None}],
                    "ledger": {"rounds": [{"round": 1, "late_days": 2, "due": "2024-01-01"}]},
                    "violations": [{"actor": "b"}],  # no date: listed, not plotted
                    "totals": {"a": {"hostages": 2}},
                }
            )

    agreement = _in_force(minimal_spec)
    page = render_monitor_html(Report(), agreement)
    assert "Side A" in page and ">2<" in page
    assert render_monitor_html(Report().to_json(), agreement)
    with pytest.raises(TypeError):
        render_monitor_html(object(), agreement)  # type: ignore[arg-type]  # the wrong type, on purpose


GAZA = Path(__file__).resolve().parent.parent / "examples" / "gaza-framework-2024"


def test_every_format_carries_the_expectations_whom_they_protect_and_sources() -> None:
    agreement = load(GAZA / "july-2024-israel-wording.yaml")
    md = render(agreement, "md").decode()
    html = render(agreement, "html").decode()
    text = _docx_text(render(agreement, "docx"))
    for doc in (md, html, text):
        assert "Expectations" in doc
        assert "While Hamas complies, fighting never resumes lawfully" in doc
        assert "Hamas sought wording under which Israel could not declare" in doc
        assert "Times of Israel" in doc  # a source of Israel's position
    assert "It protects **Hamas**." in md
    assert "It protects <strong>Hamas</strong>." in html
    (hamas,) = [e for e in build_view(agreement).expectations if e.protects == "Hamas"]
    assert [s.url for s in hamas.sources][1:] == [
        "https://mb.com.ph/2024/7/6/hamas-clears-the-way-for-a-possible-cease-fire-after-dropping-key-demand-officials-say",
        "https://www.newser.com/story/352612/hamas-drops-demand-gives-preliminary-ok-for-ceasefire.html",
    ]


def test_a_phase_named_the_something_is_not_the_the(minimal_spec: Path) -> None:
    text = minimal_spec.read_text(encoding="utf-8").replace(
        "name: Phase one", "name: The humanitarian pause"
    )
    agreement = load_text(text)
    for fmt in ("md", "html"):
        doc = render(agreement, fmt).decode()
        assert "the humanitarian pause" in doc
        assert not re.search(r"\bthe the\b", doc, re.IGNORECASE)
    assert not re.search(r"\bthe the\b", _docx_text(render(agreement, "docx")), re.IGNORECASE)


def test_cli_render_to_stdout_or_to_the_file_predictably(
    minimal_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(minimal_spec.read_text(encoding="utf-8"), encoding="utf-8")
    # No -o: the document (HTML by default) on stdout, nothing written anywhere.
    result = runner.invoke(app, ["render", str(spec)])
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and "wrote" not in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]
    # -o -: the same, in the format asked for.
    assert runner.invoke(app, ["render", str(spec), "--to", "md", "-o", "-"]).stdout.startswith(
        "# A minimal"
    )
    # -o FILE: the format FILE's suffix names, 'wrote FILE' on stderr, stdout empty.
    for name, head in (("a.md", b"# A minimal"), ("a.html", b"<!DOCTYPE html>"), ("a.docx", b"PK")):
        result = runner.invoke(app, ["render", str(spec), "-o", name])
        assert result.exit_code == 0, result.output
        assert result.stdout == "" and f"wrote {name}" in result.stderr
        assert (tmp_path / name).read_bytes().startswith(head)
    # DOCX never goes to stdout.
    assert runner.invoke(app, ["render", str(spec), "--to", "docx"]).exit_code == 2
