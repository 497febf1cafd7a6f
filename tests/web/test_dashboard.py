"""The dashboard answers the cell's questions: what is late, what comes next, on whose word.

Late, violated and not recorded apart with the monitor's legend; sources and publishers in
the status tables; the phase as a sentence; a header that agrees with the status; event
files imported from the browser, all or nothing; the history paged; the charts rendered
once per chain head and served as a file, with plotly from the package.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from detente.monitor.report import LEGEND
from detente.web.pages import EVENTS_PER_PAGE, PLOTLY_PATH
from tests.web.conftest import JAN_2025, Cell, event
from tests.web.test_pages import csrf_of, sign_in

JAN_EVENTS = JAN_2025.parent / "events.csv"


def import_file(client: TestClient, aid: str, name: str, data: bytes) -> tuple[int, str]:
    token = csrf_of(client.get(f"/agreements/{aid}/events/import").text)
    r = client.post(
        f"/agreements/{aid}/events/import",
        data={"csrf": token},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )
    return r.status_code, r.text


@pytest.fixture
def january(cell: Cell) -> tuple[Cell, str, TestClient]:
    aid = cell.upload("eli", JAN_2025)
    client = sign_in(cell, "eli")
    status, text = import_file(client, aid, "events.csv", JAN_EVENTS.read_bytes())
    assert status == 201, text
    return cell, aid, client


def rows_of(html: str, table_id: str) -> list[tuple[str, str]]:
    found = re.search(rf'<table class="status-table" id="{table_id}">(.*?)</table>', html, re.S)
    assert found, f"no table {table_id}"
    return re.findall(r'<tr class="([^"]*)">(.*?)</tr>', found.group(1), re.S)


def test_the_january_log_imports_from_the_browser_and_the_status_answers(
    january: tuple[Cell, str, TestClient],
) -> None:
    cell, aid, client = january
    rows = len(JAN_EVENTS.read_text().splitlines()) - 1
    assert len(cell.api("GET", f"/api/agreements/{aid}/events", "eli").json()) == rows
    html = client.get(f"/agreements/{aid}?as_of=2025-03-18").text
    # The phase as a sentence, and the next phase said not to have started.
    phase = re.search(r'<p class="phase" id="phase"><strong>(.*?)</strong>', html, re.S)
    assert phase and phase.group(1).startswith("Phase one, day 59: its 42 days ended on 2025-03-01")
    assert "phase two (sustainable calm) has not started" in phase.group(1)
    # Late and not recorded apart, each with its words; the legend names all three.
    obligations = rows_of(html, "obligations")
    classes = {cls for cls, _ in obligations}
    assert {"late", "not-recorded", "fulfilled"} <= classes
    for cls, text in obligations:
        if cls == "late":
            assert "late by" in text and "not recorded" not in text
        if cls == "not-recorded":
            assert "not recorded" in text and "nothing in the log" in text
    legend = re.search(r'<table class="legend" id="legend">(.*?)</table>', html, re.S)
    assert legend
    for status in ("violated", "late", "not_recorded"):
        assert LEGEND[status] in legend.group(1)
    # On whose word: a fulfilled round names its source's host and publisher, linked whole.
    late = next(text for cls, text in obligations if cls == "late")
    assert re.search(r'<a href="https://[^"]+" title="https://[^"]+"', late)
    assert "reported by" in late
    # The breach of 18 March: violated, with NBC as the publisher of its source.
    violations = rows_of(html, "violations")
    assert violations and all(cls == "violated" for cls, _ in violations)
    assert any("NBC News" in text and "nbcwashington.com</a>" in text for _, text in violations)
    # Chosen columns: status, four cells, the word, details on demand.
    head = re.search(
        r'<table class="status-table" id="obligations">\s*<thead>(.*?)</thead>', html, re.S
    )
    assert head and head.group(1).count("<th>") == 7
    assert "<details>" in html and "<script" not in html


def test_the_header_never_contradicts_the_status(january: tuple[Cell, str, TestClient]) -> None:
    _, aid, client = january
    # The spec's own field says "ended"; the log records no end, so the monitor reads phase
    # one continuing. The header says what the status says, and names the file's word apart.
    html = client.get(f"/agreements/{aid}?as_of=2026-12-01").text
    header = re.search(r'<p class="muted" id="header-status">(.*?)</p>', html, re.S)
    assert header and "in force as of 2026-12-01" in header.group(1)
    assert "ended" not in header.group(1)
    assert "The spec file marks it ended; no event in the log ends it" in html
    phase = re.search(r'id="phase"><strong>(.*?)</strong>', html, re.S)
    assert phase and "Phase one, day 682" in phase.group(1) and "continues" in phase.group(1)
    before = client.get(f"/agreements/{aid}?as_of=2025-01-10").text
    assert "not yet in force as of 2025-01-10" in before
    assert "Not in force yet: it enters into force on 2025-01-19." in before


def test_an_import_with_a_bad_row_records_nothing_and_names_its_line(cell: Cell) -> None:
    aid = cell.upload("eli", JAN_2025)
    client = sign_in(cell, "eli")
    lines = JAN_EVENTS.read_text().splitlines()
    broken = [*lines[:5], lines[5].replace("2025-", "20x5-", 1), *lines[6:]]
    status, text = import_file(client, aid, "events.csv", "\n".join(broken).encode())
    assert status == 422 and "Nothing was recorded" in text
    assert re.search(r"<li>line 6: <strong>date</strong>", text), text[-2000:]
    assert cell.api("GET", f"/api/agreements/{aid}/events", "eli").json() == []
    # A row the agreement refuses (an unknown actor): also at its line, also nothing kept.
    wrong = "\n".join([*lines[:3], lines[3].replace(",hamas,", ",nobody,", 1)])
    status, text = import_file(client, aid, "log.csv", wrong.encode())
    assert status == 422 and "line 4" in text and "nobody" in text
    assert cell.api("GET", f"/api/agreements/{aid}/events", "eli").json() == []
    # JSON Lines too, and a forged form token is refused.
    status, _ = import_file(client, aid, "log.jsonl", b'{"date": "2025-01-19"}\n{"x": [[[\n')
    assert status == 422
    r = client.post(
        f"/agreements/{aid}/events/import",
        data={"csrf": "forged"},
        files={"file": ("e.csv", JAN_EVENTS.read_bytes(), "text/csv")},
    )
    assert r.status_code == 403
    viewer = sign_in(cell, "vic")
    cell.api("PUT", f"/api/agreements/{aid}/members/vic", "ada")
    assert viewer.get(f"/agreements/{aid}/events/import").status_code == 403


def test_the_history_is_paged(cell: Cell) -> None:
    aid = cell.upload("eli")
    n = EVENTS_PER_PAGE * 2 + 5
    body = "\n".join(
        '{"date": "2025-01-19", "actor": "a", "action": "release", "quantity": 2, '
        f'"category": "hostages", "clause": "2", "source": "https://example.org/r{i}", '
        f'"id": "e{i}"}}'
        for i in range(n)
    )
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=body.encode(),
        headers={"Content-Type": "application/jsonl"},
    )
    assert r.status_code == 201, r.text
    client = sign_in(cell, "eli")
    first = client.get(f"/agreements/{aid}/events").text
    assert "Page 1 of 3" in first and f"{n} in all" in first
    assert first.count('<tr class="') == EVENTS_PER_PAGE
    assert ">e0</a>" in first and f">e{EVENTS_PER_PAGE}</a>" not in first
    last = client.get(f"/agreements/{aid}/events?page=3").text
    assert last.count('<tr class="') == 5 and f">e{n - 1}</a>" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert client.get(f"/agreements/{aid}/events?page=4").status_code == 404
    assert client.get(f"/agreements/{aid}/events?page=x").status_code == 404


def test_the_chart_page_is_rendered_once_per_head_and_plotly_is_served_from_the_package(
    cell: Cell,
) -> None:
    aid = cell.upload("eli")
    cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event(id="one"))
    client = sign_in(cell, "eli")
    folder: Path = cell.app.state.chart_files.folder
    first = client.get(f"/agreements/{aid}/report?as_of=2025-01-25")
    assert first.status_code == 200 and f'<script src="{PLOTLY_PATH}"' in first.text
    assert "script-src 'self'" in first.headers["content-security-policy"]
    assert len(first.content) < 1_000_000  # plotly is not inlined
    files = list(folder.glob("*.html"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    time.sleep(0.01)
    again = client.get(f"/agreements/{aid}/report?as_of=2025-01-25")
    assert again.content == first.content and files[0].stat().st_mtime_ns == stamp
    # A new entry moves the head: a new file, with the new event in it.
    cell.api(
        "POST", f"/api/agreements/{aid}/events", "eli", json=event(id="two", date="2025-01-20")
    )
    client.get(f"/agreements/{aid}/report?as_of=2025-01-25")
    assert len(list(folder.glob("*.html"))) == 2
    # The dashboard links the charts; it no longer embeds (and renders) them.
    assert "<iframe" not in client.get(f"/agreements/{aid}").text
    js = client.get(PLOTLY_PATH)
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert "immutable" in js.headers["cache-control"]
    assert sign_in(cell, "val").get(f"/agreements/{aid}/report").status_code == 404


def test_a_row_names_each_source_once_and_the_page_does_not_grow_with_the_log(
    cell: Cell,
) -> None:
    """One obligation resting on 1,500 logged events: its row shows each source once, at
    most a few, with a count of the rest; the page stays small."""
    aid = cell.upload()
    lines = [event(source=f"https://example.org/r{n % 8}") for n in range(1500)]
    body = "\n".join(json.dumps(e) for e in lines)
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=body,
        headers={"Content-Type": "application/jsonl"},
    )
    assert r.status_code == 201, r.text
    page = sign_in(cell, "eli").get(f"/agreements/{aid}?as_of=2025-01-20").text
    assert len(page.encode()) < 60_000
    # once in each row resting on it (the obligation and its exchange round), not 188 times
    assert page.count('href="https://example.org/r0"') <= 2
    assert "and 3 more" in page
    assert "(1500 events)" in page
