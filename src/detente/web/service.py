"""What a user may do, and doing it: the one place the API and the pages both call.

Access, in this order: not signed in → 401; an agreement you do not belong to (or
that does not exist) → 404, so its existence is not revealed; a role that may not
do this → 403. Admins manage users' memberships of every agreement, and read or
record only where they are members, like everybody else.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, bindparam, select
from starlette.concurrency import run_in_threadpool

from detente.errors import SpecError
from detente.language.loader import load_text
from detente.language.model import Agreement
from detente.monitor import MonitorReport
from detente.web import accounts, ledger, monitoring
from detente.web.accounts import User
from detente.web.db import read_one, reading, writing
from detente.web.events import EventIn
from detente.web.flights import Flights
from detente.web.group_commit import DuplicateEvent, GroupCommit, KeyReusedError
from detente.web.heads import FALLBACK, HeadReader
from detente.web.signing import Signer
from detente.web.tables import agreements, memberships

MAX_SPEC_BYTES = 2 * 1024 * 1024
#: How long a membership seen before a write is trusted (cleared on changes made here).
MEMBERSHIP_CACHE_SECONDS = 3.0


class ServiceError(Exception):
    """A refusal, with the HTTP status that says why and, for 422, the details."""

    def __init__(self, status: int, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []


@dataclass(frozen=True)
class AgreementRow:
    id: str
    title: str
    uploaded_by: str
    uploaded_at: str
    entries: int
    head_hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": self.uploaded_at,
            "entries": self.entries,
            "head_hash": self.head_hash,
        }


#: The agreement (without its text) and its head, if the user belongs to it: built once.
_MEMBER_ROW = (
    select(*[c for c in agreements.c if c.name != "spec"])
    .join(memberships, memberships.c.agreement_id == agreements.c.id)
    .where(agreements.c.id == bindparam("aid"), memberships.c.user_id == bindparam("uid"))
)


def _holds(hist: ledger.History, row: AgreementRow) -> bool:
    """Whether ``hist`` reaches ``row``'s head (it may hold later entries too)."""
    n = len(hist.entries)
    return n >= row.entries and hist.entries[row.entries - 1].hash == row.head_hash


def _row(r: Any) -> AgreementRow:
    return AgreementRow(
        r.id, r.title, r.uploaded_by, r.uploaded_at, r.head_position + 1, r.head_hash
    )


