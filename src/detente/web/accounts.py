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
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select

from detente.web.ledger import now
from detente.web.tables import api_tokens, memberships, settings, users

_hasher = PasswordHasher()


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


def add_user(conn: Connection, name: str, role: Role, password: str) -> User:
    if not name or len(name) > 64 or not name.isprintable() or name.strip() != name:
        raise AccountError("a user name is 1 to 64 printable characters, no spaces around it")
    if len(password) < 8:
        raise AccountError("a password has at least 8 characters")
    if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
        raise AccountError(f"user {name!r} already exists")
    uid = conn.execute(
        insert(users)
        .values(name=name, role=role.value, password_hash=_hasher.hash(password), created_at=now())
        .returning(users.c.id)
    ).scalar_one()
    return User(uid, name, role)


def get_user(conn: Connection, name: str) -> User | None:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return _user(row) if row is not None else None


def check_password(conn: Connection, name: str, password: str) -> User | None:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(row) if row is not None else None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(conn: Connection, user: User) -> str:
    """A new API token for ``user``; only its hash is kept."""
    token = "dtn_" + secrets.token_urlsafe(32)
    conn.execute(
        insert(api_tokens).values(user_id=user.id, token_hash=token_digest(token), created_at=now())
    )
    return token


def user_for_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(
        select(users)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == token_digest(token))
    ).first()
    return _user(row) if row is not None else None


def user_by_id(conn: Connection, uid: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == uid)).first()
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
        .where(memberships.c.agreement_id == agreement_id)
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
    """At most ``attempts`` failed logins per (user, address) in ``window`` seconds.

    Kept in memory: one server process serves a monitoring cell; a restart forgets.
    """

    def __init__(self, attempts: int = 5, window: float = 900.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        cutoff = time.monotonic() - self.window
        while q and q[0] < cutoff:
            q.popleft()
        return q

    def blocked(self, name: str, address: str) -> bool:
        with self._lock:
            return len(self._recent((name.lower(), address))) >= self.attempts

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            self._recent((name.lower(), address)).append(time.monotonic())

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop((name.lower(), address), None)
