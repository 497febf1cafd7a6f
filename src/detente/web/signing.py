"""The server's signing key, kept outside the database, and what it signs.

The key is an Ed25519 private key in a PEM file (``detente keys init`` writes it, mode
0600). Its path comes from ``--key-file``, else ``DETENTE_KEY_FILE``, else beside the
SQLite database (``detente.db`` → ``detente.key``), or ``./detente.key`` for PostgreSQL.

Two things are signed, each message starting with its own label so that one can never
stand for the other:

* every ledger entry: ``detente-ledger-entry/1\\n`` + the entry's hash (hex). The hash
  covers the agreement, position, kind, payload, the user who recorded it and the
  previous hash, so an entry cannot be forged, rewritten, moved or re-attributed without
  the key;
* signed tree heads: ``detente-tree-head/1\\n`` + the canonical JSON of
  ``{agreement, tree_size, root_hash, timestamp, key_id}``, the root being the RFC 9162
  Merkle tree hash of the agreement's entry hashes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.engine import make_url

ENTRY_LABEL = b"detente-ledger-entry/1\n"
HEAD_LABEL = b"detente-tree-head/1\n"
HEADS_FORMAT = "detente-signed-tree-heads/1"
KEY_FILE_ENV = "DETENTE_KEY_FILE"


class SigningKeyError(Exception):
    """The key file is missing, unreadable or not an Ed25519 key."""


def default_key_path(database_url: str) -> Path:
    """Beside the SQLite file (same name, ``.key``), or ./detente.key for a server database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).with_suffix(".key")
    return Path("detente.key")


def key_path(option: str | None, database_url: str) -> Path:
    chosen = option or os.environ.get(KEY_FILE_ENV)
    return Path(chosen) if chosen else default_key_path(database_url)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_b64(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError as exc:
        raise SigningKeyError(f"not an Ed25519 public key: {exc}") from None


def init_key(path: Path) -> Signer:
    """Write a new private key at ``path`` (mode 0600); never overwrites a file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return Signer(key)


def load_key(path: Path) -> Signer:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"no ledger signing key at {path}: create one with `detente keys init`"
        ) from None
    except OSError as exc:
        raise SigningKeyError(
            f"cannot read the ledger signing key {path}: {exc.strerror}"
        ) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 key")
    return Signer(key)


def _b64(sig: bytes) -> str:
    return base64.b64encode(sig).decode()


def head_message(head: dict[str, Any]) -> bytes:
    body = {k: head[k] for k in ("agreement", "tree_size", "root_hash", "timestamp", "key_id")}
    return HEAD_LABEL + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


class Checker:
    """Checks signatures with a public key."""

    def __init__(self, public: Ed25519PublicKey) -> None:
        self.public = public
        self.key_id = key_id(public)

    def _ok(self, signature: str, message: bytes) -> bool:
        try:
            self.public.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def entry_ok(self, entry_hash: str, signature: str) -> bool:
        return self._ok(signature, ENTRY_LABEL + entry_hash.encode())

    def head_ok(self, head: dict[str, Any]) -> bool:
        try:
            message = head_message(head)
        except (KeyError, TypeError):
            return False
        return isinstance(head.get("signature"), str) and self._ok(head["signature"], message)


class Signer(Checker):
    """Signs with the private key (and checks with its public half)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        super().__init__(key.public_key())
        self._key = key

    def sign_entry(self, entry_hash: str) -> str:
        return _b64(self._key.sign(ENTRY_LABEL + entry_hash.encode()))

    def sign_head(self, agreement: str, tree_size: int, root_hash: str) -> dict[str, Any]:
        head: dict[str, Any] = {
            "agreement": agreement,
            "tree_size": tree_size,
            "root_hash": root_hash,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "key_id": self.key_id,
        }
        head["signature"] = _b64(self._key.sign(head_message(head)))
        return head
