"""The agreement page's body rendered in the render process is the one rendered here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

from detente.web import renderer
from detente.web.accounts import User, user_for_token
from detente.web.app import create_app
from detente.web.db import reading
from detente.web.pages import body_html
from detente.web.service import AgreementRow
from tests.web.conftest import Cell, event
from tests.web.server import Server
from tests.web.test_pages import sign_in


def test_the_render_process_renders_the_same_body_and_the_page_uses_it(cell: Cell) -> None:
    agreement_id = cell.upload()
    for quantity in (2, 3):
        r = cell.api(
            "POST", f"/api/agreements/{agreement_id}/events", "eli", json=event(quantity=quantity)
        )
        assert r.status_code == 201, r.text
    svc = cell.app.state.service
    with reading(cell.engine) as conn:
        user = user_for_token(conn, cell.tokens["eli"])
    assert isinstance(user, User)
    url = cell.engine.url.render_as_string(hide_password=False)
    spec = svc.spec(agreement_id)
    day = dt.date(2025, 2, 1)

    def both(row: AgreementRow) -> tuple[str, str | None]:
        here = str(body_html(svc.model(row), row, svc.history_of(row).current, day))
        return here, renderer.render_body(body_html, url, spec, row, day)

    first = svc.agreement(user, agreement_id)
    here, there = both(first)
    assert there == here
    assert "example.org" in there  # the events' sources are in the status

    # More entries: the render process reads those recorded since its last render.
    for quantity in (4, 5):
        r = cell.api(
            "POST", f"/api/agreements/{agreement_id}/events", "eli", json=event(quantity=quantity)
        )
        assert r.status_code == 201, r.text
    later = svc.agreement(user, agreement_id)
    assert later.entries == first.entries + 2
    later_here, later_there = both(later)
    assert later_there == later_here != here
    # An older head is rendered at that head, not with the entries recorded after it.
    assert renderer.render_body(body_html, url, spec, first, day) == here
    # A head the ledger does not reach (a chain rewritten since): the server renders.
    moved = dataclasses.replace(later, head_hash="0" * 64)
    assert renderer.render_body(body_html, url, spec, moved, day) is None

    cell.app = create_app(engine=cell.engine, render_process=True)
    page = sign_in(cell, "eli").get(f"/agreements/{agreement_id}?as_of=2025-02-01")
    assert page.status_code == 200
    assert later_here in page.text


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def test_the_render_process_ends_with_the_server_even_when_it_is_killed(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'cell.db'}", tmp_path / "serve.log").start()
    assert server.proc is not None
    deadline = time.monotonic() + 60
    while not (children := _children(server.proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)  # started in the background at start-up
    assert children, "detente serve started no render process"

    def nice(pid: int) -> int:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])

    lowered = nice(server.proc.pid) + 10  # the server's requests go first
    while nice(children[0]) < lowered and time.monotonic() < deadline:
        time.sleep(0.2)  # the process lowers its priority once it has started
    assert nice(children[0]) >= lowered
    server.kill()
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{c}").exists() for c in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [c for c in children if Path(f"/proc/{c}/stat").exists()]
    alive = [c for c in alive if " Z " not in Path(f"/proc/{c}/stat").read_text()]
    assert not alive, f"render process {alive} outlived the server"
