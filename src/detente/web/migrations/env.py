"""Alembic environment: migrations run on the connection the application hands over."""

from __future__ import annotations

from alembic import context

from detente.web.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the application runs these migrations
    raise RuntimeError("run migrations through detente.web.db.migrate()")
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
