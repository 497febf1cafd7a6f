"""Request abuse: oversized and pathological bodies are answered 4xx with a located error,
never 500, and never read whole before the limit is known."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from detente.web import accounts
from detente.web.app import create_app
from detente.web.db import reading
from tests.web.conftest import MINIMAL, PASSWORD, Cell, event
from tests.web.server import Server, add_user
from tests.web.test_pages import csrf_of, form_post

HEADER = "date,actor,action,quantity,category,clause,source,reported_by,notes\n"


def _import(cell: Cell, aid: str, body: bytes, kind: str) -> Any:
    return cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=body,
        headers={"Content-Type": kind},
    )


def test_csv_field_over_the_csv_limit_is_422_at_its_line(cell: Cell) -> None:
    aid = cell.upload()
    row = f"2025-01-19,a,release,2,hostages,2,https://example.org/1,m,{'x' * 140_000}\n"
    r = _import(cell, aid, (HEADER + row).encode(), "text/csv")
    assert r.status_code == 422, r.text
    assert "line 2" in r.json()["detail"]


def test_ten_megabyte_csv_is_answered_not_500(cell: Cell) -> None:
    aid = cell.upload()
    row = "2025-01-19,a,release,2,hostages,2,https://example.org/1,m,note\n"
    body = (HEADER + row * (10_000_000 // len(row))).encode()
    r = _import(cell, aid, body, "text/csv")
    assert r.status_code == 413, r.text[:300]
    assert "at most 20,000 events" in r.json()["detail"]
    assert cell.api("GET", f"/api/agreements/{aid}/events", "eli").json() == []


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_json_lines_are_422(cell: Cell, depth: int) -> None:
    aid = cell.upload()
    nested = "[" * depth + "]" * depth
    line = json.dumps(event(id="deep"))[:-1] + f', "notes": {nested}}}'
    r = _import(cell, aid, line.encode(), "application/jsonl")
    assert r.status_code == 422, r.text[:300]
    assert "line 1" in json.dumps(r.json())


def test_a_declared_length_over_the_routes_limit_is_refused_before_reading(cell: Cell) -> None:
    aid = cell.upload()
    big = json.dumps(event(notes="x" * 300_000)).encode()
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events",
        "eli",
        content=big,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["detail"] == "a request body is at most 256 KiB"


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_streamed_body_is_stopped_at_the_limit_by_a_real_server(tmp_path: Path) -> None:
    """Five 100 MiB chunked imports to a real `detente serve`: each answered 413 once
    16 MiB have arrived, the server's peak memory far below one body."""
    database = f"sqlite:///{tmp_path / 'cell.db'}"
    token = add_user(database, "eli", "editor", "correct horse battery")
    server = Server(database, tmp_path / "serve.log").start()
    try:
        assert server.proc is not None
        upload = httpx.post(
            f"{server.url}/api/agreements",
            content=MINIMAL.read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"},
        )
        assert upload.status_code == 201, upload.text
        aid = upload.json()["id"]
        before = _peak_rss_mb(server.proc.pid)
        for _ in range(5):
            sent = 0
            with socket.create_connection(("127.0.0.1", server.port)) as conn:
                conn.sendall(
                    (
                        f"POST /api/agreements/{aid}/events/import HTTP/1.1\r\n"
                        f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                        "Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
                    ).encode()
                )
                chunk = b"100000\r\n" + b"x" * 0x100000 + b"\r\n"  # 1 MiB chunks
                try:
                    while sent < 100:
                        conn.sendall(chunk)
                        sent += 1
                except (BrokenPipeError, ConnectionResetError):
                    pass
                conn.settimeout(10)
                answer = conn.recv(4096).decode(errors="replace")
            assert answer.startswith("HTTP/1.1 413"), answer[:200]
            assert "an import is at most 16 MiB" in answer
            assert sent < 100  # the server stopped reading; the rest was never accepted
        growth = _peak_rss_mb(server.proc.pid) - before
        assert growth < 64, f"peak memory grew {growth:.0f} MB for five 100 MiB bodies"
    finally:
        server.stop()


# ------------------------------------------------------------------ sign-in abuse