class Service:
    def __init__(self, engine: Engine, signer: Signer) -> None:
        self.engine = engine
        self.signer = signer
        self._lock = threading.Lock()
        self._histories: dict[str, ledger.History] = {}
        self._members: dict[tuple[int, str], tuple[AgreementRow, float]] = {}
        self._models: dict[str, Agreement] = {}
        self._tree_heads: dict[str, tuple[str, dict[str, Any]]] = {}
        self._group = GroupCommit(engine, signer)
        self._flights = Flights()
        self._heads = HeadReader(engine)

    # ---- who is asking (read on every request: nothing cached, see accounts)

    async def user_for_token(self, token: str) -> User | None:
        got = await self._heads.token_user(accounts.token_digest(token))
        if got is FALLBACK:
            return await run_in_threadpool(self._read_user, accounts.user_for_token, token)
        return None if got is None else User(got[0], got[1], accounts.Role(got[2]))

    async def user_for_session(self, session_id: str) -> User | None:
        got = await self._heads.session_user(accounts.session_digest(session_id))
        if got is FALLBACK:
            return await run_in_threadpool(self._read_user, accounts.user_for_session, session_id)
        if got is None or got[3] <= time.time():
            return None
        return User(got[0], got[1], accounts.Role(got[2]))

    def _read_user(self, how: Any, secret: str) -> User | None:
        with read_one(self.engine) as conn:
            found: User | None = how(conn, secret)
            return found

    # ---- agreements

    def agreements_of(self, user: User) -> list[AgreementRow]:
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(agreements)
                .join(memberships, memberships.c.agreement_id == agreements.c.id)
                .where(memberships.c.user_id == user.id)
                .order_by(agreements.c.uploaded_at.desc())
            )
            return [_row(r) for r in rows]

    def agreement(self, user: User, agreement_id: str, *, fresh: bool = True) -> AgreementRow:
        """The agreement if ``user`` belongs to it, with its chain's head.

        ``fresh=False`` (used before writing, where the head does not matter) may answer
        from a cache of a few seconds; a membership removed elsewhere takes effect after
        it, one removed through this process at once.
        """
        key = (user.id, agreement_id)
        if not fresh:
            with self._lock:
                hit = self._members.get(key)
            if hit is not None and hit[1] > time.monotonic():
                return hit[0]
        with read_one(self.engine) as conn:
            row = conn.execute(_MEMBER_ROW, {"aid": agreement_id, "uid": user.id}).first()
        if row is None:
            raise ServiceError(404, f"no agreement {agreement_id!r} that you belong to")
        found = _row(row)
        with self._lock:
            if len(self._members) > 10_000:
                self._members.clear()
            self._members[key] = (found, time.monotonic() + MEMBERSHIP_CACHE_SECONDS)
        return found

    async def agreement_async(self, user: User, agreement_id: str) -> AgreementRow:
        """``agreement`` (fresh) for the event loop: the query is made on the loop itself."""
        got = await self._heads.member_row(agreement_id, user.id)
        if got is FALLBACK:
            return await run_in_threadpool(self.agreement, user, agreement_id)
        if got is None:
            raise ServiceError(404, f"no agreement {agreement_id!r} that you belong to")
        found = AgreementRow(got[0], got[1], got[2], got[3], got[4] + 1, got[5])
        with self._lock:
            if len(self._members) > 10_000:
                self._members.clear()
            self._members[(user.id, agreement_id)] = (
                found,
                time.monotonic() + MEMBERSHIP_CACHE_SECONDS,
            )
        return found

    def spec(self, agreement_id: str) -> str:
        """The spec text as uploaded."""
        with reading(self.engine) as conn:
            return str(
                conn.execute(
                    select(agreements.c.spec).where(agreements.c.id == agreement_id)
                ).scalar_one()
            )

    def model(self, row: AgreementRow) -> Agreement:
        """The parsed agreement, parsed once per process (a spec never changes after upload)."""
        hit = self._models.get(row.id)
        if hit is not None:
            return hit
        with self._flights(("model", row.id)):  # fifty first requests parse it once
            hit = self._models.get(row.id)
            if hit is None:
                hit = load_text(self.spec(row.id), "agreement.yaml")
                with self._lock:
                    self._models[row.id] = hit
        return hit

    def upload(self, user: User, text: str) -> str:
        if not user.can_record:
            raise ServiceError(403, "viewers cannot upload agreements")
        if len(text.encode()) > MAX_SPEC_BYTES:
            raise ServiceError(413, "a spec is at most 2 MiB")
        try:
            model = load_text(text, "upload")
        except SpecError as exc:
            details = [
                {"line": p.line, "column": p.column, "message": p.message} for p in exc.problems
            ]
            raise ServiceError(422, "the spec has problems", details) from None
        if model.extends:
            raise ServiceError(422, "upload an agreement, not a draft that extends a file")
        with writing(self.engine) as conn:
            exists = conn.execute(
                select(agreements.c.id).where(agreements.c.id == model.id)
            ).first()
            if exists is not None:
                raise ServiceError(409, f"an agreement with id {model.id!r} is already here")
            ledger.create_agreement(
                conn, model.id, model.title, text, user.name, signer=self.signer
            )
            accounts.add_member(conn, model.id, user)
            ledger.append(
                conn,
                model.id,
                "membership",
                {"user": user.name, "change": "added"},
                user.name,
                signer=self.signer,
            )
        with self._lock:  # the text is what was just parsed, and never changes after upload
            self._models[model.id] = model
        return model.id

    # ---- events

    def _writable(self, user: User, agreement_id: str) -> tuple[AgreementRow, Agreement]:
        row = self.agreement(user, agreement_id, fresh=False)
        if not user.can_record:
            raise ServiceError(403, "viewers cannot record in the ledger")
        return row, self.model(row)

    def _check(self, model: Agreement, event: EventIn, line: int | None = None) -> dict[str, Any]:
        columns = event.columns()
        problems = monitoring.event_problems(model, columns)
        if problems:
            raise ServiceError(
                422,
                "the event does not fit the agreement",
                [{"line": line, "field": None, "message": p} for p in problems],
            )
        return columns

    def _writable_cached(self, user: User, agreement_id: str) -> Agreement | None:
        """``_writable`` from the caches alone (no database), or None when it must ask."""
        hit = self._members.get((user.id, agreement_id))
        if hit is None or hit[1] <= time.monotonic():
            return None
        model = self._models.get(agreement_id)
        if model is None:
            return None
        if not user.can_record:
            raise ServiceError(403, "viewers cannot record in the ledger")
        return model

    async def record_async(
        self, user: User, agreement_id: str, event: EventIn, key: str | None = None
    ) -> ledger.EventState:
        """``record`` for the event loop: no worker thread waits while the batch commits."""
        cached = self._writable_cached(user, agreement_id)
        if cached is None:
            await self.agreement_async(user, agreement_id)  # 404 before 403
            _, model = await run_in_threadpool(self._writable, user, agreement_id)
        else:
            model = cached
        columns = self._check(model, event)
        try:
            got = await self._group.record_async(
                agreement_id, {"event": columns}, user.name, event.id, key
            )
        except (DuplicateEvent, KeyReusedError) as exc:
            return await run_in_threadpool(self._retried, user, agreement_id, columns, exc)
        return self._answer(agreement_id, got)

    def record(
        self, user: User, agreement_id: str, event: EventIn, key: str | None = None
    ) -> ledger.EventState:
        """Record one event as a new ledger entry.

        A retry gets the first answer, marked ``replayed``: a request whose
        ``Idempotency-Key`` (``key``) was answered, or an event whose own id is recorded
        already with the same columns by the same user. The same key with another request,
        or the same id with other columns, is refused (422, 409).
        """
        _, model = self._writable(user, agreement_id)
        columns = self._check(model, event)
        try:
            got = self._group.record(agreement_id, {"event": columns}, user.name, event.id, key)
        except (DuplicateEvent, KeyReusedError) as exc:
            return self._retried(user, agreement_id, columns, exc)
        return self._answer(agreement_id, got)

    def _answer(self, agreement_id: str, got: ledger.Entry | ledger.Replay) -> ledger.EventState:
        if isinstance(got, ledger.Entry):
            return self._state(got)
        with reading(self.engine) as conn:
            entry = ledger.event_entry(conn, agreement_id, got.event_ids[0])
        assert entry is not None, "an answered key names a recorded event"
        return replace(self._state(entry), replayed=True)

    def _retried(
        self, user: User, agreement_id: str, columns: dict[str, Any], exc: Exception
    ) -> ledger.EventState:
        if isinstance(exc, KeyReusedError):
            raise ServiceError(422, str(exc)) from None
        assert isinstance(exc, DuplicateEvent)
        with reading(self.engine) as conn:
            entry = ledger.event_entry(conn, agreement_id, exc.event_id)
        if (
            entry is not None
            and entry.kind == "event"
            and entry.recorded_by == user.name
            and entry.payload.get("event") == columns
        ):
            return replace(self._state(entry), replayed=True)  # the same event, sent again
        raise ServiceError(409, str(exc)) from None

    def import_events(
        self, user: User, agreement_id: str, rows: list[tuple[int, EventIn]]
    ) -> list[str]:
        """Record every row, or none of them when any row is wrong."""
        return self.import_keyed(user, agreement_id, rows)[0]

    def import_keyed(
        self,
        user: User,
        agreement_id: str,
        rows: list[tuple[int, EventIn]],
        key: str | None = None,
    ) -> tuple[list[str], bool]:
        """``import_events`` under an ``Idempotency-Key``: the recorded ids, and whether
        they are the first answer to a retried request (then nothing is recorded again)."""
        _, model = self._writable(user, agreement_id)
        problems: list[dict[str, Any]] = []
        checked = []
        for line, event in rows:
            try:
                checked.append((event, self._check(model, event, line)))
            except ServiceError as exc:
                problems.extend(exc.details)
        if problems:
            raise ServiceError(
                422, "some rows do not fit the agreement; nothing was recorded", problems
            )
        ids = [e.id for e, _ in checked if e.id is not None]
        if len(ids) != len(set(ids)):
            raise ServiceError(409, "the same event id appears twice in the file")
        digest = ledger.request_digest([[e.id, c] for e, c in checked])
        out: list[str] = []
        with writing(self.engine) as conn:
            if key is not None:
                first = ledger.answered_keys(conn, agreement_id, [(user.name, key)])
                if first:
                    known, answered = first[(user.name, key)]
                    if known != digest:
                        raise ServiceError(422, str(KeyReusedError(key)))
                    return list(answered), True
            for event, columns in checked:
                if event.id is not None and ledger.event_id_taken(conn, agreement_id, event.id):
                    raise ServiceError(409, f"event {event.id!r} is already recorded")
                entry = ledger.append(
                    conn,
                    agreement_id,
                    "event",
                    {"event": columns},
                    user.name,
                    event.id,
                    signer=self.signer,
                    new_event=True,
                )
                assert entry.event_id is not None
                out.append(entry.event_id)
            if key is not None:
                ledger.remember_keys(conn, agreement_id, [(user.name, key, digest, tuple(out))])
        return out, False

    def correct(
        self, user: User, agreement_id: str, event_id: str, event: EventIn, reason: str
    ) -> ledger.EventState:
        _, model = self._writable(user, agreement_id)
        columns = self._check(model, event)
        with writing(self.engine) as conn:
            found = ledger.history(conn, agreement_id).events.get(event_id)
            if found is None:
                raise ServiceError(404, f"no event {event_id!r} in this agreement")
            if found.superseded_by is not None:
                raise ServiceError(
                    409,
                    f"event {event_id!r} was already corrected by {found.superseded_by!r}; correct that one",
                )
            if event.id is not None and ledger.event_id_taken(conn, agreement_id, event.id):
                raise ServiceError(409, f"event {event.id!r} is already recorded")
            entry = ledger.append(
                conn,
                agreement_id,
                "correction",
                {"event": columns, "supersedes": event_id, "reason": reason},
                user.name,
                event.id,
                signer=self.signer,
                new_event=True,
            )
        state = self._state(entry)
        state.supersedes, state.reason = event_id, reason
        return state

    def verify_event(
        self,
        user: User,
        agreement_id: str,
        event_id: str,
        status: str,
        reason: str,
        evidence: list[str],
    ) -> ledger.Verification:
        self._writable(user, agreement_id)
        with writing(self.engine) as conn:
            found = ledger.history(conn, agreement_id).events.get(event_id)
            if found is None:
                raise ServiceError(404, f"no event {event_id!r} in this agreement")
            if found.superseded_by is not None:
                raise ServiceError(
                    409,
                    f"event {event_id!r} was corrected by {found.superseded_by!r}; verify that one",
                )
            entry = ledger.append(
                conn,
                agreement_id,
                "verification",
                {"status": status, "reason": reason, "evidence": evidence},
                user.name,
                event_id,
                signer=self.signer,
            )
        return ledger.Verification(
            status, reason, evidence, entry.recorded_by, entry.recorded_at, entry.position
        )

    @staticmethod
    def _state(entry: ledger.Entry) -> ledger.EventState:
        assert entry.event_id is not None
        return ledger.EventState(
            id=entry.event_id,
            columns=dict(entry.payload["event"]),
            position=entry.position,
            recorded_by=entry.recorded_by,
            recorded_at=entry.recorded_at,
            hash=entry.hash,
        )

    def history(self, user: User, agreement_id: str) -> ledger.History:
        return self.history_of(self.agreement(user, agreement_id))

    def history_of(self, row: AgreementRow) -> ledger.History:
        """The folded ledger at ``row``'s head (or later), read incrementally and shared.

        The result is shared between requests: callers only read it. When the head moved,
        one request reads the new entries and folds them onto the shared history; the
        others arriving meanwhile wait for it instead of replaying the chain themselves.
        """
        cached = self._histories.get(row.id)
        if cached is not None and _holds(cached, row):
            return cached
        with self._flights(("history", row.id)):
            cached = self._histories.get(row.id)
            if cached is not None and _holds(cached, row):
                return cached
            with reading(self.engine) as conn:
                fresh = ledger.extended(conn, row.id, cached)
            with self._lock:
                self._histories[row.id] = fresh
        return fresh

    def status(
        self, user: User, agreement_id: str, as_of: dt.date | None
    ) -> tuple[AgreementRow, Agreement, MonitorReport]:
        row = self.agreement(user, agreement_id)
        model = self.model(row)
        hist = self.history_of(row)
        day = as_of or dt.date.today()
        try:
            report = monitoring.status(model, row.head_hash, hist.current, day)
        except monitoring.LedgerUnreadable as exc:
            details = [{"line": p.line, "field": None, "message": p.message} for p in exc.problems]
            raise ServiceError(
                409, "the ledger holds events the monitor cannot read", details
            ) from None
        return row, model, report

    # ---- ledger integrity

    def signed_head(self, user: User, agreement_id: str) -> dict[str, Any]:
        """The agreement's latest signed tree head (signed once per chain head)."""
        row = self.agreement(user, agreement_id)
        with self._lock:
            hit = self._tree_heads.get(agreement_id)
        if hit is not None and hit[0] == row.head_hash:
            return hit[1]
        with reading(self.engine) as conn:
            head = ledger.tree_head(conn, agreement_id, self.signer)
            now_hash = conn.execute(
                select(agreements.c.head_hash).where(agreements.c.id == agreement_id)
            ).scalar_one()
        with self._lock:
            self._tree_heads[agreement_id] = (now_hash, head)
        return head

    def consistency(
        self, user: User, agreement_id: str, first: int, second: int | None
    ) -> dict[str, Any]:
        self.agreement(user, agreement_id)
        with reading(self.engine) as conn:
            try:
                return ledger.consistency(conn, agreement_id, first, second)
            except ValueError as exc:
                raise ServiceError(422, str(exc)) from None

    def verify_ledger(
        self, user: User, agreement_id: str | None = None
    ) -> tuple[int, ledger.Break | None]:
        if agreement_id is not None:
            self.agreement(user, agreement_id)
        elif not user.is_admin:
            raise ServiceError(403, "only admins verify the whole ledger")
        with reading(self.engine) as conn:
            return ledger.verify_all(conn, self.signer, [agreement_id] if agreement_id else None)

    # ---- membership

    def members(self, user: User, agreement_id: str) -> list[User]:
        self._admin_on(user, agreement_id)
        with reading(self.engine) as conn:
            return accounts.members(conn, agreement_id)

    def _admin_on(self, user: User, agreement_id: str) -> None:
        with reading(self.engine) as conn:
            exists = conn.execute(
                select(agreements.c.id).where(agreements.c.id == agreement_id)
            ).first()
            member = accounts.is_member(conn, user, agreement_id)
        if exists is None or (not user.is_admin and not member):
            raise ServiceError(404, f"no agreement {agreement_id!r} that you belong to")
        if not user.is_admin:
            raise ServiceError(403, "only admins manage memberships")

    def set_member(self, user: User, agreement_id: str, name: str, member: bool) -> bool:
        self._admin_on(user, agreement_id)
        with self._lock:
            self._members.clear()
        with writing(self.engine) as conn:
            target = accounts.member_user(conn, name)
            if target is None:
                raise ServiceError(404, f"no user {name!r}")
            changed = (
                accounts.add_member(conn, agreement_id, target)
                if member
                else accounts.remove_member(conn, agreement_id, target)
            )
            if changed:
                ledger.append(
                    conn,
                    agreement_id,
                    "membership",
                    {"user": name, "change": "added" if member else "removed"},
                    user.name,
                    signer=self.signer,
                )
        return changed
