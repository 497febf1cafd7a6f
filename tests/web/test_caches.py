"""The read caches never serve an unmarked stale answer: they are keyed by the chain's head
as read from the database on every request, so a second server process (another worker)
writing to the same database is seen at once; the incremental fold equals a full replay.
The one older answer served is the agreement page while another request renders the new
head, and it says up to which entry it goes."""

from __future__ import annotations

import re
import threading
from typing import Any

from fastapi.testclient import TestClient

from detente.web.app import create_app
from detente.web.db import reading
from detente.web.ledger import Entry, fold, history
from tests.web.conftest import PASSWORD, Cell, event


def _entry(position: int, kind: str, event_id: str | None, payload: dict[str, Any]) -> Entry:
    return Entry(position, "a", position, kind, event_id, payload, "eli", "t", "p", f"h{position}")


def test_an_incremental_fold_equals_a_full_one_and_leaves_its_base_alone() -> None:
    items = [
        _entry(0, "agreement", None, {}),
        _entry(1, "event", "e1", {"event": {"quantity": 1}}),
        _entry(2, "event", "e2", {"event": {"quantity": 2}}),
        _entry(3, "verification", "e1", {"status": "confirmed", "reason": "r", "evidence": ["x"]}),
        _entry(4, "correction", "e5", {"event": {"quantity": 3}, "supersedes": "e2"}),
        _entry(5, "verification", "e1", {"status": "disputed", "reason": "r", "evidence": ["y"]}),
        _entry(6, "verification", "e5", {"status": "confirmed", "reason": "r", "evidence": []}),
        _entry(7, "correction", "e8", {"event": {"quantity": 4}, "supersedes": "e5"}),
    ]
    whole = [e.as_json() for e in fold(items).events.values()]
    for cut in range(len(items) + 1):
        base = fold(items[:cut])
        before = [e.as_json() for e in base.events.values()]
        grown = fold(items[cut:], base=base)
        assert [e.as_json() for e in grown.events.values()] == whole
        assert [e.as_json() for e in base.events.values()] == before
        assert len(base.entries) == cut and len(grown.entries) == len(items)


def _sign_in(app: object, name: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def test_a_second_process_writing_is_seen_at_once(cell: Cell) -> None:
    aid = cell.upload()
    other = TestClient(create_app(engine=cell.engine))  # another worker on the same database
    browser = _sign_in(cell.app, "eli")
    # One event loop for the reads, as in a server: the head is read on the loop itself.
    with TestClient(cell.app) as mine:
        for n in range(1, 4):
            # Read everything here first, so every cache holds the current head ...
            listed = mine.get(
                f"/api/agreements/{aid}/events?limit=50", headers=cell.auth("eli")
            ).json()
            assert len(listed) == n - 1
            status = mine.get(
                f"/api/agreements/{aid}/status?as_of=2025-01-20", headers=cell.auth("eli")
            )
            assert status.status_code == 200
            page = browser.get(f"/agreements/{aid}?as_of=2025-01-20").text
            assert f"{n + 1} ledger entries" in page
            # ... then write through the other one.
            r = other.post(
                f"/api/agreements/{aid}/events", json=event(quantity=n), headers=cell.auth("eli")
            )
            assert r.status_code == 201, r.text
            listed = mine.get(
                f"/api/agreements/{aid}/events?limit=50", headers=cell.auth("eli")
            ).json()
            assert [e["event"]["quantity"] for e in listed] == list(range(1, n + 1))
            page = browser.get(f"/agreements/{aid}?as_of=2025-01-20").text
            assert f"{n + 2} ledger entries" in page
            again = mine.get(
                f"/api/agreements/{aid}/status?as_of=2025-01-20", headers=cell.auth("eli")
            )
            assert again.json() != status.json()
        # Membership removed through the other process: refused here at once.
        r = other.delete(f"/api/agreements/{aid}/members/eli", headers=cell.auth("ada"))
        assert r.status_code == 200, r.text
        gone = mine.get(f"/api/agreements/{aid}/events?limit=50", headers=cell.auth("eli"))
        assert gone.status_code == 404
        assert browser.get(f"/agreements/{aid}").status_code == 404
    heads = cell.app.state.service._heads  # the reads above went the event loop's way
    assert heads._sqlite is not None or heads._pg_open > 0


def test_readers_racing_writers_end_on_the_database_state(cell: Cell) -> None:
    aid = cell.upload()
    errors: list[str] = []

    def write(n: int) -> None:
        for k in range(5):
            r = cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event(quantity=k))
            if r.status_code != 201:
                errors.append(r.text)

    def read() -> None:
        for _ in range(10):
            r = cell.api("GET", f"/api/agreements/{aid}/events?limit=1000", "eli")
            if r.status_code != 200:
                errors.append(r.text)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    listed = cell.api("GET", f"/api/agreements/{aid}/events?limit=1000", "eli").json()
    with reading(cell.engine) as conn:
        stored = history(conn, aid)
    assert [e["id"] for e in listed] == [e.id for e in stored.current]
    assert len(listed) == 20


def test_while_one_request_renders_a_new_head_the_others_see_the_last_page_labelled(
    cell: Cell,
) -> None:
    """Writers move the head often: one reader renders the page at the new head, and the
    readers meanwhile get the newest page rendered at once, marked as going up to its
    entry (never an unmarked stale page; never a queue behind the render)."""
    aid = cell.upload()
    browser = _sign_in(cell.app, "eli")
    url = f"/agreements/{aid}?as_of=2025-01-20"
    first = browser.get(url).text
    assert "2 ledger entries" in first and "newer" not in first
    r = cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event(quantity=1))
    assert r.status_code == 201
    bodies = cell.app.state.bodies
    assert bodies.start(aid, "2025-01-20")  # another request is rendering the new head
    try:
        meanwhile = browser.get(url).text
        assert "This page shows the ledger up to entry 2; newer entries are being added" in (
            " ".join(meanwhile.split())
        )
        assert "2 ledger entries" in meanwhile
    finally:
        bodies.done(aid, "2025-01-20")
    fresh = browser.get(url).text
    assert "3 ledger entries" in fresh and "newer entr" not in fresh
