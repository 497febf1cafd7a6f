"""Users, roles, API tokens, memberships and the login rate limit.

Passwords are stored as argon2id hashes; API tokens as their SHA-256 (a token is random,
so a fast hash is enough and the lookup stays cheap on every API call).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, not_, select, update

from detente.web.ledger import now
from detente.web.tables import api_tokens, memberships, sessions, settings, users

#: A browser session lasts this long after sign-in (then signing in again).
SESSION_SECONDS = 14 * 24 * 3600
#: Users who may act: neither disabled nor removed.
ACTIVE = not_(users.c.disabled) & not_(users.c.removed)

#: argon2id at the library's time and memory cost (3 passes over 64 MiB), on one thread: a
#: password check then takes one core, and :class:`PasswordGate` bounds how many run and
#: what share of a core they take over time.
_hasher = PasswordHasher(parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so timing does not reveal names."""
    return _hasher.hash("not a password")


class Role(StrEnum):
    admin = "admin"
    editor = "editor"
    viewer = "viewer"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role

    @property
    def can_record(self) -> bool:
        return self.role in (Role.admin, Role.editor)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin


class AccountError(Exception):
    pass


def _user(row: object) -> User:
    return User(row.id, row.name, Role(row.role))  # type: ignore[attr-defined]


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise AccountError("a password has at least 8 characters")


def add_user(conn: Connection, name: str, role: Role, password: str) -> User:
    if not name or len(name) > 64 or not name.isprintable() or name.strip() != name:
        raise AccountError("a user name is 1 to 64 printable characters, no spaces around it")
    _check_password(password)
    found = conn.execute(select(users.c.removed).where(users.c.name == name)).first()
    if found is not None and found.removed:
        raise AccountError(
            f"user {name!r} was removed; the name stays theirs in the ledger, choose another"
        )
    if found is not None:
        raise AccountError(f"user {name!r} already exists")
    uid = conn.execute(
        insert(users)
        .values(name=name, role=role.value, password_hash=_hasher.hash(password), created_at=now())
        .returning(users.c.id)
    ).scalar_one()
    return User(uid, name, role)


def get_user(conn: Connection, name: str) -> User | None:
    """The user of that name, if they may act (neither disabled nor removed)."""
    row = conn.execute(select(users).where(users.c.name == name, ACTIVE)).first()
    return _user(row) if row is not None else None


def member_user(conn: Connection, name: str) -> User | None:
    """The user of that name unless removed: a disabled user's memberships can still be
    changed (and are kept for when they are enabled again)."""
    row = conn.execute(select(users).where(users.c.name == name, not_(users.c.removed))).first()
    return _user(row) if row is not None else None


def check_password(conn: Connection, name: str, password: str) -> User | None:
    row = conn.execute(select(users).where(users.c.name == name, ACTIVE)).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(row) if row is not None else None


# --------------------------------------------------------------------------- revocation
#
# Each change takes effect at the next request of any server process: every request reads
# the token or session, and the user's state and role, from the database (no cache).


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: Role
    disabled: bool
    removed: bool

    @property
    def state(self) -> str:
        return "removed" if self.removed else "disabled" if self.disabled else "active"


def account(conn: Connection, name: str) -> Account:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise AccountError(f"no user {name!r}")
    return Account(row.id, row.name, Role(row.role), bool(row.disabled), bool(row.removed))


def _live(conn: Connection, name: str) -> Account:
    found = account(conn, name)
    if found.removed:
        raise AccountError(f"user {name!r} was removed")
    return found


def end_sessions(conn: Connection, user_id: int) -> int:
    return int(conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount)


def disable(conn: Connection, name: str) -> int:
    """Disable a user: their tokens and sessions stop working at once (tokens come back on
    ``enable``; sessions do not). Returns the number of sessions ended."""
    found = _live(conn, name)
    conn.execute(update(users).where(users.c.id == found.id).values(disabled=True))
    return end_sessions(conn, found.id)


def enable(conn: Connection, name: str) -> None:
    found = _live(conn, name)
    conn.execute(update(users).where(users.c.id == found.id).values(disabled=False))


def remove(conn: Connection, name: str) -> None:
    """Remove a user for good: no sign-in, every token revoked, every session ended, no
    longer listed as a member. The row stays, so their name in the ledger is never reused."""
    found = _live(conn, name)
    conn.execute(
        update(users)
        .where(users.c.id == found.id)
        .values(disabled=True, removed=True, password_hash="!removed")
    )
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == found.id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    end_sessions(conn, found.id)


