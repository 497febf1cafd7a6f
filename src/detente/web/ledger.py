"""The ledger: every agreement's append-only, hash-chained history.

Each agreement has its own chain. Entry 0 is the upload (it carries the SHA-256 of the
spec text); every later entry is an event, a correction that supersedes an earlier
event, a verification (confirmed or disputed, with reason and evidence) or a
membership change. An entry's hash is SHA-256 over the canonical JSON (sorted keys,
no spaces, UTF-8) of::

    {"agreement", "position", "kind", "event_id", "payload", "recorded_by",
     "recorded_at", "prev_hash"}

so changing any stored field, removing an entry, or reordering entries breaks the chain
from that entry on; the agreement row keeps the head (position and hash) so that removing
the newest entries is noticed as well. One chain per agreement, not one global chain,
so that recording on one agreement never waits for another.

Nothing here issues UPDATE or DELETE on the ledger table, and the database refuses them
(triggers, see the first migration).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from detente.web import merkle
from detente.web.signing import HEADS_FORMAT, Checker, Signer, public_key_b64
from detente.web.tables import agreements, idempotency_keys, ledger, ledger_signatures

GENESIS_PREV = "0" * 64
EVENT_KINDS = ("event", "correction")


class LedgerError(Exception):
    """A write the ledger refuses; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    agreement: str,
    position: int,
    kind: str,
    event_id: str | None,
    payload: Any,
    recorded_by: str,
    recorded_at: str,
    prev_hash: str,
) -> str:
    body = {
        "agreement": agreement,
        "position": position,
        "kind": kind,
        "event_id": event_id,
        "payload": payload,
        "recorded_by": recorded_by,
        "recorded_at": recorded_at,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical(body)).hexdigest()


