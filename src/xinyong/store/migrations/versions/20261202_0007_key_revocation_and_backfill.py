"""key revocation time, backfilled batches

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

``api_clients.revoked_at`` records when a key was revoked (``xinyong key revoke``); keys
revoked before this revision keep it empty. ``batches.backfill`` marks history loaded with
``xinyong import --backfill``; every existing batch is an ordinary one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("backfill", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("backfill")
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
