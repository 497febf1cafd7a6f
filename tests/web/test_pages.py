"""The dashboard as a browser without JavaScript sees it: sessions, CSRF, forms, escaping."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
from fastapi.testclient import TestClient

from detente.monitor.report import LEGEND
from detente.web.pages import PLOTLY_PATH
from tests.web.conftest import MINIMAL, PASSWORD, Cell, event


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(cell: Cell, name: str) -> TestClient:
    client = TestClient(cell.app)
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def form_post(client: TestClient, page: str, url: str, data: Mapping[str, Any]) -> httpx.Response:
    token = csrf_of(client.get(page).text)
    response: httpx.Response = client.post(
        url, data={**data, "csrf": token}, follow_redirects=False
    )
    return response


def test_pages_need_a_session_and_redirect_to_login(cell: Cell) -> None:
    r = cell.client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert cell.client.get("/static/detente.css").status_code == 200
    login = cell.client.get("/login")
    assert "default-src 'none'" in login.headers["content-security-policy"]
    assert "<script" not in login.text


def test_login_needs_the_csrf_token_and_is_rate_limited(cell: Cell) -> None:
    client = TestClient(cell.app)
    client.get("/login")
    r = client.post("/login", data={"name": "eli", "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403
    for _ in range(5):
        r = form_post(client, "/login", "/login", {"name": "eli", "password": "wrong password"})
        assert r.status_code == 401
    r = form_post(client, "/login", "/login", {"name": "eli", "password": PASSWORD})
    assert r.status_code == 429  # even the right password, until the window passes
    other = form_post(client, "/login", "/login", {"name": "eve", "password": PASSWORD})
    assert other.status_code == 303  # the limit is per user and address


def test_forms_refuse_a_missing_or_foreign_csrf_token(cell: Cell) -> None:
    aid = cell.upload("eli")
    client = sign_in(cell, "eli")
    r = client.post(
        f"/agreements/{aid}/events", data={**event(), "csrf": "x"}, follow_redirects=False
    )
    assert r.status_code == 403
    r = client.post(f"/agreements/{aid}/events", data=event(), follow_redirects=False)
    assert r.status_code == 403
    assert cell.api("GET", f"/api/agreements/{aid}/events", "eli").json() == []


def test_upload_record_correct_and_verify_through_forms(cell: Cell) -> None:
    client = sign_in(cell, "eli")
    bad = form_post(client, "/", "/agreements", {"spec": "agreement:\n  id: x\n  status: odd\n"})
    assert bad.status_code == 422 and "line 3" in bad.text
    r = form_post(client, "/", "/agreements", {"spec": MINIMAL.read_text()})
    assert r.status_code == 303 and r.headers["location"] == "/agreements/truce"
    page = client.get("/agreements/truce?as_of=2025-01-20")
    assert (
        page.status_code == 200
        and "Phase one" in page.text
        and "Both sides stop hostilities." in page.text
    )
    new = "/agreements/truce/events/new"
    wrong = form_post(client, new, "/agreements/truce/events", {**event(quantity="two", date="")})
    assert wrong.status_code == 422
    assert "quantity" in wrong.text and "date" in wrong.text and "Please fix" in wrong.text
    ok = form_post(client, new, "/agreements/truce/events", {**event(id="round-1")})
    assert ok.status_code == 303 and ok.headers["location"].endswith("/events/round-1")
    fixed = form_post(
        client,
        "/agreements/truce/events/round-1",
        "/agreements/truce/events/round-1/correct",
        {**{k: str(v) for k, v in event(quantity=3).items()}, "reason": "ICRC counted three"},
    )
    assert fixed.status_code == 303, fixed.text
    chain = client.get(fixed.headers["location"])
    assert (
        "ICRC counted three" in chain.text
        and "round-1" in chain.text
        and "superseded" in chain.text
    )
    new_id = fixed.headers["location"].rsplit("/", 1)[1]
    verdict = form_post(
        client,
        fixed.headers["location"],
        f"/agreements/truce/events/{new_id}/verify",
        {"status": "confirmed", "reason": "seen by the cell", "evidence": "https://example.org/x"},
    )
    assert verdict.status_code == 303
    history = client.get("/agreements/truce/events")
    assert (
        "eli" in history.text
        and "confirmed" in history.text
        and "https://example.org/report-1" in history.text
    )
    assert "Nothing waits for review" in client.get("/agreements/truce/review").text


def test_a_viewer_sees_but_cannot_record(cell: Cell) -> None:
    aid = cell.upload("eli")
    cell.api("PUT", f"/api/agreements/{aid}/members/vic", "ada")
    client = sign_in(cell, "vic")
    assert client.get(f"/agreements/{aid}").status_code == 200
    assert "Record an event" not in client.get(f"/agreements/{aid}/events").text
    assert client.get(f"/agreements/{aid}/events/new").status_code == 403
    r = form_post(client, f"/agreements/{aid}", f"/agreements/{aid}/events", event())
    assert r.status_code == 403
    outsider = sign_in(cell, "val")
    assert outsider.get(f"/agreements/{aid}").status_code == 404


def test_user_text_is_always_escaped(cell: Cell) -> None:
    aid = cell.upload("eli")
    cell.api(
        "POST",
        f"/api/agreements/{aid}/events",
        "eli",
        json=event(id="x1", notes="<script>alert(1)</script>", source="javascript:alert(2)"),
    )
    client = sign_in(cell, "eli")
    for url in (
        f"/agreements/{aid}/events",
        f"/agreements/{aid}/events/x1",
        f"/agreements/{aid}/review",
    ):
        html = client.get(url).text
        assert "<script>alert(1)</script>" not in html
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/agreements/{aid}/events").text


def test_next_after_login_stays_on_this_site(cell: Cell) -> None:
    client = TestClient(cell.app)
    token = csrf_of(client.get("/login?next=//evil.example/x").text)
    r = client.post(
        "/login",
        data={"name": "eli", "password": PASSWORD, "csrf": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_the_full_text_and_the_chart_report_are_served_by_the_app(cell: Cell) -> None:
    aid = cell.upload("eli")
    cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event())
    client = sign_in(cell, "eli")
    document = client.get(f"/agreements/{aid}/document")
    assert document.status_code == 200 and "Both sides stop hostilities." in document.text
    assert "script-src" not in document.headers["content-security-policy"]
    report = client.get(f"/agreements/{aid}/report?as_of=2025-01-25")
    assert report.status_code == 200, report.text[:500]
    assert "http://" not in report.headers["content-security-policy"]
    # plotly from this application (no CDN): every script is inline or from our own path
    assert re.findall(r'<script src="([^"]+)"', report.text) == [PLOTLY_PATH]
    assert sign_in(cell, "val").get(f"/agreements/{aid}/report").status_code == 404
    # The report page, like the dashboard, uses the default reading and says so.
    assert 'id="reading"' in report.text and "Only what the log records" in report.text
    assert '<tr class="not-recorded">' in report.text and LEGEND["not_recorded"] in report.text


def test_the_dashboard_shows_not_recorded_apart_with_the_reading_and_the_legend(
    cell: Cell,
) -> None:
    aid = cell.upload("eli")
    # Round 1: A's two hostages are logged; B's twenty prisoners, due the same day, are not.
    cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event())
    page = sign_in(cell, "eli").get(f"/agreements/{aid}?as_of=2025-01-25").text
    reading = re.search(r'<p class="reading" id="reading">(.*?)</p>', page, re.S)
    assert reading and "Only what the log records" in reading.group(1)
    assert "The dashboard always uses this reading" in reading.group(1)
    rows = re.findall(r'<tr class="([^"]*)">(.*?)</tr>', page, re.S)
    unrecorded = [text for cls, text in rows if cls == "not-recorded"]
    assert unrecorded and all("not recorded" in text for text in unrecorded)
    assert any("2/r1/counter/prisoners" in text for text in unrecorded)
    assert not [text for cls, text in rows if "violated" in cls]  # nothing logged a breach
    assert any("fulfilled" in text for cls, text in rows if cls == "fulfilled")
    assert '<span class="status violated">0 violated</span>' in page
    legend = page[page.index('id="legend"') :]
    legend = legend[: legend.index("</table>")]
    assert LEGEND["not_recorded"] in legend and LEGEND["fulfilled"] in legend
    # The three never to be confused are always explained; the rest only when present.
    assert LEGEND["violated"] in legend and LEGEND["late"] in legend
    assert LEGEND["discharged"] not in legend
    status = cell.api("GET", f"/api/agreements/{aid}/status?as_of=2025-01-25", "eli").json()
    assert status["reading"] == "recorded_only" and status["legend"] == LEGEND
