"""kill -9 the server while clients post events; every event answered 201 survives and
the chain verifies (SQLite: WAL + synchronous=FULL; PostgreSQL: committed transactions)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import MINIMAL, event
from tests.web.server import Server, detente

pytestmark = pytest.mark.slow


def test_every_answered_event_survives_a_kill_9(db_url: str, tmp_path: Path) -> None:
    from detente.web.accounts import Role, new_token
    from detente.web.accounts import add_user as add
    from detente.web.db import open_database, writing

    engine = open_database(db_url)
    with writing(engine) as conn:
        token = new_token(conn, add(conn, "eli", Role.editor, "correct horse battery"))
    engine.dispose()
    auth = {"Authorization": f"Bearer {token}"}
    server = Server(db_url, tmp_path / "serve.log").start()
    try:
        r = httpx.post(server.url + "/api/agreements", content=MINIMAL.read_bytes(), headers=auth)
        assert r.status_code == 201, r.text
        answered: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def post_loop(worker: int) -> None:
            with httpx.Client(base_url=server.url, headers=auth, timeout=5) as client:
                n = 0
                while not stop.is_set():
                    eid = f"w{worker}-{n}"
                    n += 1
                    try:
                        r = client.post(
                            "/api/agreements/truce/events", json=event(id=eid, quantity=n)
                        )
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 201:
                        with lock:
                            answered.append(r.json()["id"])

        threads = [threading.Thread(target=post_loop, args=(w,)) for w in range(3)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                if len(answered) >= 150:
                    break
            time.sleep(0.05)
        server.kill()  # mid-stream: requests are in flight
        stop.set()
        for t in threads:
            t.join(timeout=10)
        assert len(answered) >= 20
    finally:
        server.kill()

    again = Server(db_url, tmp_path / "serve2.log").start()
    try:
        r = httpx.get(again.url + "/api/agreements/truce/events", headers=auth, timeout=30)
        stored = {e["id"] for e in r.json()}
        missing = set(answered) - stored
        assert not missing, f"{len(missing)} answered events lost: {sorted(missing)[:5]}"
        verify = httpx.get(again.url + "/api/agreements/truce/ledger/verify", headers=auth).json()
        assert verify["intact"], verify
    finally:
        again.stop()
    assert "ledger intact" in detente("ledger", "verify", database=db_url)
