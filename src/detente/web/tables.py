"""The tables. The ledger table is append-only: the application only inserts into it, and
triggers (created by the first migration) refuse UPDATE and DELETE on both databases."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    # A removed user's row stays: its name is in the ledger and is never given to another.
    Column("removed", Boolean, nullable=False, server_default=false()),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    # SHA-256 of the token: a stolen database gives no usable token.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
)

#: Browser sessions, kept on the server: the cookie carries a random id, this table its
#: SHA-256. Logging out, disabling, removing a user or changing a password deletes rows.
sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", Float, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("title", Text, nullable=False),
    Column("spec", Text, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", String(40), nullable=False),
    # The chain's head, so that removing the newest entries is noticed too.
    Column("head_position", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("agreement_id", String(80), ForeignKey("agreements.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
)

ledger = Table(
    "ledger_entries",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("agreement_id", String(80), ForeignKey("agreements.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("event_id", String(80), nullable=True),
    Column("payload", Text, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("agreement_id", "position", name="uq_ledger_position"),
)

#: One Ed25519 signature per ledger entry, by the server's key (kept outside the database):
#: over the entry's hash, so no entry is forged, rewritten or re-attributed without the key.
#: A table of its own so that ledgers recorded before signing can be adopted by inserting
#: (``detente ledger sign``); append-only like the ledger.
ledger_signatures = Table(
    "ledger_signatures",
    metadata,
    Column("agreement_id", String(80), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(100), nullable=False),
)

#: Answers to requests that carried an ``Idempotency-Key``: written in the transaction that
#: records their events, so a retried request finds either both or neither. A retry with
#: the same key and the same request gets the first answer (its events' ids); the same key
#: with another request is refused.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("agreement_id", String(80), ForeignKey("agreements.id"), primary_key=True),
    Column("recorded_by", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_digest", String(64), nullable=False),
    Column("event_ids", Text, nullable=False),  # a JSON list, in the request's order
    Column("created_at", String(40), nullable=False),
)