def set_role(conn: Connection, name: str, role: Role) -> None:
    found = _live(conn, name)
    conn.execute(update(users).where(users.c.id == found.id).values(role=role.value))


def set_password(conn: Connection, name: str, password: str) -> int:
    """A new password; every session of the user ends. Returns the number ended."""
    _check_password(password)
    found = _live(conn, name)
    conn.execute(
        update(users).where(users.c.id == found.id).values(password_hash=_hasher.hash(password))
    )
    return end_sessions(conn, found.id)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    created_at: str
    revoked_at: str | None


def tokens(conn: Connection, name: str) -> list[TokenInfo]:
    found = account(conn, name)
    rows = conn.execute(
        select(api_tokens.c.id, api_tokens.c.created_at, api_tokens.c.revoked_at)
        .where(api_tokens.c.user_id == found.id)
        .order_by(api_tokens.c.id)
    )
    return [TokenInfo(r.id, r.created_at, r.revoked_at) for r in rows]


def revoke_token(conn: Connection, name: str, token_id: int) -> None:
    found = account(conn, name)
    row = conn.execute(
        select(api_tokens.c.revoked_at).where(
            api_tokens.c.id == token_id, api_tokens.c.user_id == found.id
        )
    ).first()
    if row is None:
        raise AccountError(f"{name!r} has no token {token_id}")
    if row.revoked_at is not None:
        raise AccountError(f"token {token_id} of {name!r} was already revoked at {row.revoked_at}")
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now()))


# --------------------------------------------------------------------------- sessions


def session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_session(conn: Connection, user: User) -> str:
    """A new server-side session for ``user``; the cookie carries the returned id."""
    session_id = secrets.token_urlsafe(32)
    at = time.time()
    conn.execute(delete(sessions).where(sessions.c.expires_at < at))  # the expired go
    conn.execute(
        insert(sessions).values(
            id_hash=session_digest(session_id),
            user_id=user.id,
            created_at=now(),
            expires_at=at + SESSION_SECONDS,
        )
    )
    return session_id


def end_session(conn: Connection, session_id: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.id_hash == session_digest(session_id)))


def user_for_session(conn: Connection, session_id: str) -> User | None:
    row = conn.execute(
        select(users.c.id, users.c.name, users.c.role)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(
            sessions.c.id_hash == session_digest(session_id),
            sessions.c.expires_at > time.time(),
            ACTIVE,
        )
    ).first()
    return _user(row) if row is not None else None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(conn: Connection, user: User) -> str:
    """A new API token for ``user`` (only its hash is kept)."""
    return issue_token(conn, user)[1]


def issue_token(conn: Connection, user: User) -> tuple[int, str]:
    """A new API token for ``user``: its id (to revoke it by) and the token (only its hash
    is kept)."""
    token = "dtn_" + secrets.token_urlsafe(32)
    token_id = conn.execute(
        insert(api_tokens)
        .values(user_id=user.id, token_hash=token_digest(token), created_at=now())
        .returning(api_tokens.c.id)
    ).scalar_one()
    return int(token_id), token


def user_for_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(
        select(users.c.id, users.c.name, users.c.role)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == token_digest(token),
            api_tokens.c.revoked_at.is_(None),
            ACTIVE,
        )
    ).first()
    return _user(row) if row is not None else None


# --------------------------------------------------------------------------- membership


def is_member(conn: Connection, user: User, agreement_id: str) -> bool:
    row = conn.execute(
        select(memberships.c.user_id).where(
            memberships.c.user_id == user.id, memberships.c.agreement_id == agreement_id
        )
    ).first()
    return row is not None


def add_member(conn: Connection, agreement_id: str, user: User) -> bool:
    """Make ``user`` a member; False when they already were."""
    if is_member(conn, user, agreement_id):
        return False
    conn.execute(insert(memberships).values(agreement_id=agreement_id, user_id=user.id))
    return True


def remove_member(conn: Connection, agreement_id: str, user: User) -> bool:
    result = conn.execute(
        delete(memberships).where(
            memberships.c.agreement_id == agreement_id, memberships.c.user_id == user.id
        )
    )
    return bool(result.rowcount)


def members(conn: Connection, agreement_id: str) -> list[User]:
    rows = conn.execute(
        select(users)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.agreement_id == agreement_id, not_(users.c.removed))
        .order_by(users.c.name)
    )
    return [_user(r) for r in rows]


# --------------------------------------------------------------------------- settings


