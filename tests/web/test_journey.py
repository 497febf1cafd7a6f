"""A monitoring cell's member, end to end, in the real Chromium against a real `detente serve`.

Sign in, upload the January 2025 agreement, import its event log from the browser, read the
legend and the late, violated and not recorded rows apart, page through the history, check
every page fits a laptop (1366 px) and a phone (390 px) with no sideways scrolling, sign out
and find the session ended, and see an API token revoked with
`detente users token NAME --revoke ID` refused at once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from detente.monitor.report import LEGEND
from tests.web.conftest import JAN_2025, MINIMAL
from tests.web.server import Server, add_user, detente
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JAN_EVENTS = JAN_2025.parent / "events.csv"
LAPTOP, PHONE = 1366, 390
#: Widths measured on the way, printed at the end (``-s``) for the record.
WIDTHS: dict[str, int] = {}


@pytest.fixture(scope="module")
def cell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Chromium not installed")
    home = tmp_path_factory.mktemp("journey")
    database = f"sqlite:///{home / 'detente.db'}"
    token = add_user(database, "mia", "editor", PASSWORD)
    running = Server(database, home / "serve.log").start()
    yield running, token
    running.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def fits(page: Any, name: str) -> None:
    """The page at both widths: the body never scrolls sideways."""
    for width in (LAPTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
        WIDTHS[f"{name} at {width}"] = scroll
        assert scroll <= width, f"{name} is {scroll} px wide in a {width} px window"
        # Nor does any table hide a sideways scroll of its own.
        tables = page.evaluate(
            "[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().width)"
        )
        widest = max(tables, default=0)
        WIDTHS[f"{name} at {width}, widest table"] = round(widest)
        assert widest <= width, f"a table of {name} is {widest} px wide in a {width} px window"
    page.set_viewport_size({"width": LAPTOP, "height": 900})


def looks(page: Any, selector: str) -> list[str]:
    return list(
        page.locator(selector).first.evaluate(
            "td => { const s = getComputedStyle(td); return [s.borderLeftStyle,"
            " s.backgroundColor, s.color, s.fontStyle, s.fontWeight]; }"
        )
    )


def test_a_cell_member_imports_reads_pages_signs_out_and_a_revoked_token_is_refused(
    cell: tuple[Server, str], chromium: Any
) -> None:
    running, token = cell
    base = running.url
    context = chromium.new_context(viewport={"width": LAPTOP, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

    # Sign in.
    page.goto(base + "/")
    assert "/login" in page.url
    fits(page, "sign-in")
    page.fill("input[name=name]", "mia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(base + "/")

    # Upload the January 2025 agreement.
    page.set_input_files("input[name=file]", str(JAN_2025))
    page.click("button:has-text('Upload')")
    page.wait_for_url(re.compile(r".*/agreements/[a-z0-9_-]+$"))
    aid = page.url.rsplit("/", 1)[1]

    # Import its event log from the browser: all 41 rows, shown recorded.
    page.click("nav.tabs a:has-text('Import events')")
    fits(page, "import form")
    page.set_input_files("input[name=file]", str(JAN_EVENTS))
    page.click("button:has-text('Import')")
    rows = len(JAN_EVENTS.read_text().splitlines()) - 1
    assert page.locator("#imported").inner_text().startswith(f"Recorded {rows} events")

    # The status on the day hostilities resumed: the phase in a sentence, the legend, and
    # late, violated and not recorded told apart by their words and their looks.
    page.goto(f"{base}/agreements/{aid}?as_of=2025-03-18")
    assert page.locator("#phase").inner_text().startswith("Phase one, day 59")
    legend = page.locator("#legend").inner_text()
    for status in ("violated", "late", "not_recorded"):
        assert LEGEND[status] in legend
    assert "late by" in page.locator("#obligations tr.late").first.inner_text()
    assert "not recorded" in page.locator("#obligations tr.not-recorded").first.inner_text()
    assert "violated" in page.locator("#violations tr.violated").first.inner_text()
    late = looks(page, "#obligations tr.late td")
    violated = looks(page, "#violations tr.violated td")
    unrecorded = looks(page, "#obligations tr.not-recorded td")
    assert [late[0], violated[0], unrecorded[0]] == ["double", "solid", "dotted"]
    assert len({late[1], violated[1], unrecorded[1]}) == 3  # three backgrounds
    assert unrecorded[3] == "italic" and violated[4] == "600"
    # On whose word: the violation's source links its whole address, shown as its host.
    link = page.locator("#violations td.word a").first
    assert link.get_attribute("href").startswith("https://www.nbcwashington.com/")
    assert link.inner_text() == "nbcwashington.com"
    # Details on demand: closed until asked for.
    details = page.locator("#obligations details").first
    assert not details.locator("dl").is_visible()
    details.locator("summary").click()
    assert details.locator("dl").is_visible()
    fits(page, "status")

    # The charts page: plotly from the application, no errors, no network beyond it.
    page.goto(f"{base}/agreements/{aid}/report?as_of=2025-03-18")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length > 0")
    assert not failed, failed
    # no console error but the browser's own favicon request (not a page's resource)
    assert not [e for e in errors if "status of 404" not in e], errors

    # Page through a long history (a second agreement with 250 events).
    auth = {"Authorization": f"Bearer {token}"}
    spec = MINIMAL.read_text().replace("id: truce", "id: long-log", 1)
    assert httpx.post(base + "/api/agreements", content=spec, headers=auth).status_code == 201
    log = "\n".join(
        json.dumps(
            {
                "date": "2025-01-19",
                "actor": "a",
                "action": "release",
                "quantity": 2,
                "category": "hostages",
                "clause": "2",
                "id": f"ev{i:03}",
                "source": f"https://example.org/a-rather-long-path/to/report/{i}?x=" + "y" * 80,
            }
        )
        for i in range(250)
    )
    r = httpx.post(
        f"{base}/api/agreements/long-log/events/import",
        content=log,
        headers={**auth, "Content-Type": "application/jsonl"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    page.goto(f"{base}/agreements/long-log/events")
    seen = []
    for number in (1, 2, 3):
        assert f"Page {number} of 3" in page.locator("nav.pages").first.inner_text()
        seen += page.locator("table.events tbody tr td:nth-child(2) a").all_inner_texts()
        fits(page, f"events page {number}")
        if number < 3:
            page.locator("nav.pages a[rel=next]").first.click()
            page.wait_for_url(re.compile(rf".*page={number + 1}$"))
    assert seen == [f"ev{i:03}" for i in range(250)]

    # Sign out: the session is over; the old cookie, replayed, signs no one in.
    cookies = context.cookies()
    page.click("button:has-text('Sign out')")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto(f"{base}/agreements/{aid}")
    assert "/login" in page.url
    replay = chromium.new_context()
    replay.add_cookies(cookies)
    again = replay.new_page()
    again.goto(f"{base}/agreements/{aid}")
    assert "/login" in again.url
    replay.close()
    context.close()

    # An API token revoked on the command line is refused at once.
    assert httpx.get(base + "/api/agreements", headers=auth).status_code == 200
    listed = detente("users", "tokens", "mia", database=running.database)
    token_id = listed.strip().splitlines()[-1].split("\t")[0]
    detente("users", "token", "mia", "--revoke", token_id, database=running.database)
    assert httpx.get(base + "/api/agreements", headers=auth).status_code == 401
    print("\npage widths (px):", json.dumps(WIDTHS, indent=1))
