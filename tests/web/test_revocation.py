"""Revocation: `detente users disable|enable|remove|role|password|tokens|token --revoke`,
server-side sessions, and no cache letting a revoked token or an ended session through,
in the process that serves it or in another one on the same database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.web.accounts import add_member, get_user
from detente.web.db import writing
from tests.web.conftest import PASSWORD, Cell, event
from tests.web.server import Server, add_user, detente

runner = CliRunner()


def cli(db_url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    done = runner.invoke(app, [*args, "--database", db_url], input=stdin)
    return done.exit_code, done.stdout + done.stderr


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def signed_in(client: httpx.Client) -> bool:
    r = client.get("/", follow_redirects=False)
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def log_out(client: httpx.Client) -> None:
    token = csrf_of(client.get("/").text)
    r = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303


def test_every_users_command_takes_effect_at_the_next_request(cell: Cell, db_url: str) -> None:
    def me(who: str) -> int:
        return int(cell.api("GET", "/api/me", who).status_code)

    assert me("eli") == 200
    # Tokens: listed with ids, one revoked, refused at once; a new one works.
    code, said = cli(db_url, "users", "tokens", "eli")
    assert code == 0 and "live" in said
    token_id = said.split()[0]
    code, said = cli(db_url, "users", "token", "eli", "--revoke", token_id)
    assert code == 0, said
    assert me("eli") == 401
    code, said = cli(db_url, "users", "tokens", "eli")
    assert "revoked" in said
    assert cli(db_url, "users", "token", "eli", "--revoke", token_id)[0] == 1  # already
    assert cli(db_url, "users", "token", "eli", "--revoke", "999")[0] == 1
    assert cli(db_url, "users", "token", "eli", "--revoke", "x")[0] == 2
    made = runner.invoke(app, ["users", "token", "eli", "--database", db_url])
    assert "(id " in made.stderr
    cell.tokens["eli"] = made.stdout.strip().splitlines()[-1]
    assert me("eli") == 200
    # Role: the next request acts with the new one.
    aid = cell.upload("eli")
    assert cli(db_url, "users", "role", "eli", "viewer")[0] == 0
    r = cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event())
    assert r.status_code == 403
    assert cell.api("GET", "/api/me", "eli").json()["role"] == "viewer"
    assert cli(db_url, "users", "role", "eli", "king")[0] == 2
    assert cli(db_url, "users", "role", "eli", "editor")[0] == 0
    # Disable: token and session refused; enable: the token works again, the session not.
    browser = cell.client
    sign_in(browser, "eli")
    assert signed_in(browser)
    assert cli(db_url, "users", "disable", "eli")[0] == 0
    assert me("eli") == 401 and not signed_in(browser)
    sign_in_refused = browser.post(
        "/login",
        data={"name": "eli", "password": PASSWORD, "csrf": csrf_of(browser.get("/login").text)},
        follow_redirects=False,
    )
    assert sign_in_refused.status_code == 401
    assert cli(db_url, "users", "enable", "eli")[0] == 0
    assert me("eli") == 200
    # A disabled user's membership can still be changed by an admin.
    assert cli(db_url, "users", "disable", "eli")[0] == 0
    with writing(cell.engine) as conn:  # ada joins, as an admin would through eli's agreement
        ada = get_user(conn, "ada")
        assert ada is not None
        add_member(conn, aid, ada)
    r = cell.api("DELETE", f"/api/agreements/{aid}/members/eli", "ada")
    assert r.status_code == 200 and r.json()["changed"], r.text
    r = cell.api("PUT", f"/api/agreements/{aid}/members/eli", "ada")
    assert r.status_code == 200 and r.json()["changed"], r.text
    assert cli(db_url, "users", "enable", "eli")[0] == 0
    # A new password ends every session; the new one signs in.
    sign_in(browser, "eli")
    assert signed_in(browser)
    assert cli(db_url, "users", "password", "eli", stdin="a brand new password\n")[0] == 0
    assert not signed_in(browser)
    sign_in(browser, "eli", "a brand new password")
    assert signed_in(browser)
    assert cli(db_url, "users", "password", "eli", stdin="short\n")[0] == 1
    # Remove: for good, and the name is never given to someone else.
    assert cli(db_url, "users", "remove", "eli")[0] == 0
    assert me("eli") == 401 and not signed_in(browser)
    assert cli(db_url, "users", "enable", "eli")[0] == 1
    assert cli(db_url, "users", "add", "eli", stdin="another long password\n")[0] == 1
    members = cell.api("GET", f"/api/agreements/{aid}/members", "ada")
    assert "eli" not in [m["name"] for m in members.json()]
    code, said = cli(db_url, "users", "list")
    assert "eli\teditor\tremoved" in said
    # Bad names: one line, exit 1, no traceback.
    for command in (["disable"], ["enable"], ["remove"], ["password"], ["tokens"]):
        code, said = cli(db_url, "users", *command, "nobody", stdin="a long password\n")
        assert code == 1 and "no user 'nobody'" in said and "Traceback" not in said


def test_logout_ends_the_session_on_the_server(cell: Cell) -> None:
    browser = cell.client
    sign_in(browser, "eli")
    kept = dict(browser.cookies)  # what a thief copied before the logout
    log_out(browser)
    assert not signed_in(browser)
    browser.cookies.update(kept)  # the old cookie, replayed: the session is gone
    assert not signed_in(browser)


@pytest.fixture
def two_servers(db_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    detente("users", "add", "ada", "--role", "admin", database=db_url, stdin=PASSWORD + "\n")
    first = Server(db_url, tmp_path / "first.log").start()
    second = Server(db_url, tmp_path / "second.log").start()
    yield first, second
    first.stop()
    second.stop()


def test_revoked_tokens_and_ended_sessions_are_refused_at_once_by_both_servers(
    two_servers: tuple[Server, Server], db_url: str
) -> None:
    first, second = two_servers
    token = add_user(db_url, "eli", "editor", PASSWORD)
    auth = {"Authorization": f"Bearer {token}"}
    for server in two_servers:  # both serve it, and would remember it if they cached
        for _ in range(3):
            assert httpx.get(server.url + "/api/me", headers=auth).status_code == 200
    token_id = detente("users", "tokens", "eli", database=db_url).split()[0]
    detente("users", "token", "eli", "--revoke", token_id, database=db_url)
    for server in two_servers:
        assert httpx.get(server.url + "/api/me", headers=auth).status_code == 401

    # A session made on the first server, used on the second; logging out on the first
    # ends it on the second at once.
    with httpx.Client(base_url=first.url) as a, httpx.Client(base_url=second.url) as b:
        sign_in(a, "eli")
        b.cookies.update(a.cookies)
        assert signed_in(a) and signed_in(b)
        log_out(a)
        assert not signed_in(b)
        # Disabling ends sessions everywhere too; so does a new password.
        sign_in(a, "eli")
        b.cookies.update(a.cookies)
        assert signed_in(b)
        detente("users", "disable", "eli", database=db_url)
        assert not signed_in(a) and not signed_in(b)
        detente("users", "enable", "eli", database=db_url)
        assert not signed_in(b)  # an ended session stays ended
        sign_in(b, "eli")
        assert signed_in(b)
        detente("users", "password", "eli", database=db_url, stdin="a brand new password\n")
        assert not signed_in(b)
