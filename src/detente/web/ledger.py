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

from sqlalchemy import Connection, insert, select, update

from detente.web.tables import agreements, ledger

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


def create_agreement(
    conn: Connection, agreement_id: str, title: str, spec: str, recorded_by: str
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


def append_events(conn: Connection, agreement_id: str, items: list[NewEvent]) -> list[Entry | str]:
    """Append many new events in one go (one head read, one insert, one head update).

    Returns, per item, its entry, or the id it asked for when that id is already taken
    (that item is not recorded).
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
    out: list[Entry | str] = []
    rows: list[dict[str, Any]] = []
    position, prev = head.head_position, head.head_hash
    for item in items:
        if item.event_id is not None and item.event_id in taken:
            out.append(item.event_id)
            continue
        position += 1
        event_id = item.event_id or f"e{position}"
        if item.event_id is None and event_id in taken:
            event_id = f"e{position}-{secrets.token_hex(3)}"
        taken.add(event_id)
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
        move_head = (
            update(agreements)
            .where(agreements.c.id == agreement_id)
            .values(head_position=position, head_hash=prev)
        )
        if conn.dialect.name == "postgresql":
            # One statement, one round trip: the rows and the new head together.
            conn.execute(move_head.add_cte(insert(ledger).values(rows).cte("appended")))
        else:
            conn.execute(insert(ledger), rows)
            conn.execute(move_head)
    return out


def entries(conn: Connection, agreement_id: str, after: int = -1) -> list[Entry]:
    """The agreement's entries in chain order, those after position ``after`` only."""
    rows = conn.execute(
        select(ledger)
        .where(ledger.c.agreement_id == agreement_id, ledger.c.position > after)
        .order_by(ledger.c.position)
    )
    return [_entry(r) for r in rows]


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


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Break:
    agreement_id: str
    position: int
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"agreement {self.agreement_id}, entry {self.position}"
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


def verify_agreement(conn: Connection, agreement_id: str) -> Break | None:
    """The first entry of the agreement's chain that does not add up, or None."""
    head = conn.execute(select(agreements).where(agreements.c.id == agreement_id)).one()
    rows = conn.execute(
        select(ledger).where(ledger.c.agreement_id == agreement_id).order_by(ledger.c.position)
    ).all()
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
    conn: Connection, agreement_ids: Iterable[str] | None = None
) -> tuple[int, Break | None]:
    """(entries checked, first break) over the given agreements, or all of them."""
    ids = (
        list(agreement_ids)
        if agreement_ids is not None
        else list(conn.execute(select(agreements.c.id).order_by(agreements.c.id)).scalars())
    )
    checked = 0
    for agreement_id in ids:
        found = verify_agreement(conn, agreement_id)
        if found is not None:
            return checked, found
        checked += (
            conn.execute(
                select(agreements.c.head_position).where(agreements.c.id == agreement_id)
            ).scalar_one()
            + 1
        )
    # Rows whose agreement is gone, or rows beyond every chain, are breaks too.
    orphans = conn.execute(
        select(ledger.c.agreement_id, ledger.c.position, ledger.c.seq)
        .where(ledger.c.agreement_id.not_in(select(agreements.c.id)))
        .limit(1)
    ).first()
    if agreement_ids is None and orphans is not None:
        return checked, Break(
            orphans.agreement_id, orphans.position, orphans.seq, "its agreement was removed"
        )
    return checked, None
