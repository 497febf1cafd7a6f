"""What an attacker with write access to the database (and not the key file) can do: drop
the append-only triggers and put them back, edit rows, re-hash chains, sign with a key of
their own. Raw SQL only, as they would."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, text

from detente.web.db import writing
from detente.web.ledger import entry_hash
from detente.web.signing import Signer

REFUSE = "the ledger is append-only: record a correction instead"
TABLES = (("ledger_entries", "ledger"), ("ledger_signatures", "ledger_signatures"))
#: The attacker's own key: their signatures are well formed, just not the server's.
MALLORY = Signer(Ed25519PrivateKey.generate())


def drop_triggers(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for table in ("ledger", "ledger_signatures"):
            for verb in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER {table}_no_{verb}"))
    else:
        for table, prefix in TABLES:
            conn.execute(text(f"DROP TRIGGER {prefix}_no_update_delete ON {table}"))
            conn.execute(text(f"DROP TRIGGER {prefix}_no_truncate ON {table}"))


def restore_triggers(conn: Connection) -> None:
    """The triggers as the migrations made them, so nothing looks touched."""
    if conn.dialect.name == "sqlite":
        for table, prefix in TABLES:
            for verb in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER {prefix}_no_{verb.lower()} BEFORE {verb} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
                    )
                )
    else:
        for table, prefix in TABLES:
            conn.execute(
                text(
                    f"CREATE TRIGGER {prefix}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse()"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER {prefix}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse()"
                )
            )


def rows(conn: Connection, aid: str) -> list[Any]:
    return list(
        conn.execute(
            text("SELECT * FROM ledger_entries WHERE agreement_id = :a ORDER BY position"),
            {"a": aid},
        )
    )


def rehash(row: Any, prev: str, **changes: Any) -> dict[str, Any]:
    values = {
        "agreement": row.agreement_id,
        "position": row.position,
        "kind": row.kind,
        "event_id": row.event_id,
        "payload": json.loads(row.payload),
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at,
        "prev_hash": prev,
    }
    values.update(changes)
    return {**values, "hash": entry_hash(**values)}


def forge_confirmation(conn: Connection, aid: str, event_id: str, as_user: str) -> None:
    """Insert a 'confirmed' verification signed (with Mallory's key) as another user, and
    move the head onto it. Needs no trigger out of the way: it only inserts."""
    last = rows(conn, aid)[-1]
    payload = {"status": "confirmed", "reason": "seen", "evidence": []}
    body = {
        "agreement": aid,
        "position": last.position + 1,
        "kind": "verification",
        "event_id": event_id,
        "payload": payload,
        "recorded_by": as_user,
        "recorded_at": last.recorded_at,
        "prev_hash": last.hash,
    }
    digest = entry_hash(**body)
    conn.execute(
        text(
            "INSERT INTO ledger_entries (agreement_id, position, kind, event_id, payload,"
            " recorded_by, recorded_at, prev_hash, hash) VALUES (:a, :p, 'verification', :e,"
            " :pl, :u, :t, :prev, :h)"
        ),
        {
            "a": aid,
            "p": body["position"],
            "e": event_id,
            "pl": json.dumps(payload, sort_keys=True, separators=(",", ":")),
            "u": as_user,
            "t": body["recorded_at"],
            "prev": last.hash,
            "h": digest,
        },
    )
    conn.execute(
        text("INSERT INTO ledger_signatures VALUES (:a, :p, :k, :s)"),
        {"a": aid, "p": body["position"], "k": MALLORY.key_id, "s": MALLORY.sign_entry(digest)},
    )
    conn.execute(
        text("UPDATE agreements SET head_position = :p, head_hash = :h WHERE id = :a"),
        {"p": body["position"], "h": digest, "a": aid},
    )


def cut_newest(conn: Connection, aid: str, count: int) -> None:
    """Remove the newest entries (with their signatures) and move the head back."""
    kept = rows(conn, aid)[:-count]
    last = kept[-1]
    conn.execute(
        text("DELETE FROM ledger_signatures WHERE agreement_id = :a AND position > :p"),
        {"a": aid, "p": last.position},
    )
    conn.execute(
        text("DELETE FROM ledger_entries WHERE agreement_id = :a AND position > :p"),
        {"a": aid, "p": last.position},
    )
    conn.execute(
        text("UPDATE agreements SET head_position = :p, head_hash = :h WHERE id = :a"),
        {"p": last.position, "h": last.hash, "a": aid},
    )


def remove_agreement(conn: Connection, aid: str) -> None:
    for table, column in (
        ("ledger_signatures", "agreement_id"),
        ("ledger_entries", "agreement_id"),
        ("memberships", "agreement_id"),
        ("agreements", "id"),
    ):
        conn.execute(text(f"DELETE FROM {table} WHERE {column} = :a"), {"a": aid})


def rewrite(conn: Connection, aid: str, position: int, quantity: int) -> None:
    """Change one event's quantity, re-hash it and every later entry, re-sign them all with
    Mallory's key, and move the head: a chain that adds up, signed by the wrong key."""
    prev = None
    for row in rows(conn, aid):
        if row.position < position:
            prev = row.hash
            continue
        assert prev is not None
        changes: dict[str, Any] = {}
        if row.position == position:
            payload = json.loads(row.payload)
            payload["event"]["quantity"] = quantity
            changes["payload"] = payload
        new = rehash(row, prev, **changes)
        conn.execute(
            text(
                "UPDATE ledger_entries SET payload = :pl, prev_hash = :prev, hash = :h"
                " WHERE agreement_id = :a AND position = :p"
            ),
            {
                "pl": json.dumps(new["payload"], sort_keys=True, separators=(",", ":")),
                "prev": prev,
                "h": new["hash"],
                "a": aid,
                "p": row.position,
            },
        )
        conn.execute(
            text(
                "UPDATE ledger_signatures SET key_id = :k, signature = :s"
                " WHERE agreement_id = :a AND position = :p"
            ),
            {
                "k": MALLORY.key_id,
                "s": MALLORY.sign_entry(new["hash"]),
                "a": aid,
                "p": row.position,
            },
        )
        prev = new["hash"]
        last = row.position
    conn.execute(
        text("UPDATE agreements SET head_position = :p, head_hash = :h WHERE id = :a"),
        {"p": last, "h": prev, "a": aid},
    )


def tamper(engine: Engine, how: str, triggers: str, **kw: Any) -> None:
    """Do ``how`` behind the application; ``triggers`` 'left in place' puts the dropped
    triggers back afterwards, 'dropped' leaves them gone."""
    with writing(engine) as conn:
        if how != "forged confirmation" or triggers == "dropped":
            drop_triggers(conn)
        if how == "forged confirmation":
            forge_confirmation(conn, kw["aid"], kw["event_id"], kw["as_user"])
        elif how == "cut newest":
            cut_newest(conn, kw["aid"], 2)
        elif how == "agreement removed":
            remove_agreement(conn, kw["aid"])
        elif how == "rewritten":
            rewrite(conn, kw["aid"], kw["position"], 99)
        if triggers == "left in place" and how != "forged confirmation":
            restore_triggers(conn)