def test_a_spray_of_names_from_one_address_is_refused_without_a_password_check(
    cell: Cell, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real = accounts.check_password

    def counted(conn: Any, name: str, password: str) -> Any:
        checks.append(name)
        return real(conn, name, password)

    monkeypatch.setattr(accounts, "check_password", counted)
    client = TestClient(cell.app)
    for i in range(20):  # twenty names, one failure each: no single name is limited
        r = form_post(client, "/login", "/login", {"name": f"n{i}", "password": "guess"})
        assert r.status_code == 401
    r = form_post(client, "/login", "/login", {"name": "eli", "password": PASSWORD})
    assert r.status_code == 429
    assert "from your address" in r.text
    assert len(checks) == 20  # the refused attempt cost no argon2


def test_failures_in_total_are_limited_across_addresses() -> None:
    limiter = accounts.LoginLimiter(attempts=5, per_address=20, total=30)
    for i in range(30):
        assert limiter.refusal("eli", f"10.0.0.{i}") is None
        limiter.failed("eli", f"10.0.0.{i}")
    refused = limiter.refusal("eve", "10.9.9.9")  # a new name from a new address
    assert refused is not None and "on this server" in refused


def test_password_checks_run_at_most_two_at_once_and_the_rest_are_turned_away(
    cell: Cell, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = 0
    most = 0
    lock = threading.Lock()

    def slow(conn: Any, name: str, password: str) -> None:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.3)
        with lock:
            inside -= 1

    monkeypatch.setattr(accounts, "check_password", slow)
    gate = accounts.PasswordGate(slots=2, wait=0.1)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            gate.check(lambda: reading(cell.engine), "eli", "x")
            outcomes.append("checked")
        except accounts.Busy:
            outcomes.append("busy")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 2
    assert outcomes.count("checked") == 2 and outcomes.count("busy") == 6


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_password_checks_take_at_most_their_share_of_a_core_over_time(
    cell: Cell, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood cannot keep a core busy with argon2: checks back to back are held to
    ``share`` of one core (after a small burst), and one that would wait past ``wait``
    is turned away at once."""

    def costly(conn: Any, name: str, password: str) -> None:
        _burn(0.05)  # CPU time, as argon2 spends it

    monkeypatch.setattr(accounts, "check_password", costly)
    gate = accounts.PasswordGate(slots=1, wait=1.0, share=0.25, burst=0.05)
    checked = 0
    began = time.monotonic()
    while time.monotonic() - began < 1.0:
        try:
            gate.check(lambda: reading(cell.engine), "eli", "x")
            checked += 1
        except accounts.Busy:
            break
    # 0.05 s of burst and 0.25 s per second: about 6 checks of 0.05 s in a second
    # (20 or more without the share, fewer when the machine is busy)
    assert 1 <= checked <= 8, checked

    stingy = accounts.PasswordGate(slots=1, wait=0.2, share=0.1, burst=0.0)
    stingy.check(lambda: reading(cell.engine), "eli", "x")  # spends 0.05 s: 0.5 s owed
    t = time.monotonic()
    with pytest.raises(accounts.Busy):
        stingy.check(lambda: reading(cell.engine), "eli", "x")
    assert time.monotonic() - t < 0.15  # answered at once, not after the wait


# ------------------------------------------------------------------ TLS and API pages


def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(engine: Any) -> None:
    plain = TestClient(create_app(engine=engine))
    first = plain.get("/login")
    assert "strict-transport-security" not in first.headers
    assert "secure" not in first.headers["set-cookie"].lower()
    tls = TestClient(create_app(engine=engine, https=True), base_url="https://testserver")
    r = tls.get("/login")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert "secure" in r.headers["set-cookie"].lower()
    assert tls.get("/api/health").headers["strict-transport-security"]


def test_no_api_pages_load_scripts_from_elsewhere(cell: Cell) -> None:
    assert cell.client.get("/docs").status_code != 200
    assert cell.client.get("/redoc").status_code != 200
    assert cell.client.get("/openapi.json").json()["info"]["title"]


def test_x_forwarded_for_is_not_trusted_unless_the_proxy_is_named(tmp_path: Path) -> None:
    """The address a blocked client claims in X-Forwarded-For does not let it in."""
    database = f"sqlite:///{tmp_path / 'cell.db'}"
    add_user(database, "eli", "editor", PASSWORD)
    server = Server(database, tmp_path / "serve.log").start()
    try:
        with httpx.Client(base_url=server.url) as client:

            def attempt(password: str, forwarded: str | None = None) -> int:
                token = csrf_of(client.get("/login").text)
                headers = {"X-Forwarded-For": forwarded} if forwarded else {}
                r = client.post(
                    "/login",
                    data={"name": "eli", "password": password, "csrf": token, "next": "/"},
                    headers=headers,
                )
                return r.status_code

            for _ in range(5):
                assert attempt("wrong password") == 401
            assert attempt(PASSWORD, forwarded="203.0.113.7") == 429
    finally:
        server.stop()
