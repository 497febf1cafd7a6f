"""The database: where it is, how to open it, and the migrations applied at every start.

SQLite (the default, a file beside you) runs in WAL mode with ``synchronous=FULL`` so
that an answered write survives a killed process; a writing transaction starts with
``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way. PostgreSQL is
used as it comes (``postgresql+psycopg://``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

#: Used when neither ``--database`` nor ``DETENTE_DATABASE_URL`` is given.
DEFAULT_DATABASE_URL = "sqlite:///./detente.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Connections kept open: as many as the server's worker threads (40) can use at once, so
#: that under load no request opens a connection (a new SQLite connection runs its PRAGMAs,
#: a new PostgreSQL one starts a backend process) only to close it again when returned.
POOL_SIZE = 40
POOL_OVERFLOW = 10


def database_url(option: str | None = None) -> str:
    """The database to use: the option, else ``DETENTE_DATABASE_URL``, else ./detente.db."""
    return option or os.environ.get("DETENTE_DATABASE_URL") or DEFAULT_DATABASE_URL


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def sqlite_file(engine_or_url: Engine | str) -> str | None:
    """The SQLite database's file; None for another database or one in memory (which no
    other connection, nor another process, can open)."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    if url.get_backend_name() != "sqlite" or url.query.get("mode") == "memory":
        return None
    return None if url.database in (None, "", ":memory:") else url.database


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings the ledger's durability relies on."""
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            options = conn.get_execution_options()
            if options.get("single"):
                return  # one statement (``read_one``): it is its own transaction
            conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("writing") else "BEGIN")

        return engine
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, from the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()


def open_database(url: str | None = None) -> Engine:
    """An engine on the chosen database, migrated to the newest schema."""
    engine = make_engine(database_url(url))
    migrate(engine)
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes: serialised on SQLite, committed on success."""
    with engine.connect().execution_options(writing=True) as conn, conn.begin():
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction: its statements see one snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def read_one(engine: Engine) -> Iterator[Connection]:
    """For a single SELECT: no BEGIN and COMMIT around it (the statement is atomic alone).

    SQLite's connections are in autocommit at the driver (we issue BEGIN ourselves, see
    above), so skipping our BEGIN is enough; PostgreSQL is switched to autocommit.
    """
    options: dict[str, Any] = (
        {"single": True} if is_sqlite(engine) else {"isolation_level": "AUTOCOMMIT"}
    )
    with engine.connect().execution_options(**options) as conn:
        yield conn