def spec_digest(spec: str) -> str:
    return hashlib.sha256(spec.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    agreement_id: str
    position: int
    kind: str
    event_id: str | None
    payload: dict[str, Any]
    recorded_by: str
    recorded_at: str
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "position": self.position,
            "kind": self.kind,
            "event_id": self.event_id,
            "payload": self.payload,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def _entry(row: Any) -> Entry:
    return Entry(
        seq=row.seq,
        agreement_id=row.agreement_id,
        position=row.position,
        kind=row.kind,
        event_id=row.event_id,
        payload=json.loads(row.payload),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


# --------------------------------------------------------------------------- writing


def _signature_row(signer: Signer, agreement_id: str, position: int, digest: str) -> dict[str, Any]:
    return {
        "agreement_id": agreement_id,
        "position": position,
        "key_id": signer.key_id,
        "signature": signer.sign_entry(digest),
    }


def create_agreement(
    conn: Connection,
    agreement_id: str,
    title: str,
    spec: str,
    recorded_by: str,
    *,
    signer: Signer,
) -> Entry:
    """Insert the agreement and entry 0 of its chain."""
    at = now()
    payload = {"title": title, "spec_sha256": spec_digest(spec)}
    digest = entry_hash(
        agreement=agreement_id,
        position=0,
        kind="agreement",
        event_id=None,
        payload=payload,
        recorded_by=recorded_by,
        recorded_at=at,
        prev_hash=GENESIS_PREV,
    )
    conn.execute(
        insert(agreements).values(
            id=agreement_id,
            title=title,
            spec=spec,
            uploaded_by=recorded_by,
            uploaded_at=at,
            head_position=0,
            head_hash=digest,
        )
    )
    seq = conn.execute(
        insert(ledger)
        .values(
            agreement_id=agreement_id,
            position=0,
            kind="agreement",
            event_id=None,
            payload=canonical(payload).decode(),
            recorded_by=recorded_by,
            recorded_at=at,
            prev_hash=GENESIS_PREV,
            hash=digest,
        )
        .returning(ledger.c.seq)
    ).scalar_one()
    conn.execute(insert(ledger_signatures).values(_signature_row(signer, agreement_id, 0, digest)))
    return Entry(
        seq, agreement_id, 0, "agreement", None, payload, recorded_by, at, GENESIS_PREV, digest
    )


def append(
    conn: Connection,
    agreement_id: str,
    kind: str,
    payload: dict[str, Any],
    recorded_by: str,
    event_id: str | None = None,
    *,
    signer: Signer,
    new_event: bool = False,
) -> Entry:
    """Append one entry to the agreement's chain, inside the caller's writing transaction.

    For a new event without an id (``new_event`` and ``event_id`` None) the id is
    ``e`` and the entry's position, which is unique within the agreement.
    """
    query = select(agreements.c.head_position, agreements.c.head_hash).where(
        agreements.c.id == agreement_id
    )
    if conn.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE already serialises writers
        query = query.with_for_update()
    head = conn.execute(query).one()
    position = head.head_position + 1
    if new_event and event_id is None:
        event_id = f"e{position}"
        if event_id_taken(conn, agreement_id, event_id):
            event_id = f"e{position}-{secrets.token_hex(3)}"
    at = now()
    digest = entry_hash(
        agreement=agreement_id,
        position=position,
        kind=kind,
        event_id=event_id,
        payload=payload,
        recorded_by=recorded_by,
        recorded_at=at,
        prev_hash=head.head_hash,
    )
    seq = conn.execute(
        insert(ledger)
        .values(
            agreement_id=agreement_id,
            position=position,
            kind=kind,
            event_id=event_id,
            payload=canonical(payload).decode(),
            recorded_by=recorded_by,
            recorded_at=at,
            prev_hash=head.head_hash,
            hash=digest,
        )
        .returning(ledger.c.seq)
    ).scalar_one()
    conn.execute(
        insert(ledger_signatures).values(_signature_row(signer, agreement_id, position, digest))
    )
    conn.execute(
        update(agreements)
        .where(agreements.c.id == agreement_id)
        .values(head_position=position, head_hash=digest)
    )
    return Entry(
        seq,
        agreement_id,
        position,
        kind,
        event_id,
        payload,
        recorded_by,
        at,
        head.head_hash,
        digest,
    )


@dataclass(frozen=True)
class NewEvent:
    payload: dict[str, Any]
    recorded_by: str
    event_id: str | None
    #: The request's ``Idempotency-Key`` and the digest of what it asked, when it had one.
    key: str | None = None
    digest: str | None = None


@dataclass(frozen=True)
class Replay:
    """An item whose ``Idempotency-Key`` was already answered: these events were recorded
    for it (nothing is recorded again)."""

    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class KeyReused:
    """An item whose ``Idempotency-Key`` was already used for a different request."""

    key: str


def request_digest(value: Any) -> str:
    """The digest that tells a retry of a request from another request under the same key."""
    return hashlib.sha256(canonical(value)).hexdigest()


def answered_keys(
    conn: Connection, agreement_id: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """(recorded_by, key) → (request digest, event ids) for the keys already answered."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = conn.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.agreement_id == agreement_id,
            idempotency_keys.c.key.in_({k for _, k in wanted}),
        )
    )
    return {
        (r.recorded_by, r.key): (r.request_digest, tuple(json.loads(r.event_ids)))
        for r in rows
        if (r.recorded_by, r.key) in wanted
    }


def remember_keys(
    conn: Connection,
    agreement_id: str,
    answered: list[tuple[str, str, str, tuple[str, ...]]],
) -> None:
    """Keep (recorded_by, key, digest, event ids) answers, in the caller's transaction."""
    if answered:
        at = now()
        conn.execute(
            insert(idempotency_keys),
            [
                {
                    "agreement_id": agreement_id,
                    "recorded_by": by,
                    "key": key,
                    "request_digest": digest,
                    "event_ids": json.dumps(list(ids)),
                    "created_at": at,
                }
                for by, key, digest, ids in answered
            ],
        )


def event_entry(conn: Connection, agreement_id: str, event_id: str) -> Entry | None:
    """The entry that recorded event ``event_id`` (an original or a correction)."""
    row = conn.execute(
        select(ledger).where(
            ledger.c.agreement_id == agreement_id,
            ledger.c.kind.in_(EVENT_KINDS),
            ledger.c.event_id == event_id,
        )
    ).first()
    return None if row is None else _entry(row)


#: The columns of a new ledger entry other than its agreement, with their PostgreSQL types.
_APPENDED = {
    "position": "integer",
    "kind": "text",
    "event_id": "text",
    "payload": "text",
    "recorded_by": "text",
    "recorded_at": "text",
    "prev_hash": "text",
    "hash": "text",
}
_APPEND_PG = (
    "WITH appended AS (INSERT INTO {ledger} (agreement_id, {columns}) "
    "SELECT %(agreement)s, {columns} FROM json_to_recordset(%(rows)s::json) AS r({typed})), "
    "signed AS (INSERT INTO {signatures} (agreement_id, position, key_id, signature) "
    "SELECT %(agreement)s, position, %(key_id)s, signature "
    "FROM json_to_recordset(%(signed)s::json) AS s(position integer, signature text)) "
    "UPDATE {agreements} SET head_position = %(head_position)s, head_hash = %(head_hash)s "
    "WHERE id = %(agreement)s"
).format(
    ledger=ledger.name,
    signatures=ledger_signatures.name,
    agreements=agreements.name,
    columns=", ".join(_APPENDED),
    typed=", ".join(f"{c} {t}" for c, t in _APPENDED.items()),
)


def append_events(
    conn: Connection, agreement_id: str, items: list[NewEvent], *, signer: Signer
) -> list[Entry | str | Replay | KeyReused]:
    """Append many new events in one go (one head read, one insert, one head update).

    Returns, per item, its entry; the id it asked for when that id is already taken; or,
    for an item with an ``Idempotency-Key``, the first answer to that key (:class:`Replay`)
    or :class:`KeyReused` when the key came with another request. Those items are not
    recorded.
    """
    query = select(agreements.c.head_position, agreements.c.head_hash).where(
        agreements.c.id == agreement_id
    )
    if conn.dialect.name != "sqlite":
        query = query.with_for_update()
    head = conn.execute(query).one()
    asked = [i.event_id for i in items if i.event_id is not None]
    start = head.head_position + 1
    generated = [f"e{start + n}" for n in range(len(items))]
    taken = set(
        conn.execute(
            select(ledger.c.event_id).where(
                ledger.c.agreement_id == agreement_id,
                ledger.c.kind.in_(EVENT_KINDS),
                ledger.c.event_id.in_(asked + generated),
            )
        ).scalars()
    )
    out: list[Entry | str | Replay | KeyReused] = []
    rows: list[dict[str, Any]] = []
    known = answered_keys(
        conn, agreement_id, [(i.recorded_by, i.key) for i in items if i.key is not None]
    )
    keys: list[tuple[str, str, str, tuple[str, ...]]] = []
    position, prev = head.head_position, head.head_hash
    for item in items:
        if item.key is not None:
            first = known.get((item.recorded_by, item.key))
            if first is not None:
                digest, ids = first
                out.append(Replay(ids) if digest == item.digest else KeyReused(item.key))
                continue
        if item.event_id is not None and item.event_id in taken:
            out.append(item.event_id)
            continue
        position += 1
        event_id = item.event_id or f"e{position}"
        if item.event_id is None and event_id in taken:
            event_id = f"e{position}-{secrets.token_hex(3)}"
        taken.add(event_id)
        if item.key is not None:
            answer = (item.recorded_by, item.key, item.digest or "", (event_id,))
            known[(item.recorded_by, item.key)] = (answer[2], answer[3])
            keys.append(answer)
        at = now()
        digest = entry_hash(
            agreement=agreement_id,
            position=position,
            kind="event",
            event_id=event_id,
            payload=item.payload,
            recorded_by=item.recorded_by,
            recorded_at=at,
            prev_hash=prev,
        )
        rows.append(
            {
                "agreement_id": agreement_id,
                "position": position,
                "kind": "event",
                "event_id": event_id,
                "payload": canonical(item.payload).decode(),
                "recorded_by": item.recorded_by,
                "recorded_at": at,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        out.append(
            Entry(
                0,
                agreement_id,
                position,
                "event",
                event_id,
                item.payload,
                item.recorded_by,
                at,
                prev,
                digest,
            )
        )
        prev = digest
    if rows:
        signatures = [_signature_row(signer, agreement_id, r["position"], r["hash"]) for r in rows]
        if conn.dialect.name == "postgresql":
            # One statement, one round trip: the rows, their signatures and the new head.
            # Its text is the same whatever the number of rows (the rows go as one JSON
            # document), so it is neither compiled per batch nor prepared again.
            conn.exec_driver_sql(
                _APPEND_PG,
                {
                    "agreement": agreement_id,
                    "rows": json.dumps(
                        [{c: r[c] for c in _APPENDED} for r in rows], ensure_ascii=False
                    ),
                    "key_id": signer.key_id,
                    "signed": json.dumps(
                        [
                            {"position": s["position"], "signature": s["signature"]}
                            for s in signatures
                        ]
                    ),
                    "head_position": position,
                    "head_hash": prev,
                },
            )
        else:
            conn.execute(insert(ledger), rows)
            conn.execute(insert(ledger_signatures), signatures)
            move_head = (
                update(agreements)
                .where(agreements.c.id == agreement_id)
                .values(head_position=position, head_hash=prev)
            )
            conn.execute(move_head)
        remember_keys(conn, agreement_id, keys)
    return out


def entries(
    conn: Connection, agreement_id: str, after: int = -1, before: int | None = None
) -> list[Entry]:
    """The agreement's entries in chain order, those after position ``after`` (and before
    position ``before``, when given) only."""
    query = select(ledger).where(ledger.c.agreement_id == agreement_id, ledger.c.position > after)
    if before is not None:
        query = query.where(ledger.c.position < before)
    return [_entry(r) for r in conn.execute(query.order_by(ledger.c.position))]


def event_id_taken(conn: Connection, agreement_id: str, event_id: str) -> bool:
    row = conn.execute(
        select(ledger.c.seq).where(
            ledger.c.agreement_id == agreement_id,
            ledger.c.event_id == event_id,
            ledger.c.kind.in_(EVENT_KINDS),
        )
    ).first()
    return row is not None


# --------------------------------------------------------------------------- reading


@dataclass
class Verification:
    status: str
    reason: str
    evidence: list[str]
    recorded_by: str
    recorded_at: str
    position: int

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "evidence": self.evidence,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at,
            "position": self.position,
        }


@dataclass
class EventState:
    """One recorded event (an original or a correction) with what the ledger says of it."""

    id: str
    columns: dict[str, Any]
    position: int
    recorded_by: str
    recorded_at: str
    hash: str
    supersedes: str | None = None
    reason: str | None = None
    superseded_by: str | None = None
    verifications: list[Verification] = field(default_factory=list)
    #: Set on the answer to a retry: this event was recorded by the first request.
    replayed: bool = False

    @property
    def status(self) -> str:
        """What the verifications say; conflicting ones make it ``disputed`` (both are kept)."""
        said = {v.status for v in self.verifications}
        if not said:
            return str(self.columns.get("verification") or "reported")
        if len(said) > 1:
            return "disputed"
        return said.pop()

    @property
    def unreviewed(self) -> bool:
        return (
            self.superseded_by is None
            and not self.verifications
            and (self.columns.get("verification") or "reported") == "reported"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event": self.columns,
            "status": self.status,
            "position": self.position,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at,
            "hash": self.hash,
            "supersedes": self.supersedes,
            "reason": self.reason,
            "superseded_by": self.superseded_by,
            "verifications": [v.as_json() for v in self.verifications],
        }


@dataclass
class History:
    """An agreement's ledger folded into events; nothing is merged or dropped."""

    events: dict[str, EventState]
    entries: list[Entry]

    @property
    def head_hash(self) -> str:
        return self.entries[-1].hash if self.entries else GENESIS_PREV

    @property
    def current(self) -> list[EventState]:
        return [e for e in self.events.values() if e.superseded_by is None]

    @property
    def review_queue(self) -> list[EventState]:
        return [e for e in self.events.values() if e.unreviewed]

    def chain(self, event_id: str) -> list[EventState]:
        """Every version of an event, the original first, the newest last."""
        start = self.events[event_id]
        while start.supersedes is not None and start.supersedes in self.events:
            start = self.events[start.supersedes]
        versions = [start]
        while versions[-1].superseded_by is not None:
            versions.append(self.events[versions[-1].superseded_by])
        return versions


def fold(items: Iterable[Entry], base: History | None = None) -> History:
    """The entries folded into events; with ``base``, ``items`` are the entries after it.

    ``base`` is left as it was (it may be shared with readers): an event state it holds is
    copied before this fold changes it.
    """
    events: dict[str, EventState] = dict(base.events) if base is not None else {}
    added = list(items)
    kept = [*base.entries, *added] if base is not None else added
    shared = base.events if base is not None else {}

    def own(event_id: str) -> EventState:
        state = events[event_id]
        if shared.get(event_id) is state:
            state = events[event_id] = replace(state, verifications=list(state.verifications))
        return state

    for e in added:
        if e.kind in EVENT_KINDS and e.event_id is not None:
            state = EventState(
                id=e.event_id,
                columns={**e.payload.get("event", {}), "id": e.event_id},
                position=e.position,
                recorded_by=e.recorded_by,
                recorded_at=e.recorded_at,
                hash=e.hash,
                supersedes=e.payload.get("supersedes"),
                reason=e.payload.get("reason"),
            )
            events[e.event_id] = state
            if state.supersedes in events:
                own(state.supersedes).superseded_by = e.event_id
        elif e.kind == "verification" and e.event_id in events:
            own(e.event_id).verifications.append(
                Verification(
                    status=str(e.payload.get("status")),
                    reason=str(e.payload.get("reason", "")),
                    evidence=list(e.payload.get("evidence", [])),
                    recorded_by=e.recorded_by,
                    recorded_at=e.recorded_at,
                    position=e.position,
                )
            )
    return History(events, kept)


def history(conn: Connection, agreement_id: str) -> History:
    return fold(entries(conn, agreement_id))


def extended(
    conn: Connection, agreement_id: str, base: History | None, before: int | None = None
) -> History:
    """The history read incrementally: ``base`` (left as it was) with the entries recorded
    after it folded on, when they chain onto it; else the whole ledger read again. With
    ``before``, only the entries at positions before it (the first ``before`` entries)."""
    if base is not None and base.entries:
        newer = entries(conn, agreement_id, after=base.entries[-1].position, before=before)
        if newer and newer[0].prev_hash == base.entries[-1].hash:
            return fold(newer, base=base)
    return fold(entries(conn, agreement_id, before=before))


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Break:
    agreement_id: str
    position: int
    seq: int | None
    reason: str

    def __str__(self) -> str:
        if self.agreement_id == "*":
            return self.reason
        where = f"agreement {self.agreement_id}"
        if self.position >= 0:
            where += f", entry {self.position}"
        if self.seq is not None:
            where += f" (row {self.seq})"
        return f"{where}: {self.reason}"

    def as_json(self) -> dict[str, Any]:
        return {
            "agreement_id": self.agreement_id,
            "position": self.position,
            "seq": self.seq,
            "reason": self.reason,
        }


#: The triggers that keep the ledger append-only, as the migrations create them.
TRIGGERS = {
    "sqlite": {
        "ledger_no_update",
        "ledger_no_delete",
        "ledger_signatures_no_update",
        "ledger_signatures_no_delete",
    },
    "postgresql": {
        "ledger_no_update_delete",
        "ledger_no_truncate",
        "ledger_signatures_no_update_delete",
        "ledger_signatures_no_truncate",
    },
}


def triggers_missing(conn: Connection) -> list[str]:
    """The append-only triggers that are gone (or disabled, on PostgreSQL)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        found = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        )
    elif dialect == "postgresql":
        found = set(
            conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
                    " AND tgrelid IN ('ledger_entries'::regclass, 'ledger_signatures'::regclass)"
                )
            ).scalars()
        )
    else:
        return []
    return sorted(TRIGGERS[dialect] - found)


def verify_agreement(conn: Connection, agreement_id: str, checker: Checker | None) -> Break | None:
    """The first entry of the agreement's chain that does not add up, or None.

    Every entry must carry a valid signature by ``checker``'s key: without the key an entry
    can be neither added, nor rewritten, nor re-attributed to another user. (``checker``
    None checks the chain alone: ``adopt`` does, before signing an older ledger.)
    """
    head = conn.execute(select(agreements).where(agreements.c.id == agreement_id)).one()
    rows = conn.execute(
        select(ledger).where(ledger.c.agreement_id == agreement_id).order_by(ledger.c.position)
    ).all()
    signatures = dict(
        conn.execute(
            select(ledger_signatures.c.position, ledger_signatures.c.signature).where(
                ledger_signatures.c.agreement_id == agreement_id
            )
        ).all()
    )
    prev = GENESIS_PREV
    for expected, row in enumerate(rows):
        if row.position != expected:
            return Break(agreement_id, expected, None, "this entry is missing (removed?)")
        try:
            payload = json.loads(row.payload)
        except ValueError:
            return Break(agreement_id, expected, row.seq, "the stored entry is not valid JSON")
        if row.prev_hash != prev:
            return Break(agreement_id, expected, row.seq, "does not follow the entry before it")
        digest = entry_hash(
            agreement=row.agreement_id,
            position=row.position,
            kind=row.kind,
            event_id=row.event_id,
            payload=payload,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            prev_hash=row.prev_hash,
        )
        if digest != row.hash:
            return Break(
                agreement_id, expected, row.seq, "its content was changed after it was recorded"
            )
        if expected == 0 and payload.get("spec_sha256") != spec_digest(head.spec):
            return Break(agreement_id, 0, row.seq, "the agreement's text was changed after upload")
        signature = signatures.get(row.position)
        if checker is None:
            pass
        elif signature is None:
            return Break(
                agreement_id,
                expected,
                row.seq,
                "it is not signed (forged, or recorded before signing: see `detente ledger sign`)",
            )
        elif not checker.entry_ok(row.hash, signature):
            return Break(
                agreement_id,
                expected,
                row.seq,
                f"its signature is not by the server's key {checker.key_id}"
                f" (recorded_by {row.recorded_by!r} is not vouched for)",
            )
        prev = row.hash
    if not rows:
        return Break(agreement_id, 0, None, "the agreement has no ledger at all")
    if head.head_position != len(rows) - 1 or head.head_hash != prev:
        return Break(
            agreement_id,
            len(rows),
            None,
            f"entries after {len(rows) - 1} are missing (the head says {head.head_position})",
        )
    return None


def verify_all(
    conn: Connection,
    checker: Checker,
    agreement_ids: Iterable[str] | None = None,
    *,
    triggers: bool = True,
) -> tuple[int, Break | None]:
    """(entries checked, first break) over the given agreements, or all of them.

    Over the whole ledger the append-only triggers are checked too (after the chains, whose
    breaks say more): a ledger whose triggers were dropped or disabled is reported even
    when its chains add up.
    """
    ids = (
        list(agreement_ids)
        if agreement_ids is not None
        else list(conn.execute(select(agreements.c.id).order_by(agreements.c.id)).scalars())
    )
    checked = 0
    for agreement_id in ids:
        found = verify_agreement(conn, agreement_id, checker)
        if found is not None:
            return checked, found
        checked += (
            conn.execute(
                select(agreements.c.head_position).where(agreements.c.id == agreement_id)
            ).scalar_one()
            + 1
        )
    if agreement_ids is not None:
        return checked, None
    # Rows whose agreement is gone, or rows beyond every chain, are breaks too.
    orphans = conn.execute(
        select(ledger.c.agreement_id, ledger.c.position, ledger.c.seq)
        .where(ledger.c.agreement_id.not_in(select(agreements.c.id)))
        .limit(1)
    ).first()
    if orphans is not None:
        return checked, Break(
            orphans.agreement_id, orphans.position, orphans.seq, "its agreement was removed"
        )
    if triggers:
        return checked, triggers_break(conn)
    return checked, None


def triggers_break(conn: Connection) -> Break | None:
    missing = triggers_missing(conn)
    if not missing:
        return None
    return Break(
        "*", -1, None, "the append-only triggers were dropped or disabled: " + ", ".join(missing)
    )


# --------------------------------------------------------------------------- tree heads


def leaves(conn: Connection, agreement_id: str) -> list[bytes]:
    """The Merkle tree's leaves: the entries' hashes in chain order."""
    return [
        bytes.fromhex(h)
        for h in conn.execute(
            select(ledger.c.hash)
            .where(ledger.c.agreement_id == agreement_id)
            .order_by(ledger.c.position)
        ).scalars()
    ]


def tree_head(conn: Connection, agreement_id: str, signer: Signer) -> dict[str, Any]:
    """The agreement's signed tree head: its size and RFC 9162 root, signed now."""
    got = leaves(conn, agreement_id)
    return signer.sign_head(agreement_id, len(got), merkle.root(got).hex())


def heads_document(
    conn: Connection, signer: Signer, ids: Iterable[str] | None = None
) -> dict[str, Any]:
    """Every agreement's signed tree head (or those of ``ids``), with the public key to check
    them: what ``detente ledger head`` writes and members keep outside the database."""
    chosen = (
        list(ids)
        if ids is not None
        else list(conn.execute(select(agreements.c.id).order_by(agreements.c.id)).scalars())
    )
    return {
        "format": HEADS_FORMAT,
        "key_id": signer.key_id,
        "public_key": public_key_b64(signer.public),
        "heads": [tree_head(conn, a, signer) for a in chosen],
    }


def consistency(
    conn: Connection, agreement_id: str, first: int, second: int | None
) -> dict[str, Any]:
    """The RFC 9162 consistency proof from the tree of size ``first`` to that of ``second``
    (the current size by default). Raises ValueError when the sizes do not fit."""
    got = leaves(conn, agreement_id)
    second = len(got) if second is None else second
    if not 0 < first <= second <= len(got):
        raise ValueError(
            f"sizes must satisfy 0 < first <= second <= {len(got)} (the ledger's size)"
        )
    return {
        "agreement": agreement_id,
        "first": first,
        "second": second,
        "first_root": merkle.root(got[:first]).hex(),
        "second_root": merkle.root(got[:second]).hex(),
        "proof": [p.hex() for p in merkle.consistency_proof(first, got[:second])],
    }


def check_heads(conn: Connection, document: Any, checker: Checker, source: str) -> Break | None:
    """The first way the ledger now fails to extend the kept heads of ``document``.

    Each kept head must be signed by the server's key; its agreement must still be here,
    with at least as many entries; and the RFC 9162 consistency proof from the kept size to
    the current one must verify against the kept root (the first entries are unchanged).
    """
    if not isinstance(document, dict) or document.get("format") != HEADS_FORMAT:
        return Break("*", -1, None, f"{source} is not a file of signed tree heads ({HEADS_FORMAT})")
    heads = document.get("heads")
    if not isinstance(heads, list):
        return Break("*", -1, None, f"{source} has no list of heads")
    present = set(conn.execute(select(agreements.c.id)).scalars())
    for head in heads:
        if not isinstance(head, dict) or not checker.head_ok(head):
            name = head.get("agreement", "?") if isinstance(head, dict) else "?"
            return Break(
                str(name),
                -1,
                None,
                f"the head kept in {source} is not signed by key {checker.key_id}",
            )
        agreement_id, size = str(head["agreement"]), head["tree_size"]
        kept = f"the head kept in {source} ({size} entries, {head['timestamp']})"
        if agreement_id not in present:
            return Break(agreement_id, -1, None, f"the whole agreement is gone; {kept} names it")
        if not isinstance(size, int) or size < 1:
            return Break(agreement_id, -1, None, f"{kept} has no valid size")
        got = leaves(conn, agreement_id)
        if len(got) < size:
            return Break(
                agreement_id,
                len(got),
                None,
                f"the ledger has {len(got)} entries, fewer than {kept}: entries cut off",
            )
        proof = merkle.consistency_proof(size, got)
        if not merkle.verify_consistency(
            size, len(got), bytes.fromhex(str(head["root_hash"])), merkle.root(got), proof
        ):
            return Break(
                agreement_id,
                -1,
                None,
                f"the ledger does not extend {kept}: some of its first {size} entries changed",
            )
    return None


def adopt(conn: Connection, signer: Signer) -> int:
    """Sign the entries of ledgers recorded before signing; the number signed.

    Every chain must add up first. An agreement's unsigned entries are adopted only where
    they come before its first signed entry (recorded before the key existed); an unsigned
    entry after a signed one can only have been added behind the server, and is refused.
    """
    ids = list(conn.execute(select(agreements.c.id).order_by(agreements.c.id)).scalars())
    rows: list[dict[str, Any]] = []
    for agreement_id in ids:
        found = verify_agreement(conn, agreement_id, None)
        if found is not None:
            raise LedgerError(409, f"the chain is broken, nothing was signed: {found}")
        signed = set(
            conn.execute(
                select(ledger_signatures.c.position).where(
                    ledger_signatures.c.agreement_id == agreement_id
                )
            ).scalars()
        )
        first_signed = min(signed, default=None)
        for position, digest in conn.execute(
            select(ledger.c.position, ledger.c.hash)
            .where(ledger.c.agreement_id == agreement_id)
            .order_by(ledger.c.position)
        ).all():
            if position in signed:
                continue
            if first_signed is not None and position > first_signed:
                raise LedgerError(
                    409,
                    f"agreement {agreement_id}, entry {position} is unsigned but comes after"
                    f" signed entries: it was added behind the server; nothing was signed",
                )
            rows.append(_signature_row(signer, agreement_id, position, digest))
    if rows:
        conn.execute(insert(ledger_signatures), rows)
    return len(rows)
