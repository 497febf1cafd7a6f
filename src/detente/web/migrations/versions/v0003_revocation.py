"""Revocable accounts: users disabled or removed, tokens revoked, and browser sessions kept
on the server (so that logging out, disabling a user or changing a password ends them).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false())
    )
    # A removed user's row stays (its name is in the ledger and is never given to another).
    op.add_column(
        "users", sa.Column("removed", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column("api_tokens", sa.Column("revoked_at", sa.String(40), nullable=True))
    op.create_table(
        "sessions",
        # SHA-256 of the session id the cookie carries: a stolen database gives no session.
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("accounts are never dropped by a migration")
