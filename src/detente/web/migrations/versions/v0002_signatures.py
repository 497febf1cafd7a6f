"""Ledger signatures: one per entry, append-only like the ledger.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "the ledger is append-only: record a correction instead"


def upgrade() -> None:
    op.create_table(
        "ledger_signatures",
        sa.Column("agreement_id", sa.String(80), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ledger_signatures_no_{verb.lower()} BEFORE {verb} "
                f"ON ledger_signatures BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    else:
        op.execute(
            "CREATE TRIGGER ledger_signatures_no_update_delete BEFORE UPDATE OR DELETE "
            "ON ledger_signatures FOR EACH ROW EXECUTE FUNCTION ledger_refuse()"
        )
        op.execute(
            "CREATE TRIGGER ledger_signatures_no_truncate BEFORE TRUNCATE ON ledger_signatures "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse()"
        )


def downgrade() -> None:
    raise NotImplementedError("the ledger is never dropped by a migration")