def secret_key(conn: Connection) -> str:
    """The key that signs session cookies, made once per database so every worker shares it."""
    row = conn.execute(select(settings.c.value).where(settings.c.key == "session_key")).first()
    if row is not None:
        return str(row.value)
    key = secrets.token_urlsafe(48)
    conn.execute(insert(settings).values(key="session_key", value=key))
    return key


# --------------------------------------------------------------------------- rate limit


class LoginLimiter:
    """Failed logins limited three ways, each over ``window`` seconds:

    - ``per_name`` failures for one name from one address (a guessed password);
    - ``per_address`` failures from one address, whatever the names (a spray of names);
    - ``total`` failures from everywhere (a spray from many addresses): past it every
      login is refused until the window moves on. Signed-in users are not affected
      (sessions and tokens never pay for a password check), and a flood can cost at most
      ``total`` password checks per window.

    Kept in memory: one server process serves a monitoring cell; a restart forgets.
    """

    def __init__(
        self,
        attempts: int = 5,
        window: float = 900.0,
        *,
        per_address: int = 20,
        total: int = 300,
    ) -> None:
        self.attempts = attempts
        self.per_address = per_address
        self.total = total
        self.window = window
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, ...]) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        cutoff = time.monotonic() - self.window
        while q and q[0] < cutoff:
            q.popleft()
        return q

    @staticmethod
    def _keys(name: str, address: str) -> tuple[tuple[str, ...], ...]:
        return (("name", name.lower(), address), ("address", address), ("all",))

    def refusal(self, name: str, address: str) -> str | None:
        """Why a login attempt is refused now, or None when it may be tried."""
        pair, addr, everyone = self._keys(name, address)
        with self._lock:
            if len(self._recent(everyone)) >= self.total:
                return "Too many failed sign-ins on this server; try again in a few minutes."
            if len(self._recent(addr)) >= self.per_address:
                return "Too many failed sign-ins from your address; wait 15 minutes."
            if len(self._recent(pair)) >= self.attempts:
                return "Too many failed attempts for this name from your address; wait 15 minutes."
        return None

    def blocked(self, name: str, address: str) -> bool:
        return self.refusal(name, address) is not None

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in self._keys(name, address):
                self._recent(key).append(now)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(name, address)[0], None)


class Busy(Exception):
    """Every password-check slot stayed taken for the whole wait."""


class PasswordGate:
    """At most ``slots`` password checks at once (argon2 takes 64 MiB and a core each), a
    caller waiting at most ``wait`` seconds for a slot: a flood of sign-ins costs at most
    ``slots`` x 64 MiB and ``slots`` cores (one of each by default), and beyond it is
    answered at once, not queued.

    And over time, checks take at most ``share`` of one core: each check's CPU time is
    paid from a budget that refills at ``share`` seconds per second, up to ``burst``
    seconds (a few sign-ins in a row never wait). Argon2 releases the interpreter lock,
    but on a small machine a check running back to back still takes a whole core, and
    its 64 MiB sweep the cache the serving core uses: a flood of twenty clients cut the
    signed-in page's throughput by half and pushed its p99 past 100 ms. A check that
    would have to wait for the budget past ``wait`` is turned away (``Busy``) at once.
    """

    def __init__(
        self, slots: int = 1, wait: float = 2.0, *, share: float = 0.25, burst: float = 1.0
    ) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.wait = wait
        self.share = share
        self.burst = burst
        self._budget = burst
        self._budget_at = time.monotonic()
        self._budget_lock = threading.Lock()

    def _refilled(self) -> float:
        now = time.monotonic()
        with self._budget_lock:
            self._budget = min(self.burst, self._budget + (now - self._budget_at) * self.share)
            self._budget_at = now
            return self._budget

    def _spend(self, seconds: float) -> None:
        self._refilled()
        with self._budget_lock:
            self._budget -= seconds

    def check(
        self,
        conn_factory: Callable[[], AbstractContextManager[Connection]],
        name: str,
        password: str,
    ) -> User | None:
        """:func:`check_password` in a slot; ``conn_factory()`` opens the connection."""
        deadline = time.monotonic() + self.wait
        if not self._slots.acquire(timeout=self.wait):
            raise Busy
        try:
            owed = -self._refilled()
            if owed > 0:  # the budget is spent: wait for it, or turn away now
                pause = owed / self.share
                if time.monotonic() + pause > deadline:
                    raise Busy
                time.sleep(pause)
            began = time.thread_time()  # argon2 runs on this thread: its CPU time
            try:
                with conn_factory() as conn:
                    return check_password(conn, name, password)
            finally:
                self._spend(time.thread_time() - began)
        finally:
            self._slots.release()
