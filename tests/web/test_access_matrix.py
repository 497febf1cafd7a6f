"""Every API endpoint × every kind of caller: the exact answer each one gets.

Callers: nobody signed in; an admin, an editor and a viewer, each once as a member of
the agreement and once not. A non-member gets 404 whatever their role (the agreement's
existence is not revealed); a member whose role may not act gets 403.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.web.conftest import MINIMAL, Cell, event

#: Caller → (user name or None, role, member of the agreement?)
CALLERS: dict[str, tuple[str | None, str, bool]] = {
    "anonymous": (None, "-", False),
    "admin member": ("ada", "admin", True),
    "admin non-member": ("adam", "admin", False),
    "editor member": ("eli", "editor", True),
    "editor non-member": ("eve", "editor", False),
    "viewer member": ("vic", "viewer", True),
    "viewer non-member": ("val", "viewer", False),
}

READ = "read"  # 200 for members, 404 for others
WRITE = "write"  # 201 for admin/editor members, 403 viewer members, 404 non-members
ADMIN = "admin"  # 200 for admins, 403 member non-admins, 404 non-member non-admins
ANY = "any"  # 200 for everyone signed in
GLOBAL_ADMIN = "global admin"  # 200 for admins, 403 for the rest
UPLOAD = "upload"  # 201 for admins and editors, 403 for viewers

counter = itertools.count()


def expected(kind: str, role: str, member: bool, ok: int = 200) -> int:
    if role == "-":
        return 401
    if kind == ANY:
        return ok
    if kind == UPLOAD:
        return 403 if role == "viewer" else ok
    if kind == GLOBAL_ADMIN:
        return ok if role == "admin" else 403
    if kind == ADMIN:
        if role == "admin":
            return ok
        return 403 if member else 404
    if not member:
        return 404
    if kind == WRITE and role == "viewer":
        return 403
    return ok


def fresh_event(cell: Cell, aid: str) -> str:
    r = cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event())
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def unique_spec() -> str:
    return MINIMAL.read_text().replace("id: truce", f"id: truce-{next(counter)}", 1)


Request = Callable[[Cell, str], tuple[str, str, dict[str, Any]]]


def endpoints() -> list[tuple[str, str, int, Request]]:
    """(name, kind, success status, builder of the request)."""
    return [
        ("GET /api/me", ANY, 200, lambda c, a: ("GET", "/api/me", {})),
        ("GET /api/agreements", ANY, 200, lambda c, a: ("GET", "/api/agreements", {})),
        (
            "POST /api/agreements",
            UPLOAD,
            201,
            lambda c, a: (
                "POST",
                "/api/agreements",
                {"content": unique_spec(), "headers": {"Content-Type": "application/yaml"}},
            ),
        ),
        ("GET agreement", READ, 200, lambda c, a: ("GET", f"/api/agreements/{a}", {})),
        (
            "GET status",
            READ,
            200,
            lambda c, a: ("GET", f"/api/agreements/{a}/status?as_of=2025-01-25", {}),
        ),
        ("GET events", READ, 200, lambda c, a: ("GET", f"/api/agreements/{a}/events", {})),
        (
            "POST events",
            WRITE,
            201,
            lambda c, a: ("POST", f"/api/agreements/{a}/events", {"json": event()}),
        ),
        (
            "POST events/import",
            WRITE,
            201,
            lambda c, a: (
                "POST",
                f"/api/agreements/{a}/events/import",
                {
                    "content": "date,actor,action,quantity,category,source\n"
                    "2025-01-23,a,release,3,hostages,https://example.org/r2\n",
                    "headers": {"Content-Type": "text/csv"},
                },
            ),
        ),
        (
            "GET event chain",
            READ,
            200,
            lambda c, a: ("GET", f"/api/agreements/{a}/events/{fresh_event(c, a)}", {}),
        ),
        (
            "POST correction",
            WRITE,
            201,
            lambda c, a: (
                "POST",
                f"/api/agreements/{a}/events/{fresh_event(c, a)}/corrections",
                {"json": {"event": event(quantity=3), "reason": "the report said three"}},
            ),
        ),
        (
            "POST verification",
            WRITE,
            201,
            lambda c, a: (
                "POST",
                f"/api/agreements/{a}/events/{fresh_event(c, a)}/verifications",
                {
                    "json": {
                        "status": "confirmed",
                        "reason": "ICRC handover statement",
                        "evidence": ["https://example.org/icrc"],
                    }
                },
            ),
        ),
        (
            "GET review-queue",
            READ,
            200,
            lambda c, a: ("GET", f"/api/agreements/{a}/review-queue", {}),
        ),
        ("GET ledger", READ, 200, lambda c, a: ("GET", f"/api/agreements/{a}/ledger", {})),
        (
            "GET ledger/verify",
            READ,
            200,
            lambda c, a: ("GET", f"/api/agreements/{a}/ledger/verify", {}),
        ),
        (
            "GET /api/ledger/verify",
            GLOBAL_ADMIN,
            200,
            lambda c, a: ("GET", "/api/ledger/verify", {}),
        ),
        ("GET members", ADMIN, 200, lambda c, a: ("GET", f"/api/agreements/{a}/members", {})),
        ("PUT member", ADMIN, 200, lambda c, a: ("PUT", f"/api/agreements/{a}/members/zed", {})),
        (
            "DELETE member",
            ADMIN,
            200,
            lambda c, a: ("DELETE", f"/api/agreements/{a}/members/zed", {}),
        ),
    ]


def test_every_endpoint_answers_every_caller_as_documented(cell: Cell) -> None:
    aid = cell.upload("eli")  # eli (editor) uploads, so belongs
    for name in ("ada", "vic"):
        r = cell.api("PUT", f"/api/agreements/{aid}/members/{name}", "adam")
        assert r.status_code == 200 and r.json()["changed"] is True
    wrong = []
    checked = 0
    for endpoint, kind, ok, build in endpoints():
        for caller, (user, role, member) in CALLERS.items():
            method, url, kw = build(cell, aid)
            r = cell.api(method, url, user, **kw)
            want = expected(kind, role, member, ok)
            checked += 1
            if r.status_code != want:
                wrong.append(
                    f"{endpoint} as {caller}: {r.status_code} (wanted {want}) {r.text[:200]}"
                )
    assert not wrong, "\n".join(wrong)
    assert checked == len(endpoints()) * len(CALLERS)


def test_an_unknown_agreement_is_404_for_everyone_signed_in(cell: Cell) -> None:
    for user in ("ada", "eli", "vic"):
        for url in ("/api/agreements/nope", "/api/agreements/nope/events"):
            assert cell.api("GET", url, user).status_code == 404


def test_a_bad_token_is_401_with_a_challenge(cell: Cell) -> None:
    r = cell.client.get("/api/me", headers={"Authorization": "Bearer dtn_not-a-token"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert cell.client.get("/api/me", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_removing_a_member_takes_access_away_and_is_in_the_ledger(cell: Cell) -> None:
    aid = cell.upload("eli")
    assert cell.api("PUT", f"/api/agreements/{aid}/members/vic", "ada").status_code == 200
    assert cell.api("GET", f"/api/agreements/{aid}", "vic").status_code == 200
    assert cell.api("DELETE", f"/api/agreements/{aid}/members/vic", "ada").status_code == 200
    assert cell.api("GET", f"/api/agreements/{aid}", "vic").status_code == 404
    kinds = [e["kind"] for e in cell.api("GET", f"/api/agreements/{aid}/ledger", "eli").json()]
    assert kinds == ["agreement", "membership", "membership", "membership"]
    listing = cell.api("GET", "/api/agreements", "vic").json()
    assert aid not in [a["id"] for a in listing]
