"""Idempotent writes: a retried POST gets the first answer and records nothing again."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import MINIMAL, Cell, event
from tests.web.server import Server

URL = "/api/agreements/{}/events"


def _post(cell: Cell, aid: str, body: dict[str, object], key: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    r: httpx.Response = cell.api("POST", URL.format(aid), "eli", json=body, headers=headers)
    return r


def _stored(cell: Cell, aid: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = cell.api("GET", URL.format(aid), "eli").json()
    return events


def test_a_retry_under_the_same_key_gets_the_first_answer(cell: Cell) -> None:
    aid = cell.upload()
    first = _post(cell, aid, event(quantity=2), "k-1")
    again = _post(cell, aid, event(quantity=2), "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(_stored(cell, aid)) == 1
    other = _post(cell, aid, event(quantity=3), "k-1")  # the same key, another request
    assert other.status_code == 422
    assert "already used for a different request" in other.json()["detail"]
    assert len(_stored(cell, aid)) == 1


def test_an_events_own_id_makes_a_retry_idempotent(cell: Cell) -> None:
    aid = cell.upload()
    first = _post(cell, aid, event(id="r1"), None)
    again = _post(cell, aid, event(id="r1"), None)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    changed = _post(cell, aid, event(id="r1", quantity=7), None)
    assert changed.status_code == 409
    assert [e["id"] for e in _stored(cell, aid)] == ["r1"]


def test_an_import_under_a_key_is_recorded_once(cell: Cell) -> None:
    aid = cell.upload()
    body = "\n".join(json.dumps(event(quantity=n)) for n in (1, 2, 3))
    headers = {"Content-Type": "application/jsonl", "Idempotency-Key": "import-1"}
    url = f"/api/agreements/{aid}/events/import"
    first = cell.api("POST", url, "eli", content=body, headers=headers)
    again = cell.api("POST", url, "eli", content=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.json()["recorded"] == 3
    assert again.headers["idempotent-replayed"] == "true"
    assert len(_stored(cell, aid)) == 3
    other = cell.api("POST", url, "eli", content=body + "\n" + json.dumps(event()), headers=headers)
    assert other.status_code == 422
    assert len(_stored(cell, aid)) == 3


def test_a_malformed_key_is_refused(cell: Cell) -> None:
    aid = cell.upload()
    assert _post(cell, aid, event(), "x" * 201).status_code == 422
    assert _post(cell, aid, event(), "has space").status_code == 422
    assert _stored(cell, aid) == []


@pytest.mark.slow
def test_kill_the_server_mid_write_then_retry_every_unanswered_request(
    db_url: str, tmp_path: Path
) -> None:
    """Writers post events without ids, each under its own key; the server is killed with
    requests in flight; every request not answered is retried against a new server. Each
    request's event is then in the ledger exactly once."""
    from detente.web.accounts import Role, new_token
    from detente.web.accounts import add_user as add
    from detente.web.db import open_database, writing

    engine = open_database(db_url)
    with writing(engine) as conn:
        token = new_token(conn, add(conn, "eli", Role.editor, "correct horse battery"))
    engine.dispose()
    auth = {"Authorization": f"Bearer {token}"}
    server = Server(db_url, tmp_path / "serve.log").start()
    sent: list[str] = []
    answered: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()
    try:
        r = httpx.post(server.url + "/api/agreements", content=MINIMAL.read_bytes(), headers=auth)
        assert r.status_code == 201, r.text

        def post_loop(worker: int) -> None:
            with httpx.Client(base_url=server.url, headers=auth, timeout=5) as client:
                n = 0
                while not stop.is_set():
                    key = f"w{worker}-{n}"
                    n += 1
                    with lock:
                        sent.append(key)
                    try:
                        r = client.post(
                            URL.format("truce"),
                            json=event(notes=key, quantity=n),
                            headers={"Idempotency-Key": key},
                        )
                    except httpx.HTTPError:
                        return  # the server is gone: this request is unanswered
                    if r.status_code == 201:
                        with lock:
                            answered.add(key)

        threads = [threading.Thread(target=post_loop, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(answered) < 150:
            time.sleep(0.05)
        server.kill()
        stop.set()
        for t in threads:
            t.join(timeout=10)
    finally:
        server.kill()
    unanswered = [k for k in sent if k not in answered]
    assert len(answered) >= 20 and unanswered

    again = Server(db_url, tmp_path / "serve2.log").start()
    try:
        with httpx.Client(base_url=again.url, headers=auth, timeout=30) as client:
            for key in unanswered:
                n = key.split("-")[1]
                r = client.post(
                    URL.format("truce"),
                    json=event(notes=key, quantity=int(n) + 1),
                    headers={"Idempotency-Key": key},
                )
                assert r.status_code == 201, r.text
            stored = client.get(URL.format("truce")).json()
    finally:
        again.stop()
    notes = [e["event"]["notes"] for e in stored]
    duplicated = sorted({k for k in notes if notes.count(k) > 1})
    assert not duplicated, f"recorded twice: {duplicated[:5]}"
    assert sorted(notes) == sorted(sent)  # every request's event, exactly once
