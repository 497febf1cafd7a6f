"""The ledger: append-only in code and in the database, chained, verifiable, corrections
and verifications as new entries, conflicting claims kept side by side."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from detente.web.db import reading, writing
from detente.web.ledger import canonical, entry_hash, verify_all
from detente.web.signing import load_key
from tests.web.conftest import MINIMAL, Cell, event
from tests.web.tampering import drop_triggers, restore_triggers


def record(cell: Cell, aid: str, who: str = "eli", **changes: object) -> dict[str, Any]:
    r = cell.api("POST", f"/api/agreements/{aid}/events", who, json=event(**changes))
    assert r.status_code == 201, r.text
    recorded: dict[str, Any] = r.json()
    return recorded


def test_each_entry_hashes_its_content_and_the_entry_before(cell: Cell) -> None:
    aid = cell.upload()
    first = record(cell, aid)
    entries = cell.api("GET", f"/api/agreements/{aid}/ledger", "eli").json()
    assert [e["position"] for e in entries] == [0, 1, 2]
    for before, entry in itertools.pairwise(entries):
        assert entry["prev_hash"] == before["hash"]
    last = entries[-1]
    assert last["hash"] == first["hash"]
    assert last["hash"] == entry_hash(
        agreement=aid,
        position=last["position"],
        kind=last["kind"],
        event_id=last["event_id"],
        payload=last["payload"],
        recorded_by=last["recorded_by"],
        recorded_at=last["recorded_at"],
        prev_hash=last["prev_hash"],
    )
    assert last["recorded_by"] == "eli"
    assert canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_text_of_any_script_is_stored_as_sent_and_the_chain_verifies(
    cell: Cell, engine: Engine
) -> None:
    """Quotes, backslashes, control characters, right-to-left script and characters
    outside the basic plane come back as sent, and every hash and signature checks."""
    aid = cell.upload()
    notes = 'قال "الوسيط" \\ تم\t— 😀 ok\n«é»'
    ids = [record(cell, aid, notes=notes, publisher=f"Agence {n} — ☮")["id"] for n in range(3)]
    for n, event_id in enumerate(ids):
        r = cell.api("GET", f"/api/agreements/{aid}/events/{event_id}", "eli")
        assert r.status_code == 200, r.text
        recorded = r.json()["versions"][-1]["event"]
        assert recorded["notes"] == notes
        assert recorded["publisher"] == f"Agence {n} — ☮"
    with reading(engine) as conn:
        assert verify_all(conn, load_key(Path(os.environ["DETENTE_KEY_FILE"])))[1] is None


def test_the_database_refuses_update_and_delete_on_the_ledger(cell: Cell, engine: Engine) -> None:
    aid = cell.upload()
    record(cell, aid)
    for statement in (
        "UPDATE ledger_entries SET recorded_by = 'mallory'",
        "DELETE FROM ledger_entries WHERE position = 1",
    ):
        with pytest.raises(DBAPIError, match="append-only"), writing(engine) as conn:
            conn.execute(text(statement))
    with reading(engine) as conn:
        assert verify_all(conn, load_key(Path(os.environ["DETENTE_KEY_FILE"])))[1] is None


def _drop_triggers(engine: Engine) -> None:
    with writing(engine) as conn:
        drop_triggers(conn)


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _cli_verify(db_url: str) -> Ran:
    """`detente ledger verify` in-process (one test below runs the real command)."""
    from typer.testing import CliRunner

    from detente.cli import app

    result = CliRunner().invoke(app, ["ledger", "verify", "--database", db_url])
    return Ran(result.exit_code, result.stdout, result.stderr)


def test_ledger_verify_is_a_command(cell: Cell, db_url: str) -> None:
    cell.upload()
    done = subprocess.run(
        [sys.executable, "-m", "detente.cli", "ledger", "verify", "--database", db_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "ledger intact: 2 entries verified" in done.stdout


@pytest.mark.parametrize("tamper", ["edit", "remove middle", "remove newest", "edit spec"])
def test_changes_behind_the_applications_back_are_found(
    cell: Cell, engine: Engine, db_url: str, tamper: str
) -> None:
    aid = cell.upload()
    for q in (2, 3, 4):
        record(cell, aid, quantity=q)
    ok = _cli_verify(db_url)
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    _drop_triggers(engine)
    with writing(engine) as conn:
        if tamper == "edit":
            payload = json.loads(
                conn.execute(
                    text("SELECT payload FROM ledger_entries WHERE position = 3")
                ).scalar_one()
            )
            payload["event"]["quantity"] = 30
            conn.execute(
                text("UPDATE ledger_entries SET payload = :p WHERE position = 3"),
                {"p": json.dumps(payload)},
            )
        elif tamper == "remove middle":
            conn.execute(text("DELETE FROM ledger_entries WHERE position = 3"))
        elif tamper == "remove newest":
            conn.execute(text("DELETE FROM ledger_entries WHERE position = 4"))
        else:
            conn.execute(text("UPDATE agreements SET spec = spec || ' '"))
        restore_triggers(conn)  # left in place, so the chain's own break is what is named
    broken = _cli_verify(db_url)
    assert broken.returncode == 1
    position = {"edit": 3, "remove middle": 3, "remove newest": 4, "edit spec": 0}[tamper]
    assert f"entry {position}" in broken.stderr, broken.stderr
    api = cell.api("GET", "/api/ledger/verify", "ada").json()
    assert api["intact"] is False
    assert api["first_break"]["position"] == position
    one = cell.api("GET", f"/api/agreements/{aid}/ledger/verify", "eli").json()
    assert one["intact"] is False


def test_a_correction_supersedes_and_keeps_the_original(cell: Cell) -> None:
    aid = cell.upload()
    original = record(cell, aid, quantity=2, id="r1-a")
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/r1-a/corrections",
        "eve" if False else "eli",
        json={"event": event(quantity=3), "reason": "ICRC counted three"},
    )
    assert r.status_code == 201, r.text
    corrected = r.json()
    assert corrected["supersedes"] == "r1-a" and corrected["reason"] == "ICRC counted three"
    again = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/r1-a/corrections",
        "eli",
        json={"event": event(quantity=4), "reason": "second try"},
    )
    assert again.status_code == 409
    current = cell.api("GET", f"/api/agreements/{aid}/events", "eli").json()
    assert [e["event"]["quantity"] for e in current] == [3]
    everything = cell.api("GET", f"/api/agreements/{aid}/events?superseded=true", "eli").json()
    assert [e["event"]["quantity"] for e in everything] == [2, 3]
    chain = cell.api("GET", f"/api/agreements/{aid}/events/{corrected['id']}", "eli").json()
    assert [v["id"] for v in chain["versions"]] == [original["id"], corrected["id"]]
    assert chain["versions"][0]["superseded_by"] == corrected["id"]


def test_verdicts_are_entries_and_conflicting_ones_stay_side_by_side(cell: Cell) -> None:
    aid = cell.upload()
    e = record(cell, aid, id="claim-1")
    record(cell, aid, id="claim-2", quantity=5, reported_by="b")
    queue = [
        q["id"]
        for q in cell.api(
            "GET", f"/api/agreements/{aid}/review-queue", "vic" if False else "eli"
        ).json()
    ]
    assert queue == ["claim-1", "claim-2"]
    url = f"/api/agreements/{aid}/events/{e['id']}/verifications"
    yes = {
        "status": "confirmed",
        "reason": "ICRC statement",
        "evidence": ["https://example.org/icrc"],
    }
    no = {"status": "disputed", "reason": "B says one was held back", "evidence": ["B's statement"]}
    assert cell.api("POST", url, "eli", json=yes).status_code == 201
    after = cell.api("GET", f"/api/agreements/{aid}/events/claim-1", "eli").json()["versions"][-1]
    assert after["status"] == "confirmed"
    assert cell.api("POST", url, "eve", json=no).status_code == 404  # eve is not a member
    assert cell.api("POST", url, "ada", json=no).status_code == 404  # nor is ada yet
    cell.api("PUT", f"/api/agreements/{aid}/members/ada", "ada")
    assert cell.api("POST", url, "ada", json=no).status_code == 201
    final = cell.api("GET", f"/api/agreements/{aid}/events/claim-1", "eli").json()["versions"][-1]
    assert final["status"] == "disputed"
    assert [(v["status"], v["recorded_by"]) for v in final["verifications"]] == [
        ("confirmed", "eli"),
        ("disputed", "ada"),
    ]
    queue = [q["id"] for q in cell.api("GET", f"/api/agreements/{aid}/review-queue", "eli").json()]
    assert queue == ["claim-2"]  # both claims are still there; only claim-1 was reviewed
    bad = cell.api("POST", url, "eli", json={"status": "confirmed", "reason": "x", "evidence": []})
    assert bad.status_code == 422


def test_import_csv_and_jsonl_all_or_nothing(cell: Cell) -> None:
    aid = cell.upload()
    csv_body = (
        "date,time,actor,action,quantity,category,clause,location,source,reported_by,verification,date_precision,notes,id\n"
        '2025-01-19,,a,release,2,hostages,2,Gaza,https://example.org/1,m,confirmed,day,"round 1, as agreed",x1\n'
        "2025-01-20,01:30,b,release,20,prisoners,2,Ofer,https://example.org/2,m,,day,,x2\n"
    )
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=csv_body,
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    assert r.json() == {"recorded": 2, "ids": ["x1", "x2"]}
    page = cell.api("GET", f"/api/agreements/{aid}/events?offset=1&limit=1", "eli").json()
    assert [e["id"] for e in page] == ["x2"]
    lines = (
        "\n".join(json.dumps(event(id=f"j{i}", quantity=i)) for i in range(3))
        + "\n"
        + json.dumps(event(id="j9", date="not a date"))
    )
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=lines,
        headers={"Content-Type": "application/jsonl"},
    )
    assert r.status_code == 422
    assert r.json()["problems"][0]["line"] == 4
    assert len(cell.api("GET", f"/api/agreements/{aid}/events", "eli").json()) == 2
    dup = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=csv_body,
        headers={"Content-Type": "text/csv"},
    )
    assert dup.status_code == 409
    unknown = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content="date,colour\n2025-01-01,red\n",
        headers={"Content-Type": "text/csv"},
    )
    assert unknown.status_code == 422 and "colour" in unknown.json()["detail"]


def test_a_spec_with_errors_answers_422_with_lines(cell: Cell) -> None:
    bad = "agreement:\n  id: x\n  title: T\n  status: sideways\n  parties: []\n"
    r = cell.api(
        "POST", "/api/agreements", "eli", content=bad, headers={"Content-Type": "application/yaml"}
    )
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert problems and all({"line", "column", "message"} <= set(p) for p in problems)
    assert any(p["line"] == 4 for p in problems)
    aid = cell.upload()
    again = cell.api(
        "POST",
        "/api/agreements",
        "eli",
        content=MINIMAL.read_text(),
        headers={"Content-Type": "application/yaml"},
    )
    assert again.status_code == 409 and aid in again.json()["detail"]


def test_a_spec_as_json_is_accepted(cell: Cell) -> None:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(MINIMAL.read_text().replace("id: truce", "id: truce-json", 1))
    r = cell.api(
        "POST",
        "/api/agreements",
        "eli",
        content=json.dumps(data, default=str),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert r.json() == {"id": "truce-json"}


def test_concurrent_posts_share_commits_and_keep_one_chain(cell: Cell, engine: Engine) -> None:
    import threading

    from detente.web.accounts import get_user
    from detente.web.events import parse_event
    from detente.web.service import ServiceError

    aid = cell.upload()
    svc = cell.app.state.service
    with reading(engine) as conn:
        eli = get_user(conn, "eli")
    assert eli is not None
    outcomes: list[str] = []

    def post(n: int) -> None:
        wanted = "same" if n % 5 == 0 else None  # four threads race for one id
        try:
            svc.record(eli, aid, parse_event(event(id=wanted, quantity=n)))
            outcomes.append("201")
        except ServiceError as exc:
            outcomes.append(str(exc.status))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["201"] * 17 + ["409"] * 3
    with reading(engine) as conn:
        assert verify_all(conn, load_key(Path(os.environ["DETENTE_KEY_FILE"]))) == (
            19,
            None,
        )  # upload, membership, 17 events
    ids = [e["id"] for e in cell.api("GET", f"/api/agreements/{aid}/events", "eli").json()]
    assert len(ids) == len(set(ids)) == 17


def test_import_takes_the_publisher_column(cell: Cell) -> None:
    """A log with the `publisher` column imports, and the ledger keeps who reported each
    event; a log without the column still imports."""
    aid = cell.upload()
    csv_body = (
        "date,actor,action,quantity,category,clause,source,publisher,notes,id\n"
        '2025-01-19,a,release,2,hostages,2,https://example.org/1,"AP, via whio.com",,p1\n'
    )
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=csv_body,
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    lines = json.dumps(event(id="p2", publisher="Reuters")) + "\n" + json.dumps(event(id="p3"))
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=lines,
        headers={"Content-Type": "application/jsonl"},
    )
    assert r.status_code == 201, r.text
    stored = {e["id"]: e for e in cell.api("GET", f"/api/agreements/{aid}/events", "eli").json()}
    assert stored["p1"]["event"]["publisher"] == "AP, via whio.com"
    assert stored["p2"]["event"]["publisher"] == "Reuters"
    assert stored["p3"]["event"]["publisher"] is None
