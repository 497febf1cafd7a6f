"""A ledger no one rewrites unseen: entries signed with a key outside the database, signed
tree heads kept elsewhere, and `detente ledger verify --against` catching each tampering of
issue 13, done with raw SQL on a real database and checked with the real command."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from detente.web import merkle
from detente.web.db import writing
from detente.web.signing import load_key
from tests.web.conftest import Cell, event
from tests.web.tampering import drop_triggers, restore_triggers, tamper

CASES = ["forged confirmation", "cut newest", "agreement removed", "rewritten"]


def detente(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detente.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _record(cell: Cell, aid: str, n: int) -> str:
    r = cell.api("POST", f"/api/agreements/{aid}/events", "eli", json=event(quantity=n))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.mark.parametrize("triggers", ["left in place", "dropped"])
@pytest.mark.parametrize("how", CASES)
def test_each_tampering_is_caught_against_a_kept_head(
    cell: Cell, engine: Engine, db_url: str, tmp_path: Path, how: str, triggers: str
) -> None:
    aid = cell.upload()
    other = cell.upload(
        spec=(Path(__file__).parent / "fixtures" / "truce.yaml")
        .read_text()
        .replace("  id: truce\n", "  id: truce-two\n", 1)
    )
    ids = [_record(cell, aid, n) for n in (2, 3, 4)]
    kept = tmp_path / "heads.json"
    made = detente("ledger", "head", "--out", str(kept), "--database", db_url)
    assert made.returncode == 0, made.stderr
    _record(cell, aid, 5)  # the ledger grows after the head was kept: still intact
    ok = detente("ledger", "verify", "--against", str(kept), "--database", db_url)
    assert ok.returncode == 0, ok.stderr
    assert "ledger intact" in ok.stdout

    tamper(
        engine,
        how,
        triggers,
        aid=other if how == "agreement removed" else aid,
        event_id=ids[0],
        as_user="ada",
        position=3,
    )
    caught = detente("ledger", "verify", "--against", str(kept), "--database", db_url)
    assert caught.returncode == 1, (caught.stdout, caught.stderr)
    said = caught.stderr
    expected = {
        "forged confirmation": f"agreement {aid}, entry 6",
        "cut newest": "fewer than the head kept",
        "agreement removed": f"agreement {other}: the whole agreement is gone",
        "rewritten": f"agreement {aid}, entry 3",
    }[how]
    assert expected in said, said
    if how in ("forged confirmation", "rewritten"):
        assert "signature is not by the server's key" in said
    assert "Traceback" not in said


def test_a_ledger_with_its_triggers_dropped_is_reported(
    cell: Cell, engine: Engine, db_url: str
) -> None:
    cell.upload()
    with writing(engine) as conn:
        drop_triggers(conn)
    got = detente("ledger", "verify", "--database", db_url)
    assert got.returncode == 1
    assert "append-only triggers were dropped" in got.stderr
    with writing(engine) as conn:
        restore_triggers(conn)
    assert detente("ledger", "verify", "--database", db_url).returncode == 0


def test_keys_init_writes_a_private_file_and_never_overwrites(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cell.db'}"
    env_free = {k: v for k, v in os.environ.items() if k != "DETENTE_KEY_FILE"}
    done = subprocess.run(
        [sys.executable, "-m", "detente.cli", "keys", "init", "--database", db],
        capture_output=True,
        text=True,
        env=env_free,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    key = tmp_path / "cell.key"  # beside the database by default
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = key.read_bytes()
    again = subprocess.run(
        [sys.executable, "-m", "detente.cli", "keys", "init", "--database", db],
        capture_output=True,
        text=True,
        env=env_free,
        timeout=60,
    )
    assert again.returncode == 2 and "never overwritten" in again.stderr
    assert key.read_bytes() == before
    other = tmp_path / "elsewhere.key"
    chosen = detente("keys", "init", "--key-file", str(other), "--database", db)
    assert chosen.returncode == 0 and other.exists()


def test_serve_without_a_key_says_so(tmp_path: Path) -> None:
    got = detente(
        "serve", "--database", f"sqlite:///{tmp_path / 'x.db'}", "--key-file", str(tmp_path / "no")
    )
    assert got.returncode == 2
    assert "detente keys init" in got.stderr and "Traceback" not in got.stderr


def test_bad_heads_files_exit_2_without_a_traceback(
    cell: Cell, db_url: str, tmp_path: Path
) -> None:
    cell.upload()
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    for path in (junk, tmp_path / "missing.json"):
        got = detente("ledger", "verify", "--against", str(path), "--database", db_url)
        assert got.returncode == 2, got.stderr
        assert "Traceback" not in got.stderr
    forged = tmp_path / "forged.json"
    made = detente("ledger", "head", "--database", db_url)
    document = json.loads(made.stdout)
    document["heads"][0]["tree_size"] = 1
    forged.write_text(json.dumps(document))
    got = detente("ledger", "verify", "--against", str(forged), "--database", db_url)
    assert got.returncode == 1 and "not signed by key" in got.stderr


def test_the_api_serves_signed_heads_and_consistency_proofs(cell: Cell) -> None:
    aid = cell.upload()
    checker = load_key(Path(os.environ["DETENTE_KEY_FILE"]))
    kept = cell.api("GET", f"/api/agreements/{aid}/ledger/head", "vic")
    assert kept.status_code == 404  # not a member: not even its existence
    kept = cell.api("GET", f"/api/agreements/{aid}/ledger/head", "eli").json()
    assert checker.head_ok(kept) and kept["tree_size"] == 2
    for n in range(3, 8):
        _record(cell, aid, n)
    now = cell.api("GET", f"/api/agreements/{aid}/ledger/head", "eli").json()
    assert checker.head_ok(now) and now["tree_size"] == 7
    proof = cell.api(
        "GET", f"/api/agreements/{aid}/ledger/consistency?first={kept['tree_size']}", "eli"
    ).json()
    assert proof["second"] == 7 and proof["second_root"] == now["root_hash"]
    assert merkle.verify_consistency(
        kept["tree_size"],
        now["tree_size"],
        bytes.fromhex(kept["root_hash"]),
        bytes.fromhex(now["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    bad = cell.api("GET", f"/api/agreements/{aid}/ledger/consistency?first=9", "eli")
    assert bad.status_code == 422
    paths = cell.client.get("/openapi.json").json()["paths"]
    assert "/api/agreements/{agreement_id}/ledger/head" in paths
    assert "/api/agreements/{agreement_id}/ledger/consistency" in paths


def test_a_ledger_recorded_before_signing_is_adopted_by_ledger_sign(
    cell: Cell, engine: Engine, db_url: str
) -> None:
    aid = cell.upload()
    _record(cell, aid, 2)
    with writing(engine) as conn:  # as a ledger from before signing: no signatures at all
        drop_triggers(conn)
        conn.execute(text("DELETE FROM ledger_signatures"))
        restore_triggers(conn)
    unsigned = detente("ledger", "verify", "--database", db_url)
    assert unsigned.returncode == 1 and "it is not signed" in unsigned.stderr
    adopted = detente("ledger", "sign", "--database", db_url)
    assert adopted.returncode == 0, adopted.stderr
    assert "signed 3 entries" in adopted.stdout
    assert detente("ledger", "verify", "--database", db_url).returncode == 0
    # An unsigned entry after signed ones was added behind the server: never adopted.
    _record(cell, aid, 3)
    with writing(engine) as conn:
        drop_triggers(conn)
        conn.execute(text("DELETE FROM ledger_signatures WHERE position = 2"))
        restore_triggers(conn)
    refused = detente("ledger", "sign", "--database", db_url)
    assert refused.returncode == 1 and "added behind the server" in refused.stderr
